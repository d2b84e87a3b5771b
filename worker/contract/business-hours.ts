import { z } from "zod";
import { MAX_BUSINESS_INTERVALS, MAX_HOLIDAYS } from "./limits";

const DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] as const;
const MINUTES_PER_DAY = 24 * 60;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;

/** An IANA time zone the runtime knows, in its canonical spelling ("utc" → "UTC"). */
export const TimeZone = z.string().transform((zone, ctx) => {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    ctx.addIssue({ code: "custom", message: `unknown time zone "${zone}"` });
    return z.NEVER;
  }
});

/** A wall-clock time "HH:MM"; `24:00` only as an interval's end. */
const ClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a time like "09:30" (or "24:00")');

/** Minutes since midnight of "HH:MM". */
export function clockMinutes(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

/**
 * One weekly opening: `day` 0 = Sunday … 6 = Saturday. An `end` at or before
 * `start` runs overnight into the next day (22:00–06:00; 09:00–09:00 is 24 hours).
 */
export const BusinessInterval = z
  .strictObject({ day: z.number().int().min(0).max(6), start: ClockTime, end: ClockTime })
  .refine((i) => i.start !== "24:00", { message: "an interval cannot start at 24:00", path: ["start"] });
export type BusinessInterval = z.infer<typeof BusinessInterval>;

/** A local calendar day "YYYY-MM-DD" that exists. */
const LocalDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like "2026-12-25"')
  .refine((d) => {
    // Setting the parts rolls 02-30 over to 03-02, where parsing the string gives an invalid date (and throws).
    const [year, month, day] = d.split("-").map(Number) as [number, number, number];
    const at = new Date(0);
    at.setUTCFullYear(year, month - 1, day);
    return at.getUTCFullYear() === year && at.getUTCMonth() === month - 1 && at.getUTCDate() === day;
  }, "no such date");

/** The interval's minutes on the week's circle (0 = Sunday 00:00), as one or two linear pieces. */
function weekPieces(i: BusinessInterval): [number, number][] {
  const start = i.day * MINUTES_PER_DAY + clockMinutes(i.start);
  const length = ((clockMinutes(i.end) - clockMinutes(i.start) + MINUTES_PER_DAY - 1) % MINUTES_PER_DAY) + 1;
  const end = start + length;
  return end <= MINUTES_PER_WEEK
    ? [[start, end]]
    : [
        [start, MINUTES_PER_WEEK],
        [0, end - MINUTES_PER_WEEK],
      ];
}

const intervalLabel = (i: BusinessInterval) => `${DAY_NAMES[i.day]} ${i.start}–${i.end}`;

/**
 * An inbox's business hours: wall-clock intervals in `timeZone`, minus
 * `holidays`. Overlapping intervals are refused (touching ones are fine), so
 * the editor shows a mistake instead of silently merging it. A holiday takes
 * away every business minute that falls on its local date, whichever interval
 * it belongs to: Friday 22:00–02:00 before a Saturday holiday counts 22:00–24:00.
 * Open 24/7 is every day 00:00–24:00; an empty `weekly` has no business time
 * at all (SLA clocks in business time then never run out).
 */
export const BusinessHours = z.strictObject({
  timeZone: TimeZone,
  weekly: z
    .array(BusinessInterval)
    .max(MAX_BUSINESS_INTERVALS)
    .superRefine((weekly, ctx) => {
      weekly.forEach((a, j) => {
        const clash = weekly
          .slice(0, j)
          .find((b) => weekPieces(a).some(([a1, a2]) => weekPieces(b).some(([b1, b2]) => a1 < b2 && b1 < a2)));
        if (clash)
          ctx.addIssue({ code: "custom", message: `${intervalLabel(a)} overlaps ${intervalLabel(clash)}`, path: [j] });
      });
    }),
  holidays: z.array(LocalDate).max(MAX_HOLIDAYS),
});
export type BusinessHours = z.output<typeof BusinessHours>;
