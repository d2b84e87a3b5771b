// The conversation page: resolve and reopen, assignment, the reply collision
// guard, and what each access level may do.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  ADMIN,
  createAgent,
  createInbox,
  customer,
  ensureWorkspace,
  eventually,
  launchBrowser,
  newPage,
  signIn,
  tid,
  timelineTexts,
  waitForComposerCleared,
  waitForItem,
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

/** A customer conversation in the test inbox, opened by a signed-in page. */
async function openNewConversation(page, body = "Hello, I have a question about my order.") {
  const started = await customer.start(inbox.widgetKey, {
    name: "Margaret Hamilton",
    email: `margaret.${Date.now()}@example.com`,
    body,
  });
  await page.goto(`/conversations/${started.conversationId}`);
  await page.waitForSelector(`${tid("conversation-page")}[data-id="${started.conversationId}"]`);
  await waitForItem(page, "customer", body);
  return started;
}

test("resolve and reopen", async () => {
  const page = await newPage(browser);
  await signIn(page, ADMIN);
  const { conversationId } = await openNewConversation(page);
  const conversation = page.locator(tid("conversation-page"));

  assert.equal(await page.getAttribute(tid("resolve-button"), "data-action"), "resolve");
  await page.click(tid("resolve-button"));
  await page.waitForSelector(`${tid("conversation-page")}[data-status="resolved"]`);
  assert.equal(await conversation.locator(tid("status-badge")).first().getAttribute("data-status"), "resolved");
  await waitForItem(page, "event", "resolved the conversation");
  assert.equal(await page.getAttribute(tid("resolve-button"), "data-action"), "reopen");

  // It has left All open and shows under Resolved.
  await page.click(tid("view-all"));
  await page.waitForSelector(`${tid("inbox-page")}[data-view="all"]`);
  await page.waitForSelector(`${tid("conversation-list")}, ${tid("empty-state")}`);
  assert.equal(await page.locator(`${tid("conversation-row")}[data-id="${conversationId}"]`).count(), 0);
  await page.click(tid("view-resolved"));
  await page.waitForSelector(
    `${tid("inbox-page")}[data-view="resolved"] ${tid("conversation-row")}[data-id="${conversationId}"]`,
  );

  await page.click(`${tid("conversation-row")}[data-id="${conversationId}"]`);
  await page.click(tid("resolve-button"));
  await page.waitForSelector(`${tid("conversation-page")}[data-status="open"]`);
  await waitForItem(page, "event", "reopened the conversation");
  assert.equal(await page.getAttribute(tid("resolve-button"), "data-action"), "resolve");
  page.assertNoErrors();
});

test("assigning to yourself puts the conversation under Mine", async () => {
  const page = await newPage(browser);
  await signIn(page, ADMIN);
  const { conversationId } = await openNewConversation(page);
  const me = await admin.ok("GET", "/api/me");
  await page.selectOption(`${tid("details-panel")} ${tid("dp-assignee-select")}`, me.user.id);
  await waitForItem(page, "event", "Ada Lovelace took this conversation");
  await page.click(tid("view-mine"));
  const row = page.locator(
    `${tid("inbox-page")}[data-view="mine"] ${tid("conversation-row")}[data-id="${conversationId}"]`,
  );
  await row.waitFor();
  assert.match(await row.locator(tid("row-assignee")).innerText(), /Ada Lovelace/);
  page.assertNoErrors();
});

test("a reply that would talk over a newer customer message asks first: Review keeps the draft", async () => {
  const page = await newPage(browser);
  await signIn(page, ADMIN);
  const { conversationId, contactToken } = await openNewConversation(page, "Can I change my delivery address?");
  const draft = "Yes, you can change it until the parcel ships.";
  await page.fill(tid("composer-input"), draft);

  // Meanwhile the customer writes again.
  await customer.say(conversationId, contactToken, "Actually, never mind — it has shipped already.");

  await page.click(tid("composer-send"));
  const dialog = page.locator(tid("collision-dialog"));
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /Margaret Hamilton replied while you were typing/);
  assert.match(await dialog.innerText(), /it has shipped already/);

  await page.click(tid("collision-review"));
  await dialog.waitFor({ state: "detached" });
  await waitForItem(page, "customer", "it has shipped already");
  assert.equal(await page.inputValue(tid("composer-input")), draft, "the draft is kept");
  assert.equal((await timelineTexts(page, "reply")).length, 0, "nothing was sent");

  // Having seen it, the agent can send without another warning.
  await page.fill(tid("composer-input"), "Then we'll redirect it with the courier for you.");
  await page.click(tid("composer-send"));
  await waitForItem(page, "reply", "redirect it with the courier");
  assert.equal(await page.locator(tid("collision-dialog")).count(), 0);
  page.assertNoErrors();
});

test("Send anyway sends the reply despite the newer message", async () => {
  const page = await newPage(browser);
  await signIn(page, ADMIN);
  const { conversationId, contactToken } = await openNewConversation(page, "Do you ship to Norway?");
  await page.fill(tid("composer-input"), "We do! Shipping takes 3–5 days.");
  await customer.say(conversationId, contactToken, "And to Iceland?");
  await page.click(tid("composer-send"));
  await page.locator(tid("collision-dialog")).waitFor();
  await page.click(tid("collision-send-anyway"));
  await page.locator(tid("collision-dialog")).waitFor({ state: "detached" });
  await waitForItem(page, "reply", "Shipping takes 3–5 days");
  await waitForItem(page, "customer", "And to Iceland?");
  const texts = await customer.messages(conversationId, contactToken);
  assert.ok(texts.some((i) => i.kind === "reply" && i.body.includes("Shipping takes 3–5 days")));
  page.assertNoErrors();
});

