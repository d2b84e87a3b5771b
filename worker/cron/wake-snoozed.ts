import { and, asc, eq, lte } from "drizzle-orm";
import type { Db } from "../db/client";
import { conversations } from "../db/schema";
import { getConversationRoom } from "../rooms/conversation-room";

/**
 * Wakes snoozed conversations whose time has come. Due rows are found through
 * the partial index on snoozed_until (status = 'snoozed'), so the cost follows
 * the due rows; each room makes the change itself. At most `limit` per run.
 */
export async function wakeSnoozed(
  db: Db,
  env: Env,
  now: number,
  limit: number,
): Promise<{ due: number; woken: number }> {
  const due = await db
    .select({ id: conversations.id })
    .from(conversations)
    .where(and(eq(conversations.status, "snoozed"), lte(conversations.snoozedUntil, now)))
    .orderBy(asc(conversations.snoozedUntil))
    .limit(limit);
  let woken = 0;
  for (const { id } of due) {
    const result = await getConversationRoom(env, id).sweep(id, "snooze_expired", now);
    if (result.ok && result.value.changed) woken++;
  }
  return { due: due.length, woken };
}
