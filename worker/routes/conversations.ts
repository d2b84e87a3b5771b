import { and, eq, inArray } from "drizzle-orm";
import { Hono, type Context } from "hono";
import {
  IdempotencyKey,
  ListQuery,
  PostMessageInput,
  StartConversationInput,
  TimelineQuery,
  UpdateConversationInput,
  SetTagsInput,
  AddFollowerInput,
  type Access,
} from "../contract";
import { getDb, type Db } from "../db/client";
import { grantFor, grantsFor } from "../db/queries/access";
import { ensureContact, findContactByEmail } from "../db/queries/contacts";
import {
  findConversation,
  getConversation,
  getTimeline,
  listConversations,
  type ConversationRow,
} from "../db/queries/conversations";
import { resolveTags } from "../db/queries/tags";
import { inboxAccess, inboxes, timelineItems, users } from "../db/schema";
import { sendReplyEmail } from "../email/outbound";
import { newMessageId } from "../email/threading";
import { atLeast, canBeAssigned, decide, effectiveAccess, type Action } from "../domain/access";
import type { Actor, AppEnv } from "../env";
import { AppError, forbidden, notFound, unwrap } from "../errors";
import { derivedId, newId } from "../lib/ids";
import { parseOr400, validate } from "../lib/validate";
import { getConversationRoom, type AuthorRef } from "../rooms/conversation-room";
import { autoAssign } from "./rules";
import { teamForAssignment } from "./teams";

/** The `Idempotency-Key` header, checked; undefined when absent. */
export function idempotencyKey(c: Context): string | undefined {
  const header = c.req.header("Idempotency-Key");
  return header === undefined ? undefined : parseOr400(IdempotencyKey, header, "Idempotency-Key header");
}

export const authorOf = (actor: Actor): AuthorRef => ({ type: "user", id: actor.id, name: actor.name });

/**
 * Loads a conversation the actor may act on: 404 when it does not exist or
 * they cannot see its inbox, 403 when they see it but lack the level.
 */
export async function conversationFor(
  db: Db,
  actor: Actor,
  id: string,
  action: Action,
): Promise<{ conversation: ConversationRow; access: Access }> {
  const conversation = await findConversation(db, id);
  if (!conversation || conversation.workspaceId !== actor.workspaceId) throw notFound("Conversation not found");
  const grant = await grantFor(db, actor, conversation.inboxId);
  const decision = decide(actor.role, grant, action);
  if (decision === "not_found") throw notFound("Conversation not found");
  if (decision === "forbidden")
    throw forbidden(`Your access to this inbox does not allow that (${action.replace("_", " ")})`);
  return { conversation, access: grant! };
}

/** The conversation as `actor` may see it: links into inboxes they cannot see are left out. */
export async function conversationView(db: Db, actor: Actor, id: string) {
  const grants = await grantsFor(db, actor);
  return getConversation(db, id, (inboxId) => grants.has(inboxId));
}

/** A move needs reply access to the target inbox too (the source was checked with the conversation). */
async function moveFor(db: Db, actor: Actor, conversation: ConversationRow, inboxId: string) {
  const grant = await grantFor(db, actor, inboxId);
  if (!grant) throw new AppError("validation_failed", "No such inbox", [{ path: ["inboxId"], message: "not found" }]);
  if (!atLeast(grant, "reply")) throw forbidden("Moving a conversation needs reply access to both inboxes");
  const [from, to] = await Promise.all(
    [conversation.inboxId, inboxId].map((id) => db.query.inboxes.findFirst({ where: eq(inboxes.id, id) })),
  );
  return { from: { id: from!.id, name: from!.name }, to: { id: to!.id, name: to!.name } };
}

async function canStillOwn(db: Db, userId: string, inboxId: string): Promise<boolean> {
  const user = await db.query.users.findFirst({ where: eq(users.id, userId) });
  return !!user && canBeAssigned(user.role, await grantFor(db, user, inboxId));
}

/** The assignee named in a PATCH, checked: they must be able to reply in the inbox. */
async function assigneeFor(db: Db, actor: Actor, inboxId: string, userId: string) {
  const user = await db.query.users.findFirst({
    where: and(eq(users.id, userId), eq(users.workspaceId, actor.workspaceId)),
  });
  const grant = user ? await grantFor(db, user, inboxId) : null;
  if (!user || !canBeAssigned(user.role, grant)) {
    throw new AppError("validation_failed", "Only someone who can reply in this inbox can be assigned", [
      { path: ["assigneeId"], message: user ? `${user.name} cannot reply in this inbox` : "no such user" },
    ]);
  }
  return { id: user.id, name: user.name };
}

/**
 * The agents named by `ids`, each checked to see the inbox (a mention or a
 * follower must be able to open the conversation). A 400 names those who cannot.
 */
