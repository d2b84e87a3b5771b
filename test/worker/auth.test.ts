import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  addUser,
  agentWith,
  call,
  countRows,
  createInbox,
  expectError,
  expectStatus,
  json,
  ORIGIN,
  PASSWORD,
  send,
  setUpWorkspace,
  signIn,
  supportTeam,
} from "./helpers";

const login = (email: string, password: string, headers: Record<string, string> = {}) =>
  call(null, "/api/auth/login", { body: { email, password }, headers: { origin: ORIGIN, ...headers } });

describe("sign-in and sessions", () => {
  it("sets an HttpOnly, SameSite=Lax session cookie that is Secure only over https", async () => {
    const { admin } = await setUpWorkspace();

    const overHttp = await login(admin.email, PASSWORD);
    expect(overHttp.status).toBe(200);
    const plain = overHttp.headers.get("set-cookie")!;
    expect(plain).toMatch(/^sb_session=[^;]+/);
    expect(plain).toMatch(/;\s*HttpOnly/i);
    expect(plain).toMatch(/;\s*SameSite=Lax/i);
    expect(plain).toMatch(/;\s*Path=\//i);
    expect(plain).not.toMatch(/;\s*Secure/i);
    expect((await expectStatus(overHttp, 200)).user).toEqual({
      id: admin.id,
      name: admin.name,
      email: admin.email,
      role: "admin",
    });

    const https = "https://switchboard.test";
    const overHttps = await send(
      new Request(`${https}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: https },
        body: JSON.stringify({ email: admin.email, password: PASSWORD }),
      }),
    );
    expect(overHttps.status).toBe(200);
    const secure = overHttps.headers.get("set-cookie")!;
    expect(secure).toMatch(/;\s*Secure/i);
    expect(secure).toMatch(/;\s*HttpOnly/i);
    expect(secure).toMatch(/;\s*SameSite=Lax/i);
  });

  it("answers an unknown email and a wrong password with the same 401", async () => {
    const { admin } = await setUpWorkspace();
    const unknown = await expectError(login("nobody@acme.test", PASSWORD), 401, "unauthenticated");
    const wrong = await expectError(login(admin.email, "not the password"), 401, "unauthenticated");
    expect(wrong).toEqual(unknown);
    // Emails are matched case-insensitively.
    await expectStatus(login(admin.email.toUpperCase(), PASSWORD), 200);
  });

  it("ends the session on logout: the old cookie no longer works", async () => {
    const { admin } = await setUpWorkspace();
    const other = await signIn(admin.email);
    await json(admin.as, "/api/me");

    const out = await call(admin.as, "/api/auth/logout", { method: "POST" });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/sb_session=;.*Max-Age=0/i);
    await expectError(call(admin.as, "/api/me"), 401, "unauthenticated");
    await expectError(
      call(admin.as, "/api/inboxes", { body: { name: "Sales", channel: "chat" } }),
      401,
      "unauthenticated",
    );
    // Only that session ended: another device stays signed in.
    await json(other, "/api/me");
  });

  it("refuses requests without credentials or with a made-up cookie", async () => {
    await setUpWorkspace();
    await expectError(call(null, "/api/me"), 401, "unauthenticated");
    await expectError(call({ cookie: "sb_session=sbs_made-up" }, "/api/me"), 401, "unauthenticated");
    await expectError(call(null, "/api/conversations"), 401, "unauthenticated");
  });
});

describe("/api/me", () => {
  it("lists an agent's granted inboxes with their access, and every inbox at reply for an admin", async () => {
    const { admin, inbox: support } = await supportTeam("Support");
    const billing = await createInbox(admin, "Billing", "email");
    const hidden = await createInbox(admin, "Hidden");
    const agent = await agentWith(admin, support.id, "note");

    const mine = await json(agent.as, "/api/me");
    expect(mine).toEqual({
      user: { id: agent.id, name: agent.name, email: agent.email, role: "agent" },
      workspace: { id: expect.any(String), name: "Acme Support" },
      inboxes: [{ id: support.id, name: "Support", channel: "chat", access: "note" }],
      preferences: { timeZone: "UTC", emailNotifications: false, notifications: expect.any(Object) },
    });

    const theirs = await json(admin.as, "/api/me");
    expect(theirs.user).toEqual({ id: admin.id, name: admin.name, email: admin.email, role: "admin" });
    expect(theirs.workspace.id).toBe(mine.workspace.id);
    expect(theirs.inboxes).toEqual([
      { id: billing.id, name: "Billing", channel: "email", access: "reply" },
      { id: hidden.id, name: "Hidden", channel: "chat", access: "reply" },
      { id: support.id, name: "Support", channel: "chat", access: "reply" },
    ]);
  });
});

describe("API tokens", () => {
  it("shows a new token once, stores only its hash, and accepts it as a bearer token", async () => {
    const { admin } = await setUpWorkspace();
    const created = await json(admin.as, "/api/me/tokens", { body: { name: "Zapier" } }, 201);
    expect(created).toEqual({ id: expect.any(String), name: "Zapier", token: expect.any(String) });

    const stored = await env.DB.prepare("SELECT * FROM api_tokens").all();
    expect(stored.results).toHaveLength(1);
    expect(JSON.stringify(stored.results)).not.toContain(created.token);

    const me = await json({ bearer: created.token }, "/api/me");
    expect(me.user).toEqual({ id: admin.id, name: admin.name, email: admin.email, role: "admin" });
  });

  it("acts as the token's user, with that user's access", async () => {
    const { admin, inbox } = await supportTeam();
    const agent = await agentWith(admin, inbox.id, "view");
    const { token } = await json(agent.as, "/api/me/tokens", { body: { name: "script" } }, 201);
    const me = await json({ bearer: token }, "/api/me");
    expect(me.user.id).toBe(agent.id);
    expect(me.inboxes).toEqual([{ id: inbox.id, name: "Support", channel: "chat", access: "view" }]);
    await expectError(
      call({ bearer: token }, "/api/users", {
        body: { name: "X", email: "x@acme.test", password: PASSWORD, role: "agent" },
      }),
      403,
      "forbidden",
    );
  });

  it("refuses a bogus bearer token, even next to a valid cookie", async () => {
    const { admin } = await setUpWorkspace();
    await expectError(call({ bearer: "sbt_not-a-real-token" }, "/api/me"), 401, "unauthenticated");
    await expectError(
      call(admin.as, "/api/me", { headers: { authorization: "Bearer sbt_not-a-real-token" } }),
      401,
      "unauthenticated",
    );
  });
});

describe("cross-site request guard", () => {
  it("refuses a cookie-authenticated write from a foreign Origin and writes nothing", async () => {
    const { admin } = await setUpWorkspace();
    const before = await countRows("inboxes");
    const body = { name: "Sales", channel: "chat" };

    for (const origin of ["https://evil.example", "null", "http://switchboard.test:8080", "https://switchboard.test"]) {
      await expectError(call(admin.as, "/api/inboxes", { body, headers: { origin } }), 403, "forbidden");
    }
    await expectError(
      call(admin.as, "/api/inboxes", { body, headers: { origin: "", "sec-fetch-site": "cross-site" } }),
      403,
      "forbidden",
    );
    await expectError(
      call(admin.as, "/api/auth/logout", { method: "POST", headers: { origin: "https://evil.example" } }),
      403,
      "forbidden",
    );
    expect(await countRows("inboxes")).toBe(before);
    await json(admin.as, "/api/me"); // the forged logout did not end the session

    await json(admin.as, "/api/inboxes", { body, headers: { origin: ORIGIN } }, 201);
    expect(await countRows("inboxes")).toBe(before + 1);
  });

  it("refuses a login posted from another site", async () => {
    const { admin } = await setUpWorkspace();
    const before = await countRows("sessions");
    await expectError(login(admin.email, PASSWORD, { origin: "https://evil.example" }), 403, "forbidden");
    expect(await countRows("sessions")).toBe(before);
  });

  it("needs no Origin for a bearer-token write", async () => {
    const { admin } = await setUpWorkspace();
    const { token } = await json(admin.as, "/api/me/tokens", { body: { name: "ci" } }, 201);
    const inbox = await json({ bearer: token }, "/api/inboxes", { body: { name: "Sales", channel: "chat" } }, 201);
    expect(inbox.name).toBe("Sales");
  });

  it("lets reads through whatever the Origin", async () => {
    const { admin } = await setUpWorkspace();
    const me = await json(admin.as, "/api/me", { headers: { origin: "https://evil.example" } });
    expect(me.user.id).toBe(admin.id);
  });
});

describe("sign-in rate limit", () => {
  it("limits an email per address, case-insensitively, and leaves colleagues alone", async () => {
    const { admin } = await setUpWorkspace();
    const bea = await addUser(admin, "agent", "Bea Agent");
    const ip = { "cf-connecting-ip": "203.0.113.5" };
    for (let i = 0; i < 10; i++) {
      await expectError(login(admin.email, `wrong password ${i}`, ip), 401, "unauthenticated");
    }
    const sessions = await countRows("sessions");
    await expectError(login(admin.email, PASSWORD, ip), 429, "rate_limited");
    await expectError(login(admin.email.toUpperCase(), PASSWORD, ip), 429, "rate_limited");
    expect(await countRows("sessions")).toBe(sessions);
    await expectStatus(login(bea.email, PASSWORD, ip), 200);
  });

  it("limits an address after 50 attempts across emails", async () => {
    const { admin } = await setUpWorkspace();
    const ip = { "cf-connecting-ip": "203.0.113.77" };
    for (let i = 0; i < 50; i++) {
      await expectError(login(`guess${i}@acme.test`, "whatever1", ip), 401, "unauthenticated");
    }
    await expectError(login(admin.email, PASSWORD, ip), 429, "rate_limited");
    await expectStatus(login(admin.email, PASSWORD, { "cf-connecting-ip": "203.0.113.78" }), 200);
  });

  it("does not count successful sign-ins", async () => {
    const { admin } = await setUpWorkspace();
    for (let i = 0; i < 11; i++) await expectStatus(login(admin.email, PASSWORD), 200);
  });
});
