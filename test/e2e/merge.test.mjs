// Merging two conversations of one customer in the browser: "Merge into…",
// the finder, the confirmation, and the agent landing in the target.
//
// MERGE_SHOTS=/some/dir saves screenshots of the finder and the confirmation there.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import {
  ADMIN,
  createInbox,
  ensureWorkspace,
  launchBrowser,
  openConversation,
  pageAs,
  startConversation,
  tid,
  waitForItem,
} from "./helpers.mjs";

let browser;
let admin;
const run = Date.now().toString(36);

before(async () => {
  admin = await ensureWorkspace();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function shot(page, name) {
  const dir = process.env.MERGE_SHOTS;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== "running"));
  await page.screenshot({ path: path.join(dir, `${name}.png`) });
}

test("merge a customer's second conversation into the first: the agent lands there with everything", async () => {
  const inbox = await createInbox(admin);
  const email = `ada.${run}@example.com`;
  const target = await startConversation(admin, inbox, { name: "Ada Byron", email, body: `Invoice ${run} is wrong` });
  const source = await startConversation(admin, inbox, { name: "Ada Byron", email, body: `Also my parcel ${run}` });
  const page = await pageAs(browser, ADMIN);
  await openConversation(page, source);

  // `m` opens it from the keyboard; Escape closes it.
  await page.locator("body").click({ position: { x: 5, y: 300 } });
  await page.keyboard.press("m");
  await page.waitForSelector(tid("merge-dialog"));
  await page.keyboard.press("Escape");
  await page.waitForSelector(tid("merge-dialog"), { state: "detached" });

  await page.click(tid("more-actions"));
  await page.click(tid("merge-into"));
  await page.waitForSelector(tid("merge-dialog"));
  // The finder starts on the customer's other conversations.
  const option = page.locator(`${tid("merge-option")}[data-id="${target}"]`);
  await option.waitFor();
  assert.equal(await page.locator(`${tid("merge-option")}[data-id="${source}"]`).count(), 0);
  await shot(page, "1-finder");
  await page.keyboard.press("Enter");
  await page.waitForSelector(tid("merge-confirm"));
  const confirm = await page.locator(tid("merge-confirm")).innerText();
  assert.match(confirm, /Ada Byron/);
  assert.match(confirm, /cannot be undone/);
  await shot(page, "2-confirm");
  await page.click(tid("merge-submit"));

  await page.waitForSelector(`${tid("conversation-page")}[data-id="${target}"]`);
  await waitForItem(page, "reply", `Also my parcel ${run}`);
  await waitForItem(page, "reply", `Invoice ${run} is wrong`);
  assert.match(await page.locator(tid("timeline")).innerText(), /merged .* into this conversation/);

  // The source's address leads to the target; the source has left the list.
  await page.goto(`/conversations/${source}`);
  await page.waitForSelector(`${tid("conversation-page")}[data-id="${target}"]`);
  assert.equal(new URL(page.url()).pathname, `/conversations/${target}`);
  await page.goto("/");
  await page.locator(`${tid("conversation-row")}[data-id="${target}"]`).waitFor();
  assert.equal(await page.locator(`${tid("conversation-row")}[data-id="${source}"]`).count(), 0);
  const merged = await admin.ok("GET", `/api/conversations/${source}`);
  assert.equal(merged.mergedInto, target);
  await page.close();
});
