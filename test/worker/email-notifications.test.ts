import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { addUser, createInbox, json, setUpWorkspace, updateConversation } from "./helpers";
import { recordingEmail, runSweep } from "./mail";

/** `count` unread notifications for `userId`, created at `at`. */
async function notificationsFor(userId: string, count: number, at: number) {
  const rows = Array.from({ length: count }, (_, i) =>
    env.DB.prepare(
      "INSERT INTO notifications (id, user_id, kind, actor_name, preview, created_at) VALUES (?, ?, 'mention', 'Ada', ?, ?)",
    ).bind(`nt_${userId}_${i}`, userId, `note ${i}`, at),
  );
  await env.DB.batch(rows);
}

const state = (userId: string) =>
  env.DB.prepare(
    "SELECT count(*) AS total, sum(emailed_at IS NOT NULL) AS handled, max(email_attempts) AS attempts FROM notifications WHERE user_id = ?",
  )
    .bind(userId)
    .first<{ total: number; handled: number; attempts: number }>();

describe("notification email", () => {
  it("drains a backlog larger than one batch, each notification once", async () => {
    const { admin } = await setUpWorkspace();
    const bea = await addUser(admin, "agent", "Bea Wantsmail");
    await json(bea.as, "/api/me", { method: "PATCH", body: { emailNotifications: true } });
    const at = Date.now();
    await notificationsFor(bea.id, 150, at);
    await runSweep(at + 180_000);
    expect(await state(bea.id)).toEqual({ total: 150, handled: 100, attempts: 1 });
    await runSweep(at + 240_000);
    expect(await state(bea.id)).toEqual({ total: 150, handled: 150, attempts: 1 });
    await runSweep(at + 300_000);
    expect(await state(bea.id)).toEqual({ total: 150, handled: 150, attempts: 1 });
  });

  it("retries a failing send with back-off instead of sending the same mail every minute, then gives up", async () => {
    const { admin } = await setUpWorkspace();
    const bea = await addUser(admin, "agent", "Bea Wantsmail");
    await json(bea.as, "/api/me", { method: "PATCH", body: { emailNotifications: true } });
    const at = Date.now();
    await notificationsFor(bea.id, 3, at);
    // Mail not set up (no sender): every send fails.
    const broken = { ...env, EMAIL_FROM: "" } as unknown as Env;
    await runSweep(at + 180_000, broken);
    expect(await state(bea.id)).toMatchObject({ handled: 0, attempts: 1 });
    await runSweep(at + 200_000, broken); // backing off: not claimed again
    expect(await state(bea.id)).toMatchObject({ handled: 0, attempts: 1 });
    let clock = at + 180_000;
    for (let i = 2; i <= 5; i++) {
      clock += 60 * 60_000;
      await runSweep(clock, broken);
      expect(await state(bea.id)).toMatchObject({ attempts: i });
    }
    expect(await state(bea.id)).toMatchObject({ handled: 3, attempts: 5 });
  });

  it("is marked Auto-Submitted: auto-generated, so out-of-office replies never answer it", async () => {
    const { admin } = await setUpWorkspace();
    const bea = await addUser(admin, "agent", "Bea Wantsmail");
    await json(bea.as, "/api/me", { method: "PATCH", body: { emailNotifications: true } });
    const at = Date.now();
    await notificationsFor(bea.id, 2, at);
    // The real binding, with each message it is handed noted on the way through.
    const { handed, recording } = recordingEmail();
    await runSweep(at + 180_000, recording);
    expect(handed).toHaveLength(1);
    expect(handed[0]).toMatchObject({ to: bea.email, headers: { "Auto-Submitted": "auto-generated" } });
    expect(await state(bea.id)).toMatchObject({ handled: 2 });
  });

  it("runs every job even when one throws", async () => {
    const { admin } = await setUpWorkspace();
    const bea = await addUser(admin, "agent", "Bea Wantsmail");
    await json(bea.as, "/api/me", { method: "PATCH", body: { emailNotifications: true } });
    const inbox = await createInbox(admin);
    const started = await json(
      null,
      `/api/widget/${inbox.widgetKey}/conversations`,
      { body: { name: "Cara", body: "hi" } },
      201,
    );
    await updateConversation(admin.as, started.conversationId, {
      status: "snoozed",
      snoozedUntil: new Date(Date.now() + 60_000).toISOString(),
    });
    const at = Date.now();
    await notificationsFor(bea.id, 2, at);
    // The rooms are unreachable: waking snoozed conversations throws; the mail still goes out.
    const noRooms = { ...env, CONVERSATION_ROOM: undefined } as unknown as Env;
    await runSweep(at + 180_000, noRooms);
    expect(await state(bea.id)).toMatchObject({ handled: 2 });
  });
});
