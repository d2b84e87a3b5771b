/**
 * Snooze presets, computed in the agent's time zone. Pure: the client offers
 * them, and the server only checks that the chosen time lies in the future.
 */

export type SnoozePreset = "in_1_hour" | "tomorrow" | "next_week";

/** The hour presets wake at, in the agent's time zone. */
const WAKE_HOUR = 9;

/** Wall-clock parts of `instant` in `timeZone`. */
function wallClock(instant: number, timeZone: string) {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    weekday: "short",
  }).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return {
    year: Number(get("year")),
    month: Number(get("month")),
    day: Number(get("day")),
    hour: Number(get("hour")),
    minute: Number(get("minute")),
    second: Number(get("second")),
    weekday: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(get("weekday")),
  };
}

/** The zone's offset from UTC at `instant`, in ms (positive east of Greenwich). */
function offsetAt(instant: number, timeZone: string): number {
  const w = wallClock(instant, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(instant / 1000) * 1000;
}

/** The instant when the wall clock in `timeZone` shows the given local date and time. */
export function zonedTime(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  timeZone: string,
): number {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  const first = guess - offsetAt(guess, timeZone);
  // Around a DST change the offset at the answer may differ from the guess's.
  return guess - offsetAt(first, timeZone);
}

/** When a preset wakes, chosen at `now` by an agent in `timeZone`. */
export function snoozeUntil(preset: SnoozePreset, now: number, timeZone: string): number {
  if (preset === "in_1_hour") return now + 60 * 60 * 1000;
  const today = wallClock(now, timeZone);
  // Date.UTC normalises day overflow (31 + 1 → next month) for us.
  const daysAhead = preset === "tomorrow" ? 1 : (8 - today.weekday) % 7 || 7; // next Monday
  const target = new Date(Date.UTC(today.year, today.month - 1, today.day + daysAhead));
  return zonedTime(target.getUTCFullYear(), target.getUTCMonth() + 1, target.getUTCDate(), WAKE_HOUR, 0, timeZone);
}

/** A snooze is valid only while it lies ahead: waking at or before `now` is refused. */
export function snoozeLiesAhead(until: number, now: number): boolean {
  return until > now;
}
