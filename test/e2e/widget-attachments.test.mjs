// Files in the chat widget, at phone width: the customer attaches a PDF to
// their first message, the agent downloads it from the agent app; an agent's picture shows
// as a thumbnail in the widget, and so do the customer's pasted and dropped
// ones; on a slow connection uploads show progress, can be cancelled, and a
// send waits for them; files too large or too many are refused in words.
// Screenshots go to /tmp/widget-shots/ (WIDGET_SHOTS).
//
// Widget uploads are rate limited per address (60 in 10 minutes): the last
// test uses up the allowance on purpose.

import assert from "node:assert/strict";
import fs from "node:fs";
import { pdf, png } from "./files.mjs";
import { after, before, test } from "node:test";
import {
  ADMIN,
  BASE_URL,
  createInbox,
  ensureWorkspace,
  eventually,
  launchBrowser,
  newPage,
  openConversation,
  signIn,
  tid,
  until,
  waitForItem,
} from "./helpers.mjs";
import {
  COMPOSER,
  openWidget,
  sendFromWidget,
  shot,
  startShop,
  visitShop,
  waitForWidgetMessage,
  widgetConversation,
  widgetStored,
} from "./widget-helpers.mjs";

const PHONE = { width: 390, height: 844 };
const FILE_INPUT = `input${tid("widget-file-input")}`;

let browser;
let admin;
let inbox;
let shop;
let agent;

before(async () => {
  admin = await ensureWorkspace();
  inbox = await createInbox(admin, `Files help ${Date.now().toString(36)}`);
  shop = await startShop(inbox.widgetKey);
  browser = await launchBrowser();
  agent = await newPage(browser);
  await signIn(agent, ADMIN);
});
after(async () => {
  await browser?.close();
  await shop?.stop();
});

/** Starts a chat from the widget on a phone-sized page; returns the page, the panel's frame and the conversation. */
async function startChat(text, colorScheme = "light") {
  const page = await visitShop(browser, shop, { viewport: PHONE, colorScheme });
  const frame = await openWidget(page);
  await sendFromWidget(frame, text);
  await waitForWidgetMessage(frame, "customer", text);
  return { page, frame, conversationId: await widgetConversation(frame) };
}

