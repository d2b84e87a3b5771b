/** The chat widget's settings: an admin sets them per inbox, the widget reads them, and the start obeys them. */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { DEFAULT_WIDGET } from "../../worker/contract";
import {
  agentWith,
  call,
  customerSees,
  customerWrites,
  expectError,
  expectStatus,
  hmacHex,
  json,
  rowCounts,
  send,
  ORIGIN,
  supportTeam,
  widgetSecret,
  type Person,
} from "./helpers";

const SHOP = "https://shop.example";
const WRITES = ["contacts", "contact_tokens", "conversations", "timeline_items"];

const setWidget = (admin: Person, inboxId: string, widget: Record<string, unknown>) =>
  call(admin.as, `/api/inboxes/${inboxId}`, { method: "PATCH", body: { widget } });

const start = (widgetKey: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  call(null, `/api/widget/${widgetKey}/conversations`, { body, headers: { origin: SHOP, ...headers } });

const config = (widgetKey: string, headers: Record<string, string> = {}) =>
  send(new Request(`${ORIGIN}/api/widget/${widgetKey}/config`, { headers: { origin: SHOP, ...headers } }));

/** The inbox's row as stored, to prove a refused change wrote nothing. */
const storedInbox = (id: string) => env.DB.prepare("SELECT * FROM inboxes WHERE id = ?").bind(id).first();

describe("an inbox's widget settings", () => {
  it("start as the defaults, and an admin changes only the settings given (the colour kept lowercase)", async () => {
    const { admin, inbox } = await supportTeam();
    expect(inbox.widget).toEqual(DEFAULT_WIDGET);

    const recoloured = await expectStatus(setWidget(admin, inbox.id, { color: "#AA33CC" }), 200);
    expect(recoloured.widget).toEqual({ ...DEFAULT_WIDGET, color: "#aa33cc" });
    const moved = await expectStatus(
      setWidget(admin, inbox.id, { greeting: "  Hej! How can we help?  ", position: "left", preChat: "required" }),
      200,
    );
    const expected = {
      color: "#aa33cc",
      greeting: "Hej! How can we help?",
      position: "left",
      preChat: "required",
      requireIdentity: false,
    };
    expect(moved.widget).toEqual(expected);
    expect(moved.name).toBe(inbox.name);
    const listed = (await json(admin.as, "/api/inboxes")).items.find((i) => i.id === inbox.id);
    expect(listed?.widget).toEqual(expected);
    expect(await storedInbox(inbox.id)).toMatchObject({ widget_color: "#aa33cc" });
    // An empty change changes nothing and is no error.
    expect((await expectStatus(setWidget(admin, inbox.id, {}), 200)).widget).toEqual(expected);
  });

  it("refuses a bad colour, a long greeting or an unknown setting with 400 naming the field, writing nothing", async () => {
    const { admin, inbox } = await supportTeam();
    const before = await storedInbox(inbox.id);
    const refusals: [Record<string, unknown>, string[]][] = [
      [{ color: "red" }, ["widget", "color"]],
      [{ color: "#12345" }, ["widget", "color"]],
      [{ greeting: "x".repeat(301) }, ["widget", "greeting"]],
      [{ position: "top" }, ["widget", "position"]],
      [{ preChat: "always" }, ["widget", "preChat"]],
      [{ requireIdentity: "yes" }, ["widget", "requireIdentity"]],
      [{ colour: "#2f6fed" }, ["widget"]],
    ];
    for (const [widget, path] of refusals) {
      const error = await expectError(setWidget(admin, inbox.id, widget), 400, "validation_failed");
      expect(
        error.details.map((d) => d.path),
        JSON.stringify(widget),
      ).toContainEqual(path);
    }
    // One bad setting spoils the whole change.
    await expectError(setWidget(admin, inbox.id, { greeting: "Fine", color: "blue" }), 400, "validation_failed");
    expect(await storedInbox(inbox.id)).toEqual(before);
  });

  it("are changed by admins only", async () => {
    const { admin, inbox } = await supportTeam();
    const agent = await agentWith(admin, inbox.id, "reply");
    const before = await storedInbox(inbox.id);
    await expectError(setWidget(agent, inbox.id, { color: "#000000" }), 403, "forbidden");
    expect(await storedInbox(inbox.id)).toEqual(before);
  });
});

describe("the widget's public config", () => {
  it("gives any site the settings and the inbox's name, and an admin's change on the very next load", async () => {
    const { admin, inbox } = await supportTeam("Help Desk");
    const first = await config(inbox.widgetKey);
    expect(first.status).toBe(200);
    expect(first.headers.get("access-control-allow-origin")).toBe("*");
    // Cached, but revalidated on every load: a changed setting is never served stale.
    expect(first.headers.get("cache-control")).toContain("no-cache");
    const body = await expectStatus(call(null, `/api/widget/${inbox.widgetKey}/config`), 200);
    expect(body).toEqual({ ...DEFAULT_WIDGET, inboxName: "Help Desk" });

    const tag = first.headers.get("etag")!;
    expect(tag).toBeTruthy();
    const unchanged = await config(inbox.widgetKey, { "if-none-match": tag });
    expect(unchanged.status).toBe(304);

    await expectStatus(setWidget(admin, inbox.id, { color: "#111111", position: "left" }), 200);
    const changed = await config(inbox.widgetKey, { "if-none-match": tag });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ color: "#111111", position: "left", inboxName: "Help Desk" });
  });

  it("answers an unknown widget key with 404 in the error shape, readable by the site", async () => {
    await supportTeam();
    const res = await config("wk_nope");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    await expectError(res, 404, "not_found");
  });
});

