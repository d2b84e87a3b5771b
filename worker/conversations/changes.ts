/**
 * An agent's writes to a conversation: checked here (access, the people and
 * inboxes named), then handed to the conversation's room, its single writer.
 */
import { and, eq } from "drizzle-orm";
import type { EmailDelivery, Item, PostMessageInput, UpdateConversationInput } from "../contract";
import type { Db } from "../db/client";
import { retryReplyEmail } from "../db/queries/outbox";
import { resolveTags } from "../db/queries/tags";
import { inboxes, users } from "../db/schema";
import { sendQueuedReply } from "../email/deliver";
import { countedMentions, mentionsFollow } from "../domain/mentions";
import { updateAction } from "../domain/moves";
import type { Actor } from "../env";
import { notFound, unwrap } from "../errors";
import { newId } from "../lib/ids";
import { getConversationRoom } from "../rooms/conversation-room";
import { agentsWhoSee, assigneeFor, assigneeStays, moveFor, snoozeEnd, teamOf } from "./checks";
import { checkFiles } from "./files";
import { authorOf, conversationFor } from "./find";

/**
 * Posts a reply or a note. A reply in an email inbox is queued in the outbox
 * in the reply's own batch, so it is never lost; the first try starts at once
 * (`waitUntil`) and the minute sweep retries what fails.
 */
export async function postMessage(
  env: Env,
  db: Db,
  actor: Actor,
  id: string,
  input: PostMessageInput,
  key: string | undefined,
  waitUntil: (work: Promise<unknown>) => void,
): Promise<Item> {
  const { conversation, access } = await conversationFor(db, actor, id, input.kind);
  const mailbox =
    input.kind === "reply"
      ? await db.query.inboxes.findFirst({ where: eq(inboxes.id, conversation.inboxId) })
      : undefined;
  // Queued even while the inbox has no address: it then fails visibly, with a retry, instead of never leaving.
  const outbox = mailbox?.channel === "email" ? { id: newId("ob") } : undefined;
  const email = outbox && { subject: conversation.subject, body: input.body };
  // A retried post may name files its first try took: whether they are unused is the room's to say.
  await checkFiles(db, actor.workspaceId, authorOf(actor), input.attachmentIds, email, true);
  const named = countedMentions(input.kind, input.mentions);
  const mentions = named.length
    ? await agentsWhoSee(db, actor.workspaceId, conversation.inboxId, named, "mentions")
    : [];
  const { item } = unwrap(
    await getConversationRoom(env, conversation.id).post(conversation.id, {
      kind: input.kind,
      body: input.body,
      attachmentIds: input.attachmentIds,
      author: authorOf(actor),
      lastSeenSeq: input.lastSeenSeq,
      force: input.force,
      idempotencyKey: key,
      mentions,
      mentionsFollow: mentionsFollow(access),
      outbox,
    }),
  );
  // A replayed reply has its first outbox row; this request's id then names none, and nothing is sent twice.
  if (outbox) waitUntil(sendQueuedReply(env, db, outbox.id).catch((e) => console.error("reply email", e)));
  return item;
}

/**
 * Sends a reply whose email failed after its last try again: queued anew and
 * tried at once. Needs reply access; 404 when that item has no failed email.
 */
export async function retryEmail(
  env: Env,
  db: Db,
  actor: Actor,
  id: string,
  seq: string,
  waitUntil: (work: Promise<unknown>) => void,
): Promise<EmailDelivery> {
  const { conversation } = await conversationFor(db, actor, id, "reply");
  const row = /^\d{1,9}$/.test(seq) ? await retryReplyEmail(db, conversation.id, Number(seq), Date.now()) : undefined;
  if (!row) throw notFound("No failed email for this message");
  waitUntil(sendQueuedReply(env, db, row.id).catch((e) => console.error("reply email", e)));
  return { seq: row.seq, status: row.status, attempts: row.attempts, error: row.error };
}

/** Changes status (or snooze), assignee, team, priority or inbox; returns the conversation's id. */
export async function updateConversation(
  env: Env,
  db: Db,
  actor: Actor,
  id: string,
  input: UpdateConversationInput,
): Promise<string> {
  const { conversation } = await conversationFor(db, actor, id, updateAction(input));
  const move =
    input.inboxId && input.inboxId !== conversation.inboxId
      ? await moveFor(db, actor, conversation, input.inboxId)
      : undefined;
  const inboxId = move?.to.id ?? conversation.inboxId;
  // The assignee must be able to reply where the conversation ends up; after a
  // move, one who cannot lets go of it.
  const assignee =
    input.assigneeId === undefined
      ? move && conversation.assigneeId && !(await assigneeStays(db, conversation.assigneeId, inboxId))
        ? null
        : undefined
      : input.assigneeId === null
        ? null
        : await assigneeFor(db, actor, inboxId, input.assigneeId);
  const team = await teamOf(db, actor.workspaceId, input.teamId);
  const snoozedUntil = snoozeEnd(input.snoozedUntil, ["snoozedUntil"]);
  unwrap(
    await getConversationRoom(env, conversation.id).update(
      conversation.id,
      { status: input.status, snoozedUntil, assignee, team, priority: input.priority, inbox: move },
      authorOf(actor),
    ),
  );
  return conversation.id;
}

/** Replaces the conversation's tags, creating workspace tags named for the first time. */
export async function setTags(env: Env, db: Db, actor: Actor, id: string, names: string[]): Promise<string> {
  const { conversation } = await conversationFor(db, actor, id, "tag");
  const wanted = await resolveTags(db, actor.workspaceId, names, () => newId("tg"));
  unwrap(await getConversationRoom(env, conversation.id).setTags(conversation.id, wanted, authorOf(actor)));
  return conversation.id;
}

async function workspaceUser(db: Db, workspaceId: string, userId: string) {
  const user = await db.query.users.findFirst({
    where: and(eq(users.id, userId), eq(users.workspaceId, workspaceId)),
  });
  if (!user) throw notFound("No such user");
  return { id: user.id, name: user.name };
}

/**
 * Adds or removes a follower. Following yourself needs only sight of the
 * inbox; changing others needs reply. A new follower must see the inbox.
 */
export async function setFollower(
  env: Env,
  db: Db,
  actor: Actor,
  id: string,
  userId: string,
  following: boolean,
): Promise<string> {
  const { conversation } = await conversationFor(
    db,
    actor,
    id,
    userId === actor.id ? "follow_self" : "manage_followers",
  );
  const user = following
    ? (await agentsWhoSee(db, actor.workspaceId, conversation.inboxId, [userId], "userId"))[0]!
    : await workspaceUser(db, actor.workspaceId, userId);
  unwrap(
    await getConversationRoom(env, conversation.id).setFollower(conversation.id, user, following, authorOf(actor)),
  );
  return conversation.id;
}
