// Stale answers: the conversation page serves one conversation after another,
// so a slow answer for the conversation the agent has left must not replace the
// one on screen.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  ADMIN,
  createInbox,
  ensureWorkspace,
  launchBrowser,
  newPage,
  openConversation,
  signIn,
  tid,
} from "./helpers.mjs";

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

/** An agent-started conversation with its own subject and first message; returns it. */
function start(subject, body) {
  return admin.ok(
    "POST",
    "/api/conversations",
    { inboxId: inbox.id, contact: { name: `${subject} contact` }, subject, body },
    201,
  );
}

test("a slow load for conversation A never replaces conversation B", async () => {
  const a = await start("Slow conversation A", "A's first message");
  const b = await start("Current conversation B", "B's first message");
  await admin.ok("POST", `/api/conversations/${b.id}/links`, { conversationId: a.id }, [200, 201]);

  const page = await newPage(browser);
  await signIn(page, ADMIN);

  // Hold A's GET until B is back on screen.
  let release;
  const released = new Promise((resolve) => (release = resolve));
  let arrived;
  const aRequested = new Promise((resolve) => (arrived = resolve));
  await page.route(`**/api/conversations/${a.id}`, async (route) => {
    if (route.request().method() !== "GET") return route.continue();
    arrived();
    await released;
    await route.continue();
  });

  await openConversation(page, b.id);
  const conversationPage = page.locator(tid("conversation-page"));

  // Follow B's link to A, and go back to B before A has answered.
  await page.click(`${tid("details-link")}[data-target-id="${a.id}"] a`);
  await aRequested;
  await page.goBack();
  await page.waitForSelector(`${tid("conversation-page")}[data-id="${b.id}"]`);
  await page.locator(tid("timeline-item"), { hasText: "B's first message" }).first().waitFor();
  assert.equal(await page.textContent(tid("conversation-subject")), "Current conversation B");

  // Now A's answer arrives, late.
  const aAnswered = page.waitForResponse(
    (res) => res.url().endsWith(`/api/conversations/${a.id}`) && res.request().method() === "GET",
  );
  release();
  await (await aAnswered).finished();
  // Let the page handle the answer and render (two frames), then look.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));

  assert.equal(await conversationPage.getAttribute("data-id"), b.id);
  assert.equal(await page.textContent(tid("conversation-subject")), "Current conversation B");
  const thread = await page.locator(tid("timeline-item")).allInnerTexts();
  assert.ok(
    thread.some((t) => t.includes("B's first message")),
    `B's thread stays: ${JSON.stringify(thread)}`,
  );
  assert.ok(!thread.some((t) => t.includes("A's first message")), `A's thread never shows: ${JSON.stringify(thread)}`);
  assert.equal(new URL(page.url()).pathname, `/conversations/${b.id}`);
  page.assertNoErrors();
  await page.close();
});
