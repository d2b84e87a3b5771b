/**
 * Webhook endpoints (admins): add, change, remove, rotate the secret, send a
 * test event, read the delivery log and send a delivery again (SPEC §6.4).
 */
import { and, asc, count, desc, eq, inArray, lt, or, type SQL } from "drizzle-orm";
import { Hono } from "hono";
import {
  MAX_WEBHOOKS,
  UpdateWebhookInput,
  WEBHOOK_PAYLOAD_VERSION,
  type Webhook,
  type WebhookDelivery,
  WebhookDeliveriesQuery,
  type WebhookPayload,
  WebhookInput,
} from "../contract";
import { requireAdmin } from "../auth/session";
import { getDb, type Db } from "../db/client";
import { decodeCursor, encodeCursor } from "../db/queries/conversations";
import { webhookDeliveries, webhookEvents, webhooks } from "../db/schema";
import type { AppEnv } from "../env";
import { AppError, notFound } from "../errors";
import { newId } from "../lib/ids";
import { iso, isoOrNull } from "../lib/time";
import { validate } from "../lib/validate";
import { enqueue } from "../webhooks/outbox";
import { keyProblem, newSecret, wrapSecret } from "../webhooks/secrets";
import { urlRefusal } from "../webhooks/urls";

type WebhookRow = typeof webhooks.$inferSelect;

const toWebhook = (w: WebhookRow): Webhook => ({
  id: w.id,
  url: w.url,
  description: w.description,
  events: w.events as Webhook["events"],
  includeNotes: w.includeNotes,
  enabled: w.enabled,
  disabledReason: w.disabledReason,
  failingSince: isoOrNull(w.failingSince),
  createdAt: iso(w.createdAt),
});

/** A URL this deployment will not send to: a 400 naming `url`. */
function checkUrl(env: Env, url: string | undefined): void {
  const refusal = url === undefined ? null : urlRefusal(url, env);
  if (refusal) throw new AppError("validation_failed", `The URL ${refusal}`, [{ path: ["url"], message: refusal }]);
}

/** Without the wrapping key no secret can be made or used: the operator must set it. */
function checkKey(env: Env): void {
  const problem = keyProblem(env);
  if (problem) throw new AppError("not_configured", problem);
}

async function ownWebhook(db: Db, workspaceId: string, id: string): Promise<WebhookRow> {
  const [row] = await db
    .select()
    .from(webhooks)
    .where(and(eq(webhooks.id, id), eq(webhooks.workspaceId, workspaceId)));
  if (!row) throw notFound("Webhook not found");
  return row;
}

const deliveryColumns = {
  id: webhookDeliveries.id,
  eventId: webhookDeliveries.eventId,
  type: webhookEvents.type,
  conversationId: webhookEvents.conversationId,
  seq: webhookEvents.seq,
  status: webhookDeliveries.status,
  attempts: webhookDeliveries.attempts,
  responseStatus: webhookDeliveries.responseStatus,
  responseBody: webhookDeliveries.responseBody,
  error: webhookDeliveries.error,
  durationMs: webhookDeliveries.durationMs,
  createdAt: webhookDeliveries.createdAt,
  lastAttemptAt: webhookDeliveries.lastAttemptAt,
  nextAttemptAt: webhookDeliveries.nextAttemptAt,
  deliveredAt: webhookDeliveries.deliveredAt,
};
type DeliveryRow = { [K in keyof typeof deliveryColumns]: (typeof deliveryColumns)[K]["_"]["data"] | null } & {
  id: string;
  createdAt: number;
};

const toDelivery = (d: DeliveryRow): WebhookDelivery => ({
  ...(d as Omit<WebhookDelivery, "createdAt" | "lastAttemptAt" | "nextAttemptAt" | "deliveredAt">),
  createdAt: iso(d.createdAt),
  lastAttemptAt: isoOrNull(d.lastAttemptAt),
  // Only a delivery still waiting has a next attempt.
  nextAttemptAt: d.status === "pending" || d.status === "retrying" ? isoOrNull(d.nextAttemptAt) : null,
  deliveredAt: isoOrNull(d.deliveredAt),
});

function deliveries(db: Db, where: SQL | undefined) {
  return db
    .select(deliveryColumns)
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(where);
}

