import { beforeEach, describe, expect, it } from "vitest";
import {
  call,
  expectError,
  json,
  ORIGIN,
  PASSWORD,
  rowCounts,
  send,
  startConversation,
  supportTeam,
  type As,
  type Call,
  type Person,
} from "./helpers";

/** Every table a refused request could have written to. */
const TABLES = [
  "users",
  "sessions",
  "api_tokens",
  "inboxes",
  "inbox_access",
  "contacts",
  "contact_tokens",
  "conversations",
  "timeline_items",
];

interface Bad extends Call {
  /** What is wrong, for the failure message. */
  why: string;
  as?: As;
  path: string;
  status?: number;
  code?: string;
}

let admin: Person;
let inbox: { id: string; widgetKey: string };
let conversation: { id: string; contactToken: string };

beforeEach(async () => {
  ({ admin, inbox } = await supportTeam());
  conversation = await startConversation(inbox.widgetKey);
});

/** Sends each bad request and expects a 4xx in the contract's error shape that wrote nothing. */
async function expectAllRefused(cases: Bad[]) {
  for (const bad of cases) {
    const before = await rowCounts(...TABLES);
    const res = await call(bad.as === undefined ? admin.as : bad.as, bad.path, bad);
    const text = await res.text();
    const label = `${bad.why}: ${res.status} ${text}`;
    expect(res.status, label).toBe(bad.status ?? 400);
    expect(res.headers.get("content-type"), label).toMatch(/^application\/json/);
    const body = JSON.parse(text);
    expect(Object.keys(body), label).toEqual(["error"]);
    expect(body.error.code, label).toBe(bad.code ?? "validation_failed");
    expect(typeof body.error.message, label).toBe("string");
    expect(
      Object.keys(body.error).every((k) => ["code", "message", "details"].includes(k)),
      label,
    ).toBe(true);
    expect(await rowCounts(...TABLES), `${bad.why} wrote something`).toEqual(before);
  }
}

const messages = () => `/api/conversations/${conversation.id}/messages`;

describe("malformed and unexpected bodies", () => {
  it("refuses bodies that are not a JSON object of the right shape", async () => {
    await expectAllRefused([
      { why: "malformed JSON", path: messages(), body: '{"kind":"reply","body":' },
      { why: "trailing garbage", path: messages(), body: '{"kind":"reply","body":"hi"} x' },
      { why: "empty body", path: messages(), method: "POST", body: "" },
      { why: "whitespace-only body", path: messages(), body: "  \n\t " },
      { why: "JSON null", path: messages(), body: "null" },
      { why: "JSON array", path: messages(), body: '[{"kind":"reply","body":"hi"}]' },
      { why: "JSON string", path: messages(), body: '"hi"' },
      { why: "JSON number", path: messages(), body: "42" },
      {
        why: "text/plain body",
        path: messages(),
        body: { kind: "note", body: "hi" },
        headers: { "content-type": "text/plain" },
      },
      {
        why: "form body",
        path: messages(),
        body: "kind=note&body=hi",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      },
      { why: "missing body field", path: messages(), body: { kind: "reply" } },
      { why: "missing kind", path: messages(), body: { body: "hi" } },
      { why: "unknown field", path: messages(), body: { kind: "reply", body: "hi", visibility: "public" } },
      { why: "body of the wrong type", path: messages(), body: { kind: "reply", body: 42 } },
      { why: "body null", path: messages(), body: { kind: "reply", body: null } },
      { why: "empty message", path: messages(), body: { kind: "reply", body: "" } },
      { why: "whitespace-only message", path: messages(), body: { kind: "note", body: " \n\t  " } },
      { why: "message too long", path: messages(), body: { kind: "reply", body: "x".repeat(20_001) } },
      { why: "agents cannot post as the customer", path: messages(), body: { kind: "customer", body: "hi" } },
      { why: "agents cannot post events", path: messages(), body: { kind: "event", body: "hi" } },
      { why: "unknown kind", path: messages(), body: { kind: "shout", body: "hi" } },
      { why: "negative lastSeenSeq", path: messages(), body: { kind: "reply", body: "hi", lastSeenSeq: -1 } },
      { why: "fractional lastSeenSeq", path: messages(), body: { kind: "reply", body: "hi", lastSeenSeq: 1.5 } },
      { why: "string lastSeenSeq", path: messages(), body: { kind: "reply", body: "hi", lastSeenSeq: "1" } },
      { why: "null lastSeenSeq", path: messages(), body: { kind: "reply", body: "hi", lastSeenSeq: null } },
      { why: "string force", path: messages(), body: { kind: "reply", body: "hi", force: "yes" } },
      { why: "mentions not a list", path: messages(), body: { kind: "note", body: "hi", mentions: "us_1" } },
    ]);
  });

  it("names the offending fields in details", async () => {
    const error = await expectError(
      call(admin.as, messages(), { body: { kind: "shout", body: "", colour: "red" } }),
      400,
      "validation_failed",
    );
    const paths = error.details.map((d) => d.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["kind", "body"]));
    expect(JSON.stringify(error.details)).toContain("colour");
  });

  it("refuses bodies over 64 KiB with 413 payload_too_large, whether or not their length is announced", async () => {
    const huge = { kind: "note", body: "x".repeat(70 * 1024) };
    await expectAllRefused([
      { why: "65 KiB note", path: messages(), body: huge, status: 413, code: "payload_too_large" },
      {
        why: "65 KiB widget message",
        as: { bearer: conversation.contactToken },
        path: messages().replace("/api/", "/api/widget/"),
        body: { body: huge.body },
        status: 413,
        code: "payload_too_large",
      },
      {
        why: "65 KiB login",
        as: null,
        path: "/api/auth/login",
        body: { email: admin.email, password: huge.body },
        headers: { origin: ORIGIN },
        status: 413,
        code: "payload_too_large",
      },
    ]);

    const before = await rowCounts(...TABLES);
    const bytes = new TextEncoder().encode(JSON.stringify(huge));
    const streamed = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 8192) controller.enqueue(bytes.slice(i, i + 8192));
        controller.close();
      },
    });
    const res = await send(
      new Request(`${ORIGIN}${messages()}`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie: admin.as.cookie, origin: ORIGIN },
        body: streamed,
      }),
    );
    expect(res.headers.get("content-length")).not.toBe(String(bytes.length));
    await expectError(res, 413, "payload_too_large");
    expect(await rowCounts(...TABLES)).toEqual(before);

    // Just under the limit is not refused for its size.
    const fits = await call(admin.as, messages(), { body: { kind: "note", body: "x".repeat(19_000) } });
    expect(fits.status).toBe(201);
  });
});

