/**
 * The read side of reports: sums of the daily rollups (report_rollups) over a
 * range of days, never the conversations themselves, so a report's cost grows
 * with days × inboxes × teams × assignees, not with the conversations held.
 */
import { and, eq, sql } from "drizzle-orm";
import {
  MAX_REPORT_DAYS,
  type Access,
  type Report,
  type ReportNumbers,
  type ReportQuery,
  type ReportRow,
} from "../contract";
import { seesEveryInbox } from "../domain/access";
import type { Actor } from "../env";
import { AppError } from "../errors";
import { inJson } from "../db/chunks";
import type { Db } from "../db/client";
import { inboxes, reportRollups, teams, users } from "../db/schema";
import { emptyHistogram, quantile } from "./buckets";

const DAY_MS = 86_400_000;
/** Days a report covers when the query names no range. */
export const DEFAULT_REPORT_DAYS = 30;

/** The UTC calendar date of a moment, "YYYY-MM-DD". */
export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

const addDays = (day: string, n: number): string => utcDay(Date.parse(day) + n * DAY_MS);

/** Every day from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) out.push(day);
  return out;
}

/**
 * The range a query asks for: the named days, or the last DEFAULT_REPORT_DAYS
 * days up to `today` around a missing end. Checked again here because a
 * default end can make a range the schema could not see backwards or too long.
 */
export function resolveRange(query: Pick<ReportQuery, "from" | "to">, today: string): { from: string; to: string } {
  const to = query.to ?? (query.from && query.from > today ? query.from : today);
  const from = query.from ?? addDays(to, -(DEFAULT_REPORT_DAYS - 1));
  if (from > to) {
    throw new AppError("validation_failed", "The query string is not valid", [
      { path: ["from"], message: "from must not be after to", code: "custom" },
    ]);
  }
  if ((Date.parse(to) - Date.parse(from)) / DAY_MS >= MAX_REPORT_DAYS) {
    throw new AppError("validation_failed", "The query string is not valid", [
      { path: ["to"], message: `a report covers at most ${MAX_REPORT_DAYS} days`, code: "custom" },
    ]);
  }
  return { from, to };
}

type Rollup = typeof reportRollups.$inferSelect;

/** The running sums of one row of a report. */
interface Sums {
  created: number;
  resolved: number;
  reopened: number;
  replies: number;
  firstResponse: number[];
  resolution: number[];
  /** The shortest and longest of each, while every row that measured one knows them. */
  firstResponseRange: Range;
  resolutionRange: Range;
  slaMet: number;
  slaMissed: number;
  ratingCount: number;
  ratingSum: number;
  ratings: number[];
}

const emptySums = (): Sums => ({
  created: 0,
  resolved: 0,
  reopened: 0,
  replies: 0,
  firstResponse: emptyHistogram(),
  resolution: emptyHistogram(),
  firstResponseRange: { known: true, span: null },
  resolutionRange: { known: true, span: null },
  slaMet: 0,
  slaMissed: 0,
  ratingCount: 0,
  ratingSum: 0,
  ratings: emptyHistogram(5),
});

/** Adds a stored histogram (a JSON array of counts) into `into`, bucket by bucket; a malformed one adds nothing. */
function addHistogram(into: number[], stored: string): void {
  let counts: unknown;
  try {
    counts = JSON.parse(stored);
  } catch {
    return;
  }
  if (!Array.isArray(counts)) return;
  for (let i = 0; i < into.length && i < counts.length; i++) {
    const n = counts[i];
    if (typeof n === "number" && Number.isFinite(n)) into[i]! += n;
  }
}

/** A latency's measured extent over rows: unknown once a row measured some without keeping it. */
interface Range {
  known: boolean;
  span: [number, number] | null;
}

function widen(range: Range, count: number, min: number | null, max: number | null): void {
  if (!count) return;
  if (min === null || max === null) range.known = false;
  else range.span = range.span ? [Math.min(range.span[0], min), Math.max(range.span[1], max)] : [min, max];
}

function add(sums: Sums, r: Rollup): void {
  widen(sums.firstResponseRange, r.firstResponseCount, r.firstResponseMin, r.firstResponseMax);
  widen(sums.resolutionRange, r.resolutionCount, r.resolutionMin, r.resolutionMax);
  sums.created += r.created;
  sums.resolved += r.resolved;
  sums.reopened += r.reopened;
  sums.replies += r.replies;
  addHistogram(sums.firstResponse, r.firstResponseHist);
  addHistogram(sums.resolution, r.resolutionHist);
  sums.slaMet += r.slaMet;
  sums.slaMissed += r.slaMissed;
  sums.ratingCount += r.ratingCount;
  sums.ratingSum += r.ratingSum;
  addHistogram(sums.ratings, r.ratingHist);
}

const latency = (histogram: number[], range: Range) => {
  const span = range.known ? range.span : null;
  return {
    count: histogram.reduce((a, b) => a + b, 0),
    median: quantile(histogram, 0.5, span),
    p90: quantile(histogram, 0.9, span),
  };
};

