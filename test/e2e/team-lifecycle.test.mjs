// People join and leave (SPEC §6.1): an invitation link becomes a teammate who signs in;
// deactivating someone signs their open page out.
//
// TEAM_SHOTS=/some/dir saves screenshots of the team tab, the invite and reset pages and the profile.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  ADMIN,
  Api,
  createAgent,
  createInbox,
  ensureWorkspace,
  launchBrowser,
  newPage,
  signIn,
  tid,
  until,
  WAIT,
} from "./helpers.mjs";

let browser;
let admin;
let inbox;
before(async () => {
  admin = await ensureWorkspace();
  inbox = await createInbox(admin, `Returns ${Date.now().toString(36)}`);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const shot = async (page, name) => {
  if (process.env.TEAM_SHOTS) await page.screenshot({ path: `${process.env.TEAM_SHOTS}/${name}.png`, fullPage: true });
};

test("invite → accept → sign in: the invitee chooses their name and password and gets the inbox the admin chose", async () => {
  const email = `ivy.${Date.now().toString(36)}@acme.test`;
  const page = await newPage(browser);
  await signIn(page, ADMIN);
  await page.click(tid("nav-settings"));
  await page.fill(tid("invite-email"), email);
  await page.selectOption(`${tid("invite-access-cell")}[data-inbox-id="${inbox.id}"]`, "reply");
  await page.click(tid("invite-submit"));
  const link = await page.locator(tid("invite-link")).inputValue();
  assert.match(link, /\/invite\//);
  await page.locator(`${tid("invitation-row")}[data-email="${email}"]`).waitFor();
  await shot(page, "team-tab");

  const invitee = await newPage(browser);
  await invitee.goto(link);
  await invitee.waitForSelector(tid("invite-page"));
  await shot(invitee, "invite-page");
  await invitee.fill(tid("invite-name"), "Ivy Invitee");
  await invitee.fill(tid("invite-password"), "ivy's own password");
  await invitee.click(tid("invite-accept"));
  await invitee.waitForSelector(tid("inbox-page"));
  const me = await invitee.evaluate(() => fetch("/api/me").then((r) => r.json()));
  assert.equal(me.user.name, "Ivy Invitee");
  assert.deepEqual(
    me.inboxes.map((i) => [i.id, i.access]),
    [[inbox.id, "reply"]],
  );

  // The link was used: it opens nothing now, and the admin's pending list no longer shows it.
  const again = await newPage(browser);
  await again.goto(link);
  await again.fill(tid("invite-name"), "Mallory");
  await again.fill(tid("invite-password"), "not my invitation");
  await again.click(tid("invite-accept"));
  await again.waitForSelector(tid("invite-sign-in"));
  await page.reload();
  await page.waitForSelector(tid("settings-invite"));
  await page.locator(`${tid("user-row")}[data-user-id="${me.user.id}"]`).waitFor();
  assert.equal(await page.locator(`${tid("invitation-row")}[data-email="${email}"]`).count(), 0);

  // And the password they chose signs them in from a fresh browser.
  const later = await newPage(browser);
  await signIn(later, { email, password: "ivy's own password" });
  for (const p of [page, invitee, again, later]) p.assertNoErrors();
});

test("deactivating an agent signs out their open page, and they cannot sign in until reactivated", async () => {
  const agent = await createAgent(admin, "Dee Departing", { [inbox.id]: "reply" });
  const theirs = await newPage(browser);
  await signIn(theirs, agent);

  const page = await newPage(browser);
  await signIn(page, ADMIN);
  await page.click(tid("nav-settings"));
  const row = page.locator(`${tid("user-row")}[data-user-id="${agent.id}"]`);
  await row.locator(tid("user-deactivate")).click();
  await page.click(tid("confirm"));
  await page.locator(`${tid("user-row")}[data-user-id="${agent.id}"][data-active="false"]`).waitFor();
  await shot(page, "team-tab-deactivated");

  // Their page, left open, is signed out without them doing anything.
  await theirs.waitForSelector(tid("login-page"), { timeout: WAIT });
  await until(
    async () =>
      (await new Api().call("POST", "/api/auth/login", { email: agent.email, password: agent.password })).status ===
      401,
    "the deactivated agent's sign-in to be refused",
  );

  await row.locator(tid("user-reactivate")).click();
  await page.locator(`${tid("user-row")}[data-user-id="${agent.id}"][data-active="true"]`).waitFor();
  await signIn(theirs, agent);
  page.assertNoErrors();
  theirs.assertNoErrors();
});

test("an admin's reset link lets a teammate choose a new password, once", async () => {
  const agent = await createAgent(admin, "Rory Reset", { [inbox.id]: "view" });
  const page = await newPage(browser);
  await signIn(page, ADMIN);
  await page.click(tid("nav-settings"));
  await page.locator(`${tid("user-row")}[data-user-id="${agent.id}"] ${tid("user-reset-link")}`).click();
  const link = await page.locator(tid("reset-link")).inputValue();
  assert.match(link, /\/reset\//);

  const theirs = await newPage(browser);
  await theirs.goto(link);
  await theirs.waitForSelector(tid("reset-page"));
  await shot(theirs, "reset-page");
  await theirs.fill(tid("reset-password"), "a password I chose");
  await theirs.click(tid("reset-submit"));
  await theirs.waitForSelector(tid("login-notice"));
  await signIn(theirs, { email: agent.email, password: "a password I chose" });

  // Used once: opening it again leads back to sign in.
  const again = await newPage(browser);
  await again.goto(link);
  await again.fill(tid("reset-password"), "someone else's try");
  await again.click(tid("reset-submit"));
  await again.waitForSelector(tid("reset-sign-in"));
  for (const p of [page, theirs, again]) p.assertNoErrors();
});

test("profile: change the password, create a token (shown once) and revoke it", async () => {
  const agent = await createAgent(admin, "Pat Profile", { [inbox.id]: "view" });
  const page = await newPage(browser);
  await signIn(page, agent);
  await page.goto("/profile");
  await page.fill(tid("token-name"), "Zapier");
  await page.click(tid("token-create"));
  const secret = await page.locator(tid("token-secret")).inputValue();
  assert.match(secret, /^sbt_/);
  const bearer = { Authorization: `Bearer ${secret}` };
  assert.equal((await new Api().call("GET", "/api/me", undefined, bearer)).status, 200);
  await page.locator(tid("token-row")).waitFor();

  await page.fill(tid("password-current"), agent.password);
  await page.fill(tid("password-new"), "a brand new password");
  await page.click(tid("password-submit"));
  await page.waitForSelector(tid("password-changed"));
  await shot(page, "profile");

  await page.click(tid("token-revoke"));
  await until(async () => (await page.locator(tid("token-row")).count()) === 0, "the token to leave the list");
  assert.equal((await new Api().call("GET", "/api/me", undefined, bearer)).status, 401);
  await Api.signedIn({ email: agent.email, password: "a brand new password" });
  page.assertNoErrors();
});
