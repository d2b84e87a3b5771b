/** An inbox's business hours and SLA targets: an admin sets and clears them, bad input is refused and writes nothing. */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_BUSINESS_INTERVALS, MAX_HOLIDAYS, MAX_SLA_MINUTES, NO_SLA } from "../../worker/contract";
import { agentWith, call, expectError, expectStatus, json, supportTeam, type Person } from "./helpers";

const OFFICE = {
  timeZone: "Europe/Berlin",
  weekly: [1, 2, 3, 4, 5].map((day) => ({ day, start: "09:00", end: "17:00" })),
  holidays: ["2026-12-25", "2026-12-26"],
};

const setHours = (who: Person, inboxId: string, body: unknown) =>
  call(who.as, `/api/inboxes/${inboxId}/business-hours`, { method: "PUT", body });

const clearHours = (who: Person, inboxId: string) =>
  call(who.as, `/api/inboxes/${inboxId}/business-hours`, { method: "DELETE" });

const setSla = (who: Person, inboxId: string, body: unknown) =>
  call(who.as, `/api/inboxes/${inboxId}/sla`, { method: "PUT", body });

/** The inbox as the admin's list shows it. */
async function listed(admin: Person, inboxId: string) {
  return (await json(admin.as, "/api/inboxes")).items.find((i) => i.id === inboxId)!;
}

/** The inbox's row as stored, to prove a refused change wrote nothing. */
const storedInbox = (id: string) => env.DB.prepare("SELECT * FROM inboxes WHERE id = ?").bind(id).first();

/** Expects a 400 whose issues include one at `path` (and whose messages, joined, match `message`); writes nothing. */
async function refused(res: Promise<Response>, inboxId: string, before: unknown, path: string[], message?: RegExp) {
  const error = await expectError(res, 400, "validation_failed");
  expect(
    error.details.map((d) => d.path),
    JSON.stringify(error.details),
  ).toContainEqual(path);
  if (message) expect(error.details.map((d) => d.message).join("; ")).toMatch(message);
  expect(await storedInbox(inboxId)).toEqual(before);
}

