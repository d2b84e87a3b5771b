// Settings for admins (teams, tags, saved replies, inbox access) and the
// agent's own profile, driven through the UI and checked against the API.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  ADMIN,
  Api,
  createAgent,
  createInbox,
  ensureWorkspace,
  launchBrowser,
  pageAs,
  startConversation,
  tid,
} from "./helpers.mjs";

let browser;
let admin;
let inbox;
const run = Date.now().toString(36);
before(async () => {
  admin = await ensureWorkspace();
  inbox = await createInbox(admin);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function openTab(page, tab) {
  await page.click(tid("nav-settings"));
  await page.click(tid(`settings-tab-${tab}`));
  await page.waitForSelector(`${tid("settings-page")}[data-tab="${tab}"]`);
  assert.equal(new URL(page.url()).searchParams.get("tab"), tab, "the tab is in the address");
}

test("teams: create with members, rename and change members, delete", async () => {
  const bo = await createAgent(admin, "Bo Billing");
  const cleo = await createAgent(admin, "Cleo Billing");
  const page = await pageAs(browser, ADMIN);
  await openTab(page, "teams");
  const name = `Billing ${run}`;

  await page.click(tid("team-new"));
  await page.fill(tid("team-name-input"), name);
  await page.check(`${tid("team-member")}[data-user-id="${bo.id}"]`);
  await page.click(tid("team-save"));
  const row = page.locator(tid("team-row"), { hasText: name });
  await row.waitFor();
  assert.match(await row.locator(tid("team-members")).innerText(), /Bo Billing/);
  let team = (await admin.ok("GET", "/api/teams")).items.find((t) => t.name === name);
  assert.deepEqual(
    team.members.map((m) => m.id),
    [bo.id],
  );

  await row.locator(tid("team-edit")).click();
  await page.fill(tid("team-name-input"), `${name} EU`);
  await page.uncheck(`${tid("team-member")}[data-user-id="${bo.id}"]`);
  await page.check(`${tid("team-member")}[data-user-id="${cleo.id}"]`);
  await page.click(tid("team-save"));
  const renamed = page.locator(`${tid("team-row")}[data-team-id="${team.id}"]`);
  await renamed.locator(tid("team-name"), { hasText: `${name} EU` }).waitFor();
  assert.match(await renamed.locator(tid("team-members")).innerText(), /^Cleo Billing$/);
  team = (await admin.ok("GET", "/api/teams")).items.find((t) => t.id === team.id);
  assert.equal(team.name, `${name} EU`);
  assert.deepEqual(
    team.members.map((m) => m.id),
    [cleo.id],
  );

  await renamed.locator(tid("team-delete")).click();
  await page.click(`${tid("confirm-dialog")} ${tid("confirm")}`);
  await renamed.waitFor({ state: "detached" });
  assert.ok(!(await admin.ok("GET", "/api/teams")).items.some((t) => t.id === team.id), "the team is gone");
  page.assertNoErrors();
});

test("tags: rename inline, recolour from the palette, delete", async () => {
  const conversationId = await startConversation(admin, inbox, { name: "Tess", body: "Charged twice" });
  const original = `dup-charge-${run}`;
  await admin.ok("PUT", `/api/conversations/${conversationId}/tags`, { tags: [original] });
  const tag = (await admin.ok("GET", "/api/tags")).items.find((t) => t.name === original);

  const page = await pageAs(browser, ADMIN);
  await openTab(page, "tags");
  const row = page.locator(`${tid("tag-row")}[data-tag-id="${tag.id}"]`);
  await row.waitFor();

  const input = row.locator(tid("tag-name-input"));
  await input.fill(`double-charge-${run}`);
  await input.press("Enter");
  await page.waitForSelector(`${tid("tag-row")}[data-tag-id="${tag.id}"][data-tag="double-charge-${run}"]`);
  let saved = (await admin.ok("GET", "/api/tags")).items.find((t) => t.id === tag.id);
  assert.equal(saved.name, `double-charge-${run}`);
  // Conversations show the new name.
  assert.deepEqual((await admin.ok("GET", `/api/conversations/${conversationId}`)).tags, [`double-charge-${run}`]);

  const colour = tag.color.toLowerCase() === "#dc2626" ? "#16a34a" : "#dc2626";
  await row.locator(tid("tag-color")).click();
  await page.click(`${tid("color-popover")} ${tid("swatch")}[data-color="${colour}"]`);
  await page.waitForSelector(`${tid("tag-row")}[data-tag-id="${tag.id}"] ${tid("tag-color")}[data-color="${colour}"]`);
  saved = (await admin.ok("GET", "/api/tags")).items.find((t) => t.id === tag.id);
  assert.equal(saved.color, colour);

  await row.locator(tid("tag-delete")).click();
  await page.click(`${tid("confirm-dialog")} ${tid("confirm")}`);
  await row.waitFor({ state: "detached" });
  assert.ok(!(await admin.ok("GET", "/api/tags")).items.some((t) => t.id === tag.id));
  assert.deepEqual((await admin.ok("GET", `/api/conversations/${conversationId}`)).tags, []);
  page.assertNoErrors();
});

test("saved replies: create with placeholders (cheat-sheet, preview), edit, delete", async () => {
  const page = await pageAs(browser, ADMIN);
  await openTab(page, "saved-replies");
  const name = `Refund issued ${run}`;

  await page.click(tid("saved-reply-new"));
  await page.fill(tid("saved-reply-name-input"), name);
  await page.fill(tid("saved-reply-body-input"), "Hi ");
  // The cheat-sheet inserts a placeholder at the caret.
  await page.locator(tid("saved-reply-body-input")).press("End");
  await page.click(`${tid("placeholder-cheat-sheet")} button:has-text("{{contact.first_name}}")`);
  await page.locator(tid("saved-reply-body-input")).press("End");
  await page.keyboard.type(", your refund is on its way. {{agent.name}}");
  assert.equal(
    await page.inputValue(tid("saved-reply-body-input")),
    "Hi {{contact.first_name}}, your refund is on its way. {{agent.name}}",
  );
  assert.match(
    await page.textContent(tid("saved-reply-preview")),
    /Hi Grace, your refund is on its way\. Ada Lovelace/,
  );
  await page.click(tid("saved-reply-save"));

  const row = page.locator(tid("saved-reply-row"), { hasText: name });
  await row.waitFor();
  let reply = (await admin.ok("GET", "/api/saved-replies")).items.find((r) => r.name === name);
  assert.equal(reply.body, "Hi {{contact.first_name}}, your refund is on its way. {{agent.name}}");

  await row.locator(tid("saved-reply-edit")).click();
  await page.fill(tid("saved-reply-body-input"), "Hello {{contact.name}}, the refund is done.");
  await page.click(tid("saved-reply-save"));
  await page
    .locator(`${tid("saved-reply-row")}[data-id="${reply.id}"] ${tid("saved-reply-body")}`, {
      hasText: "the refund is done",
    })
    .waitFor();
  reply = (await admin.ok("GET", "/api/saved-replies")).items.find((r) => r.id === reply.id);
  assert.equal(reply.body, "Hello {{contact.name}}, the refund is done.");

  await page.locator(`${tid("saved-reply-row")}[data-id="${reply.id}"] ${tid("saved-reply-delete")}`).click();
  await page.click(`${tid("confirm-dialog")} ${tid("confirm")}`);
  await page.locator(`${tid("saved-reply-row")}[data-id="${reply.id}"]`).waitFor({ state: "detached" });
  assert.ok(!(await admin.ok("GET", "/api/saved-replies")).items.some((r) => r.id === reply.id));
  page.assertNoErrors();
});

test("inbox access: the table shows each agent's level and changes it in place", async () => {
  const other = await createInbox(admin);
  const dana = await createAgent(admin, "Dana Access", { [inbox.id]: "view" });
  const page = await pageAs(browser, ADMIN);
  await openTab(page, "team");
  const cell = (inboxId) =>
    page.locator(`${tid("access-cell")}[data-user-id="${dana.id}"][data-inbox-id="${inboxId}"]`);
  await cell(inbox.id).waitFor();
  assert.equal(await cell(inbox.id).inputValue(), "view", "the current level is shown");
  assert.equal(await cell(other.id).inputValue(), "none");

  await cell(inbox.id).selectOption("reply");
  await cell(other.id).selectOption("note");
  await page.waitForFunction(
    ({ a, b }) =>
      document.querySelector(a)?.value === "reply" &&
      document.querySelector(b)?.value === "note" &&
      !document.querySelector(`${a}:disabled, ${b}:disabled`),
    {
      a: `[data-testid="access-cell"][data-user-id="${dana.id}"][data-inbox-id="${inbox.id}"]`,
      b: `[data-testid="access-cell"][data-user-id="${dana.id}"][data-inbox-id="${other.id}"]`,
    },
  );
  const levels = async (inboxId) =>
    (await admin.ok("GET", `/api/inboxes/${inboxId}/access`)).items.find((a) => a.userId === dana.id)?.access;
  assert.equal(await levels(inbox.id), "reply");
  assert.equal(await levels(other.id), "note");

  await cell(inbox.id).selectOption("none");
  await page.waitForFunction(
    (sel) => !document.querySelector(sel)?.disabled,
    `[data-testid="access-cell"][data-user-id="${dana.id}"][data-inbox-id="${inbox.id}"]`,
  );
  assert.equal(await levels(inbox.id), undefined, "no access: the grant is removed");

  // After a reload the table reads the same levels back.
  await page.reload();
  await cell(other.id).waitFor();
  assert.equal(await cell(other.id).inputValue(), "note");
  assert.equal(await cell(inbox.id).inputValue(), "none");
  page.assertNoErrors();
});

test("an agent edits their profile: name, time zone, notifications per kind and channel", async () => {
  const eli = await createAgent(admin, "Eli Profile", { [inbox.id]: "reply" });
  const page = await pageAs(browser, eli);
  await page.click(tid("current-user"));
  await page.waitForSelector(tid("profile-page"));
  assert.equal(new URL(page.url()).pathname, "/profile");
  assert.equal(await page.inputValue(tid("profile-name")), "Eli Profile");

  await page.fill(tid("profile-name"), "Eli Okonkwo");
  await page.selectOption(tid("profile-timezone"), "Europe/Berlin");
  await page.click(tid("profile-save"));
  await page.waitForSelector(tid("profile-saved"));
  assert.match(await page.textContent(tid("current-user")), /Eli Okonkwo/, "the top bar shows the new name");

  const me = await (await Api.signedIn(eli)).ok("GET", "/api/me");
  assert.equal(me.user.name, "Eli Okonkwo");
  assert.equal(me.preferences.timeZone, "Europe/Berlin");

  await page.reload();
  await page.waitForSelector(tid("profile-page"));
  assert.equal(await page.inputValue(tid("profile-timezone")), "Europe/Berlin");
  // Email for mentions, saved as it is ticked; push for followed updates off by default.
  assert.equal(await page.isChecked(tid("notify-mention-email")), false);
  assert.equal(await page.isChecked(tid("notify-update-push")), false);
  await page.check(tid("notify-mention-email"));
  await page.waitForFunction(() =>
    document.querySelector('[data-testid="notify-saved"]')?.textContent?.includes("Mentions on"),
  );
  const after = await (await Api.signedIn(eli)).ok("GET", "/api/me");
  assert.deepEqual(after.preferences.notifications.mention, { inApp: true, email: true, push: true });
  assert.equal(after.preferences.notifications.assigned.email, false, "ticking one kind leaves the others off");
  page.assertNoErrors();
});

test("agents cannot open the admin settings but can reach their profile from there", async () => {
  const fay = await createAgent(admin, "Fay Agent");
  const page = await pageAs(browser, fay);
  assert.equal(await page.locator(tid("nav-settings")).count(), 0);
  await page.goto("/settings?tab=tags");
  await page.waitForSelector(tid("settings-forbidden"));
  await page.click(`${tid("settings-forbidden")} a[href="/profile"]`);
  await page.waitForSelector(tid("profile-page"));
  page.assertNoErrors();
});
