/**
 * The room's side of SLA clocks and service metrics (domain/sla.ts says what
 * they mean): the inbox's terms read before a commit, the happenings a
 * change's items stand for, the columns that keep them, and the replay that
 * back-fills a conversation written before metrics existed.
 */
import { asc, eq } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { clocksRun, NO_SLA, type Notification, type SlaKind, type Status, type TimelineEvent } from "../contract";
import { newId } from "../lib/ids";
import { iso } from "../lib/time";
import type { Db } from "../db/client";
import { type conversations, ratings, timelineItems } from "../db/schema";
import {
  type Clock,
  currentClock,
  type Happening,
  newTracked,
  type Terms,
  type Tracked,
  trackAll,
} from "../domain/sla";
import { type RollupPlace, rollupWrites } from "../reports/rollups";
import type { RoomState } from "./room-writes";

/** What an item stands for, if anything: a customer waiting, an answer, a resolve, a reopening, a stop. */
export function happeningOf(item: {
  kind: string;
  authorType: string;
  authorId: string | null;
  event: TimelineEvent | null;
  createdAt: number;
}): Happening | null {
  const at = item.createdAt;
  if (item.kind === "customer") return { type: "customer", at };
  if (item.kind === "reply")
    return item.authorType === "user" && item.authorId ? { type: "reply", at, agentId: item.authorId } : null;
  const e = item.event;
  if (e?.type !== "status_changed") return null;
  if (e.to === "resolved") return { type: "resolved", at };
  if (e.to === "spam" || e.to === "merged") return { type: "closed", at };
  if (e.from === "resolved") return { type: "reopened", at };
  return null;
}

/** The conversation columns that keep `tracked`. */
export function trackedColumns(t: Tracked) {
  return {
    slaKind: t.clock?.kind ?? null,
    slaStartedAt: t.clock?.startedAt ?? null,
    slaDueAt: t.clock?.dueAt ?? null,
    slaBreached: t.clock?.breached ?? false,
    firstResponseAt: t.firstResponseAt,
    firstResponseSeconds: t.firstResponseSeconds,
    repliesCount: t.repliesCount,
    resolvedAt: t.resolvedAt,
    resolutionSeconds: t.resolutionSeconds,
    reopenCount: t.reopenCount,
    waitingSince: t.waitingSince,
    openedAt: t.openedAt,
  } satisfies Partial<typeof conversations.$inferInsert>;
}

/** `tracked` as stored on the conversation's row. */
export function trackedOf(row: typeof conversations.$inferSelect): Tracked {
  return {
    createdAt: row.createdAt,
    openedAt: row.openedAt ?? row.createdAt,
    waitingSince: row.waitingSince,
    firstResponseAt: row.firstResponseAt,
    firstResponseSeconds: row.firstResponseSeconds,
    repliesCount: row.repliesCount,
    resolvedAt: row.resolvedAt,
    resolutionSeconds: row.resolutionSeconds,
    reopenCount: row.reopenCount,
    clock:
      row.slaKind && row.slaStartedAt !== null && row.slaDueAt !== null
        ? { kind: row.slaKind, startedAt: row.slaStartedAt, dueAt: row.slaDueAt, breached: row.slaBreached }
        : null,
  };
}

/** Where a conversation's tallies count. */
export const placeOf = (
  state: { workspaceId: string; inboxId: string; teamId: string | null; assigneeId: string | null },
  terms: Terms,
): RollupPlace => ({
  workspaceId: state.workspaceId,
  inboxId: state.inboxId,
  teamId: state.teamId,
  assigneeId: state.assigneeId,
  timeZone: terms.hours?.timeZone ?? "UTC",
});

/**
 * The back-fill of one conversation from before metrics (metrics_recorded 0):
 * its timeline and ratings replayed through the same rules as live writes,
 * with today's business hours and no targets (there were none then), then the
 * clock set by today's targets. Every tally counts where the conversation is
 * now (inbox, team, assignee); a reply is its author's. The caller writes the
 * rollups with the tracked columns and metrics_recorded 1 in one batch, so it
 * happens once.
 */
export async function replay(
  db: Db,
  state: {
    id: string;
    workspaceId: string;
    inboxId: string;
    teamId: string | null;
    assigneeId: string | null;
    status: Status;
  },
  terms: Terms,
): Promise<{ tracked: Tracked; rollups: BatchItem<"sqlite">[] }> {
  const [items, rated] = await Promise.all([
    db
      .select({
        kind: timelineItems.kind,
        authorType: timelineItems.authorType,
        authorId: timelineItems.authorId,
        event: timelineItems.event,
        createdAt: timelineItems.createdAt,
      })
      .from(timelineItems)
      .where(eq(timelineItems.conversationId, state.id))
      .orderBy(asc(timelineItems.seq)),
    db
      .select({ score: ratings.score, createdAt: ratings.createdAt })
      .from(ratings)
      .where(eq(ratings.conversationId, state.id)),
  ]);
  const [first] = items;
  const createdAt = first?.createdAt ?? Date.now();
  const happenings: Happening[] = [
    { type: "created" as const, at: createdAt },
    ...items.flatMap((i) => happeningOf(i) ?? []),
    ...rated.map((r) => ({ type: "rated" as const, at: r.createdAt, score: r.score })),
  ].sort((a, b) => a.at - b.at);
  // No targets existed then: the past is measured, not judged.
  const past = trackAll(newTracked(createdAt), happenings, { hours: terms.hours, targets: NO_SLA }, false);
  const tracked = { ...past.tracked, clock: currentClock(past.tracked, clocksRun(state.status), terms) };
  return { tracked, rollups: rollupWrites(db, placeOf(state, terms), past.tallies) };
}

const CLOCK_NAMES: Record<SlaKind, string> = {
  first_response: "First response",
  next_response: "Next response",
  resolution: "Resolution",
};

/** The in-app notifications of a breach, one per person told. */
export function breachNotices(
  state: Pick<RoomState, "id" | "subject">,
  clock: Clock,
  userIds: readonly string[],
  now: number,
): { userId: string; notification: Notification }[] {
  const preview = `${CLOCK_NAMES[clock.kind]} is overdue (was due ${iso(clock.dueAt).slice(0, 16).replace("T", " ")} UTC)${state.subject ? ` · ${state.subject}` : ""}`;
  return userIds.map((userId) => ({
    userId,
    notification: {
      id: newId("nt"),
      kind: "sla",
      conversationId: state.id,
      actor: { id: null, name: "Switchboard" },
      preview: preview.slice(0, 200),
      createdAt: iso(now),
      readAt: null,
    },
  }));
}
