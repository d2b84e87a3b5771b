import { describe, expect, it } from "vitest";
import { BusinessHours, NO_SLA, type SlaTargets } from "../contract";
import { breachTally, currentClock, type Happening, localDay, newTracked, type Terms, trackAll } from "./sla";

const MIN = 60_000;
/** Mon–Fri 09:00–17:00 in Berlin (UTC+1 in November). */
const officeHours = BusinessHours.parse({
  timeZone: "Europe/Berlin",
  weekly: [1, 2, 3, 4, 5].map((day) => ({ day, start: "09:00", end: "17:00" })),
  holidays: [],
});
const berlin = (local: string) => Date.parse(`${local}+01:00`);
const terms = (targets: Partial<SlaTargets>, hours: BusinessHours | null = officeHours): Terms => ({
  hours,
  targets: { ...NO_SLA, ...targets },
});

function run(t: Terms, happenings: Happening[], running = true) {
  const [created, ...rest] = happenings;
  return trackAll(newTracked(created!.at), [created!, ...rest], t, running);
}

describe("SLA clocks and metrics through a scripted conversation", () => {
  const inbox = terms({
    firstResponseMinutes: 30,
    nextResponseMinutes: 60,
    resolutionMinutes: 8 * 60,
    businessHoursOnly: true,
  });
  const friday = berlin("2026-11-27T16:50:00");

  it("created Friday 16:50, first reply Monday 09:05: 15 business minutes, in time", () => {
    const opened = run(inbox, [
      { type: "created", at: friday },
      { type: "customer", at: friday },
    ]);
    // Due first: the first response, 10 minutes on Friday and 20 on Monday.
    expect(opened.tracked.clock).toEqual({
      kind: "first_response",
      startedAt: friday,
      dueAt: berlin("2026-11-30T09:20:00"),
      breached: false,
    });
    expect(opened.tallies).toEqual([{ at: friday, created: 1 }]);

    const monday905 = berlin("2026-11-30T09:05:00");
    const answered = trackAll(opened.tracked, [{ type: "reply", at: monday905, agentId: "us_bea" }], inbox, true);
    expect(answered.tracked.firstResponseAt).toBe(monday905);
    expect(answered.tracked.firstResponseSeconds).toBe(15 * 60);
    expect(answered.tallies).toEqual([{ at: monday905, agentId: "us_bea", replies: 1, firstResponse: 900, slaMet: 1 }]);
    // Nothing owed now: the resolution clock is the one left, 8 business hours from Friday 16:50.
    expect(answered.tracked.clock).toEqual({
      kind: "resolution",
      startedAt: friday,
      dueAt: berlin("2026-11-30T16:50:00"),
      breached: false,
    });
  });

  it("a customer message starts the next-response clock; a late reply misses it; resolving stops every clock", () => {
    const monday = (time: string) => berlin(`2026-11-30T${time}:00`);
    const { tracked, tallies } = run(inbox, [
      { type: "created", at: friday },
      { type: "customer", at: friday },
      { type: "reply", at: monday("09:05"), agentId: "us_bea" },
      { type: "customer", at: monday("10:00") },
    ]);
    expect(tracked.clock).toMatchObject({ kind: "next_response", dueAt: monday("11:00") });
    expect(tracked.waitingSince).toBe(monday("10:00"));

    // A second message while waiting does not move the start.
    const again = trackAll(tracked, [{ type: "customer", at: monday("10:20") }], inbox, true);
    expect(again.tracked.clock).toEqual(tracked.clock);

    const late = trackAll(again.tracked, [{ type: "reply", at: monday("11:30"), agentId: "us_cy" }], inbox, true);
    expect(late.tallies).toEqual([{ at: monday("11:30"), agentId: "us_cy", replies: 1, slaMissed: 1 }]);
    expect(late.tracked.firstResponseSeconds).toBe(900);
    expect(late.tracked.repliesCount).toBe(2);

    const resolved = trackAll(late.tracked, [{ type: "resolved", at: monday("12:00") }], inbox, false);
    // 10 minutes on Friday and 3 hours on Monday.
    expect(resolved.tallies).toEqual([{ at: monday("12:00"), resolved: 1, resolution: 11_400, slaMet: 1 }]);
    expect(resolved.tracked).toMatchObject({ resolvedAt: monday("12:00"), resolutionSeconds: 11_400, clock: null });
    expect(tallies.filter((t) => t.created)).toHaveLength(1);
  });

  it("snoozing pauses nothing: the clock runs on while snoozed", () => {
    const { tracked } = run(inbox, [
      { type: "created", at: friday },
      { type: "customer", at: friday },
    ]);
    expect(currentClock(tracked, true, inbox)).toEqual(tracked.clock);
    expect(currentClock(tracked, false, inbox)).toBeNull();
  });

  it("a reopening counts, and the resolution clock starts again from it", () => {
    const tuesday = (time: string) => berlin(`2026-12-01T${time}:00`);
    const { tracked, tallies } = run(inbox, [
      { type: "created", at: friday },
      { type: "customer", at: friday },
      { type: "resolved", at: tuesday("10:00") },
      { type: "customer", at: tuesday("11:00") },
      { type: "reopened", at: tuesday("11:00") },
    ]);
    expect(tracked.reopenCount).toBe(1);
    expect(tracked.openedAt).toBe(tuesday("11:00"));
    expect(tallies.map((t) => Object.keys(t).filter((k) => k !== "at"))).toEqual([
      ["created"],
      ["resolved", "resolution", "slaMissed"],
      ["reopened"],
    ]);
    // Nobody replied yet, so the customer is still owed a first response: 30 business minutes from 11:00.
    expect(tracked.clock).toMatchObject({
      kind: "first_response",
      startedAt: tuesday("11:00"),
      dueAt: tuesday("11:30"),
    });
    // The resolution clock restarted at the reopening: 6 business hours on Tuesday, 2 on Wednesday.
    const resolution = currentClock({ ...tracked, waitingSince: null }, true, inbox);
    expect(resolution).toMatchObject({
      kind: "resolution",
      startedAt: tuesday("11:00"),
      dueAt: berlin("2026-12-02T11:00:00"),
    });
  });

  it("resolving without a reply stops the answer clock without judging it", () => {
    const only = terms({ firstResponseMinutes: 30, businessHoursOnly: true });
    const { tallies } = run(only, [
      { type: "created", at: friday },
      { type: "customer", at: friday },
      { type: "resolved", at: berlin("2026-12-02T10:00:00") },
    ]);
    expect(tallies.at(-1)).toEqual({ at: berlin("2026-12-02T10:00:00"), resolved: 1, resolution: expect.any(Number) });
  });
});

