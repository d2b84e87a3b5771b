// Bulk actions on the list: select all on the page, shift-click a range,
// resolve them in one go and watch them leave the list live; a partial
// failure is said plainly and the conversation that failed stays selected.
// The timing of 100 resolved in one call is reported by bench/bulk.mjs.

import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, test } from "node:test";
import {
  ADMIN,
  createAgent,
  createInbox,
  ensureWorkspace,
  eventually,
  launchBrowser,
  listRow,
  newPage,
  signIn,
  startConversation,
  tid,
  waitForListStream,
} from "./helpers.mjs";

const SHOTS = process.env.BULK_SHOTS ?? "/tmp/bulk-shots";

let browser;
let admin;
before(async () => {
  admin = await ensureWorkspace();
  browser = await launchBrowser();
  fs.mkdirSync(SHOTS, { recursive: true });
});
after(async () => {
  await browser?.close();
});

/** Opens the list of one inbox, its rows shown and its live stream connected. */
async function openInbox(page, inbox, rows) {
  await page.click(`${tid("inbox-filter")}[data-inbox-id="${inbox.id}"]`);
  await eventually(page, ([sel, n]) => document.querySelectorAll(sel).length === n, [tid("conversation-row"), rows], {
    what: `${rows} rows`,
  });
  await waitForListStream(page);
}

const checked = (page) =>
  page
    .locator(`${tid("row-check")}:checked`)
    .evaluateAll((els) => els.map((e) => e.closest("li").querySelector("[data-id]").dataset.id));

test("select all, shift-click a range off, resolve 20: they leave the list live", async () => {
  const inbox = await createInbox(admin, "Bulk resolve");
  const ids = [];
  for (let i = 1; i <= 25; i++) ids.push(await startConversation(admin, inbox, { name: `Customer ${i}` }));
  const page = await newPage(browser);
  await signIn(page, ADMIN);
  await openInbox(page, inbox, 25);

  // From the keyboard: j moves to a row, x ticks it and x again unticks it.
  await page.keyboard.press("j");
  await page.keyboard.press("x");
  assert.equal((await checked(page)).length, 1);
  await page.keyboard.press("x");
  assert.equal((await checked(page)).length, 0);

  await page.click(tid("select-all"));
  assert.equal((await checked(page)).length, 25);
  // Newest first: the last five rows are the oldest five. Untick the 21st, then shift-click the 25th.
  const boxes = page.locator(tid("row-check"));
  await boxes.nth(20).click();
  await boxes.nth(24).click({ modifiers: ["Shift"] });
  const chosen = await checked(page);
  assert.equal(chosen.length, 20);
  assert.equal(await page.locator(tid("bulk-count")).innerText(), "20 selected");
  assert.equal(await page.locator(tid("select-all")).evaluate((el) => el.indeterminate), true);
  await page.screenshot({ path: `${SHOTS}/selected.png` });

  const bar = page.getByRole("toolbar", { name: "Bulk actions" });
  await bar.getByRole("button", { name: "Resolve" }).click();
  await page.locator(tid("bulk-outcome")).getByText("20 resolved.").waitFor();
  await eventually(page, ([sel, n]) => document.querySelectorAll(sel).length === n, [tid("conversation-row"), 5], {
    what: "the 20 resolved rows to leave",
  });
  for (const id of chosen) assert.equal(await listRow(page, id).count(), 0);
  assert.equal(await page.locator(tid("bulk-bar")).count(), 0, "nothing left selected, so no bar");
  await page.screenshot({ path: `${SHOTS}/resolved.png` });
  page.assertNoErrors();
});

test("a partial failure names what could not be changed and keeps it selected", async () => {
  const inbox = await createInbox(admin, "Bulk partial");
  const lookOnly = await createInbox(admin, "Bulk look-only");
  const agent = await createAgent(admin, "Bea Bulk", { [inbox.id]: "reply", [lookOnly.id]: "view" });
  const grace = await startConversation(admin, inbox, { name: "Grace Hopper" });
  const others = [
    await startConversation(admin, inbox, { name: "Alan Turing" }),
    await startConversation(admin, inbox, { name: "Ada Lovelace" }),
  ];
  const page = await newPage(browser);
  // All inboxes (this agent sees only these two): the moved conversation stays on the list.
  await signIn(page, agent);
  await eventually(page, ([sel, n]) => document.querySelectorAll(sel).length === n, [tid("conversation-row"), 3], {
    what: "3 rows",
  });
  await waitForListStream(page);
  await page.getByRole("checkbox", { name: "Select all conversations on this page" }).check();

  // Meanwhile an admin moves Grace's conversation to an inbox where this agent may only look.
  await admin.ok("PATCH", `/api/conversations/${grace}`, { inboxId: lookOnly.id });
  await page.getByRole("toolbar", { name: "Bulk actions" }).getByRole("button", { name: "Resolve" }).click();
  const outcome = page.locator(tid("bulk-outcome"));
  await outcome.getByText("2 resolved; 1 could not be").waitFor();
  assert.match(await outcome.innerText(), /Grace Hopper: Your access to this inbox does not allow that/);
  assert.equal(await page.getByRole("status").filter({ hasText: "could not be" }).count(), 1);
  await page.screenshot({ path: `${SHOTS}/partial.png` });
  for (const id of others) await listRow(page, id).waitFor({ state: "detached" });
  assert.deepEqual(await checked(page), [grace]);
  assert.equal(await page.locator(tid("bulk-count")).innerText(), "1 selected");
  page.assertNoErrors();
});

test("tag the selected, then snooze them for an hour from the bar", async () => {
  const inbox = await createInbox(admin, "Bulk tag and snooze");
  const ids = [];
  for (const name of ["Edsger Dijkstra", "Barbara Liskov", "Donald Knuth"]) {
    ids.push(await startConversation(admin, inbox, { name }));
  }
  const page = await newPage(browser);
  await signIn(page, ADMIN);
  await openInbox(page, inbox, 3);
  await page.getByRole("checkbox", { name: "Select conversation with Barbara Liskov" }).check();
  await page.getByRole("checkbox", { name: "Select conversation with Donald Knuth" }).check();
  const bar = page.getByRole("toolbar", { name: "Bulk actions" });
  await bar.getByRole("textbox", { name: "Tag to add or remove" }).fill("vip");
  await bar.getByRole("button", { name: "Add tag" }).click();
  await page.locator(tid("bulk-outcome")).getByText("2 tagged vip.").waitFor();
  for (const id of ids.slice(0, 2)) {
    const { tags } = await admin.ok("GET", `/api/conversations/${id}`);
    assert.deepEqual(tags, id === ids[0] ? [] : ["vip"]);
  }

  await page.click(tid("select-all"));
  await bar.getByRole("button", { name: "Snooze" }).click();
  await page.click(tid("snooze-in_1_hour"));
  await page.locator(tid("bulk-outcome")).getByText("3 snoozed.").waitFor();
  for (const id of ids) await listRow(page, id).waitFor({ state: "detached" });
  // The list is empty now; what the action did is still said above the empty state.
  await page.locator(tid("empty-state")).waitFor();
  assert.equal(await page.getByRole("status").filter({ hasText: "snoozed" }).innerText(), "3 snoozed.");
  await page.screenshot({ path: `${SHOTS}/snoozed-empty.png` });
  page.assertNoErrors();
});