export const webhookRoutes = new Hono<AppEnv>()
  .use("*", requireAdmin)
  .get("/", async (c) => {
    const rows = await getDb(c.env.DB)
      .select()
      .from(webhooks)
      .where(eq(webhooks.workspaceId, c.var.actor.workspaceId))
      .orderBy(asc(webhooks.createdAt), asc(webhooks.id));
    return c.json({ items: rows.map(toWebhook) });
  })
  .post("/", validate("json", WebhookInput), async (c) => {
    const input = c.req.valid("json");
    checkUrl(c.env, input.url);
    checkKey(c.env);
    const db = getDb(c.env.DB);
    const workspaceId = c.var.actor.workspaceId;
    const [existing] = await db.select({ n: count() }).from(webhooks).where(eq(webhooks.workspaceId, workspaceId));
    if ((existing?.n ?? 0) >= MAX_WEBHOOKS) {
      throw new AppError("conflict", `A workspace has at most ${MAX_WEBHOOKS} webhooks; remove one first`);
    }
    const id = newId("wh");
    const secret = newSecret();
    const now = Date.now();
    const [row] = await db
      .insert(webhooks)
      .values({
        ...{ id, workspaceId, url: input.url, description: input.description, events: input.events },
        ...{ includeNotes: input.includeNotes, enabled: input.enabled, secret: await wrapSecret(c.env, id, secret) },
        ...{ createdBy: c.var.actor.id, createdAt: now, updatedAt: now },
      })
      .returning();
    return c.json({ ...toWebhook(row!), secret }, 201);
  })
  .patch("/:id", validate("json", UpdateWebhookInput), async (c) => {
    const input = c.req.valid("json");
    checkUrl(c.env, input.url);
    const db = getDb(c.env.DB);
    const before = await ownWebhook(db, c.var.actor.workspaceId, c.req.param("id"));
    // Turning it on again forgets why Switchboard turned it off, and the failures before.
    const restart = input.enabled === true && !before.enabled ? { disabledReason: null, failingSince: null } : {};
    const [row] = await db
      .update(webhooks)
      .set({ ...input, ...restart, updatedAt: Date.now() })
      .where(eq(webhooks.id, before.id))
      .returning();
    return c.json(toWebhook(row!));
  })
  .delete("/:id", async (c) => {
    const db = getDb(c.env.DB);
    const hook = await ownWebhook(db, c.var.actor.workspaceId, c.req.param("id"));
    // Its deliveries and test events go with it (foreign keys, ON DELETE CASCADE).
    await db.delete(webhooks).where(eq(webhooks.id, hook.id));
    return c.body(null, 204);
  })
  .post("/:id/secret", async (c) => {
    checkKey(c.env);
    const db = getDb(c.env.DB);
    const hook = await ownWebhook(db, c.var.actor.workspaceId, c.req.param("id"));
    const secret = newSecret();
    const [row] = await db
      .update(webhooks)
      .set({ secret: await wrapSecret(c.env, hook.id, secret), updatedAt: Date.now() })
      .where(eq(webhooks.id, hook.id))
      .returning();
    return c.json({ ...toWebhook(row!), secret }, 201);
  })
  .post("/:id/test", async (c) => {
    checkKey(c.env);
    const db = getDb(c.env.DB);
    const { workspaceId } = c.var.actor;
    const hook = await ownWebhook(db, workspaceId, c.req.param("id"));
    const now = Date.now();
    const eventId = newId("msg");
    const deliveryId = newId("whd");
    const payload: WebhookPayload = {
      type: "webhook.test",
      timestamp: iso(now),
      data: {
        version: WEBHOOK_PAYLOAD_VERSION,
        workspaceId,
        webhookId: hook.id,
        message: `A test event sent by ${c.var.actor.name} from Switchboard`,
      },
    };
    await db.batch([
      db.insert(webhookEvents).values({
        ...{ id: eventId, workspaceId, type: payload.type, webhookId: hook.id, payload: JSON.stringify(payload) },
        ...{ createdAt: now, dispatchedAt: now, enqueuedAt: now },
      }),
      db.insert(webhookDeliveries).values({
        ...{ id: deliveryId, eventId, webhookId: hook.id, status: "pending" as const },
        ...{ attempts: 0, nextAttemptAt: now, createdAt: now },
      }),
    ]);
    // Were the queue to refuse it, the sweep sends the waiting delivery on.
    await enqueue(c.env.WEBHOOKS, [{ delivery: deliveryId }]);
    const [row] = await deliveries(db, eq(webhookDeliveries.id, deliveryId));
    return c.json({ delivery: toDelivery(row!) }, 202);
  })
  .get("/:id/deliveries", validate("query", WebhookDeliveriesQuery), async (c) => {
    const query = c.req.valid("query");
    const db = getDb(c.env.DB);
    const hook = await ownWebhook(db, c.var.actor.workspaceId, c.req.param("id"));
    const after = query.cursor ? decodeCursor(query.cursor) : null;
    const rows = await deliveries(
      db,
      and(
        eq(webhookDeliveries.webhookId, hook.id),
        query.status ? eq(webhookDeliveries.status, query.status) : undefined,
        after
          ? or(
              lt(webhookDeliveries.createdAt, after[0]),
              and(eq(webhookDeliveries.createdAt, after[0]), lt(webhookDeliveries.id, after[1])),
            )
          : undefined,
      ),
    )
      .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
      .limit(query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    const nextCursor = rows.length > query.limit && last ? encodeCursor([last.createdAt, last.id]) : null;
    return c.json({ items: page.map(toDelivery), nextCursor });
  })
  .post("/:id/deliveries/:deliveryId/retry", async (c) => {
    const db = getDb(c.env.DB);
    const hook = await ownWebhook(db, c.var.actor.workspaceId, c.req.param("id"));
    const deliveryId = c.req.param("deliveryId");
    const now = Date.now();
    // Attempts count again from the start, so a delivery sent again gets the whole retry schedule.
    const [again] = await db
      .update(webhookDeliveries)
      .set({ status: "pending", attempts: 0, nextAttemptAt: now })
      .where(
        and(
          eq(webhookDeliveries.id, deliveryId),
          eq(webhookDeliveries.webhookId, hook.id),
          inArray(webhookDeliveries.status, ["delivered", "failed", "retrying"]),
        ),
      )
      .returning({ id: webhookDeliveries.id });
    if (!again) {
      const [exists] = await deliveries(
        db,
        and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.webhookId, hook.id)),
      );
      if (!exists) throw notFound("Delivery not found");
      throw new AppError("conflict", "This delivery is being sent right now");
    }
    await enqueue(c.env.WEBHOOKS, [{ delivery: deliveryId }]);
    const [row] = await deliveries(db, eq(webhookDeliveries.id, deliveryId));
    return c.json({ delivery: toDelivery(row!) }, 202);
  });
