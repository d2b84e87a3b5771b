import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { wakeSnoozed } from "../../worker/cron/wake-snoozed";
import { getDb } from "../../worker/db/client";
import worker from "../../worker/index";
import {
  addUser,
  call,
  createInbox,
  customerWritesIn,
  expectStatus,
  grant,
  json,
  postMessage,
  setUpWorkspace,
} from "./helpers";

/** Fires the minute cron as if it ran at `time`. */
async function runCron(time: number) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: time, cron: "* * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
}

const emailState = () =>
  env.DB.prepare(
    "SELECT u.name, n.emailed_at IS NOT NULL AS handled, n.read_at IS NOT NULL AS read FROM notifications n JOIN users u ON u.id = n.user_id ORDER BY u.name",
  )
    .all<{ name: string; handled: number; read: number }>()
    .then((r) => r.results);

describe("email notifications", () => {
  it("emails what is still unread after the delay, to agents who opted in, once", async () => {
    const { admin } = await setUpWorkspace();
    const inbox = await createInbox(admin);
    const bea = await addUser(admin, "agent", "Bea Wantsmail");
    const cy = await addUser(admin, "agent", "Cy Nomail");
    const dee = await addUser(admin, "agent", "Dee Readsfast");
    for (const agent of [bea, cy, dee]) await grant(admin, inbox.id, agent, "reply");
    await json(bea.as, "/api/me", { method: "PATCH", body: { emailNotifications: true } });
    await json(dee.as, "/api/me", { method: "PATCH", body: { emailNotifications: true } });
    const { conversationId } = await customerWritesIn(inbox.widgetKey);
    await expectStatus(
      postMessage(admin.as, conversationId, {
        kind: "note",
        body: "@all have a look",
        mentions: [bea.id, cy.id, dee.id],
      }),
      201,
    );
    await json(dee.as, "/api/notifications/read", { body: { all: true } });
    const created = Date.now();

    // Too early: nothing is handled yet.
    await runCron(created + 60_000);
    expect((await emailState()).map((r) => r.handled)).toEqual([0, 0, 0]);

    // After the delay: Bea's is emailed, Cy's is marked handled without email, Dee read hers in the app.
    await runCron(created + 180_000);
    expect(await emailState()).toEqual([
      { name: "Bea Wantsmail", handled: 1, read: 0 },
      { name: "Cy Nomail", handled: 1, read: 0 },
      { name: "Dee Readsfast", handled: 0, read: 1 },
    ]);
  });
});

