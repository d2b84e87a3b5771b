/** SPEC §6.1: admins invite teammates by link; the invitee picks their own name and password. */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  addUser,
  call,
  createInbox,
  expectError,
  expectStatus,
  json,
  PASSWORD,
  rowCounts,
  signIn,
  supportTeam,
  type Person,
} from "./helpers";

const tokenOf = (inviteUrl: string) => decodeURIComponent(new URL(inviteUrl).pathname.split("/").pop()!);

function invite(admin: Person, body: Record<string, unknown>) {
  return json(admin.as, "/api/invitations", { body }, 201);
}

function accept(token: string, name = "Ivy Invitee", password = PASSWORD) {
  return call(null, "/api/auth/accept-invite", { body: { token, name, password } });
}

describe("invitations", () => {
  it("invite → accept: the invitee signs in with the grants the admin chose, and the link works once", async () => {
    const { admin, inbox } = await supportTeam();
    const sales = await createInbox(admin, "Sales");
    const created = await invite(admin, {
      email: "Ivy@Example.com",
      role: "agent",
      access: [
        { inboxId: inbox.id, access: "reply" },
        { inboxId: sales.id, access: "view" },
      ],
    });
    expect(created.inviteUrl).toMatch(/^http:\/\/switchboard\.test\/invite\//);
    // Mail is set up in the test environment (EMAIL binding and EMAIL_FROM): the invitee was mailed too.
    expect(created.emailed).toBe(true);
    const pending = await json(admin.as, "/api/invitations");
    expect(pending.items).toEqual([
      expect.objectContaining({
        id: created.id,
        email: "ivy@example.com",
        role: "agent",
        invitedBy: { id: admin.id, name: admin.name },
      }),
    ]);

    const res = await accept(tokenOf(created.inviteUrl));
    const cookie = res.headers.get("set-cookie")?.match(/sb_session=[^;]+/)?.[0];
    const body = await expectStatus(res, 201);
    expect(body.user).toMatchObject({ name: "Ivy Invitee", email: "ivy@example.com", role: "agent" });
    const me = await json({ cookie: cookie! }, "/api/me");
    expect(me.inboxes.map((i) => [i.name, i.access]).sort()).toEqual([
      ["Sales", "view"],
      ["Support", "reply"],
    ]);
    await signIn("ivy@example.com");

    expect((await json(admin.as, "/api/invitations")).items).toEqual([]);
    await expectError(accept(tokenOf(created.inviteUrl), "Mallory"), 404, "not_found");
  });

  it("two people racing with one link: one account, one 404", async () => {
    const { admin } = await supportTeam();
    const { inviteUrl } = await invite(admin, { email: "race@example.com", role: "agent" });
    const results = await Promise.all([accept(tokenOf(inviteUrl), "One"), accept(tokenOf(inviteUrl), "Two")]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 404]);
    const users = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE email = 'race@example.com'").first<{
      n: number;
    }>();
    expect(users!.n).toBe(1);
  });

  it("revoked or expired links stop working; inviting again replaces the earlier link", async () => {
    const { admin } = await supportTeam();
    const first = await invite(admin, { email: "rev@example.com", role: "agent" });
    const second = await invite(admin, { email: "rev@example.com", role: "admin" });
    await expectError(accept(tokenOf(first.inviteUrl)), 404, "not_found");
    expect((await json(admin.as, "/api/invitations")).items.map((i) => i.role)).toEqual(["admin"]);

    expect((await call(admin.as, `/api/invitations/${second.id}`, { method: "DELETE" })).status).toBe(204);
    await expectError(call(admin.as, `/api/invitations/${second.id}`, { method: "DELETE" }), 404, "not_found");
    await expectError(accept(tokenOf(second.inviteUrl)), 404, "not_found");

    const third = await invite(admin, { email: "late@example.com", role: "agent" });
    await env.DB.prepare("UPDATE invitations SET expires_at = ? WHERE id = ?")
      .bind(Date.now() - 1, third.id)
      .run();
    expect((await json(admin.as, "/api/invitations")).items).toEqual([]);
    await expectError(accept(tokenOf(third.inviteUrl)), 404, "not_found");
  });

  it("refuses an email that already has an account (409), unknown inboxes and bad input (400), writing nothing", async () => {
    const { admin } = await supportTeam();
    const bea = await addUser(admin);
    const before = await rowCounts("invitations", "users", "inbox_access");
    await expectError(
      call(admin.as, "/api/invitations", { body: { email: bea.email, role: "agent" } }),
      409,
      "conflict",
    );
    const bad = [
      { email: "x@example.com", role: "agent", access: [{ inboxId: "ib_nope", access: "reply" }] },
      { email: "not an email", role: "agent" },
      { email: "x@example.com", role: "owner" },
      { email: "x@example.com", role: "agent", access: [{ inboxId: "ib_a", access: "all" }] },
      { email: "x@example.com", role: "agent", extra: true },
    ];
    for (const body of bad) await expectError(call(admin.as, "/api/invitations", { body }), 400, "validation_failed");
    for (const body of [{}, { token: "x", name: "", password: PASSWORD }, { token: "x", name: "A", password: "short" }])
      await expectError(call(null, "/api/auth/accept-invite", { body }), 400, "validation_failed");
    expect(await rowCounts("invitations", "users", "inbox_access")).toEqual(before);
  });

  it("an invitation whose email got an account meanwhile answers 409 and stays unused", async () => {
    const { admin } = await supportTeam();
    const { inviteUrl } = await invite(admin, { email: "dup@example.com", role: "agent" });
    await json(
      admin.as,
      "/api/users",
      { body: { name: "Dup", email: "dup@example.com", password: PASSWORD, role: "agent" } },
      201,
    );
    const before = await rowCounts("users", "inbox_access", "invitations");
    await expectError(accept(tokenOf(inviteUrl)), 409, "conflict");
    expect(await rowCounts("users", "inbox_access", "invitations")).toEqual(before);
  });

  it("is for admins only", async () => {
    const { admin } = await supportTeam();
    const bea = await addUser(admin);
    await expectError(call(bea.as, "/api/invitations"), 403, "forbidden");
    await expectError(call(bea.as, "/api/invitations", { body: { email: "a@b.co", role: "agent" } }), 403, "forbidden");
  });
});
