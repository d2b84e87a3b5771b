// Settings → Inboxes → Widget: an admin sets up a chat inbox's widget (look,
// pre-chat, identity verification), copies the embed snippet and watches the
// preview follow the unsaved settings; agents get none of it.
//
// The preview frame shows the widget's panel (`/widget/?key=…&preview=1`). The
// settings are posted to it whatever it holds, so that is always checked; what
// the panel draws is checked only when this build serves it.

import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { after, before, test } from "node:test";
import {
  ADMIN,
  Api,
  BASE_URL,
  createAgent,
  createInbox,
  ensureWorkspace,
  eventually,
  launchBrowser,
  pageAs,
  tid,
} from "./helpers.mjs";

let browser;
let admin;
let inbox;
/** Whether `/widget/` serves the widget's panel (not the agent app's fallback page). */
let panelServed;
before(async () => {
  admin = await ensureWorkspace();
  inbox = await createInbox(admin);
  browser = await launchBrowser();
  // Without the panel, /widget/ is a miss: a 404, or the agent app's page for a browser's navigation.
  const navigate = { headers: { "Sec-Fetch-Mode": "navigate", Accept: "text/html" } };
  const [panel, app] = await Promise.all(
    ["/widget/?preview=1", "/no-such-page"].map((p) => fetch(`${BASE_URL}${p}`, navigate)),
  );
  panelServed = panel.status === 200 && (await panel.text()) !== (await app.text());
});
after(async () => {
  await browser?.close();
});

async function openWidget(page) {
  await page.goto("/settings?tab=inboxes");
  await page.click(`${tid("inbox-row")}[data-inbox-id="${inbox.id}"] ${tid("inbox-widget")}`);
  await page.waitForSelector(tid("widget-dialog"));
}

/** The preview frame, once loaded, recording every settings message it receives. */
async function recordPreview(page) {
  const frame = await (await page.waitForSelector(tid("widget-preview"))).contentFrame();
  await frame.waitForLoadState("load");
  await frame.evaluate(() => {
    window.__previews = [];
    addEventListener("message", (e) => {
      if (e.origin === location.origin && e.data?.type === "preview-config") window.__previews.push(e.data);
    });
  });
  return frame;
}

const widgetOf = async (id) => (await admin.ok("GET", "/api/inboxes")).items.find((i) => i.id === id).widget;

test("an admin restyles the widget, the preview follows before saving, and a reload shows what was saved", async () => {
  const page = await pageAs(browser, ADMIN);
  await openWidget(page);
  assert.equal(
    await page.inputValue(tid("widget-snippet")),
    `<script src="${BASE_URL}/widget.js" data-inbox="${inbox.widgetKey}" async></script>`,
  );
  assert.equal(await page.getAttribute(tid("widget-preview"), "src"), `/widget/?key=${inbox.widgetKey}&preview=1`);
  const frame = await recordPreview(page);

  const greeting = `Hello from the ${Date.now().toString(36)} team`;
  await page.fill(tid("widget-color"), "#AA3300");
  await page.fill(tid("widget-greeting"), greeting);
  await page.check(tid("widget-position-left"));
  await page.check(tid("widget-preChat-required"));
  await eventually(
    frame,
    ({ greeting, inboxName }) =>
      window.__previews.some(
        ({ source, config: c }) =>
          source === "switchboard" &&
          c.color === "#aa3300" &&
          c.greeting === greeting &&
          c.position === "left" &&
          c.preChat === "required" &&
          c.inboxName === inboxName,
      ),
    { greeting, inboxName: inbox.name },
    { what: "the preview to receive the unsaved settings" },
  );
  if (panelServed) await frame.getByText(greeting).waitFor();
  assert.equal((await widgetOf(inbox.id)).color, inbox.widget.color, "nothing is saved before Save");

  await page.click(tid("widget-save"));
  await page.waitForSelector(tid("widget-saved"));
  assert.deepEqual(await widgetOf(inbox.id), {
    ...inbox.widget,
    color: "#aa3300",
    greeting,
    position: "left",
    preChat: "required",
  });

  await page.reload();
  await openWidget(page);
  assert.equal(await page.inputValue(tid("widget-color")), "#aa3300");
  assert.equal(await page.inputValue(tid("widget-greeting")), greeting);
  assert.ok(await page.isChecked(tid("widget-position-left")));
  assert.ok(await page.isChecked(tid("widget-preChat-required")));
  // The frame posts on its own load too: a reopened dialog's preview starts from the saved settings.
  const reopened = await recordPreview(page);
  await page.check(tid("widget-preChat-off"));
  await eventually(reopened, () => window.__previews.some((m) => m.config.preChat === "off"), undefined, {
    what: "the reopened preview to follow a change",
  });
  page.assertNoErrors();
});

