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
  return json<{ id: string; widgetKey: string; name: string }>(admin.as, "/api/inboxes", { body: { name, channel } }, 201);
}

export async function grant(admin: Person, inboxId: string, user: Person, access: "view" | "note" | "reply") {
  await json(admin.as, `/api/inboxes/${inboxId}/access/${user.id}`, { method: "PUT", body: { access } });
}

/** A customer writes in through the chat widget. */
export async function customerWritesIn(widgetKey: string, body = "Hello, my invoice looks wrong", who = { name: "Cara Customer", email: "cara@example.com" }) {
  return json<{ conversationId: string; contactToken: string }>(null, `/api/widget/${widgetKey}/conversations`, { body: { ...who, body } }, 201);
}

export async function postMessage(as: As, conversationId: string, body: Record<string, unknown>, headers?: Record<string, string>) {
  return call(as, `/api/conversations/${conversationId}/messages`, { body, headers });
}

export async function timeline(as: As, conversationId: string, after = 0) {
  return json<{ items: any[]; lastSeq: number }>(as, `/api/conversations/${conversationId}/timeline?after=${after}&limit=500`);
}

/** Rows in a table, straight from D1: to prove a refused request wrote nothing. */
export async function countRows(table: string): Promise<number> {
  const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>();
  return row!.n;
}
