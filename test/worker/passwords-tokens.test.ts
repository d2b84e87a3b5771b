/** SPEC §6.1: changing one's password, admins' reset links, and API tokens one can list and revoke. */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { addUser, call, expectError, json, PASSWORD, rowCounts, signIn, supportTeam, type As } from "./helpers";

const NEW_PASSWORD = "tr0ub4dor and three";
const tokenOf = (resetUrl: string) => decodeURIComponent(new URL(resetUrl).pathname.split("/").pop()!);

describe("POST /api/me/password", () => {
  it("changes the password and signs out every other session, keeping this one", async () => {
    const { admin } = await supportTeam();
    const bea = await addUser(admin);
    const laptop = await signIn(bea.email);
    await expectError(
      call(bea.as, "/api/me/password", { body: { currentPassword: "wrong", newPassword: NEW_PASSWORD } }),
      400,
      "validation_failed",
    );
    expect((await call(laptop, "/api/me")).status).toBe(200);

    const res = await call(bea.as, "/api/me/password", {
      body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
    });
    expect(res.status).toBe(204);
    expect((await call(bea.as, "/api/me")).status).toBe(200);
    await expectError(call(laptop, "/api/me"), 401, "unauthenticated");
    await expectError(
      call(null, "/api/auth/login", { body: { email: bea.email, password: PASSWORD } }),
      401,
      "unauthenticated",
    );
    expect((await json(await signIn(bea.email, NEW_PASSWORD), "/api/me")).user.id).toBe(bea.id);
  });

  it("refuses a too-short new password, writing nothing", async () => {
    const { admin } = await supportTeam();
    const before = await rowCounts("sessions");
    await expectError(
      call(admin.as, "/api/me/password", { body: { currentPassword: PASSWORD, newPassword: "short" } }),
      400,
      "validation_failed",
    );
    expect(await rowCounts("sessions")).toEqual(before);
    await signIn(admin.email);
  });
});

describe("password reset links", () => {
  it("an admin's link sets a new password once, and ends every session of that user", async () => {
    const { admin } = await supportTeam();
    const bea = await addUser(admin);
    await expectError(call(bea.as, `/api/users/${admin.id}/password-reset`, { method: "POST" }), 403, "forbidden");
    const { resetUrl } = await json(admin.as, `/api/users/${bea.id}/password-reset`, { method: "POST" }, 201);
    expect(resetUrl).toMatch(/^http:\/\/switchboard\.test\/reset\//);
    const token = tokenOf(resetUrl);

    expect((await call(null, "/api/auth/reset", { body: { token, password: NEW_PASSWORD } })).status).toBe(204);
    await expectError(call(bea.as, "/api/me"), 401, "unauthenticated");
    await signIn(bea.email, NEW_PASSWORD);
    // Single use.
    await expectError(call(null, "/api/auth/reset", { body: { token, password: PASSWORD } }), 404, "not_found");
    // The stored value is a hash, never the link's secret.
    const row = await env.DB.prepare("SELECT count(*) AS n FROM password_resets WHERE token_hash = ?")
      .bind(token)
      .first<{ n: number }>();
    expect(row!.n).toBe(0);
  });

  it("expires after an hour, and a newer link replaces an older one", async () => {
    const { admin } = await supportTeam();
    const bea = await addUser(admin);
    const first = tokenOf(
      (await json(admin.as, `/api/users/${bea.id}/password-reset`, { method: "POST" }, 201)).resetUrl,
    );
    const second = tokenOf(
      (await json(admin.as, `/api/users/${bea.id}/password-reset`, { method: "POST" }, 201)).resetUrl,
    );
    await expectError(
      call(null, "/api/auth/reset", { body: { token: first, password: NEW_PASSWORD } }),
      404,
      "not_found",
    );
    await env.DB.prepare("UPDATE password_resets SET expires_at = ? WHERE user_id = ?")
      .bind(Date.now() - 1, bea.id)
      .run();
    await expectError(
      call(null, "/api/auth/reset", { body: { token: second, password: NEW_PASSWORD } }),
      404,
      "not_found",
    );
    await signIn(bea.email);
  });
});

describe("API tokens", () => {
  it("are listed without their secret, show their last use, and can be revoked", async () => {
    const { admin } = await supportTeam();
    const bea = await addUser(admin);
    const created = await json(bea.as, "/api/me/tokens", { body: { name: "Zapier" } }, 201);
    const bearer: As = { bearer: created.token };
    let { items } = await json(bea.as, "/api/me/tokens");
    expect(items).toEqual([{ id: created.id, name: "Zapier", createdAt: expect.any(String), lastUsedAt: null }]);
    expect(JSON.stringify(items)).not.toContain(created.token);

    await json(bearer, "/api/me");
    ({ items } = await json(bea.as, "/api/me/tokens"));
    const firstUse = items[0]!.lastUsedAt;
    expect(firstUse).not.toBeNull();
    // Within the minute, more requests do not write again.
    await json(bearer, "/api/me");
    await json(bearer, "/api/conversations");
    expect((await json(bea.as, "/api/me/tokens")).items[0]!.lastUsedAt).toBe(firstUse);

    // Someone else's token is not theirs to revoke.
    await expectError(call(admin.as, `/api/me/tokens/${created.id}`, { method: "DELETE" }), 404, "not_found");
    expect((await call(bea.as, `/api/me/tokens/${created.id}`, { method: "DELETE" })).status).toBe(204);
    await expectError(call(bearer, "/api/me"), 401, "unauthenticated");
    expect((await json(bea.as, "/api/me/tokens")).items).toEqual([]);
  });
});
