import { describe, expect, it } from "vitest";
import { keyProblem, newSecret, unwrapSecret, wrapSecret } from "./secrets";

const env = { WEBHOOK_SECRETS_KEY: "k".repeat(48) };

describe("stored webhook secrets", () => {
  it("unwrap to the secret only with the same key and the same endpoint", async () => {
    const secret = newSecret();
    const stored = await wrapSecret(env, "wh_1", secret);
    expect(stored).not.toContain(secret.slice(6));
    expect(await unwrapSecret(env, "wh_1", stored)).toBe(secret);
    // Moved to another endpoint's row, or read with another deployment's key, it is useless.
    await expect(unwrapSecret(env, "wh_2", stored)).rejects.toThrow();
    await expect(unwrapSecret({ WEBHOOK_SECRETS_KEY: "j".repeat(48) }, "wh_1", stored)).rejects.toThrow();
  });

  it("need a real wrapping key", () => {
    expect(keyProblem({})).toMatch(/WEBHOOK_SECRETS_KEY/);
    expect(keyProblem({ WEBHOOK_SECRETS_KEY: "short" })).toMatch(/at least 32/);
    expect(keyProblem(env)).toBeNull();
  });
});
