/**
 * What happens to new notifications by their recipients' preferences,
 * decided in SQL inside the batch that inserts them (a conversation's room,
 * an SLA breach, a turned-off webhook): in-app off hides the row from the
 * bell, push on queues one push_outbox row per device. The ids travel as one
 * JSON parameter, however many notifications and devices there are.
 */
import { and, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { chunkRows } from "../db/chunks";
import { selectList } from "../db/insert-select";
import { notifications, pushOutbox } from "../db/schema";
import { wantsSql } from "../domain/notification-prefs";

/** Parameters drizzle binds per notification row: the 8 values given plus the defaults (email_attempts, in_app). */
const NOTIFICATION_ROW_PARAMS = 10;

/**
 * Every statement that writes new notifications, for one batch: the inserts,
 * chunked inside D1's 100 parameters, then `fanoutWrites`. The last statement
 * returns the ids hidden from the bell.
 */
export function notificationWrites(
  db: Db,
  rows: readonly (typeof notifications.$inferInsert & { id: string })[],
  now: number,
): BatchItem<"sqlite">[] {
  if (!rows.length) return [];
  const inserts = chunkRows(rows, NOTIFICATION_ROW_PARAMS).map((part) => db.insert(notifications).values(part));
  return [
    ...inserts,
    ...fanoutWrites(
      db,
      rows.map((r) => r.id),
      now,
    ),
  ];
}

/**
 * The two statements to add after the notifications' inserts: queue pushes,
 * then hide the rows whose kind the agent turned off in-app. The last one
 * returns the hidden ids (see `hiddenIds`) so the live bell skips them too.
 */
export function fanoutWrites(db: Db, ids: readonly string[], now: number): [BatchItem<"sqlite">, BatchItem<"sqlite">] {
  const list = JSON.stringify(ids);
  const pushWanted = sql.raw(wantsSql("u.notification_prefs", "n.kind", "push"));
  const inAppWanted = sql.raw(wantsSql("u.notification_prefs", "notifications.kind", "inApp"));
  const row = selectList(pushOutbox, {
    id: sql`'po_' || lower(hex(randomblob(12)))`,
    ...{ notificationId: sql`n.id`, subscriptionId: sql`s.id`, status: "pending", attempts: 0 },
    ...{ dueAt: now, lastError: null, sentAt: null, createdAt: now },
  });
  return [
    db
      .insert(pushOutbox)
      .select(
        sql`SELECT ${row} FROM notifications n
          JOIN users u ON u.id = n.user_id
          JOIN push_subscriptions s ON s.user_id = n.user_id
        WHERE n.id IN (SELECT value FROM json_each(${list})) AND u.deactivated_at IS NULL AND ${pushWanted}`,
      )
      .onConflictDoNothing(),
    db
      .update(notifications)
      .set({ inApp: false })
      .where(
        and(
          sql`${notifications.id} IN (SELECT value FROM json_each(${list}))`,
          sql`NOT (SELECT ${inAppWanted} FROM users u WHERE u.id = notifications.user_id)`,
        ),
      )
      .returning({ id: notifications.id }),
  ];
}

/** The ids the hiding statement of `fanoutWrites` returned, from its place in a batch's results. */
export function hiddenIds(result: unknown): Set<string> {
  const rows = Array.isArray(result) ? result : ((result as { results?: unknown[] } | undefined)?.results ?? []);
  return new Set(rows.map((r) => (r as { id: string }).id));
}
