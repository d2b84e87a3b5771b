/**
 * `GET /api/reports` over hand-written rollup rows: sums, quantiles from the
 * summed histograms, a row per day, per agent, inbox and team, the filters,
 * what an agent may see, and that the report reads rollups, not conversations.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type Access, ReportQuery } from "../../worker/contract";
import { getDb } from "../../worker/db/client";
import type { Actor } from "../../worker/env";
import { BUCKET_COUNT } from "../../worker/reports/buckets";
import { resolveRange, rollupsQuery, utcDay } from "../../worker/reports/query";
import {
  addUser,
  call,
  createInbox,
  expectError,
  grant,
  json,
  setUpWorkspace,
  startConversation,
  type As,
} from "./helpers";

/** A latency histogram with `counts` at bucket indexes (bucket i spans REPORT_BUCKETS[i-1] … REPORT_BUCKETS[i]). */
const hist = (counts: Record<number, number> = {}, length = BUCKET_COUNT) =>
  JSON.stringify(Array.from({ length }, (_, i) => counts[i] ?? 0));

interface RollupInput {
  day: string;
  inboxId: string;
  teamId?: string;
  assigneeId?: string;
  created?: number;
  resolved?: number;
  reopened?: number;
  replies?: number;
  firstResponse?: Record<number, number>;
  resolution?: Record<number, number>;
  slaMet?: number;
  slaMissed?: number;
  /** Stars given, one entry per rating. */
  ratings?: number[];
}

async function insertRollups(workspaceId: string, rows: RollupInput[]) {
  const statements = rows.map((r) => {
    const ratings = r.ratings ?? [];
    const stars: Record<number, number> = {};
    for (const s of ratings) stars[s - 1] = (stars[s - 1] ?? 0) + 1;
    return env.DB.prepare(
      `INSERT INTO report_rollups (workspace_id, day, inbox_id, team_id, assignee_id, created, resolved, reopened, replies,
         first_response_count, first_response_sum, first_response_hist, resolution_count, resolution_sum, resolution_hist,
         sla_met, sla_missed, rating_count, rating_sum, rating_hist)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, 0, 0, ?, ?, ?, ?, ?, ?)`,
    ).bind(
      workspaceId,
      r.day,
      r.inboxId,
      r.teamId ?? "",
      r.assigneeId ?? "",
      r.created ?? 0,
      r.resolved ?? 0,
      r.reopened ?? 0,
      r.replies ?? 0,
      hist(r.firstResponse),
      hist(r.resolution),
      r.slaMet ?? 0,
      r.slaMissed ?? 0,
      ratings.length,
      ratings.reduce((a, b) => a + b, 0),
      hist(stars, 5),
    );
  });
  await env.DB.batch(statements);
}

const report = (as: As, query: string) => json(as, `/api/reports?${query}`);
const RANGE = "from=2026-03-01&to=2026-03-05";

/**
 * Three inboxes (Support, Billing, Secret), two agents (Bea sees Support only;
 * Cy sees all three), a team; rows from 2026-03-01 to 03-04 plus decoys: a day
 * before the range and another workspace's row.
 */
async function fixture() {
  const { admin, workspaceId } = await setUpWorkspace();
  const support = await createInbox(admin, "Support");
  const billing = await createInbox(admin, "Billing");
  const secret = await createInbox(admin, "Secret");
  const bea = await addUser(admin, "agent", "Bea Agent");
  const cy = await addUser(admin, "agent", "Cy Agent");
  await grant(admin, support.id, bea, "reply");
  for (const inbox of [support, billing, secret]) await grant(admin, inbox.id, cy, "view");
  const team = await json(admin.as, "/api/teams", { body: { name: "Tier 2", memberIds: [bea.id, cy.id] } }, 201);
  await insertRollups(workspaceId, [
    {
      day: "2026-03-01",
      inboxId: support.id,
      teamId: team.id,
      assigneeId: bea.id,
      created: 3,
      resolved: 1,
      replies: 4,
      firstResponse: { 2: 2 },
      resolution: { 8: 1 },
      slaMet: 2,
      ratings: [5],
    },
    { day: "2026-03-01", inboxId: billing.id, created: 2, firstResponse: { 4: 1 }, slaMissed: 1 },
    {
      day: "2026-03-03",
      inboxId: support.id,
      assigneeId: cy.id,
      created: 1,
      resolved: 2,
      reopened: 1,
      firstResponse: { 3: 1 },
      resolution: { 10: 1 },
      slaMet: 1,
      ratings: [3, 4],
    },
    {
      day: "2026-03-04",
      inboxId: secret.id,
      teamId: team.id,
      assigneeId: cy.id,
      created: 4,
      resolved: 4,
      firstResponse: { 0: 4 },
      resolution: { 5: 4 },
      slaMet: 3,
      slaMissed: 1,
      ratings: [1],
    },
    // Outside the range, and another workspace's: never counted.
    { day: "2026-02-28", inboxId: support.id, assigneeId: bea.id, created: 100, firstResponse: { 20: 100 } },
    { day: "2026-03-02", inboxId: support.id, created: 1000 },
  ]);
  await env.DB.prepare("UPDATE report_rollups SET workspace_id = 'ws_elsewhere' WHERE created = 1000").run();
  return { admin, workspaceId, support, billing, secret, bea, cy, team };
}

