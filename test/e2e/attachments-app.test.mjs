// Files in the agent app: a screenshot pasted into a reply reaches the other
// agent live as a thumbnail that loads (and opens full size); a file picked
// with the Attach button goes out on a note as a chip whose link downloads it;
// files dropped on the composer are checked against the limits before any
// upload; a running upload shows progress and can be cancelled; search marks
// conversations with files; a new conversation can start with a file alone;
// a file that only claims to be an image is a download, never shown.
//
// E2E_SHOTS=<folder> also saves screenshots of the composer and the thread.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { png } from "./files.mjs";
import {
  ADMIN,
  createAgent,
  createInbox,
  ensureWorkspace,
  eventually,
  launchBrowser,
  newPage,
  openConversation,
  signIn,
  startConversation,
  tid,
  waitForComposerCleared,
} from "./helpers.mjs";

let browser;
let admin;
let inbox;
let bea; // agent B, reply access
const run = Date.now().toString(36);
const shots = process.env.E2E_SHOTS;

before(async () => {
  admin = await ensureWorkspace();
  inbox = await createInbox(admin, `Files ${run}`);
  bea = await createAgent(admin, "Bea Files", { [inbox.id]: "reply" });
  browser = await launchBrowser();
  if (shots) fs.mkdirSync(shots, { recursive: true });
});
after(async () => {
  await browser?.close();
});

async function shot(page, name, locator) {
  if (!shots) return;
  await (locator ?? page).screenshot({ path: path.join(shots, `${name}.png`), animations: "disabled" });
}

// ——— Driving the composer ———————————————————————————————————————————————

/** Paste `files` ({name, type, base64}) into the composer, as the clipboard hands a screenshot over. */
async function paste(page, files) {
  await page.locator(tid("composer-input")).evaluate((input, files) => {
    const data = new DataTransfer();
    for (const f of files) {
      const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
      data.items.add(new File([bytes], f.name, { type: f.type }));
    }
    input.focus();
    input.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }, files);
}

/** Drop files of the given sizes on the composer; in the page, so a 25 MB file never crosses the wire. */
async function drop(page, files) {
  await page.locator(tid("composer")).evaluate((composer, files) => {
    const data = new DataTransfer();
    for (const f of files) data.items.add(new File([new Uint8Array(f.size)], f.name, { type: f.type }));
    for (const type of ["dragenter", "dragover", "drop"]) {
      composer.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    }
  }, files);
}

const chips = (page) => page.locator(tid("upload-chip"));
const chip = (page, name) => page.locator(`${tid("upload-chip")}[data-name="${name}"]`);
const announced = (page, text) =>
  eventually(
    page,
    ([sel, text]) => document.querySelector(sel)?.textContent?.includes(text),
    [tid("upload-announcement"), text],
    { what: `the live region to say “${text}”` },
  );

async function twoAgents(conversationId) {
  const a = await newPage(browser);
  const b = await newPage(browser);
  await signIn(a, ADMIN);
  await signIn(b, bea);
  await openConversation(a, conversationId);
  await openConversation(b, conversationId);
  return { a, b };
}

