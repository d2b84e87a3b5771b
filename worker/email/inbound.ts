import { and, eq } from "drizzle-orm";
import { inJson } from "../db/chunks";
import PostalMime from "postal-mime";
import { startConversation } from "../conversations";
import { getDb, type Db } from "../db/client";
import { contactName, ensureContact, findContactByEmail } from "../db/queries/contacts";
import { conversations, inboxes, timelineItems } from "../db/schema";
import { unwrap } from "../errors";
import { derivedId, sha256Hex } from "../lib/ids";
import { getConversationRoom } from "../rooms/conversation-room";
import { htmlToText, newText, normalizeMessageId, threadIds } from "./threading";

/** The conversation an email answers: one in this inbox holding a message it refers to. */
async function threadOf(db: Db, inboxId: string, ids: string[]): Promise<string | null> {
  if (!ids.length) return null;
  const rows = await db
    .select({ conversationId: timelineItems.conversationId, messageId: timelineItems.messageId })
    .from(timelineItems)
    .innerJoin(conversations, eq(conversations.id, timelineItems.conversationId))
    .where(and(inJson(timelineItems.messageId, ids), eq(conversations.inboxId, inboxId)));
  // The most specific reference wins: In-Reply-To first, then References from the newest.
  for (const id of ids) {
    const hit = rows.find((r) => r.messageId === id);
    if (hit) return hit.conversationId;
  }
  return null;
}

/**
 * The Email Worker: mail to an inbox's address becomes a customer message,
 * threaded by In-Reply-To/References into its conversation, or a new
 * conversation. The Message-ID makes redelivery harmless: it is the message's
 * idempotency key, and a new conversation's id is derived from it.
 */
export async function email(message: ForwardableEmailMessage, env: Env, _ctx?: ExecutionContext): Promise<void> {
  const db = getDb(env.DB);
  const inbox = await db.query.inboxes.findFirst({ where: eq(inboxes.emailAddress, message.to.toLowerCase()) });
  if (!inbox) {
    message.setReject("No inbox receives mail at this address");
    return;
  }
  const raw = await new Response(message.raw).arrayBuffer();
  const parsed = await PostalMime.parse(raw);
  const address = (parsed.from?.address || message.from).toLowerCase();
  const messageId =
    normalizeMessageId(parsed.messageId) ?? `${await sha256Hex(new TextDecoder().decode(raw))}@switchboard.invalid`;
  const body = newText(parsed.text ?? htmlToText(parsed.html ?? "")) || "(empty message)";

  const contact =
    (await findContactByEmail(db, inbox.workspaceId, address)) ??
    (await ensureContact(db, {
      id: await derivedId("ct", inbox.workspaceId, address),
      workspaceId: inbox.workspaceId,
      name: parsed.from?.name || null,
      email: address,
    }));
  if (contact.blocked) return;
  const author = { type: "contact" as const, id: contact.id, name: contactName(contact) };

  const thread = await threadOf(db, inbox.id, threadIds(parsed.inReplyTo, parsed.references));
  if (thread) {
    unwrap(
      await getConversationRoom(env, thread).post(thread, {
        kind: "customer",
        body,
        author,
        idempotencyKey: `email:${messageId}`,
        messageId,
      }),
    );
    return;
  }
  const subject = parsed.subject?.trim() || null;
  await startConversation(env, db, {
    conversationId: await derivedId("cv", inbox.id, messageId),
    inbox,
    contact,
    subject,
    first: { kind: "customer", body, author, messageId },
  });
}