test("a customer attaches a PDF with their first message; the agent downloads it from the agent app", async () => {
  const page = await visitShop(browser, shop, { viewport: PHONE });
  const frame = await openWidget(page);
  // No conversation yet: the file waits for the first message, which starts one.
  const bytes = pdf(Date.now());
  await frame.setInputFiles(FILE_INPUT, { name: "invoice-1042.pdf", mimeType: "application/pdf", buffer: bytes });
  assert.match(await frame.locator(tid("widget-draft")).innerText(), /invoice-1042\.pdf/);
  await frame.getByText("Your files go right after your first message.").waitFor();
  await frame.click(tid("widget-send"));
  assert.match(await frame.locator(tid("widget-file-notice")).innerText(), /Type a message to start the chat/);
  await frame.fill(COMPOSER, "Hello, I was charged twice. Here is the invoice.");
  await shot(page, "10-attach-before-first-message-phone");
  await frame.press(COMPOSER, "Enter");

  await waitForWidgetMessage(frame, "customer", "charged twice");
  const conversationId = await widgetConversation(frame);
  const chip = frame.locator(
    `${tid("widget-message")}[data-kind="customer"]:not([data-pending]) ${tid("widget-file")}`,
  );
  await chip.waitFor();
  assert.match(await chip.innerText(), /invoice-1042\.pdf/);
  assert.equal(await frame.locator(tid("widget-draft")).count(), 0, "the composer's chips are gone");
  assert.match(await frame.locator(tid("widget-upload-status")).innerText(), /invoice-1042\.pdf uploaded/);
  await frame.waitForSelector(`${tid("widget-message")}[data-pending]`, { state: "detached" });
  await shot(page, "11-sent-file-phone");

  // The customer can download their own file from the thread.
  const [download] = await Promise.all([page.waitForEvent("download"), chip.click()]);
  assert.equal(download.suggestedFilename(), "invoice-1042.pdf");
  assert.deepEqual(fs.readFileSync(await download.path()), bytes);

  // The agent sees the message and its file in the agent app, and downloads it.
  await openConversation(agent, conversationId);
  await waitForItem(agent, "customer", "charged twice");
  // The agent app's file links are built alongside the widget's; where they have not landed
  // yet, the agent's page reads the link from the timeline API.
  const links = agent.locator(`${tid("timeline-item")}[data-kind="customer"] a[href*="/api/attachments/"]`);
  let href;
  if (await links.count()) {
    assert.match(await links.first().innerText(), /invoice-1042\.pdf/);
    href = await links.first().getAttribute("href");
  } else {
    href = await agent.evaluate(async (id) => {
      const { items } = await (await fetch(`/api/conversations/${id}/timeline`)).json();
      return items.find((i) => i.attachments?.length)?.attachments[0].url;
    }, conversationId);
  }
  assert.match(href ?? "", /\/api\/attachments\//);
  const got = await agent.evaluate(async (url) => {
    const res = await fetch(url);
    return {
      status: res.status,
      disposition: res.headers.get("content-disposition"),
      bytes: [...new Uint8Array(await res.arrayBuffer())],
    };
  }, href);
  assert.equal(got.status, 200);
  assert.match(got.disposition ?? "", /^attachment/);
  assert.match(got.disposition ?? "", /invoice-1042\.pdf/);
  assert.deepEqual(Buffer.from(got.bytes), bytes, "the agent downloads the very bytes the customer sent");
  await page.context().close();
});

test("an agent's picture shows as a loaded thumbnail that opens full size; the customer pastes and drops pictures", async () => {
  const { page, frame, conversationId } = await startChat("Which colour is the jacket?");

  const res = await fetch(`${BASE_URL}/api/attachments?inboxId=${inbox.id}&name=jacket.png`, {
    method: "POST",
    headers: { Cookie: admin.cookie, "Content-Type": "image/png" },
    body: png(480, 320),
  });
  assert.equal(res.status, 201, await res.clone().text());
  const upload = await res.json();
  await admin.ok(
    "POST",
    `/api/conversations/${conversationId}/messages`,
    { kind: "reply", body: "", attachmentIds: [upload.id] },
    201,
  );

  const image = frame.locator(`${tid("widget-message")}[data-kind="reply"] img${tid("widget-image")}`);
  await image.waitFor();
  await eventually(frame, (sel) => document.querySelector(sel)?.naturalWidth > 0, `img${tid("widget-image")}`, {
    what: "the thumbnail to load",
  });
  assert.equal(await image.evaluate((img) => img.naturalWidth), 480);
  const box = await image.boundingBox();
  assert.ok(box.width <= PHONE.width * 0.82 && box.height <= 200, `sized for the panel: ${JSON.stringify(box)}`);
  assert.equal(await image.getAttribute("alt"), "jacket.png");
  await shot(page, "12-thumbnail-phone");

  // A click opens the full picture in a new tab.
  const [tab] = await Promise.all([page.context().waitForEvent("page"), image.click()]);
  await tab.waitForLoadState();
  assert.match(tab.url(), /\/api\/attachments\//);
  await tab.close();

  // The customer pastes a screenshot into the message box, and drops a photo on the panel.
  await frame.evaluate(
    ([pasted, dropped]) => {
      const file = (b64, name) => {
        const data = new DataTransfer();
        data.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name, { type: "image/png" }));
        return data;
      };
      const init = (data) => ({ clipboardData: data, dataTransfer: data, bubbles: true, cancelable: true });
      document.querySelector("textarea").dispatchEvent(new ClipboardEvent("paste", init(file(pasted, "image.png"))));
      document.querySelector(".sb-thread").dispatchEvent(new DragEvent("drop", init(file(dropped, "photo.png"))));
    },
    [png(200, 120).toString("base64"), png(120, 200).toString("base64")],
  );
  await eventually(frame, (sel) => document.querySelectorAll(sel).length === 2, `${tid("widget-draft")}[data-done]`, {
    what: "the pasted and the dropped picture to upload",
  });
  await frame.press(COMPOSER, "Enter");
  const mine = frame.locator(
    `${tid("widget-message")}[data-kind="customer"]:not([data-pending]) img${tid("widget-image")}`,
  );
  await mine.nth(1).waitFor();
  await eventually(
    frame,
    (sel) => [...document.querySelectorAll(sel)].every((img) => img.naturalWidth > 0),
    `${tid("widget-message")}[data-kind="customer"] img${tid("widget-image")}`,
    { what: "the customer's own pictures to load" },
  );
  assert.deepEqual(await mine.evaluateAll((imgs) => imgs.map((i) => i.alt)), ["image.png", "photo.png"]);
  await shot(page, "13-pictures-both-ways-phone");

  // A picture that cannot load (as when its signed link has expired) makes the panel fetch the
  // thread again for fresh links; one that still fails is offered as a download instead.
  const refetched = page.waitForRequest(
    (r) => r.method() === "GET" && r.url().endsWith(`/api/widget/conversations/${conversationId}/messages`),
  );
  await image.evaluate((img) => {
    img.src = img.src.replace(/sig=[^&]+/, "sig=expired");
  });
  await refetched;
  const fallback = frame.locator(`${tid("widget-message")}[data-kind="reply"] ${tid("widget-file")}`);
  await fallback.waitFor();
  assert.match(await fallback.innerText(), /jacket\.png/);
  await page.context().close();
});

