/**
 * The queue's consumer: fans an event out to its endpoints, then tries each
 * delivery — signed per Standard Webhooks, 10 s at most, redirects not
 * followed, at most 4 KiB of the answer kept for the log. A failure is tried
 * again after WEBHOOK_RETRY_SECONDS (with jitter) through the queue's delay;
 * after the last retry the delivery has failed, and an endpoint that failed
 * every attempt for that whole window is turned off and the admins told.
 *
 * Each attempt first claims its delivery with one conditional UPDATE whose
 * lease moves `next_attempt_at` ahead, so a message the queue delivers twice,
 * or one the sweep sent again, never makes two attempts at once.
 */
import { and, eq, inArray, isNull, lte, or, type SQL, sql } from "drizzle-orm";
import { selectList } from "../db/insert-select";
import { type Db, getDb } from "../db/client";
import { users, webhookDeliveries, webhookEvents, webhooks } from "../db/schema";
import { newId } from "../lib/ids";
import { notificationWrites } from "../push/fanout";
import { type PushEnv, sendPushes } from "../push/send";
import { iso } from "../lib/time";
import { enqueue, type WebhookMessage } from "./outbox";
import { keyProblem, signedHeaders, unwrapSecret } from "./secrets";
import { urlRefusal } from "./urls";

/** An attempt's time limit; the lease is longer, so a claimed delivery is never tried twice at once. */
export const ATTEMPT_TIMEOUT_MS = 10_000;
const LEASE_MS = 30_000;
/** Bytes of a receiver's answer kept for the delivery log. */
export const RESPONSE_LOG_BYTES = 4096;
/** Standard Webhooks' suggested schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (about 27 h). */
const DEFAULT_RETRY_SECONDS = [5, 300, 1800, 7200, 18000, 36000, 36000];
/** Queues delay a message by at most 12 hours. */
const MAX_QUEUE_DELAY_S = 12 * 3600;

type DeliveryRow = typeof webhookDeliveries.$inferSelect;
type WebhookEnv = Pick<
  Env,
  "DB" | "WEBHOOKS" | "WEBHOOK_SECRETS_KEY" | "ALLOW_LOCAL_WEBHOOKS" | "WEBHOOK_RETRY_SECONDS"
> &
  PushEnv;

/** The back-off before each retry, in seconds. */
export function retrySchedule(env: Pick<Env, "WEBHOOK_RETRY_SECONDS">): number[] {
  const parsed = String(env.WEBHOOK_RETRY_SECONDS ?? "")
    .split(",")
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isFinite(n) && n >= 0);
  return parsed.length ? parsed : DEFAULT_RETRY_SECONDS;
}

/** The least time from a delivery's first attempt to its last (every back-off jittered down). */
const shortestWindow = (schedule: number[]) => schedule.reduce((sum, s) => sum + s, 0) * 1000 * 0.8;

/** `seconds` give or take a fifth, so endpoints that failed together are not all retried at once. */
const jittered = (seconds: number) => Math.round(seconds * 1000 * (0.8 + Math.random() * 0.4));

/** The Worker's `queue` handler. */
export async function queue(batch: MessageBatch<WebhookMessage>, env: WebhookEnv): Promise<void> {
  const db = getDb(env.DB);
  await Promise.all(
    batch.messages.map(async (message) => {
      try {
        const body = message.body;
        if ("event" in body) await dispatchEvent(db, env, body.event, Date.now());
        else await attemptDelivery(db, env, body.delivery, Date.now());
        message.ack();
      } catch (error) {
        // D1 or the runtime failed, not the receiver: the queue delivers the message again.
        console.error("webhook message failed", message.id, error);
        message.retry({ delaySeconds: 5 });
      }
    }),
  );
}

/**
 * Makes the event's deliveries (one per enabled endpoint subscribed to it,
 * or its one endpoint for a test event) and tries those that are due. Doing
 * it twice adds nothing: deliveries are unique per event and endpoint.
 */
