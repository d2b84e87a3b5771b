/** Pure helpers of the reports page (no DOM: unit-tested in test/worker): ranges, durations, percentages, CSV. */
import type { ReportRow } from "../../../../worker/contract";

export const PRESETS = [7, 30, 90] as const;
export type Preset = (typeof PRESETS)[number];
export const DEFAULT_PRESET: Preset = 30;

export const GROUPINGS = ["agent", "inbox", "team", "day"] as const;
export type Grouping = (typeof GROUPINGS)[number];

/** A local calendar date, "YYYY-MM-DD" (rollup days are the inbox's local days). */
export function localDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The `days` days up to today, both ends included. */
export function presetRange(days: number, today = new Date()): { from: string; to: string } {
  const start = new Date(today.getFullYear(), today.getMonth(), today.getDate() - (days - 1));
  return { from: localDay(start), to: localDay(today) };
}

export { formatDuration } from "../../../lib/duration";

/** A share as a whole percentage, "—" when there is nothing to divide. */
export const formatPercent = (share: number | null): string => (share === null ? "—" : `${Math.round(share * 100)} %`);

/** "4.25" for an average rating, "—" without ratings. */
export const formatRating = (average: number | null): string => (average === null ? "—" : average.toFixed(2));

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break.
 * Text that a spreadsheet would run as a formula (=, +, -, @ first) is
 * prefixed with an apostrophe, so a name like "=HYPERLINK(…)" stays text.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "number") return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const COLUMNS: [string, (r: ReportRow) => string | number | null][] = [
  ["created", (r) => r.created],
  ["resolved", (r) => r.resolved],
  ["reopened", (r) => r.reopened],
  ["replies", (r) => r.replies],
  ["first_responses", (r) => r.firstResponse.count],
  ["first_response_median_seconds", (r) => r.firstResponse.median],
  ["first_response_p90_seconds", (r) => r.firstResponse.p90],
  ["resolutions", (r) => r.resolution.count],
  ["resolution_median_seconds", (r) => r.resolution.median],
  ["resolution_p90_seconds", (r) => r.resolution.p90],
  ["ratings", (r) => r.rating.count],
  ["rating_average", (r) => r.rating.average],
  ...[1, 2, 3, 4, 5].map((stars): [string, (r: ReportRow) => number] => [
    `ratings_${stars}_star`,
    (r) => r.rating.distribution[stars - 1] ?? 0,
  ]),
  ["sla_met", (r) => r.sla.met],
  ["sla_missed", (r) => r.sla.missed],
  ["sla_hit_rate", (r) => r.sla.hitRate],
];

/** The rows of a grouping as CSV: a header, then one line per row (CRLF line ends, as RFC 4180 has them). */
export function reportCsv(grouping: Grouping, rows: readonly ReportRow[]): string {
  const byDay = grouping === "day";
  const head = [...(byDay ? ["day"] : [grouping, `${grouping}_id`]), ...COLUMNS.map(([name]) => name)];
  const lines = rows.map((r) =>
    [...(byDay ? [r.label] : [r.label, r.key]), ...COLUMNS.map(([, get]) => get(r))].map(csvField).join(","),
  );
  return `${[head.join(","), ...lines].join("\r\n")}\r\n`;
}

/** "switchboard-report-by-agent-2026-10-28-to-2026-11-26.csv" */
export const csvFileName = (grouping: Grouping, from: string, to: string) =>
  `switchboard-report-by-${grouping}-${from}-to-${to}.csv`;
