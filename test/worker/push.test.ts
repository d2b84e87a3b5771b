/**
 * Web Push (SPEC §6.7) through the real worker, D1 and rooms: the devices'
 * endpoints, preferences per kind and channel, and delivery to a local push
 * service (push-receiver.ts) that decrypts each push with `http_ece`, an
 * implementation independent of the worker's, while this test checks the
 * VAPID JWT with `jose`.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { importJWK, jwtVerify } from "jose";
import { describe, expect, it, vi } from "vitest";
import { PREF_KINDS, type StoredPrefs, wants, wantsSql } from "../../worker/domain/notification-prefs";
import worker from "../../worker/index";
import {
  addUser,
  call,
  customerWrites,
  customerWritesIn,
  expectError,
  grant,
  json,
  mention,
  ORIGIN,
  type Person,
  twoAgentsAndACustomer,
  updateConversation,
} from "./helpers";
import { recordingEmail, runSweep } from "./mail";
import { connect } from "./sockets";

const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
const fromB64url = (s: string) =>
  Uint8Array.from(atob(s.replaceAll("-", "+").replaceAll("_", "/")), (c) => c.charCodeAt(0));

/** A browser's subscription keys, made here: the ECDH P-256 pair and the 16-byte auth secret. */
async function browserKeys() {
  const pair = (await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, [
    "deriveBits",
  ])) as CryptoKeyPair;
  const raw = new Uint8Array((await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer);
  const { d } = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
  return { p256dh: b64url(raw), auth: b64url(crypto.getRandomValues(new Uint8Array(16))), privateKey: d! };
}

interface Pushed {
  headers: Record<string, string>;
  bytes: number;
  payload: string | null;
  error: string | null;
  answered: number;
}

const received = async (path: string): Promise<Pushed[]> => (await fetch(`${env.PUSH_RECEIVER}/log${path}`)).json();
/** Waits until the push service has received `count` pushes at `path`. */
const pushesAt = (path: string, count: number) =>
  vi.waitFor(
    async () => {
      const log = await received(path);
      expect(log).toHaveLength(count);
      return log;
    },
    { timeout: 10_000, interval: 50 },
  );

/** Turns on push for `person` on a new "device" whose endpoint is the receiver at `/<kind>/<unique>`. */
async function subscribe(person: Person, kind: "ok" | "gone" | "flaky" | "fail" = "ok") {
  const path = `/${kind}/${crypto.randomUUID()}`;
  const keys = await browserKeys();
  await fetch(`${env.PUSH_RECEIVER}/keys${path}`, { method: "POST", body: JSON.stringify(keys) });
  const device = await json(
    person.as,
    "/api/me/push-subscriptions",
    {
      body: {
        endpoint: `${env.PUSH_RECEIVER}${path}`,
        expirationTime: null,
        keys: { p256dh: keys.p256dh, auth: keys.auth },
      },
    },
    201,
  );
  return { path, device, keys };
}

const outbox = (userId: string) =>
  env.DB.prepare(
    `SELECT p.status, p.attempts, p.last_error AS error, n.kind FROM push_outbox p
       JOIN notifications n ON n.id = p.notification_id WHERE n.user_id = ? ORDER BY p.created_at`,
  )
    .bind(userId)
    .all<{ status: string; attempts: number; error: string | null; kind: string }>()
    .then((r) => r.results);

const setPrefs = (person: Person, notifications: Record<string, Record<string, boolean>>) =>
  json(person.as, "/api/me", { method: "PATCH", body: { notifications } });

const subscriptionCount = async (userId: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM push_subscriptions WHERE user_id = ?")
    .bind(userId)
    .first<{ n: number }>())!.n;

