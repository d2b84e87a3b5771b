// Notifications in the browser: a live toast for a mention or an assignment,
// the bell's unread count and list, opening a conversation from either, and
// marking everything read.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  Api,
  createAgent,
  createInbox,
  ensureWorkspace,
  launchBrowser,
  until,
  pageAs,
  startConversation,
  tid,
  WAIT,
  waitForListStream,
  waitForToast,
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

/** As the admin, through the API: a note on `conversationId` that mentions `user`. */
function mention(conversationId, user, text = "can you check the invoice address?") {
  return admin.ok(
    "POST",
    `/api/conversations/${conversationId}/messages`,
    { kind: "note", body: `@${user.name} ${text}`, mentions: [user.id] },
    201,
  );
}

const toast = (kind) => `${tid("toast")}[data-kind="${kind}"]`;

test("a mention pushed live shows a toast that opens the conversation; the bell counts it", async (t) => {
  const bea = await createAgent(admin, "Bea Agent", { [inbox.id]: "reply" });
  const conversationId = await startConversation(admin, inbox, {
    name: "Linus",
    body: "My invoice shows the wrong address.",
  });
  const page = await pageAs(browser, bea);
  await waitForListStream(page);
  assert.equal(await page.locator(tid("notification-count")).count(), 0, "no unread notifications yet");

  await mention(conversationId, bea);
  const mentionToast = page.locator(toast("mention"));
  await waitForToast(t, mentionToast);
  assert.match(await mentionToast.innerText(), /Ada Lovelace mentioned you/);
  assert.match(await mentionToast.innerText(), /check the invoice address/);
  await page.waitForSelector(`${tid("notification-bell")}[data-unread="1"]`);
  assert.equal((await page.textContent(tid("notification-count")))?.trim(), "1");

  await mentionToast.locator(tid("toast-open")).click();
  await page.waitForSelector(`${tid("conversation-page")}[data-id="${conversationId}"]`);
  assert.equal(new URL(page.url()).pathname, `/conversations/${conversationId}`);
  await page.locator(toast("mention")).waitFor({ state: "detached" });
  // Opening it from the toast marks it read.
  await page.locator(tid("notification-count")).waitFor({ state: "detached" });
  const { unreadCount } = await (await Api.signedIn(bea)).ok("GET", "/api/notifications?unread=true");
  assert.equal(unreadCount, 0);
  page.assertNoErrors();
});

test("an assignment toasts too; toasts stack, can be dismissed, and leave by themselves after 10 s", async (t) => {
  const cy = await createAgent(admin, "Cy Agent", { [inbox.id]: "reply" });
  const first = await startConversation(admin, inbox, { name: "Mira", body: "Refund please" });
  const second = await startConversation(admin, inbox, { name: "Otto", body: "Where is my parcel?" });
  const page = await pageAs(browser, cy);
  await waitForListStream(page);
  await page.mouse.move(5, 400);

  await admin.ok("PATCH", `/api/conversations/${first}`, { assigneeId: cy.id });
  await mention(second, cy, "this one is yours too");
  await waitForToast(t, page.locator(toast("assigned")));
  await waitForToast(t, page.locator(toast("mention")));
  assert.equal(await page.locator(tid("toast")).count(), 2, "two toasts, stacked");
  assert.match(await page.locator(toast("assigned")).innerText(), /Ada Lovelace assigned you a conversation/);
  await page.waitForSelector(`${tid("notification-bell")}[data-unread="2"]`);

  // Stacked bottom right: both inside the viewport's lower right quarter, one above the other.
  const boxes = await Promise.all([
    page.locator(toast("assigned")).boundingBox(),
    page.locator(toast("mention")).boundingBox(),
  ]);
  for (const box of boxes) assert.ok(box.x > 640 && box.y > 400, `a toast sits bottom right (${JSON.stringify(box)})`);
  assert.ok(boxes[0].y + boxes[0].height <= boxes[1].y + 1, "the older toast sits above the newer one");

  await page.locator(toast("mention")).locator(tid("toast-dismiss")).click();
  await page.locator(toast("mention")).waitFor({ state: "detached" });
  // Dismissing a toast does not read the notification.
  assert.equal((await page.textContent(tid("notification-count")))?.trim(), "2");

  // A toast under the pointer waits; away from it, it leaves by itself.
  await page.mouse.move(5, 400);
  await page.locator(toast("assigned")).waitFor({ state: "detached", timeout: 10_000 + WAIT });
  page.assertNoErrors();
});

test("the bell lists notifications newest first, opens one, and marks all read", async () => {
  const dee = await createAgent(admin, "Dee Agent", { [inbox.id]: "reply" });
  const older = await startConversation(admin, inbox, { name: "Ivy", body: "Older question" });
  const newer = await startConversation(admin, inbox, { name: "Jon", body: "Newer question" });
  // Apart in time (the clock has moved past each before the next), so "newest first" is well defined.
  const asDee = await Api.signedIn(dee);
  const clockPassesNotification = async (count) => {
    const { items } = await until(async () => {
      const page = await asDee.ok("GET", "/api/notifications");
      return page.items.length >= count && page;
    }, `${count} notification(s) for Dee`);
    const newest = Math.max(...items.map((n) => Date.parse(n.createdAt)));
    await until(() => Date.now() > newest, "the clock to move past the newest notification", { every: 1 });
  };
  await mention(older, dee, "first ping");
  await clockPassesNotification(1);
  await mention(newer, dee, "second ping");
  await clockPassesNotification(2);
  await admin.ok("PATCH", `/api/conversations/${newer}`, { assigneeId: dee.id });

  const page = await pageAs(browser, dee);
  await page.waitForSelector(`${tid("notification-bell")}[data-unread="3"]`);
  assert.equal((await page.textContent(tid("notification-count")))?.trim(), "3");

  await page.click(tid("notification-bell"));
  const items = page.locator(tid("notification-item"));
  await items.first().waitFor();
  const texts = await items.allInnerTexts();
  assert.equal(texts.length, 3);
  assert.match(texts[0], /assigned you a conversation/, "newest first");
  assert.match(texts[2], /first ping/);
  assert.equal(
    await page.locator(`${tid("notification-item")}[data-unread="true"]`).count(),
    3,
    "unread ones are marked",
  );

  // Clicking one opens its conversation and reads it.
  await items.nth(2).click();
  await page.waitForSelector(`${tid("conversation-page")}[data-id="${older}"]`);
  await page.waitForSelector(`${tid("notification-bell")}[data-unread="2"]`);

  await page.click(tid("notification-bell"));
  await page.click(tid("notifications-mark-all"));
  await page.locator(tid("notification-count")).waitFor({ state: "detached" });
  assert.equal(await page.locator(`${tid("notification-item")}[data-unread="true"]`).count(), 0);
  await page.click(tid("notifications-unread-only"));
  await page.waitForSelector(tid("notifications-empty"));

  // The server agrees.
  await page.reload();
  await page.waitForSelector(`${tid("notification-bell")}[data-unread="0"]`);
  page.assertNoErrors();
});
