/**
 * Times in the agent's own time zone (their preference, not the browser's):
 * labels for snooze times and the datetime-local field's value.
 */
import { zonedTime } from "../../../../worker/domain/snooze";

/** The zone's calendar day of `t`, as "YYYY-MM-DD", for comparing days. */
function dayKey(t: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(t);
}

function clock(t: number, timeZone: string): string {
  return new Intl.DateTimeFormat(undefined, { timeZone, hour: "numeric", minute: "2-digit" }).format(t);
}

/** "Today 3:40 PM", "Tomorrow 9:00 AM", "Mon, Jan 19, 9:00 AM" — in `timeZone`. */
export function wakeLabel(t: number, now: number, timeZone: string): string {
  const day = dayKey(t, timeZone);
  if (day === dayKey(now, timeZone)) return `Today ${clock(t, timeZone)}`;
  if (day === dayKey(now + 24 * 60 * 60 * 1000, timeZone)) return `Tomorrow ${clock(t, timeZone)}`;
  const sameYear = day.slice(0, 4) === dayKey(now, timeZone).slice(0, 4);
  return new Intl.DateTimeFormat(undefined, {
    timeZone,
    weekday: "short",
    month: "short",
    day: "numeric",
    ...(sameYear ? {} : { year: "numeric" }),
    hour: "numeric",
    minute: "2-digit",
  }).format(t);
}

/** A preset's wake time for the menu: "4:17 PM" later today, else "Sat, Nov 22, 9:00 AM". */
export function presetLabel(t: number, now: number, timeZone: string): string {
  if (dayKey(t, timeZone) === dayKey(now, timeZone)) return clock(t, timeZone);
  return new Intl.DateTimeFormat(undefined, {
    timeZone,
    weekday: "short",
    month: "short",
    day: "numeric",
    hour: "numeric",
    minute: "2-digit",
  }).format(t);
}

/** `t` as a datetime-local value ("YYYY-MM-DDTHH:mm") on the wall clock of `timeZone`. */
export function toLocalInput(t: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  }).formatToParts(t);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "00";
  return `${get("year")}-${get("month")}-${get("day")}T${get("hour")}:${get("minute")}`;
}

/** A datetime-local value read on the wall clock of `timeZone`; null when incomplete. */
export function fromLocalInput(value: string, timeZone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  return zonedTime(y, mo, d, h, mi, timeZone);
}

/** The zone's short name at `t` ("CET", "GMT+1"), to make clear whose 9:00 it is. */
export function zoneName(t: number, timeZone: string): string {
  return (
    new Intl.DateTimeFormat(undefined, { timeZone, timeZoneName: "short" })
      .formatToParts(t)
      .find((p) => p.type === "timeZoneName")?.value ?? timeZone
  );
}