describe("the devices of an agent", () => {
  it("refuses a subscription that is not one, with a clear 400, and stores nothing", async () => {
    const { ana } = await twoAgentsAndACustomer();
    const { p256dh, auth } = await browserKeys();
    const good = { p256dh, auth };
    const endpoint = `${env.PUSH_RECEIVER}/ok/never`;
    const offCurve = b64url(Uint8Array.from({ length: 65 }, (_, i) => (i === 0 ? 4 : 7)));
    const bad: [unknown, string][] = [
      [{ endpoint: "ftp://push.example/x", keys: good }, "endpoint"],
      [{ endpoint: "not a url", keys: good }, "endpoint"],
      [{ endpoint, keys: { p256dh: good.p256dh.slice(0, 40), auth: good.auth } }, "keys.p256dh"],
      [{ endpoint, keys: { p256dh: offCurve, auth: good.auth } }, "keys.p256dh"],
      [{ endpoint, keys: { p256dh: good.p256dh, auth: b64url(new Uint8Array(15)) } }, "keys.auth"],
      [{ endpoint, keys: { p256dh: good.p256dh, auth: "!!not base64!!" } }, "keys.auth"],
      [{ endpoint }, "keys"],
      [{ endpoint, keys: { p256dh: good.p256dh, auth: good.auth, extra: "x" } }, "keys"],
    ];
    for (const [body, field] of bad) {
      const res = await call(ana.as, "/api/me/push-subscriptions", { body });
      const error = await expectError(res, 400, "validation_failed");
      expect(JSON.stringify(error.details ?? error.message), JSON.stringify(body)).toContain(field.split(".").pop()!);
    }
    expect(await subscriptionCount(ana.id)).toBe(0);
  });

  it("lists my devices without their keys, marks this one, keeps one row per browser and lets only me remove mine", async () => {
    const { ana, ben } = await twoAgentsAndACustomer();
    const phone = await subscribe(ana);
    await subscribe(ana);
    const listed = await json(
      ana.as,
      `/api/me/push-subscriptions?endpoint=${encodeURIComponent(`${env.PUSH_RECEIVER}${phone.path}`)}`,
    );
    expect(listed.publicKey).toBe(env.VAPID_PUBLIC_KEY);
    expect(listed.subscriptions).toHaveLength(2);
    expect(listed.subscriptions.filter((d) => d.current).map((d) => d.id)).toEqual([phone.device.id]);
    const text = JSON.stringify(listed) + JSON.stringify(phone.device);
    expect(text).not.toContain(phone.keys.p256dh);
    expect(text).not.toContain(phone.keys.auth);
    expect(text).not.toContain(phone.path);

    // The same browser subscribes again (new keys): still one row.
    const fresh = await browserKeys();
    const again = await json(
      ana.as,
      "/api/me/push-subscriptions",
      { body: { endpoint: `${env.PUSH_RECEIVER}${phone.path}`, keys: { p256dh: fresh.p256dh, auth: fresh.auth } } },
      201,
    );
    expect(again.id).toBe(phone.device.id);
    expect(await subscriptionCount(ana.id)).toBe(2);

    // Ben can neither see nor remove Ana's devices.
    expect((await json(ben.as, "/api/me/push-subscriptions")).subscriptions).toEqual([]);
    await expectError(
      await call(ben.as, `/api/me/push-subscriptions/${phone.device.id}`, { method: "DELETE" }),
      404,
      "not_found",
    );
    expect(await subscriptionCount(ana.id)).toBe(2);

    // Ben signs in on Ana's browser and turns push on: the device is his now.
    await json(
      ben.as,
      "/api/me/push-subscriptions",
      { body: { endpoint: `${env.PUSH_RECEIVER}${phone.path}`, keys: { p256dh: fresh.p256dh, auth: fresh.auth } } },
      201,
    );
    expect([await subscriptionCount(ana.id), await subscriptionCount(ben.id)]).toEqual([1, 1]);

    const [other] = (await json(ana.as, "/api/me/push-subscriptions")).subscriptions;
    await call(ana.as, `/api/me/push-subscriptions/${other!.id}`, { method: "DELETE" }).then((r) =>
      expect(r.status).toBe(204),
    );
    expect(await subscriptionCount(ana.id)).toBe(0);
  });

  it("keeps at most 20 devices per agent: the 21st replaces the one added longest ago", async () => {
    const { ana } = await twoAgentsAndACustomer();
    const first = await subscribe(ana);
    for (let i = 0; i < 20; i++) await subscribe(ana);
    const ids = (await json(ana.as, "/api/me/push-subscriptions")).subscriptions.map((d) => d.id);
    expect(ids).toHaveLength(20);
    expect(ids).not.toContain(first.device.id);
  });

  it("says push isn't set up when the server has no VAPID keys, and never fails with a 500", async () => {
    const { ana } = await twoAgentsAndACustomer();
    const keys = await browserKeys();
    const unset = { ...env, VAPID_PUBLIC_KEY: undefined, VAPID_PRIVATE_KEY: undefined } as unknown as Env;
    const ask = async (path: string, init: RequestInit) => {
      const ctx = createExecutionContext();
      const res = await worker.fetch!(
        new Request(`${ORIGIN}${path}`, {
          ...init,
          headers: { cookie: ana.as.cookie, origin: ORIGIN, "content-type": "application/json" },
        }) as Request<unknown, IncomingRequestCfProperties>,
        unset,
        ctx,
      );
      await waitOnExecutionContext(ctx);
      return res;
    };
    const listed = await ask("/api/me/push-subscriptions", { method: "GET" });
    expect(await listed.json()).toEqual({ publicKey: null, subscriptions: [] });
    const refused = await ask("/api/me/push-subscriptions", {
      method: "POST",
      body: JSON.stringify({ endpoint: `${env.PUSH_RECEIVER}/ok/x`, keys: { p256dh: keys.p256dh, auth: keys.auth } }),
    });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({
      error: { code: "not_configured", message: expect.stringContaining("Push isn't set up") },
    });
    expect(await subscriptionCount(ana.id)).toBe(0);
  });
});

