/** Domain-named helpers that drive the real worker (D1, Durable Objects) through its fetch handler. */
import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { expect } from "vitest";

export const ORIGIN = "http://switchboard.test";
export const PASSWORD = "correct horse battery";

/** Who a request is sent as: a session cookie, a bearer token, or nobody. */
export type As = { cookie: string } | { bearer: string } | null;

export interface Call {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export async function call(as: As, path: string, init: Call = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  if (as && "cookie" in as) {
    headers.set("cookie", as.cookie);
    if (!headers.has("origin")) headers.set("origin", ORIGIN);
  }
  if (as && "bearer" in as) headers.set("authorization", `Bearer ${as.bearer}`);
  return exports.default.fetch(
    new Request(`${ORIGIN}${path}`, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers,
      body: init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
    }),
  );
}

/** Calls and expects `status`; returns the parsed JSON body (or null for 204). */
export async function expectStatus<T = any>(res: Response | Promise<Response>, status: number): Promise<T> {
  const r = await res;
  const text = await r.text();
  expect(r.status, `${r.status} ${text}`).toBe(status);
  return (text ? JSON.parse(text) : null) as T;
}

export async function json<T = any>(as: As, path: string, init: Call = {}, status = 200): Promise<T> {
  return expectStatus<T>(call(as, path, init), status);
}

function sessionCookie(res: Response): string {
  const cookie = res.headers.get("set-cookie")?.match(/sb_session=[^;]+/)?.[0];
  expect(cookie).toBeTruthy();
  return cookie!;
}

