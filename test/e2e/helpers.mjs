// Shared helpers for the browser tests: the server under test, a headless
// Chromium, an API client (for arranging data quickly) and the widget's side.
//
// The tests run against BASE_URL (set by test/e2e/run.mjs, which starts one
// fresh server for the whole run). Files run one at a time, in name order.
//
// They must hold on a busy two-core machine: wait for a condition (a selector,
// waitForFunction, `until` polling the API), never for a fixed time. A wait
// returns as soon as its condition holds, so its timeout can be generous.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";

export const BASE_URL = (process.env.BASE_URL ?? "").replace(/\/$/, "");
if (!BASE_URL) throw new Error("BASE_URL is not set: run the browser tests with `node test/e2e/run.mjs`");

/** The first admin, created by the setup page in acceptance.test.mjs (or by ensureWorkspace()). */
export const ADMIN = {
  workspace: "Acme Support",
  name: "Ada Lovelace",
  email: "ada@acme.test",
  password: "correct horse battery",
};

/** How long a condition may take to hold on a loaded machine (ms). Playwright's own waits default to 30 s. */
export const WAIT = 20_000;

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Headless Chromium from the system (never a downloaded one). */
export function launchBrowser() {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

/** A fresh browser context (own cookies) and page, with page errors turned into test failures. */
export async function newPage(browser, { width = 1280, height = 800 } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, baseURL: BASE_URL });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));
  page.assertNoErrors = () => assert.deepEqual(errors.map(String), [], "the page threw");
  return page;
}

/** `[data-testid="…"]` */
export const tid = (id) => `[data-testid="${id}"]`;

/** Sign in through the login page and wait for the list. */
export async function signIn(page, { email, password }) {
  await page.goto("/login");
  await page.fill(tid("login-email"), email);
  await page.fill(tid("login-password"), password);
  await page.click(tid("login-submit"));
  await page.waitForSelector(tid("inbox-page"));
}

/** A tiny API client with a cookie jar, for arranging data without clicking. */
export class Api {
  cookie = "";

