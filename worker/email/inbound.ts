import { eq } from "drizzle-orm";
import PostalMime, { type Email } from "postal-mime";
import { MAX_NAME_CHARS, MAX_SUBJECT_CHARS, MAX_TEXT_CHARS } from "../contract";
import { startConversation } from "../conversations";
import { findConversation, followMerges } from "../db/queries/conversations";
import { getDb, type Db } from "../db/client";
import { contactName, ensureContact, findContactByEmail } from "../db/queries/contacts";
import { conversationsByMessageId } from "../db/queries/outbox";
import { inboxes } from "../db/schema";
import { unwrap } from "../errors";
import { derivedId, sha256Hex } from "../lib/ids";
import { getConversationRoom, SYSTEM } from "../rooms/conversation-room";
import { automaticReason } from "./automatic";
import { forwardIdOfAddress } from "./forward";
import { answeredForward, noteAnswer } from "./forward-answer";
import {
  alreadyRecorded,
  type DroppedFile,
  writeWithFiles,
  droppedNote,
  imageMarker,
  planFiles,
  storeFiles,
} from "./inbound-files";
import { cleanLine, htmlToText, newText, normalizeMessageId, threadIds } from "./threading";

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
 * Larger raw messages are dropped (logged, not bounced). This is Email
 * Routing's own inbound limit (25 MiB), so whatever it delivers is taken:
 * attachments make mail big (base64 adds a third), and a lower cap would lose
 * the customer's words along with their files. The cost is memory: the raw
 * message and its decoded parts (about three quarters of it) are held at
 * once, some 50 MiB at worst, inside a Worker's 128 MB.
 */
export const MAX_RAW_BYTES = 25 * 1024 * 1024;
/** Text or HTML parts larger than this are dropped: no support message is that long. */
export const MAX_PART_CHARS = 2 * 1024 * 1024;

const truncated = (text: string) =>
  text.length > MAX_TEXT_CHARS ? `${text.slice(0, MAX_TEXT_CHARS - 40)}\n[… message shortened]` : text;

/**
 * The message parsed, with its Message-ID (made from its bytes when it has
 * none); null when it is dropped for its size. The raw bytes stay in here, so
 * they can be collected while the files are stored.
 */
async function readMail(
  message: ForwardableEmailMessage,
  to: string,
): Promise<{ parsed: Email; messageId: string } | null> {
  if (message.rawSize > MAX_RAW_BYTES) {
    console.warn("inbound email dropped: too large", message.rawSize, "bytes, to", to);
    return null;
  }
  const raw = await new Response(message.raw).arrayBuffer();
  if (raw.byteLength > MAX_RAW_BYTES) {
    console.warn("inbound email dropped: too large", raw.byteLength, "bytes, to", to);
    return null;
  }
  const parsed = await PostalMime.parse(raw);
  if ((parsed.text?.length ?? 0) > MAX_PART_CHARS || (parsed.html?.length ?? 0) > MAX_PART_CHARS) {
    console.warn("inbound email dropped: body too large, to", to);
    return null;
  }
  const messageId =
    normalizeMessageId(parsed.messageId) ?? `${await sha256Hex(new TextDecoder().decode(raw))}@switchboard.invalid`;
  return { parsed, messageId };
}

/**
 * The Email Worker: mail to an inbox's address becomes a customer message,
 * threaded by In-Reply-To/References into its conversation, or a new
 * conversation. The Message-ID makes redelivery harmless: it is the message's
 * idempotency key, and a new conversation's id is derived from it. Oversized
 * mail is dropped with a log line (a bounce would go to a possibly forged
 * sender); automatic mail is recorded without reopening anything. Its files
 * are kept as the contact's uploads on the message (see inbound-files.ts).
 */
