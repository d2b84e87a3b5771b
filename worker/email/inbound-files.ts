/**
 * The files of an inbound email: which parts are kept (stored in R2 and D1
 * as the contact's uploads, then linked to the customer message by its room)
 * and which are dropped, with the note that tells agents why.
 *
 * A dropped file never fails the message: the text always arrives. Only the
 * planning here is pure; storing and discarding touch R2 and D1.
 */
import { and, eq, inArray, isNull } from "drizzle-orm";
import { type Item, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS_PER_MESSAGE } from "../contract";
import { type AttachmentRow, storeUpload } from "../attachments/store";
import type { Db } from "../db/client";
import { attachments, timelineItems } from "../db/schema";
import { sanitiseName } from "../domain/attachments";

/** A MIME part as postal-mime hands it over (content as an ArrayBuffer, its default). */
export interface MailPart {
  filename: string | null;
  mimeType: string;
  contentId?: string;
  content: ArrayBuffer | Uint8Array | string;
}

export type DropReason = "too_large" | "too_many" | "not_stored";

/** A part that was not kept, and why. */
export interface DroppedFile {
  name: string;
  size: number;
  reason: DropReason;
}

/** A part to keep, with the name it is stored under. */
export interface KeptFile {
  name: string;
  contentType: string;
  bytes: Uint8Array;
}

export interface FilePlan {
  keep: KeptFile[];
  dropped: DroppedFile[];
  /** Content-ID (without brackets, lower-case) → file name, for `cid:` images in the HTML. */
  byContentId: Map<string, string>;
}

export interface FileLimits {
  maxBytes: number;
  maxFiles: number;
}

const LIMITS: FileLimits = { maxBytes: MAX_ATTACHMENT_BYTES, maxFiles: MAX_ATTACHMENTS_PER_MESSAGE };

/** Extensions for parts that name no file, so the download still opens in the right program. */
const EXTENSIONS: Record<string, string> = {
  "image/png": ".png",
  "image/jpeg": ".jpg",
  "image/gif": ".gif",
  "image/webp": ".webp",
  "application/pdf": ".pdf",
  "text/plain": ".txt",
  "text/html": ".html",
  "text/csv": ".csv",
  "message/delivery-status": ".txt",
  "text/calendar": ".ics",
  "message/rfc822": ".eml",
};

export const contentIdKey = (id: string) => id.trim().replace(/^<|>$/g, "").trim().toLowerCase();

/** The part's bytes, viewed rather than copied where they already are bytes. */
const bytesOf = (content: MailPart["content"]): Uint8Array =>
  typeof content === "string"
    ? new TextEncoder().encode(content)
    : content instanceof Uint8Array
      ? content
      : new Uint8Array(content);

/** The name a part is shown and stored under: its own file name, else one made from its kind and place. */
function nameOf(part: MailPart, index: number): string {
  if (part.filename?.trim()) return sanitiseName(part.filename);
  const stem = part.mimeType.startsWith("image/") ? "image" : "attachment";
  return `${stem}-${index + 1}${EXTENSIONS[part.mimeType] ?? ""}`;
}

/**
 * Which parts are kept: in message order, each within the size cap, at most
 * `maxFiles` of them; the rest are dropped with their reason. Inline images
 * count like any other file (the agent sees them with the message).
 */
