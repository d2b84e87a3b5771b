// Forwarding a conversation in the browser: "Forward…", addresses as chips
// (an invalid one marked), an earlier recipient picked from the suggestions by
// keyboard, Send, and the `forwarded` event in the timeline.
//
// FORWARD_SHOTS=/some/dir saves screenshots of the dialog there.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  ADMIN,
  createInbox,
  ensureWorkspace,
  eventually,
  launchBrowser,
  openConversation,
  pageAs,
  shotTo,
  startConversation,
  tid,
  waitForItem,
} from "./helpers.mjs";

let browser;
let admin;
const run = Date.now().toString(36);

before(async () => {
  admin = await ensureWorkspace();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** Waits until the element with this test id has the focus. */
const focusOn = (page, id) =>
  eventually(page, (want) => document.activeElement?.getAttribute("data-testid") === want, id, {
    what: `the focus on ${id}`,
  });

test("forward a conversation: chips, an earlier recipient suggested, the event in the timeline", async () => {
  const inbox = await createInbox(admin);
  const earlier = `alex.${run}@finance.example`;
  const id = await startConversation(admin, inbox, { name: "Ada Byron", body: `Refund ${run} please` });
  // An earlier forward makes Alex a known recipient.
  const other = await startConversation(admin, inbox, { name: "Bob", body: "Other" });
  await admin.ok("POST", `/api/conversations/${other}/forward`, { to: [earlier] }, 201);

  const page = await pageAs(browser, ADMIN);
  await openConversation(page, id);
  await page.click(tid("forward-button"));
  const dialog = page.locator(tid("forward-dialog"));
  await dialog.waitFor();
  const to = page.locator(tid("forward-to"));
  // The field has the focus, and says it suggests.
  await focusOn(page, "forward-to");
  assert.equal(await to.getAttribute("aria-autocomplete"), "list");
  assert.equal(await page.locator(tid("forward-include-notes")).isChecked(), false);

  // Something that is not an address is marked at once, and Send refuses it.
  await to.fill("not-an-address");
  await page.keyboard.press("Enter");
  await page.locator(`${tid("forward-chip")}[data-valid="false"]`).waitFor();
  assert.match(await page.locator(tid("forward-issue")).innerText(), /not-an-address is not an email address/);
  assert.equal(await to.getAttribute("aria-invalid"), "true");
  await shotTo("FORWARD_SHOTS", page, "1-invalid");
  await page.keyboard.press("Backspace");
  await page.locator(tid("forward-chip")).waitFor({ state: "detached" });

  // The earlier recipient is suggested; the keyboard picks it.
  await to.pressSequentially(`alex.${run}`);
  const suggestion = page.locator(tid("forward-suggestion"), { hasText: earlier });
  await suggestion.waitFor();
  assert.equal(await to.getAttribute("aria-expanded"), "true");
  await page.keyboard.press("ArrowDown");
  await page.locator(`${tid("forward-suggestion")}[aria-selected="true"]`, { hasText: earlier }).waitFor();
  await shotTo("FORWARD_SHOTS", page, "2-suggestion");
  await page.keyboard.press("Enter");
  await page.locator(`${tid("forward-chip")}[data-valid="true"]`, { hasText: earlier }).waitFor();

  // A second address, typed and ended with a comma.
  const second = `bo.${run}@legal.example`;
  await to.pressSequentially(`${second},`);
  await page.locator(tid("forward-chip"), { hasText: second }).waitFor();
  await page.fill(tid("forward-message"), "Can you confirm the refund?");
  await shotTo("FORWARD_SHOTS", page, "3-ready");
  await page.click(tid("forward-send"));
  await dialog.waitFor({ state: "detached" });

  await waitForItem(page, "event", `forwarded this conversation to ${earlier}, ${second}`);
  // The focus is back where it was before the dialog.
  await focusOn(page, "forward-button");
  await shotTo("FORWARD_SHOTS", page, "4-timeline");
});

test("forward: a pasted list of eleven makes ten chips and keeps the eleventh in the field, said so", async () => {
  const inbox = await createInbox(admin);
  const id = await startConversation(admin, inbox, { name: "Many Recipients", body: `Many ${run}` });
  const page = await pageAs(browser, ADMIN);
  await openConversation(page, id);
  await page.click(tid("forward-button"));
  const to = page.locator(tid("forward-to"));
  await to.waitFor();
  const list = Array.from({ length: 11 }, (_, i) => `p${i}.${run}@x.example`);
  // A paste is one input event with the whole list; a trailing space ends the last address.
  await to.evaluate(
    (el, value) => {
      const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
      set.call(el, value);
      el.dispatchEvent(new Event("input", { bubbles: true }));
    },
    `${list.join(", ")} `,
  );
  await page.locator(tid("forward-chip")).nth(9).waitFor();
  assert.equal(await page.locator(tid("forward-chip")).count(), 10);
  assert.equal(await to.inputValue(), list[10]);
  assert.match(await page.locator(tid("forward-issue")).innerText(), /At most 10 addresses/);
  // Removing one makes room: Enter adds the eleventh.
  await page.click(`[aria-label="Remove ${list[0]}"]`);
  await to.focus();
  await page.keyboard.press("End");
  await page.keyboard.press("Enter");
  await page.locator(tid("forward-chip"), { hasText: list[10] }).waitFor();
  assert.equal(await page.locator(tid("forward-chip")).count(), 10);
  assert.equal(await page.locator(tid("forward-issue")).isHidden(), true);
});
