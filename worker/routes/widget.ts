import { and, eq, inArray } from "drizzle-orm";
import { Hono, type Context } from "hono";
import { cors } from "hono/cors";
import { etag } from "hono/etag";
import { z } from "zod";
import {
  CUSTOMER_KINDS,
  type CustomerItems,
  RatingInput,
  type WidgetConfig,
  WidgetPostInput,
  WidgetStartInput,
  WidgetUploadQuery,
} from "../contract";
import { storeUpload, toAttachment } from "../attachments/store";
import { bearerToken } from "../auth/session";
import {
  customerConversation,
  customerStateOf,
  postFromCustomer,
  rateConversation,
  startFromWidget,
  verifiedUserId,
  widgetInbox,
} from "../conversations";
import { getDb, type Db } from "../db/client";
import { toCustomerItem, toItem } from "../db/queries/items";
import { filesKey, signedForCustomer } from "../attachments/links";
import { timelineItems } from "../db/schema";
import { startRefusal } from "../domain/widget-start";
import type { AppEnv } from "../env";
import { AppError, notFound } from "../errors";
import { clientIp, hit, type Limit } from "../lib/rate-limit";
import { idempotencyKey, parseOr400, validate } from "../lib/validate";
import { uploadOf } from "./attachments";
import { widgetSettings } from "./inboxes";

const TEN_MINUTES = 10 * 60 * 1000;
/**
 * Per visitor address and ten minutes: new conversations (WIDGET_STARTS_PER_10_MIN, 20 unless
 * set; raise it when many customers share one address), and messages and ratings.
 */
const startLimit = (env: Env): Limit => ({ max: Number(env.WIDGET_STARTS_PER_10_MIN) || 20, windowMs: TEN_MINUTES });
const MESSAGE_LIMIT: Limit = { max: 120, windowMs: TEN_MINUTES };
/** Files per visitor address and ten minutes (each up to 25 MiB). */
const UPLOAD_LIMIT: Limit = { max: 60, windowMs: TEN_MINUTES };

async function limit(db: Db, c: Context, scope: string, rule: Limit) {
  if (!(await hit(db, `widget:${scope}:${clientIp(c.req.raw)}`, rule))) {
    throw new AppError("rate_limited", "Too many requests from this address; please wait a moment");
  }
}

/** The widget runs on customers' sites: any origin, bearer tokens only (no cookies). */
export const widgetCors = cors({
  origin: "*",
  allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key"],
  allowMethods: ["GET", "POST", "OPTIONS"],
  maxAge: 86400,
});

/**
 * A retried start must find its conversation again, yet the key then works
 * like a password for it: it must be long enough to be unguessable.
 */
const StartKey = z.string().min(20, "must be at least 20 characters (use a random UUID)");

export const widgetRoutes = new Hono<AppEnv>()
  /**
   * What the loader and the panel need first. Cached, but revalidated on every
   * load (`no-cache` with an ETag: a 304 while nothing changed), so an admin's
   * change shows on the very next widget load.
   */
  .get("/:widgetKey/config", etag(), async (c) => {
    const inbox = await widgetInbox(getDb(c.env.DB), c.req.param("widgetKey"));
    c.header("Cache-Control", "public, no-cache");
    return c.json({ ...widgetSettings(inbox), inboxName: inbox.name } satisfies WidgetConfig);
  })
  .post("/:widgetKey/conversations", validate("json", WidgetStartInput), async (c) => {
    const input = c.req.valid("json");
    const db = getDb(c.env.DB);
    const inbox = await widgetInbox(db, c.req.param("widgetKey"));
    const refusal = startRefusal(widgetSettings(inbox), input);
    if (refusal) throw new AppError(refusal.code, refusal.message, "details" in refusal ? refusal.details : undefined);
    await limit(db, c, "start", startLimit(c.env));
    const externalId = await verifiedUserId(inbox, input.identity);
    const key = idempotencyKey(c);
    if (key) parseOr400(StartKey, key, "Idempotency-Key header");
    const started = await startFromWidget(c.env, db, { inbox, input, externalId, token: bearerToken(c), key });
    return c.json(started, 201);
  })
  .get("/conversations/:id/messages", async (c) => {
    const db = getDb(c.env.DB);
    const { conversation } = await customerConversation(db, bearerToken(c), c.req.param("id"));
    const rows = await db
      .select()
      .from(timelineItems)
      .where(and(eq(timelineItems.conversationId, conversation.id), inArray(timelineItems.kind, [...CUSTOMER_KINDS])))
      .orderBy(timelineItems.seq);
    const state = await customerStateOf(db, conversation);
    const items = await signedForCustomer(
      () => filesKey(db, conversation.workspaceId),
      rows.map(toItem).map(toCustomerItem),
    );
    return c.json({ items, state } satisfies z.infer<typeof CustomerItems>);
  })
  .post("/conversations/:id/messages", validate("json", WidgetPostInput), async (c) => {
    const db = getDb(c.env.DB);
    const { conversation, contact } = await customerConversation(db, bearerToken(c), c.req.param("id"));
    await limit(db, c, "message", MESSAGE_LIMIT);
    const { body, attachmentIds } = c.req.valid("json");
    const key = idempotencyKey(c);
    const post = { conversation, contact, body, attachmentIds, key };
    const { item, conversationId } = await postFromCustomer(c.env, db, post);
    const [signed] = await signedForCustomer(() => filesKey(db, conversation.workspaceId), [toCustomerItem(item)]);
    const merged = conversation.id !== c.req.param("id") && conversationId === conversation.id;
    return c.json({ ...signed!, conversationId, ...(merged ? { merged } : {}) }, 201);
  })
  /** A file for the customer's next message: the raw body, streamed to R2 (see attachments/store.ts). */
  .post("/conversations/:id/attachments", validate("query", WidgetUploadQuery), async (c) => {
    const db = getDb(c.env.DB);
    const { conversation, contact } = await customerConversation(db, bearerToken(c), c.req.param("id"));
    await limit(db, c, "upload", UPLOAD_LIMIT);
    const row = await storeUpload(c.env.FILES, db, {
      workspaceId: conversation.workspaceId,
      inboxId: conversation.inboxId,
      uploader: { type: "contact", id: contact.id },
      ...uploadOf(c, c.req.valid("query").name),
    });
    return c.json(toAttachment(row), 201);
  })
  /** "How did we do?": once per resolution, written by the conversation's room. */
  .post("/conversations/:id/rating", validate("json", RatingInput), async (c) => {
    const db = getDb(c.env.DB);
    const { conversation, contact } = await customerConversation(db, bearerToken(c), c.req.param("id"));
    await limit(db, c, "rating", MESSAGE_LIMIT);
    const rating = await rateConversation(c.env, { conversation, contact, input: c.req.valid("json") });
    return c.json(rating, 201);
  })
  .all("*", () => {
    throw notFound("No such widget endpoint");
  });
