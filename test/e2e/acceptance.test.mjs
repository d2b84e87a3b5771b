// The walking skeleton's acceptance test: a fresh install is set up in the
// browser, a customer writes in through the widget API, and an agent answers
// with a reply and an internal note. The customer sees the reply, never the note.
//
// Runs first (name order) against a fresh server: it is the one that sets up the workspace.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  ADMIN,
  Api,
  customer,
  launchBrowser,
  newPage,
  tid,
  timelineTexts,
  waitForComposerCleared,
  waitForItem,
} from "./helpers.mjs";

let browser;
let page;
before(async () => {
  browser = await launchBrowser();
  page = await newPage(browser);
});
after(async () => {
  await browser?.close();
});

test("a customer message is answered with a reply and a note; the customer sees only the reply", async (t) => {
  const setup = await new Api().ok("GET", "/api/setup");
  assert.equal(setup.setUp, false, "the acceptance test needs a fresh server (run it through test/e2e/run.mjs)");

  await t.test("a fresh install sends the browser to the setup page", async () => {
    await page.goto("/");
    await page.waitForSelector(tid("setup-page"));
    assert.equal(new URL(page.url()).pathname, "/setup");
  });

  await t.test("setting up the workspace signs the admin in", async () => {
    await page.fill(tid("setup-workspace"), ADMIN.workspace);
    await page.fill(tid("setup-name"), ADMIN.name);
    await page.fill(tid("setup-email"), ADMIN.email);
    await page.fill(tid("setup-password"), ADMIN.password);
    await page.click(tid("setup-submit"));
    await page.waitForSelector(tid("inbox-page"));
    assert.equal(new URL(page.url()).pathname, "/");
    assert.equal(await page.textContent(tid("workspace-name")), ADMIN.workspace);
    assert.match(await page.textContent(tid("current-user")), /Ada Lovelace/);
  });

  let widgetKey;
  await t.test("the admin creates a chat inbox in Settings and sees its widget key", async () => {
    await page.click(tid("nav-settings"));
    await page.fill(tid("inbox-name"), "Website chat");
    await page.selectOption(tid("inbox-channel"), "chat");
    await page.click(tid("inbox-create"));
    const row = page.locator(tid("inbox-row"), { hasText: "Website chat" });
    await row.waitFor();
    widgetKey = await row.getAttribute("data-widget-key");
    assert.ok(widgetKey, "the inbox row shows a widget key");
    // The new inbox appears in the sidebar right away.
    await page.locator(tid("inbox-filter"), { hasText: "Website chat" }).waitFor();
  });

  let conversationId;
  let contactToken;
  await t.test("a customer writes in through the widget", async () => {
    ({ conversationId, contactToken } = await customer.start(widgetKey, {
      name: "Grace Hopper",
      email: "grace@example.com",
      body: "Hi! My invoice for March shows the wrong VAT number.",
    }));
    assert.ok(conversationId && contactToken);
  });

  await t.test("the agent sees the conversation in All open and opens it", async () => {
    await page.click(tid("view-all"));
    const row = page.locator(`${tid("conversation-row")}[data-id="${conversationId}"]`);
    await row.waitFor();
    assert.match(await row.innerText(), /Grace Hopper/);
    assert.match(await row.innerText(), /wrong VAT number/);
    await row.click();
    await page.waitForSelector(`${tid("conversation-page")}[data-id="${conversationId}"]`);
    await waitForItem(page, "customer", "wrong VAT number");
    assert.match(await page.textContent(tid("conversation-contact")), /Grace Hopper/);
  });

  await t.test("the agent sends a reply", async () => {
    await page.click(tid("composer-tab-reply"));
    await page.fill(
      tid("composer-input"),
      "Sorry about that, Grace. I've corrected the VAT number and re-sent the invoice.",
    );
    await page.click(tid("composer-send"));
    await waitForItem(page, "reply", "re-sent the invoice");
    // The reply can arrive over the room's socket before the send's own answer clears the box.
    await waitForComposerCleared(page);
    const replies = await timelineTexts(page, "reply");
    assert.equal(replies.filter((r) => r.includes("re-sent the invoice")).length, 1, "the reply is shown once");
    assert.match(replies.at(-1), /Ada Lovelace/, "the reply carries its author");
  });

  await t.test("the agent leaves an internal note with Ctrl+Enter", async () => {
    await page.click(tid("composer-tab-note"));
    assert.equal(await page.getAttribute(tid("composer"), "data-kind"), "note");
    await page.fill(tid("composer-input"), "Finance: please double-check the VAT setup for EU customers.");
    await page.press(tid("composer-input"), "Control+Enter");
    await waitForItem(page, "note", "double-check the VAT setup");
    assert.match((await timelineTexts(page, "note")).at(-1), /Internal note/);
  });

  await t.test("the customer's view holds the reply and not the note", async () => {
    const items = await customer.messages(conversationId, contactToken);
    const bodies = items.map((i) => i.body);
    assert.ok(
      bodies.some((b) => b.includes("wrong VAT number")),
      "their own message",
    );
    assert.ok(
      bodies.some((b) => b.includes("re-sent the invoice")),
      "the agent's reply",
    );
    assert.ok(!bodies.some((b) => b.includes("double-check the VAT setup")), "never the internal note");
    assert.ok(items.every((i) => i.kind === "customer" || i.kind === "reply"));
  });

  page.assertNoErrors();
});
