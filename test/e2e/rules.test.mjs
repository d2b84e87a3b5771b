// The auto-assignment rule editor (Settings → Rules): a rule built in the UI
// routes a new conversation; invalid input is shown on its row; rules are
// toggled, reordered and deleted, and the API agrees.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ADMIN, createAgent, createInbox, ensureWorkspace, launchBrowser, pageAs, tid } from "./helpers.mjs";

let browser;
let admin;
let inbox;
let rita;
let outsider;
const run = Date.now().toString(36);

before(async () => {
  admin = await ensureWorkspace();
  inbox = await createInbox(admin, `Rules ${run}`);
  rita = await createAgent(admin, "Rita Rules", { [inbox.id]: "reply" });
  outsider = await createAgent(admin, "Otto Outsider", { [inbox.id]: "view" });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** The Rules tab, showing this file's inbox. */
async function openRules(page) {
  await page.click(tid("nav-settings"));
  await page.click(tid("settings-tab-rules"));
  await page.waitForSelector(`${tid("settings-page")}[data-tab="rules"]`);
  await page.selectOption(tid("rules-inbox"), inbox.id);
  await page.waitForSelector(
    `${tid("settings-rules")}[data-inbox-id="${inbox.id}"] :is(${tid("rule-list")}, ${tid("rules-empty")})`,
  );
}

const rulesOf = async () => (await admin.ok("GET", `/api/inboxes/${inbox.id}/rules`)).items;
const names = (page) => page.locator(tid("rule-name")).allInnerTexts();

test("a rule made in the editor tags, prioritises and assigns matching new conversations", async () => {
  const page = await pageAs(browser, ADMIN);
  await openRules(page);
  const word = `gizmo${run}`;

  await page.click(tid("rule-new"));
  const dialog = page.locator(tid("rule-dialog"));
  await dialog.locator(tid("rule-name-input")).fill("Gizmo trouble");
  const condition = dialog.locator(tid("rule-condition"));
  await condition.locator(tid("rule-condition-field")).selectOption("body");
  await condition.locator(tid("rule-condition-op")).selectOption("contains");
  await condition.locator(tid("rule-condition-value")).fill(word);

  // The agent picker offers only people who can reply in the inbox.
  const agentPicker = dialog.locator(tid("rule-action-agent"));
  const offered = await agentPicker.locator("option").evaluateAll((os) => os.map((o) => o.value));
  assert.ok(offered.includes(rita.id), "Rita can reply here");
  assert.ok(!offered.includes(outsider.id), "Otto only views this inbox");
  await agentPicker.selectOption(rita.id);

  await dialog.locator(tid("rule-add-action")).click();
  await dialog.locator(tid("rule-action")).nth(1).locator(tid("rule-action-type")).selectOption("add_tags");
  await dialog.locator(tid("rule-action-tags")).fill(`gizmo-${run}, hardware`);
  await dialog.locator(tid("rule-add-action")).click();
  await dialog.locator(tid("rule-action")).nth(2).locator(tid("rule-action-type")).selectOption("set_priority");
  await dialog.locator(tid("rule-action-priority")).selectOption("urgent");
  await dialog.locator(tid("rule-save")).click();
  await dialog.waitFor({ state: "detached" });

  const row = page.locator(tid("rule-row"), { hasText: "Gizmo trouble" });
  assert.equal(
    (await row.locator(tid("rule-sentence")).innerText()).replace(/\s+/g, " "),
    `When body contains ${word} → assign to Rita Rules, tag gizmo-${run} and hardware, priority urgent`,
  );
  const [saved] = await rulesOf();
  assert.deepEqual(saved.conditions, [{ field: "body", op: "contains", value: word }]);
  assert.deepEqual(saved.actions, [
    { type: "assign_agent", userId: rita.id },
    { type: "add_tags", tags: [`gizmo-${run}`, "hardware"] },
    { type: "set_priority", priority: "urgent" },
  ]);

  const routed = await admin.ok(
    "POST",
    "/api/conversations",
    { inboxId: inbox.id, contact: { name: "Gil" }, body: `My ${word.toUpperCase()} stopped working` },
    201,
  );
  const conversation = await admin.ok("GET", `/api/conversations/${routed.id}`);
  assert.equal(conversation.assignee?.id, rita.id);
  assert.equal(conversation.priority, "urgent");
  assert.deepEqual([...conversation.tags].sort(), [`gizmo-${run}`, "hardware"].sort());

  const other = await admin.ok(
    "POST",
    "/api/conversations",
    { inboxId: inbox.id, contact: { name: "Gil" }, body: "Something else entirely" },
    201,
  );
  const untouched = await admin.ok("GET", `/api/conversations/${other.id}`);
  assert.equal(untouched.assignee, null);
  assert.deepEqual(untouched.tags, []);
  page.assertNoErrors();
});

test("an invalid regular expression is refused and shown on its row", async () => {
  const page = await pageAs(browser, ADMIN);
  await openRules(page);
  const before = (await rulesOf()).length;

  await page.click(tid("rule-new"));
  const dialog = page.locator(tid("rule-dialog"));
  await dialog.locator(tid("rule-name-input")).fill("Broken pattern");
  await dialog.locator(tid("rule-condition-op")).selectOption("matches");
  await dialog.locator(tid("rule-condition-value")).fill("refund(");
  await dialog.locator(tid("rule-action-type")).selectOption("set_priority");
  await dialog.locator(tid("rule-save")).click();

  const issue = dialog.locator(`${tid("rule-condition")} ${tid("rule-issue")}`);
  await issue.waitFor();
  assert.match(await issue.innerText(), /regular expression/i);
  assert.equal(await dialog.locator(tid("rule-condition-value")).getAttribute("aria-invalid"), "true");
  assert.equal((await rulesOf()).length, before, "nothing was saved");

  // Fixing the pattern saves the rule.
  await dialog.locator(tid("rule-condition-value")).fill("refund\\(s\\)");
  assert.equal(await issue.count(), 0, "editing the row clears its issue");
  await dialog.locator(tid("rule-save")).click();
  await dialog.waitFor({ state: "detached" });
  assert.ok((await rulesOf()).some((r) => r.name === "Broken pattern" && r.conditions[0].value === "refund\\(s\\)"));
  page.assertNoErrors();
});

test("rules are switched off, reordered with the arrows and deleted", async () => {
  for (const rule of await rulesOf())
    await admin.ok("DELETE", `/api/inboxes/${inbox.id}/rules/${rule.id}`, undefined, 204);
  for (const name of ["Alpha", "Bravo", "Charlie"]) {
    await admin.ok(
      "POST",
      `/api/inboxes/${inbox.id}/rules`,
      { name, conditions: [], actions: [{ type: "set_priority", priority: "low" }] },
      201,
    );
  }
  const page = await pageAs(browser, ADMIN);
  await openRules(page);
  assert.deepEqual(await names(page), ["Alpha", "Bravo", "Charlie"]);
  const row = (name) => page.locator(tid("rule-row"), { hasText: name });
  const apiOrder = async () => (await rulesOf()).map((r) => r.name);

  await row("Alpha").locator(tid("rule-enabled")).click();
  await page.waitForSelector(`${tid("rule-row")}[data-enabled="false"]`);
  await page.waitForSelector(`${tid("rule-enabled")}:not(:disabled)`);
  assert.equal((await rulesOf()).find((r) => r.name === "Alpha").enabled, false);

  assert.ok(await row("Alpha").locator(tid("rule-up")).isDisabled(), "the first rule cannot move up");
  await row("Alpha").locator(tid("rule-down")).click();
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll('[data-testid="rule-name"]')].map((e) => e.textContent).join() ===
      "Bravo,Alpha,Charlie",
  );
  await page.waitForSelector(`${tid("rule-up")}:not(:disabled)`);
  assert.deepEqual(await apiOrder(), ["Bravo", "Alpha", "Charlie"]);

  await row("Charlie").locator(tid("rule-up")).click();
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll('[data-testid="rule-name"]')].map((e) => e.textContent).join() ===
      "Bravo,Charlie,Alpha",
  );
  await page.waitForSelector(`${tid("rule-down")}:not(:disabled)`);
  assert.deepEqual(await apiOrder(), ["Bravo", "Charlie", "Alpha"]);
  assert.deepEqual(
    (await rulesOf()).map((r) => r.position),
    [0, 1, 2],
  );

  await row("Charlie").locator(tid("rule-delete")).click();
  await page.click(`${tid("confirm-dialog")} ${tid("confirm")}`);
  await row("Charlie").waitFor({ state: "detached" });
  assert.deepEqual(await names(page), ["Bravo", "Alpha"]);
  assert.deepEqual(await apiOrder(), ["Bravo", "Alpha"]);

  // The order survives a reload.
  await page.reload();
  await page.waitForSelector(tid("rule-list"));
  assert.deepEqual(await names(page), ["Bravo", "Alpha"]);
  assert.equal(await row("Alpha").getAttribute("data-enabled"), "false");
  page.assertNoErrors();
});
