// The conversation's details panel (assignee, team, priority, tags, followers),
// driven in the browser and checked against the API.
//
// The panel is a standalone component (web/app/features/conversation/details-panel.tsx)
// that the conversation page renders.
// WORKFLOW_PANEL_URL="/some/path/:id" points them at another page that renders it.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  createAgent,
  createInbox,
  ensureWorkspace,
  launchBrowser,
  pageAs,
  startConversation,
  tid,
  until,
} from "./helpers.mjs";

let browser;
let admin;
let inbox;
const run = Date.now().toString(36);
const panelUrl = (id) =>
  (process.env.WORKFLOW_PANEL_URL ?? "/conversations/:id").replace(":id", encodeURIComponent(id));

before(async () => {
  admin = await ensureWorkspace();
  inbox = await createInbox(admin);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** Opens the panel for a conversation (the page renders it once the conversation has loaded). */
async function openPanel(page, conversationId) {
  await page.goto(panelUrl(conversationId));
  const panel = page.locator(tid("details-panel"));
  await panel.waitFor();
  return panel;
}

const conversation = (id) => admin.ok("GET", `/api/conversations/${id}`);

/** Waits until the API shows `check(conversation)` true (changes go through the conversation's room); returns it. */
const shows = (id, check, what) =>
  until(async () => {
    const c = await conversation(id);
    return check(c) && c;
  }, `the conversation to show ${what}`);

test("with reply access: assign, team, priority, tags and followers, each saved", async () => {
  const rae = await createAgent(admin, "Rae Reply", { [inbox.id]: "reply" });
  const sol = await createAgent(admin, "Sol Teammate", { [inbox.id]: "reply" });
  const vic = await createAgent(admin, "Vic Viewer", { [inbox.id]: "view" });
  const team = await admin.ok("POST", "/api/teams", { name: `Escalations ${run}`, memberIds: [rae.id] }, 201);
  const existing = `vip-${run}`;
  const seed = await startConversation(admin, inbox, { name: "Seeder", body: "seed a tag" });
  await admin.ok("PUT", `/api/conversations/${seed}/tags`, { tags: [existing] });
  const id = await startConversation(admin, inbox, { name: "Nora", body: "The export button does nothing." });

  const page = await pageAs(browser, rae);
  const panel = await openPanel(page, id);
  assert.equal(await panel.getAttribute("data-access"), "reply");

  // Assignee: only people who can reply are offered.
  const assignee = panel.locator(tid("dp-assignee-select"));
  await assignee.selectOption(sol.id);
  await shows(id, (c) => c.assignee?.id === sol.id, "Sol as assignee");
  assert.ok(!(await assignee.locator(`option[value="${vic.id}"]`).count()), "a view-only agent cannot be picked");
  await panel.locator(tid("assign-to-me")).click();
  await shows(id, (c) => c.assignee?.id === rae.id, "Rae as assignee");

  await panel.locator(tid("dp-team-select")).selectOption(team.id);
  await shows(id, (c) => c.teamId === team.id, "the team");

  await panel.locator(tid("dp-priority-select")).selectOption("urgent");
  await shows(id, (c) => c.priority === "urgent", "urgent priority");

  // Tags: pick an existing one from the list, create a new one, remove one.
  await panel.locator(tid("tag-add")).click();
  await page.fill(tid("tag-picker-input"), existing.slice(0, 5));
  await page.click(`${tid("tag-picker")} ${tid("picker-option")}:has-text("${existing}")`);
  await panel.locator(`${tid("tag-chip")}[data-tag="${existing}"]`).waitFor();
  await panel.locator(tid("tag-add")).click();
  await page.fill(tid("tag-picker-input"), `export-bug-${run}`);
  await page.press(tid("tag-picker-input"), "Enter");
  await panel.locator(`${tid("tag-chip")}[data-tag="export-bug-${run}"]`).waitFor();
  let c = await shows(id, (c) => c.tags.length === 2, "two tags");
  assert.deepEqual([...c.tags].sort(), [`export-bug-${run}`, existing].sort());
  // A tag gets its colour from the workspace's tag list.
  assert.match(
    await panel.locator(`${tid("tag-chip")}[data-tag="${existing}"]`).getAttribute("style"),
    /--tag:\s*#[0-9a-f]{6}/i,
  );
  await panel.locator(`${tid("tag-chip")}[data-tag="${existing}"] ${tid("tag-remove")}`).click();
  await panel.locator(`${tid("tag-chip")}[data-tag="${existing}"]`).waitFor({ state: "detached" });
  c = await shows(id, (c) => c.tags.length === 1, "one tag left");
  assert.deepEqual(c.tags, [`export-bug-${run}`]);

  // Followers: follow yourself, add a teammate (even a view-only one), remove them.
  const follow = panel.locator(tid("follow-toggle"));
  // Taking the conversation may have made Rae a follower: start once the panel agrees with the server.
  const following = (await conversation(id)).followers.some((f) => f.id === rae.id);
  await panel.locator(`${tid("follow-toggle")}[data-following="${following}"]`).waitFor();
  if (following) {
    await follow.click();
    await panel.locator(`${tid("follow-toggle")}[data-following="false"]`).waitFor();
  }
  await follow.click();
  await panel.locator(`${tid("follow-toggle")}[data-following="true"]`).waitFor();
  await shows(id, (c) => c.followers.some((f) => f.id === rae.id), "Rae following");
  await panel.locator(tid("follower-add")).click();
  await page.fill(tid("follower-picker-input"), "vic");
  await page.press(tid("follower-picker-input"), "Enter");
  await panel.locator(`${tid("follower")}[data-user-id="${vic.id}"]`).waitFor();
  await shows(id, (c) => c.followers.some((f) => f.id === vic.id), "Vic following");
  await panel.locator(`${tid("follower")}[data-user-id="${vic.id}"]`).hover();
  await panel.locator(`${tid("follower")}[data-user-id="${vic.id}"] ${tid("follower-remove")}`).click();
  await panel.locator(`${tid("follower")}[data-user-id="${vic.id}"]`).waitFor({ state: "detached" });
  await shows(id, (c) => !c.followers.some((f) => f.id === vic.id), "Vic no longer following");
  page.assertNoErrors();
});

test("with view access the panel reads only, but following yourself still works", async () => {
  const wes = await createAgent(admin, "Wes Watcher", { [inbox.id]: "view" });
  const id = await startConversation(admin, inbox, { name: "Olga", body: "Can I change my plan?" });
  await admin.ok("PUT", `/api/conversations/${id}/tags`, { tags: [`plans-${run}`] });
  await admin.ok("PATCH", `/api/conversations/${id}`, { priority: "high" });

  const page = await pageAs(browser, wes);
  const panel = await openPanel(page, id);
  assert.equal(await panel.getAttribute("data-access"), "view");
  for (const control of [
    "dp-assignee-select",
    "dp-team-select",
    "dp-priority-select",
    "tag-add",
    "tag-remove",
    "follower-add",
    "assign-to-me",
  ]) {
    assert.equal(await panel.locator(tid(control)).count(), 0, `no ${control} for a view-only agent`);
  }
  assert.match(await panel.locator(tid("dp-assignee-value")).innerText(), /Unassigned/);
  assert.equal(await panel.locator(`${tid("priority-badge")}[data-priority="high"]`).count(), 1);
  await panel.locator(`${tid("tag-chip")}[data-tag="plans-${run}"]`).waitFor();

  await panel.locator(tid("follow-toggle")).click();
  await panel.locator(`${tid("follow-toggle")}[data-following="true"]`).waitFor();
  await shows(id, (c) => c.followers.some((f) => f.id === wes.id), "Wes following");
  await panel.locator(tid("follow-toggle")).click();
  await panel.locator(`${tid("follow-toggle")}[data-following="false"]`).waitFor();
  await shows(id, (c) => !c.followers.some((f) => f.id === wes.id), "Wes not following");
  page.assertNoErrors();
});
