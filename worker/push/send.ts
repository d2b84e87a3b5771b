/**
 * Sends queued pushes (push_outbox). Rows are claimed with a lease like the
 * mail outbox, so overlapping senders never take the same row: right after
 * the notification's batch commits (`sendPushesSoon`), and by the minute
 * sweep for anything due again. Before sending, the recipient must still be
 * able to open the conversation and the notification must still be unread.
 *
 * Encryption (RFC 8291, aes128gcm) is @block65/webcrypto-web-push's, on
 * WebCrypto; the VAPID header is ours (see vapid.ts).
 */
import { encryptNotification } from "@block65/webcrypto-web-push";
import { eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { getDb } from "../db/client";
import { stillOpen } from "../db/queries/notification-access";
import { pushOutbox, pushSubscriptions } from "../db/schema";
import { backoffMs, LEASE_MS, MAX_ATTEMPTS } from "../email/deliver";
import { type PushNotice, pushPayload, urgencyOf } from "./payload";
import { pushProblem, vapidAuthorization } from "./vapid";

/** How long a push service keeps a push for a device that is offline. */
export const PUSH_TTL_S = 24 * 60 * 60;
/** Pushes in flight at once. */
const PARALLEL = 6;
/** A push service that has not answered by then is tried again later. */
const SEND_TIMEOUT_MS = 10_000;

export type PushEnv = Pick<
  Env,
  "DB" | "VAPID_PUBLIC_KEY" | "VAPID_PRIVATE_KEY" | "VAPID_SUBJECT" | "EMAIL_FROM" | "APP_URL"
>;

interface Claimed extends PushNotice {
  outboxId: string;
  attempts: number;
  subscriptionId: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  readAt: number | null;
}

type Outcome = "sent" | "retry" | "failed" | "gone" | "skipped";

/** Claims due rows (of these notifications only, when given), at most `limit`, and returns what sending needs. */
async function claim(db: Db, now: number, limit: number, notificationIds?: readonly string[]): Promise<Claimed[]> {
  // Right after the write, its rows are taken even if the writer's clock ran ahead (the sweep's
  // scheduled time): never claimed before (attempts = 0) means nobody else holds them.
  const due = notificationIds
    ? sql`(due_at <= ${now} OR attempts = 0) AND notification_id IN (SELECT value FROM json_each(${JSON.stringify(notificationIds)}))`
    : sql`due_at <= ${now}`;
  const rows = await db.all<{ id: string }>(sql`
    UPDATE push_outbox SET due_at = ${now + LEASE_MS}, attempts = attempts + 1
    WHERE id IN (
      SELECT id FROM push_outbox WHERE status = 'pending' AND ${due}
      ORDER BY due_at LIMIT ${limit})
    RETURNING id`);
  if (!rows.length) return [];
  return db.all<Claimed>(sql`
    SELECT p.id AS outboxId, p.attempts, s.id AS subscriptionId, s.endpoint, s.p256dh, s.auth,
      n.id, n.kind, n.actor_name AS actorName, n.preview, n.conversation_id AS conversationId, n.read_at AS readAt
    FROM push_outbox p
      JOIN push_subscriptions s ON s.id = p.subscription_id
      JOIN notifications n ON n.id = p.notification_id
    WHERE p.id IN (SELECT value FROM json_each(${JSON.stringify(rows.map((r) => r.id))}))`);
}

const finish = (db: Db, id: string, status: "sent" | "failed", now: number, error: string | null) =>
  db
    .update(pushOutbox)
    .set({ status, lastError: error, sentAt: status === "sent" ? now : null })
    .where(eq(pushOutbox.id, id));

async function post(env: PushEnv, row: Claimed, now: number): Promise<Response> {
  const body = await encryptNotification(
    { endpoint: row.endpoint, expirationTime: null, keys: { p256dh: row.p256dh, auth: row.auth } },
    new TextEncoder().encode(JSON.stringify(pushPayload(row))),
  );
  return fetch(row.endpoint, {
    method: "POST",
    headers: {
      authorization: await vapidAuthorization(env, row.endpoint, now),
      "content-encoding": "aes128gcm",
      "content-type": "application/octet-stream",
      ttl: String(PUSH_TTL_S),
      urgency: urgencyOf(row.kind),
    },
    body,
    redirect: "manual",
    signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
  });
}

/** Sends one claimed push and records what came of it. */
async function deliver(env: PushEnv, db: Db, row: Claimed, now: number): Promise<Outcome> {
  let status: number;
  let error: string;
  try {
    const response = await post(env, row, now);
    status = response.status;
    error = `${status} ${(await response.text()).slice(0, 200)}`.trim();
  } catch (e) {
    status = 0;
    error = e instanceof Error ? e.message : String(e);
  }
  if (status >= 200 && status < 300) {
    await db.batch([
      finish(db, row.outboxId, "sent", now, null),
      db.update(pushSubscriptions).set({ lastSuccessAt: now }).where(eq(pushSubscriptions.id, row.subscriptionId)),
    ]);
    return "sent";
  }
  if (status === 404 || status === 410) {
    // The browser dropped this subscription: forget the device (its queued pushes go with it).
    await db.run(sql`DELETE FROM push_subscriptions WHERE id = ${row.subscriptionId}`);
    return "gone";
  }
  const again = status === 0 || status === 429 || status >= 500;
  console.error("push failed", row.outboxId, `try ${row.attempts}`, error);
  if (again && row.attempts < MAX_ATTEMPTS) {
    await db.run(
      sql`UPDATE push_outbox SET due_at = ${now + backoffMs(row.attempts)}, last_error = ${error} WHERE id = ${row.outboxId}`,
    );
    return "retry";
  }
  await finish(db, row.outboxId, "failed", now, error);
  return "failed";
}

/**
 * Sends due pushes: those of `notificationIds` right after they were
 * written, or any due row (the sweep). Returns counts by outcome.
 */
export async function sendPushes(
  env: PushEnv,
  db: Db,
  now: number,
  limit: number,
  notificationIds?: readonly string[],
): Promise<Record<Outcome, number>> {
  const counts = { sent: 0, retry: 0, failed: 0, gone: 0, skipped: 0 };
  if (notificationIds && !notificationIds.length) return counts;
  const problem = pushProblem(env);
  const rows = await claim(db, now, limit, notificationIds);
  if (!rows.length) return counts;
  const open = await stillOpen(db, [...new Set(rows.map((r) => r.id))]);
  const one = async (row: Claimed): Promise<Outcome> => {
    if (problem) {
      await finish(db, row.outboxId, "failed", now, problem);
      return "failed";
    }
    if (!open.has(row.id) || row.readAt !== null) {
      // Read already, or the conversation is out of reach now: nothing to tell.
      const why = row.readAt !== null ? "skipped: already read" : "skipped: no access";
      await finish(db, row.outboxId, "failed", now, why);
      return "skipped";
    }
    return deliver(env, db, row, now);
  };
  // A few at a time: a Worker keeps at most 6 connections open at once.
  for (let i = 0; i < rows.length; i += PARALLEL) {
    for (const outcome of await Promise.all(rows.slice(i, i + PARALLEL).map(one))) counts[outcome]++;
  }
  return counts;
}

/** After a batch that wrote notifications: their pushes go out without waiting for the sweep. */
export function sendPushesSoon(env: PushEnv, waitUntil: (p: Promise<unknown>) => void, ids: readonly string[]): void {
  if (!ids.length) return;
  waitUntil(
    sendPushes(env, getDb(env.DB), Date.now(), ids.length * 20, ids).catch((e) => console.error("push send failed", e)),
  );
}