describe("which clock shows", () => {
  const t0 = Date.parse("2026-11-26T10:00:00Z");

  it("keeps the breached mark while the clock is the same, and starts a new clock unbreached", () => {
    const calendar = terms({ firstResponseMinutes: 10, nextResponseMinutes: 10 }, null);
    const { tracked } = run(calendar, [
      { type: "created", at: t0 },
      { type: "customer", at: t0 },
    ]);
    const breached = { ...tracked, clock: { ...tracked.clock!, breached: true } };
    expect(currentClock(breached, true, calendar)?.breached).toBe(true);
    const next = trackAll(
      breached,
      [
        { type: "reply", at: t0 + 20 * MIN, agentId: "us_bea" },
        { type: "customer", at: t0 + 30 * MIN },
      ],
      calendar,
      true,
    );
    expect(next.tracked.clock).toEqual({
      kind: "next_response",
      startedAt: t0 + 30 * MIN,
      dueAt: t0 + 40 * MIN,
      breached: false,
    });
  });

  it("a clock the sweep marked breached was counted missed then: its late answer counts no second time", () => {
    const calendar = terms({ firstResponseMinutes: 10 }, null);
    const { tracked } = run(calendar, [
      { type: "created", at: t0 },
      { type: "customer", at: t0 },
    ]);
    const late = { type: "reply" as const, at: t0 + 30 * MIN, agentId: "us_bea" };
    expect(trackAll(tracked, [late], calendar, true).tallies).toEqual([
      { at: late.at, agentId: "us_bea", replies: 1, firstResponse: 1800, slaMissed: 1 },
    ]);
    const marked = { ...tracked, clock: { ...tracked.clock!, breached: true } };
    expect(breachTally(marked.clock)).toEqual({ at: t0 + 10 * MIN, slaMissed: 1 });
    expect(trackAll(marked, [late], calendar, true).tallies).toEqual([
      { at: late.at, agentId: "us_bea", replies: 1, firstResponse: 1800 },
    ]);
  });

  it("counts calendar time unless the targets ask for business hours; metrics are business-aware either way", () => {
    const saturday = Date.parse("2026-11-28T12:00:00+01:00");
    const calendar = terms({ firstResponseMinutes: 60, businessHoursOnly: false });
    const { tracked } = run(calendar, [
      { type: "created", at: saturday },
      { type: "customer", at: saturday },
      { type: "reply", at: saturday + 30 * MIN, agentId: "us_bea" },
    ]);
    // Answered within the hour, but on a Saturday: no business time passed.
    expect(tracked.firstResponseSeconds).toBe(0);
    expect(
      run(calendar, [
        { type: "created", at: saturday },
        { type: "customer", at: saturday },
      ]).tracked.clock?.dueAt,
    ).toBe(saturday + 60 * MIN);
  });

  it("shows no clock without targets, or in business time when there is none", () => {
    const noTime = BusinessHours.parse({ timeZone: "UTC", weekly: [], holidays: [] });
    const opened: Happening[] = [
      { type: "created", at: t0 },
      { type: "customer", at: t0 },
    ];
    expect(run(terms({}), opened).tracked.clock).toBeNull();
    expect(run(terms({ firstResponseMinutes: 5, businessHoursOnly: true }, noTime), opened).tracked.clock).toBeNull();
    expect(
      run(terms({ firstResponseMinutes: 5, businessHoursOnly: false }, noTime), opened).tracked.clock,
    ).not.toBeNull();
  });

  it("the team writing first means no first response time and no clock owed", () => {
    const calendar = terms({ firstResponseMinutes: 10 }, null);
    const { tracked, tallies } = run(calendar, [
      { type: "created", at: t0 },
      { type: "reply", at: t0, agentId: "us_bea" },
    ]);
    expect(tracked).toMatchObject({ firstResponseAt: t0, firstResponseSeconds: null, repliesCount: 1, clock: null });
    expect(tallies).toEqual([
      { at: t0, created: 1 },
      { at: t0, agentId: "us_bea", replies: 1 },
    ]);
  });

  it("spam and merges stop the clocks without measuring anything", () => {
    const calendar = terms({ firstResponseMinutes: 10, resolutionMinutes: 60 }, null);
    const { tracked, tallies } = run(
      calendar,
      [
        { type: "created", at: t0 },
        { type: "customer", at: t0 },
        { type: "closed", at: t0 + MIN },
      ],
      false,
    );
    expect(tracked.clock).toBeNull();
    expect(tracked.waitingSince).toBeNull();
    expect(tallies).toEqual([{ at: t0, created: 1 }]);
  });
});

describe("localDay", () => {
  it("is the date where the inbox is", () => {
    const t = Date.parse("2026-11-26T23:30:00Z");
    expect(localDay("UTC", t)).toBe("2026-11-26");
    expect(localDay("Europe/Berlin", t)).toBe("2026-11-27");
    expect(localDay("America/Los_Angeles", t)).toBe("2026-11-26");
  });
});
