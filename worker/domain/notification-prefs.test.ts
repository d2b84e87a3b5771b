import { describe, expect, it } from "vitest";
import { applyPrefsPatch, effectivePrefs, wants } from "./notification-prefs";

describe("notification preferences", () => {
  it("default to everything in the app, push except followed updates, email by the master switch", () => {
    const table = effectivePrefs(null, true);
    expect(table.mention).toEqual({ inApp: true, email: true, push: true });
    expect(table.update).toEqual({ inApp: true, email: true, push: false });
    expect(effectivePrefs(null, false).assigned.email).toBe(false);
  });

  it("store a table change whole, so ticking one email box emails that kind only", () => {
    const { notificationPrefs, emailNotifications } = applyPrefsPatch(null, false, {
      notifications: { mention: { email: true } },
    });
    expect(emailNotifications).toBe(true);
    expect(wants(notificationPrefs, emailNotifications, "mention", "email")).toBe(true);
    expect(wants(notificationPrefs, emailNotifications, "assigned", "email")).toBe(false);
  });

  it("turn the master switch back on with the per-kind defaults when every kind was unticked", () => {
    const off = applyPrefsPatch(null, true, { notifications: { mention: { email: false } } });
    const allOff = applyPrefsPatch(off.notificationPrefs, off.emailNotifications, {
      notifications: Object.fromEntries(
        ["assigned", "forward", "update", "sla", "webhook"].map((k) => [k, { email: false }]),
      ),
    });
    expect(allOff.emailNotifications).toBe(false);
    const on = applyPrefsPatch(allOff.notificationPrefs, false, { emailNotifications: true });
    expect(effectivePrefs(on.notificationPrefs, on.emailNotifications).mention.email).toBe(true);
  });
});
