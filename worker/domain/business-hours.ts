/**
 * Business-time arithmetic for SLA clocks and metrics. Pure: the zone's wall
 * clock comes from Intl, nothing reads the current time.
 *
 * An instant is business time when its wall clock in the schedule's zone falls
 * inside a weekly interval and its local date is no holiday. So daylight
 * saving changes the length of the day, not the schedule: 01:00–04:00 lasts
 * two hours the night clocks spring forward and four the night they fall back.
 * `null` hours mean calendar time (every instant counts), which is what an
 * inbox without business hours, or an SLA in calendar time, asks for.
 *
 * Spans are walked a local day (or a part of one, up to an offset change) at a
 * time, so a year costs a few hundred steps, not half a million minutes.
 * Assumes a zone changes offset at most once in a day, as all have since 1970.
 */
import { type BusinessHours, clockMinutes } from "../contract";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;

/** Business time of one local day: sorted, disjoint `[from, to)` in ms since local midnight. */
type DayRanges = [number, number][];

interface Schedule {
  format: Intl.DateTimeFormat;
  /** By weekday, 0 = Sunday. */
  days: DayRanges[];
  /** Local dates off, as days since 1970-01-01. */
  holidays: Set<number>;
  lastHoliday: number;
}

/** One stretch of time with a constant offset, inside one local day. */
interface LocalRun {
  start: number;
  end: number;
  /** The local date, as days since 1970-01-01. */
  day: number;
  /** The wall clock at `start`, in ms since local midnight. */
  wallStart: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formats.set(timeZone, format); // building a formatter costs far more than using one
  }
  return format;
}

/** The zone's offset from UTC at `instant`, in ms (positive east of Greenwich). */
function offsetAt(format: Intl.DateTimeFormat, instant: number): number {
  const p = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const { type, value } of format.formatToParts(instant)) if (type in p) p[type as keyof typeof p] = Number(value);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - (instant - (((instant % SECOND) + SECOND) % SECOND));
}

function compile(hours: BusinessHours): Schedule {
  const days: DayRanges[] = [[], [], [], [], [], [], []];
  for (const interval of hours.weekly) {
    const start = clockMinutes(interval.start) * MINUTE;
    const end = clockMinutes(interval.end) * MINUTE;
    if (end > start) days[interval.day]!.push([start, end]);
    else {
      days[interval.day]!.push([start, DAY]);
      if (end > 0) days[(interval.day + 1) % 7]!.push([0, end]);
    }
  }
  const holidays = new Set(hours.holidays.map((d) => Date.parse(`${d}T00:00:00Z`) / DAY));
  return {
    format: formatFor(hours.timeZone),
    days: days.map(merge),
    holidays,
    lastHoliday: Math.max(-Infinity, ...holidays),
  };
}

/** The union of ranges, sorted: the contract refuses overlaps, but the maths does not rely on it. */
function merge(ranges: DayRanges): DayRanges {
  const merged: DayRanges = [];
  for (const [from, to] of [...ranges].sort((a, b) => a[0] - b[0])) {
    const last = merged.at(-1);
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged;
}

function rangesOn(schedule: Schedule, day: number): DayRanges {
  // 1970-01-01 was a Thursday.
  return schedule.holidays.has(day) ? [] : schedule.days[(((day + 4) % 7) + 7) % 7]!;
}

/** Cuts `[from, to)` into runs of constant offset, each inside one local day. */
function* localRuns(format: Intl.DateTimeFormat, from: number, to: number): Generator<LocalRun> {
  let start = from;
  while (start < to) {
    const offset = offsetAt(format, start);
    const wall = start + offset;
    const day = Math.floor(wall / DAY);
    let end = Math.min(to, (day + 1) * DAY - offset);
    if (offsetAt(format, end - 1) !== offset) end = nextChange(format, start, end - 1, offset);
    yield { start, end, day, wallStart: wall - day * DAY };
    start = end;
  }
}

/** The first instant after `before` (which has `offset`) and at most `after` (which has not) with another offset. */
function nextChange(format: Intl.DateTimeFormat, before: number, after: number, offset: number): number {
  while (after - before > 1) {
    const mid = Math.floor((before + after) / 2);
    if (offsetAt(format, mid) === offset) before = mid;
    else after = mid;
  }
  return after;
}

/** Business time of a run, range by range, as `[from, to)` instants in order. */
function* businessIn(schedule: Schedule, run: LocalRun): Generator<[number, number]> {
  const wallEnd = run.wallStart + (run.end - run.start);
  for (const [from, to] of rangesOn(schedule, run.day)) {
    const a = Math.max(from, run.wallStart);
    const b = Math.min(to, wallEnd);
    if (a < b) yield [run.start + (a - run.wallStart), run.start + (b - run.wallStart)];
  }
}

/** Business time in `[t1, t2)`, in ms; 0 when `t2` is not after `t1`. */
export function businessMsBetween(hours: BusinessHours | null, t1: number, t2: number): number {
  if (t2 <= t1) return 0;
  if (hours === null) return t2 - t1;
  const schedule = compile(hours);
  if (!schedule.days.some((ranges) => ranges.length)) return 0;
  let total = 0;
  for (const run of localRuns(schedule.format, t1, t2)) {
    for (const [a, b] of businessIn(schedule, run)) total += b - a;
  }
  return total;
}

/** Whole business seconds in `[t1, t2)`: what SLA metrics record. 0 when `t2` is not after `t1`. */
export function businessSecondsBetween(hours: BusinessHours | null, t1: number, t2: number): number {
  return Math.floor(businessMsBetween(hours, t1, t2) / SECOND);
}

/**
 * The earliest instant with `minutes` of business time since `t`: a deadline
 * that falls at the end of an interval is that end (Friday 16:50 + 10 minutes
 * in a 9–17 week is Friday 17:00, not Monday 09:00). `t` itself for 0 minutes;
 * `null` when the schedule has no business time (the deadline never comes).
 */
export function addBusinessMinutes(hours: BusinessHours | null, t: number, minutes: number): number | null {
  if (!Number.isFinite(minutes) || minutes < 0) throw new RangeError(`minutes must be 0 or more, not ${minutes}`);
  let remaining = Math.round(minutes * MINUTE);
  if (remaining === 0) return t;
  if (hours === null) return t + remaining;
  const schedule = compile(hours);
  if (!schedule.days.some((ranges) => ranges.length)) return null;
  // Past the last holiday every weekday comes round within a week (two, should a range sit in a DST gap):
  // a guard against looping for ever, which a valid schedule never meets.
  let giveUpAfter = Math.max(schedule.lastHoliday, Math.floor(t / DAY) + 1) + 16;
  for (const run of localRuns(schedule.format, t, Number.POSITIVE_INFINITY)) {
    if (run.day > giveUpAfter) return null;
    for (const [a, b] of businessIn(schedule, run)) {
      if (remaining <= b - a) return a + remaining;
      remaining -= b - a;
      giveUpAfter = Math.max(giveUpAfter, run.day + 16);
    }
  }
  return null;
}

/** Whether `t` is business time (always, for calendar time). */
export function isBusinessTime(hours: BusinessHours | null, t: number): boolean {
  if (hours === null) return true;
  const schedule = compile(hours);
  const wall = t + offsetAt(schedule.format, t);
  const day = Math.floor(wall / DAY);
  return rangesOn(schedule, day).some(([from, to]) => from <= wall - day * DAY && wall - day * DAY < to);
}

/** Whether the schedule has any business time at all (calendar time has). */
export function hasBusinessTime(hours: BusinessHours | null): boolean {
  return hours === null || hours.weekly.length > 0;
}
