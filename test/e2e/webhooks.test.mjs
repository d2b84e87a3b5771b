// Settings → Webhooks, driven through the UI against a real receiver: an admin
// adds an endpoint, copies the secret shown once, sends a test event and sees
// it (and a real conversation.created) arrive in the open delivery log, signed
// so that the Standard Webhooks library verifies them.

import assert from "node:assert/strict";
import http from "node:http";
import { after, before, test } from "node:test";
import { Webhook } from "standardwebhooks";
import {
  ADMIN,
  createInbox,
  ensureWorkspace,
  launchBrowser,
  pageAs,
  startConversation,
  tid,
  until,
} from "./helpers.mjs";

/** A receiver on 127.0.0.1 that records every request and answers 200. */
function startReceiver() {
  const requests = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      requests.push({ url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.end("received by the test receiver");
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}/hooks/switchboard`,
        requests,
        close: () => new Promise((done) => server.close(done)),
      }),
    ),
  );
}

/** The request of a type the receiver got, once it has. */
const received = (receiver, type) =>
  until(() => receiver.requests.find((r) => JSON.parse(r.body).type === type), `a ${type} request at the receiver`);

/** Verifies a recorded request's signature as a receiver would; returns the payload. */
function verify(secret, request) {
  const headers = {
    "webhook-id": request.headers["webhook-id"],
    "webhook-timestamp": request.headers["webhook-timestamp"],
    "webhook-signature": request.headers["webhook-signature"],
  };
  return new Webhook(secret).verify(request.body, headers);
}

let browser;
let admin;
let inbox;
let receiver;
before(async () => {
  admin = await ensureWorkspace();
  inbox = await createInbox(admin);
  receiver = await startReceiver();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await receiver?.close();
});

/** The Webhooks tab, reached by its address (where the notification about a turned-off endpoint leads). */
async function openWebhooks() {
  const page = await pageAs(browser, ADMIN);
  await page.goto("/settings?tab=webhooks");
  await page.waitForSelector(`${tid("settings-page")}[data-tab="webhooks"] ${tid("settings-webhooks")}`);
  await page.waitForSelector(`${tid("webhook-list")}, ${tid("webhooks-empty")}`);
  return page;
}

test("add an endpoint, copy its secret, watch signed test and real deliveries arrive; turn off; delete", async () => {
  const page = await openWebhooks();
  await page.locator(tid("webhook-new")).first().click();
  const dialog = page.locator(tid("webhook-dialog"));

  // A URL the API refuses: the reason is shown under the URL field, and the field is marked.
  await page.fill(tid("webhook-url"), "ftp://x");
  await page.click(tid("webhook-save"));
  const issue = dialog.locator("#webhook-url-issue");
  await issue.waitFor({ state: "visible" });
  assert.match(await issue.innerText(), /http/i);
  assert.equal(await page.getAttribute(tid("webhook-url"), "aria-invalid"), "true");

  await page.fill(tid("webhook-url"), receiver.url);
  await page.fill(tid("webhook-description"), "Test receiver");
  // Notes only make sense with message.created.
  await page.uncheck(`${tid("webhook-event")}[data-event="message.created"]`);
  assert.ok(await page.isDisabled(tid("webhook-include-notes")));
  await page.check(`${tid("webhook-event")}[data-event="message.created"]`);
  await page.click(tid("webhook-save"));

  // The secret, shown this once.
  const panel = page.locator(tid("webhook-secret-panel"));
  await panel.waitFor();
  assert.match(await panel.innerText(), /won't be shown again/);
  const secret = await page.inputValue(tid("webhook-secret"));
  assert.match(secret, /^whsec_/);
  await page.click(tid("webhook-secret-done"));
  await panel.waitFor({ state: "detached" });

  const hook = (await admin.ok("GET", "/api/webhooks")).items.find((h) => h.url === receiver.url);
  assert.ok(hook, "the endpoint was created");
  assert.equal(hook.description, "Test receiver");
  assert.deepEqual(hook.events, [
    "conversation.created",
    "conversation.updated",
    "message.created",
    "conversation.merged",
    "rating.created",
  ]);
  const row = page.locator(`${tid("webhook-row")}[data-id="${hook.id}"]`);
  await row.waitFor();
  assert.equal(await row.getAttribute("data-enabled"), "true");

  // The log is open while a test event is sent: it shows the delivery without a reload.
  await row.locator(tid("webhook-log-toggle")).click();
  await row.locator(`${tid("webhook-log")}`).waitFor();
  await row.locator(tid("webhook-test")).click();
  const test = await received(receiver, "webhook.test");
  assert.equal(verify(secret, test).data.webhookId, hook.id);
  const testRow = row.locator(`${tid("webhook-delivery")}[data-type="webhook.test"][data-status="delivered"]`);
  await testRow.waitFor();

  // A real change: a conversation created through the API.
  const conversationId = await startConversation(admin, inbox, { name: "Webhook Wanda", body: "Hooked?" });
  const created = await received(receiver, "conversation.created");
  const payload = verify(secret, created);
  assert.equal(payload.data.conversation.id, conversationId);
  const createdRow = row.locator(
    `${tid("webhook-delivery")}[data-type="conversation.created"][data-status="delivered"]`,
  );
  await createdRow.waitFor();

  // Expanded, a row shows the receiver's answer.
  await createdRow.locator(tid("webhook-delivery-toggle")).click();
  assert.match(await createdRow.locator(tid("webhook-delivery-body")).innerText(), /received by the test receiver/);
  assert.match(await createdRow.innerText(), /HTTP 200/);

  // Off: the switch, then the API agrees.
  await row.locator(tid("webhook-enabled-switch")).click();
  await page.waitForSelector(`${tid("webhook-row")}[data-id="${hook.id}"][data-enabled="false"]`);
  assert.match(await row.locator(tid("webhook-state")).innerText(), /Off/);
  assert.equal((await admin.ok("GET", "/api/webhooks")).items.find((h) => h.id === hook.id).enabled, false);

  // Delete, confirmed.
  await row.locator(tid("webhook-delete")).click();
  await page.click(`${tid("confirm-dialog")} ${tid("confirm")}`);
  await row.waitFor({ state: "detached" });
  assert.ok(!(await admin.ok("GET", "/api/webhooks")).items.some((h) => h.id === hook.id), "the endpoint is gone");
  page.assertNoErrors();
});

test("edit the events, rotate the secret (the old one stops verifying), filter the log, send a delivery again", async () => {
  const { secret: oldSecret, ...hook } = await admin.ok(
    "POST",
    "/api/webhooks",
    { url: receiver.url, events: ["conversation.created"], description: "Before" },
    201,
  );
  const page = await openWebhooks();
  const row = page.locator(`${tid("webhook-row")}[data-id="${hook.id}"]`);

  await row.locator(tid("webhook-edit")).click();
  await page.fill(tid("webhook-description"), "After");
  await page.check(`${tid("webhook-event")}[data-event="message.created"]`);
  await page.uncheck(`${tid("webhook-event")}[data-event="conversation.created"]`);
  await page.click(tid("webhook-save"));
  await page.locator(tid("webhook-dialog")).waitFor({ state: "detached" });
  await row.getByText("After", { exact: true }).waitFor();
  const edited = (await admin.ok("GET", "/api/webhooks")).items.find((h) => h.id === hook.id);
  assert.equal(edited.description, "After");
  assert.deepEqual(edited.events, ["message.created"]);

  await row.locator(tid("webhook-rotate")).click();
  await page.click(`${tid("confirm-dialog")} ${tid("confirm")}`);
  await page.locator(tid("webhook-secret-panel")).waitFor();
  const secret = await page.inputValue(tid("webhook-secret"));
  assert.match(secret, /^whsec_/);
  assert.notEqual(secret, oldSecret);
  await page.keyboard.press("Escape");
  await page.locator(tid("webhook-secret-panel")).waitFor({ state: "detached" });

  await row.locator(tid("webhook-log-toggle")).click();
  await row.locator(tid("webhook-test")).click();
  const test = await until(
    () => receiver.requests.find((r) => JSON.parse(r.body).data.webhookId === hook.id),
    "this endpoint's test event at the receiver",
  );
  assert.equal(verify(secret, test).type, "webhook.test");
  assert.throws(() => verify(oldSecret, test), "the old secret no longer verifies");

  const delivered = row.locator(`${tid("webhook-delivery")}[data-type="webhook.test"][data-status="delivered"]`);
  await delivered.waitFor();
  await row.locator(tid("webhook-log-status")).selectOption("failed");
  await row.locator(tid("webhook-log-empty")).waitFor();
  assert.match(await row.locator(tid("webhook-log-empty")).innerText(), /No failed deliveries/);
  await row.locator(tid("webhook-log-status")).selectOption("");
  await delivered.waitFor();

  // Sent again: the same event (same webhook-id) reaches the receiver a second time.
  const eventId = test.headers["webhook-id"];
  await delivered.locator(tid("webhook-delivery-toggle")).click();
  await delivered.locator(tid("webhook-delivery-retry")).click();
  await until(
    () => receiver.requests.filter((r) => r.headers["webhook-id"] === eventId).length === 2,
    "the delivery sent again",
  );
  await row.locator(`${tid("webhook-delivery")}[data-type="webhook.test"][data-status="delivered"]`).waitFor();
  page.assertNoErrors();
});
