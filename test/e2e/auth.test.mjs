// Signing in and out, and what the app does without a session.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ADMIN, createInbox, customer, ensureWorkspace, launchBrowser, newPage, signIn, tid } from "./helpers.mjs";

let browser;
let admin;
before(async () => {
  admin = await ensureWorkspace();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test("without a session every page leads to the login page", async () => {
  const page = await newPage(browser);
  await page.goto("/");
  await page.waitForSelector(tid("login-page"));
  assert.equal(new URL(page.url()).pathname, "/login");
  page.assertNoErrors();
});

test("a wrong password is refused with the API's message next to the form", async () => {
  const page = await newPage(browser);
  await page.goto("/login");
  await page.fill(tid("login-email"), ADMIN.email);
  await page.fill(tid("login-password"), "not the password");
  await page.click(tid("login-submit"));
  const error = page.locator(`${tid("login-page")} ${tid("error")}`);
  await error.waitFor();
  assert.ok((await error.innerText()).trim().length > 0, "an error message is shown");
  assert.equal(new URL(page.url()).pathname, "/login");
  page.assertNoErrors();
});

test("login, then logout ends the session", async () => {
  const page = await newPage(browser);
  await signIn(page, ADMIN);
  assert.equal(new URL(page.url()).pathname, "/");
  assert.match(await page.textContent(tid("current-user")), /Ada Lovelace/);

  // A reload keeps the session (cookie).
  await page.reload();
  await page.waitForSelector(tid("inbox-page"));

  await page.click(tid("logout"));
  await page.waitForSelector(tid("login-page"));
  assert.equal(new URL(page.url()).pathname, "/login");

  // The session is gone on the server too, not just in the page.
  await page.goto("/");
  await page.waitForSelector(tid("login-page"));
  const me = await page.evaluate(async () => (await fetch("/api/me")).status);
  assert.equal(me, 401);
  page.assertNoErrors();
});

test("a deep link survives signing in", async () => {
  const inbox = await createInbox(admin);
  const { conversationId } = await customer.start(inbox.widgetKey, { name: "Linus", body: "Is there a dark mode?" });
  const page = await newPage(browser);
  await page.goto(`/conversations/${conversationId}`);
  await page.waitForSelector(tid("login-page"));
  assert.equal(new URL(page.url()).searchParams.get("next"), `/conversations/${conversationId}`);
  await page.fill(tid("login-email"), ADMIN.email);
  await page.fill(tid("login-password"), ADMIN.password);
  await page.click(tid("login-submit"));
  await page.waitForSelector(`${tid("conversation-page")}[data-id="${conversationId}"]`);
  assert.equal(new URL(page.url()).pathname, `/conversations/${conversationId}`);
  page.assertNoErrors();
});

test("once set up, the setup page sends people to sign in", async () => {
  const page = await newPage(browser);
  await page.goto("/setup");
  await page.waitForSelector(tid("login-page"));
  assert.equal(new URL(page.url()).pathname, "/login");
  page.assertNoErrors();
});
