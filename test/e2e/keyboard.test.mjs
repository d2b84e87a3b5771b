// Working faster: the list beside the open conversation on a wide screen, the
// keyboard shortcuts (one table, a `?` sheet), and the ⌘K / Ctrl-K palette.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  ADMIN,
  WAIT,
  createAgent,
  createInbox,
  customer,
  ensureWorkspace,
  eventually,
  launchBrowser,
  listRow,
  newPage,
  signIn,
  tid,
  until,
  waitForComposerCleared,
  waitForItem,
  waitForListStream,
} from "./helpers.mjs";

const WIDE = { width: 1400, height: 900 };

let browser;
let admin;
before(async () => {
  admin = await ensureWorkspace();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** `count` conversations in a new inbox, oldest first; returns the inbox and their ids (newest last). */
async function busyInbox(count, name = "Keys") {
  const inbox = await createInbox(admin);
  const ids = [];
  for (let i = 1; i <= count; i++) {
    const c = await admin.ok(
      "POST",
      "/api/conversations",
      {
        inboxId: inbox.id,
        contact: { name: `${name} Customer ${i}`, email: `${name.toLowerCase()}${i}.${Date.now()}@example.com` },
        subject: `${name} question ${i}`,
        body: `Question number ${i}, please.`,
      },
      201,
    );
    ids.push(c.id);
  }
  return { inbox, ids };
}

/** A signed-in page on the list of one inbox. */
async function listOf(inbox, size = WIDE) {
  const page = await newPage(browser, size);
  await signIn(page, ADMIN);
  await page.goto(`/?inbox=${inbox.id}`);
  await page.waitForSelector(`${tid("inbox-page")} ${tid("conversation-row")}`);
  return page;
}

/** The id of the conversation open on the page, once its room is live. */
async function openId(page) {
  await page.waitForSelector(`${tid("conversation-page")}[data-live="open"]`);
  return page.getAttribute(tid("conversation-page"), "data-id");
}

/** Wait until the conversation page shows `id` (live). */
async function showsConversation(page, id) {
  await page.waitForSelector(`${tid("conversation-page")}[data-id="${id}"][data-live="open"]`);
}

const conversation = (id) => admin.ok("GET", `/api/conversations/${id}`);

/** Press j beside an open conversation and return the one it opens instead of `from`. */
async function nextConversation(page, from) {
  await page.keyboard.press("j");
  await eventually(page, (id) => document.querySelector('[data-testid="conversation-page"]')?.dataset.id !== id, from, {
    what: "j to open the next conversation",
  });
  return openId(page);
}

/** r or n, type `text`, send it with the composer's own Ctrl+Enter, and leave the box with Esc. */
async function write(page, kind, text) {
  await page.keyboard.press(kind === "reply" ? "r" : "n");
  await focusOn(page, "composer-input", `${kind === "reply" ? "r" : "n"} to focus the composer`);
  assert.equal(await page.getAttribute(tid("composer"), "data-kind"), kind);
  await page.keyboard.type(text);
  await page.keyboard.press("Control+Enter");
  await waitForItem(page, kind, text);
  await waitForComposerCleared(page);
  await page.keyboard.press("Escape");
  await eventually(page, () => document.activeElement === document.body, null, { what: "Esc to leave the composer" });
}

/** Wait until the element with this test id has focus. */
async function focusOn(page, testid, what) {
  await eventually(page, (t) => document.activeElement?.dataset.testid === t, testid, { what });
}

test("wide: the list stays beside the open conversation, keeping its scroll and its live rows", async () => {
  const { inbox, ids } = await busyInbox(24, "Split");
  const page = await listOf(inbox);
  await waitForListStream(page);
  const list = page.locator(".split-list");
  // Mark the list's element: a remounted list would be a new element without the mark.
  await page.$eval(tid("conversation-list"), (el) => {
    el.dataset.mark = "kept";
  });

  const lower = ids[5]; // sorted newest first, so the 19th row
  await listRow(page, lower).scrollIntoViewIfNeeded();
  await listRow(page, lower).click();
  await showsConversation(page, lower);
  assert.equal(await listRow(page, lower).getAttribute("aria-current"), "page");
  const scrolled = await list.evaluate((el) => el.scrollTop);
  assert.ok(scrolled > 0, `the list is scrolled (${scrolled})`);

  const other = ids[4];
  await listRow(page, other).click();
  await showsConversation(page, other);
  assert.equal(await list.evaluate((el) => el.scrollTop), scrolled, "the list kept its scroll position");
  assert.equal(await page.getAttribute(tid("conversation-list"), "data-mark"), "kept", "the list was not remounted");
  assert.equal(await listRow(page, other).getAttribute("aria-current"), "page");
  assert.equal(await listRow(page, lower).getAttribute("aria-current"), null);

  // A customer writes in another conversation: the list beside marks it live.
  const { conversationId, contactToken } = await customer.start(inbox.widgetKey, {
    name: "Live Larry",
    email: `larry.${Date.now()}@example.com`,
    body: "First message",
  });
  await listRow(page, conversationId).waitFor();
  await customer.say(conversationId, contactToken, "A second message, live");
  await page
    .locator(`${tid("conversation-list")} li.is-fresh ${tid("conversation-row")}[data-id="${conversationId}"]`)
    .waitFor({ timeout: WAIT });
  await listRow(page, conversationId).filter({ hasText: "A second message, live" }).waitFor();
  await showsConversation(page, other);
  assert.equal(await page.getAttribute(tid("conversation-list"), "data-mark"), "kept");
  page.assertNoErrors();
  await page.context().close();
});

test("narrow (1000 px): a conversation is a page of its own, as before", async () => {
  const { inbox, ids } = await busyInbox(2, "Narrow");
  const page = await listOf(inbox, { width: 1000, height: 800 });
  assert.equal(await page.locator(tid("split-view")).count(), 0);
  await listRow(page, ids[0]).click();
  await showsConversation(page, ids[0]);
  assert.equal(await page.locator(tid("inbox-page")).count(), 0, "no list beside the conversation");
  // Esc goes back to the same list.
  await page.keyboard.press("Escape");
  await page.waitForSelector(tid("inbox-page"));
  assert.equal(new URL(page.url()).searchParams.get("inbox"), inbox.id);
  page.assertNoErrors();
  await page.context().close();
});

test("a keyboard-only session triages five conversations", async () => {
  const { inbox, ids } = await busyInbox(6, "Triage");
  const helper = await createAgent(admin, "Kim Keys", { [inbox.id]: "reply" });
  const page = await listOf(inbox);
  const newestFirst = [...ids].reverse();
  const key = (k) => page.keyboard.press(k);

  // j selects the first row (a visible focus), j/k move, o opens.
  await key("j");
  await eventually(page, (id) => document.activeElement?.getAttribute("data-id") === id, newestFirst[0], {
    what: "j to focus the first row",
  });
  await key("j");
  await key("k");
  await key("o");
  const first = await openId(page);
  assert.equal(first, newestFirst[0]);

  // 1. r: reply, typed and sent with the composer's own shortcut; Esc leaves the field; e resolves.
  await write(page, "reply", "Thanks, sorted!");
  await key("e");
  await until(async () => (await conversation(first)).status === "resolved", "e to resolve");

  // 2. j opens the next one beside the list; a: assign through the picker.
  const second = await nextConversation(page, first);
  await key("a");
  // Typed before the picker has the focus, the "k" of "Kim" would be a shortcut.
  await focusOn(page, "assignee-picker-input", "a to open the assignee picker");
  await page.keyboard.type("Kim");
  // The panel reads who may reply in the inbox as the conversation opens.
  await page.locator(`${tid("assignee-picker")} ${tid("picker-option")}[data-id="${helper.id}"]`).waitFor();
  await key("Enter");
  await until(async () => (await conversation(second)).assignee?.id === helper.id, "a to assign");
  await page
    .locator(tid("dp-assignee-select"))
    .filter({ has: page.locator(`option[value="${helper.id}"]`) })
    .waitFor();

  // 3. t: tag, created by typing it.
  const third = await nextConversation(page, second);
  assert.ok(![first, second].includes(third), "j moved on to a new conversation");
  await key("t");
  await focusOn(page, "tag-picker-input", "t to open the tag picker");
  await page.keyboard.type("keyboard");
  await page.locator(`${tid("tag-picker")} ${tid("picker-option")}`, { hasText: "keyboard" }).waitFor();
  await key("Enter");
  await until(async () => (await conversation(third)).tags.includes("keyboard"), "t to tag");

  // 4. n: a note; s: snooze for an hour from the menu.
  const fourth = await nextConversation(page, third);
  assert.ok(![first, second, third].includes(fourth));
  await write(page, "note", "Checked the logs.");
  await key("s");
  await page.waitForSelector(tid("snooze-menu"));
  // The menu moves the focus onto its first choice (in 1 hour); Enter before that would land elsewhere.
  await eventually(page, (sel) => !!document.activeElement?.closest(sel), tid("snooze-menu"), {
    what: "the snooze menu to take the focus",
  });
  await key("Enter");
  await until(async () => (await conversation(fourth)).status === "snoozed", "s to snooze");

  // 5. j, then e resolves and shift+e reopens.
  const fifth = await nextConversation(page, fourth);
  assert.equal(new Set([first, second, third, fourth, fifth]).size, 5, "five different conversations");
  await key("e");
  // Done once the change has returned (a shortcut waits, as the button does, while it is under way).
  await page.waitForSelector(`${tid("resolve-button")}[data-action="reopen"]:not([disabled])`);
  await key("Shift+E");
  await page.waitForSelector(`${tid("resolve-button")}[data-action="resolve"]:not([disabled])`);
  await key("e");
  await until(async () => (await conversation(fifth)).status === "resolved", "e to resolve again");

  // g u: the Unassigned view; / jumps to search; ? shows the sheet, Esc closes it.
  await key("g");
  await key("u");
  await page.waitForSelector(`${tid("inbox-page")}[data-view="unassigned"]`);
  assert.equal(new URL(page.url()).searchParams.get("view"), "unassigned");
  await key("/");
  await focusOn(page, "search-box", "/ to search");
  await page.keyboard.type("Triage question");
  await key("Enter");
  await page.waitForSelector(`${tid("search-page")}[data-state="ready"]`);
  await key("Escape"); // the search box's own: clears it…
  await key("Escape"); // …then leaves it
  await eventually(page, () => document.activeElement === document.body, null, { what: "Esc to leave the box" });
  await key("?");
  const sheet = page.locator(tid("shortcut-sheet"));
  await sheet.waitFor();
  assert.match(await sheet.innerText(), /Next conversation/);
  assert.ok((await sheet.locator(tid("shortcut")).count()) >= 15, "the sheet lists the table");
  await key("Escape");
  await sheet.waitFor({ state: "detached" });
  page.assertNoErrors();
  await page.context().close();
});

test("shortcuts stay quiet while typing in the composer", async () => {
  const { inbox, ids } = await busyInbox(2, "Quiet");
  const page = await listOf(inbox);
  await listRow(page, ids[1]).click();
  await showsConversation(page, ids[1]);
  await page.click(tid("composer-input"));
  await page.keyboard.type("jkoernstag?/ and Esc later");
  assert.equal(await page.inputValue(tid("composer-input")), "jkoernstag?/ and Esc later");
  await showsConversation(page, ids[1]);
  assert.equal((await conversation(ids[1])).status, "open", "e did not resolve it");
  assert.equal(await page.locator(tid("shortcut-sheet")).count(), 0);
  assert.equal(await page.locator(tid("snooze-menu")).count(), 0);
  assert.equal(await page.locator(tid("tag-picker")).count(), 0);
  // A modifier held: no shortcut either (Shift+E types a capital E).
  await page.keyboard.press("Shift+E");
  assert.match(await page.inputValue(tid("composer-input")), /E$/);
  assert.equal((await conversation(ids[1])).status, "open");
  page.assertNoErrors();
  await page.context().close();
});

test("the palette finds a conversation by its contact and runs an action on it", async () => {
  const inbox = await createInbox(admin);
  const name = `Zora Palette ${Date.now().toString(36)}`;
  const target = await admin.ok(
    "POST",
    "/api/conversations",
    { inboxId: inbox.id, contact: { name }, subject: "Where is my parcel?", body: "It has been a week." },
    201,
  );
  const page = await listOf(inbox);
  await page.keyboard.press("Control+k");
  const dialog = page.locator(`[role="dialog"]${tid("command-palette")}`);
  await dialog.waitFor();
  assert.equal(await dialog.getAttribute("aria-modal"), "true");
  const input = page.locator(tid("palette-input"));
  assert.equal(await input.getAttribute("role"), "combobox");
  await focusOn(page, "palette-input", "the palette to take the focus");
  await page.keyboard.type("Zora Palette");
  const hit = page.locator(
    `${tid("palette-option")}[data-group="Conversations"][data-key="conversation-${target.id}"]`,
  );
  await hit.waitFor();
  // Move the active option onto the hit with the arrows, then Enter.
  for (let i = 0; i < 10 && (await hit.getAttribute("aria-selected")) !== "true"; i++) {
    await page.keyboard.press("ArrowDown");
  }
  assert.equal(await input.getAttribute("aria-activedescendant"), await hit.getAttribute("id"));
  await page.keyboard.press("Enter");
  await showsConversation(page, target.id);
  await dialog.waitFor({ state: "detached" });

  // An action on the open conversation.
  await page.keyboard.press("Control+k");
  await dialog.waitFor();
  await focusOn(page, "palette-input", "the palette to take the focus");
  await page.keyboard.type("resolve");
  const action = page.locator(`${tid("palette-option")}[data-key="action-resolve"]`);
  await action.waitFor();
  // The Resolved view matches too; Enter prefers the action.
  await page.locator(`${tid("palette-option")}[data-key="view-resolved"]`).waitFor();
  assert.equal(await action.getAttribute("aria-selected"), "true");
  await page.keyboard.press("Enter");
  await until(async () => (await conversation(target.id)).status === "resolved", "the palette's Resolve");
  await page.waitForSelector(`${tid("conversation-page")}[data-status="resolved"]`);

  // Esc closes and gives focus back.
  await page.focus(tid("resolve-button"));
  await page.keyboard.press("Control+k");
  await dialog.waitFor();
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "resolve-button");
  page.assertNoErrors();
  await page.context().close();
});