  async call(method, path, body, headers = {}) {
    const res = await fetch(`${BASE_URL}${path}`, {
      method,
      headers: {
        ...(body !== undefined && { "Content-Type": "application/json" }),
        ...(this.cookie && { Cookie: this.cookie }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const setCookie = res.headers.get("set-cookie");
    if (setCookie) this.cookie = setCookie.split(";")[0];
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  /** Like call(), but fails the test unless the status is the expected one; returns the body. */
  async ok(method, path, body, expected = [200, 201, 204], headers) {
    const res = await this.call(method, path, body, headers);
    const want = Array.isArray(expected) ? expected : [expected];
    assert.ok(want.includes(res.status), `${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  static async signedIn({ email, password }) {
    const api = new Api();
    await api.ok("POST", "/api/auth/login", { email, password }, 200);
    return api;
  }
}

/** Makes sure a workspace exists (set up via the API when a file runs on its own) and returns an admin client. */
export async function ensureWorkspace() {
  const api = new Api();
  const { body } = await api.call("GET", "/api/setup");
  if (!body.setUp) {
    await api.ok(
      "POST",
      "/api/setup",
      { workspace: ADMIN.workspace, name: ADMIN.name, email: ADMIN.email, password: ADMIN.password },
      201,
    );
    return api;
  }
  return Api.signedIn(ADMIN);
}

let inboxCounter = 0;

/** A new chat inbox, created through the API by an admin. */
export async function createInbox(admin, name = `Chat ${++inboxCounter} ${Date.now().toString(36)}`) {
  return admin.ok("POST", "/api/inboxes", { name, channel: "chat" }, 201);
}

/** A new agent with a password, optionally given access to inboxes: `{ [inboxId]: "view"|"note"|"reply" }`. */
export async function createAgent(admin, name, access = {}) {
  const slug = `${name.toLowerCase().replace(/\W+/g, ".")}.${Date.now().toString(36)}`;
  const credentials = { name, email: `${slug}@acme.test`, password: "agent password 1" };
  const user = await admin.ok("POST", "/api/users", { ...credentials, role: "agent" }, 201);
  for (const [inboxId, level] of Object.entries(access)) {
    await admin.ok("PUT", `/api/inboxes/${inboxId}/access/${user.id}`, { access: level }, [200, 201, 204]);
  }
  return { ...user, ...credentials };
}

/** The customer's side: the public widget API. */
export const customer = {
  async start(widgetKey, { name, email, body }) {
    const res = await fetch(`${BASE_URL}/api/widget/${widgetKey}/conversations`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name, email, body }),
    });
    const json = await res.json();
    assert.equal(res.status, 201, `widget start → ${res.status} ${JSON.stringify(json)}`);
    return json; // { conversationId, contactToken }
  },
  async say(conversationId, contactToken, body) {
    const res = await fetch(`${BASE_URL}/api/widget/conversations/${conversationId}/messages`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${contactToken}` },
      body: JSON.stringify({ body }),
    });
    assert.equal(res.status, 201, `widget message → ${res.status} ${await res.text()}`);
  },
  async messages(conversationId, contactToken) {
    const res = await fetch(`${BASE_URL}/api/widget/conversations/${conversationId}/messages`, {
      headers: { Authorization: `Bearer ${contactToken}` },
    });
    const json = await res.json();
    assert.equal(res.status, 200, `widget messages → ${res.status} ${JSON.stringify(json)}`);
    return json.items;
  },
};

/** Timeline items of a kind on the open conversation page, as their texts. */
export async function timelineTexts(page, kind) {
  return page.locator(`${tid("timeline-item")}[data-kind="${kind}"]`).allInnerTexts();
}

/** Wait until a timeline item of `kind` containing `text` is shown. */
export async function waitForItem(page, kind, text) {
  await page
    .locator(`${tid("timeline")} ${tid("timeline-item")}[data-kind="${kind}"]`, { hasText: text })
    .first()
    .waitFor();
}

/**
 * Poll `check` (sync or async, in this process: typically an API read) until it
 * returns something truthy, and return that; fails with `what` after `timeout`
 * (a text, or a function that says more at the time of failure).
 */
export async function until(check, what, { timeout = WAIT, every = 100 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline)
      assert.fail(`Timed out after ${timeout} ms waiting for ${typeof what === "function" ? what() : what}`);
    await new Promise((resolve) => setTimeout(resolve, every));
  }
}

/** Wait until the composer is empty again: the page has its answer to a send (an item can arrive live before it). */
export async function waitForComposerCleared(page) {
  await eventually(page, (sel) => document.querySelector(sel)?.value === "", tid("composer-input"), {
    what: "the composer to clear after the send",
  });
}

// ——— Realtime (two agents, live sockets) ———————————————————————————————

/** Open a conversation page and wait until its room has welcomed the page (the thread is live). */
export async function openConversation(page, conversationId) {
  await page.goto(`/conversations/${conversationId}`);
  await page.waitForSelector(`${tid("conversation-page")}[data-id="${conversationId}"][data-live="open"]`);
}

/** The list row of a conversation on the open list page. */
export function listRow(page, conversationId) {
  return page.locator(`${tid("conversation-row")}[data-id="${conversationId}"]`);
}

/** Wait until `fn` (evaluated in the page with `arg`) is truthy; a readable failure otherwise. */
export async function eventually(page, fn, arg, { timeout = WAIT, what = "the condition" } = {}) {
  try {
    await page.waitForFunction(fn, arg, { timeout });
  } catch (error) {
    throw new Error(`Timed out after ${timeout} ms waiting for ${what}: ${error.message.split("\n")[0]}`);
  }
}

// ——— Team workflow (settings, notifications, details panel) ————————————————

/** A new browser page signed in as `user` (anyone with email and password), on the list. */
export async function pageAs(browser, user, size) {
  const page = await newPage(browser, size);
  await signIn(page, user);
  return page;
}

/** A conversation an agent (`api`, e.g. the admin) starts with a contact in `inbox`; returns its id. (The widget is rate limited.) */
export async function startConversation(
  api,
  inbox,
  { name = "Grace Hopper", email, body = "Hello, I need a hand with my invoice." } = {},
) {
  const conversation = await api.ok(
    "POST",
    "/api/conversations",
    { inboxId: inbox.id, contact: { name, ...(email && { email }) }, body },
    201,
  );
  return conversation.id;
}

/**
 * Wait for a toast pushed live and note how long it took (the product aims at
 * under a second; a busy test machine may take longer, so the time is reported,
 * not asserted). Start waiting right after the action that causes it.
 */
export async function waitForToast(t, toast) {
  const started = Date.now();
  await toast.waitFor({ timeout: WAIT });
  t.diagnostic(`toast shown ${Date.now() - started} ms after waiting began`);
}

/** Wait until the page's list stream is connected (the bell says so), so live pushes reach it. */
export async function waitForListStream(page) {
  await page.waitForSelector(`${tid("notification-bell")}[data-live="open"]`);
}

/** Saves a full-page screenshot as `name`.png in the folder `$envVar` names, once animations settle; nothing without it. */
export async function shotTo(envVar, page, name) {
  const dir = process.env[envVar];
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== "running"));
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}