test("a send retried after a lost answer reuses its Idempotency-Key and is written once", async () => {
  const page = await newPage(browser);
  await signIn(page, ADMIN);
  const { conversationId } = await openNewConversation(page, "Can I pay by bank transfer?");
  const keys = [];
  let first = true;
  await page.route("**/api/conversations/*/messages", async (route) => {
    keys.push(route.request().headers()["idempotency-key"]);
    if (first) {
      first = false;
      await route.fetch(); // the server gets it and writes the reply…
      await route.abort("connectionreset"); // …but the answer never reaches the page
    } else await route.continue();
  });
  const body = "Yes — our IBAN is on every invoice.";
  await page.fill(tid("composer-input"), body);
  await page.click(tid("composer-send"));
  await page.locator(`${tid("composer")} ${tid("error")}`).waitFor();
  assert.equal(await page.inputValue(tid("composer-input")), body, "the draft stays for the retry");

  await page.click(tid("composer-send"));
  await waitForItem(page, "reply", "IBAN is on every invoice");
  assert.equal(keys.length, 2);
  assert.ok(keys[0], "the send carries an Idempotency-Key");
  assert.equal(keys[1], keys[0], "the retry reuses it");
  const timeline = await admin.ok("GET", `/api/conversations/${conversationId}/timeline?after=0`);
  assert.equal(timeline.items.filter((i) => i.body === body).length, 1, "written once");
  assert.equal((await timelineTexts(page, "reply")).filter((t) => t.includes("IBAN")).length, 1, "shown once");
  page.assertNoErrors();
});

test("a draft survives leaving the conversation and coming back", async () => {
  const page = await newPage(browser);
  await signIn(page, ADMIN);
  const { conversationId } = await openNewConversation(page, "Do you have a student discount?");
  await page.fill(tid("composer-input"), "We do: 50% with a valid student email.");
  await page.click(tid("back"));
  await page.waitForSelector(tid("inbox-page"));
  await page.click(`${tid("conversation-row")}[data-id="${conversationId}"]`);
  await page.waitForSelector(tid("composer"));
  assert.equal(await page.inputValue(tid("composer-input")), "We do: 50% with a valid student email.");
  await page.click(tid("composer-send"));
  await waitForItem(page, "reply", "50% with a valid student email");
  // Reload only once the page has its answer and has forgotten the draft (the item can arrive live first).
  await waitForComposerCleared(page);
  await eventually(
    page,
    (text) => !Object.values(sessionStorage).some((v) => v.includes(text)),
    "50% with a valid student email",
    { what: "the sent draft to leave the page's session storage" },
  );
  await page.reload();
  await page.waitForSelector(tid("composer"));
  assert.equal(await page.inputValue(tid("composer-input")), "", "a sent draft is gone");
  page.assertNoErrors();
});

test("notes never collide", async () => {
  const page = await newPage(browser);
  await signIn(page, ADMIN);
  const { conversationId, contactToken } = await openNewConversation(page, "My password reset email never arrives.");
  await page.click(tid("composer-tab-note"));
  await page.fill(tid("composer-input"), "Probably the spam filter again.");
  await customer.say(conversationId, contactToken, "I checked spam too.");
  await page.click(tid("composer-send"));
  await waitForItem(page, "note", "spam filter again");
  assert.equal(await page.locator(tid("collision-dialog")).count(), 0);
  page.assertNoErrors();
});

test("an agent with note access sees only the Note tab; view access sees no composer", async () => {
  const { conversationId } = await customer.start(inbox.widgetKey, { name: "Edsger", body: "Where is my refund?" });
  const noter = await createAgent(admin, "Nora Note", { [inbox.id]: "note" });
  const viewer = await createAgent(admin, "Vic Viewer", { [inbox.id]: "view" });

  const notePage = await newPage(browser);
  await signIn(notePage, noter);
  await notePage.goto(`/conversations/${conversationId}`);
  await notePage.waitForSelector(tid("composer"));
  assert.equal(await notePage.locator(tid("composer-tab-reply")).count(), 0);
  assert.equal(await notePage.locator(tid("composer-tab-note")).count(), 1);
  assert.equal(await notePage.getAttribute(tid("composer"), "data-kind"), "note");
  assert.equal(await notePage.locator(tid("resolve-button")).count(), 0, "note access cannot resolve");
  await notePage.waitForSelector(`${tid("details-panel")}[data-access="note"]`);
  assert.equal(await notePage.locator(tid("dp-assignee-select")).count(), 0, "note access cannot assign");
  await notePage.fill(tid("composer-input"), "Refunds take 5 days, FYI.");
  await notePage.click(tid("composer-send"));
  await waitForItem(notePage, "note", "Refunds take 5 days");

  const viewPage = await newPage(browser);
  await signIn(viewPage, viewer);
  await viewPage.goto(`/conversations/${conversationId}`);
  await viewPage.waitForSelector(tid("view-only"));
  assert.equal(await viewPage.locator(tid("composer")).count(), 0);
  await waitForItem(viewPage, "note", "Refunds take 5 days");
  notePage.assertNoErrors();
  viewPage.assertNoErrors();
});

test("an unknown conversation shows a friendly not-found page", async () => {
  const page = await newPage(browser);
  await signIn(page, ADMIN);
  await page.goto("/conversations/cv_does_not_exist");
  await page.waitForSelector(tid("not-found"));
  assert.match(await page.innerText(tid("not-found")), /Conversation not found/);
  page.assertNoErrors();
});