describe("notification preferences per kind and channel", () => {
  it("are read the same way by SQL (the writers' fan-out) as by code (the email sweep, the profile)", async () => {
    const stored: StoredPrefs[] = [
      null,
      { update: { push: true }, mention: { inApp: false, push: false } },
      { sla: {} },
    ];
    for (const prefs of stored)
      for (const kind of PREF_KINDS)
        for (const channel of ["inApp", "push"] as const) {
          const row = await env.DB.prepare(`SELECT ${wantsSql("?1", "?2", channel)} AS v`)
            .bind(prefs && JSON.stringify(prefs), kind)
            .first<{ v: number }>();
          expect(!!row!.v, `${JSON.stringify(prefs)} ${kind} ${channel}`).toBe(wants(prefs, true, kind, channel));
        }
  });

  it("start from the defaults, change one cell at a time and refuse unknown kinds or channels", async () => {
    const { ana } = await twoAgentsAndACustomer();
    const me = await json(ana.as, "/api/me");
    expect(me.preferences.notifications.mention).toEqual({ inApp: true, email: false, push: true });
    expect(me.preferences.notifications.update).toEqual({ inApp: true, email: false, push: false });
    await json(ana.as, "/api/me", { method: "PATCH", body: { emailNotifications: true } });
    const changed = await setPrefs(ana, { update: { push: true }, sla: { email: false } });
    expect(changed.preferences.notifications.update).toEqual({ inApp: true, email: true, push: true });
    expect(changed.preferences.notifications.sla).toEqual({ inApp: true, email: false, push: true });
    expect(changed.preferences.notifications.mention).toEqual({ inApp: true, email: true, push: true });
    for (const body of [
      { notifications: { birthday: { push: true } } },
      { notifications: { mention: { sms: true } } },
      { notifications: { mention: { push: "yes" } } },
      { notifications: {} },
    ]) {
      await expectError(await call(ana.as, "/api/me", { method: "PATCH", body }), 400, "validation_failed");
    }
    expect((await json(ana.as, "/api/me")).preferences.notifications).toEqual(changed.preferences.notifications);
  });
});

