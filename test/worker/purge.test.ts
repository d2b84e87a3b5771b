import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { json, setUpWorkspace } from "./helpers";
import { runSweep } from "./mail";

const count = async (table: string) =>
  (await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>())!.n;

describe("the sweep purges what only grows", () => {
  it("deletes expired sessions and stale rate-limit windows, and keeps live ones", async () => {
    const { admin } = await setUpWorkspace();
    const now = Date.now();
    const userId = (await json(admin.as, "/api/me")).user.id;
    await env.DB.batch([
      env.DB.prepare("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)").bind(
        "expired-session",
        userId,
        now - 40 * 86_400_000,
        now - 86_400_000,
      ),
      env.DB.prepare("INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, ?)").bind(
        "login:old",
        now - 3 * 86_400_000,
        9,
      ),
      env.DB.prepare("INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, ?)").bind("login:new", now, 1),
    ]);
    const sessionsBefore = await count("sessions");
    await runSweep(now);
    expect(await count("sessions")).toBe(sessionsBefore - 1);
    const keys = await env.DB.prepare("SELECT key FROM rate_limits ORDER BY key").all<{ key: string }>();
    expect(keys.results.map((r) => r.key)).not.toContain("login:old");
    expect(keys.results.map((r) => r.key)).toContain("login:new");
    // The admin's own session still works.
    expect((await json(admin.as, "/api/me")).user.id).toBe(userId);
  });
});
