// Settings → Inboxes → Hours and SLA: an admin gives an inbox business hours
// (a named zone, Mon–Fri 9 to 5, a holiday) and a first-response target counted
// in them; the API holds them, the editors reopen on them, the row sums them
// up, and clearing the hours makes the inbox count every hour again.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ADMIN, createInbox, ensureWorkspace, eventually, launchBrowser, pageAs, tid } from "./helpers.mjs";

const ZONE = "Europe/Berlin";
const HOLIDAY = "2026-12-24";
const OFFICE = [1, 2, 3, 4, 5].map((day) => ({ day, start: "09:00", end: "17:00" }));

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

const row = () => `${tid("inbox-row")}[data-inbox-id="${inbox.id}"]`;
const inboxNow = async () => (await admin.ok("GET", "/api/inboxes")).items.find((i) => i.id === inbox.id);

/** Waits until the element matching `selector` has the keyboard focus (keys typed earlier would be shortcuts). */
const focused = (page, selector, what) =>
  eventually(page, (s) => document.activeElement?.matches(s), selector, { what: `${what} to have the focus` });

async function open(page, button, dialog) {
  await page.click(`${row()} ${tid(button)}`);
  await page.waitForSelector(tid(dialog));
}

/** The dialog closes (saved or dismissed) and the focus is back on the row's button. */
async function closed(page, dialog, button) {
  await page.waitForSelector(tid(dialog), { state: "detached" });
  await focused(page, `${row()} ${tid(button)}`, "the row's button");
}

/** The row's service summary, its (non-breaking) spaces as plain ones. */
const summary = async (page) =>
  (await page.textContent(`${row()} ${tid("inbox-service-summary")}`)).replace(/\s+/g, " ");