describe("pushes", () => {
  it("go to the devices of mentioned agents who want them, encrypted per RFC 8291 with a valid VAPID JWT", async () => {
    const { admin, inbox, ana, ben, conversationId } = await twoAgentsAndACustomer();
    const cy = await addUser(admin, "agent", "Cy Quiet");
    const dee = await addUser(admin, "agent", "Dee Deviceless");
    for (const p of [cy, dee]) await grant(admin, inbox.id, p, "reply");
    const bens = await subscribe(ben);
    const cys = await subscribe(cy);
    await setPrefs(cy, { mention: { push: false } });

    await mention(
      ana.as,
      conversationId,
      [ben, cy, dee],
      "@Ben Agent @Cy Quiet @Dee Deviceless can you check the invoice totals?",
    );
    const [push] = await pushesAt(bens.path, 1);
    expect(push!.error).toBeNull();
    const payload = JSON.parse(push!.payload!);
    expect(payload).toEqual({
      title: "Ana Agent mentioned you",
      body: "@Ben Agent @Cy Quiet @Dee Deviceless can you check the invoice totals?",
      url: `/conversations/${conversationId}`,
      tag: `conversation-${conversationId}`,
    });
    expect(push!.headers).toMatchObject({ "content-encoding": "aes128gcm", ttl: "86400", urgency: "high" });

    // VAPID (RFC 8292): `vapid t=<JWT>, k=<public key>`, signed ES256 by the key the browser subscribed with.
    const auth = push!.headers.authorization!.match(/^vapid t=([^,]+), k=(.+)$/)!;
    expect(auth[2]).toBe(env.VAPID_PUBLIC_KEY);
    const point = fromB64url(auth[2]!);
    const key = await importJWK(
      { kty: "EC", crv: "P-256", x: b64url(point.slice(1, 33)), y: b64url(point.slice(33)) },
      "ES256",
    );
    const { payload: claims } = await jwtVerify(auth[1]!, key, {
      algorithms: ["ES256"],
      audience: new URL(env.PUSH_RECEIVER).origin,
    });
    expect(claims.sub).toBe("mailto:push-tests@switchboard.example");
    expect(claims.exp! * 1000).toBeGreaterThan(Date.now());
    expect(claims.exp! * 1000).toBeLessThanOrEqual(Date.now() + 24 * 3600_000);

    expect(await outbox(ben.id)).toEqual([{ status: "sent", attempts: 1, error: null, kind: "mention" }]);
    expect(await outbox(cy.id)).toEqual([]);
    expect(await outbox(dee.id)).toEqual([]);
    expect(await received(cys.path)).toEqual([]);
    const [device] = (await json(ben.as, "/api/me/push-subscriptions")).subscriptions;
    expect(device!.lastSuccessAt).not.toBeNull();
  });

  it("tell followers of updates only when they chose to get them", async () => {
    const { ana, ben, conversationId, contactToken } = await twoAgentsAndACustomer();
    for (const p of [ana, ben])
      await call(p.as, `/api/conversations/${conversationId}/followers`, { body: { userId: p.id } });
    const anas = await subscribe(ana);
    const bens = await subscribe(ben);
    await setPrefs(ben, { update: { push: true } });
    await customerWrites(contactToken, conversationId, "Any news on my refund?").then((r) =>
      expect(r.status).toBe(201),
    );
    const [push] = await pushesAt(bens.path, 1);
    expect(JSON.parse(push!.payload!)).toMatchObject({
      title: "Cara Customer updated a conversation you follow",
      body: "Any news on my refund?",
    });
    expect(push!.headers.urgency).toBe("normal");
    // Ana follows too but kept the default (updates: no push); her bell still has it.
    expect(await outbox(ana.id)).toEqual([]);
    expect(await received(anas.path)).toEqual([]);
    expect((await json(ana.as, "/api/notifications")).items.map((n) => n.kind)).toContain("update");
  });

  it("leave the bell alone when in-app is off for that kind, while push still goes", async () => {
    const { ana, ben, conversationId } = await twoAgentsAndACustomer();
    const bens = await subscribe(ben);
    await setPrefs(ben, { mention: { inApp: false } });
    const live = await connect("/api/live", ben.as);
    await mention(ana.as, conversationId, [ben]);
    await pushesAt(bens.path, 1);
    expect(await json(ben.as, "/api/notifications")).toMatchObject({ items: [], unreadCount: 0 });
    // An assignment still rings the bell; the live bell heard of nothing before it.
    await updateConversation(ana.as, conversationId, { assigneeId: ben.id });
    expect((await live.next("notification")).notification.kind).toBe("assigned");
    expect(await json(ben.as, "/api/notifications")).toMatchObject({ items: [{ kind: "assigned" }], unreadCount: 1 });
    live.close();
  });

  it("are no email: a kind with email off is skipped by the email sweep, another kind is still emailed", async () => {
    const { ana, ben, conversationId } = await twoAgentsAndACustomer();
    await json(ben.as, "/api/me", { method: "PATCH", body: { emailNotifications: true } });
    await setPrefs(ben, { mention: { email: false } });
    await mention(ana.as, conversationId, [ben]);
    await updateConversation(ana.as, conversationId, { assigneeId: ben.id });
    const { handed, recording } = recordingEmail();
    await runSweep(Date.now() + 10 * 60_000, recording);
    expect(handed).toHaveLength(1);
    expect(handed[0]).toMatchObject({ to: ben.email, subject: "Ana Agent assigned you a conversation" });
  });

  it("tell the assignee of a missed SLA, from the minute sweep's breach", async () => {
    const { admin, inbox, ben } = await twoAgentsAndACustomer();
    await json(admin.as, `/api/inboxes/${inbox.id}/sla`, {
      method: "PUT",
      body: { firstResponseMinutes: 5, businessHoursOnly: false },
    });
    const { conversationId } = await customerWritesIn(inbox.widgetKey, "Still waiting on my refund");
    await updateConversation(admin.as, conversationId, { assigneeId: ben.id });
    const bens = await subscribe(ben);
    const { sla } = await json(admin.as, `/api/conversations/${conversationId}`);
    await runSweep(Date.parse(sla!.dueAt) + 60_000);
    const [push] = await pushesAt(bens.path, 1);
    expect(JSON.parse(push!.payload!)).toMatchObject({
      title: "A conversation missed its SLA",
      body: expect.stringContaining("First response is overdue"),
      url: `/conversations/${conversationId}`,
    });
    expect(push!.headers.urgency).toBe("normal");
  });

  it("forget a device the push service says is gone (410)", async () => {
    const { ana, ben, conversationId } = await twoAgentsAndACustomer();
    const gone = await subscribe(ben, "gone");
    const kept = await subscribe(ben);
    await mention(ana.as, conversationId, [ben]);
    await pushesAt(gone.path, 1);
    await pushesAt(kept.path, 1);
    await vi.waitFor(async () => expect(await subscriptionCount(ben.id)).toBe(1));
    expect((await json(ben.as, "/api/me/push-subscriptions")).subscriptions.map((d) => d.id)).toEqual([kept.device.id]);
  });

  it("are retried by the sweep after a 500, and sent once when it succeeds", async () => {
    const { ana, ben, conversationId } = await twoAgentsAndACustomer();
    const flaky = await subscribe(ben, "flaky");
    await mention(ana.as, conversationId, [ben]);
    await pushesAt(flaky.path, 1);
    await vi.waitFor(async () => expect((await outbox(ben.id))[0]).toMatchObject({ status: "pending", error: "500" }));
    await runSweep(Date.now() + 10_000); // backing off: not tried again yet
    expect(await received(flaky.path)).toHaveLength(1);
    await runSweep(Date.now() + 2 * 60_000);
    const log = await pushesAt(flaky.path, 2);
    expect(log.map((p) => p.answered)).toEqual([500, 201]);
    expect(log[0]!.payload).toBe(log[1]!.payload);
    await runSweep(Date.now() + 20 * 60_000);
    expect(await received(flaky.path)).toHaveLength(2);
    expect(await outbox(ben.id)).toEqual([{ status: "sent", attempts: 2, error: null, kind: "mention" }]);
  });

  it("are not sent to someone who lost access to the inbox, nor once the notification was read", async () => {
    const { admin, inbox, ana, ben, conversationId } = await twoAgentsAndACustomer();
    const bens = await subscribe(ben, "flaky");
    await mention(ana.as, conversationId, [ben], "@Ben Agent the refund code is 4417");
    await pushesAt(bens.path, 1);
    await vi.waitFor(async () => expect((await outbox(ben.id))[0]).toMatchObject({ status: "pending" }));
    await call(admin.as, `/api/inboxes/${inbox.id}/access/${ben.id}`, { method: "DELETE" }).then((r) =>
      expect(r.status).toBeLessThan(300),
    );
    await runSweep(Date.now() + 2 * 60_000);
    expect(await received(bens.path)).toHaveLength(1);
    expect(await outbox(ben.id)).toEqual([
      { status: "failed", attempts: 2, error: "skipped: no access", kind: "mention" },
    ]);

    const cy = await addUser(admin, "agent", "Cy Reader");
    await grant(admin, inbox.id, cy, "reply");
    const cys = await subscribe(cy, "flaky");
    await mention(ana.as, conversationId, [cy]);
    await pushesAt(cys.path, 1);
    await json(cy.as, "/api/notifications/read", { body: { all: true } });
    await runSweep(Date.now() + 2 * 60_000);
    expect(await received(cys.path)).toHaveLength(1);
    expect(await outbox(cy.id)).toEqual([
      { status: "failed", attempts: 2, error: "skipped: already read", kind: "mention" },
    ]);
  });

  it("fan out to 120 devices from one note inside D1's 100 parameters per statement", async () => {
    const { admin, inbox, ana, conversationId } = await twoAgentsAndACustomer();
    const people: Person[] = [];
    for (let i = 0; i < 6; i++) {
      const p = await addUser(admin, "agent", `Fan${i} Agent`);
      await grant(admin, inbox.id, p, "reply");
      for (let d = 0; d < 20; d++) await subscribe(p);
      people.push(p);
    }
    await mention(ana.as, conversationId, people).then((r) => expect(r.status).toBe(201));
    const queued = await env.DB.prepare(
      `SELECT count(*) AS n FROM push_outbox p JOIN notifications n ON n.id = p.notification_id WHERE n.conversation_id = ?`,
    )
      .bind(conversationId)
      .first<{ n: number }>();
    expect(queued!.n).toBe(120);
    await vi.waitFor(
      async () => {
        const sent = await env.DB.prepare(
          `SELECT count(*) AS n FROM push_outbox p JOIN notifications n ON n.id = p.notification_id WHERE n.conversation_id = ? AND p.status = 'sent'`,
        )
          .bind(conversationId)
          .first<{ n: number }>();
        expect(sent!.n).toBe(120);
      },
      { timeout: 20_000, interval: 200 },
    );
  });
});
