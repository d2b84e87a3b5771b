import { eq } from "drizzle-orm";
import PostalMime from "postal-mime";
import { startConversation } from "../conversations";
import { getDb, type Db } from "../db/client";
import { contactName, ensureContact, findContactByEmail } from "../db/queries/contacts";
import { conversationsByMessageId } from "../db/queries/outbox";
import { inboxes } from "../db/schema";
import { unwrap } from "../errors";
import { derivedId, sha256Hex } from "../lib/ids";
import { getConversationRoom } from "../rooms/conversation-room";
import { htmlToText, newText, normalizeMessageId, threadIds } from "./threading";

/** References beyond this many (newest first) are not looked up. */
const MAX_THREAD_IDS = 100;

/** The conversation an email answers: one in this inbox holding a message it refers to, in or out. */
async function threadOf(db: Db, inboxId: string, ids: string[]): Promise<string | null> {
  const rows = await conversationsByMessageId(db, inboxId, ids.slice(0, MAX_THREAD_IDS));
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
