// The conversation list: inbox filter, paging with "Load more", empty states,
// and starting a conversation from the agent's side.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ADMIN, createInbox, ensureWorkspace, launchBrowser, newPage, signIn, tid, waitForItem } from "./helpers.mjs";

let browser;
let admin;
before(async () => {
  admin = await ensureWorkspace();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test("an empty inbox says so", async () => {
  const inbox = await createInbox(admin, "Quiet inbox");
  const page = await newPage(browser);
  await signIn(page, ADMIN);
  await page.click(`${tid("inbox-filter")}[data-inbox-id="${inbox.id}"]`);
  const empty = page.locator(tid("empty-state"));
  await empty.waitFor();
  assert.match(await empty.innerText(), /No open conversations — nice work/);
  assert.equal(new URL(page.url()).searchParams.get("inbox"), inbox.id);
  page.assertNoErrors();
});

test("the inbox filter and Load more page through every conversation once", async () => {
  const inbox = await createInbox(admin, "Busy inbox");
  const total = 30;
  for (let i = 1; i <= total; i++) {
    await admin.ok(
      "POST",
      "/api/conversations",
      {
        inboxId: inbox.id,
        contact: { name: `Customer ${i}`, email: `customer${i}@example.com` },
        subject: `Order #${1000 + i}`,
        body: `Following up on order ${1000 + i}.`,
      },
      201,
    );
  }
  const page = await newPage(browser);
  await signIn(page, ADMIN);
  await page.click(`${tid("inbox-filter")}[data-inbox-id="${inbox.id}"]`);
  const rows = page.locator(tid("conversation-row"));
  await page.waitForSelector(tid("load-more"));
  const first = await rows.count();
  assert.ok(first < total, `the first page is a page (${first} rows)`);
  // Newest activity first.
  assert.match(await rows.first().innerText(), /Customer 30/);

  while (await page.locator(tid("load-more")).count()) {
    const before = await rows.count();
    await page.click(tid("load-more"));
    await page.waitForFunction(
      ([sel, n]) => document.querySelectorAll(sel).length > n || !document.querySelector('[data-testid="load-more"]'),
      [tid("conversation-row"), before],
    );
  }
  const ids = await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-id")));
  assert.equal(ids.length, total);
  assert.equal(new Set(ids).size, total, "no conversation is shown twice");
  page.assertNoErrors();
});

test("an agent starts a conversation from the New conversation form", async () => {
  const inbox = await createInbox(admin, "Outbound");
  const page = await newPage(browser);
  await signIn(page, ADMIN);
  await page.click(tid("new-conversation"));
  await page.waitForSelector(tid("new-conversation-dialog"));
  await page.selectOption(tid("new-conversation-inbox"), inbox.id);
  await page.fill(tid("new-conversation-name"), "Barbara Liskov");
  await page.fill(tid("new-conversation-email"), "barbara@example.com");
  await page.fill(tid("new-conversation-subject"), "Your upgrade");
  await page.fill(tid("new-conversation-body"), "Hi Barbara, your account has been upgraded.");
  await page.click(tid("new-conversation-submit"));
  await page.waitForSelector(tid("conversation-page"));
  assert.match(new URL(page.url()).pathname, /^\/conversations\//);
  await waitForItem(page, "reply", "your account has been upgraded");
  assert.match(await page.textContent(tid("conversation-contact")), /Barbara Liskov/);
  assert.match(await page.textContent(tid("conversation-subject")), /Your upgrade/);
  page.assertNoErrors();
});

test("a validation error is shown next to the form", async () => {
  const page = await newPage(browser);
  await signIn(page, ADMIN);
  await page.click(tid("nav-settings"));
  await page.waitForSelector(tid("invite-email"));
  // Bypass the browser's own email check to see the API's answer.
  await page.evaluate(() => document.querySelector('[data-testid="invite-email"]').setAttribute("type", "text"));
  await page.fill(tid("invite-email"), "not an email");
  await page.click(tid("invite-submit"));
  const error = page.locator(`${tid("settings-invite")} ${tid("error")}`);
  await error.waitFor();
  assert.match(await error.innerText(), /email/i);
  page.assertNoErrors();
});