export async function dispatchEvent(db: Db, env: WebhookEnv, eventId: string, now: number): Promise<void> {
  await db.batch([
    db
      .insert(webhookDeliveries)
      .select(
        sql`SELECT ${selectList(webhookDeliveries, {
          ...{ id: sql`'whd_' || lower(hex(randomblob(12)))`, eventId: sql`e.id`, webhookId: sql`w.id` },
          ...{ status: "pending", attempts: 0, nextAttemptAt: now, createdAt: now },
          ...{ responseStatus: null, responseBody: null, error: null, durationMs: null },
          ...{ lastAttemptAt: null, deliveredAt: null },
        })}
        FROM ${webhookEvents} e JOIN ${webhooks} w ON w.workspace_id = e.workspace_id
        WHERE e.id = ${eventId} AND (
          w.id = e.webhook_id OR (
            e.webhook_id IS NULL AND w.enabled = 1 AND (e.note = 0 OR w.include_notes = 1)
            AND EXISTS (SELECT 1 FROM json_each(w.events) subscribed WHERE subscribed.value = e.type)))`,
      )
      .onConflictDoNothing(),
    db.update(webhookEvents).set({ dispatchedAt: now }).where(eq(webhookEvents.id, eventId)),
  ]);
  const claimed = await claim(db, eq(webhookDeliveries.eventId, eventId), now);
  await Promise.all(claimed.map((d) => attempt(db, env, d, now)));
}

/** Tries one delivery if it is due and nobody else is trying it. */
export async function attemptDelivery(db: Db, env: WebhookEnv, deliveryId: string, now: number): Promise<void> {
  const [delivery] = await claim(db, eq(webhookDeliveries.id, deliveryId), now);
  if (delivery) await attempt(db, env, delivery, now);
}

/** A delayed message may arrive this early (clocks differ a little between machines): it still counts as due. */
const EARLY_MS = 2_000;

function claim(db: Db, which: SQL, now: number): Promise<DeliveryRow[]> {
  return db
    .update(webhookDeliveries)
    .set({ nextAttemptAt: now + LEASE_MS, attempts: sql`${webhookDeliveries.attempts} + 1` })
    .where(
      and(
        which,
        inArray(webhookDeliveries.status, ["pending", "retrying"]),
        or(isNull(webhookDeliveries.nextAttemptAt), lte(webhookDeliveries.nextAttemptAt, now + EARLY_MS)),
      ),
    )
    .returning();
}

interface Outcome {
  ok: boolean;
  /** Trying again cannot help (the endpoint is off, or its URL is refused): fail now. */
  final?: boolean;
  responseStatus: number | null;
  responseBody: string | null;
  error: string | null;
  durationMs: number;
}

async function attempt(db: Db, env: WebhookEnv, delivery: DeliveryRow, now: number): Promise<void> {
  const [row] = await db
    .select({
      url: webhooks.url,
      secret: webhooks.secret,
      enabled: webhooks.enabled,
      workspaceId: webhooks.workspaceId,
      failingSince: webhooks.failingSince,
      onlyFor: webhookEvents.webhookId,
      payload: webhookEvents.payload,
      createdAt: webhookEvents.createdAt,
    })
    .from(webhookDeliveries)
    .innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(eq(webhookDeliveries.id, delivery.id));
  if (!row) return; // The endpoint was deleted meanwhile (its deliveries go with it).
  const outcome =
    !row.enabled && row.onlyFor !== delivery.webhookId
      ? { ...refused("The endpoint is turned off"), final: true }
      : await post(env, delivery, row.url, row.secret, row.payload, now);
  await record(db, env, delivery, row, outcome, now);
}

const refused = (error: string): Outcome => ({
  ok: false,
  responseStatus: null,
  responseBody: null,
  error,
  durationMs: 0,
});

/** One signed POST; never throws. */
async function post(
  env: WebhookEnv,
  delivery: DeliveryRow,
  url: string,
  wrapped: string,
  payload: string,
  now: number,
): Promise<Outcome> {
  const refusal = urlRefusal(url, env);
  if (refusal) return { ...refused(`The URL ${refusal}`), final: true };
  const problem = keyProblem(env);
  if (problem) return refused(problem);
  const secret = await unwrapSecret(env, delivery.webhookId, wrapped);
  const headers = await signedHeaders(secret, delivery.eventId, Math.floor(now / 1000), payload);
  const started = Date.now();
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json", "user-agent": "Switchboard-Webhooks/1" },
      body: payload,
      redirect: "manual",
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
    });
    const responseBody = await readAtMost(response, RESPONSE_LOG_BYTES);
    const durationMs = Date.now() - started;
    const ok = response.status >= 200 && response.status < 300;
    const redirect = response.status >= 300 && response.status < 400;
    const error = ok ? null : redirect ? "Redirects are not followed" : `HTTP ${response.status}`;
    return { ok, responseStatus: response.status, responseBody, error, durationMs };
  } catch (e) {
    const timedOut = e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError");
    const error = timedOut ? `No answer within ${ATTEMPT_TIMEOUT_MS / 1000} s` : `Could not connect: ${String(e)}`;
    return { ...refused(error.slice(0, 500)), durationMs: Date.now() - started };
  }
}