describe("every endpoint checks its input", () => {
  it("team and inbox administration", async () => {
    const user = { name: "Dan Dev", email: "dan@acme.test", password: PASSWORD, role: "agent" };
    const agentId = (await json(admin.as, "/api/users", { body: { ...user, email: "ed@acme.test" } }, 201)).id;
    const access = `/api/inboxes/${inbox.id}/access/${agentId}`;
    await expectAllRefused([
      { why: "user: bad email", path: "/api/users", body: { ...user, email: "not-an-email" } },
      { why: "user: short password", path: "/api/users", body: { ...user, password: "short" } },
      { why: "user: unknown role", path: "/api/users", body: { ...user, role: "owner" } },
      { why: "user: blank name", path: "/api/users", body: { ...user, name: "   " } },
      { why: "user: name too long", path: "/api/users", body: { ...user, name: "n".repeat(121) } },
      {
        why: "user: missing password",
        path: "/api/users",
        body: { name: user.name, email: user.email, role: "agent" },
      },
      { why: "user: unknown field", path: "/api/users", body: { ...user, isAdmin: true } },
      { why: "inbox: unknown channel", path: "/api/inboxes", body: { name: "SMS", channel: "sms" } },
      { why: "inbox: missing channel", path: "/api/inboxes", body: { name: "SMS" } },
      {
        why: "inbox: zero auto-resolve days",
        path: "/api/inboxes",
        body: { name: "E", channel: "email", autoResolveDays: 0 },
      },
      {
        why: "inbox: fractional days",
        path: "/api/inboxes",
        body: { name: "E", channel: "email", autoResolveDays: 1.5 },
      },
      {
        why: "inbox: days as a string",
        path: "/api/inboxes",
        body: { name: "E", channel: "email", autoResolveDays: "7" },
      },
      {
        why: "inbox: bad email address",
        path: "/api/inboxes",
        body: { name: "E", channel: "email", emailAddress: "help" },
      },
      {
        why: "inbox: setting its widget key",
        path: "/api/inboxes",
        body: { name: "E", channel: "chat", widgetKey: "wk_mine" },
      },
      { why: "inbox patch: nothing to change", path: `/api/inboxes/${inbox.id}`, method: "PATCH", body: {} },
      {
        why: "inbox patch: channel is fixed",
        path: `/api/inboxes/${inbox.id}`,
        method: "PATCH",
        body: { channel: "email" },
      },
      { why: "inbox patch: blank name", path: `/api/inboxes/${inbox.id}`, method: "PATCH", body: { name: "" } },
      { why: "access: off the ladder", path: access, method: "PUT", body: { access: "owner" } },
      { why: "access: missing", path: access, method: "PUT", body: {} },
      { why: "token: missing name", path: "/api/me/tokens", body: {} },
      { why: "token: blank name", path: "/api/me/tokens", body: { name: " " } },
    ]);
  });

  it("sign-in and first run", async () => {
    const origin = { origin: ORIGIN };
    await expectAllRefused([
      {
        why: "login: missing password",
        as: null,
        path: "/api/auth/login",
        body: { email: admin.email },
        headers: origin,
      },
      {
        why: "login: empty password",
        as: null,
        path: "/api/auth/login",
        body: { email: admin.email, password: "" },
        headers: origin,
      },
      {
        why: "login: email not a string",
        as: null,
        path: "/api/auth/login",
        body: { email: ["a@b.c"], password: PASSWORD },
        headers: origin,
      },
      { why: "login: malformed JSON", as: null, path: "/api/auth/login", body: "{", headers: origin },
      {
        why: "setup: bad email",
        as: null,
        path: "/api/setup",
        body: { workspace: "W", name: "N", email: "x", password: PASSWORD },
        headers: origin,
      },
      {
        why: "setup again",
        as: null,
        path: "/api/setup",
        body: { workspace: "W", name: "N", email: "n@x.test", password: PASSWORD },
        headers: origin,
        status: 409,
        code: "already_set_up",
      },
    ]);
  });

  it("conversations: start, update, list and timeline", async () => {
    const start = { inboxId: inbox.id, contact: { name: "Cara" }, body: "Hi there" };
    const patch = (body: unknown): Bad => ({
      why: `patch ${JSON.stringify(body)}`,
      path: `/api/conversations/${conversation.id}`,
      method: "PATCH",
      body,
    });
    await expectAllRefused([
      { why: "start: missing body", path: "/api/conversations", body: { inboxId: inbox.id, contact: {} } },
      { why: "start: missing contact", path: "/api/conversations", body: { inboxId: inbox.id, body: "Hi" } },
      {
        why: "start: unknown contact field",
        path: "/api/conversations",
        body: { ...start, contact: { name: "C", phone: "1" } },
      },
      { why: "start: bad contact email", path: "/api/conversations", body: { ...start, contact: { email: "cara" } } },
      { why: "start: subject too long", path: "/api/conversations", body: { ...start, subject: "s".repeat(301) } },
      { why: "start: unknown inbox", path: "/api/conversations", body: { ...start, inboxId: "ib_nope" } },
      { why: "start: unknown field", path: "/api/conversations", body: { ...start, status: "resolved" } },
      patch({}),
      patch({ status: "closed" }),
      patch({ status: null }),
      patch({ assigneeId: 42 }),
      patch({ assigneeId: "" }),
      patch({ colour: "red" }),
      { why: "patch: malformed JSON", path: `/api/conversations/${conversation.id}`, method: "PATCH", body: "{status" },
    ]);

    const base = "/api/conversations";
    const cursor = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, "");
    const get = (why: string, path: string): Bad => ({ why, path });
    await expectAllRefused([
      get("unknown view", `${base}?view=everything`),
      get("two views", `${base}?view=all&view=mine`),
      get("limit 0", `${base}?limit=0`),
      get("limit 101", `${base}?limit=101`),
      get("negative limit", `${base}?limit=-5`),
      get("fractional limit", `${base}?limit=2.5`),
      get("limit not a number", `${base}?limit=ten`),
      get("empty limit", `${base}?limit=`),
      get("garbage cursor", `${base}?cursor=garbage!`),
      get("cursor of the wrong shape", `${base}?cursor=${cursor({ at: 1, id: "x" })}`),
      get("cursor with a string time", `${base}?cursor=${cursor(["1", "cv_x"])}`),
      get("cursor too long", `${base}?cursor=${"a".repeat(201)}`),
      get("unknown query parameter", `${base}?sort=oldest`),
      get("timeline: negative after", `${base}/${conversation.id}/timeline?after=-1`),
      get("timeline: after not a number", `${base}/${conversation.id}/timeline?after=last`),
      get("timeline: limit 0", `${base}/${conversation.id}/timeline?limit=0`),
      get("timeline: limit 501", `${base}/${conversation.id}/timeline?limit=501`),
      get("timeline: unknown parameter", `${base}/${conversation.id}/timeline?before=3`),
    ]);
  });

  it("the Idempotency-Key header", async () => {
    const bad = ["has space", "x".repeat(201), ""];
    await expectAllRefused([
      ...bad.map(
        (key): Bad => ({
          why: `reply key ${JSON.stringify(key)}`,
          path: messages(),
          body: { kind: "reply", body: "hi" },
          headers: { "idempotency-key": key },
        }),
      ),
      ...bad.map(
        (key): Bad => ({
          why: `start key ${JSON.stringify(key)}`,
          path: "/api/conversations",
          body: { inboxId: inbox.id, contact: {}, body: "hi" },
          headers: { "idempotency-key": key },
        }),
      ),
      ...bad.map(
        (key): Bad => ({
          why: `widget message key ${JSON.stringify(key)}`,
          as: { bearer: conversation.contactToken },
          path: `/api/widget/conversations/${conversation.id}/messages`,
          body: { body: "hi" },
          headers: { "idempotency-key": key },
        }),
      ),
    ]);
  });

  it("the widget", async () => {
    const start = `/api/widget/${inbox.widgetKey}/conversations`;
    const customer = { bearer: conversation.contactToken };
    const widgetMessages = `/api/widget/conversations/${conversation.id}/messages`;
    await expectAllRefused([
      { why: "start: missing body", as: null, path: start, body: { name: "Cara" } },
      { why: "start: blank body", as: null, path: start, body: { body: "   " } },
      { why: "start: bad email", as: null, path: start, body: { body: "hi", email: "cara" } },
      { why: "start: unknown field", as: null, path: start, body: { body: "hi", vip: true } },
      {
        why: "start: attribute not a string",
        as: null,
        path: start,
        body: { body: "hi", attributes: { language: 5 } },
      },
      { why: "start: attributes not an object", as: null, path: start, body: { body: "hi", attributes: ["en"] } },
      { why: "start: identity without hash", as: null, path: start, body: { body: "hi", identity: { userId: "u1" } } },
      { why: "start: malformed JSON", as: null, path: start, body: "{body" },
      {
        why: "start: unknown widget key",
        as: null,
        path: "/api/widget/wk_nope/conversations",
        body: { body: "hi" },
        status: 404,
        code: "not_found",
      },
      { why: "message: missing body", as: customer, path: widgetMessages, body: {} },
      { why: "message: unknown field", as: customer, path: widgetMessages, body: { body: "hi", kind: "reply" } },
      { why: "message: as a note", as: customer, path: widgetMessages, body: { body: "hi", kind: "note" } },
      { why: "message: too long", as: customer, path: widgetMessages, body: { body: "x".repeat(20_001) } },
      {
        why: "message: no token",
        as: null,
        path: widgetMessages,
        body: { body: "hi" },
        status: 401,
        code: "unauthenticated",
      },
      {
        why: "message: bogus token",
        as: { bearer: "sbc_bogus" },
        path: widgetMessages,
        body: { body: "hi" },
        status: 401,
        code: "unauthenticated",
      },
    ]);
  });
});

