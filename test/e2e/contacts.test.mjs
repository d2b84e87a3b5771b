// Contacts in the browser: the card beside a conversation, the Contacts page's
// search, and blocking from the profile (the agent then sees why).
//
// CONTACTS_SHOTS=/some/dir saves screenshots of each screen there.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  ADMIN,
  createInbox,
  ensureWorkspace,
  launchBrowser,
  openConversation,
  pageAs,
  shotTo,
  startConversation,
  tid,
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

const shot = (page, name) => shotTo("CONTACTS_SHOTS", page, name);

test("the contact card, the Contacts page search and blocking from the profile", async () => {
  const inbox = await createInbox(admin);
  const email = `zelda.${run}@example.com`;
  const first = await startConversation(admin, inbox, { name: `Zelda ${run}`, email, body: `Where is parcel ${run}?` });
  const second = await startConversation(admin, inbox, {
    name: `Zelda ${run}`,
    email,
    body: `Invoice ${run} is wrong`,
  });
  const { contact } = await admin.ok("GET", `/api/conversations/${second}`);
  await admin.ok("PATCH", `/api/contacts/${contact.id}`, { attributes: { plan: "pro", language: "de" } });

  // Beside the conversation: attributes, the previous conversation, the profile link.
  const page = await pageAs(browser, ADMIN);
  await openConversation(page, second);
  const card = page.locator(tid("contact-card"));
  await card.locator(tid("contact-attributes")).waitFor();
  assert.match(await card.innerText(), /plan\s+pro/i);
  const previous = card.locator(`a[href="/conversations/${first}"]`);
  await previous.waitFor();
  await shot(page, "1-conversation-card");

  // The Contacts page: a prefix of the name finds them, with the conversations the agent sees.
  await page.click(tid("nav-contacts"));
  await page.waitForSelector(tid("contacts-page"));
  await page.fill(tid("contacts-search"), `zelda ${run}`);
  const row = page.locator(`${tid("contact-row")}[data-contact-id="${contact.id}"]`);
  await row.waitFor();
  assert.match(await row.innerText(), /2 conversations/);
  assert.equal(await page.locator(tid("contact-row")).count(), 1);
  await shot(page, "2-contacts-search");

  // By keyboard: focus the row and open the profile.
  await row.focus();
  await page.keyboard.press("Enter");
  await page.waitForSelector(`${tid("contact-page")}[data-state="ready"]`);
  assert.equal(new URL(page.url()).pathname, `/contacts/${contact.id}`);
  assert.equal(await page.locator(tid("contact-conversation")).count(), 2);
  await shot(page, "3-profile");

  // Block, confirmed; the banner says why nothing new arrives.
  await page.click(tid("contact-block"));
  await page.waitForSelector(tid("contact-block-confirm"));
  await shot(page, "4-block-confirm");
  await page.click(tid("contact-block-confirm"));
  await page.waitForSelector(`${tid("contact-page")}[data-blocked="true"] ${tid("contact-blocked")}`);
  assert.match(await page.locator(tid("contact-blocked")).innerText(), /new messages and emails are refused/);
  assert.equal((await admin.ok("GET", `/api/contacts/${contact.id}`)).blocked, true);
  await shot(page, "5-blocked");

  // Back in the conversation, the card says so too.
  await page.click(`${tid("contact-conversation")}[href="/conversations/${second}"]`);
  await page.waitForSelector(`${tid("contact-card")} ${tid("contact-blocked")}`);
  await shot(page, "6-conversation-blocked");
  page.assertNoErrors();
  await page.close();
});

test("two contacts with one email: the hint, Merge into…, and the profile that holds both", async () => {
  const inbox = await createInbox(admin);
  const email = `yann.${run}@example.com`;
  const kept = await startConversation(admin, inbox, { name: `Yann ${run}`, email, body: `Refund ${run}?` });
  const other = await startConversation(admin, inbox, {
    name: `Yann B ${run}`,
    email: `yb.${run}@example.com`,
    body: `Login ${run} fails`,
  });
  const keptContact = (await admin.ok("GET", `/api/conversations/${kept}`)).contact.id;
  const source = (await admin.ok("GET", `/api/conversations/${other}`)).contact.id;
  await admin.ok("PATCH", `/api/contacts/${source}`, { email });

  const page = await pageAs(browser, ADMIN);
  await page.goto(`/contacts/${source}`);
  const hint = page.locator(tid("contact-duplicates"));
  await hint.waitFor();
  assert.match(await hint.innerText(), new RegExp(`Yann ${run}`));
  await hint.locator("button").click();
  const choice = page.locator(`${tid("contact-merge-choices")} [data-contact-id="${keptContact}"]`);
  await choice.waitFor();
  await shot(page, "7-merge-pick");
  await choice.click();
  const summary = page.locator(tid("contact-merge-summary"));
  await summary.waitFor();
  assert.match(await summary.innerText(), /cannot be undone/);
  await shot(page, "8-merge-confirm");
  await page.click(tid("contact-merge-confirm"));

  await page.waitForURL(`**/contacts/${keptContact}`);
  await page.waitForFunction(
    (sel) => document.querySelectorAll(sel).length === 2,
    `${tid("contact-page")} ${tid("contact-conversation")}`,
  );
  assert.equal((await admin.ok("GET", `/api/conversations/${other}`)).contact.id, keptContact);
  await shot(page, "9-merged");
  page.assertNoErrors();
  await page.close();
});