export function planFiles(parts: readonly MailPart[], limits: FileLimits = LIMITS): FilePlan {
  const plan: FilePlan = { keep: [], dropped: [], byContentId: new Map() };
  for (const [index, part] of parts.entries()) {
    const name = nameOf(part, index);
    const bytes = bytesOf(part.content);
    if (part.contentId) plan.byContentId.set(contentIdKey(part.contentId), name);
    if (bytes.byteLength > limits.maxBytes) plan.dropped.push({ name, size: bytes.byteLength, reason: "too_large" });
    else if (plan.keep.length >= limits.maxFiles)
      plan.dropped.push({ name, size: bytes.byteLength, reason: "too_many" });
    else plan.keep.push({ name, contentType: part.mimeType, bytes });
  }
  return plan;
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

const REASONS: Record<DropReason, (limits: FileLimits) => string> = {
  too_large: (l) => `larger than ${l.maxBytes / 1024 / 1024} MB`,
  too_many: (l) => `more than ${l.maxFiles} files in one message`,
  not_stored: () => "it could not be stored",
};

/** Files the note names one by one; a mail of a thousand parts gets a count for the rest. */
const NOTE_NAMES = 20;

/** The note agents see under the message: which files were not kept, and why. */
export function droppedNote(dropped: readonly DroppedFile[], limits: FileLimits = LIMITS): string {
  const lines = dropped
    .slice(0, NOTE_NAMES)
    .map((d) => `- ${d.name} (${megabytes(d.size)}): ${REASONS[d.reason](limits)}`);
  if (dropped.length > NOTE_NAMES) lines.push(`- and ${dropped.length - NOTE_NAMES} more`);
  const count = dropped.length === 1 ? "1 file" : `${dropped.length} files`;
  return `${count} attached to this email could not be kept; ask the customer for another way to share:\n${lines.join("\n")}`;
}

/**
 * The line an `<img>` leaves in the text: its file's name for a `cid:` image
 * (the file is on the message), the alt text or nothing for a remote one.
 */
export function imageMarker(byContentId: ReadonlyMap<string, string>) {
  return (src: string, alt: string): string => {
    if (!/^cid:/i.test(src)) return alt ? `[image: ${alt}]\n` : "";
    let id = src.slice(4);
    try {
      id = decodeURIComponent(id);
    } catch {
      // A malformed escape: the id as written.
    }
    const name = byContentId.get(contentIdKey(id));
    return `[image: ${name ?? (alt || "inline image")}]\n`;
  };
}

export interface Uploader {
  workspaceId: string;
  inboxId: string;
  /** The contact who wrote, or (for an answer to a forward) the sender's address. */
  uploader: { type: "contact" | "email"; id: string };
}

/**
 * Stores the kept files as the sender's uploads, one after the other (one
 * file in memory twice at most). A file R2 or D1 refuses is dropped, not the
 * message: the customer's words matter more than any one attachment.
 */
export async function storeFiles(
  bucket: R2Bucket,
  db: Db,
  who: Uploader,
  keep: readonly KeptFile[],
): Promise<{ rows: AttachmentRow[]; dropped: DroppedFile[] }> {
  const rows: AttachmentRow[] = [];
  const dropped: DroppedFile[] = [];
  for (const file of keep) {
    try {
      rows.push(
        await storeUpload(bucket, db, {
          workspaceId: who.workspaceId,
          inboxId: who.inboxId,
          uploader: who.uploader,
          name: file.name,
          contentType: file.contentType,
          contentLength: String(file.bytes.byteLength),
          body: new Response(file.bytes).body,
        }),
      );
    } catch (error) {
      console.error("inbound email file not stored", file.name, error);
      dropped.push({ name: file.name, size: file.bytes.byteLength, reason: "not_stored" });
    }
  }
  return { rows, dropped };
}

/**
 * Removes uploads that no message took (a redelivery that lost the race to
 * the first delivery, or a post that failed). Only rows still unlinked are
 * deleted, in one statement, so a file a message holds is never touched;
 * then their objects. Should R2 fail here, an object without a row is left:
 * it costs storage, and no reader can reach it.
 */
export async function discardUploads(bucket: R2Bucket, db: Db, rows: readonly AttachmentRow[]): Promise<void> {
  if (!rows.length) return;
  const ids = rows.map((r) => r.id);
  const gone = await db
    .delete(attachments)
    .where(and(inArray(attachments.id, ids), isNull(attachments.conversationId)))
    .returning({ r2Key: attachments.r2Key });
  if (gone.length) await bucket.delete(gone.map((r) => r.r2Key));
}

/**
 * Writes the item that carries these uploads. Uploads no item took are
 * discarded: all of them when the write failed, the loser's when two
 * deliveries of one email raced (the item written first keeps its files).
 */
export async function writeWithFiles(
  bucket: R2Bucket,
  db: Db,
  rows: readonly AttachmentRow[],
  write: () => Promise<Item>,
): Promise<Item> {
  let item: Item;
  try {
    item = await write();
  } catch (error) {
    await discardUploads(bucket, db, rows);
    throw error;
  }
  const taken = new Set(item.attachments?.map((a) => a.id));
  await discardUploads(
    bucket,
    db,
    rows.filter((r) => !taken.has(r.id)),
  );
  return item;
}

/** Whether this conversation already holds the email (a redelivery): its files are stored then. */
export async function alreadyRecorded(db: Db, conversationId: string, messageId: string): Promise<boolean> {
  const [row] = await db
    .select({ seq: timelineItems.seq })
    .from(timelineItems)
    .where(and(eq(timelineItems.conversationId, conversationId), eq(timelineItems.messageId, messageId)))
    .limit(1);
  return !!row;
}