let counter = 0;
const unique = (label: string) => `${label}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

export interface Person {
  id: string;
  name: string;
  email: string;
  as: { cookie: string };
}

/** Signs in an existing user. */
export async function signIn(email: string, password = PASSWORD): Promise<{ cookie: string }> {
  const res = await call(null, "/api/auth/login", { body: { email, password }, headers: { origin: ORIGIN } });
  await expectStatus(res.clone(), 200);
  return { cookie: sessionCookie(res) };
}

/** Sets up a fresh workspace (first run) and returns its admin; the database must have no users yet. */
export async function setUpWorkspace(name = "Acme Support"): Promise<{ admin: Person; workspaceId: string }> {
  const email = `${unique("ada")}@acme.test`;
  const res = await call(null, "/api/setup", {
    body: { workspace: name, name: "Ada Admin", email, password: PASSWORD },
    headers: { origin: ORIGIN },
  });
  const body = await expectStatus(res.clone(), 201);
  return { admin: { ...body.user, as: { cookie: sessionCookie(res) } }, workspaceId: body.workspace.id };
}

/** Creates a user as `admin` and signs them in. */
export async function addUser(admin: Person, role: "admin" | "agent" = "agent", name = "Bea Agent"): Promise<Person> {
  const email = `${unique(name.split(" ")[0]!.toLowerCase())}@acme.test`;
  const user = await json(admin.as, "/api/users", { body: { name, email, password: PASSWORD, role } }, 201);
  return { ...user, as: await signIn(email) };
}

export async function createInbox(admin: Person, name = "Support", channel: "chat" | "email" = "chat") {
  return json<{ id: string; widgetKey: string; name: string }>(
    admin.as,
    "/api/inboxes",
    { body: { name, channel } },
    201,
  );
}

export async function grant(admin: Person, inboxId: string, user: Person, access: "view" | "note" | "reply") {
  await json(admin.as, `/api/inboxes/${inboxId}/access/${user.id}`, { method: "PUT", body: { access } });
}

/** A customer writes in through the chat widget. */
export async function customerWritesIn(
  widgetKey: string,
  body = "Hello, my invoice looks wrong",
  who = { name: "Cara Customer", email: "cara@example.com" },
) {
  return json<{ conversationId: string; contactToken: string }>(
    null,
    `/api/widget/${widgetKey}/conversations`,
    { body: { ...who, body } },
    201,
  );
}

export async function postMessage(
  as: As,
  conversationId: string,
  body: Record<string, unknown>,
  headers?: Record<string, string>,
) {
  return call(as, `/api/conversations/${conversationId}/messages`, { body, headers });
}

export async function timeline(as: As, conversationId: string, after = 0) {
  return json<{ items: any[]; lastSeq: number }>(
    as,
    `/api/conversations/${conversationId}/timeline?after=${after}&limit=500`,
  );
}

/** Rows in a table, straight from D1: to prove a refused request wrote nothing. */
export async function countRows(table: string): Promise<number> {
  const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>();
  return row!.n;
}

// ---------------------------------------------------------------------------
// Domain-named additions: a team, its access levels, conversations, the widget.

export type Level = "view" | "note" | "reply";

/** Sends a request straight to the worker (for URLs other than ORIGIN, e.g. https). */
export function send(request: Request): Promise<Response> {
  return exports.default.fetch(request);
}

/** Lets the clock move on, so timestamps (and list order) differ between steps. */
export const pause = (ms = 3) => new Promise((resolve) => setTimeout(resolve, ms));

/** Expects an error in the contract's shape, `{"error":{"code","message","details"?}}`, and returns it. */
export async function expectError(res: Response | Promise<Response>, status: number, code: string) {
  const body = await expectStatus<{ error: { code: string; message: string; details?: any } }>(res, status);
  expect(Object.keys(body)).toEqual(["error"]);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe("string");
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(Object.keys(body.error).filter((k) => !["code", "message", "details"].includes(k))).toEqual([]);
  return body.error;
}

/** Row counts of several tables: compare before/after to prove a request wrote nothing. */
export async function rowCounts(...tables: string[]): Promise<Record<string, number>> {
  const columns = tables.map((t) => `(SELECT count(*) FROM ${t}) AS ${t}`).join(", ");
  return (await env.DB.prepare(`SELECT ${columns}`).first<Record<string, number>>())!;
}

/** A fresh workspace with its admin and one chat inbox. */
export async function supportTeam(inboxName = "Support") {
  const { admin } = await setUpWorkspace();
  const inbox = await createInbox(admin, inboxName);
  return { admin, inbox };
}

/** An agent holding `level` on the inbox (or nothing there, for "none"). */
export async function agentWith(
  admin: Person,
  inboxId: string,
  level: Level | "none",
  name = `${level[0]!.toUpperCase()}${level.slice(1)} Agent`,
) {
  const agent = await addUser(admin, "agent", name);
  if (level !== "none") await grant(admin, inboxId, agent, level);
  return agent;
}

/** A customer starts a conversation through the widget; returns its id and the customer's token. */
export async function startConversation(
  widgetKey: string,
  body = "Hello, my invoice looks wrong",
  extra: Record<string, unknown> = { name: "Cara Customer" },
  headers: Record<string, string> = {},
) {
  const started = await json<{ conversationId: string; contactToken: string }>(
    null,
    `/api/widget/${widgetKey}/conversations`,
    { body: { ...extra, body }, headers },
    201,
  );
  return { id: started.conversationId, contactToken: started.contactToken };
}

/** The customer writes again in their conversation. */
export function customerWrites(
  contactToken: string,
  conversationId: string,
  body: string,
  headers: Record<string, string> = {},
) {
  return call({ bearer: contactToken }, `/api/widget/conversations/${conversationId}/messages`, {
    body: { body },
    headers,
  });
}

/** What the customer's widget shows of the thread. */
export async function customerSees(contactToken: string, conversationId: string) {
  return json<{ items: any[] }>({ bearer: contactToken }, `/api/widget/conversations/${conversationId}/messages`);
}

export const reply = (
  as: As,
  id: string,
  body: string,
  extra: Record<string, unknown> = {},
  headers?: Record<string, string>,
) => postMessage(as, id, { kind: "reply", body, ...extra }, headers);

export const note = (as: As, id: string, body: string, headers?: Record<string, string>) =>
  postMessage(as, id, { kind: "note", body }, headers);

export const updateConversation = (as: As, id: string, patch: Record<string, unknown>) =>
  call(as, `/api/conversations/${id}`, { method: "PATCH", body: patch });

export const getConversation = (as: As, id: string) => json(as, `/api/conversations/${id}`);

/** One page of a list view. */
export async function listPage(as: As, query: Record<string, string | number> = {}) {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
  return json<{ items: any[]; nextCursor: string | null }>(as, `/api/conversations?${qs}`);
}

/** The ids of one page of a list view, in order. */
export async function listIds(as: As, query: Record<string, string | number> = {}) {
  return (await listPage(as, query)).items.map((s) => s.id as string);
}

/** The inbox's identity-verification secret, as its admin would copy it into their site's backend. */
export async function widgetSecret(inboxId: string): Promise<string> {
  const row = await env.DB.prepare("SELECT widget_secret FROM inboxes WHERE id = ?")
    .bind(inboxId)
    .first<{ widget_secret: string }>();
  return row!.widget_secret;
}

/** What a site's backend computes for identity verification: HMAC-SHA256(secret, userId), hex. */
export async function hmacHex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(message)));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

// ---------------------------------------------------------------------------
// The workspace library: teams, tags, notes that mention.

/** Creates a team as `admin`. */
export function createTeam(admin: Person, name: string, members: Person[] = []) {
  return json<{ id: string; name: string; members: { id: string; name: string }[] }>(
    admin.as,
    "/api/teams",
    { body: { name, memberIds: members.map((m) => m.id) } },
    201,
  );
}

/** Replaces a conversation's tags (creating workspace tags on first use). */
export function setTags(as: As, conversationId: string, tags: string[]) {
  return call(as, `/api/conversations/${conversationId}/tags`, { method: "PUT", body: { tags } });
}

/** A note that mentions `people` (as the composer's autocomplete fills `mentions`). */
export function mention(
  as: As,
  conversationId: string,
  people: Person[],
  body = people.map((p) => `@${p.name}`).join(" "),
) {
  return postMessage(as, conversationId, { kind: "note", body, mentions: people.map((p) => p.id) });
}
