/**
 * SLA clocks, breaches and service metrics through the real rooms, D1 and the
 * minute sweep (the rules themselves: worker/domain/sla.test.ts).
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { SlaTargetsInput } from "../../worker/contract";
import {
  addUser,
  agentWith,
  call,
  createTeam,
  customerWrites,
  expectStatus,
  getConversation,
  json,
  listPage,
  reply,
  startConversation,
  supportTeam,
  updateConversation,
  type Person,
} from "./helpers";
import { runSweep } from "./mail";

const MIN = 60_000;

/** Sets the inbox's SLA targets as an admin does. */
async function setSla(admin: Person, inboxId: string, targets: SlaTargetsInput) {
  await json(admin.as, `/api/inboxes/${inboxId}/sla`, { method: "PUT", body: targets });
}

const slaNotices = async (person: Person) =>
  (await json(person.as, "/api/notifications")).items.filter((n) => n.kind === "sla");

const rollups = (workspaceId: string) =>
  env.DB.prepare(
    `SELECT day, inbox_id, team_id, assignee_id, created, resolved, reopened, replies, first_response_count,
            first_response_sum, first_response_hist, resolution_count, resolution_sum, resolution_hist,
            sla_met, sla_missed, rating_count, rating_sum, rating_hist
       FROM report_rollups WHERE workspace_id = ? ORDER BY day, inbox_id, team_id, assignee_id`,
  )
    .bind(workspaceId)
    .all()
    .then((r) => r.results);

const workspaceOf = async (inboxId: string) =>
  (await env.DB.prepare("SELECT workspace_id AS id FROM inboxes WHERE id = ?").bind(inboxId).first<{ id: string }>())!
    .id;

