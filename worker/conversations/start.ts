/**
 * Starting a conversation: the one place it happens, whether a customer
 * writes in the widget (or again after 24 quiet hours), an agent starts one,
 * or an email arrives.
 */
import { eq } from "drizzle-orm";
import type { Channel, Item, StartConversationInput } from "../contract";
import type { Db } from "../db/client";
import { grantFor } from "../db/queries/access";
import { type ContactRow, ensureContact, findContactByEmail } from "../db/queries/contacts";
import { findConversation } from "../db/queries/conversations";
import { inboxes } from "../db/schema";
import { decide } from "../domain/access";
import type { Actor } from "../env";
import { AppError, forbidden, unwrap } from "../errors";
import { derivedId, newId } from "../lib/ids";
import { type CreateConversation, getConversationRoom } from "../rooms/conversation-room";
import { sendQueuedReply } from "../email/deliver";
import { autoAssign } from "./auto-assign";
import { checkFiles } from "./files";
import { authorOf } from "./find";

export interface NewConversation {
  /** New, or derived from an idempotency key so that a retry names the same conversation. */
  conversationId: string;
  inbox: { id: string; workspaceId: string; channel: Channel };
  contact: ContactRow;
  subject: string | null;
  first: CreateConversation["first"];
}

/**
 * Starts a conversation in its room with the opening item, after the inbox's
 * auto-assignment rules have decided its owner, team, priority and tags. A
 * repeated start of the same id returns the first item and runs no rules.
 */
export async function startConversation(env: Env, db: Db, start: NewConversation): Promise<Item> {
  const { conversationId, inbox, contact, subject, first } = start;
  const retried = await findConversation(db, conversationId);
  const initial = retried
    ? undefined
    : await autoAssign(env, db, {
        workspaceId: inbox.workspaceId,
        inboxId: inbox.id,
        channel: inbox.channel,
        subject,
        body: first.body,
        contact,
      });
  const { item } = unwrap(
    await getConversationRoom(env, conversationId).create({
      conversationId,
      workspaceId: inbox.workspaceId,
      inboxId: inbox.id,
      contactId: contact.id,
      subject,
      first,
      initial,
    }),
  );
  return item;
}

type InboxRow = typeof inboxes.$inferSelect;

/** The inbox an agent starts a conversation in: it must exist for them (400) and take their replies (403). */
export async function inboxToStartIn(db: Db, actor: Actor, inboxId: string): Promise<InboxRow> {
  // No grant means the inbox is not in the workspace or hidden from the agent; admins included.
  const grant = await grantFor(db, actor, inboxId);
  if (!grant) throw new AppError("validation_failed", "No such inbox", [{ path: ["inboxId"], message: "not found" }]);
  if (decide(actor.role, grant, "reply") === "forbidden")
    throw forbidden("Starting a conversation needs reply access to the inbox");
  return (await db.query.inboxes.findFirst({ where: eq(inboxes.id, inboxId) }))!;
}

/**
 * An agent starts a conversation in an inbox checked by `inboxToStartIn`,
 * with a contact (found by email, else new), by writing the first reply.
 * Returns the conversation's id.
 */
export async function startByAgent(
  env: Env,
  db: Db,
  actor: Actor,
  inbox: InboxRow,
  input: StartConversationInput,
  key: string | undefined,
  waitUntil?: (work: Promise<unknown>) => void,
): Promise<string> {
  const conversationId = key ? await derivedId("cv", actor.workspaceId, actor.id, key) : newId("cv");
  // A retry's files are on its conversation already; a new start's must still be unused, before the contact is made.
  const retried = !!key && !!(await findConversation(db, conversationId));
  const email = inbox.channel === "email" ? { subject: input.subject ?? null, body: input.body } : undefined;
  await checkFiles(db, actor.workspaceId, authorOf(actor), input.attachmentIds, email, retried);
  const known = input.contact.email ? await findContactByEmail(db, actor.workspaceId, input.contact.email) : undefined;
  const contact =
    known ??
    (await ensureContact(db, {
      id: key ? await derivedId("ct", actor.workspaceId, actor.id, key) : newId("ct"),
      workspaceId: actor.workspaceId,
      name: input.contact.name,
      email: input.contact.email,
      emailVerified: true,
    }));
  const outbox = inbox.channel === "email" ? { id: newId("ob") } : undefined;
  await startConversation(env, db, {
    conversationId,
    inbox,
    contact,
    subject: input.subject || null,
    // In an email inbox the opening reply leaves by email, through the outbox.
    first: {
      kind: "reply",
      body: input.body,
      author: authorOf(actor),
      outbox,
      attachmentIds: input.attachmentIds,
    },
  });
  // A retried start finds the first outbox row taken or sent; this id then names none.
  if (outbox) waitUntil?.(sendQueuedReply(env, db, outbox.id).catch((e) => console.error("reply email", e)));
  return conversationId;
}
