/**
 * The write side of reports: a change's tallies (domain/sla.ts) as upserts of
 * report_rollups rows, for the change's own D1 batch. One statement per day ×
 * agent the change touches (usually one), each adding to the row's counters
 * and histograms, so a report never reads conversations.
 */
import { type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/client";
import { reportRollups } from "../db/schema";
import { localDay, type Tally } from "../domain/sla";
import { bucketOf, emptyHistogram } from "./buckets";

/** Where a conversation's tallies count: its workspace, inbox (and the inbox's day), team and assignee. */
export interface RollupPlace {
  workspaceId: string;
  inboxId: string;
  teamId: string | null;
  assigneeId: string | null;
  /** The inbox's business-hours time zone; UTC without one. */
  timeZone: string;
}

const COUNTERS = [
  "created",
  "resolved",
  "reopened",
  "replies",
  "firstResponseCount",
  "firstResponseSum",
  "resolutionCount",
  "resolutionSum",
  "slaMet",
  "slaMissed",
  "ratingCount",
  "ratingSum",
] as const;
type Counter = (typeof COUNTERS)[number];

const HISTOGRAMS = ["firstResponseHist", "resolutionHist", "ratingHist"] as const;
type Histogram = (typeof HISTOGRAMS)[number];

const RANGES = ["firstResponse", "resolution"] as const;
type Range = (typeof RANGES)[number];

interface Sums {
  day: string;
  assigneeId: string;
  counters: Record<Counter, number>;
  histograms: Record<Histogram, number[]>;
  /** The shortest and longest of each latency measured; absent when none was. */
  ranges: Partial<Record<Range, [min: number, max: number]>>;
}

const widen = (range: [number, number] | undefined, value: number): [number, number] =>
  range ? [Math.min(range[0], value), Math.max(range[1], value)] : [value, value];

const RATING_STARS = 5;

/** Adds the tallies up per day × agent. */
export function sumTallies(place: RollupPlace, tallies: readonly Tally[]): Sums[] {
  const groups = new Map<string, Sums>();
  for (const t of tallies) {
    const day = localDay(place.timeZone, t.at);
    const assigneeId = (t.agentId ?? place.assigneeId) || "";
    const key = `${day} ${assigneeId}`;
    let sums = groups.get(key);
    if (!sums) {
      sums = {
        day,
        assigneeId,
        counters: Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Record<Counter, number>,
        histograms: {
          firstResponseHist: emptyHistogram(),
          resolutionHist: emptyHistogram(),
          ratingHist: emptyHistogram(RATING_STARS),
        },
        ranges: {},
      };
      groups.set(key, sums);
    }
    const c = sums.counters;
    c.created += t.created ?? 0;
    c.resolved += t.resolved ?? 0;
    c.reopened += t.reopened ?? 0;
    c.replies += t.replies ?? 0;
    c.slaMet += t.slaMet ?? 0;
    c.slaMissed += t.slaMissed ?? 0;
    if (t.firstResponse !== undefined) {
      c.firstResponseCount++;
      c.firstResponseSum += t.firstResponse;
      sums.histograms.firstResponseHist[bucketOf(t.firstResponse)]!++;
      sums.ranges.firstResponse = widen(sums.ranges.firstResponse, t.firstResponse);
    }
    if (t.resolution !== undefined) {
      c.resolutionCount++;
      c.resolutionSum += t.resolution;
      sums.histograms.resolutionHist[bucketOf(t.resolution)]!++;
      sums.ranges.resolution = widen(sums.ranges.resolution, t.resolution);
    }
    if (t.rating !== undefined) {
      c.ratingCount++;
      c.ratingSum += t.rating;
      sums.histograms.ratingHist[t.rating - 1]!++;
    }
  }
  return [...groups.values()].filter(
    (s) => COUNTERS.some((c) => s.counters[c]) || HISTOGRAMS.some((h) => s.histograms[h].some(Boolean)),
  );
}

/** Upserts adding the tallies to their rollup rows; none when they add nothing. */
export function rollupWrites(db: Db, place: RollupPlace, tallies: readonly Tally[]): BatchItem<"sqlite">[] {
  return sumTallies(place, tallies).map((sums) => {
    const set: Partial<Record<Counter | Histogram | `${Range}${"Min" | "Max"}`, SQL>> = {};
    // Counts are integers made here: written inline, so an upsert binds only its row's values (well under 100).
    for (const c of COUNTERS)
      if (sums.counters[c]) set[c] = sql`${reportRollups[c]} + ${sql.raw(String(sums.counters[c]))}`;
    for (const h of HISTOGRAMS) {
      const added = addToHistogram(reportRollups[h], sums.histograms[h]);
      if (added) set[h] = added;
    }
    for (const r of RANGES) {
      const range = sums.ranges[r];
      if (!range) continue;
      const [min, max] = range.map((v) => sql.raw(String(v)));
      set[`${r}Min`] = sql`min(coalesce(${reportRollups[`${r}Min`]}, ${min}), ${min})`;
      set[`${r}Max`] = sql`max(coalesce(${reportRollups[`${r}Max`]}, ${max}), ${max})`;
    }
    return db
      .insert(reportRollups)
      .values({
        workspaceId: place.workspaceId,
        day: sums.day,
        inboxId: place.inboxId,
        teamId: place.teamId ?? "",
        assigneeId: sums.assigneeId,
        ...sums.counters,
        firstResponseHist: JSON.stringify(sums.histograms.firstResponseHist),
        resolutionHist: JSON.stringify(sums.histograms.resolutionHist),
        ratingHist: JSON.stringify(sums.histograms.ratingHist),
        firstResponseMin: sums.ranges.firstResponse?.[0] ?? null,
        firstResponseMax: sums.ranges.firstResponse?.[1] ?? null,
        resolutionMin: sums.ranges.resolution?.[0] ?? null,
        resolutionMax: sums.ranges.resolution?.[1] ?? null,
      })
      .onConflictDoUpdate({
        target: [
          reportRollups.workspaceId,
          reportRollups.day,
          reportRollups.inboxId,
          reportRollups.teamId,
          reportRollups.assigneeId,
        ],
        set,
      });
  });
}

/** `json_set` adding `counts` to a stored histogram, bucket by bucket; null when it adds nothing. */
function addToHistogram(column: SQLiteColumn, counts: readonly number[]): SQL | null {
  const pairs = counts.flatMap((n, i) =>
    n
      ? [sql`'$[${sql.raw(String(i))}]', json_extract(${column}, '$[${sql.raw(String(i))}]') + ${sql.raw(String(n))}`]
      : [],
  );
  return pairs.length ? sql`json_set(${column}, ${sql.join(pairs, sql`, `)})` : null;
}