describe("an inbox's business hours", () => {
  it("start unset (24/7); an admin sets them, the inbox list shows them, and clearing counts every hour again", async () => {
    const { admin, inbox } = await supportTeam();
    expect(inbox.businessHours).toBeNull();

    const set = await expectStatus(setHours(admin, inbox.id, OFFICE), 200);
    expect(set.businessHours).toEqual(OFFICE);
    expect(set.name).toBe(inbox.name);
    expect((await listed(admin, inbox.id)).businessHours).toEqual(OFFICE);

    const cleared = await expectStatus(clearHours(admin, inbox.id), 200);
    expect(cleared.businessHours).toBeNull();
    expect((await listed(admin, inbox.id)).businessHours).toBeNull();
    // Clearing hours that are not set is no error.
    expect((await expectStatus(clearHours(admin, inbox.id), 200)).businessHours).toBeNull();
  });

  it("take overnight intervals, touching ones, a whole week, and spell the zone canonically", async () => {
    const { admin, inbox } = await supportTeam();
    const night = {
      timeZone: "america/new_york",
      weekly: [
        { day: 5, start: "22:00", end: "06:00" }, // Friday night into Saturday
        { day: 6, start: "06:00", end: "12:00" }, // touches it
        { day: 6, start: "23:00", end: "01:00" }, // Saturday night wraps into Sunday
        { day: 0, start: "01:00", end: "24:00" },
      ],
      holidays: [],
    };
    const set = await expectStatus(setHours(admin, inbox.id, night), 200);
    expect(set.businessHours).toEqual({ ...night, timeZone: "America/New_York" });

    const always = {
      timeZone: "UTC",
      weekly: [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start: "00:00", end: "24:00" })),
      holidays: [],
    };
    expect((await expectStatus(setHours(admin, inbox.id, always), 200)).businessHours).toEqual(always);
    // No intervals at all: never business time, which is allowed.
    const closed = { timeZone: "UTC", weekly: [], holidays: [] };
    expect((await expectStatus(setHours(admin, inbox.id, closed), 200)).businessHours).toEqual(closed);
  });

  it("refuse overlapping intervals with a message naming both days, writing nothing", async () => {
    const { admin, inbox } = await supportTeam();
    await expectStatus(setHours(admin, inbox.id, OFFICE), 200);
    const before = await storedInbox(inbox.id);
    // [day, start, end] twice, and the message the second one gets.
    const clashes: [[number, string, string], [number, string, string], string][] = [
      [[1, "09:00", "17:00"], [1, "16:00", "18:00"], "Monday 16:00–18:00 overlaps Monday 09:00–17:00"],
      // An overnight Sunday reaches into Monday morning.
      [[0, "20:00", "10:00"], [1, "09:00", "17:00"], "Monday 09:00–17:00 overlaps Sunday 20:00–10:00"],
      // Saturday night wraps past the week's end into Sunday.
      [[6, "22:00", "03:00"], [0, "02:00", "05:00"], "Sunday 02:00–05:00 overlaps Saturday 22:00–03:00"],
    ];
    for (const [first, second, message] of clashes) {
      const weekly = [first, second].map(([day, start, end]) => ({ day, start, end }));
      const error = await expectError(setHours(admin, inbox.id, { ...OFFICE, weekly }), 400, "validation_failed");
      expect(error.details).toEqual([expect.objectContaining({ path: ["weekly", "1"], message })]);
      expect(await storedInbox(inbox.id)).toEqual(before);
    }
  });

  it("refuse an unknown time zone, bad times and days, and malformed or impossible holidays, writing nothing", async () => {
    const { admin, inbox } = await supportTeam();
    const before = await storedInbox(inbox.id);
    const cases: [unknown, string[], RegExp?][] = [
      [{ ...OFFICE, timeZone: "Mars/Olympus_Mons" }, ["timeZone"], /unknown time zone "Mars\/Olympus_Mons"/],
      [{ ...OFFICE, timeZone: "" }, ["timeZone"]],
      [{ ...OFFICE, weekly: [{ day: 7, start: "09:00", end: "17:00" }] }, ["weekly", "0", "day"]],
      [{ ...OFFICE, weekly: [{ day: 1, start: "9:00", end: "17:00" }] }, ["weekly", "0", "start"]],
      [{ ...OFFICE, weekly: [{ day: 1, start: "09:00", end: "24:01" }] }, ["weekly", "0", "end"]],
      [{ ...OFFICE, weekly: [{ day: 1, start: "24:00", end: "08:00" }] }, ["weekly", "0", "start"]],
      [{ ...OFFICE, holidays: ["25.12.2026"] }, ["holidays", "0"], /like "2026-12-25"/],
      [{ ...OFFICE, holidays: ["2026-12-25", "2026-02-30"] }, ["holidays", "1"], /no such date/],
      [{ timeZone: "UTC", weekly: [] }, ["holidays"]],
      [{ ...OFFICE, open: true }, []],
    ];
    for (const [body, path, message] of cases)
      await refused(setHours(admin, inbox.id, body), inbox.id, before, path, message);
  });

  it(`take up to ${MAX_BUSINESS_INTERVALS} intervals and ${MAX_HOLIDAYS} holidays, refusing one more of either`, async () => {
    const { admin, inbox } = await supportTeam();
    // Short, disjoint intervals spread over the week.
    const intervals = Array.from({ length: MAX_BUSINESS_INTERVALS + 1 }, (_, i) => {
      const hour = String(Math.floor(i / 7) + 1).padStart(2, "0");
      return { day: i % 7, start: `${hour}:00`, end: `${hour}:30` };
    });
    const holidays = Array.from({ length: MAX_HOLIDAYS + 1 }, (_, i) =>
      new Date(Date.UTC(2027, 0, 1 + i)).toISOString().slice(0, 10),
    );
    const most = { timeZone: "UTC", weekly: intervals.slice(0, -1), holidays: holidays.slice(0, -1) };
    expect((await expectStatus(setHours(admin, inbox.id, most), 200)).businessHours).toEqual(most);

    const before = await storedInbox(inbox.id);
    await refused(setHours(admin, inbox.id, { ...most, weekly: intervals }), inbox.id, before, ["weekly"]);
    await refused(setHours(admin, inbox.id, { ...most, holidays }), inbox.id, before, ["holidays"]);
  });
});

