/**
 * An agent's writes to a conversation: checked here (access, the people and
 * inboxes named), then handed to the conversation's room, its single writer.
 */
import { and, eq } from "drizzle-orm";
import type { Item, PostMessageInput, UpdateConversationInput } from "../contract";
import type { Db } from "../db/client";
import { resolveTags } from "../db/queries/tags";
import { inboxes, timelineItems, users } from "../db/schema";
import { sendReplyEmail } from "../email/outbound";
import { newMessageId } from "../email/threading";
import { countedMentions, mentionsFollow } from "../domain/mentions";
import { updateAction } from "../domain/moves";
import { snoozeLiesAhead } from "../domain/snooze";
import type { Actor } from "../env";
import { AppError, notFound, unwrap } from "../errors";
import { newId } from "../lib/ids";
import { getConversationRoom } from "../rooms/conversation-room";
import { agentsWhoSee, assigneeFor, assigneeStays, moveFor, teamForAssignment } from "./checks";
import { authorOf, conversationFor } from "./find";

/**
 * Posts a reply or a note. A reply in an email inbox leaves by email, with a
 * Message-ID stored on the item for threading; `waitUntil` keeps the sending
 * alive after the response.
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
  const messageId =
    mailbox?.channel === "email" && mailbox.emailAddress ? newMessageId(mailbox.emailAddress) : undefined;
  const named = countedMentions(input.kind, input.mentions);
  const mentions = named.length
    ? await agentsWhoSee(db, actor.workspaceId, conversation.inboxId, named, "mentions")
    : [];
  const { item } = unwrap(
    await getConversationRoom(env, conversation.id).post(conversation.id, {
      kind: input.kind,
      body: input.body,
      author: authorOf(actor),
      lastSeenSeq: input.lastSeenSeq,
      force: input.force,
      idempotencyKey: key,
      mentions,
      mentionsFollow: mentionsFollow(access),
      messageId,
    }),
  );
  // Only a reply written now carries this request's Message-ID; a replayed one was sent the first time.
  if (messageId && item.author.id === actor.id) {
    const stored = await db.query.timelineItems.findFirst({
      where: and(eq(timelineItems.conversationId, conversation.id), eq(timelineItems.seq, item.seq)),
    });
    if (stored?.messageId === messageId) {
      waitUntil(
        sendReplyEmail(env, db, conversation.id, item, messageId).catch((e) => console.error("reply email failed", e)),
      );
    }
  }
  return item;
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
  const team =
    input.teamId === undefined
      ? undefined
      : input.teamId === null
        ? null
        : await teamForAssignment(db, actor.workspaceId, input.teamId);
  const snoozedUntil = input.snoozedUntil === undefined ? undefined : Date.parse(input.snoozedUntil);
  if (snoozedUntil !== undefined && !snoozeLiesAhead(snoozedUntil, Date.now())) {
    throw new AppError("validation_failed", "A snooze must end in the future", [
      { path: ["snoozedUntil"], message: "is in the past" },
    ]);
  }
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
