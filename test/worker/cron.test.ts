import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index";
import { addUser, createInbox, customerWritesIn, expectStatus, grant, json, postMessage, setUpWorkspace } from "./helpers";

/** Fires the minute cron as if it ran at `time`. */
async function runCron(time: number) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: time, cron: "* * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
}

const emailState = () =>
  env.DB.prepare("SELECT u.name, n.emailed_at IS NOT NULL AS handled, n.read_at IS NOT NULL AS read FROM notifications n JOIN users u ON u.id = n.user_id ORDER BY u.name")
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
    await expectStatus(postMessage(admin.as, conversationId, { kind: "note", body: "@all have a look", mentions: [bea.id, cy.id, dee.id] }), 201);
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