describe("pre-chat required", () => {
  it("asks for both name and email before a chat starts (400 naming the field), and writes nothing", async () => {
    const { admin, inbox } = await supportTeam();
    await expectStatus(setWidget(admin, inbox.id, { preChat: "required" }), 200);
    const before = await rowCounts(...WRITES);
    const noEmail = await expectError(start(inbox.widgetKey, { name: "Cara", body: "Hi" }), 400, "validation_failed");
    expect(noEmail.details).toEqual([expect.objectContaining({ path: ["email"] })]);
    const nothing = await expectError(start(inbox.widgetKey, { body: "Hi" }), 400, "validation_failed");
    expect(nothing.details.map((d) => d.path)).toEqual([["name"], ["email"]]);
    expect(await rowCounts(...WRITES)).toEqual(before);

    await expectStatus(start(inbox.widgetKey, { name: "Cara", email: "cara@example.com", body: "Hi" }), 201);
    // Optional (the default) and off let a visitor write straight away.
    await expectStatus(setWidget(admin, inbox.id, { preChat: "off" }), 200);
    await expectStatus(start(inbox.widgetKey, { body: "Hi again" }), 201);
  });
});

describe("identity required", () => {
  it("refuses an unidentified start with 403 and a wrong hash too, writing nothing; a verified one starts", async () => {
    const { admin, inbox } = await supportTeam();
    await expectStatus(setWidget(admin, inbox.id, { requireIdentity: true }), 200);
    const before = await rowCounts(...WRITES);
    const anonymous = await expectError(start(inbox.widgetKey, { name: "Cara", body: "Hi" }), 403, "forbidden");
    expect(anonymous.message).toMatch(/^This inbox requires identity verification/);
    const forged = { userId: "user-42", hash: "0".repeat(64) };
    await expectError(start(inbox.widgetKey, { body: "Hi", identity: forged }), 403, "forbidden");
    expect(await rowCounts(...WRITES)).toEqual(before);

    const hash = await hmacHex(await widgetSecret(inbox.id), "user-42");
    await expectStatus(start(inbox.widgetKey, { body: "Hi", identity: { userId: "user-42", hash } }), 201);
  });

  it("keeps a chat started before it was required: the contact token still reads and writes", async () => {
    const { admin, inbox } = await supportTeam();
    const started = await expectStatus(start(inbox.widgetKey, { name: "Cara", body: "Hi" }), 201);
    await expectStatus(setWidget(admin, inbox.id, { requireIdentity: true }), 200);
    await expectStatus(customerWrites(started.contactToken, started.conversationId, "Still there?"), 201);
    const seen = await customerSees(started.contactToken, started.conversationId);
    expect(seen.items.map((i) => i.body)).toEqual(["Hi", "Still there?"]);
  });
});
