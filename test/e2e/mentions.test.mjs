// @mentions end to end, two agents in their own browsers: A mentions B in a
// note through the composer's autocomplete; B gets a toast within a second,
// opens the conversation from it, sees the note with the mention, follows it
// and finds it under Mentioned. Then A inserts a saved reply (placeholders
// filled) into a reply — B sees it live as A's draft — and sends it.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  Api,
  createAgent,
  createInbox,
  ensureWorkspace,
  launchBrowser,
  openConversation,
  pageAs,
  startConversation,
  tid,
  waitForItem,
  waitForListStream,
  waitForToast,
} from "./helpers.mjs";

let browser;
let admin;
let inbox;
const run = Date.now().toString(36);

before(async () => {
  admin = await ensureWorkspace();
  inbox = await createInbox(admin);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** Resolves with the response of the page's next POST of a message. */
const nextMessagePost = (page) =>
  page.waitForResponse(
    (r) => r.request().method() === "POST" && /\/api\/conversations\/[^/]+\/messages$/.test(new URL(r.url()).pathname),
  );

test("a mention picked in the note composer notifies, opens, follows and lists; a saved reply goes out filled in", async (t) => {
  const amos = await createAgent(admin, "Amos Writer", { [inbox.id]: "reply" });
  const bea = await createAgent(admin, "Beatrix Quill", { [inbox.id]: "reply" });
  const id = await startConversation(admin, inbox, {
    name: "Nora Contact",
    body: "My invoice shows the wrong address.",
  });
  const saved = await admin.ok(
    "POST",
    "/api/saved-replies",
    { name: `Warm greeting ${run}`, body: "Hi {{contact.name}}, thanks for writing in! {{agent.first_name}} here." },
    201,
  );

  const a = await pageAs(browser, amos);
  const b = await pageAs(browser, bea);
  await waitForListStream(b);
  await openConversation(a, id);

  // A: Note tab, "@Beat", pick Beatrix from the list, finish the sentence.
  await a.click(tid("composer-tab-note"));
  const input = a.locator(tid("composer-input"));
  await input.click();
  await input.pressSequentially("Could you check this one, @Beat");
  const option = a.locator(`${tid("mention-popup")} ${tid("mention-option")}[data-user-id="${bea.id}"]`);
  await option.waitFor();
  assert.equal(
    await a.locator(`${tid("mention-popup")} ${tid("mention-option")}[data-user-id="${amos.id}"]`).count(),
    0,
    "you can't mention yourself",
  );
  await option.click();
  await a.locator(tid("mention-popup")).waitFor({ state: "detached" });
  assert.equal(await input.inputValue(), "Could you check this one, @Beatrix Quill ");
  await input.pressSequentially("about the address?");
  const note = "Could you check this one, @Beatrix Quill about the address?";

  const posted = nextMessagePost(a);
  await a.click(tid("composer-send"));
  const response = await posted;
  assert.equal(response.status(), 201);
  assert.deepEqual(response.request().postDataJSON().mentions, [bea.id], "the note carries the picked mention");

  // B, on the list: a toast pushed live (no reload), with a way to open the conversation.
  const toast = b.locator(`${tid("toast")}[data-kind="mention"]`);
  await waitForToast(t, toast);
  assert.match(await toast.innerText(), /Amos Writer mentioned you/);
  const open = toast.locator(tid("toast-open"));
  assert.match(await open.innerText(), /Open conversation/);
  await open.click();
  await b.waitForSelector(`${tid("conversation-page")}[data-id="${id}"]`);
  assert.equal(new URL(b.url()).pathname, `/conversations/${id}`);

  // The note, with the mention picked out (in both browsers).
  await waitForItem(b, "note", "about the address?");
  const bNote = b.locator(`${tid("timeline-item")}[data-kind="note"]`, { hasText: "about the address?" });
  assert.equal(await bNote.locator(".tl-bubble").innerText(), note);
  await bNote.locator(`${tid("note-mention")}[data-user-id="${bea.id}"]`, { hasText: "@Beatrix Quill" }).waitFor();
  await a
    .locator(`${tid("timeline-item")}[data-kind="note"] ${tid("note-mention")}[data-user-id="${bea.id}"]`)
    .waitFor();

  // A has reply access, so the mention made B a follower: the panel lists them.
  const panel = b.locator(tid("details-panel"));
  await panel.locator(`${tid("follower")}[data-user-id="${bea.id}"]`).waitFor();
  assert.equal(await panel.locator(`${tid("follow-toggle")}[data-following="true"]`).count(), 1);
  await a.locator(`${tid("details-panel")} ${tid("follower")}[data-user-id="${bea.id}"]`).waitFor();

  // And the conversation is under B's Mentioned view.
  const asBea = await Api.signedIn(bea);
  const mentioned = await asBea.ok("GET", "/api/conversations?view=mentioned");
  assert.ok(
    mentioned.items.some((c) => c.id === id),
    "listed under Mentioned",
  );
  if ((await b.locator(tid("view-mentioned")).count()) > 0) {
    await b.click(tid("view-mentioned"));
    await b
      .locator(`${tid("inbox-page")}[data-view="mentioned"] ${tid("conversation-row")}[data-id="${id}"]`)
      .waitFor();
    await b.goBack();
    await b.waitForSelector(`${tid("conversation-page")}[data-id="${id}"][data-live="open"]`);
  } else {
    t.diagnostic("the sidebar offers no Mentioned view yet: checked through the API only");
  }

  // A: a saved reply into the Reply tab, placeholders filled for this contact and agent.
  await a.click(tid("composer-tab-reply"));
  assert.equal(await input.inputValue(), "", "the reply draft is separate from the sent note");
  await a.click(tid("saved-replies-button"));
  await a.fill(tid("saved-reply-picker-input"), `greeting ${run}`);
  await a.click(`${tid("saved-reply-picker")} ${tid("picker-option")}[data-id="${saved.id}"]`);
  await a.locator(tid("saved-reply-picker")).waitFor({ state: "detached" });
  const reply = "Hi Nora Contact, thanks for writing in! Amos here.";
  assert.equal(await input.inputValue(), reply);
  // The insert went through the composer's edit(): B sees it as A's live draft.
  await b
    .locator(`${tid("draft-preview")}[data-user-id="${amos.id}"] ${tid("draft-body")}`, { hasText: reply })
    .waitFor();

  await a.click(tid("composer-send"));
  await waitForItem(a, "reply", reply);
  await waitForItem(b, "reply", reply);
  await b.locator(`${tid("draft-preview")}[data-user-id="${amos.id}"]`).waitFor({ state: "detached" });
  const { items } = await admin.ok("GET", `/api/conversations/${id}/timeline`);
  assert.ok(
    items.some((i) => i.kind === "reply" && i.body === reply),
    "the reply went out with the placeholders filled",
  );
  assert.ok(items.some((i) => i.kind === "note" && i.body === note));

  a.assertNoErrors();
  b.assertNoErrors();
});

test("a note-only author's mention notifies without adding a follower; the popup keeps to people who see the inbox", async () => {
  const nell = await createAgent(admin, "Nell Noteonly", { [inbox.id]: "note" });
  const bo = await createAgent(admin, "Bo Reader", { [inbox.id]: "view" });
  const outsider = await createAgent(admin, "Bobby Elsewhere");
  const id = await startConversation(admin, inbox, { name: "Omar", body: "Is there a student discount?" });

  const page = await pageAs(browser, nell);
  await openConversation(page, id);
  assert.equal(await page.getAttribute(tid("composer"), "data-kind"), "note");
  const input = page.locator(tid("composer-input"));
  await input.click();
  await input.pressSequentially("@Bo");
  await page.locator(`${tid("mention-option")}[data-user-id="${bo.id}"]`).waitFor();
  assert.equal(
    await page.locator(`${tid("mention-option")}[data-user-id="${outsider.id}"]`).count(),
    0,
    "no access, no mention",
  );
  // Keyboard: Enter picks the highlighted person instead of adding a line; Ctrl+Enter still sends.
  await input.press("Enter");
  assert.equal(await input.inputValue(), "@Bo Reader ");
  await input.pressSequentially("see above");
  const posted = nextMessagePost(page);
  await input.press("Control+Enter");
  assert.deepEqual((await posted).request().postDataJSON().mentions, [bo.id]);
  await waitForItem(page, "note", "see above");

  const after = await admin.ok("GET", `/api/conversations/${id}`);
  assert.ok(!after.followers.some((f) => f.id === bo.id), "a note-only author's mention adds no follower");
  const { items } = await (await Api.signedIn(bo)).ok("GET", "/api/notifications");
  assert.ok(
    items.some((n) => n.kind === "mention" && n.conversationId === id),
    "but it notifies",
  );
  page.assertNoErrors();
});
