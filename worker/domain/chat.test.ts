import { describe, expect, it } from "vitest";
import { CHAT_QUIET_MS, startsNewChat } from "./chat";

const now = Date.UTC(2026, 10, 20, 12);

describe("the 24-hour chat rule", () => {
  it("keeps a chat that was active within the last 24 hours, up to the minute", () => {
    expect(startsNewChat("chat", now - 60_000, now)).toBe(false);
    expect(startsNewChat("chat", now - CHAT_QUIET_MS, now)).toBe(false);
  });

  it("starts a new conversation once the latest one has been quiet for more than 24 hours", () => {
    expect(startsNewChat("chat", now - CHAT_QUIET_MS - 1, now)).toBe(true);
    expect(startsNewChat("chat", now - 7 * CHAT_QUIET_MS, now)).toBe(true);
  });

  it("never applies to email inboxes, which thread by reference", () => {
    expect(startsNewChat("email", now - 30 * CHAT_QUIET_MS, now)).toBe(false);
  });

  it("has nothing to go quiet when the contact has no conversation", () => {
    expect(startsNewChat("chat", null, now)).toBe(false);
  });
});