describe("snooze and auto-resolve sweeps", () => {
  async function inboxWithConversations(count: number, channel: "chat" | "email" = "chat") {
    const { admin } = await setUpWorkspace();
    const inbox = await createInbox(admin, "Support", channel);
    const ids: string[] = [];
    for (let i = 0; i < count; i++)
      ids.push(
        (await customerWritesIn(inbox.widgetKey, `question ${i}`, { name: `C${i}`, email: `c${i}@x.test` }))
          .conversationId,
      );
    return { admin, inbox, ids };
  }
  const status = (admin: { as: { cookie: string } }, id: string) =>
    json(admin.as, `/api/conversations/${id}`).then((c) => c.status);

  it("snoozes until a future time (a past one is a 400), and the sweep wakes it when due", async () => {
    const { admin, ids } = await inboxWithConversations(1);
    const [id] = ids as [string];
    const past = await call(admin.as, `/api/conversations/${id}`, {
      method: "PATCH",
      body: { status: "snoozed", snoozedUntil: new Date(Date.now() - 1000).toISOString() },
    });
    expect(past.status).toBe(400);
    const until = Date.now() + 60 * 60 * 1000;
    const snoozed = await json(admin.as, `/api/conversations/${id}`, {
      method: "PATCH",
      body: { status: "snoozed", snoozedUntil: new Date(until).toISOString() },
    });
    expect(snoozed).toMatchObject({ status: "snoozed", snoozedUntil: new Date(until).toISOString() });
    expect((await json(admin.as, "/api/conversations?view=snoozed")).items.map((c: { id: string }) => c.id)).toEqual([
      id,
    ]);
    expect((await json(admin.as, "/api/conversations?view=all")).items).toEqual([]);

    await runCron(until - 60_000);
    expect(await status(admin, id)).toBe("snoozed");
    await runCron(until + 1000);
    const woken = await json(admin.as, `/api/conversations/${id}`);
    expect(woken).toMatchObject({ status: "open", snoozedUntil: null });
    const events = (await json(admin.as, `/api/conversations/${id}/timeline`)).items.filter(
      (i: { kind: string }) => i.kind === "event",
    );
    expect(events.at(-1)!.event).toEqual({
      type: "status_changed",
      from: "snoozed",
      to: "open",
      cause: "snooze_expired",
    });
  });

  it("lets a customer message wake a snooze early", async () => {
    const { admin, inbox } = await inboxWithConversations(0);
    const { conversationId, contactToken } = await customerWritesIn(inbox.widgetKey);
    await json(admin.as, `/api/conversations/${conversationId}`, {
      method: "PATCH",
      body: { status: "snoozed", snoozedUntil: new Date(Date.now() + 86_400_000).toISOString() },
    });
    await json(
      { bearer: contactToken },
      `/api/widget/conversations/${conversationId}/messages`,
      { body: { body: "hello again" } },
      201,
    );
    expect(await json(admin.as, `/api/conversations/${conversationId}`)).toMatchObject({
      status: "open",
      snoozedUntil: null,
    });
  });

  it("resolves email conversations idle for 7 days, not fresher ones, and tells the assignee", async () => {
    const { admin, ids } = await inboxWithConversations(2, "email");
    const [old, fresh] = ids as [string, string];
    const bea = await addUser(admin, "agent", "Bea Agent");
    const inboxId = (await json(admin.as, `/api/conversations/${old}`)).inboxId;
    await grant(admin, inboxId, bea, "reply");
    await json(admin.as, `/api/conversations/${old}`, { method: "PATCH", body: { assigneeId: bea.id } });
    await json(bea.as, "/api/notifications/read", { body: { all: true } });
    await postMessage(admin.as, fresh, { kind: "note", body: "still active" });
    const freshAt = Date.parse((await json(admin.as, `/api/conversations/${fresh}`)).lastActivityAt);
    const oldAt = Date.parse((await json(admin.as, `/api/conversations/${old}`)).lastActivityAt);

    await runCron(oldAt + 7 * 86_400_000 - 1000);
    expect([await status(admin, old), await status(admin, fresh)]).toEqual(["open", "open"]);
    expect(freshAt).toBeGreaterThan(oldAt);
    await runCron(oldAt + 7 * 86_400_000 + 1);
    expect(await status(admin, old)).toBe("resolved");
    expect(await status(admin, fresh)).toBe("open");
    const notice = (await json(bea.as, "/api/notifications?unread=true")).items[0];
    expect(notice).toMatchObject({
      kind: "update",
      conversationId: old,
      preview: "Resolved automatically after a quiet spell",
    });
  });

  it("bounds each run: a backlog drains over several runs, each due row once", async () => {
    const { admin, ids } = await inboxWithConversations(5);
    const until = Date.now() + 3_600_000;
    for (const id of ids) {
      await json(admin.as, `/api/conversations/${id}`, {
        method: "PATCH",
        body: { status: "snoozed", snoozedUntil: new Date(until).toISOString() },
      });
    }
    const db = getDb(env.DB);
    expect(await wakeSnoozed(db, env, until + 1, 2)).toEqual({ due: 2, woken: 2 });
    expect(await wakeSnoozed(db, env, until + 1, 2)).toEqual({ due: 2, woken: 2 });
    expect(await wakeSnoozed(db, env, until + 1, 2)).toEqual({ due: 1, woken: 1 });
    expect(await wakeSnoozed(db, env, until + 1, 2)).toEqual({ due: 0, woken: 0 });
  });
});
