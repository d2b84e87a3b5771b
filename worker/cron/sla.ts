/**
 * The minute sweep's SLA jobs. Each finds what is due through a partial index
 * (rows read ≈ rows due) and leaves the change to the conversation's room,
 * which re-checks it: a clock answered since, or a conversation already
 * measured, is left alone.
 *
 * - Breaches: clocks that ran out and are not marked yet; the room marks them
 *   and notifies once.
 * - Re-clocking: an inbox whose hours or targets changed gets its open and
 *   snoozed conversations' clocks re-set, a bounded walk per run that resumes
 *   where it stopped (the cursor is on the inbox's row).
 * - Back-fill: conversations from before metrics, replayed once each.
 */
import { and, asc, eq, isNotNull, lte, sql } from "drizzle-orm";
import { CLOCK_STATUSES } from "../contract";
import type { Db } from "../db/client";
import { conversations, inboxes } from "../db/schema";
import { getConversationRoom } from "../rooms/conversation-room";
import { mapBounded } from "../lib/pool";

/** Asks rooms, a few at a time; a room that fails is logged and tried again by a later run. */
const askRooms = <T extends { id: string }, R>(items: readonly T[], task: (item: T) => Promise<R>) =>
  mapBounded(items, 4, task, (item, error): R | null => {
    console.error("sla sweep: room failed", item.id, error);
    return null;
  });

export async function markBreaches(db: Db, env: Env, now: number, limit: number) {
  const due = await db
    .select({ id: conversations.id })
    .from(conversations)
    .where(
      and(isNotNull(conversations.slaDueAt), eq(conversations.slaBreached, false), lte(conversations.slaDueAt, now)),
    )
    .orderBy(asc(conversations.slaDueAt))
    .limit(limit);
  const results = await askRooms(due, ({ id }) => getConversationRoom(env, id).markBreach(id, now));
  return { due: due.length, breached: results.filter((r) => r?.ok && r.value.breached).length };
}

export async function backfillMetrics(db: Db, env: Env, limit: number) {
  const pending = await db
    .select({ id: conversations.id })
    .from(conversations)
    .where(eq(conversations.metricsRecorded, 0))
    .limit(limit);
  const results = await askRooms(pending, ({ id }) => getConversationRoom(env, id).backfill(id));
  return { pending: pending.length, measured: results.filter((r) => r?.ok && r.value.changed).length };
}

/** The statuses whose clocks run, walked in this order. */
const RUNNING = CLOCK_STATUSES;
type ReclockCursor = [status: number, lastActivityAt: number, id: string];

/** Changes to an inbox's hours or targets: spread into its update so the sweep re-sets its clocks. */
export const RECLOCK = { slaReclockPending: true, slaReclockCursor: null } as const;

export async function reclockInboxes(db: Db, env: Env, limit: number) {
  const pending = await db
    .select({ id: inboxes.id, cursor: inboxes.slaReclockCursor })
    .from(inboxes)
    .where(eq(inboxes.slaReclockPending, true))
    .limit(limit);
  let budget = limit;
  let reclocked = 0;
  for (const inbox of pending) {
    if (budget <= 0) break;
    let cursor = (inbox.cursor ? JSON.parse(inbox.cursor) : [0, -1, ""]) as ReclockCursor;
    while (budget > 0 && cursor[0] < RUNNING.length) {
      const [status, at, id] = cursor;
      const asked = budget;
      const page = await db
        .select({ id: conversations.id, lastActivityAt: conversations.lastActivityAt })
        .from(conversations)
        .where(
          and(
            eq(conversations.inboxId, inbox.id),
            eq(conversations.status, RUNNING[status]!),
            sql`(${conversations.lastActivityAt}, ${conversations.id}) > (${at}, ${id})`,
          ),
        )
        .orderBy(asc(conversations.lastActivityAt), asc(conversations.id))
        .limit(asked);
      const results = await askRooms(page, (c) => getConversationRoom(env, c.id).reclock(c.id));
      reclocked += results.filter((r) => r?.ok && r.value.changed).length;
      budget -= page.length;
      const last = page.at(-1);
      // A full page may have more after it; a short one ends this status. A conversation
      // written meanwhile moves to the walk's end (and its own write re-set its clock anyway).
      cursor = page.length === asked && last ? [status, last.lastActivityAt, last.id] : [status + 1, -1, ""];
    }
    const done = cursor[0] >= RUNNING.length;
    // Only if nobody changed the terms again meanwhile (that starts the walk over).
    await db
      .update(inboxes)
      .set(done ? { slaReclockPending: false, slaReclockCursor: null } : { slaReclockCursor: JSON.stringify(cursor) })
      .where(and(eq(inboxes.id, inbox.id), sql`${inboxes.slaReclockCursor} IS ${inbox.cursor}`));
  }
  return { inboxes: pending.length, reclocked };
}