export async function email(message: ForwardableEmailMessage, env: Env, _ctx?: ExecutionContext): Promise<void> {
  const db = getDb(env.DB);
  const inbox = await db.query.inboxes.findFirst({ where: eq(inboxes.emailAddress, message.to.toLowerCase()) });
  // Forwards from an inbox without an address go out from EMAIL_FROM: answers come back there (see forward.ts).
  const tag = forwardIdOfAddress(env.EMAIL_FROM, message.to);
  const toSender = !!env.EMAIL_FROM && (!!tag || message.to.toLowerCase() === env.EMAIL_FROM.toLowerCase());
  if (!inbox && !toSender) {
    message.setReject("No inbox receives mail at this address");
    return;
  }
  const mail = await readMail(message, inbox?.emailAddress ?? message.to);
  if (!mail) return;
  const { parsed, messageId } = mail;
  const address = cleanLine(parsed.from?.address || message.from).toLowerCase();
  const headers = new Map(parsed.headers.map((h) => [h.key.toLowerCase(), h.value]));
  const automatic = automaticReason(headers, address);
  const files = planFiles(parsed.attachments);
  const text = newText(parsed.text ?? htmlToText(parsed.html ?? "", imageMarker(files.byContentId)));
  // Files alone make a message; only a message with neither says it is empty.
  const body = truncated(text || (files.keep.length ? "" : "(empty message)"));
  const ids = threadIds(parsed.inReplyTo, parsed.references);

  // An answer to a forward, from one of its recipients: a note for the team, never the customer's message.
  const answered = await answeredForward(db, ids, tag, address, inbox?.workspaceId ?? null);
  if (answered && automatic) {
    console.log("automatic answer to a forward dropped", answered.forward.conversationId, automatic);
    return;
  }
  if (answered) {
    await noteAnswer(env, db, answered, { from: address, messageId, body, files });
    return;
  }
  if (!inbox) {
    console.warn("mail to the forward address answers no forward sent to", address, "- dropped");
    return;
  }

  const contact =
    (await findContactByEmail(db, inbox.workspaceId, address)) ??
    (await ensureContact(db, {
      id: await derivedId("ct", inbox.workspaceId, address),
      workspaceId: inbox.workspaceId,
      name: cleanLine(parsed.from?.name).slice(0, MAX_NAME_CHARS) || null,
      email: address,
      emailVerified: true,
    }));
  if (contact.blocked) return;
  const author = { type: "contact" as const, id: contact.id, name: contactName(contact) };

  const threadId = await threadOf(db, inbox.id, ids);
  // A reply to a conversation since merged goes on in the one it was merged into.
  const threadRow = threadId ? await findConversation(db, threadId) : undefined;
  const thread = threadRow ? (await followMerges(db, threadRow)).id : null;
  const conversationId = thread ?? (await derivedId("cv", inbox.id, messageId));
  if (automatic && thread) console.log("automatic email recorded without reopening", thread, automatic);
  // A redelivery finds the email recorded, its files with it: nothing is stored twice.
  const redelivered = await alreadyRecorded(db, conversationId, messageId);
  const who = {
    workspaceId: inbox.workspaceId,
    inboxId: inbox.id,
    uploader: { type: "contact" as const, id: contact.id },
  };
  const stored = redelivered ? { rows: [], dropped: [] } : await storeFiles(env.FILES, db, who, files.keep);
  const attachmentIds = stored.rows.length ? stored.rows.map((r) => r.id) : undefined;

  await writeWithFiles(env.FILES, db, stored.rows, async () =>
    thread
      ? unwrap(
          await getConversationRoom(env, thread).post(thread, {
            kind: "customer",
            body,
            author,
            idempotencyKey: `email:${messageId}`,
            messageId,
            automatic: !!automatic,
            attachmentIds,
          }),
        ).item
      : await startConversation(env, db, {
          conversationId,
          inbox,
          contact,
          subject: cleanLine(parsed.subject).slice(0, MAX_SUBJECT_CHARS) || null,
          first: { kind: "customer", body, author, messageId, attachmentIds },
        }),
  );
  await noteDropped(env, conversationId, messageId, [...files.dropped, ...stored.dropped]);
}

/** For agents only (a note), right under the message: the files not kept. Its key makes a redelivery write it once. */
async function noteDropped(env: Env, conversationId: string, messageId: string, dropped: DroppedFile[]) {
  if (!dropped.length) return;
  unwrap(
    await getConversationRoom(env, conversationId).post(conversationId, {
      kind: "note",
      body: droppedNote(dropped),
      author: SYSTEM,
      idempotencyKey: `email:${messageId}:dropped-files`,
    }),
  );
}
