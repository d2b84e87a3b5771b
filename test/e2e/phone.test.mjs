// The agent app on a phone (390 × 844): the list full width, a conversation
// full screen with a back button, the details and the sidebar in drawers,
// presence and live drafts from a teammate in another browser, replying, the
// notification bell — with no sideways scrolling and touch targets of 44 px.
//
// PHONE_SHOTS=<folder> saves a screenshot of each screen there.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  ADMIN,
  Api,
  createAgent,
  createInbox,
  ensureWorkspace,
  eventually,
  launchBrowser,
  listRow,
  openConversation,
  pageAs,
  shotTo,
  startConversation,
  tid,
  WAIT,
  waitForComposerCleared,
  waitForItem,
  waitForListStream,
} from "./helpers.mjs";

const PHONE = { width: 390, height: 844 };

let browser;
let admin;
let inbox;
let pia; // the agent on the phone
let bea; // a teammate at a desk
before(async () => {
  admin = await ensureWorkspace();
  inbox = await createInbox(admin, `Phone chat ${Date.now().toString(36)}`);
  pia = await createAgent(admin, "Pia Phone", { [inbox.id]: "reply" });
  bea = await createAgent(admin, "Bea Desk", { [inbox.id]: "reply" });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** Fails unless the page is no wider than the screen (nothing to scroll sideways). */
async function assertNoSidewaysScroll(page, where) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.scrollingElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  assert.ok(scrollWidth <= innerWidth, `${where}: the page is ${scrollWidth} px wide on a ${innerWidth} px screen`);
}

/** Fails unless every element `selector` matches (and is shown) is at least 44 × 44 px. */
async function assertTouchTargets(page, selector, where) {
  const small = await page.evaluate((sel) => {
    return [...document.querySelectorAll(sel)]
      .filter((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden")
      .map((el) => ({ el, box: el.getBoundingClientRect() }))
      .filter(({ box }) => box.width < 44 || box.height < 44)
      .map(
        ({ el, box }) =>
          `${el.dataset.testid ?? el.getAttribute("aria-label") ?? el.textContent.trim().slice(0, 20)} ${Math.round(box.width)}×${Math.round(box.height)}`,
      );
  }, selector);
  assert.deepEqual(small, [], `${where}: touch targets under 44 px`);
}

/** The element `selector` lies wholly inside the screen. */
async function assertOnScreen(page, selector, what) {
  const box = await page.locator(selector).boundingBox();
  const { width, height } = page.viewportSize();
  assert.ok(box, `${what} is shown`);
  assert.ok(
    box.x >= 0 && box.y >= 0 && box.x + box.width <= width + 0.5 && box.y + box.height <= height + 0.5,
    `${what} is within the screen: ${JSON.stringify(box)} on ${width}×${height}`,
  );
}

/** Wait until the element `selector` has the focus. */
async function waitForFocus(page, selector, what) {
  await eventually(page, (sel) => document.activeElement?.matches(sel) === true, selector, {
    what: `the focus on ${what}`,
  });
}

test("the list fills the phone's width, a row opens the conversation full screen and Back returns to the same place", async () => {
  // Enough conversations to scroll the list.
  const ids = [];
  for (let i = 0; i < 12; i++) {
    ids.push(
      await startConversation(admin, inbox, { name: `Customer ${i}`, body: `Question number ${i} about a parcel.` }),
    );
  }
  const page = await pageAs(browser, pia, PHONE);
  const list = page.locator(tid("conversation-list"));
  await listRow(page, ids[0]).waitFor();
  await shotTo("PHONE_SHOTS", page, "list");

  assert.equal(await page.locator(tid("sidebar")).count(), 0, "no sidebar beside the list on a phone");
  const box = await list.boundingBox();
  assert.ok(box.x <= 0.5 && box.width >= PHONE.width - 1, `the list spans the screen: ${JSON.stringify(box)}`);
  await assertNoSidewaysScroll(page, "the list");
  await assertTouchTargets(
    page,
    `${tid("menu-open")}, ${tid("notification-bell")}, ${tid("current-user")}, ${tid("conversation-row")}, .row-check`,
    "the list",
  );

  // Scroll down to an older conversation and open it.
  const older = listRow(page, ids[2]);
  await older.scrollIntoViewIfNeeded();
  const scrolled = await page.evaluate(() => document.querySelector(".content").scrollTop);
  assert.ok(scrolled > 0, "the list scrolled");
  await older.click();
  await page.waitForSelector(`${tid("conversation-page")}[data-id="${ids[2]}"]`);
  assert.equal(await page.locator(tid("conversation-list")).count(), 0, "the conversation has the screen to itself");
  await assertNoSidewaysScroll(page, "a conversation");
  await assertOnScreen(page, tid("back"), "the back button");

  // Back: the same list, scrolled where it was, the opened row still the selected one.
  await page.click(tid("back"));
  await older.waitFor();
  await eventually(page, (top) => Math.abs(document.querySelector(".content").scrollTop - top) <= 2, scrolled, {
    what: "the list scrolled back to where it was",
  });
  await waitForFocus(page, `${tid("conversation-row")}[data-id="${ids[2]}"]`, "the row that was opened");
  assert.match((await older.getAttribute("class")) ?? "", /is-selected/);
  page.assertNoErrors();
  await page.context().close();
});

test("on a phone: a teammate's presence and live draft show, a reply goes out and the composer stays on screen", async () => {
  const id = await startConversation(admin, inbox, { name: "Grace Hopper", body: "My parcel never arrived." });
  const phone = await pageAs(browser, pia, PHONE);
  const desk = await pageAs(browser, bea);
  await openConversation(phone, id);
  await openConversation(desk, id);

  // The teammate is here and typing: their avatar and draft reach the phone.
  await phone.locator(`${tid("presence-bar")} ${tid("presence-avatar")}[data-user-id="${bea.id}"]`).waitFor();
  await desk.click(tid("composer-input"));
  await waitForFocus(desk, tid("composer-input"), "the teammate's composer");
  const draft = "I can take this one, checking the courier.";
  await desk.locator(tid("composer-input")).pressSequentially(draft, { delay: 20 });
  await eventually(
    phone,
    ([sel, text]) => document.querySelector(sel)?.textContent?.includes(text) === true,
    [`${tid("draft-preview")}[data-user-id="${bea.id}"] ${tid("draft-body")}`, draft],
    { what: "the teammate's draft on the phone" },
  );
  await shotTo("PHONE_SHOTS", phone, "conversation");
  await assertNoSidewaysScroll(phone, "a conversation with a live draft");
  await assertOnScreen(phone, tid("composer-send"), "the send button");
  await assertTouchTargets(
    phone,
    `${tid("back")}, ${tid("details-open")}, ${tid("forward-button")}, ${tid("resolve-button")}, ${tid("snooze-button")}, .lc-more-button, ${tid("composer-send")}, .composer-tab`,
    "the conversation",
  );
  // Forward is an arrow on a phone, still named for a screen reader.
  assert.equal(await phone.getByRole("button", { name: "Forward…" }).count(), 1);

  // Reply from the phone, with the keyboard up (a shorter screen).
  await phone.setViewportSize({ width: PHONE.width, height: 500 });
  await phone.click(tid("composer-input"));
  await waitForFocus(phone, tid("composer-input"), "the phone's composer");
  await phone.locator(tid("composer-input")).pressSequentially("Hi Grace, it is on its way.");
  await assertOnScreen(phone, tid("composer-input"), "the composer above the keyboard");
  await assertOnScreen(phone, tid("composer-send"), "the send button above the keyboard");
  await assertNoSidewaysScroll(phone, "the conversation with the keyboard up");
  await shotTo("PHONE_SHOTS", phone, "keyboard");
  await phone.click(tid("composer-send"));
  await waitForItem(phone, "reply", "Hi Grace, it is on its way.");
  await waitForComposerCleared(phone);
  await assertOnScreen(phone, tid("composer-input"), "the composer after sending");
  // The new reply is in sight, above the composer, not behind it.
  const reply = phone.locator(`${tid("timeline-item")}[data-kind="reply"]`, { hasText: "it is on its way" }).last();
  const replyBox = await reply.boundingBox();
  const composerBox = await phone.locator(tid("composer")).boundingBox();
  assert.ok(replyBox.y + replyBox.height <= composerBox.y + 1, "the reply sits above the composer");
  await waitForItem(desk, "reply", "Hi Grace, it is on its way.");

  phone.assertNoErrors();
  await phone.context().close();
  await desk.context().close();
});

test("the bell lists a teammate's mention and tapping it opens the conversation", async () => {
  const id = await startConversation(admin, inbox, { name: "Alan Turing", body: "Where is my refund?" });
  const phone = await pageAs(browser, pia, PHONE);
  await waitForListStream(phone);
  const asBea = await Api.signedIn(bea);
  await asBea.ok(
    "POST",
    `/api/conversations/${id}/messages`,
    { kind: "note", body: `@${pia.name} could you answer this one?`, mentions: [pia.id] },
    201,
  );
  await phone.locator(`${tid("notification-bell")}[data-unread="1"]`).waitFor();
  await phone.click(tid("notification-bell"));
  const item = phone.locator(tid("notification-item"), { hasText: "could you answer this one?" });
  await item.waitFor();
  await shotTo("PHONE_SHOTS", phone, "bell");
  await assertNoSidewaysScroll(phone, "the notifications");
  await assertOnScreen(phone, tid("notification-panel"), "the notifications panel");
  await assertTouchTargets(phone, tid("notification-item"), "the notifications");
  await item.click();
  await phone.waitForSelector(`${tid("conversation-page")}[data-id="${id}"]`);
  await waitForItem(phone, "note", "could you answer this one?");
  phone.assertNoErrors();
  await phone.context().close();
});

for (const how of ["keyboard", "mouse"]) {
  test(`the details drawer and the sidebar menu open and close by ${how}, the focus going back to their buttons`, async () => {
    const id = await startConversation(admin, inbox, { name: "Katherine Johnson", body: "Orbit question." });
    const page = await pageAs(browser, pia, PHONE);
    await openConversation(page, id);
    assert.equal(await page.locator(tid("conversation-details")).count(), 0, "no details beside the thread");

    /** Opens the drawer from `button`, checks it, closes it `how`, checks the focus went back. */
    const roundTrip = async (button, drawer, shot) => {
      if (how === "keyboard") {
        await page.focus(tid(button));
        await waitForFocus(page, tid(button), button);
        await page.keyboard.press("Enter");
      } else {
        await page.click(tid(button));
      }
      const dialog = page.locator(`${tid(drawer)}[role="dialog"][aria-modal="true"]`);
      await dialog.waitFor();
      assert.equal(await page.getAttribute(tid(button), "aria-expanded"), "true");
      await waitForFocus(page, `${tid(drawer)} ${tid("drawer-close")}`, "the drawer's close button");
      await shotTo("PHONE_SHOTS", page, shot);
      await assertNoSidewaysScroll(page, `the ${drawer}`);
      await assertTouchTargets(page, `${tid(drawer)} ${tid("drawer-close")}`, `the ${drawer}`);
      if (how === "keyboard" && drawer === "details-drawer") {
        // Escape in a picker inside the drawer closes the picker, not the drawer.
        await page.click(tid("tag-add"));
        await waitForFocus(page, tid("tag-picker-input"), "the tag picker");
        await page.keyboard.press("Escape");
        await page.locator(tid("tag-picker")).waitFor({ state: "detached" });
        assert.equal(await dialog.count(), 1, "the drawer is still open");
      }
      if (how === "keyboard") {
        // The focus stays inside while it is open.
        for (let i = 0; i < 3; i++) await page.keyboard.press("Shift+Tab");
        assert.ok(
          await page.evaluate((sel) => document.querySelector(sel).contains(document.activeElement), tid(drawer)),
          "Tab keeps the focus in the drawer",
        );
        await page.keyboard.press("Escape");
      } else {
        // A tap on the dimmed page beside it.
        const box = await dialog.boundingBox();
        const x = box.x > 0 ? box.x / 2 : (box.x + box.width + PHONE.width) / 2;
        await page.mouse.click(x, PHONE.height / 2);
      }
      await dialog.waitFor({ state: "detached" });
      await waitForFocus(page, tid(button), `the ${button} button`);
      assert.equal(await page.getAttribute(tid(button), "aria-expanded"), "false");
    };

    await roundTrip("details-open", "details-drawer", "details");
    // Escape closed the drawer only: the conversation is still open.
    await page.waitForSelector(`${tid("conversation-page")}[data-id="${id}"]`);
    await page.click(tid("back"));
    await page.waitForSelector(tid("inbox-page"));
    await roundTrip("menu-open", "menu-drawer", "menu");

    // The menu holds the views, contacts, reports and logging out; a link in it closes it.
    await page.click(tid("menu-open"));
    await page.locator(tid("menu-drawer")).waitFor();
    await assertTouchTargets(page, `${tid("menu-drawer")} .side-link`, "the menu");
    assert.equal(await page.locator(`${tid("menu-drawer")} ${tid("logout")}`).count(), 1);
    await page.click(`${tid("menu-drawer")} ${tid("nav-contacts")}`);
    await page.locator(tid("menu-drawer")).waitFor({ state: "detached" });
    await page.waitForURL(/\/contacts/, { timeout: WAIT });
    page.assertNoErrors();
    await page.context().close();
  });
}

test("settings (its tabs), profile, reports, search and contacts fit the phone's width", async () => {
  const page = await pageAs(browser, ADMIN, PHONE);
  for (const [path, ready] of [
    ["/settings", tid("settings-invite")],
    ["/settings?tab=inboxes", ".card .table"],
    ["/settings?tab=rules", "h1"],
    ["/settings?tab=webhooks", "h1"],
    ["/profile", "h1"],
    ["/reports", "h1"],
    ["/contacts", "h1"],
    ["/search?q=parcel", "h1"],
  ]) {
    await page.goto(path);
    await page.waitForSelector(ready);
    await assertNoSidewaysScroll(page, path);
    if (path === "/settings") await shotTo("PHONE_SHOTS", page, "settings");
  }
  page.assertNoErrors();
  await page.context().close();
});