describe("GET /api/reports", () => {
  it("sums the rollups of the range and takes quantiles from the summed histograms", async () => {
    const { admin } = await fixture();
    const body = await report(admin.as, RANGE);
    expect(body).toMatchObject({ from: "2026-03-01", to: "2026-03-05", groupBy: "day" });
    // First responses: 4 in [0,30), 2 in [60,120), 1 in [120,300), 1 in [300,600) — 8 in all.
    //   median: rank 0.5·8 = 4, the 4th of bucket [0,30) holding 4: 0 + 30·4/4 = 30.
    //   p90: rank 7.2, past 7 below [300,600) holding 1: 300 + 300·0.2/1 = 360.
    // Resolutions: 4 in [600,900), 1 in [2700,3600), 1 in [5400,7200) — 6 in all.
    //   median: rank 3 in [600,900) holding 4: 600 + 300·3/4 = 825.
    //   p90: rank 5.4, past 5 below [5400,7200) holding 1: 5400 + 1800·0.4 = 6120.
    // Ratings 5, 3, 4, 1: average 13/4 = 3.25. SLA: met 2+1+3 = 6, missed 1+1 = 2, 75 %.
    expect(body.totals).toEqual({
      created: 10,
      resolved: 7,
      reopened: 1,
      replies: 4,
      firstResponse: { count: 8, median: 30, p90: 360 },
      resolution: { count: 6, median: 825, p90: 6120 },
      rating: { count: 4, average: 3.25, distribution: [1, 0, 1, 1, 1] },
      sla: { met: 6, missed: 2, hitRate: 0.75 },
    });
  });

  it("answers one row per day of the range, empty days as zeros, in order", async () => {
    const { admin } = await fixture();
    const { rows } = await report(admin.as, `${RANGE}&groupBy=day`);
    expect(rows.map((r) => [r.key, r.label, r.created, r.resolved])).toEqual([
      ["2026-03-01", "2026-03-01", 5, 1],
      ["2026-03-02", "2026-03-02", 0, 0],
      ["2026-03-03", "2026-03-03", 1, 2],
      ["2026-03-04", "2026-03-04", 4, 4],
      ["2026-03-05", "2026-03-05", 0, 0],
    ]);
    expect(rows[1]).toMatchObject({
      firstResponse: { count: 0, median: null, p90: null },
      rating: { count: 0, average: null, distribution: [0, 0, 0, 0, 0] },
      sla: { met: 0, missed: 0, hitRate: null },
    });
  });

  it("groups by agent, inbox and team with their names, sorted, the unassigned and teamless last", async () => {
    const { admin, bea, cy, team, support, billing, secret } = await fixture();
    // A deactivated agent keeps their name in reports.
    await json(admin.as, `/api/users/${cy.id}`, { method: "PATCH", body: { active: false } });
    const agents = await report(admin.as, `${RANGE}&groupBy=agent`);
    // Cy: first responses 4 in [0,30) and 1 in [120,300); median rank 2.5 → 30·2.5/4 = 18.75 ≈ 19.
    expect(agents.rows.map((r) => [r.key, r.label, r.created, r.firstResponse.median])).toEqual([
      [bea.id, "Bea Agent", 3, 90],
      [cy.id, "Cy Agent", 5, 19],
      [null, "Unassigned", 2, 450],
    ]);
    const inboxes = await report(admin.as, `${RANGE}&groupBy=inbox`);
    expect(inboxes.rows.map((r) => [r.key, r.label, r.created])).toEqual([
      [billing.id, "Billing", 2],
      [secret.id, "Secret", 4],
      [support.id, "Support", 4],
    ]);
    const teams = await report(admin.as, `${RANGE}&groupBy=team`);
    expect(teams.rows.map((r) => [r.key, r.label, r.created])).toEqual([
      [team.id, "Tier 2", 7],
      [null, "No team", 3],
    ]);
  });

  it("filters by inbox, team and assignee", async () => {
    const { admin, billing, team, cy } = await fixture();
    expect((await report(admin.as, `${RANGE}&inboxId=${billing.id}`)).totals.created).toBe(2);
    expect((await report(admin.as, `${RANGE}&teamId=${team.id}`)).totals.created).toBe(7);
    expect((await report(admin.as, `${RANGE}&assigneeId=${cy.id}`)).totals.created).toBe(5);
    expect((await report(admin.as, `${RANGE}&assigneeId=${cy.id}&teamId=${team.id}`)).totals.created).toBe(4);
  });

  it("shows an agent only the inboxes they can see, and someone else's inbox as an empty report", async () => {
    const { bea, cy, secret } = await fixture();
    const own = await report(bea.as, RANGE);
    // Support only: first responses 2 in [60,120) and 1 in [120,300).
    //   median: rank 1.5 in [60,120) holding 2: 60 + 60·1.5/2 = 105; p90: rank 2.7 → 120 + 180·0.7 = 246.
    expect(own.totals).toMatchObject({
      created: 4,
      resolved: 3,
      firstResponse: { count: 3, median: 105, p90: 246 },
    });
    const hidden = await report(bea.as, `${RANGE}&inboxId=${secret.id}&groupBy=inbox`);
    const missing = await report(bea.as, `${RANGE}&inboxId=in_nowhere&groupBy=inbox`);
    expect(hidden).toEqual(missing);
    expect(hidden.totals.created).toBe(0);
    expect(hidden.rows).toEqual([]);
    // Cy sees all three inboxes.
    expect((await report(cy.as, RANGE)).totals.created).toBe(10);
  });

  it("serves an agent with 120 inboxes in statements under D1's 100 parameters", async () => {
    const { admin, workspaceId } = await setUpWorkspace();
    const agent = await addUser(admin, "agent", "Many Inboxes");
    const ids = Array.from({ length: 121 }, (_, i) => `in_many_${i}`);
    await env.DB.batch(
      ids.map((id, i) =>
        env.DB.prepare(
          "INSERT INTO inboxes (id, workspace_id, name, channel, widget_key, widget_secret, created_at) VALUES (?, ?, ?, 'chat', ?, 's', 0)",
        ).bind(id, workspaceId, `Inbox ${String(i).padStart(3, "0")}`, `wk_many_${i}`),
      ),
    );
    // Granted the first 120; the 121st is not theirs.
    await env.DB.batch(
      ids
        .slice(0, 120)
        .map((id) =>
          env.DB.prepare("INSERT INTO inbox_access (inbox_id, user_id, access) VALUES (?, ?, 'view')").bind(
            id,
            agent.id,
          ),
        ),
    );
    await insertRollups(workspaceId, [
      { day: "2026-03-02", inboxId: ids[0]!, created: 2 },
      { day: "2026-03-02", inboxId: ids[119]!, created: 5 },
      { day: "2026-03-02", inboxId: ids[120]!, created: 40 },
    ]);
    const body = await report(agent.as, `${RANGE}&groupBy=inbox`);
    expect(body.totals.created).toBe(7);
    expect(body.rows.map((r) => [r.label, r.created])).toEqual([
      ["Inbox 000", 2],
      ["Inbox 119", 5],
    ]);
    expect((await report(admin.as, RANGE)).totals.created).toBe(47);
  });

  it("covers the last 30 days up to today (UTC) when no range is given", async () => {
    const { admin } = await setUpWorkspace();
    const today = utcDay(Date.now());
    const body = await report(admin.as, "");
    expect(body.to).toBe(today);
    expect(body.from).toBe(utcDay(Date.now() - 29 * 86_400_000));
    expect(body.rows).toHaveLength(30);
    expect(body.rows.at(-1)?.key).toBe(today);
    expect(resolveRange({ from: "2026-03-01" }, "2026-03-10")).toEqual({ from: "2026-03-01", to: "2026-03-10" });
    expect(resolveRange({ to: "2026-03-10" }, "2026-12-01")).toEqual({ from: "2026-02-09", to: "2026-03-10" });
  });

  it("refuses bad input with a 400 in the error shape", async () => {
    const { admin } = await setUpWorkspace();
    for (const query of [
      "groupBy=week",
      "from=2026-02-30",
      "from=2026-3-1",
      "to=yesterday",
      "from=2026-03-05&to=2026-03-01",
      "from=2025-01-01&to=2026-03-01",
      // Only a start: up to today, far more than 400 days.
      "from=2001-01-01",
      "inboxId=",
      "limit=10",
    ]) {
      await expectError(call(admin.as, `/api/reports?${query}`), 400, "validation_failed");
    }
    expect((await report(admin.as, "from=2026-01-01&to=2027-02-04")).rows).toHaveLength(400);
  });
});

