// The profile's notification settings: the kind × channel table (keyboard
// included), the devices that get push, and the "Notifications on this
// device" switch, which must explain itself rather than hang when the browser
// has no running service worker or can't reach its push service (headless,
// offline). PUSH_SHOTS=<dir> saves screenshots at desktop and phone width.

import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, before, test } from "node:test";
import { Api, createAgent, createInbox, ensureWorkspace, launchBrowser, pageAs, shotTo, tid } from "./helpers.mjs";

let browser;
let admin;
let inbox;
before(async () => {
  admin = await ensureWorkspace();
  inbox = await createInbox(admin);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** A device subscribed through the API, as another browser of this agent would have. */
async function subscribeElsewhere(agent, userAgent) {
  const ecdh = crypto.createECDH("prime256v1");
  ecdh.generateKeys();
  const api = await Api.signedIn(agent);
  const endpoint = `http://127.0.0.1:9/push/${crypto.randomUUID()}`;
  const keys = {
    p256dh: ecdh.getPublicKey().toString("base64url"),
    auth: crypto.randomBytes(16).toString("base64url"),
  };
  return api.ok("POST", "/api/me/push-subscriptions", { endpoint, keys }, 201, { "user-agent": userAgent });
}

for (const size of [
  { width: 1280, height: 900, name: "desktop" },
  { width: 390, height: 844, name: "phone" },
]) {
  test(`notification settings on the profile (${size.name})`, async () => {
    const ivy = await createAgent(admin, `Ivy ${size.name}`, { [inbox.id]: "reply" });
    const phone = await subscribeElsewhere(
      ivy,
      "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
    );
    const page = await pageAs(browser, ivy, size);
    await page.context().grantPermissions(["notifications"]);
    await page.goto("/profile");
    await page.waitForSelector(tid("notify-table"));

    // The defaults: everything in the app, push except followed updates, email off until asked.
    assert.equal(await page.isChecked(tid("notify-mention-push")), true);
    assert.equal(await page.isChecked(tid("notify-update-push")), false);
    assert.equal(await page.isChecked(tid("notify-mention-email")), false);
    assert.equal(await page.locator(tid("notify-webhook-push")).count(), 0, "webhook notices are for admins");
    // Named for screen readers: kind and channel.
    assert.equal(await page.getAttribute(tid("notify-update-push"), "aria-label"), "Followed conversations: Push");

    // By keyboard: focus the cell, Space ticks it and it is saved.
    await page.focus(tid("notify-update-push"));
    await page.keyboard.press("Space");
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="notify-saved"]')?.textContent?.includes("Followed conversations on"),
    );
    const me = await (await Api.signedIn(ivy)).ok("GET", "/api/me");
    assert.equal(me.preferences.notifications.update.push, true);

    // The device added elsewhere is listed, named from its user agent.
    const row = page.locator(tid("push-device-row"));
    await row.first().waitFor();
    assert.match(await row.first().textContent(), /Chrome on Android/);
    assert.match(await row.first().textContent(), /nothing delivered yet/);

    // This browser: either the switch explains why it is unavailable (no service worker), or
    // turning it on ends in a clear answer (subscribed, or the browser couldn't subscribe), never a hang.
    await page.waitForFunction(
      () => !document.querySelector('[data-testid="push-device-status"]')?.textContent?.startsWith("Checking"),
      null,
      { timeout: 10_000 },
    );
    const toggle = page.locator(tid("push-this-device"));
    if (await toggle.isDisabled()) {
      assert.match(await page.textContent(tid("push-device-status")), /service worker|can't|isn't set up/);
    } else {
      await toggle.click();
      await page.waitForFunction(
        () =>
          document.querySelector('[data-testid="push-problem"]') ||
          document.querySelector('[data-testid="push-this-device"]')?.checked,
        null,
        { timeout: 25_000 },
      );
      const problem = page.locator(tid("push-problem"));
      if (await problem.count()) assert.match(await problem.textContent(), /couldn't subscribe|blocked|allowed/);
    }
    if (process.env.PUSH_SHOTS) {
      await shotTo("PUSH_SHOTS", page, `profile-${size.name}`);
      await page.locator(tid("profile-notifications")).screenshot({
        path: `${process.env.PUSH_SHOTS}/profile-notifications-${size.name}.png`,
      });
    }

    // Removing the other device.
    await page.click(`${tid("push-device-row")}:has-text("Chrome on Android") ${tid("push-device-remove")}`);
    await page.waitForFunction(
      () =>
        ![...document.querySelectorAll('[data-testid="push-device-row"]')].some((r) =>
          r.textContent.includes("Android"),
        ),
    );
    const left = await (await Api.signedIn(ivy)).ok("GET", "/api/me/push-subscriptions");
    assert.equal(
      left.subscriptions.some((d) => d.id === phone.id),
      false,
    );
    page.assertNoErrors();
  });
}
