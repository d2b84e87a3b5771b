/**
 * Files on messages: which uploads a message may take, the write that links
 * them (in the item's own batch), and the signed URLs customers download with.
 */
import { and, eq, inArray, isNull } from "drizzle-orm";
import {
  ATTACHABLE_FOR_MS,
  type Attachment,
  type Author,
  type CustomerItem,
  isCustomerKind,
  type Item,
} from "../contract";
import type { Db } from "../db/client";
import { fail } from "../errors";
import { attachments, type StoredAttachment, workspaces } from "../db/schema";
import { base64url, hex, timingSafeEqual } from "../lib/ids";
import { attachmentUrl } from "./store";

/**
 * The uploads `ids` name, in that order, when every one exists in the
 * workspace, was uploaded by `author`, is on no message yet and is still well
 * inside its day (the sweep deletes unattached files after 24 hours); else
 * why not, in words the author can act on. At most 10 ids: one statement.
 * The system (never the author of a request) attaches only files that came by
 * email from no customer: an answer to a forward.
 */
export async function attachable(
  db: Db,
  workspaceId: string,
  author: Author,
  ids: readonly string[],
  now: number,
  /** Only that they exist and are the author's: a check before the room's, which a retried message must pass too. */
  ownedOnly = false,
): Promise<StoredAttachment[] | string> {
  if (!ids.length) return [];
  if (author.type !== "system" && !author.id) return "Only a person's message can carry files";
  const uploaded = (row: { uploaderType: string; uploaderId: string }) =>
    author.type === "system"
      ? row.uploaderType === "email"
      : row.uploaderType === author.type && row.uploaderId === author.id;
  const rows = await db
    .select()
    .from(attachments)
    .where(and(inArray(attachments.id, [...ids]), eq(attachments.workspaceId, workspaceId)));
  const byId = new Map(rows.map((r) => [r.id, r]));
  const out: StoredAttachment[] = [];
  for (const id of ids) {
    const row = byId.get(id);
    // Someone else's upload answers like a missing one: ids are not probed.
    if (!row || !uploaded(row)) return `No upload ${id}`;
    if (ownedOnly) {
      out.push({ id: row.id, name: row.name, size: row.size, contentType: row.contentType });
      continue;
    }
    if (row.conversationId !== null) return `The file ${row.name} is already on a message: upload it again`;
    if (row.createdAt < now - ATTACHABLE_FOR_MS) return `The upload of ${row.name} has expired: upload it again`;
    out.push({ id: row.id, name: row.name, size: row.size, contentType: row.contentType });
  }
  return out;
}

/**
 * Links files to the item at `seq`. No `conversation_id IS NULL` filter on
 * purpose: a file another room linked meanwhile makes the trigger
 * `attachments_link_once` abort the whole batch, item included (see
 * `isLinkedTwice`), instead of the item going out without its file.
 */
export function linkFiles(db: Db, conversationId: string, seq: number, files: readonly StoredAttachment[]) {
  return db
    .update(attachments)
    .set({ conversationId, itemSeq: seq })
    .where(
      inArray(
        attachments.id,
        files.map((f) => f.id),
      ),
    );
}

/** A refused `attachmentIds`: a validation failure naming the field. */
export const filesRefused = (message: string) =>
  fail("validation_failed", message, [{ path: ["attachmentIds"], message }]);

/** What the author hears when another message took one of their files at the same moment. */
export const LINKED_TWICE = "A file went on another message at the same moment: upload it again";

/** Whether a failed batch was the link-once trigger (two messages took the same upload at once). */
export const isLinkedTwice = (error: unknown) => String(error).includes("attachment already linked");

/** An item's files as agents get them: downloaded with their session or token. */
export const agentAttachments = (files: readonly StoredAttachment[]): Attachment[] =>
  files.map((f) => ({ ...f, url: attachmentUrl(f.id) }));

// ——— Signed URLs for the customer ———————————————————————————————————————————

/**
 * How long a customer's file URL works: at least 30 minutes, rounded up to the
 * next 10, so the same file keeps one URL (and one browser cache entry) for a
 * while. The widget fetches the thread again for fresh ones.
 */
const SIGNED_FOR_S = 30 * 60;
const ROUND_S = 10 * 60;

export const signedExpiry = (now: number) => Math.ceil((now / 1000 + SIGNED_FOR_S) / ROUND_S) * ROUND_S;

/**
 * The workspace's key for file URLs, made on first use. Kept in D1 rather
 * than as a deploy secret so a fresh install needs no extra step; the
 * conditional update makes two first uses agree on one key.
 */
export async function filesKey(db: Db, workspaceId: string): Promise<CryptoKey> {
  const [row] = await db.select({ key: workspaces.filesKey }).from(workspaces).where(eq(workspaces.id, workspaceId));
  let key = row?.key;
  if (!key) {
    await db
      .update(workspaces)
      .set({ filesKey: hex(crypto.getRandomValues(new Uint8Array(32))) })
      .where(and(eq(workspaces.id, workspaceId), isNull(workspaces.filesKey)));
    const [made] = await db.select({ key: workspaces.filesKey }).from(workspaces).where(eq(workspaces.id, workspaceId));
    key = made?.key;
  }
  if (!key) throw new Error(`No workspace ${workspaceId}`);
  const raw = Uint8Array.from(key.match(/../g)!, (b) => Number.parseInt(b, 16));
  return crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

const signedText = (id: string, exp: number) => new TextEncoder().encode(`${id}.${exp}`);

/** `/api/attachments/:id?exp=…&sig=…`: downloads the file without credentials until `exp` (epoch seconds). */
export async function signedUrl(key: CryptoKey, id: string, exp: number): Promise<string> {
  const sig = base64url(new Uint8Array(await crypto.subtle.sign("HMAC", key, signedText(id, exp))));
  return `${attachmentUrl(id)}?exp=${exp}&sig=${sig}`;
}

/**
 * Whether `sig` signs `id` until `exp`, and `exp` is still ahead. Compared as
 * text with the one signature we would issue: base64url's last character
 * carries two spare bits, so decoding first would accept four spellings of it.
 */
export async function validSignature(key: CryptoKey, id: string, exp: string, sig: string, now: number) {
  if (!/^\d{1,12}$/.test(exp) || Number(exp) * 1000 <= now) return false;
  const expected = base64url(new Uint8Array(await crypto.subtle.sign("HMAC", key, signedText(id, Number(exp)))));
  return timingSafeEqual(expected, sig);
}

/**
 * Items as the customer gets them, their files with signed URLs. Notes and
 * events are not among them: the caller passes customer items only.
 */
export async function signedForCustomer(key: () => Promise<CryptoKey>, items: CustomerItem[], now = Date.now()) {
  if (!items.some((i) => i.attachments?.length)) return items;
  const k = await key();
  const exp = signedExpiry(now);
  return Promise.all(
    items.map(async (item) =>
      item.attachments?.length
        ? {
            ...item,
            attachments: await Promise.all(
              item.attachments.map(async (a) => ({ ...a, url: await signedUrl(k, a.id, exp) })),
            ),
          }
        : item,
    ),
  );
}

/** Whether an item's files may reach the customer at all. */
export const customerMaySee = (item: Pick<Item, "kind">) => isCustomerKind(item.kind);