test("an admin sets business hours, a holiday and a first-response target in business hours; all are kept", async () => {
  const page = await pageAs(browser, ADMIN);
  await page.goto("/settings?tab=inboxes");
  assert.match(await summary(page), /Every hour counts \(24\/7\) · No SLA targets/);

  // Without hours, counting business hours only is not offered, and says why.
  await open(page, "inbox-sla", "sla-dialog");
  assert.ok(await page.isDisabled(tid("sla-business-only")));
  assert.match(await page.textContent("#sla-business-hint"), /no business hours/);
  await page.keyboard.press("Escape");
  await closed(page, "sla-dialog", "inbox-sla");

  await open(page, "inbox-hours", "hours-dialog");
  assert.match(await page.textContent(tid("hours-state")), /Counts every hour \(24\/7\)/);
  await focused(page, tid("hours-zone"), "the time zone");
  await page.selectOption(tid("hours-zone"), ZONE);
  await page.locator(tid("hours-dialog")).getByRole("button", { name: "24/7", exact: true }).click();
  assert.equal(await page.locator(tid("hours-interval")).count(), 7);
  await page.locator(tid("hours-dialog")).getByRole("button", { name: "Mon–Fri 9–17", exact: true }).click();
  assert.equal(await page.locator(tid("hours-interval")).count(), 5);
  assert.equal(await page.textContent('[data-day="6"] .bh-closed'), "Closed");

  // A second Monday interval that overlaps the first: the server's refusal names both, under Monday.
  await page.click('[aria-label="Add hours on Monday"]');
  await eventually(
    page,
    () => document.activeElement === document.querySelectorAll('[aria-label="Monday opens"]')[1],
    undefined,
    { what: "the new interval's start to have the focus" },
  );
  await page.locator('[aria-label="Monday opens"]').nth(1).fill("16:00");
  await page.click(tid("hours-save"));
  const mondayIssue = page.locator("#bh-day-1-issue");
  await mondayIssue.waitFor({ state: "visible" });
  assert.equal(await mondayIssue.textContent(), "Monday 16:00–18:00 overlaps Monday 09:00–17:00");
  assert.equal((await inboxNow()).businessHours, null, "a refused save writes nothing");
  await page.click('[aria-label="Remove Monday 16:00–18:00"]');
  await focused(page, '[aria-label="Add hours on Monday"]', "Monday's add button");

  await page.focus(tid("hours-holiday-date"));
  await focused(page, tid("hours-holiday-date"), "the holiday date");
  await page.fill(tid("hours-holiday-date"), HOLIDAY);
  await page.keyboard.press("Enter");
  await page.waitForSelector(`${tid("hours-holiday")}[data-date="${HOLIDAY}"]`);
  await page.click(tid("hours-save"));
  await closed(page, "hours-dialog", "inbox-hours");

  assert.deepEqual((await inboxNow()).businessHours, { timeZone: ZONE, weekly: OFFICE, holidays: [HOLIDAY] });
  assert.equal(await summary(page), `Mon–Fri 09:00–17:00 ${ZONE}, 1 holiday · No SLA targets`);

  await open(page, "inbox-sla", "sla-dialog");
  await focused(page, tid("sla-firstResponseMinutes-on"), "the first target");
  await page.check(tid("sla-firstResponseMinutes-on"));
  await page.fill(tid("sla-firstResponseMinutes-amount"), "1");
  await page.selectOption(tid("sla-firstResponseMinutes-unit"), "hours");
  assert.ok(await page.isEnabled(tid("sla-business-only")));
  await page.check(tid("sla-business-only"));
  await page.click(tid("sla-save"));
  await closed(page, "sla-dialog", "inbox-sla");

  assert.deepEqual((await inboxNow()).sla, {
    firstResponseMinutes: 60,
    nextResponseMinutes: null,
    resolutionMinutes: null,
    businessHoursOnly: true,
  });
  assert.equal(await summary(page), `Mon–Fri 09:00–17:00 ${ZONE}, 1 holiday · First response 1 h (business hours)`);

  // A reload, then the editors reopen on what was saved.
  await page.reload();
  await page.waitForSelector(row());
  assert.equal(await summary(page), `Mon–Fri 09:00–17:00 ${ZONE}, 1 holiday · First response 1 h (business hours)`);
  await open(page, "inbox-hours", "hours-dialog");
  assert.equal(await page.inputValue(tid("hours-zone")), ZONE);
  const starts = await page.locator(tid("hours-start")).evaluateAll((inputs) => inputs.map((i) => i.value));
  const ends = await page.locator(tid("hours-end")).evaluateAll((inputs) => inputs.map((i) => i.value));
  assert.deepEqual([starts, ends], [Array(5).fill("09:00"), Array(5).fill("17:00")]);
  assert.deepEqual(await page.locator(tid("hours-holiday")).evaluateAll((items) => items.map((i) => i.dataset.date)), [
    HOLIDAY,
  ]);
  await page.keyboard.press("Escape");
  await closed(page, "hours-dialog", "inbox-hours");

  await open(page, "inbox-sla", "sla-dialog");
  assert.ok(await page.isChecked(tid("sla-firstResponseMinutes-on")));
  assert.equal(await page.inputValue(tid("sla-firstResponseMinutes-amount")), "1");
  assert.equal(await page.inputValue(tid("sla-firstResponseMinutes-unit")), "hours");
  assert.ok(!(await page.isChecked(tid("sla-resolutionMinutes-on"))));
  assert.ok(await page.isChecked(tid("sla-business-only")));
  await page.keyboard.press("Escape");
  await closed(page, "sla-dialog", "inbox-sla");
  page.assertNoErrors();
});

test("clearing the hours makes the inbox count every hour again", async () => {
  await admin.ok("PUT", `/api/inboxes/${inbox.id}/business-hours`, { timeZone: ZONE, weekly: OFFICE, holidays: [] });
  const page = await pageAs(browser, ADMIN);
  await page.goto("/settings?tab=inboxes");
  await open(page, "inbox-hours", "hours-dialog");
  assert.match(await page.textContent(tid("hours-state")), new RegExp(`Mon–Fri 09:00–17:00 ${ZONE}`));
  await page.click(tid("hours-clear"));
  await closed(page, "hours-dialog", "inbox-hours");
  assert.equal((await inboxNow()).businessHours, null);
  assert.match(await summary(page), /^Every hour counts \(24\/7\)/);
  await open(page, "inbox-hours", "hours-dialog");
  assert.match(await page.textContent(tid("hours-state")), /Counts every hour \(24\/7\)/);
  page.assertNoErrors();
});