describe("SLA clocks in summaries and the breaching view", () => {
  it("a customer message starts the first-response clock; a reply stops it; the next message starts the next one", async () => {
    const { admin, inbox } = await supportTeam();
    await setSla(admin, inbox.id, { firstResponseMinutes: 60, nextResponseMinutes: 30, businessHoursOnly: false });
    const before = Date.now();
    const { id, contactToken } = await startConversation(inbox.widgetKey);
    const opened = await getConversation(admin.as, id);
    expect(opened.sla).toMatchObject({ kind: "first_response", breached: false });
    expect(Date.parse(opened.sla!.dueAt) - Date.parse(opened.sla!.startedAt)).toBe(60 * MIN);
    expect(Date.parse(opened.sla!.startedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(opened.metrics).toMatchObject({ firstResponseAt: null, replies: 0 });

    await expectStatus(reply(admin.as, id, "Looking into it"), 201);
    const answered = await getConversation(admin.as, id);
    expect(answered.sla).toBeNull();
    expect(answered.metrics.replies).toBe(1);
    expect(answered.metrics.firstResponseSeconds).toBeGreaterThanOrEqual(0);
    expect(answered.metrics.firstResponseSeconds).toBeLessThan(60);

    await expectStatus(customerWrites(contactToken, id, "Any news?"), 201);
    const waiting = await getConversation(admin.as, id);
    expect(waiting.sla).toMatchObject({ kind: "next_response", breached: false });
    expect(Date.parse(waiting.sla!.dueAt) - Date.parse(waiting.sla!.startedAt)).toBe(30 * MIN);

    // Snoozing pauses nothing; resolving stops the clock.
    const until = new Date(Date.now() + 3_600_000).toISOString();
    await expectStatus(updateConversation(admin.as, id, { status: "snoozed", snoozedUntil: until }), 200);
    expect((await getConversation(admin.as, id)).sla).toEqual(waiting.sla);
    await expectStatus(updateConversation(admin.as, id, { status: "resolved" }), 200);
    const resolved = await getConversation(admin.as, id);
    expect(resolved.sla).toBeNull();
    expect(resolved.metrics.resolvedAt).not.toBeNull();
    expect(resolved.metrics.resolutionSeconds).toBeGreaterThanOrEqual(0);
  });

  it("lists running clocks due first, pages by keyset, and shows an agent only their inboxes", async () => {
    const { admin, inbox } = await supportTeam();
    const { inbox: other } = {
      inbox: await json(admin.as, "/api/inboxes", { body: { name: "Billing", channel: "chat" } }, 201),
    };
    await setSla(admin, inbox.id, { firstResponseMinutes: 120, businessHoursOnly: false });
    await setSla(admin, other.id, { firstResponseMinutes: 30, businessHoursOnly: false });
    const slow = await startConversation(inbox.widgetKey, "slow one");
    const fast = await startConversation(other.widgetKey, "fast one");
    const slower = await startConversation(inbox.widgetKey, "later slow one");
    const answered = await startConversation(inbox.widgetKey, "answered");
    await expectStatus(reply(admin.as, answered.id, "Done"), 201);

    const page = await listPage(admin.as, { view: "breaching" });
    expect(page.items.map((s) => s.id)).toEqual([fast.id, slow.id, slower.id]);
    const first = await listPage(admin.as, { view: "breaching", limit: 2 });
    expect(first.items.map((s) => s.id)).toEqual([fast.id, slow.id]);
    const second = await listPage(admin.as, { view: "breaching", limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((s) => s.id)).toEqual([slower.id]);
    expect(second.nextCursor).toBeNull();

    const agent = await agentWith(admin, inbox.id, "reply");
    expect((await listPage(agent.as, { view: "breaching" })).items.map((s) => s.id)).toEqual([slow.id, slower.id]);
    expect((await listPage(admin.as, { view: "breaching", inboxId: other.id })).items.map((s) => s.id)).toEqual([
      fast.id,
    ]);
  });
});

describe("the minute sweep marks breaches", () => {
  it("notifies the assignee once, and the clock shows breached", async () => {
    const { admin, inbox } = await supportTeam();
    const bea = await agentWith(admin, inbox.id, "reply", "Bea Owner");
    await setSla(admin, inbox.id, { firstResponseMinutes: 5, businessHoursOnly: false });
    const { id } = await startConversation(inbox.widgetKey);
    await expectStatus(updateConversation(admin.as, id, { assigneeId: bea.id }), 200);
    const { sla } = await getConversation(admin.as, id);

    await runSweep(Date.parse(sla!.dueAt) - 1000);
    expect(await slaNotices(bea)).toEqual([]);

    await runSweep(Date.parse(sla!.dueAt) + MIN);
    const notices = await slaNotices(bea);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      conversationId: id,
      preview: expect.stringContaining("First response is overdue"),
    });
    expect((await getConversation(admin.as, id)).sla).toMatchObject({ kind: "first_response", breached: true });
    expect((await listPage(admin.as, { view: "breaching" })).items[0]).toMatchObject({ id, sla: { breached: true } });

    // Once: later sweeps find nothing to mark.
    await runSweep(Date.parse(sla!.dueAt) + 2 * MIN);
    await runSweep(Date.parse(sla!.dueAt) + 3 * MIN);
    expect(await slaNotices(bea)).toHaveLength(1);
    expect(await slaNotices(admin)).toEqual([]);

    // Counted missed as it was marked; the late answer does not count it again.
    // Today to the day after the due time (UTC days: the inbox has no business hours).
    const from = new Date().toISOString().slice(0, 10);
    const to = new Date(Date.parse(sla!.dueAt) + 86_400_000).toISOString().slice(0, 10);
    const hitRate = async () => (await json(admin.as, `/api/reports?from=${from}&to=${to}`)).totals.sla;
    expect(await hitRate()).toEqual({ met: 0, missed: 1, hitRate: 0 });
    await expectStatus(reply(bea.as, id, "Sorry for the wait"), 201);
    expect(await hitRate()).toEqual({ met: 0, missed: 1, hitRate: 0 });
  });

  it("tells the team's members who can open it when nobody is assigned", async () => {
    const { admin, inbox } = await supportTeam();
    const cy = await agentWith(admin, inbox.id, "reply", "Cy Member");
    const dee = await agentWith(admin, inbox.id, "view", "Dee Viewer");
    const eve = await addUser(admin, "agent", "Eve Elsewhere");
    const team = await createTeam(admin, "Tier 2", [cy, dee, eve]);
    await setSla(admin, inbox.id, { firstResponseMinutes: 1, businessHoursOnly: false });
    const { id } = await startConversation(inbox.widgetKey);
    await expectStatus(updateConversation(admin.as, id, { teamId: team.id }), 200);
    const { sla } = await getConversation(admin.as, id);
    await runSweep(Date.parse(sla!.dueAt) + 1);
    expect(await slaNotices(cy)).toHaveLength(1);
    expect(await slaNotices(dee)).toHaveLength(1);
    // Eve cannot open the inbox: she hears nothing of it.
    expect(await slaNotices(eve)).toEqual([]);
  });

  it("leaves a clock answered in time alone", async () => {
    const { admin, inbox } = await supportTeam();
    const bea = await agentWith(admin, inbox.id, "reply", "Bea Quick");
    await setSla(admin, inbox.id, { firstResponseMinutes: 1, businessHoursOnly: false });
    const { id } = await startConversation(inbox.widgetKey);
    await expectStatus(updateConversation(admin.as, id, { assigneeId: bea.id }), 200);
    const { sla } = await getConversation(admin.as, id);
    await expectStatus(reply(bea.as, id, "Here already"), 201);
    await runSweep(Date.parse(sla!.dueAt) + MIN);
    expect(await slaNotices(bea)).toEqual([]);
  });
});

describe("changing an inbox's terms", () => {
  it("re-sets the clocks of its open conversations through the sweep", async () => {
    const { admin, inbox } = await supportTeam();
    const a = await startConversation(inbox.widgetKey, "one");
    const b = await startConversation(inbox.widgetKey, "two");
    expect((await getConversation(admin.as, a.id)).sla).toBeNull();
    await setSla(admin, inbox.id, { firstResponseMinutes: 45, businessHoursOnly: false });
    await runSweep(Date.now());
    for (const { id } of [a, b]) {
      const { sla, createdAt } = await getConversation(admin.as, id);
      expect(sla).toMatchObject({ kind: "first_response", startedAt: createdAt });
      expect(Date.parse(sla!.dueAt) - Date.parse(createdAt)).toBe(45 * MIN);
    }
    await setSla(admin, inbox.id, { businessHoursOnly: false });
    await runSweep(Date.now());
    expect((await getConversation(admin.as, a.id)).sla).toBeNull();
  });
});

describe("metrics and rollups", () => {
  it("adds each change to its day's rollup in the same batch, rating included", async () => {
    const { admin, inbox } = await supportTeam();
    const workspaceId = await workspaceOf(inbox.id);
    const bea = await agentWith(admin, inbox.id, "reply", "Bea Rollup");
    await setSla(admin, inbox.id, { firstResponseMinutes: 60, businessHoursOnly: false });
    const { id, contactToken } = await startConversation(inbox.widgetKey);
    await expectStatus(updateConversation(admin.as, id, { assigneeId: bea.id }), 200);
    await expectStatus(reply(bea.as, id, "On it"), 201);
    await expectStatus(updateConversation(bea.as, id, { status: "resolved" }), 200);
    await expectStatus(
      call({ bearer: contactToken }, `/api/widget/conversations/${id}/rating`, { body: { score: 4 } }),
      201,
    );
    const { metrics } = await getConversation(admin.as, id);
    const day = new Date().toISOString().slice(0, 10);
    const rows = await rollups(workspaceId);
    const sum = (k: string) => rows.reduce((n, r) => n + Number(r[k]), 0);
    expect(rows.every((r) => r.day === day && r.inbox_id === inbox.id)).toBe(true);
    // Created while unassigned; the reply is Bea's; resolved and rated while assigned to her.
    expect(rows.find((r) => r.assignee_id === "")).toMatchObject({ created: 1, replies: 0 });
    expect(rows.find((r) => r.assignee_id === bea.id)).toMatchObject({
      created: 0,
      replies: 1,
      resolved: 1,
      first_response_count: 1,
      first_response_sum: metrics.firstResponseSeconds,
      resolution_count: 1,
      resolution_sum: metrics.resolutionSeconds,
      sla_met: 1,
      sla_missed: 0,
      rating_count: 1,
      rating_sum: 4,
      rating_hist: "[0,0,0,1,0]",
    });
    expect(sum("created")).toBe(1);
    expect(JSON.parse(String(rows.find((r) => r.assignee_id === bea.id)!.first_response_hist))[0]).toBe(1);

    // The report reads those rollups: one measurement is reported exactly, not as its bucket's middle.
    const report = await json(admin.as, `/api/reports?from=${day}&to=${day}&groupBy=agent`);
    expect(report.totals).toMatchObject({
      created: 1,
      resolved: 1,
      replies: 1,
      firstResponse: { count: 1, median: metrics.firstResponseSeconds, p90: metrics.firstResponseSeconds },
      resolution: { count: 1, median: metrics.resolutionSeconds, p90: metrics.resolutionSeconds },
      rating: { count: 1, average: 4, distribution: [0, 0, 0, 1, 0] },
      sla: { met: 1, missed: 0, hitRate: 1 },
    });
    expect(report.rows.map((r) => [r.label, r.created, r.resolved, r.replies])).toEqual([
      ["Bea Rollup", 0, 1, 1],
      ["Unassigned", 1, 0, 0],
    ]);
  });

  it("back-fills a conversation from before metrics once, to the same numbers", async () => {
    const { admin, inbox } = await supportTeam();
    const workspaceId = await workspaceOf(inbox.id);
    const { id, contactToken } = await startConversation(inbox.widgetKey);
    await expectStatus(reply(admin.as, id, "Answer"), 201);
    await expectStatus(updateConversation(admin.as, id, { status: "resolved" }), 200);
    await expectStatus(customerWrites(contactToken, id, "Actually, one more thing"), 201);
    await expectStatus(reply(admin.as, id, "Sure"), 201);
    await expectStatus(updateConversation(admin.as, id, { status: "resolved" }), 200);
    const measured = await getConversation(admin.as, id);
    const live = await rollups(workspaceId);
    expect(measured.metrics).toMatchObject({ replies: 2, reopened: 1 });

    // As if written before metrics existed.
    await env.DB.batch([
      env.DB.prepare(
        `UPDATE conversations SET metrics_recorded = 0, first_response_at = NULL, first_response_seconds = NULL,
           replies_count = 0, resolved_at = NULL, resolution_seconds = NULL, reopen_count = 0, waiting_since = NULL,
           opened_at = NULL WHERE id = ?`,
      ).bind(id),
      env.DB.prepare("DELETE FROM report_rollups WHERE workspace_id = ?").bind(workspaceId),
    ]);
    await runSweep(Date.now());
    await runSweep(Date.now());
    expect((await getConversation(admin.as, id)).metrics).toEqual(measured.metrics);
    expect(await rollups(workspaceId)).toEqual(live);
  });

  it("replays a conversation from before metrics before its next write, in that write's batch", async () => {
    const { admin, inbox } = await supportTeam();
    const workspaceId = await workspaceOf(inbox.id);
    const { id } = await startConversation(inbox.widgetKey);
    await expectStatus(reply(admin.as, id, "First answer"), 201);
    await env.DB.batch([
      env.DB.prepare(
        `UPDATE conversations SET metrics_recorded = 0, replies_count = 0, first_response_at = NULL,
           first_response_seconds = NULL WHERE id = ?`,
      ).bind(id),
      env.DB.prepare("DELETE FROM report_rollups WHERE workspace_id = ?").bind(workspaceId),
    ]);
    // A field change reads the conversation afresh, as a room does after an eviction.
    await expectStatus(updateConversation(admin.as, id, { priority: "high" }), 200);
    const { metrics } = await getConversation(admin.as, id);
    expect(metrics.replies).toBe(1);
    expect(metrics.firstResponseSeconds).not.toBeNull();
    const rows = await rollups(workspaceId);
    expect(rows.reduce((n, r) => n + Number(r.created), 0)).toBe(1);
    expect(rows.reduce((n, r) => n + Number(r.replies), 0)).toBe(1);
    expect(
      (await env.DB.prepare("SELECT metrics_recorded AS m FROM conversations WHERE id = ?").bind(id).first())!.m,
    ).toBe(1);
  });
});
