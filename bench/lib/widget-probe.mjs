// The chat widget as a visitor meets it, measured in headless Chromium on the
// demo customer site (scripts/lib/demo.mjs): what it downloads before its
// composer can be typed in, how long the panel takes to open, and what the
// loader adds to the host page's JS heap.
//
// The DOM hooks it relies on (issue 10's widget): the loader's host element
// `#switchboard-widget` with the launcher `button[data-sb-launcher]` in its
// shadow root, and the panel's `textarea[data-testid=widget-composer]`, usable
// once enabled.

import { chromium } from "playwright-core";

const LAUNCHER = "#switchboard-widget button[data-sb-launcher]";
const COMPOSER = "textarea[data-testid=widget-composer]";
const WAIT_MS = 30_000;
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--no-first-run",
];

/**
 * Runs in every frame before its scripts: shadow roots open (so the launcher can
 * be found and clicked even if the loader closes its root), the launcher click's
 * time in the host page, and the moment the panel's composer is first enabled.
 * Times are epoch ms (timeOrigin + now), comparable across frames.
 */
function instrument({ launcher, composer }) {
  const now = () => performance.timeOrigin + performance.now();
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    return attach.call(this, { ...init, mode: "open" });
  };
  addEventListener(
    "click",
    (e) => {
      if (e.composedPath().some((el) => el instanceof Element && el.matches(launcher.split(" ").pop())))
        window.__sbClickAt ??= now();
    },
    true,
  );
  const check = () => {
    const box = document.querySelector(composer);
    if (box && !box.disabled && !window.__sbComposerAt) window.__sbComposerAt = now();
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
}

export function launch({ isolateSites = true } = {}) {
  // One renderer for the page and its cross-site frame when told, so that one CDP
  // session sees the panel's requests too (Chromium puts it in a process of its own).
  const extra = isolateSites
    ? []
    : ["--disable-site-isolation-trials", "--disable-features=IsolateOrigins,site-per-process"];
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: [...CHROMIUM_ARGS, ...extra],
  });
}

async function newPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(instrument, { launcher: LAUNCHER, composer: COMPOSER });
  return { context, page: await context.newPage() };
}

/** Open the panel from the launcher; resolves with the panel's frame once its composer is usable. */
async function openPanel(page, appUrl) {
  try {
    await page.locator(LAUNCHER).click({ timeout: WAIT_MS });
  } catch (e) {
    throw new Error(`no launcher (${LAUNCHER}) on the demo page: ${e.message.split("\n")[0]}`);
  }
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    for (const frame of page.frames()) {
      if (!frame.url().startsWith(`${appUrl}/widget/`)) continue;
      const ready = await frame.evaluate(() => window.__sbComposerAt ?? null).catch(() => null);
      if (ready) return { frame, readyAt: ready };
    }
    if (Date.now() > deadline)
      throw new Error(`the panel's composer (${COMPOSER}) was not enabled within ${WAIT_MS / 1000} s of the click`);
    await page.waitForTimeout(10);
  }
}

/** Launcher click to usable composer, in ms, once in a fresh context (cold cache, no stored chat). */
export async function timeToComposer(browser, demoUrl, appUrl) {
  const { context, page } = await newPage(browser);
  try {
    await page.goto(demoUrl, { waitUntil: "load" });
    const { readyAt } = await openPanel(page, appUrl);
    const clickAt = await page.evaluate(() => window.__sbClickAt);
    return readyAt - clickAt;
  } finally {
    await context.close();
  }
}

/**
 * Every response from the Switchboard origin, from the page's load until the composer is usable:
 * `{ url, status, encoded }`, where `encoded` is what crossed the network (CDP
 * `Network.loadingFinished.encodedDataLength`: compressed body plus headers).
 * Needs a browser from `launch({ isolateSites: false })`.
 */
export async function widgetDownloads(browser, demoUrl, appUrl) {
  const { context, page } = await newPage(browser);
  const cdp = await context.newCDPSession(page);
  /** requestId → { url, at (epoch ms), status, partial, done: Promise<encoded bytes | null> } */
  const requests = new Map();
  const finish = new Map();
  let counting = true;
  cdp.on("Network.requestWillBeSent", (e) => {
    if (!counting || !e.request.url.startsWith(`${appUrl}/`) || requests.has(e.requestId)) return;
    const done = new Promise((resolve) => finish.set(e.requestId, resolve));
    requests.set(e.requestId, { url: e.request.url, at: e.wallTime * 1000, status: null, partial: 0, done });
  });
  cdp.on("Network.responseReceived", (e) => {
    const r = requests.get(e.requestId);
    if (r) r.status = e.response.status;
  });
  cdp.on("Network.dataReceived", (e) => {
    const r = requests.get(e.requestId);
    if (r) r.partial += e.encodedDataLength;
  });
  cdp.on("Network.loadingFinished", (e) => finish.get(e.requestId)?.(e.encodedDataLength));
  cdp.on("Network.loadingFailed", (e) => finish.get(e.requestId)?.(null));
  await cdp.send("Network.enable");
  try {
    await page.goto(demoUrl, { waitUntil: "load" });
    const { readyAt } = await openPanel(page, appUrl);
    counting = false; // what starts once the composer is usable is not counted
    const rows = [];
    for (const r of requests.values()) {
      if (r.at > readyAt) continue;
      // A long-lived response (a stream) counts with what it had received after 5 s.
      const encoded = await Promise.race([r.done, page.waitForTimeout(5000).then(() => r.partial)]);
      rows.push({ url: r.url, status: r.status, encoded: encoded ?? 0 });
    }
    return rows;
  } finally {
    await cdp.detach().catch(() => {});
    await context.close();
  }
}

/**
 * The host page's used JS heap (bytes) after load (and, with the widget, its launcher) and a GC.
 * Only CDP touches the page: Playwright's own DOM helpers would add their injected script to the heap.
 */
export async function hostHeap(browser, url, { widget }) {
  const { context, page } = await newPage(browser);
  try {
    await page.goto(url, { waitUntil: "load" });
    const cdp = await context.newCDPSession(page);
    // The same probe on both pages (it resolves at once without the widget), so its own cost cancels out.
    const { exceptionDetails } = await cdp.send("Runtime.evaluate", {
      expression: `new Promise((resolve, reject) => {
          if (!${Boolean(widget)}) return resolve(true);
          const deadline = Date.now() + ${WAIT_MS};
          const look = () => document.querySelector("#switchboard-widget")?.shadowRoot?.querySelector("[data-sb-launcher]")
            ? resolve(true)
            : Date.now() > deadline ? reject(new Error("no launcher")) : setTimeout(look, 20);
          look();
        })`,
      awaitPromise: true,
    });
    if (exceptionDetails) throw new Error(`no launcher (${LAUNCHER}) on ${url}`);
    await cdp.send("HeapProfiler.collectGarbage");
    const { usedSize } = await cdp.send("Runtime.getHeapUsage");
    await cdp.detach();
    return usedSize;
  } finally {
    await context.close();
  }
}