describe("odd requests never meet a 500", () => {
  it("answers unknown endpoints and methods with 404 in the error shape", async () => {
    await expectAllRefused([
      { why: "unknown endpoint", path: "/api/nope", status: 404, code: "not_found" },
      { why: "unknown nested endpoint", path: "/api/conversations/x/y/z", status: 404, code: "not_found" },
      { why: "unknown method", path: "/api/me", method: "DELETE", status: 404, code: "not_found" },
      {
        why: "POST to a read-only path",
        path: `/api/conversations/${conversation.id}/timeline`,
        body: {},
        status: 404,
        code: "not_found",
      },
      { why: "unknown endpoint, signed out", as: null, path: "/api/nope", status: 401, code: "unauthenticated" },
    ]);
  });

  it("answers strange ids with 404", async () => {
    const ids = [`cv_${"x".repeat(5000)}`, "%E2%82%AC", "%ZZ", "..%2F..%2Fme", "'%20OR%201=1--", "%00"];
    await expectAllRefused([
      ...ids.map(
        (id): Bad => ({
          why: `conversation ${id.slice(0, 20)}`,
          path: `/api/conversations/${id}`,
          status: 404,
          code: "not_found",
        }),
      ),
      ...ids.map(
        (id): Bad => ({
          why: `note on ${id.slice(0, 20)}`,
          path: `/api/conversations/${id}/messages`,
          body: { kind: "note", body: "hi" },
          status: 404,
          code: "not_found",
        }),
      ),
      ...ids.map(
        (id): Bad => ({
          why: `inbox ${id.slice(0, 20)}`,
          path: `/api/inboxes/${id}`,
          method: "PATCH",
          body: { name: "X" },
          status: 404,
          code: "not_found",
        }),
      ),
      ...ids.map(
        (id): Bad => ({
          why: `widget key ${id.slice(0, 20)}`,
          as: null,
          path: `/api/widget/${id}/conversations`,
          body: { body: "hi" },
          status: 404,
          code: "not_found",
        }),
      ),
    ]);
  });
});
