import { and, asc, eq, isNotNull, lte } from "drizzle-orm";
import type { Db } from "../db/client";
import { conversations, inboxes } from "../db/schema";
import { getConversationRoom } from "../rooms/conversation-room";

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Resolves open conversations idle for their inbox's `autoResolveDays`. Per
 * inbox, the oldest open conversations are read from the (inbox, status,
 * last activity) index up to the cut-off, so only due rows are read. At most
 * `limit` per run across inboxes; a backlog drains over the next runs.
 */
export async function autoResolve(
  db: Db,
  env: Env,
  now: number,
  limit: number,
): Promise<{ due: number; resolved: number }> {
  const rules = await db
    .select({ id: inboxes.id, days: inboxes.autoResolveDays })
    .from(inboxes)
    .where(isNotNull(inboxes.autoResolveDays));
  let budget = limit;
  let due = 0;
  let resolved = 0;
  for (const inbox of rules) {
    if (budget <= 0) break;
    const cutoff = now - inbox.days! * DAY_MS;
    const idle = await db
      .select({ id: conversations.id })
      .from(conversations)
      .where(
        and(
          eq(conversations.inboxId, inbox.id),
          eq(conversations.status, "open"),
          lte(conversations.lastActivityAt, cutoff),
        ),
      )
      .orderBy(asc(conversations.lastActivityAt))
      .limit(budget);
    budget -= idle.length;
    due += idle.length;
    for (const { id } of idle) {
      const result = await getConversationRoom(env, id).sweep(id, "idle", now, cutoff);
      if (result.ok && result.value.changed) resolved++;
    }
  }
  return { due, resolved };
}
