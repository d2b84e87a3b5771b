// Search from the top bar: prefix matching over replies, notes, subjects and
// contacts, highlighted passages, keyboard navigation, and access (an agent
// never finds conversations of an inbox they cannot see).

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  ADMIN,
  createAgent,
  createInbox,
  ensureWorkspace,
  eventually,
  launchBrowser,
  pageAs,
  tid,
  until,
} from "./helpers.mjs";

let browser;
let admin;
const run = Date.now().toString(36);
/** One word no other test writes; the tests type only its first part. */
const word = `zq${run}tangerine`;
const prefix = `zq${run}tang`;
const seen = {};
let agent;

before(async () => {
  admin = await ensureWorkspace();
  const open = await createInbox(admin, `Search open ${run}`);
  const hidden = await createInbox(admin, `Search hidden ${run}`);
  agent = await createAgent(admin, "Sid Search", { [open.id]: "view" });

  const start = (inbox, input) => admin.ok("POST", "/api/conversations", { inboxId: inbox.id, ...input }, 201);
  seen.message = await start(open, {
    contact: { name: "Mona Message", email: `mona.${run}@example.com` },
    subject: "Broken delivery",
    body: `My ${word} lamp arrived <b>broken</b>, can I get a refund?`,
  });
  seen.subject = await start(open, {
    contact: { name: "Sam Subject" },
    subject: `${word} subscription`,
    body: "Hello, a question about my plan.",
  });
  seen.note = await start(open, { contact: { name: "Nina Note" }, body: "Where is my parcel?" });
  await admin.ok(
    "POST",
    `/api/conversations/${seen.note.id}/messages`,
    { kind: "note", body: `The ${word} supplier is late again, check with logistics.` },
    201,
  );
  seen.hidden = await start(hidden, { contact: { name: "Hal Hidden" }, body: `Secret ${word} matter` });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** Press `/`, type `q` into the top-bar box and press Enter; resolves when the results are shown. */
async function searchFor(page, q) {
  // Not typing anywhere (an open conversation focuses its composer), as when the agent reaches for the shortcut.
  await page.evaluate(() => document.activeElement?.blur());
  // The shortcut is listened for once the page has settled after its first paint: press until it takes.
  const focused = () => page.evaluate(() => document.activeElement?.getAttribute("data-testid"));
  await until(async () => {
    await page.keyboard.press("/");
    return (await focused()) === "search-box";
  }, "/ to focus the search box");
  await page.keyboard.type(q);
  await page.keyboard.press("Enter");
  // Ready for this query, not still showing the previous one's results.
  await eventually(
    page,
    ([sel, q]) =>
      new URL(location.href).searchParams.get("q") === q && document.querySelector(sel)?.dataset.state === "ready",
    [tid("search-page"), q],
    { what: `the results for “${q}”` },
  );
}

const hit = (page, id) => page.locator(`${tid("search-hit")}[data-id="${id}"]`);

test("a prefix typed in the top bar finds replies, notes and subjects, highlighted", async () => {
  const page = await pageAs(browser, ADMIN);
  await searchFor(page, prefix);

  const ids = await page.locator(tid("search-hit")).evaluateAll((els) => els.map((el) => el.dataset.id));
  assert.deepEqual(
    new Set(ids),
    new Set([seen.message.id, seen.subject.id, seen.note.id, seen.hidden.id]),
    "admins find every inbox's conversations",
  );
  assert.match(await page.locator(tid("search-summary")).innerText(), /4 conversations match/);

  const message = hit(page, seen.message.id);
  // An agent-started conversation opens with the agent's reply.
  assert.equal(await message.getAttribute("data-match-kind"), "reply");
  assert.equal(await message.locator(tid("search-hit-kind")).innerText(), "Reply");
  assert.match(await message.locator(tid("search-hit-contact")).innerText(), /Mona Message/);
  assert.match(await message.innerText(), /Broken delivery/, "the subject is shown");
  assert.match(await message.locator(tid("search-hit-inbox")).innerText(), new RegExp(`Search open ${run}`));
  assert.equal(
    (
      await message
        .locator(`${tid("search-hit-match")} mark`)
        .first()
        .innerText()
    ).toLowerCase(),
    word,
    "the whole matching word is marked",
  );
  // The passage is the server's escaped HTML: the customer's markup shows as text, never as elements.
  assert.match(await message.locator(tid("search-hit-match")).innerText(), /<b>broken<\/b>/);
  assert.equal(await message.locator(`${tid("search-hit-match")} b`).count(), 0);

  const note = hit(page, seen.note.id);
  assert.equal(await note.locator(tid("search-hit-kind")).innerText(), "Internal note");
  assert.match(await note.locator(tid("search-hit-match")).innerText(), /supplier is late/);
  assert.equal(await hit(page, seen.subject.id).locator(tid("search-hit-kind")).innerText(), "Subject");
  assert.equal(
    await hit(page, seen.subject.id)
      .locator(`${tid("search-hit-match")} mark`)
      .count(),
    1,
  );
  page.assertNoErrors();
});

test("arrow keys walk the results and Enter opens the conversation", async () => {
  const page = await pageAs(browser, ADMIN);
  await searchFor(page, prefix);
  const ids = await page.locator(tid("search-hit")).evaluateAll((els) => els.map((el) => el.dataset.id));
  const focused = () =>
    page.evaluate(() => document.activeElement?.dataset.id ?? document.activeElement?.dataset.testid);

  await page.keyboard.press("ArrowDown");
  assert.equal(await focused(), ids[0], "↓ from the box goes to the first hit");
  await page.keyboard.press("ArrowDown");
  assert.equal(await focused(), ids[1]);
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("ArrowUp");
  assert.equal(await focused(), "search-box", "↑ from the first hit goes back to the box");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await page.waitForSelector(`${tid("conversation-page")}[data-id="${ids[1]}"]`);
  assert.equal(await page.inputValue(tid("search-box")), "", "the box empties once a result is open");
  page.assertNoErrors();
});

test("clicking a hit opens it; contacts match by email; no match shows an empty state", async () => {
  const page = await pageAs(browser, ADMIN);
  await page.goto(`/search?q=${encodeURIComponent(prefix)}`);
  assert.equal(await page.inputValue(tid("search-box")), prefix, "the box shows the query of the page");
  await hit(page, seen.subject.id).click();
  await page.waitForSelector(`${tid("conversation-page")}[data-id="${seen.subject.id}"]`);

  await searchFor(page, `mona.${run}`);
  const contact = hit(page, seen.message.id);
  assert.equal(await contact.locator(tid("search-hit-kind")).innerText(), "Contact");
  assert.equal(await page.locator(tid("search-hit")).count(), 1);

  await searchFor(page, `nothing${run}matches`);
  await page.waitForSelector(tid("search-empty"));
  assert.equal(await page.locator(tid("search-hit")).count(), 0);
  page.assertNoErrors();
});

test("an agent finds only conversations in inboxes they can see", async () => {
  const page = await pageAs(browser, agent);
  await searchFor(page, prefix);
  const ids = await page.locator(tid("search-hit")).evaluateAll((els) => els.map((el) => el.dataset.id));
  assert.deepEqual(new Set(ids), new Set([seen.message.id, seen.subject.id, seen.note.id]));
  assert.ok(!ids.includes(seen.hidden.id), "the other inbox's conversation stays invisible");
  assert.equal(
    await page
      .locator(`${tid("search-results")}`)
      .innerText()
      .then((t) => t.includes("Hal Hidden")),
    false,
  );
  page.assertNoErrors();
});