/** The first `limit` bytes of the body, as text; the rest is never read. */
async function readAtMost(response: Response, limit: number): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  while (size < limit) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => {});
  const bytes = new Uint8Array(Math.min(size, limit));
  let at = 0;
  for (const part of parts) {
    const take = part.subarray(0, bytes.length - at);
    bytes.set(take, at);
    at += take.length;
    if (at >= bytes.length) break;
  }
  return new TextDecoder().decode(bytes);
}

async function record(
  db: Db,
  env: WebhookEnv,
  delivery: DeliveryRow,
  hook: { workspaceId: string; url: string; failingSince: number | null },
  outcome: Outcome,
  now: number,
): Promise<void> {
  const logged = {
    responseStatus: outcome.responseStatus,
    responseBody: outcome.responseBody,
    error: outcome.error,
    durationMs: outcome.durationMs,
    lastAttemptAt: now,
  };
  const ours = eq(webhooks.id, delivery.webhookId);
  if (outcome.ok) {
    await db.batch([
      db
        .update(webhookDeliveries)
        .set({ ...logged, status: "delivered", deliveredAt: now, nextAttemptAt: null })
        .where(eq(webhookDeliveries.id, delivery.id)),
      db.update(webhooks).set({ failingSince: null }).where(and(ours, sql`failing_since IS NOT NULL`)),
    ]);
    return;
  }
  const schedule = retrySchedule(env);
  const retryIn =
    !outcome.final && delivery.attempts <= schedule.length ? jittered(schedule[delivery.attempts - 1]!) : null;
  const failingSince = hook.failingSince ?? now;
  const marked = db
    .update(webhookDeliveries)
    .set(
      retryIn === null
        ? { ...logged, status: "failed", nextAttemptAt: null }
        : { ...logged, status: "retrying", nextAttemptAt: now + retryIn },
    )
    .where(eq(webhookDeliveries.id, delivery.id));
  // An endpoint never tried (turned off, its URL refused) has not failed.
  if (outcome.final) await marked;
  else
    await db.batch([
      marked,
      db
        .update(webhooks)
        .set({ failingSince })
        .where(and(ours, isNull(webhooks.failingSince))),
    ]);
  if (retryIn !== null) {
    const delaySeconds = Math.min(Math.ceil(retryIn / 1000), MAX_QUEUE_DELAY_S);
    await enqueue(env.WEBHOOKS, [{ delivery: delivery.id }], delaySeconds);
  } else if (!outcome.final && now - failingSince >= shortestWindow(schedule)) {
    // Nothing reached this endpoint for at least a delivery's whole retry window: stop sending.
    await disable(db, env, delivery.webhookId, hook, failingSince, now);
  }
}

/** Turns a failing endpoint off and tells the workspace's admins, once. */
async function disable(
  db: Db,
  env: WebhookEnv,
  webhookId: string,
  hook: { workspaceId: string; url: string },
  failingSince: number,
  now: number,
): Promise<void> {
  const minutes = Math.max(1, Math.round((now - failingSince) / 60_000));
  const span = minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
  const reason = `Every attempt failed for ${span} (since ${iso(failingSince)})`;
  const [turnedOff] = await db
    .update(webhooks)
    .set({ enabled: false, disabledReason: reason, updatedAt: now })
    .where(and(eq(webhooks.id, webhookId), eq(webhooks.enabled, true)))
    .returning({ id: webhooks.id });
  if (!turnedOff) return;
  const admins = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.workspaceId, hook.workspaceId), eq(users.role, "admin"), isNull(users.deactivatedAt)));
  if (!admins.length) return;
  const preview = `The webhook to ${hook.url} was turned off: ${reason.toLowerCase()}.`.slice(0, 200);
  const rows = admins.map((a) => ({
    id: newId("nt"),
    userId: a.id,
    kind: "webhook" as const,
    conversationId: null,
    actorId: null,
    actorName: "Switchboard",
    preview,
    createdAt: now,
  }));
  const [first, ...rest] = notificationWrites(db, rows, now);
  await db.batch([first!, ...rest]);
  // The admins' pushes; any not sent now are sent by the minute sweep.
  await sendPushes(
    env,
    db,
    now,
    rows.length * 20,
    rows.map((r) => r.id),
  ).catch((e) => console.error("push send failed", e));
}
