/**
 * The webhook part of the minute sweep: events and deliveries the queue
 * should have had by now are handed to it again (a send that failed after the
 * commit, a message lost, a consumer that died mid-attempt), and the log is
 * kept for 30 days. Bounded per run; handing something twice is harmless,
 * since each attempt claims its delivery first.
 */
import { and, asc, inArray, isNull, lte, or, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { webhookDeliveries, webhookEvents } from "../db/schema";
import { enqueue } from "./outbox";

/** How late the queue may be before the sweep sends again. */
export const QUEUE_GRACE_MS = 60_000;
/** How long deliveries stay in the log. */
export const WEBHOOK_LOG_DAYS = 30;

export async function sweepWebhooks(db: Db, queue: Queue, now: number, limit: number) {
  const late = now - QUEUE_GRACE_MS;
  const events = await db
    .update(webhookEvents)
    .set({ enqueuedAt: now })
    .where(
      inArray(
        webhookEvents.id,
        db
          .select({ id: webhookEvents.id })
          .from(webhookEvents)
          .where(
            and(
              isNull(webhookEvents.dispatchedAt),
              lte(webhookEvents.createdAt, late),
              or(isNull(webhookEvents.enqueuedAt), lte(webhookEvents.enqueuedAt, late)),
            ),
          )
          .orderBy(asc(webhookEvents.createdAt))
          .limit(limit),
      ),
    )
    .returning({ id: webhookEvents.id });
  const deliveries = await db
    .update(webhookDeliveries)
    .set({ nextAttemptAt: now })
    .where(
      inArray(
        webhookDeliveries.id,
        db
          .select({ id: webhookDeliveries.id })
          .from(webhookDeliveries)
          .where(
            and(inArray(webhookDeliveries.status, ["pending", "retrying"]), lte(webhookDeliveries.nextAttemptAt, late)),
          )
          .orderBy(asc(webhookDeliveries.nextAttemptAt))
          .limit(limit),
      ),
    )
    .returning({ id: webhookDeliveries.id });
  await enqueue(queue, [...events.map((e) => ({ event: e.id })), ...deliveries.map((d) => ({ delivery: d.id }))]);
  // Old events go with their deliveries (ON DELETE CASCADE); a few hundred a minute keeps up with any workspace.
  const cutoff = now - WEBHOOK_LOG_DAYS * 86_400_000;
  const purged = await db.run(
    sql`DELETE FROM webhook_events WHERE id IN (SELECT id FROM webhook_events WHERE created_at < ${cutoff} LIMIT ${limit * 10})`,
  );
  return { events: events.length, deliveries: deliveries.length, purged: purged.meta.changes ?? 0 };
}