test("a pasted screenshot goes out with a reply and shows live, loaded, to the other agent; it opens full size", async () => {
  const conversationId = await startConversation(admin, inbox, { body: "The checkout page looks broken to me." });
  const { a, b } = await twoAgents(conversationId);

  await paste(a, [{ name: "image.png", type: "image/png", base64: png(320, 200).toString("base64") }]);
  // Named as a screenshot of now, uploaded, and said so to a screen reader.
  const pasted = chips(a).first();
  await eventually(a, (sel) => document.querySelector(sel)?.dataset.status === "done", tid("upload-chip"), {
    what: "the pasted screenshot to upload",
  });
  const name = await pasted.getAttribute("data-name");
  assert.match(name, /^Screenshot \d{4}-\d{2}-\d{2} \d{2}\.\d{2}\.png$/);
  await announced(a, `${name} uploaded`);
  assert.equal(await a.inputValue(tid("composer-input")), "", "the image is a file, not text in the reply");

  // A file alone is a message: the send button is ready with no text.
  await shot(a, "composer-pasted", a.locator(tid("composer")));
  assert.equal(await a.isEnabled(tid("composer-send")), true);
  await a.click(tid("composer-send"));
  await eventually(a, (sel) => !document.querySelector(sel), tid("upload-tray"), { what: "the chips to clear" });

  // B sees the thumbnail arrive live, and the image really loads.
  const thumb = b.locator(`${tid("timeline-item")}[data-kind="reply"] ${tid("attachment-thumb")} img`);
  await thumb.waitFor();
  assert.equal(await thumb.getAttribute("alt"), name);
  await eventually(
    b,
    (sel) => {
      const img = document.querySelector(sel);
      return img?.complete && img.naturalWidth > 0;
    },
    `${tid("timeline-item")}[data-kind="reply"] ${tid("attachment-thumb")} img`,
    { what: "the thumbnail to load" },
  );
  assert.equal(await thumb.evaluate((img) => img.naturalWidth), 320);
  await shot(b, "thread-thumbnail", b.locator(tid("timeline")));

  // Keyboard: Enter on the thumbnail opens it full size; Escape closes and focus returns.
  await b.locator(tid("attachment-thumb")).focus();
  await b.keyboard.press("Enter");
  const full = b.locator(`${tid("lightbox")} ${tid("lightbox-image")}`);
  await full.waitFor();
  await eventually(b, (sel) => document.querySelector(sel)?.naturalWidth === 320, tid("lightbox-image"), {
    what: "the full-size image to load",
  });
  await shot(b, "lightbox");
  // Escape closes the dialog it is pressed in: wait for the focus to be there (on a busy machine it
  // arrives a moment after the dialog shows; before that, Escape belongs to the page).
  await eventually(b, (sel) => !!document.activeElement?.closest(sel), tid("lightbox"), {
    what: "the focus to move into the lightbox",
  });
  await b.keyboard.press("Escape");
  await b.locator(tid("lightbox")).waitFor({ state: "detached" });
  await eventually(b, () => document.activeElement?.dataset.testid === "attachment-thumb", null, {
    what: "focus to return to the thumbnail",
  });

  a.assertNoErrors();
  b.assertNoErrors();
  await a.context().close();
  await b.context().close();
});

test("a file picked with the Attach button goes out on a note as a chip whose link downloads it; search shows a paperclip", async () => {
  const word = `zq${run}ledger`;
  const conversationId = await startConversation(admin, inbox, { body: "Can you send me last month's invoice?" });
  const { a, b } = await twoAgents(conversationId);

  // Listening well before the picker opens: Playwright turns on its interception asynchronously.
  const choosing = a.waitForEvent("filechooser");
  await a.click(tid("composer-tab-note"));
  await a.fill(tid("composer-input"), `The ${word} invoice, for the record.`);
  const pdf = Buffer.from(`%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`);
  // From the keyboard: the labelled Attach button opens the file picker.
  const attach = a.getByRole("button", { name: "Attach files" });
  await attach.focus();
  await a.keyboard.press("Enter");
  const chooser = await choosing;
  assert.equal(chooser.isMultiple(), true);
  await chooser.setFiles({ name: "invoice-2026-10.pdf", mimeType: "application/pdf", buffer: pdf });
  await paste(a, [{ name: "image.png", type: "image/png", base64: png(200, 120).toString("base64") }]);
  await eventually(
    a,
    (sel) => [...document.querySelectorAll(sel)].filter((c) => c.dataset.status === "done").length === 2,
    tid("upload-chip"),
    { what: "both files to upload" },
  );
  await a.click(tid("composer-send"));
  await waitForComposerCleared(a);

  // On B: inside the note's bubble, a chip with the name, the size and a download link.
  const file = b.locator(`${tid("timeline-item")}[data-kind="note"] .tl-bubble ${tid("attachment-file")}`);
  await file.waitFor();
  assert.match(await file.innerText(), /invoice-2026-10\.pdf/);
  assert.match(await file.innerText(), /\d+ B/);
  assert.equal(await file.getAttribute("aria-label"), `Download invoice-2026-10.pdf, ${pdf.length} B`);
  // The screenshot sits in the same note, as a thumbnail.
  await b.locator(`${tid("timeline-item")}[data-kind="note"] .tl-bubble ${tid("attachment-thumb")} img`).waitFor();
  await shot(b, "thread-note-file", b.locator(tid("timeline")));
  await shot(b, "page-note-files");

  // The link answers 200 with the file as a download (B's own session).
  const href = await file.getAttribute("href");
  const res = await b.request.get(href);
  assert.equal(res.status(), 200);
  assert.match(res.headers()["content-disposition"] ?? "", /^attachment/);
  assert.deepEqual(Buffer.from(await res.body()), pdf);

  // Search: the conversation's hit carries a paperclip with a name.
  await b.goto(`/search?q=${word}`);
  const hit = b.locator(`${tid("search-hit")}[data-id="${conversationId}"]`);
  await hit.waitFor();
  await shot(b, "search-paperclip", hit);
  assert.equal(
    await hit.locator(`${tid("search-hit-files")} [role="img"]`).getAttribute("aria-label"),
    "Has attachments",
  );

  a.assertNoErrors();
  b.assertNoErrors();
  await a.context().close();
  await b.context().close();
});

