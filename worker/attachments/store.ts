import { and, asc, eq, inArray, isNull, lt } from "drizzle-orm";
import { type Attachment, MAX_ATTACHMENT_BYTES } from "../contract";
import type { Db } from "../db/client";
import { attachments, conversations, timelineItems } from "../db/schema";
import { SNIFF_BYTES, sanitiseName, sniffedType } from "../domain/attachments";
import { AppError } from "../errors";
import { newId } from "../lib/ids";
import { meter, putStream, tooLarge } from "./stream";

export type AttachmentRow = typeof attachments.$inferSelect;

/** Who uploads, and the inbox the file may later be used in. */
export interface Upload {
  workspaceId: string;
  inboxId: string;
  uploader: { type: "user" | "contact" | "email"; id: string };
  name: string | undefined;
  contentType: string | undefined;
  contentLength: string | undefined;
  body: ReadableStream<Uint8Array> | null;
}

/** Unattached uploads older than this are deleted by the sweep. */
export const UNATTACHED_TTL_MS = 24 * 60 * 60 * 1000;

export const attachmentUrl = (id: string) => `/api/attachments/${id}`;

export const toAttachment = (row: AttachmentRow): Attachment => ({
  id: row.id,
  name: row.name,
  size: row.size,
  contentType: row.contentType,
  url: attachmentUrl(row.id),
});

function declaredLength(header: string | undefined): number | undefined {
  if (header === undefined || !/^\d+$/.test(header)) return undefined;
  const length = Number(header);
  if (length > MAX_ATTACHMENT_BYTES) throw tooLarge(MAX_ATTACHMENT_BYTES);
  return length;
}

/**
 * Streams an upload to R2, then records it in D1. The order is deliberate: R2
 * first, D1 second. A row always names an object that exists, so a reader
 * never finds a file that is not there; if the D1 write fails after the put,
 * the object is deleted again, and at worst an orphan object costs storage
 * and nothing else (no row means no reader can reach it).
 */
export async function storeUpload(bucket: R2Bucket, db: Db, upload: Upload, now = Date.now()): Promise<AttachmentRow> {
  if (!upload.body) throw new AppError("validation_failed", "The request body must be the file");
  const length = declaredLength(upload.contentLength);
  const id = newId("at");
  const r2Key = `${upload.workspaceId}/${id}`;
  const { stream, seen } = meter(MAX_ATTACHMENT_BYTES, SNIFF_BYTES);
  let object: R2Object;
  try {
    object = await putStream(bucket, r2Key, upload.body.pipeThrough(stream), length);
  } catch (error) {
    if (seen.size > MAX_ATTACHMENT_BYTES) throw tooLarge(MAX_ATTACHMENT_BYTES);
    throw error;
  }
  const row: AttachmentRow = {
    id,
    workspaceId: upload.workspaceId,
    inboxId: upload.inboxId,
    uploaderType: upload.uploader.type,
    uploaderId: upload.uploader.id,
    name: sanitiseName(upload.name),
    contentType: sniffedType(upload.contentType, seen.head),
    size: object.size,
    etag: object.etag,
    r2Key,
    conversationId: null,
    itemSeq: null,
    createdAt: now,
  };
  try {
    await db.insert(attachments).values(row);
  } catch (error) {
    await bucket.delete(r2Key).catch(() => {});
    throw error;
  }
  return row;
}

export async function findAttachment(db: Db, id: string): Promise<AttachmentRow | undefined> {
  return db.query.attachments.findFirst({ where: eq(attachments.id, id) });
}

/** Where a linked file sits: its item's kind, and the conversation's inbox and customer now. */
export async function fileItem(db: Db, row: AttachmentRow) {
  if (!row.conversationId || row.itemSeq === null) return undefined;
  const [place] = await db
    .select({ kind: timelineItems.kind, inboxId: conversations.inboxId, contactId: conversations.contactId })
    .from(conversations)
    .innerJoin(
      timelineItems,
      and(eq(timelineItems.conversationId, conversations.id), eq(timelineItems.seq, row.itemSeq)),
    )
    .where(eq(conversations.id, row.conversationId));
  return place;
}

/**
 * Deletes up to `limit` uploads never attached to a message within a day:
 * the R2 objects first, then the rows, so a row never outlives its object
 * for a reader to trip over. Run twice, it deletes nothing twice.
 * Linking refuses uploads older than ATTACHABLE_FOR_MS (23 hours), so the
 * sweep never removes a file in the moment a message takes it.
 */
export async function sweepUnattached(bucket: R2Bucket, db: Db, now: number, limit: number): Promise<number> {
  const due = await db
    .select({ id: attachments.id, r2Key: attachments.r2Key })
    .from(attachments)
    .where(and(isNull(attachments.conversationId), lt(attachments.createdAt, now - UNATTACHED_TTL_MS)))
    .orderBy(asc(attachments.createdAt))
    .limit(limit);
  if (due.length === 0) return 0;
  await bucket.delete(due.map((d) => d.r2Key));
  await db.delete(attachments).where(
    inArray(
      attachments.id,
      due.map((d) => d.id),
    ),
  );
  return due.length;
}
