import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { threadMessageIds } from "../db/queries/outbox";
import { attachments, contacts, conversations, inboxes, type StoredAttachment, timelineItems } from "../db/schema";
import { MAX_MESSAGE_BYTES, messageBytes } from "./send-rules";
import { referencesHeader } from "./threading";

/**
 * A reply that can never go out as it is: trying again cannot help, so the
 * outbox marks it failed at once, with this message for the agent.
 */
export class Undeliverable extends Error {
  override name = "Undeliverable";
}

/**
 * The email for a reply (item `seq`) in an email conversation, threaded:
 * In-Reply-To the newest message id before it, References the chain (capped
 * as Email Service and Email Routing require). From, To and Subject go in the
 * API fields; Message-ID is Email Service's to set. The reply's files go as
 * attachments, read from R2. Null when it cannot go out (the inbox lost its
 * address, the contact has no email).
 */
export async function replyEmail(
  db: Db,
  bucket: R2Bucket,
  conversationId: string,
  seq: number,
): Promise<EmailMessageBuilder | null> {
  const [row] = await db
    .select({
      subject: conversations.subject,
      from: inboxes.emailAddress,
      channel: inboxes.channel,
      inboxName: inboxes.name,
      to: contacts.email,
      author: timelineItems.authorName,
      body: timelineItems.body,
      files: timelineItems.attachments,
    })
    .from(conversations)
    .innerJoin(inboxes, eq(inboxes.id, conversations.inboxId))
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .innerJoin(timelineItems, eq(timelineItems.conversationId, conversations.id))
    .where(sql`${conversations.id} = ${conversationId} AND ${timelineItems.seq} = ${seq}`);
  if (row?.channel !== "email" || !row.from || !row.to) return null;
  const chain = await threadMessageIds(db, conversationId, seq);
  const subject = row.subject
    ? /^re:/i.test(row.subject)
      ? row.subject
      : `Re: ${row.subject}`
    : `Re: your message to ${row.inboxName}`;
  const message: EmailMessageBuilder = {
    from: { email: row.from, name: `${row.author} (${row.inboxName})` },
    to: row.to,
    subject,
    // A reply may be files alone; Email Service wants a text all the same.
    text: row.body || (row.files?.length ? "(files attached)" : ""),
    headers: chain.length ? { "In-Reply-To": `<${chain.at(-1)}>`, References: referencesHeader(chain) } : undefined,
  };
  if (row.files?.length) message.attachments = await attachmentsOf(db, bucket, conversationId, message, row.files);
  return message;
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * Why a reply with these files cannot go out by email (over Email Service's
 * 5 MiB a message, base64 and all), in words for the agent; null when it can.
 * Exported so a route may refuse such a reply before it is written.
 */
export function tooLargeForEmail(
  message: Pick<EmailMessageBuilder, "subject" | "text" | "headers">,
  files: StoredAttachment[],
): string | null {
  const size = messageBytes({ ...message, files: files.map((f) => ({ filename: f.name, bytes: f.size })) });
  if (size <= MAX_MESSAGE_BYTES) return null;
  const list = files.map((f) => `${f.name} ${megabytes(f.size)}`).join(", ");
  return `Too large for email: with its files (${list}) this reply is about ${megabytes(size)}, and Email Service sends at most ${MAX_MESSAGE_BYTES / 1024 / 1024} MB a message. Send the files in smaller replies.`;
}

/**
 * The reply's files as MIME parts, checked against Email Service's size
 * limit before any is read. A reply over it fails at once, naming its files,
 * rather than going out without them: the customer would get a text that
 * speaks of files they never receive, and the timeline would show a reply
 * that was not what was sent. The agent sends the files in smaller replies
 * instead. A file gone from R2 fails the reply the same way.
 */
async function attachmentsOf(
  db: Db,
  bucket: R2Bucket,
  conversationId: string,
  message: EmailMessageBuilder,
  files: StoredAttachment[],
): Promise<EmailAttachment[]> {
  const refusal = tooLargeForEmail(message, files);
  if (refusal) throw new Undeliverable(refusal);
  return filesAsParts(db, bucket, conversationId, files);
}

/** Files of a conversation read from R2 as MIME parts; Undeliverable when one is gone. */
export async function filesAsParts(
  db: Db,
  bucket: R2Bucket,
  conversationId: string,
  files: StoredAttachment[],
): Promise<EmailAttachment[]> {
  const rows = await db
    .select({ id: attachments.id, r2Key: attachments.r2Key })
    .from(attachments)
    .where(
      and(
        eq(attachments.conversationId, conversationId),
        inArray(
          attachments.id,
          files.map((f) => f.id),
        ),
      ),
    );
  const keys = new Map(rows.map((r) => [r.id, r.r2Key]));
  const parts: EmailAttachment[] = [];
  for (const file of files) {
    const key = keys.get(file.id);
    const object = key ? await bucket.get(key) : null;
    if (!object) throw new Undeliverable(`The file ${file.name} is no longer stored, so this reply cannot be emailed`);
    parts.push({
      disposition: "attachment",
      filename: file.name,
      type: file.contentType,
      // Base64 text: Email Service reads a string so, and the local simulator cannot carry binary content.
      content: base64(new Uint8Array(await object.arrayBuffer())),
    });
  }
  return parts;
}

/** Base64 of any size: whole groups of three bytes per chunk, so the pieces join into one valid text. */
function base64(bytes: Uint8Array): string {
  const CHUNK = 3 * 8192;
  const pieces: string[] = [];
  for (let i = 0; i < bytes.length; i += CHUNK) {
    pieces.push(btoa(String.fromCharCode(...bytes.subarray(i, i + CHUNK))));
  }
  return pieces.join("");
}
