// Helpers for the chat widget's browser tests: the customer on the demo shop
// (its own origin, scripts/lib/demo.mjs), the launcher in the shop's page, and
// the panel in its iframe on Switchboard's origin.

import fs from "node:fs";
import path from "node:path";
import { startDemo } from "../../scripts/lib/demo.mjs";
import { BASE_URL, tid } from "./helpers.mjs";

/** Where the tests leave a screenshot of each state of the widget (look at them). */
export const SHOTS = process.env.WIDGET_SHOTS || "/tmp/widget-shots";

export const LAUNCHER = "#switchboard-widget [data-sb-launcher]";
export const BADGE = "#switchboard-widget [data-sb-unread]";
export const FRAME = "#switchboard-widget iframe[data-sb-frame]";
export const COMPOSER = `textarea${tid("widget-composer")}`;

/** The demo shop, embedding the widget of `widgetKey`, on a free port. */
export function startShop(widgetKey) {
  return startDemo({ appUrl: BASE_URL, widgetKey });
}

/**
 * A new visitor (own storage) on the shop, with the launcher shown.
 * `query`: e.g. `?userId=…&hash=…` (an identify queued before the loader).
 * The page collects its console errors in `page.consoleErrors`.
 */
export async function visitShop(
  browser,
  shop,
  { query = "", viewport = { width: 1280, height: 800 }, colorScheme = "light", context } = {},
) {
  const ctx = context ?? (await browser.newContext({ viewport, colorScheme }));
  const page = await ctx.newPage();
  page.consoleErrors = [];
  page.on("console", (m) => m.type() === "error" && page.consoleErrors.push(m.text()));
  page.on("pageerror", (e) => page.consoleErrors.push(String(e)));
  await page.goto(`${shop.url}/${query}`);
  await page.waitForSelector(LAUNCHER);
  return page;
}

/** The panel's frame (present once the widget was opened, or at load for a visitor with a conversation). */
export async function widgetFrame(page) {
  const handle = await page.waitForSelector(FRAME, { state: "attached" });
  return handle.contentFrame();
}

/** Wait until the panel's composer is usable (`html[data-ready=1]`). */
export async function waitUsable(frame) {
  await frame.waitForSelector(`html[data-ready="1"] ${COMPOSER}:not([disabled])`);
}

/** Click the launcher and wait for a usable panel; returns its frame. */
export async function openWidget(page) {
  await page.click(LAUNCHER);
  const frame = await widgetFrame(page);
  await waitUsable(frame);
  await page.waitForSelector(`${FRAME}.open`);
  return frame;
}

/** Type a message in the widget and send it with Enter. */
export async function sendFromWidget(frame, text) {
  await frame.fill(COMPOSER, text);
  await frame.press(COMPOSER, "Enter");
}

/** The widget's messages of `kind` ("customer" | "reply"), delivered (not pending), as texts. */
export function widgetTexts(frame, kind) {
  return frame.locator(`${tid("widget-message")}[data-kind="${kind}"]:not([data-pending]) .sb-bubble`).allInnerTexts();
}

/** Wait until a delivered widget message of `kind` containing `text` is shown (`timeout` for a throttled upload). */
export async function waitForWidgetMessage(frame, kind, text, timeout = undefined) {
  await frame
    .locator(`${tid("widget-message")}[data-kind="${kind}"]:not([data-pending])`, { hasText: text })
    .first()
    .waitFor({ timeout });
}

/** The id of the conversation the widget is showing, once it has one. */
export async function widgetConversation(frame) {
  const panel = await frame.waitForSelector(`${tid("widget-panel")}[data-conversation]`);
  return panel.getAttribute("data-conversation");
}

/**
 * One of the widget's stored values (`sb:KEY…`), parsed: from the frame's own
 * localStorage, or from the host page's where the browser blocks the frame's
 * (third-party) storage and the loader keeps it instead.
 */
export async function widgetStored(page, frame, name) {
  const own = await frame.evaluate((n) => {
    try {
      return { text: localStorage.getItem(n) };
    } catch {
      return null;
    }
  }, name);
  const text = own ? own.text : await page.evaluate((n) => localStorage.getItem(n), name);
  return JSON.parse(text ?? "null");
}

/** The launcher's badge text ("" while hidden). */
export function badgeText(page) {
  return page.evaluate((sel) => {
    const el = document.querySelector("#switchboard-widget")?.shadowRoot?.querySelector(sel.split(" ").pop());
    return el && !el.hidden ? el.textContent : "";
  }, BADGE);
}

/** Save a screenshot of `page` as SHOTS/`name`.png. */
export async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

/** Whether the server already serves the widget's public config (the settings work has landed). */
export async function hasWidgetConfig(widgetKey) {
  const res = await fetch(`${BASE_URL}/api/widget/${widgetKey}/config`);
  await res.body?.cancel();
  return res.status !== 404;
}