test("dropped files are checked before uploading (too large, one too many); a running upload shows its progress and can be cancelled", async () => {
  const conversationId = await startConversation(admin, inbox, { body: "Here are my files." });
  const a = await newPage(browser);
  await signIn(a, ADMIN);
  await openConversation(a, conversationId);

  // Files dragged over the composer: it shows itself as the drop target, and stops when they leave.
  const drag = (type, selector) =>
    a.locator(selector).evaluate((el, type) => {
      const data = new DataTransfer();
      data.items.add(new File(["x"], "x.txt", { type: "text/plain" }));
      return el.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    }, type);
  await drag("dragenter", tid("composer-input"));
  await a.locator(tid("composer-drop")).waitFor();
  assert.match(await a.locator(tid("composer-drop")).innerText(), /Drop files to attach/);
  await shot(a, "composer-drop", a.locator(tid("composer")));
  await drag("dragleave", tid("composer"));
  await a.locator(tid("composer-drop")).waitFor({ state: "detached" });
  // Dropped just beside it, files are refused rather than opened by the browser (leaving the app).
  assert.equal(await drag("drop", tid("timeline")), false, "the page cancels a drop outside the composer");
  assert.equal(await chips(a).count(), 0);

  // Eleven at once: ten are taken, the eleventh is refused with a sentence.
  const eleven = Array.from({ length: 11 }, (_, i) => ({
    name: `note-${i + 1}.txt`,
    type: "text/plain",
    size: 10 + i,
  }));
  await drop(a, eleven);
  await a.locator(tid("upload-refused"), { hasText: "at most 10 files: 1 file was not added" }).waitFor();
  assert.equal(await chips(a).count(), 10);
  assert.equal(await chip(a, "note-11.txt").count(), 0);
  await eventually(
    a,
    (sel) => [...document.querySelectorAll(sel)].every((c) => c.dataset.status === "done"),
    tid("upload-chip"),
    { what: "ten uploads to finish" },
  );
  for (let i = 0; i < 10; i++) await chips(a).first().locator(tid("upload-remove")).click();
  await a.locator(tid("upload-tray")).waitFor({ state: "detached" });
  assert.equal(await a.locator(tid("upload-refused")).count(), 0, "the refusal goes with the files");

  // Too large: refused on the spot, never sent; the message cannot go until it is removed.
  await paste(a, [{ name: "image.png", type: "image/png", base64: png(120, 80).toString("base64") }]);
  await chips(a).and(a.locator('[data-status="done"]')).waitFor();
  await drop(a, [{ name: "screen-recording.mov", type: "video/quicktime", size: 25 * 1024 * 1024 + 1 }]);
  const huge = chip(a, "screen-recording.mov");
  await huge.waitFor();
  assert.equal(await huge.getAttribute("data-status"), "failed");
  assert.equal(await huge.locator(tid("upload-error")).innerText(), "Larger than 25 MB");
  await announced(a, "screen-recording.mov is larger than 25 MB");
  await a.fill(tid("composer-input"), "The logs and a recording of the crash.");
  await a.locator(tid("composer-waiting"), { hasText: "Remove or retry" }).waitFor();
  assert.equal(await a.isEnabled(tid("composer-send")), false, "a failed file holds the send");

  // A slow upload (the browser's upload throttled): its progress shows, the send waits, Cancel stops it.
  const cdp = await a.context().newCDPSession(a);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: 64 * 1024,
  });
  await a.setInputFiles(tid("attach-button-input"), {
    name: "crash-logs.zip",
    mimeType: "application/zip",
    buffer: Buffer.alloc(1024 * 1024, 7),
  });
  const slow = chip(a, "crash-logs.zip");
  await eventually(
    a,
    (sel) => {
      const c = document.querySelector(sel);
      return c?.dataset.status === "uploading" && Number(c.dataset.progress) >= 10;
    },
    `${tid("upload-chip")}[data-name="crash-logs.zip"]`,
    { what: "the upload's progress to show" },
  );
  assert.match(await slow.innerText(), /\d+% of 1\.0 MB/);
  assert.equal(await slow.locator("progress").getAttribute("aria-label"), "Uploading crash-logs.zip");
  await shot(a, "composer-uploading", a.locator(tid("composer")));
  await huge.locator(tid("upload-remove")).focus();
  await a.keyboard.press("Enter");
  await huge.waitFor({ state: "detached" });
  await a.locator(tid("composer-waiting"), { hasText: "Waiting for the upload" }).waitFor();
  assert.equal(await a.isEnabled(tid("composer-send")), false, "the send waits for the upload");
  assert.equal(await slow.locator(tid("upload-remove")).getAttribute("aria-label"), "Cancel uploading crash-logs.zip");
  await slow.locator(tid("upload-remove")).click();
  await slow.waitFor({ state: "detached" });
  await announced(a, "crash-logs.zip cancelled");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: -1,
  });

  // What is left (the screenshot) goes out with the text.
  assert.equal(await a.isEnabled(tid("composer-send")), true);
  await a.click(tid("composer-send"));
  await waitForComposerCleared(a);
  const sent = a.locator(`${tid("timeline-item")}[data-kind="reply"]`, { hasText: "The logs and a recording" });
  await sent.locator(tid("attachment-thumb")).waitFor();
  assert.equal(await sent.locator(tid("attachment-file")).count(), 0, "only the screenshot was sent");

  a.assertNoErrors();
  await a.context().close();
});