/** The numbers a report shows for a set of sums. */
export function numbersOf(s: Sums): ReportNumbers {
  const clocks = s.slaMet + s.slaMissed;
  return {
    created: s.created,
    resolved: s.resolved,
    reopened: s.reopened,
    replies: s.replies,
    firstResponse: latency(s.firstResponse, s.firstResponseRange),
    resolution: latency(s.resolution, s.resolutionRange),
    rating: {
      count: s.ratingCount,
      average: s.ratingCount ? Math.round((s.ratingSum / s.ratingCount) * 100) / 100 : null,
      distribution: s.ratings,
    },
    sla: { met: s.slaMet, missed: s.slaMissed, hitRate: clocks ? s.slaMet / clocks : null },
  };
}

const GROUP_COLUMN = { agent: "assigneeId", inbox: "inboxId", team: "teamId" } as const;
const NONE_LABEL = { agent: "Unassigned", inbox: "No inbox", team: "No team" } as const;
const GONE_LABEL = { agent: "Former agent", inbox: "Deleted inbox", team: "Deleted team" } as const;

/**
 * The statement reading the rollup rows a reader may see in the range, with
 * the query's filters; null when they can see none.
 */
export function rollupsQuery(
  db: Db,
  actor: Pick<Actor, "role" | "workspaceId">,
  grants: Map<string, Access>,
  query: ReportQuery,
  range: { from: string; to: string },
) {
  const everything = seesEveryInbox(actor.role);
  // Someone else's inbox answers like an empty one: its existence is not told.
  if (query.inboxId && !everything && !grants.has(query.inboxId)) return null;
  if (!everything && !grants.size) return null;
  // Narrowed to some inboxes (a filter, or an agent's own), each inbox's days are one seek of
  // (inbox_id, day); the workspace term is written `+workspace_id` so it only filters. A whole
  // workspace seeks the primary key's (workspace_id, day) prefix.
  const inboxes = query.inboxId ? [query.inboxId] : everything ? null : [...grants.keys()];
  return db
    .select()
    .from(reportRollups)
    .where(
      and(
        inboxes
          ? sql`+${reportRollups.workspaceId} = ${actor.workspaceId}`
          : eq(reportRollups.workspaceId, actor.workspaceId),
        sql`${reportRollups.day} BETWEEN ${range.from} AND ${range.to}`,
        // One bound JSON array however many inboxes the agent has (D1 binds at most 100 parameters).
        inboxes ? inJson(reportRollups.inboxId, inboxes) : undefined,
        query.teamId ? eq(reportRollups.teamId, query.teamId) : undefined,
        query.assigneeId ? eq(reportRollups.assigneeId, query.assigneeId) : undefined,
      ),
    );
}

/** Names of the agents, inboxes or teams the rows are grouped by (deactivated agents included). */
async function namesOf(
  db: Db,
  workspaceId: string,
  groupBy: keyof typeof GROUP_COLUMN,
  ids: string[],
): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const table = groupBy === "agent" ? users : groupBy === "inbox" ? inboxes : teams;
  const rows = await db
    .select({ id: table.id, name: table.name })
    .from(table)
    .where(and(eq(table.workspaceId, workspaceId), inJson(table.id, ids)));
  return new Map(rows.map((r) => [r.id, r.name]));
}

const byLabel = (a: ReportRow, b: ReportRow) =>
  a.key === null ? 1 : b.key === null ? -1 : a.label.localeCompare(b.label) || a.key.localeCompare(b.key);

/** `GET /api/reports`: the reader's report over a range, grouped by day, agent, inbox or team. */
export async function buildReport(
  db: Db,
  actor: Pick<Actor, "role" | "workspaceId">,
  grants: Map<string, Access>,
  query: ReportQuery,
  today: string,
): Promise<Report> {
  const range = resolveRange(query, today);
  const rollups: Rollup[] = (await rollupsQuery(db, actor, grants, query, range)) ?? [];
  const totals = emptySums();
  const groups = new Map<string, Sums>();
  const groupKey = query.groupBy === "day" ? "day" : GROUP_COLUMN[query.groupBy];
  if (query.groupBy === "day") for (const day of daysBetween(range.from, range.to)) groups.set(day, emptySums());
  for (const r of rollups) {
    add(totals, r);
    const key = r[groupKey];
    const sums = groups.get(key) ?? emptySums();
    groups.set(key, sums);
    add(sums, r);
  }

  let rows: ReportRow[];
  if (query.groupBy === "day") {
    rows = [...groups].map(([day, sums]) => ({ key: day, label: day, ...numbersOf(sums) }));
  } else {
    const by = query.groupBy;
    const names = await namesOf(
      db,
      actor.workspaceId,
      by,
      [...groups.keys()].filter((k) => k !== ""),
    );
    rows = [...groups]
      .map(([key, sums]) => ({
        key: key === "" ? null : key,
        label: key === "" ? NONE_LABEL[by] : (names.get(key) ?? GONE_LABEL[by]),
        ...numbersOf(sums),
      }))
      .sort(byLabel);
  }
  return { from: range.from, to: range.to, groupBy: query.groupBy, totals: numbersOf(totals), rows };
}
