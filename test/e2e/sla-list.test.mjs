// Service levels in the list (SPEC §6.6): a row counts down to its SLA clock's
// due time and turns red once overdue by the page's own clock (no re-read),
// and the SLA due view lists running clocks, the one due first at the top,
// also as conversations arrive live.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  ADMIN,
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
  waitForListStream,
} from "./helpers.mjs";

let browser;
let admin;
before(async () => {
  admin = await ensureWorkspace();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** A chat inbox whose conversations owe a first response within `minutes` (calendar time). */
async function inboxWithSla(name, minutes) {
  const inbox = await createInbox(admin, `${name} ${Date.now().toString(36)}`);
  await admin.ok("PUT", `/api/inboxes/${inbox.id}/sla`, { firstResponseMinutes: minutes, businessHoursOnly: false });
  return inbox;
}

/** A conversation a customer starts in the widget: it waits for its first response. */
async function customerWrites(inbox, name) {
  const { conversationId } = await customer.start(inbox.widgetKey, {
    name,
    email: `${name.toLowerCase().replace(/\W+/g, ".")}.${Date.now()}@example.com`,
    body: "Hello? Is anyone there?",
  });
  return conversationId;
}

/** The ids of the listed rows, in order. */
const rowIds = (page) =>
  page.locator(tid("conversation-row")).evaluateAll((rows) => rows.map((r) => r.getAttribute("data-id")));

/**
 * Track the page's list and conversation sockets; `settled()` waits until every
 * ping sent has been answered. Moving the page's clock forward with a ping
 * unanswered would look like a dead link to the heartbeat (and a reconnect re-reads the list).
 */
function watchPings(page) {
  const waiting = new Map();
  page.on("websocket", (ws) => {
    ws.on("framesent", (f) => f.payload === '{"type":"ping"}' && waiting.set(ws, true));
    ws.on("framereceived", () => waiting.set(ws, false));
    ws.on("close", () => waiting.delete(ws));
  });
  return { settled: () => until(() => ![...waiting.values()].some(Boolean), "every ping answered") };
}

test("a row counts down to its first response and turns red once overdue, by the page's clock alone", async () => {
  const inbox = await inboxWithSla("Fast lane", 1);
  const id = await customerWrites(inbox, "Grace Hopper");
  const summary = await admin.ok("GET", `/api/conversations/${id}`);
  assert.equal(summary.sla?.kind, "first_response", "the conversation's clock runs");
  const due = Date.parse(summary.sla.dueAt);

  const page = await newPage(browser);
  await page.clock.install();
  const pings = watchPings(page);
  await signIn(page, ADMIN);
  await page.click(`${tid("inbox-filter")}[data-inbox-id="${inbox.id}"]`);
  const chip = listRow(page, id).locator(tid("sla-chip"));
  await chip.waitFor();
  await waitForListStream(page);
  assert.match(await chip.innerText(), /^First reply in 1 min/);
  assert.notEqual(await chip.getAttribute("data-tone"), "breached");
  assert.match(await chip.getAttribute("title"), /^First response due /);

  // From here on, the list must not be read again: the chip moves on by itself.
  const reads = [];
  page.on("request", (r) => new URL(r.url()).pathname === "/api/conversations" && reads.push(r.url()));

  // Hold the page's time still, let any ping in flight be answered, then jump past the due time.
  const pageNow = await page.evaluate(() => Date.now());
  await page.clock.pauseAt(pageNow + 200);
  await pings.settled();
  await page.clock.fastForward(Math.max(0, due - (pageNow + 200)) + 90_000);

  await page.waitForSelector(`${tid("conversation-row")}[data-id="${id}"] ${tid("sla-chip")}[data-tone="breached"]`);
  assert.match(await chip.innerText(), /^Overdue 2 min/);
  assert.match(await chip.getAttribute("title"), /^First response was due /);
  assert.deepEqual(reads, [], "no request for the list while the chip turned red");
  page.assertNoErrors();
});

test("the SLA due view lists running clocks soonest first, and a conversation arriving live takes its place", async () => {
  // Started first, due last; started last, due first.
  const slow = await inboxWithSla("Slow lane", 240);
  const fast = await inboxWithSla("Quick lane", 2);
  const dueLast = await customerWrites(slow, "Ada Byron");
  const dueFirst = await customerWrites(fast, "Alan Turing");

  const page = await newPage(browser);
  await signIn(page, ADMIN);
  await page.click(tid("view-breaching"));
  await page.waitForSelector(`${tid("inbox-page")}[data-view="breaching"]`);
  assert.equal(await page.textContent(tid("list-title")), "SLA due");
  await listRow(page, dueLast).waitFor();
  await listRow(page, dueFirst).waitFor();
  await waitForListStream(page);
  let dueBetween = null;
  /** This test's rows, in the list's order (earlier tests leave clocks running too). */
  const mine = (ids) => ids.filter((x) => x === dueFirst || x === dueLast || x === dueBetween);
  assert.deepEqual(mine(await rowIds(page)), [dueFirst, dueLast], "the clock due first leads");

  // Due in an hour: between the two, wherever the newest activity would put it.
  const middle = await inboxWithSla("Middle lane", 60);
  dueBetween = await customerWrites(middle, "Edsger Dijkstra");
  await listRow(page, dueBetween).waitFor();
  assert.deepEqual(mine(await rowIds(page)), [dueFirst, dueBetween, dueLast]);
  assert.match(await listRow(page, dueBetween).locator(tid("sla-chip")).innerText(), /^First reply in 1 h/);

  // Answered: the first response is no longer owed, and the row leaves the view.
  await admin.ok("POST", `/api/conversations/${dueFirst}/messages`, { kind: "reply", body: "Hello Alan, here now." });
  await listRow(page, dueFirst).waitFor({ state: "detached" });
  page.assertNoErrors();
});

test("g d goes to the SLA due view, which says what it shows when empty", async () => {
  const quiet = await createInbox(admin, `No targets ${Date.now().toString(36)}`);
  await customerWrites(quiet, "Barbara Liskov");
  const page = await newPage(browser);
  await signIn(page, ADMIN);
  await page.click(`${tid("inbox-filter")}[data-inbox-id="${quiet.id}"]`);
  await page.waitForSelector(tid("conversation-row"));
  // Letters typed reach the page as shortcuts only while no field has the focus.
  await eventually(page, () => !document.activeElement?.matches("input, textarea, select, [contenteditable]"), null, {
    what: "no field focused",
  });
  await page.keyboard.press("g");
  await page.keyboard.press("d");
  await page.waitForSelector(`${tid("inbox-page")}[data-view="breaching"]`);
  assert.equal(new URL(page.url()).searchParams.get("inbox"), quiet.id, "the inbox filter stays");
  const empty = page.locator(tid("empty-state"));
  await empty.waitFor();
  assert.match(await empty.innerText(), /No conversations with an SLA clock running/);
  page.assertNoErrors();
});
