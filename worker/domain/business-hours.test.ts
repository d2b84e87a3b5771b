import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BusinessHours } from "../contract";
import { addBusinessMinutes, businessSecondsBetween, hasBusinessTime, isBusinessTime } from "./business-hours";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const MON_FRI = [1, 2, 3, 4, 5];
/** The same opening on each of `days`. */
const hours = (
  timeZone: string,
  days: number[],
  start: string,
  end: string,
  holidays: string[] = [],
): BusinessHours => ({
  timeZone,
  weekly: days.map((day) => ({ day, start, end })),
  holidays,
});
const EVERY_DAY = [0, 1, 2, 3, 4, 5, 6];

// The reference: minute by minute, each minute's wall clock read with Intl and checked against the schedule as written.

const referenceFormats = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

function wallClockOf(timeZone: string, instant: number) {
  if (!referenceFormats.has(timeZone)) {
    const options = { timeZone, hourCycle: "h23", weekday: "short", year: "numeric", month: "2-digit" } as const;
    referenceFormats.set(
      timeZone,
      new Intl.DateTimeFormat("en-US", { ...options, day: "2-digit", hour: "2-digit", minute: "2-digit" }),
    );
  }
  const parts = Object.fromEntries(
    referenceFormats
      .get(timeZone)!
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: WEEKDAYS.indexOf(parts.weekday!),
    minute: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3));

function referenceIsBusiness(h: BusinessHours, instant: number): boolean {
  const wall = wallClockOf(h.timeZone, instant);
  if (h.holidays.includes(wall.date)) return false;
  return h.weekly.some((i) => {
    const start = minutesOf(i.start);
    const end = minutesOf(i.end);
    if (end > start) return i.day === wall.weekday && start <= wall.minute && wall.minute < end;
    const sameDay = i.day === wall.weekday && wall.minute >= start;
    return sameDay || (i.day === (wall.weekday + 6) % 7 && wall.minute < end);
  });
}

/** Business minutes of a window, with prefix sums so any span inside it is answered exactly. */
function referenceWindow(h: BusinessHours, from: number, minutes: number) {
  const open: boolean[] = [];
  const before = [0];
  for (let k = 0; k < minutes; k++) {
    open.push(referenceIsBusiness(h, from + k * MINUTE));
    before.push(before[k]! + (open[k] ? 1 : 0));
  }
  /** Business ms in [from, t). */
  const upTo = (t: number) => {
    const k = Math.floor((t - from) / MINUTE);
    return before[k]! * MINUTE + (open[k] ? t - from - k * MINUTE : 0);
  };
  return {
    end: from + minutes * MINUTE,
    isBusiness: (t: number) => open[Math.floor((t - from) / MINUTE)],
    secondsBetween: (t1: number, t2: number) => (t2 <= t1 ? 0 : Math.floor((upTo(t2) - upTo(t1)) / 1000)),
    /** The earliest instant with n business minutes since t, or undefined past the window. */
    add(t: number, n: number): number | undefined {
      const target = upTo(t) + n * MINUTE;
      for (let k = Math.floor((t - from) / MINUTE); k < minutes; k++) {
        if (before[k + 1]! * MINUTE >= target) return from + k * MINUTE + (target - before[k]! * MINUTE);
      }
      return undefined;
    },
  };
}

// Arbitraries: zones with and without DST, windows around their changes.

/** Zones with and without DST, each with the instants its clocks change in 2026 (Lord Howe's by half an hour). */
const ZONES: Record<string, string[]> = {
  UTC: ["2026-03-29T01:00:00Z"],
  "Asia/Kathmandu": ["2026-11-01T06:00:00Z"],
  "Europe/Berlin": ["2026-03-29T01:00:00Z", "2026-10-25T01:00:00Z"],
  "America/New_York": ["2026-03-08T07:00:00Z", "2026-11-01T06:00:00Z"],
  "America/St_Johns": ["2026-03-08T05:30:00Z", "2026-11-01T04:30:00Z"],
  "Australia/Lord_Howe": ["2026-04-04T15:00:00Z", "2026-10-03T15:30:00Z"],
  "Pacific/Chatham": ["2026-04-04T14:00:00Z", "2026-09-26T14:00:00Z"],
};
const CHANGES = Object.values(ZONES).flat().map(at);
const zoneAndChange = fc.constantFrom(
  ...Object.entries(ZONES).flatMap(([zone, changes]) => changes.map((c) => [zone, at(c)] as const)),
);
const WINDOW_MINUTES = 5 * 24 * 60;