/**
 * Slows the panel's uploads to `bytesPerSecond` (-1: no limit), as on a poor mobile connection.
 * The panel's frame is on another site than the shop, so it has a CDP session of its own.
 */
async function throttleUploads(frame, bytesPerSecond) {
  frame.cdp ??= await frame
    .page()
    .context()
    .newCDPSession(frame)
    .catch(() => frame.page().context().newCDPSession(frame.page()));
  await frame.cdp.send("Network.enable");
  await frame.cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: bytesPerSecond,
  });
}

test("on a slow connection an upload shows its progress and can be cancelled; send waits for the uploads", async () => {
  const { page, frame, conversationId } = await startChat("My order arrived broken.");
  await throttleUploads(frame, 32 * 1024);
  await frame.setInputFiles(FILE_INPUT, {
    name: "broken-box.jpg",
    mimeType: "image/jpeg",
    buffer: Buffer.alloc(512 * 1024, 7),
  });
  await eventually(frame, (sel) => document.querySelector(sel)?.value > 0.2, `${tid("widget-draft")} progress`, {
    what: "the upload's progress",
  });
  assert.equal(
    await frame.locator(`${tid("widget-draft")} progress`).getAttribute("aria-label"),
    "Uploading broken-box.jpg",
  );
  await shot(page, "14-progress-phone");
  await frame.click(`${tid("widget-draft")} button[aria-label="Cancel upload of broken-box.jpg"]`);
  await frame.waitForSelector(tid("widget-draft"), { state: "detached" });
  assert.match(await frame.locator(tid("widget-upload-status")).innerText(), /broken-box\.jpg removed/);

  // Sent while a file is still uploading: the message waits for it, then goes with it.
  await throttleUploads(frame, 32 * 1024);
  await frame.setInputFiles(FILE_INPUT, {
    name: "label.pdf",
    mimeType: "application/pdf",
    buffer: Buffer.concat([pdf("label"), Buffer.alloc(384 * 1024, 32)]),
  });
  await frame.locator(`${tid("widget-draft")} progress`).waitFor();
  await frame.evaluate(() => {
    window.sawWaiting = false;
    const seen = () => {
      if (document.querySelector(".sb-compose")?.textContent?.includes("Sending when your files have uploaded")) {
        window.sawWaiting = true;
      }
    };
    new MutationObserver(seen).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await sendFromWidget(frame, "And the shipping label.");
  // The file alone takes 12 s at the throttled 32 KB/s; on a loaded machine the send after it may take as long again.
  await waitForWidgetMessage(frame, "customer", "And the shipping label", 90_000);
  assert.equal(await frame.evaluate(() => window.sawWaiting), true, "the panel said it waits for the upload");
  const sent = frame.locator(`${tid("widget-message")}:not([data-pending])`, { hasText: "And the shipping label" });
  assert.match(await sent.locator(tid("widget-file")).innerText(), /label\.pdf/);
  const items = (await admin.ok("GET", `/api/conversations/${conversationId}/timeline`)).items;
  const item = items.find((i) => i.body === "And the shipping label.");
  assert.deepEqual(
    item?.attachments?.map((a) => a.name),
    ["label.pdf"],
  );
  await throttleUploads(frame, -1);
  await page.context().close();
});

test("files too large or too many are refused in words (in dark mode)", async () => {
  const { page, frame } = await startChat("I have screenshots.", "dark");

  // Eleven files: ten are taken, and the visitor is told why not the eleventh.
  const files = Array.from({ length: 11 }, (_, i) => ({
    name: `page-${i + 1}.pdf`,
    mimeType: "application/pdf",
    buffer: pdf(`page ${i + 1}`),
  }));
  await frame.setInputFiles(FILE_INPUT, files);
  assert.match(await frame.locator(tid("widget-file-notice")).innerText(), /up to 10 files in one message/);
  assert.equal(await frame.locator(tid("widget-draft")).count(), 10);
  await eventually(frame, (sel) => document.querySelectorAll(sel).length === 10, `${tid("widget-draft")}[data-done]`, {
    what: "the ten uploads",
  });
  await shot(page, "16-ten-chips-phone");

  // Removing them all leaves nothing to send.
  for (let i = 0; i < 10; i++) await frame.click(`${tid("widget-draft")} ${tid("widget-draft-remove")}`);
  await frame.waitForSelector(tid("widget-draft"), { state: "detached" });
  assert.equal(await frame.locator(tid("widget-send")).isDisabled(), true);

  // Larger than 25 MB: refused before any byte is sent. (After the uploads above: handing the
  // browser 25 MB stalls the test's page for a moment, as no real visitor's would.)
  await frame.setInputFiles(FILE_INPUT, {
    name: "screen-recording.mov",
    mimeType: "video/quicktime",
    buffer: Buffer.alloc(25 * 1024 * 1024 + 1),
  });
  const big = frame.locator(tid("widget-draft"), { hasText: "screen-recording.mov" });
  await big.waitFor();
  assert.match(await big.innerText(), /Too large\. Files can be up to 25 MB\./);
  assert.match(await frame.locator(tid("widget-upload-status")).innerText(), /Too large/);
  assert.equal(await frame.locator(tid("widget-send")).isDisabled(), true, "nothing to send");
  // The test's page stalled while the browser took the 25 MB: the live link comes back by itself.
  await frame.getByText("We reply as soon as we can").waitFor();
  await shot(page, "17-too-large-phone");
  await frame.click(`${tid("widget-draft")} ${tid("widget-draft-remove")}`);
  await frame.waitForSelector(tid("widget-draft"), { state: "detached" });
  await page.context().close();
});

// Last in this file: it spends the address's widget upload allowance.
test("past the upload rate limit the chip says to try again later", async () => {
  const { page, frame, conversationId } = await startChat("One more file, please.");
  const { token } = await widgetStored(page, frame, `sb:${inbox.widgetKey}`);
  const uploadOne = () =>
    fetch(`${BASE_URL}/api/widget/conversations/${conversationId}/attachments?name=filler.txt`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "text/plain" },
      body: "x",
    }).then(async (res) => {
      await res.body?.cancel();
      return res.status;
    });
  const chip = frame.locator(tid("widget-draft"), { hasText: "receipt.pdf" });
  // The limit counts per clock-aligned window: when a new one opens between the last refused
  // upload and the widget's, that upload goes through, and the allowance is spent again.
  for (let attempt = 1; ; attempt++) {
    await until(async () => (await uploadOne()) === 429, "the upload rate limit", { timeout: 60_000, every: 0 });
    await frame.setInputFiles(FILE_INPUT, { name: "receipt.pdf", mimeType: "application/pdf", buffer: pdf("receipt") });
    await eventually(
      frame,
      (sel) => document.querySelector(sel)?.matches(".sb-bad, [data-done]"),
      tid("widget-draft"),
      {
        what: "the upload's outcome",
      },
    );
    if ((await chip.getAttribute("data-done")) === null || attempt === 3) break;
    await frame.click(`${tid("widget-draft")} ${tid("widget-draft-remove")}`);
    await frame.waitForSelector(tid("widget-draft"), { state: "detached" });
  }
  assert.match(await chip.innerText(), /Too many uploads just now: please try again in a few minutes\./);
  assert.match(await frame.locator(tid("widget-upload-status")).innerText(), /receipt\.pdf: Too many uploads/);
  await shot(page, "18-rate-limited-phone");
  await page.context().close();
});