describe("an inbox's SLA targets", () => {
  it("start off; an admin sets them (a target left out or null is none) and the inbox list shows them", async () => {
    const { admin, inbox } = await supportTeam();
    expect(inbox.sla).toEqual(NO_SLA);

    const targets = {
      firstResponseMinutes: 60,
      nextResponseMinutes: 240,
      resolutionMinutes: 2880,
      businessHoursOnly: true,
    };
    expect((await expectStatus(setSla(admin, inbox.id, targets), 200)).sla).toEqual(targets);
    expect((await listed(admin, inbox.id)).sla).toEqual(targets);

    // A PUT replaces them all: what is left out is gone.
    const some = await expectStatus(
      setSla(admin, inbox.id, { firstResponseMinutes: 30, resolutionMinutes: null, businessHoursOnly: false }),
      200,
    );
    expect(some.sla).toEqual({ ...NO_SLA, firstResponseMinutes: 30 });
    expect((await listed(admin, inbox.id)).sla).toEqual({ ...NO_SLA, firstResponseMinutes: 30 });
    expect((await expectStatus(setSla(admin, inbox.id, { businessHoursOnly: false }), 200)).sla).toEqual(NO_SLA);
  });

  it(`refuse targets outside 1…${MAX_SLA_MINUTES} minutes, fractions, and a missing businessHoursOnly, writing nothing`, async () => {
    const { admin, inbox } = await supportTeam();
    await expectStatus(setSla(admin, inbox.id, { firstResponseMinutes: 60, businessHoursOnly: true }), 200);
    const before = await storedInbox(inbox.id);
    const cases: [unknown, string[]][] = [
      [{ firstResponseMinutes: 0, businessHoursOnly: true }, ["firstResponseMinutes"]],
      [{ nextResponseMinutes: -5, businessHoursOnly: true }, ["nextResponseMinutes"]],
      [{ resolutionMinutes: MAX_SLA_MINUTES + 1, businessHoursOnly: true }, ["resolutionMinutes"]],
      [{ firstResponseMinutes: 1.5, businessHoursOnly: true }, ["firstResponseMinutes"]],
      [{ firstResponseMinutes: "60", businessHoursOnly: true }, ["firstResponseMinutes"]],
      [{ firstResponseMinutes: 60 }, ["businessHoursOnly"]],
      [{ firstResponseMinutes: 60, businessHoursOnly: true, warnAt: 50 }, []],
    ];
    for (const [body, path] of cases) await refused(setSla(admin, inbox.id, body), inbox.id, before, path);
    // The bounds themselves are fine.
    const edges = { firstResponseMinutes: 1, resolutionMinutes: MAX_SLA_MINUTES, businessHoursOnly: false };
    expect((await expectStatus(setSla(admin, inbox.id, edges), 200)).sla).toEqual({ ...NO_SLA, ...edges });
  });
});

describe("who may change them", () => {
  it("refuses agents (403) and unknown or other workspaces' inboxes (404), writing nothing", async () => {
    const { admin, inbox } = await supportTeam();
    const agent = await agentWith(admin, inbox.id, "reply");
    await expectStatus(setHours(admin, inbox.id, OFFICE), 200);
    const before = await storedInbox(inbox.id);

    await expectError(setHours(agent, inbox.id, { ...OFFICE, timeZone: "UTC" }), 403, "forbidden");
    await expectError(clearHours(agent, inbox.id), 403, "forbidden");
    await expectError(setSla(agent, inbox.id, { firstResponseMinutes: 5, businessHoursOnly: false }), 403, "forbidden");
    expect(await storedInbox(inbox.id)).toEqual(before);

    // An inbox of another workspace, written straight into the database.
    await env.DB.batch([
      env.DB.prepare("INSERT INTO workspaces (id, name, created_at) VALUES ('ws_other', 'Other', 0)"),
      env.DB.prepare(
        "INSERT INTO inboxes (id, workspace_id, name, channel, widget_key, widget_secret, created_at) VALUES ('ib_other', 'ws_other', 'Theirs', 'chat', 'wk_other', 'whs_other', 0)",
      ),
    ]);
    const theirs = await storedInbox("ib_other");
    for (const id of ["ib_other", "ib_missing"]) {
      await expectError(setHours(admin, id, OFFICE), 404, "not_found");
      await expectError(clearHours(admin, id), 404, "not_found");
      await expectError(setSla(admin, id, { firstResponseMinutes: 5, businessHoursOnly: false }), 404, "not_found");
    }
    expect(await storedInbox("ib_other")).toEqual(theirs);
  });
});