const clock = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
/** Minutes of the day, biased towards the hours clocks change at. */
const minuteOfDay = (max: number) =>
  fc.oneof(fc.integer({ min: 0, max }), fc.constantFrom(0, 60, 90, 120, 150, 165, 180, 225, max));
const interval = fc.record({
  day: fc.integer({ min: 0, max: 6 }),
  start: minuteOfDay(1439).map(clock),
  end: minuteOfDay(1440).map(clock),
});

/** A schedule (overlaps allowed: the maths takes the union) in a window of five days around a change of its zone's clocks. */
const scenario = fc
  .record({
    zone: zoneAndChange,
    shiftMinutes: fc.integer({ min: -4 * 24 * 60, max: 0 }),
    weekly: fc.array(interval, { minLength: 0, maxLength: 6 }),
    holidayDays: fc.uniqueArray(fc.integer({ min: 0, max: 5 }), { maxLength: 2 }),
  })
  .map(({ zone: [timeZone, change], shiftMinutes, weekly, holidayDays }) => {
    const from = change + shiftMinutes * MINUTE;
    const holidays = holidayDays.map((d) => wallClockOf(timeZone, from + d * DAY).date);
    const h: BusinessHours = { timeZone, weekly, holidays };
    return { h, from };
  });
/** Fractions of the window, to place instants in it. */
const spots = fc.array(
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
  {
    minLength: 1,
    maxLength: 25,
  },
);
const PROPERTY_RUNS = { numRuns: 40 };

