// The Reports page in the browser: loaded as a chunk of its own on first visit,
// an inbox with no activity (empty state, zeros), the CSV download, and a
// conversation the customer started and an agent answered and resolved showing
// in the cards and the per-agent table (the rooms write the rollups).
//
// REPORTS_SHOTS=/some/dir saves screenshots of each screen there.

import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, test } from "node:test";
import {
  ADMIN,
  createInbox,
  customer,
  ensureWorkspace,
  launchBrowser,
  newPage,
  pageAs,
  shotTo,
  signIn,
  tid,
  until,
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

const shot = (page, name) => shotTo("REPORTS_SHOTS", page, name);

/** The local date in the browser, as the page's presets count days. */
const localDay = (page) =>
  page.evaluate(() => {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  });

const ready = (page) => page.waitForSelector(`${tid("reports-page")}[data-state="ready"]`);
const cardValue = (page, card) => page.locator(tid(`report-${card}-value`)).innerText();

test("the page loads on demand, shows an empty inbox as zeros and downloads its rows as CSV", async () => {
  const inbox = await createInbox(admin, `Quiet ${run}`);
  const page = await newPage(browser);
  const chunks = [];
  page.on("request", (r) => {
    if (/\/assets\/reports-page-[^/]+\.js$/.test(r.url())) chunks.push(r.url());
  });
  await signIn(page, ADMIN);
  // The inbox page did not load the reports' code; the sidebar link does.
  assert.deepEqual(chunks, [], "the first load fetched the reports chunk");
  await page.click(tid("nav-reports"));
  await ready(page);
  assert.equal(chunks.length, 1, "the reports page came as its own chunk");
  assert.equal(new URL(page.url()).pathname, "/reports");

  // Only the quiet inbox, a week, by day.
  await page.selectOption(tid("report-inbox"), inbox.id);
  await page.click(tid("report-preset-7"));
  await page.waitForURL((url) => url.searchParams.get("days") === "7");
  await page.selectOption(tid("report-by"), "day");
  await page.waitForURL((url) => url.searchParams.get("by") === "day" && url.searchParams.get("days") === "7");
  await ready(page);
  assert.equal(await cardValue(page, "created"), "0");
  assert.equal(await cardValue(page, "resolved"), "0");
  assert.equal(await cardValue(page, "first-response"), "—");
  assert.equal(await cardValue(page, "sla"), "—");
  await page.locator(tid("report-empty")).waitFor();
  assert.equal(await page.locator(tid("report-row")).count(), 7);
  await shot(page, "1-empty");

  const today = await localDay(page);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click(tid("report-download"))]);
  const from = (
    await page
      .locator(`${tid("report-row")} th`)
      .first()
      .innerText()
  ).trim();
  assert.equal(download.suggestedFilename(), `switchboard-report-by-day-${from}-to-${today}.csv`);
  const csv = fs.readFileSync(await download.path(), "utf8");
  const lines = csv.split("\r\n");
  assert.equal(lines.at(-1), "", "the file ends with a line break");
  assert.match(lines[0], /^day,created,resolved,reopened,replies,first_responses,first_response_median_seconds,/);
  assert.equal(lines.length, 1 + 7 + 1);
  assert.equal(lines[7].split(",")[0], today);
  assert.match(lines[1], /^\d{4}-\d{2}-\d{2},0,0,0,0,0,,,0,,,0,,0,0,0,0,0,0,0,$/);

  // By agent, nobody was busy: no rows, and the CSV is its header alone.
  await page.selectOption(tid("report-by"), "agent");
  await page.locator(tid("report-table-empty")).waitFor();
  const [byAgent] = await Promise.all([page.waitForEvent("download"), page.click(tid("report-download"))]);
  assert.match(
    byAgent.suggestedFilename(),
    /^switchboard-report-by-agent-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/,
  );
  assert.match(fs.readFileSync(await byAgent.path(), "utf8"), /^agent,agent_id,created,[^\r\n]*\r\n$/);

  // A custom range: the dates stay in the address and the report follows them.
  await page.click(tid("report-preset-custom"));
  await page.locator(tid("report-from")).fill("2026-01-01");
  await page.locator(tid("report-to")).fill("2026-01-31");
  await page.waitForURL(
    (url) => url.searchParams.get("from") === "2026-01-01" && url.searchParams.get("to") === "2026-01-31",
  );
  await ready(page);
  await page.selectOption(tid("report-by"), "day");
  await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 31, tid("report-row"));
  page.assertNoErrors();
  await page.context().close();
});

test("a conversation started, answered and resolved shows in the cards and the table", async () => {
  const inbox = await createInbox(admin, `Busy ${run}`);
  const { conversationId } = await customer.start(inbox.widgetKey, {
    name: `Rita ${run}`,
    email: `rita.${run}@example.com`,
    body: "My parcel never arrived",
  });
  const me = await admin.ok("GET", "/api/me");
  await admin.ok("PATCH", `/api/conversations/${conversationId}`, { assigneeId: me.user.id }, 200);
  await admin.ok(
    "POST",
    `/api/conversations/${conversationId}/messages`,
    { kind: "reply", body: "Sending another" },
    201,
  );
  await admin.ok("PATCH", `/api/conversations/${conversationId}`, { status: "resolved" }, 200);
  // The rollups are written with each change; wait until the API counts this one.
  await until(async () => {
    const report = await admin.ok("GET", `/api/reports?inboxId=${inbox.id}`);
    return report.totals.resolved === 1;
  }, "the report to count the resolved conversation");

  const page = await pageAs(browser, ADMIN);
  await page.goto(`/reports?inboxId=${inbox.id}&days=7`);
  await ready(page);
  assert.equal(await cardValue(page, "created"), "1");
  assert.equal(await cardValue(page, "resolved"), "1");
  assert.match(await cardValue(page, "first-response"), /^\d+ (s|min|h|d)\b/);
  await page.locator(tid("report-chart")).waitFor();
  // By agent: a change counts for whoever was assigned when it happened (the conversation was
  // created unassigned, then assigned to the admin, who answered and resolved it).
  const cells = await page.locator(tid("report-row"), { hasText: ADMIN.name }).locator("td").allInnerTexts();
  const [created, resolved, replies, firstResponse] = cells;
  assert.deepEqual([created, resolved, replies], ["0", "1", "1"]);
  assert.match(firstResponse, /^\d+ (s|min|h|d)\b/);
  await shot(page, "2-data");
  page.assertNoErrors();
  await page.context().close();
});