async function agentsWhoSee(db: Db, workspaceId: string, inboxId: string, ids: string[], field: string) {
  const unique = [...new Set(ids)];
  const rows = await db
    .select({ id: users.id, name: users.name, role: users.role, access: inboxAccess.access })
    .from(users)
    .leftJoin(inboxAccess, and(eq(inboxAccess.userId, users.id), eq(inboxAccess.inboxId, inboxId)))
    .where(and(eq(users.workspaceId, workspaceId), inArray(users.id, unique)));
  const seeing = new Map(
    rows.filter((r) => effectiveAccess(r.role, r.access)).map((r) => [r.id, { id: r.id, name: r.name }]),
  );
  const refused = unique.filter((id) => !seeing.has(id));
  if (refused.length) {
    const names = rows.filter((r) => refused.includes(r.id)).map((r) => r.name);
    throw new AppError(
      "validation_failed",
      names.length ? `${names.join(", ")} cannot see this inbox` : "No such agent",
      refused.map((id) => ({
        path: [field],
        message: `${rows.find((r) => r.id === id)?.name ?? id} has no access to this inbox`,
        userId: id,
      })),
    );
  }
  return unique.map((id) => seeing.get(id)!);
}

export const conversationRoutes = new Hono<AppEnv>()
  .get("/", validate("query", ListQuery), async (c) => {
    const db = getDb(c.env.DB);
    const grants = await grantsFor(db, c.var.actor);
    return c.json(await listConversations(db, c.var.actor, grants, c.req.valid("query")));
  })
  .post("/", validate("json", StartConversationInput), async (c) => {
    const input = c.req.valid("json");
    const actor = c.var.actor;
    const db = getDb(c.env.DB);
    // No grant means the inbox is not in the workspace or hidden from the agent; admins included.
    const grant = await grantFor(db, actor, input.inboxId);
    if (!grant) throw new AppError("validation_failed", "No such inbox", [{ path: ["inboxId"], message: "not found" }]);
    if (decide(actor.role, grant, "reply") === "forbidden")
      throw forbidden("Starting a conversation needs reply access to the inbox");

    const key = idempotencyKey(c);
    const known = input.contact.email
      ? await findContactByEmail(db, actor.workspaceId, input.contact.email)
      : undefined;
    const contact =
      known ??
      (await ensureContact(db, {
        id: key ? await derivedId("ct", actor.workspaceId, actor.id, key) : newId("ct"),
        workspaceId: actor.workspaceId,
        name: input.contact.name,
        email: input.contact.email,
      }));
    const conversationId = key ? await derivedId("cv", actor.workspaceId, actor.id, key) : newId("cv");
    const retried = key ? await findConversation(db, conversationId) : undefined;
    const inbox = await db.query.inboxes.findFirst({ where: eq(inboxes.id, input.inboxId) });
    unwrap(
      await getConversationRoom(c.env, conversationId).create({
        conversationId,
        workspaceId: actor.workspaceId,
        inboxId: input.inboxId,
        contactId: contact.id,
        subject: input.subject || null,
        first: { kind: "reply", body: input.body, author: authorOf(actor) },
        initial: retried
          ? undefined
          : await autoAssign(c.env, db, {
              workspaceId: actor.workspaceId,
              inboxId: input.inboxId,
              channel: inbox!.channel,
              subject: input.subject || null,
              body: input.body,
              contact,
            }),
      }),
    );
    return c.json(await conversationView(db, c.var.actor, conversationId), 201);
  })
  .get("/:id", async (c) => {
    const db = getDb(c.env.DB);
    const { conversation } = await conversationFor(db, c.var.actor, c.req.param("id"), "read");
    return c.json(await conversationView(db, c.var.actor, conversation.id));
  })
  .get("/:id/timeline", validate("query", TimelineQuery), async (c) => {
    const db = getDb(c.env.DB);
    const { conversation } = await conversationFor(db, c.var.actor, c.req.param("id"), "read");
    const { after, limit } = c.req.valid("query");
    const items = await getTimeline(db, conversation.id, after, limit);
    return c.json({ items, lastSeq: Math.max(conversation.lastSeq, items.at(-1)?.seq ?? 0) });
  })
  .post("/:id/messages", validate("json", PostMessageInput), async (c) => {
    const input = c.req.valid("json");
    const key = idempotencyKey(c);
    const db = getDb(c.env.DB);
    const { conversation, access } = await conversationFor(db, c.var.actor, c.req.param("id"), input.kind);
    // A reply in an email inbox leaves by email, with a Message-ID stored on the item for threading.
    const mailbox =
      input.kind === "reply"
        ? await db.query.inboxes.findFirst({ where: eq(inboxes.id, conversation.inboxId) })
        : undefined;
    const messageId =
      mailbox?.channel === "email" && mailbox.emailAddress ? newMessageId(mailbox.emailAddress) : undefined;
    // Mentions count in notes only; in a reply the @Name is plain text.
    const mentions =
      input.kind === "note" && input.mentions?.length
        ? await agentsWhoSee(db, c.var.actor.workspaceId, conversation.inboxId, input.mentions, "mentions")
        : [];
    const { item } = unwrap(
      await getConversationRoom(c.env, conversation.id).post(conversation.id, {
        kind: input.kind,
        body: input.body,
        author: authorOf(c.var.actor),
        lastSeenSeq: input.lastSeenSeq,
        force: input.force,
        idempotencyKey: key,
        mentions,
        // A light user's mention notifies but adds no follower.
        mentionsFollow: atLeast(access, "reply"),
        messageId,
      }),
    );
    // Only a reply written now carries this request's Message-ID; a replayed one was sent the first time.
    if (messageId && item.author.id === c.var.actor.id) {
      const stored = await db.query.timelineItems.findFirst({
        where: and(eq(timelineItems.conversationId, conversation.id), eq(timelineItems.seq, item.seq)),
      });
      if (stored?.messageId === messageId) {
        c.executionCtx.waitUntil(
          sendReplyEmail(c.env, db, conversation.id, item, messageId).catch((e) =>
            console.error("reply email failed", e),
          ),
        );
      }
    }
    return c.json(item, 201);
  })
  .patch("/:id", validate("json", UpdateConversationInput), async (c) => {
    const input = c.req.valid("json");
    const actor = c.var.actor;
    const db = getDb(c.env.DB);
    const { conversation } = await conversationFor(
      db,
      actor,
      c.req.param("id"),
      input.inboxId ? "move" : input.status ? "set_status" : "assign",
    );
    const move =
      input.inboxId && input.inboxId !== conversation.inboxId
        ? await moveFor(db, actor, conversation, input.inboxId)
        : undefined;
    const inboxId = move?.to.id ?? conversation.inboxId;
    // The assignee must be able to reply where the conversation ends up; after a
    // move, one who cannot lets go of it.
    const assignee =
      input.assigneeId === undefined
        ? move && conversation.assigneeId && !(await canStillOwn(db, conversation.assigneeId, inboxId))
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
    if (snoozedUntil !== undefined && snoozedUntil <= Date.now()) {
      throw new AppError("validation_failed", "A snooze must end in the future", [
        { path: ["snoozedUntil"], message: "is in the past" },
      ]);
    }
    unwrap(
      await getConversationRoom(c.env, conversation.id).update(
        conversation.id,
        { status: input.status, snoozedUntil, assignee, team, priority: input.priority, inbox: move },
        authorOf(actor),
      ),
    );
    return c.json(await conversationView(db, c.var.actor, conversation.id));
  })
  .put("/:id/tags", validate("json", SetTagsInput), async (c) => {
    const actor = c.var.actor;
    const db = getDb(c.env.DB);
    const { conversation } = await conversationFor(db, actor, c.req.param("id"), "tag");
    const wanted = await resolveTags(db, actor.workspaceId, c.req.valid("json").tags, () => newId("tg"));
    unwrap(await getConversationRoom(c.env, conversation.id).setTags(conversation.id, wanted, authorOf(actor)));
    return c.json(await conversationView(db, c.var.actor, conversation.id));
  })
  .post("/:id/followers", validate("json", AddFollowerInput), async (c) => {
    const { userId } = c.req.valid("json");
    const actor = c.var.actor;
    const db = getDb(c.env.DB);
    // Following yourself needs only sight of the inbox; adding others needs reply.
    const { conversation } = await conversationFor(
      db,
      actor,
      c.req.param("id"),
      userId === actor.id ? "follow_self" : "manage_followers",
    );
    const [user] = await agentsWhoSee(db, actor.workspaceId, conversation.inboxId, [userId], "userId");
    unwrap(
      await getConversationRoom(c.env, conversation.id).setFollower(conversation.id, user!, true, authorOf(actor)),
    );
    return c.json(await conversationView(db, c.var.actor, conversation.id), 201);
  })
  .delete("/:id/followers/:userId", async (c) => {
    const userId = c.req.param("userId");
    const actor = c.var.actor;
    const db = getDb(c.env.DB);
    const { conversation } = await conversationFor(
      db,
      actor,
      c.req.param("id"),
      userId === actor.id ? "follow_self" : "manage_followers",
    );
    const user = await db.query.users.findFirst({
      where: and(eq(users.id, userId), eq(users.workspaceId, actor.workspaceId)),
    });
    if (!user) throw notFound("No such user");
    unwrap(
      await getConversationRoom(c.env, conversation.id).setFollower(
        conversation.id,
        { id: user.id, name: user.name },
        false,
        authorOf(actor),
      ),
    );
    return c.body(null, 204);
  });