describe("the report's cost", () => {
  it("seeks the rollups by (workspace, day), or by (inbox, day) when narrowed, and reads the same rows however many conversations there are", async () => {
    const { admin, workspaceId } = await setUpWorkspace();
    const inbox = await createInbox(admin);
    const busy = await createInbox(admin, "Busy");
    await insertRollups(workspaceId, [
      { day: "2026-03-01", inboxId: inbox.id, created: 1 },
      { day: "2026-03-02", inboxId: inbox.id, created: 1 },
      { day: "2026-04-01", inboxId: inbox.id, created: 1 },
      // Another inbox's days: a report narrowed to `inbox` (a filter, or an agent's inboxes) never reads them.
      ...Array.from({ length: 20 }, (_, i) => ({
        day: `2026-03-${String(i + 3).padStart(2, "0")}`,
        inboxId: busy.id,
        created: 1,
      })),
    ]);
    const actor: Actor = { ...admin, workspaceId, role: "admin", via: "session" };
    const agent: Actor = { ...actor, role: "agent" };
    const grants = new Map<string, Access>([[inbox.id, "view"]]);
    const march = { from: "2026-03-01", to: "2026-03-31" };

    /** Rows D1 read for the report's statement; checks its plan seeks `index` and what it returns. */
    const rowsRead = async (who: Actor, extra: Record<string, string>, index: RegExp, returned: number) => {
      const query = ReportQuery.parse({ ...march, ...extra });
      const { sql, params } = rollupsQuery(getDb(env.DB), who, grants, query, march)!.toSQL();
      const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .bind(...params)
        .all<{ detail: string }>();
      expect(plan.results.map((r) => r.detail).join(" | ")).toMatch(index);
      const result = await env.DB.prepare(sql)
        .bind(...params)
        .all();
      expect(result.results).toHaveLength(returned);
      return result.meta.rows_read;
    };
    const byWorkspace = /SEARCH report_rollups USING (INDEX|PRIMARY KEY).*\(workspace_id=\? AND day>\? AND day<\?\)/;
    const byInbox = /SEARCH report_rollups USING INDEX report_rollups_inbox_day \(inbox_id=\? AND day>\? AND day<\?\)/;
    const measure = async () => [
      await rowsRead(actor, {}, byWorkspace, 22),
      await rowsRead(actor, { inboxId: inbox.id }, byInbox, 2),
      await rowsRead(agent, {}, byInbox, 2),
    ];
    const before = await measure();

    // Many conversations: copies of a real one, written straight into the table.
    const { id } = await startConversation(inbox.widgetKey);
    const columns = (await env.DB.prepare("PRAGMA table_info(conversations)").all<{ name: string }>()).results.map(
      (c) => c.name,
    );
    const select = columns.map((c) => (c === "id" ? "'cv_many_' || n" : c)).join(", ");
    await env.DB.prepare(
      `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 2000)
       INSERT INTO conversations (${columns.join(", ")}) SELECT ${select} FROM conversations, seq WHERE id = ?`,
    )
      .bind(id)
      .run();
    const { count } = (await env.DB.prepare("SELECT count(*) AS count FROM conversations").first<{ count: number }>())!;
    expect(count).toBeGreaterThan(2000);

    expect(await measure()).toEqual(before);
    // The whole workspace reads its 22 March rollups (and the row past the range that ends the seek).
    // Narrowed to one inbox, only that inbox's 2: each an index entry and its row, plus the entry
    // that ends the seek (the agent's one more is the json_each of their inboxes), never Busy's 20.
    expect(before[0]).toBeLessThanOrEqual(23);
    expect(before[1]).toBeLessThanOrEqual(5);
    expect(before[2]).toBeLessThanOrEqual(6);
    expect((await report(admin.as, "from=2026-03-01&to=2026-03-31")).totals.created).toBe(22);
  });
});
