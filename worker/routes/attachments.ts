import { type Context, Hono } from "hono";
import { AgentUploadQuery, isCustomerKind } from "../contract";
import { filesKey, validSignature } from "../attachments/links";
import {
  storeUpload,
  type AttachmentRow,
  fileItem,
  findAttachment,
  toAttachment,
  type Upload,
} from "../attachments/store";
import { bearerToken, identify } from "../auth/session";
import { contactForToken } from "../conversations";
import { type Db, getDb } from "../db/client";
import { grantFor } from "../db/queries/access";
import { atLeast, decide } from "../domain/access";
import { contentDisposition } from "../domain/attachments";
import type { Actor, AppEnv } from "../env";
import { AppError, forbidden, notFound } from "../errors";
import { validate } from "../lib/validate";

/** The parts of an upload request the store needs: the raw body, its type and length, and `?name=`. */
export const uploadOf = (
  c: Context,
  name: string | undefined,
): Pick<Upload, "name" | "contentType" | "contentLength" | "body"> => ({
  name,
  contentType: c.req.header("Content-Type"),
  contentLength: c.req.header("Content-Length"),
  body: c.req.raw.body,
});

type Reader = { actor: Actor } | { contactId: string } | { signed: true };

/** A signed URL's bearer (the widget's `<img>`), else the agent (session or API token), else the customer (contact token); 401 when none. */
async function readerOf(c: Context<AppEnv>, db: Db, row: AttachmentRow | undefined): Promise<Reader> {
  const { exp, sig } = c.req.query();
  if (exp !== undefined || sig !== undefined) {
    const ok =
      !!row && (await validSignature(await filesKey(db, row.workspaceId), row.id, exp ?? "", sig ?? "", Date.now()));
    // An expired or forged link answers like a missing file; the widget fetches the thread again for fresh ones.
    if (!ok) throw notFound("Attachment not found, or its link has expired");
    return { signed: true };
  }
  const actor = await identify(c);
  if (actor) return { actor };
  const who = await contactForToken(db, bearerToken(c));
  if (!who) throw new AppError("unauthenticated", "Sign in to continue");
  return { contactId: who.contact.id };
}

/**
 * Who may download. A file on no message yet: only its uploader. A file on a
 * message: agents who can see the conversation's inbox now (it may have moved
 * since the upload), and the conversation's customer when the message is
 * theirs or a reply to them, never a note's; a signed URL is issued only for
 * those, and is checked against the same rule.
 */
async function mayRead(db: Db, reader: Reader, row: AttachmentRow): Promise<boolean> {
  if (!row.conversationId) {
    if ("actor" in reader) return row.uploaderType === "user" && row.uploaderId === reader.actor.id;
    return "contactId" in reader && row.uploaderType === "contact" && row.uploaderId === reader.contactId;
  }
  const place = await fileItem(db, row);
  if (!place) return false;
  if ("actor" in reader) {
    const { actor } = reader;
    return actor.workspaceId === row.workspaceId && atLeast(await grantFor(db, actor, place.inboxId), "view");
  }
  if (!isCustomerKind(place.kind)) return false;
  return "signed" in reader || place.contactId === reader.contactId;
}

/** Headers every download carries: the file can never run as a page of this site. */
function fileHeaders(row: AttachmentRow): Headers {
  return new Headers({
    "Content-Type": row.contentType,
    "Content-Disposition": contentDisposition(row.contentType, row.name),
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox",
    // Access can change: browsers keep a private copy but revalidate (a cheap 304 by ETag).
    "Cache-Control": "private, no-cache",
    ETag: `"${row.etag}"`,
    "Accept-Ranges": "bytes",
  });
}

const etagMatches = (header: string | undefined, etag: string) =>
  !!header && header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === `"${etag}"` || tag.trim() === "*");

async function serve(c: Context<AppEnv>, row: AttachmentRow): Promise<Response> {
  const headers = fileHeaders(row);
  if (etagMatches(c.req.header("If-None-Match"), row.etag)) return new Response(null, { status: 304, headers });
  const range = c.req.header("Range");
  let object: R2ObjectBody | null;
  try {
    object = await c.env.FILES.get(row.r2Key, range ? { range: c.req.raw.headers } : {});
  } catch (error) {
    // R2 refuses a range outside the object: that is the reader's 416. Any other failure is ours.
    if (!range) throw error;
    headers.set("Content-Range", `bytes */${row.size}`);
    return new Response(null, { status: 416, headers });
  }
  if (!object) throw notFound("Attachment not found");
  const part = object.range as { offset?: number; length?: number } | undefined;
  if (range && part && (part.offset !== undefined || part.length !== undefined)) {
    const offset = part.offset ?? 0;
    const length = part.length ?? row.size - offset;
    headers.set("Content-Range", `bytes ${offset}-${offset + length - 1}/${row.size}`);
    headers.set("Content-Length", String(length));
    return new Response(object.body, { status: 206, headers });
  }
  headers.set("Content-Length", String(row.size));
  return new Response(object.body, { status: 200, headers });
}

/** `GET /api/attachments/:id`: agents by session or token, customers by contact token (so before the agent-only middleware). */
export const attachmentReadRoutes = new Hono<AppEnv>().get("/:id", async (c) => {
  const db = getDb(c.env.DB);
  const row = await findAttachment(db, c.req.param("id"));
  const reader = await readerOf(c, db, row);
  // Missing and hidden answer alike: a reader cannot learn that someone else's file exists.
  if (!row || !(await mayRead(db, reader, row))) throw notFound("Attachment not found");
  return serve(c, row);
});

/** `POST /api/attachments`: an agent who may write notes in the inbox (or more) uploads a file for it. */
export const attachmentUploadRoutes = new Hono<AppEnv>().post("/", validate("query", AgentUploadQuery), async (c) => {
  const { inboxId, name } = c.req.valid("query");
  const actor = c.var.actor;
  const db = getDb(c.env.DB);
  const decision = decide(actor.role, await grantFor(db, actor, inboxId), "note");
  if (decision === "not_found") throw notFound("No such inbox");
  if (decision === "forbidden") throw forbidden("Uploading files needs note access to the inbox");
  const row = await storeUpload(c.env.FILES, db, {
    workspaceId: actor.workspaceId,
    inboxId,
    uploader: { type: "user", id: actor.id },
    ...uploadOf(c, name),
  });
  return c.json(toAttachment(row), 201);
});
