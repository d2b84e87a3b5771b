/**
 * Business hours and SLA targets as an admin reads them: one-line summaries,
 * durations in the largest whole unit, the editor's presets. Pure: no DOM.
 */
import type { BusinessHours, BusinessInterval, SlaTargets } from "../../../../worker/contract";

/** Weekdays in the order a week is shown (Monday first), with the contract's numbers (0 = Sunday). */
export const WEEK = [
  { day: 1, name: "Monday", short: "Mon" },
  { day: 2, name: "Tuesday", short: "Tue" },
  { day: 3, name: "Wednesday", short: "Wed" },
  { day: 4, name: "Thursday", short: "Thu" },
  { day: 5, name: "Friday", short: "Fri" },
  { day: 6, name: "Saturday", short: "Sat" },
  { day: 0, name: "Sunday", short: "Sun" },
] as const;

const every = (days: number[], start: string, end: string): BusinessInterval[] =>
  days.map((day) => ({ day, start, end }));

/** The editor's quick presets. */
export const PRESETS: { label: string; weekly: BusinessInterval[] }[] = [
  { label: "Mon–Fri 9–17", weekly: every([1, 2, 3, 4, 5], "09:00", "17:00") },
  { label: "24/7", weekly: every([0, 1, 2, 3, 4, 5, 6], "00:00", "24:00") },
];

/** The browser's own time zone: where a new schedule starts. */
export const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Every zone the browser knows, with `current` in it even when the list leaves it out ("UTC" in some engines). */
export function timeZones(current: string): string[] {
  const known = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return known.includes(current) ? known : [current, ...known].sort();
}

/** Sorted by start, so a day's intervals read in order. */
const byStart = (a: BusinessInterval, b: BusinessInterval) => a.start.localeCompare(b.start);

function dayHours(weekly: BusinessInterval[], day: number): string {
  return weekly
    .filter((i) => i.day === day)
    .sort(byStart)
    .map((i) => `${i.start}–${i.end}`)
    .join(", ");
}

/** "Mon–Fri 09:00–17:00, Sat 10:00–14:00": runs of weekdays with the same hours, closed days left out. */
export function weeklySummary(weekly: BusinessInterval[]): string {
  const runs: { from: number; to: number; hours: string }[] = [];
  WEEK.forEach(({ day }, index) => {
    const hours = dayHours(weekly, day);
    const last = runs.at(-1);
    if (!hours) return;
    if (last && last.hours === hours && last.to === index - 1) last.to = index;
    else runs.push({ from: index, to: index, hours });
  });
  if (runs.length === 1 && runs[0]!.from === 0 && runs[0]!.to === 6 && runs[0]!.hours === "00:00–24:00")
    return "Open 24/7";
  const days = (r: (typeof runs)[number]) =>
    r.from === r.to ? WEEK[r.from]!.short : `${WEEK[r.from]!.short}–${WEEK[r.to]!.short}`;
  return runs.map((r) => `${days(r)} ${r.hours}`).join(", ");
}

/** "Mon–Fri 09:00–17:00 Europe/Berlin, 1 holiday", or that every hour counts. */
export function hoursSummary(hours: BusinessHours | null): string {
  if (!hours) return "Every hour counts (24/7)";
  const weekly = hours.weekly.length ? weeklySummary(hours.weekly) : "Closed all week";
  const holidays = hours.holidays.length
    ? `, ${hours.holidays.length} holiday${hours.holidays.length === 1 ? "" : "s"}`
    : "";
  return `${weekly} ${hours.timeZone}${holidays}`;
}

export type DurationUnit = "minutes" | "hours" | "days";

export const UNIT_MINUTES: Record<DurationUnit, number> = { minutes: 1, hours: 60, days: 24 * 60 };

/** Minutes as an amount of the largest unit that holds them whole: 120 → 2 hours, 90 → 90 minutes. */
export function splitMinutes(minutes: number): { amount: number; unit: DurationUnit } {
  if (minutes % UNIT_MINUTES.days === 0) return { amount: minutes / UNIT_MINUTES.days, unit: "days" };
  if (minutes % UNIT_MINUTES.hours === 0) return { amount: minutes / UNIT_MINUTES.hours, unit: "hours" };
  return { amount: minutes, unit: "minutes" };
}

const SHORT_UNIT: Record<DurationUnit, string> = { minutes: "min", hours: "h", days: "d" };

/** "1 h", "2 d", "90 min". */
export function shortDuration(minutes: number): string {
  const { amount, unit } = splitMinutes(minutes);
  return `${amount} ${SHORT_UNIT[unit]}`;
}

export const TARGETS = [
  { key: "firstResponseMinutes", label: "First response", hint: "From a new conversation to the team's first reply." },
  {
    key: "nextResponseMinutes",
    label: "Next response",
    hint: "From a customer's later message to the reply that answers it.",
  },
  { key: "resolutionMinutes", label: "Resolution", hint: "From a new conversation to its resolution." },
] as const;

export type TargetKey = (typeof TARGETS)[number]["key"];

/** "First response 1 h · Resolution 2 d, in business hours", or "No SLA targets". */
export function slaSummary(sla: SlaTargets, hasHours: boolean): string {
  const set = TARGETS.flatMap((t) => {
    const minutes = sla[t.key];
    return minutes === null ? [] : [`${t.label} ${shortDuration(minutes)}`];
  });
  if (!set.length) return "No SLA targets";
  return `${set.join("\u00a0· ")}${sla.businessHoursOnly && hasHours ? " (business hours)" : ""}`;
}