test("a new conversation can start with a file alone; the inbox is fixed while files are attached", async () => {
  const a = await newPage(browser);
  await signIn(a, ADMIN);
  await a.click(tid("new-conversation"));
  await a.waitForSelector(tid("new-conversation-dialog"));
  await a.selectOption(tid("new-conversation-inbox"), inbox.id);
  await a.fill(tid("new-conversation-name"), "Katherine Johnson");
  await a.setInputFiles(tid("new-conversation-attach-input"), {
    name: "quote-4411.pdf",
    mimeType: "application/pdf",
    buffer: Buffer.from("%PDF-1.4\n%%EOF\n"),
  });
  await chip(a, "quote-4411.pdf").and(a.locator('[data-status="done"]')).waitFor();
  assert.equal(await a.isDisabled(tid("new-conversation-inbox")), true, "the files belong to this inbox");
  await shot(a, "new-conversation-file", a.locator(tid("new-conversation-dialog")));
  assert.equal(await a.isEnabled(tid("new-conversation-submit")), true, "a file alone is a message");
  await a.click(tid("new-conversation-submit"));

  await a.waitForSelector(`${tid("conversation-page")}[data-live="open"]`);
  const file = a.locator(`${tid("timeline-item")}[data-kind="reply"] ${tid("attachment-file")}`);
  await file.waitFor();
  assert.match(await file.innerText(), /quote-4411\.pdf/);
  a.assertNoErrors();
  await a.context().close();
});

test("a file that only claims to be an image is offered as a download, never shown", async () => {
  const conversationId = await startConversation(admin, inbox, { body: "Is this picture safe?" });
  const a = await newPage(browser);
  await signIn(a, ADMIN);
  await openConversation(a, conversationId);
  const fake = Buffer.from("<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>");
  await a.setInputFiles(tid("attach-button-input"), { name: "holiday.png", mimeType: "image/png", buffer: fake });
  await chip(a, "holiday.png").and(a.locator('[data-status="done"]')).waitFor();
  await a.click(tid("composer-send"));
  await waitForComposerCleared(a);

  // Whatever type the item reports, the thread ends with a download chip, not an image.
  const item = a.locator(`${tid("timeline-item")}[data-kind="reply"]`).last();
  const file = item.locator(tid("attachment-file"));
  await file.waitFor();
  assert.match(await file.innerText(), /holiday\.png/);
  assert.equal(await item.locator(`${tid("attachment-thumb")}`).count(), 0);
  const res = await a.request.get(await file.getAttribute("href"));
  assert.equal(res.status(), 200);
  assert.match(res.headers()["content-disposition"] ?? "", /^attachment/);
  a.assertNoErrors();
  await a.context().close();
});