test("a refused save marks the field the server names and keeps every change", async () => {
  const page = await pageAs(browser, ADMIN);
  await openWidget(page);
  await eventually(page, () => document.activeElement?.getAttribute("data-testid") === "widget-color", undefined, {
    what: "the dialog to open on its first field",
  });
  await page.fill(tid("widget-color"), "#12");
  assert.match(await page.innerText(`${tid("widget-dialog")} ${tid("field-issue")} >> visible=true`), /six hex digits/);
  assert.ok(await page.isDisabled(tid("widget-save")), "an invalid colour is not sent");
  await page.fill(tid("widget-color"), "#336699");

  let refused = false;
  await page.route("**/api/inboxes/*", (route) => {
    if (route.request().method() !== "PATCH" || refused) return route.fallback();
    refused = true;
    return route.fulfill({
      status: 400,
      contentType: "application/json",
      body: JSON.stringify({
        error: {
          code: "validation_failed",
          message: "Invalid request",
          details: [{ path: ["widget", "greeting"], message: "too long for this server" }],
        },
      }),
    });
  });
  await page.fill(tid("widget-greeting"), "Kept after a failure");
  await page.click(tid("widget-save"));
  await page.waitForSelector("#widget-greeting-issue:has-text('Too long for this server')");
  assert.equal(await page.getAttribute(tid("widget-greeting"), "aria-invalid"), "true");
  await eventually(page, () => document.activeElement?.id === "widget-greeting", undefined, {
    what: "the focus to move to the field the server refused",
  });
  assert.equal(await page.inputValue(tid("widget-greeting")), "Kept after a failure");
  assert.equal(await page.inputValue(tid("widget-color")), "#336699");

  await page.click(tid("widget-save"));
  await page.waitForSelector(tid("widget-saved"));
  assert.equal((await widgetOf(inbox.id)).greeting, "Kept after a failure");
  await eventually(page, (sel) => document.activeElement?.matches(sel), tid("widget-saved"), {
    what: "the focus to move to the saved confirmation",
  });

  await page.keyboard.press("Escape");
  await page.waitForSelector(tid("widget-dialog"), { state: "detached" });
  // The dialog hands focus back once it has gone: wait for it rather than read it at once.
  await eventually(page, () => document.activeElement?.getAttribute("data-testid") === "inbox-widget", undefined, {
    what: "focus to go back to the button that opened the dialog",
  });
  page.assertNoErrors();
});

test("rotating the identity secret asks first, then shows the new secret once, and it signs user ids", async () => {
  const page = await pageAs(browser, ADMIN);
  await openWidget(page);
  assert.equal(await page.locator(tid("widget-secret")).count(), 0, "no secret before a rotation");
  await page.click(tid("widget-rotate"));
  assert.match(await page.innerText(tid("widget-rotate-confirm")), /stop working/);
  await page.click(tid("widget-rotate-confirm-button"));
  const secret = await page.inputValue(tid("widget-secret"));
  assert.match(secret, /^whs_/);
  assert.match(await page.inputValue(tid("widget-hmac-example")), /createHmac\("sha256"[\s\S]*Switchboard\("identify"/);

  // The secret shown is the one the server checks hashes with.
  const userId = `user-${Date.now()}`;
  const hash = createHmac("sha256", secret).update(userId).digest("hex");
  const res = await fetch(`${BASE_URL}/api/widget/${inbox.widgetKey}/conversations`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name: "Ida", email: "ida@example.test", body: "Signed in", identity: { userId, hash } }),
  });
  assert.equal(res.status, 201, await res.text());

  await page.keyboard.press("Escape");
  await page.click(`${tid("inbox-row")}[data-inbox-id="${inbox.id}"] ${tid("inbox-widget")}`);
  await page.waitForSelector(tid("widget-rotate"));
  assert.equal(await page.locator(tid("widget-secret")).count(), 0, "the secret is not shown again");
  page.assertNoErrors();
});

test("an agent gets no widget settings", async () => {
  const agent = await createAgent(admin, "Wes Widget", { [inbox.id]: "reply" });
  const page = await pageAs(browser, agent);
  await page.goto("/settings?tab=inboxes");
  await page.waitForSelector(tid("settings-forbidden"));
  assert.equal(await page.locator(tid("inbox-widget")).count(), 0);
  const api = await Api.signedIn(agent);
  assert.equal((await api.call("PATCH", `/api/inboxes/${inbox.id}`, { widget: { color: "#000000" } })).status, 403);
  assert.equal((await api.call("POST", `/api/inboxes/${inbox.id}/widget-secret`)).status, 403);
  page.assertNoErrors();
});
