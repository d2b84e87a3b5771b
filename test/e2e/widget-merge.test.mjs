// A customer's chat merged into their other conversation: the open widget
// follows to the target, shows the whole thread once, and the customer keeps
// talking there (the "done when" for merge).

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { BASE_URL, createInbox, ensureWorkspace, launchBrowser } from "./helpers.mjs";
import {
  openWidget,
  sendFromWidget,
  shot,
  startShop,
  visitShop,
  waitForWidgetMessage,
  widgetConversation,
  widgetStored,
  widgetTexts,
} from "./widget-helpers.mjs";

let browser;
let admin;
let inbox;
let shop;

before(async () => {
  admin = await ensureWorkspace();
  inbox = await createInbox(admin, `Merge shop ${Date.now().toString(36)}`);
  shop = await startShop(inbox.widgetKey);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await shop?.stop();
});

test("the customer's open widget follows a merge and they go on talking in the merged conversation", async () => {
  const page = await visitShop(browser, shop);
  const frame = await openWidget(page);
  await frame.fill('[data-testid="widget-prechat"] input[name="name"]', "Lin Customer");
  await sendFromWidget(frame, "The blue lamp arrived broken");
  await waitForWidgetMessage(frame, "customer", "blue lamp");
  const source = await widgetConversation(frame);
  const { token } = await widgetStored(page, frame, `sb:${inbox.widgetKey}`);

  // The same customer wrote again elsewhere (with their token: the same contact), and the team merges.
  const res = await fetch(`${BASE_URL}/api/widget/${inbox.widgetKey}/conversations`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ body: "Also the order total looks wrong" }),
  });
  assert.equal(res.status, 201);
  const target = (await res.json()).conversationId;
  await admin.ok("POST", `/api/conversations/${source}/merge`, { intoConversationId: target });

  // The panel switches to the target: its message and the lamp, each once.
  await frame.waitForSelector(`[data-testid="widget-panel"][data-conversation="${target}"]`);
  await waitForWidgetMessage(frame, "customer", "order total");
  const texts = await widgetTexts(frame, "customer");
  assert.equal(texts.filter((t) => t.includes("blue lamp")).length, 1, texts.join(" | "));
  await shot(page, "merge-followed");

  // The customer goes on; it lands in the target, and the agent's reply reaches them there.
  await sendFromWidget(frame, "Any news?");
  await waitForWidgetMessage(frame, "customer", "Any news?");
  const items = (await admin.ok("GET", `/api/conversations/${target}/timeline`)).items;
  assert.ok(items.some((i) => i.body === "Any news?"));
  await admin.ok("POST", `/api/conversations/${target}/messages`, { kind: "reply", body: "Both sorted!" }, 201);
  await waitForWidgetMessage(frame, "reply", "Both sorted!");
  assert.equal((await widgetStored(page, frame, `sb:${inbox.widgetKey}`)).conversationId, target);
  assert.deepEqual(page.consoleErrors, []);
});
