import { describe, expect, it } from "vitest";
import { call, countRows, expectError, expectStatus, ORIGIN, PASSWORD, setUpWorkspace } from "./helpers";

const login = (email: string, password: string, ip: string) =>
  call(null, "/api/auth/login", {
    body: { email, password },
    headers: { origin: ORIGIN, "cf-connecting-ip": ip },
  });

const attacker = "203.0.113.66";

describe("sign-in slows a guesser down without locking the real user out", () => {
  it("lets at most the limit of a concurrent burst reach the password check", async () => {
    const { admin } = await setUpWorkspace();
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => login(admin.email, `wrong password ${i}`, attacker)),
    );
    const statuses = answers.map((r) => r.status);
    await Promise.all(answers.map((r) => expectStatus(r, r.status)));
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(10);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(20);
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
  });

  it("answers excess attempts 429 with Retry-After, even with the right password, from that address", async () => {
    const { admin } = await setUpWorkspace();
    for (let i = 0; i < 10; i++) await expectError(login(admin.email, `wrong ${i}`, attacker), 401, "unauthenticated");
    const sessions = await countRows("sessions");
    const refused = await login(admin.email, PASSWORD, attacker);
    const wait = Number(refused.headers.get("retry-after"));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(600);
    await expectError(refused, 429, "rate_limited");
    expect(await countRows("sessions")).toBe(sessions);
  });

  it("lets the real user sign in from their own address while a guesser is limited", async () => {
    const { admin } = await setUpWorkspace();
    for (let i = 0; i < 12; i++) await login(admin.email, `wrong ${i}`, attacker).then((r) => r.text());
    await expectError(login(admin.email, "still guessing", attacker), 429, "rate_limited");
    const me = await expectStatus(login(admin.email, PASSWORD, "198.51.100.10"), 200);
    expect(me.user.id).toBe(admin.id);
  });
});

describe("setup is limited per address", () => {
  it("answers already_set_up once set up, and 429 with Retry-After to an address that keeps trying", async () => {
    await setUpWorkspace();
    const again = () =>
      call(null, "/api/setup", {
        body: { workspace: "Evil", name: "Mallory", email: "m@evil.test", password: PASSWORD },
        headers: { origin: ORIGIN, "cf-connecting-ip": "203.0.113.9" },
      });
    for (let i = 0; i < 10; i++) await expectError(again(), 409, "already_set_up");
    const refused = await again();
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    await expectError(refused, 429, "rate_limited");
    expect(await countRows("users")).toBe(1);
  });
});