describe("business hours against a minute-by-minute reference", () => {
  it("counts the business seconds between two instants", () => {
    fc.assert(
      fc.property(scenario, spots, ({ h, from }, pairs) => {
        const reference = referenceWindow(h, from, WINDOW_MINUTES);
        for (const [x, y] of pairs) {
          const t1 = from + Math.floor(x * (reference.end - from - 1));
          const t2 = from + Math.floor(y * (reference.end - from - 1));
          expect(businessSecondsBetween(h, t1, t2)).toBe(reference.secondsBetween(t1, t2));
          expect(isBusinessTime(h, t1)).toBe(reference.isBusiness(t1));
        }
      }),
      PROPERTY_RUNS,
    );
  });

  it("finds the instant N business minutes later", () => {
    fc.assert(
      fc.property(scenario, spots, ({ h, from }, pairs) => {
        const reference = referenceWindow(h, from, WINDOW_MINUTES);
        for (const [x, y] of pairs) {
          const t = from + Math.floor(x * (reference.end - from) * 0.5);
          const n = 1 + Math.floor(y * 3 * 24 * 60);
          const expected = reference.add(t, n);
          const actual = addBusinessMinutes(h, t, n);
          if (h.weekly.length === 0) expect(actual).toBeNull();
          else if (expected !== undefined) expect(iso(actual)).toBe(iso(expected));
        }
      }),
      PROPERTY_RUNS,
    );
  });

  it("counts exactly N business minutes up to the instant it finds, over weeks", () => {
    fc.assert(
      fc.property(
        scenario.map((s) => s.h),
        fc.integer({ min: -30 * DAY, max: 30 * DAY }),
        fc.constantFrom(...CHANGES),
        fc.integer({ min: 0, max: 10_000 }),
        (h, shift, change, n) => {
          const t = change + shift;
          const until = addBusinessMinutes(h, t, n);
          if (until === null) expect(h.weekly).toEqual([]);
          else expect(businessSecondsBetween(h, t, until)).toBe(n * 60);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("business hours, by example", () => {
  const berlin = hours("Europe/Berlin", MON_FRI, "09:00", "17:00");

  it("counts 15 business minutes from Friday 16:50 to Monday 09:05 in a 9–17 Mon–Fri inbox", () => {
    // 27 November 2026 is a Friday; Berlin is on CET (UTC+1).
    expect(businessSecondsBetween(berlin, at("2026-11-27T15:50:00Z"), at("2026-11-30T08:05:00Z"))).toBe(900);
  });

  it("adds business minutes across a weekend, and stops on an interval's end itself", () => {
    expect(iso(addBusinessMinutes(berlin, at("2026-11-27T15:50:00Z"), 15))).toBe("2026-11-30T08:05:00.000Z");
    expect(iso(addBusinessMinutes(berlin, at("2026-11-27T15:50:00Z"), 10))).toBe("2026-11-27T16:00:00.000Z");
    // Outside business time the clock waits for the next opening.
    expect(iso(addBusinessMinutes(berlin, at("2026-11-28T10:00:00Z"), 1))).toBe("2026-11-30T08:01:00.000Z");
    expect(iso(addBusinessMinutes(berlin, at("2026-11-28T10:00:00Z"), 0))).toBe("2026-11-28T10:00:00.000Z");
  });

  it("keeps the wall-clock schedule on the nights clocks change: shorter in spring, longer in autumn", () => {
    const nights = (timeZone: string) => hours(timeZone, [6], "22:00", "06:00");
    // Berlin springs forward 02:00 → 03:00 on Sunday 29 March 2026: 22:00–06:00 lasts 7 hours.
    expect(
      businessSecondsBetween(nights("Europe/Berlin"), at("2026-03-28T12:00:00Z"), at("2026-03-29T12:00:00Z")),
    ).toBe(7 * 3600);
    // …and falls back 03:00 → 02:00 on Sunday 25 October 2026: 9 hours, 02:00–03:00 counted twice.
    expect(
      businessSecondsBetween(nights("Europe/Berlin"), at("2026-10-24T12:00:00Z"), at("2026-10-25T12:00:00Z")),
    ).toBe(9 * 3600);
    // Lord Howe moves by half an hour, 02:00 → 02:30, on Sunday 4 October 2026.
    expect(
      businessSecondsBetween(nights("Australia/Lord_Howe"), at("2026-10-03T00:00:00Z"), at("2026-10-04T00:00:00Z")),
    ).toBe(7.5 * 3600);
    // Berlin's night shift starting Saturday 21:00 UTC: 6 hours later is 05:00 CEST, not 04:00.
    expect(iso(addBusinessMinutes(nights("Europe/Berlin"), at("2026-03-28T21:00:00Z"), 6 * 60))).toBe(
      "2026-03-29T03:00:00.000Z",
    );
  });

  it("takes a holiday's whole local day off, even from an overnight interval that runs into it", () => {
    const ny = hours("America/New_York", MON_FRI, "09:00", "17:00", ["2026-12-25"]);
    // Thursday 24 December 12:00 EST to Monday 28 December 12:00 EST: 5 hours Thursday, Friday off, 3 hours Monday.
    expect(businessSecondsBetween(ny, at("2026-12-24T17:00:00Z"), at("2026-12-28T17:00:00Z"))).toBe(8 * 3600);
    const thursdayNight = (holiday: string) => hours("Europe/Berlin", [4], "22:00", "02:00", [holiday]);
    const span = [at("2026-12-24T12:00:00Z"), at("2026-12-25T12:00:00Z")] as const;
    // A holiday on Friday keeps Thursday 22:00–24:00; one on Thursday keeps Friday 00:00–02:00.
    expect(businessSecondsBetween(thursdayNight("2026-12-25"), ...span)).toBe(2 * 3600);
    expect(businessSecondsBetween(thursdayNight("2026-12-24"), ...span)).toBe(2 * 3600);
    expect(isBusinessTime(thursdayNight("2026-12-25"), at("2026-12-24T22:00:00Z"))).toBe(true);
    expect(isBusinessTime(thursdayNight("2026-12-25"), at("2026-12-24T23:30:00Z"))).toBe(false);
  });

  it("treats calendar time (null) and every day 00:00–24:00 as 24/7, a 23-hour day included", () => {
    const t = at("2026-03-28T23:00:00Z"); // Sunday 29 March 00:00 in Berlin
    expect(businessSecondsBetween(null, t, t + DAY)).toBe(24 * 3600);
    expect(iso(addBusinessMinutes(null, t, 90))).toBe("2026-03-29T00:30:00.000Z");
    expect(isBusinessTime(null, t)).toBe(true);
    const always = hours("Europe/Berlin", EVERY_DAY, "00:00", "24:00");
    expect(businessSecondsBetween(always, t, at("2026-03-29T22:00:00Z"))).toBe(23 * 3600);
    expect(iso(addBusinessMinutes(always, t, 7 * 24 * 60))).toBe(iso(t + 7 * DAY));
  });

  it("never reaches a deadline on an empty schedule", () => {
    const closed = hours("UTC", [], "09:00", "17:00");
    expect(hasBusinessTime(closed)).toBe(false);
    expect(businessSecondsBetween(closed, at("2026-01-01T00:00:00Z"), at("2027-01-01T00:00:00Z"))).toBe(0);
    expect(addBusinessMinutes(closed, at("2026-01-01T00:00:00Z"), 1)).toBeNull();
    expect(addBusinessMinutes(closed, at("2026-01-01T00:00:00Z"), 0)).toBe(at("2026-01-01T00:00:00Z"));
    expect(isBusinessTime(closed, at("2026-01-01T12:00:00Z"))).toBe(false);
  });

  it("answers 0 for a span that ends before it starts, and refuses negative minutes", () => {
    expect(businessSecondsBetween(berlin, at("2026-11-30T12:00:00Z"), at("2026-11-30T10:00:00Z"))).toBe(0);
    expect(() => addBusinessMinutes(berlin, at("2026-11-30T12:00:00Z"), -1)).toThrow(RangeError);
  });

  it("handles offsets of a quarter hour", () => {
    const kathmandu = hours("Asia/Kathmandu", MON_FRI, "09:00", "17:00"); // UTC+05:45
    expect(isBusinessTime(kathmandu, at("2026-11-30T03:15:00Z"))).toBe(true);
    expect(isBusinessTime(kathmandu, at("2026-11-30T03:14:59Z"))).toBe(false);
  });

  it("walks a year by days, quickly", () => {
    const ny = hours("America/New_York", MON_FRI, "09:00", "17:00");
    const started = performance.now();
    // 2027 has 261 weekdays (it starts on a Friday); both DST changes fall inside.
    expect(businessSecondsBetween(ny, at("2027-01-01T05:00:00Z"), at("2028-01-01T05:00:00Z"))).toBe(261 * 8 * 3600);
    const deadline = addBusinessMinutes(ny, at("2027-01-01T05:00:00Z"), 261 * 8 * 60);
    expect(iso(deadline)).toBe("2027-12-31T22:00:00.000Z"); // Friday 31 December, 17:00 EST
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe("the BusinessHours contract", () => {
  const valid = { timeZone: "europe/berlin", weekly: [{ day: 1, start: "09:00", end: "17:00" }], holidays: [] };
  const messages = (input: unknown) => BusinessHours.safeParse(input).error?.issues.map((i) => i.message) ?? [];

  it("accepts a schedule and spells its zone canonically", () => {
    expect(BusinessHours.parse(valid).timeZone).toBe("Europe/Berlin");
    expect(BusinessHours.parse({ ...valid, timeZone: "utc" }).timeZone).toBe("UTC");
  });

  it("refuses unknown zones, impossible times and dates", () => {
    expect(messages({ ...valid, timeZone: "Mars/Olympus" })).toEqual(['unknown time zone "Mars/Olympus"']);
    expect(messages({ ...valid, weekly: [{ day: 7, start: "09:00", end: "17:00" }] })).toHaveLength(1);
    expect(messages({ ...valid, weekly: [{ day: 1, start: "24:00", end: "02:00" }] })).toEqual([
      "an interval cannot start at 24:00",
    ]);
    expect(messages({ ...valid, weekly: [{ day: 1, start: "9:00", end: "17:60" }] })).toHaveLength(2);
    expect(messages({ ...valid, holidays: ["2026-02-30"] })).toEqual(["no such date"]);
  });

  it("refuses overlapping intervals, overnight ones and the week's wrap included, and accepts touching ones", () => {
    const weekly = (...intervals: [number, string, string][]) => ({
      ...valid,
      weekly: intervals.map(([day, start, end]) => ({ day, start, end })),
    });
    expect(messages(weekly([1, "09:00", "17:00"], [1, "12:00", "18:00"]))).toEqual([
      "Monday 12:00–18:00 overlaps Monday 09:00–17:00",
    ]);
    expect(messages(weekly([6, "22:00", "06:00"], [0, "05:00", "09:00"]))).toEqual([
      "Sunday 05:00–09:00 overlaps Saturday 22:00–06:00",
    ]);
    expect(messages(weekly([1, "09:00", "09:00"], [2, "08:00", "10:00"]))).toHaveLength(1);
    expect(messages(weekly([6, "22:00", "24:00"], [0, "00:00", "06:00"], [0, "06:00", "22:00"]))).toEqual([]);
  });
});
