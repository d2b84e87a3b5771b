/** The invitation email is a courtesy: the admin always has the link, so a refused send never fails the invitation. */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { mailInvitation } from "../../worker/auth/invitation-mail";

const URL = "https://switchboard.example/invite/sbi_x";

describe("mailInvitation", () => {
  it("sends a plain invitation through the EMAIL binding when mail is set up", async () => {
    expect(await mailInvitation(env, "ivy@example.com", "Acme Support", "Ada", URL)).toBe(true);
  });

  it("answers false instead of throwing when the binding refuses, and when mail is not set up", async () => {
    const refusing = {
      EMAIL_FROM: env.EMAIL_FROM,
      EMAIL: {
        send: () => Promise.reject(new Error("E_SENDER_NOT_VERIFIED")),
      },
    } as unknown as Pick<Env, "EMAIL" | "EMAIL_FROM">;
    expect(await mailInvitation(refusing, "ivy@example.com", "Acme Support", "Ada", URL)).toBe(false);
    const unset = { EMAIL: env.EMAIL, EMAIL_FROM: "" } as unknown as Pick<Env, "EMAIL" | "EMAIL_FROM">;
    expect(await mailInvitation(unset, "ivy@example.com", "Acme Support", "Ada", URL)).toBe(false);
  });
});
