// Realtime collaboration, with two agents in two browsers (own cookies each):
// presence avatars and the typing ring, live drafts, the list's presence
// markers, items and changes arriving without reload, the live list, the
// collision guard with live items, and catching up after a lost connection.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  ADMIN,
  Api,
  createAgent,
  createInbox,
  customer,
  ensureWorkspace,
  eventually,
  launchBrowser,
  listRow,
  newPage,
  openConversation,
  signIn,
  tid,
  timelineTexts,
  WAIT,
  waitForItem,
} from "./helpers.mjs";

let browser;
let admin;
let inbox;
let ada; // the admin, agent A
let bea; // agent B, reply access to the inbox
before(async () => {
  admin = await ensureWorkspace();
  inbox = await createInbox(admin, `Live chat ${Date.now().toString(36)}`);
  ada = (await admin.ok("GET", "/api/me")).user;
  bea = await createAgent(admin, "Bea Wong", { [inbox.id]: "reply" });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** Both agents signed in, each in their own browser context. */
async function twoAgents() {
  const a = await newPage(browser);
  const b = await newPage(browser);
  if (process.env.RT_DEBUG) {
    const t0 = Date.now();
    for (const [who, page] of [
      ["A", a],
      ["B", b],
    ]) {
      page.on("websocket", (ws) => {
        const tag = `${who} ${ws.url().includes("/api/live") ? "list" : "room"}`;
        ws.on(
          "framereceived",
          (f) =>
            f.payload !== '{"type":"pong"}' &&
            console.log(`${Date.now() - t0} ${tag} < ${String(f.payload).slice(0, 200)}`),
        );
        ws.on(
          "framesent",
          (f) =>
            f.payload !== '{"type":"ping"}' &&
            console.log(`${Date.now() - t0} ${tag} > ${String(f.payload).slice(0, 200)}`),
        );
        ws.on("close", () => console.log(`${Date.now() - t0} ${tag} closed`));
      });
    }
  }
  await signIn(a, ADMIN);
  await signIn(b, bea);
  return { a, b };
}

/** A conversation started by the customer through the widget (rate-limited per address: only where the customer speaks). */
async function startChat(body = "Hi! My parcel never arrived.") {
  return customer.start(inbox.widgetKey, { name: "Grace Hopper", email: `grace.${Date.now()}@example.com`, body });
}

/** A conversation started by an agent through the API: `{ conversationId }`. */
async function startConversation(body, as = admin) {
  const conversation = await as.ok(
    "POST",
    "/api/conversations",
    { inboxId: inbox.id, contact: { name: "Grace Hopper", email: `grace.${Date.now()}@example.com` }, body },
    201,
  );
  return { conversationId: conversation.id };
}

/**
 * How long a live change may take to show. The product aims at well under a
 * second; the margin is for busy test machines (each wait returns as soon as the change shows).
 */
const SOON = WAIT;

const avatarOf = (page, userId) =>
  page.locator(`${tid("presence-bar")} ${tid("presence-avatar")}[data-user-id="${userId}"]`);
const draftOf = (page, userId) => page.locator(`${tid("draft-preview")}[data-user-id="${userId}"]`);

test("two agents see each other, the typing ring and the live draft; presence clears when they stop or leave", async () => {
  const { a, b } = await twoAgents();
  const { conversationId } = await startConversation("Following up on your parcel.");
  await openConversation(a, conversationId);
  await openConversation(b, conversationId);

  // Each sees the other (never themselves).
  await avatarOf(a, bea.id).waitFor();
  assert.equal(await avatarOf(a, bea.id).getAttribute("data-state"), "viewing");
  assert.equal(await avatarOf(a, ada.id).count(), 0, "no avatar for yourself");
  await avatarOf(b, ada.id).waitFor();
  assert.match(await a.innerText(tid("presence-text")), /Bea is also here/);

  // B types: while they do, A sees the red ring, "is typing…" and the draft as it grows.
  const draft = "Hi Grace, I'm checking with the courier right now.";
  const typing = b.locator(tid("composer-input")).pressSequentially(draft, { delay: 60 });
  await a
    .locator(`${tid("presence-avatar")}[data-user-id="${bea.id}"][data-state="typing"]`)
    .waitFor({ timeout: SOON });
  await a.locator(tid("presence-text"), { hasText: "Bea is typing" }).waitFor({ timeout: SOON });
  await draftOf(a, bea.id)
    .locator(tid("draft-label"), { hasText: "Bea is writing a reply" })
    .waitFor({ timeout: SOON });
  await typing;
  await eventually(
    a,
    ([sel, text]) => document.querySelector(sel)?.textContent === text,
    [`${tid("draft-preview")}[data-user-id="${bea.id}"] ${tid("draft-body")}`, draft],
    {
      what: "B's whole draft on A's page",
    },
  );
  assert.equal(await draftOf(b, bea.id).count(), 0, "B does not see their own draft as someone else's");

  // B pauses: after a few idle seconds they are viewing again; the draft stays, labelled as unsent.
  await a
    .locator(`${tid("presence-avatar")}[data-user-id="${bea.id}"][data-state="viewing"]`)
    .waitFor({ timeout: 4000 + SOON });
  await draftOf(a, bea.id)
    .locator(tid("draft-label"), { hasText: "Bea has an unsent draft" })
    .waitFor({ timeout: SOON });

  // B empties the box: the draft and the ring go within a second or two.
  await b.fill(tid("composer-input"), "");
  await draftOf(a, bea.id).waitFor({ state: "detached", timeout: SOON });
  await a
    .locator(`${tid("presence-avatar")}[data-user-id="${bea.id}"][data-state="viewing"]`)
    .waitFor({ timeout: SOON });

  // B writes again and leaves: A's view of them clears.
  await b.locator(tid("composer-input")).pressSequentially("Back in a sec", { delay: 10 });
  await draftOf(a, bea.id).waitFor({ timeout: SOON });
  await b.click(tid("back"));
  await b.waitForSelector(tid("inbox-page"));
  await draftOf(a, bea.id).waitFor({ state: "detached", timeout: SOON });
  await avatarOf(a, bea.id).waitFor({ state: "detached", timeout: SOON });
  assert.equal(await a.locator(tid("presence-bar")).count(), 0, "nobody else here: no bar");
  a.assertNoErrors();
  b.assertNoErrors();
});

test("the list marks conversations others have open: yellow while viewing, red while typing, named on hover", async () => {
  const { a, b } = await twoAgents();
  const { conversationId } = await startConversation("About the blue one you asked for.");
  await a.goto(`/?inbox=${inbox.id}`);
  const row = listRow(a, conversationId);
  await row.waitFor();
  assert.equal(await row.locator(tid("presence-marker")).count(), 0);

  // B opens it: yellow.
  await openConversation(b, conversationId);
  const marker = row.locator(tid("presence-marker"));
  await marker.waitFor({ timeout: SOON });
  assert.equal(await marker.getAttribute("data-state"), "viewing");
  assert.match(await marker.getAttribute("title"), /Bea Wong is viewing/);

  // B types: red while they do, and hovering names them.
  const typing = b
    .locator(tid("composer-input"))
    .pressSequentially("It is, since Monday! All sizes again.", { delay: 60 });
  await row.locator(`${tid("presence-marker")}[data-state="typing"]`).waitFor({ timeout: SOON });
  await marker.hover();
  assert.match(await marker.getAttribute("title"), /Bea Wong is typing/);
  assert.match(await marker.innerText(), /Bea\s+typing/);
  await typing;

  // A's own presence never marks a row: A opens it in another tab of the same session…
  const a2 = await a.context().newPage();
  await openConversation(a2, conversationId);
  assert.doesNotMatch(await marker.getAttribute("title"), /Ada/, "your own presence is not a marker");

  // …and when B leaves, the marker clears although A's second tab still has the conversation open.
  await b.close();
  await marker.waitFor({ state: "detached", timeout: SOON });
  assert.equal(await a2.locator(`${tid("conversation-page")}[data-id="${conversationId}"]`).count(), 1);
  await a2.close();
  a.assertNoErrors();
});

test("items and changes arrive live on every open page, each exactly once", async () => {
  const { a, b } = await twoAgents();
  const { conversationId, contactToken } = await startChat("Can I return shoes I wore once?");
  await openConversation(a, conversationId);
  await openConversation(b, conversationId);

  // A customer message through the widget API reaches both pages without reload.
  await customer.say(conversationId, contactToken, "They are a size too small.");
  await waitForItem(a, "customer", "a size too small");
  await waitForItem(b, "customer", "a size too small");

  // A replies; B sees it live; nobody sees it twice.
  await a.fill(tid("composer-input"), "Of course — we'll send a return label.");
  await a.click(tid("composer-send"));
  await waitForItem(b, "reply", "send a return label");
  await waitForItem(a, "reply", "send a return label");
  for (const page of [a, b]) {
    const seqs = await page
      .locator(`${tid("timeline")} ${tid("timeline-item")}`)
      .evaluateAll((els) => els.map((e) => Number(e.dataset.seq)));
    assert.deepEqual(
      seqs,
      [...seqs].sort((x, y) => x - y),
      "in order",
    );
    assert.equal(new Set(seqs).size, seqs.length, "nothing shown twice");
    assert.equal((await timelineTexts(page, "reply")).length, 1);
  }

  // A resolves: B's header follows without reload.
  await a.click(tid("resolve-button"));
  await b.waitForSelector(`${tid("conversation-page")}[data-status="resolved"]`, { timeout: SOON });
  assert.equal(
    await b
      .locator(`${tid("conversation-page")} ${tid("status-badge")}`)
      .first()
      .getAttribute("data-status"),
    "resolved",
  );
  assert.equal(await b.getAttribute(tid("resolve-button"), "data-action"), "reopen");
  await waitForItem(b, "event", "resolved the conversation");

  // The customer writes again: it reopens, and B's header follows that too.
  await customer.say(conversationId, contactToken, "One more thing!");
  await b.waitForSelector(`${tid("conversation-page")}[data-status="open"]`, { timeout: SOON });
  await waitForItem(b, "customer", "One more thing!");
  a.assertNoErrors();
  b.assertNoErrors();
});

test("the list follows the stream: new conversations appear, new activity moves up, resolved ones leave All open", async () => {
  const a = await newPage(browser);
  await signIn(a, ADMIN);
  const older = await startConversation("First question.");
  const newer = await startConversation("Second question.");
  await a.goto(`/?inbox=${inbox.id}`);
  await listRow(a, newer.conversationId).waitFor();
  const ids = () => a.locator(tid("conversation-row")).evaluateAll((els) => els.map((e) => e.dataset.id));
  assert.equal((await ids())[0], newer.conversationId);

  // A new widget conversation appears at the top.
  const fresh = await startChat("Brand new here!");
  await listRow(a, fresh.conversationId).waitFor({ timeout: SOON });
  assert.equal((await ids())[0], fresh.conversationId);

  // New activity on the older one moves it to the top, with its new preview.
  await admin.ok(
    "POST",
    `/api/conversations/${older.conversationId}/messages`,
    { kind: "reply", body: "Any news on my first question?" },
    201,
  );
  await eventually(
    a,
    ([sel, id]) => document.querySelector(sel)?.dataset.id === id,
    [tid("conversation-row"), older.conversationId],
    {
      what: "the older conversation to move to the top",
    },
  );
  await listRow(a, older.conversationId).filter({ hasText: "Any news on my first question" }).waitFor();

  // Resolved elsewhere (by B through the API): it leaves All open.
  const beaApi = await Api.signedIn(bea);
  await beaApi.ok("PATCH", `/api/conversations/${fresh.conversationId}`, { status: "resolved" }, 200);
  await listRow(a, fresh.conversationId).waitFor({ state: "detached", timeout: SOON });

  // …and shows up live under Resolved for whoever looks at that view.
  await a.click(tid("view-resolved"));
  await listRow(a, fresh.conversationId).waitFor();
  await beaApi.ok("PATCH", `/api/conversations/${newer.conversationId}`, { status: "resolved" }, 200);
  await listRow(a, newer.conversationId).waitFor({ timeout: SOON });
  a.assertNoErrors();
});

test("a reply that arrived live while typing still asks before sending", async () => {
  const { a, b } = await twoAgents();
  const { conversationId } = await startConversation("Thanks for asking about price-matching.");
  await openConversation(a, conversationId);
  await openConversation(b, conversationId);

  await a.locator(tid("composer-input")).pressSequentially("Let me check our policy", { delay: 5 });
  // Meanwhile B answers; it shows up live in A's thread…
  await b.fill(tid("composer-input"), "Yes, within 14 days of purchase.");
  await b.click(tid("composer-send"));
  await waitForItem(a, "reply", "within 14 days");

  // …and A's send still asks first, naming B.
  await a.click(tid("composer-send"));
  const dialog = a.locator(tid("collision-dialog"));
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /Bea Wong replied while you were typing/);
  await a.click(tid("collision-review"));
  await dialog.waitFor({ state: "detached" });
  assert.equal(await a.inputValue(tid("composer-input")), "Let me check our policy");
  assert.equal(
    (await timelineTexts(a, "reply")).filter((t) => t.includes("within 14 days")).length,
    1,
    "the live reply is shown once",
  );

  // Reviewed: the next send goes through.
  await a.fill(tid("composer-input"), "As Bea says — just send us the link.");
  await a.click(tid("composer-send"));
  await waitForItem(a, "reply", "just send us the link");
  assert.equal(await a.locator(tid("collision-dialog")).count(), 0);
  a.assertNoErrors();
  b.assertNoErrors();
});

test("after a lost connection the page catches up: what was missed appears exactly once", async () => {
  const a = await newPage(browser);
  await signIn(a, ADMIN);
  const { conversationId, contactToken } = await startChat("Hello from a flaky train.");
  await openConversation(a, conversationId);

  await a.context().setOffline(true);
  await a.waitForSelector(tid("offline-banner"), { timeout: 30_000 });
  assert.match(await a.innerText(tid("offline-banner")), /Reconnecting… changes will appear when you're back/);
  await customer.say(conversationId, contactToken, "Said while you were offline.");
  await customer.say(conversationId, contactToken, "And once more.");

  await a.context().setOffline(false);
  await a.waitForSelector(`${tid("conversation-page")}[data-live="open"]`, { timeout: 30_000 });
  await a.locator(tid("offline-banner")).waitFor({ state: "detached" });
  await waitForItem(a, "customer", "And once more.");
  const texts = await timelineTexts(a, "customer");
  assert.equal(texts.filter((t) => t.includes("Said while you were offline.")).length, 1);
  assert.equal(texts.filter((t) => t.includes("And once more.")).length, 1);
  const timeline = await admin.ok("GET", `/api/conversations/${conversationId}/timeline?after=0`);
  const seqs = await a
    .locator(`${tid("timeline")} ${tid("timeline-item")}`)
    .evaluateAll((els) => els.map((e) => Number(e.dataset.seq)));
  assert.deepEqual(
    seqs,
    timeline.items.map((i) => i.seq),
    "the page holds exactly the server's thread",
  );
  a.assertNoErrors();
});

test("after a lost connection the list re-reads what changed meanwhile", async () => {
  const a = await newPage(browser);
  await signIn(a, ADMIN);
  const before = await startConversation("Before the tunnel.");
  await a.goto(`/?inbox=${inbox.id}`);
  await listRow(a, before.conversationId).waitFor();

  await a.context().setOffline(true);
  await a.waitForSelector(tid("list-offline"), { timeout: 30_000 });
  // Written while offline: nothing can reach the page until it is back (the banner shows it knows).
  const during = await startConversation("Written while the agent was in a tunnel.", await Api.signedIn(bea));
  assert.equal(await listRow(a, during.conversationId).count(), 0);

  await a.context().setOffline(false);
  await listRow(a, during.conversationId).waitFor({ timeout: 30_000 });
  await a.locator(tid("list-offline")).waitFor({ state: "detached" });
  const ids = await a.locator(tid("conversation-row")).evaluateAll((els) => els.map((e) => e.dataset.id));
  assert.equal(ids[0], during.conversationId);
  assert.equal(new Set(ids).size, ids.length, "no row twice");
  a.assertNoErrors();
});

test("a link that goes silent without the browser noticing is detected, and the page catches up", async () => {
  const a = await newPage(browser);
  await signIn(a, ADMIN);
  const { conversationId, contactToken } = await startChat("Hello from a hotel wifi.");
  // The first room connection goes dark at our command: nothing passes either way, nothing closes.
  let dark = false;
  let connections = 0;
  await a.routeWebSocket(/\/api\/conversations\/[^/]+\/live$/, (page) => {
    const first = ++connections === 1;
    const server = page.connectToServer();
    page.onMessage((m) => !(first && dark) && server.send(m));
    server.onMessage((m) => !(first && dark) && page.send(m));
    server.onClose(() => {}); // the server's sweep must not tip the page off
  });
  await openConversation(a, conversationId);
  // Record the page's link states (the offline spell can be too short to catch by polling).
  await a.evaluate((sel) => {
    const el = document.querySelector(sel);
    window.__live = [el.dataset.live];
    new MutationObserver(() => window.__live.push(el.dataset.live)).observe(el, {
      attributes: true,
      attributeFilter: ["data-live"],
    });
  }, tid("conversation-page"));
  dark = true;
  await customer.say(conversationId, contactToken, "Did my message get through?");

  // Pings go unanswered: within a few heartbeats the page gives up on the link and reconnects.
  await waitForItem(a, "customer", "Did my message get through?");
  const states = await a.evaluate(() => window.__live);
  assert.deepEqual(
    states.filter((s, i) => s !== states[i - 1]),
    ["open", "offline", "open"],
  );
  assert.equal((await timelineTexts(a, "customer")).filter((t) => t.includes("Did my message get through?")).length, 1);
  assert.ok(connections >= 2, "it reconnected");
  a.assertNoErrors();
});
