/** Domain-named helpers that drive the real worker (D1, Durable Objects) through its fetch handler. */
import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import { z } from "zod";
import {
  WidgetSecret,
  ApiTokens,
  Attachment,
  Collision,
  CreatedInvitation,
  CreatedReset,
  Contact,
  ContactMerged,
  Contacts,
  Conversation,
  BulkResults,
  Conversations,
  EmailDeliveries,
  ForwardRecipients,
  EmailDelivery,
  CreatedToken,
  CustomerItems,
  ErrorBody,
  type ErrorCode,
  Inbox,
  Inboxes,
  InboxAccess,
  InboxAccessList,
  Invitations,
  Item,
  LoginResult,
  Me,
  PushDevice,
  PushDevices,
  Notifications,
  Rating,
  Report,
  Rule,
  Rules,
  SavedReplies,
  SavedReply,
  SearchHits,
  SetupResult,
  SetupState,
  Tag,
  Tags,
  Team,
  TeamMember,
  Teams,
  Ticket,
  Tickets,
  Timeline,
  UnreadCount,
  UpdatedMe,
  Users,
  ValidationIssues,
  WidgetConfig,
  WidgetPosted,
  WidgetStarted,
  CreatedWebhook,
  Webhook,
  WebhookDeliveries,
  WebhookDeliveryAnswer,
  Webhooks,
} from "../../worker/contract";
import { conformsToDocument } from "./openapi-conformance";

export const ORIGIN = "http://switchboard.test";
export const PASSWORD = "correct horse battery";

/** Who a request is sent as: a session cookie, a bearer token, or nobody. */
export type As = { cookie: string } | { bearer: string } | null;

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface Call {
  method?: Method;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * What each successful response is, by method and path: the contract's schema
 * that every helper parses the body with, so a drift between the worker and
 * the contract fails the test that sees it.
 */
const RESPONSES = {
  "GET /api/setup": SetupState,
  "POST /api/setup": SetupResult,
  "POST /api/auth/login": LoginResult,
  "GET /api/me": Me,
  "PATCH /api/me": UpdatedMe,
  "POST /api/me/tokens": CreatedToken,
  "GET /api/users": Users,
  "POST /api/users": TeamMember,
  "PATCH /api/users/:id": TeamMember,
  "POST /api/users/:id/password-reset": CreatedReset,
  "GET /api/me/tokens": ApiTokens,
  "GET /api/me/push-subscriptions": PushDevices,
  "POST /api/me/push-subscriptions": PushDevice,
  "GET /api/invitations": Invitations,
  "POST /api/invitations": CreatedInvitation,
  "POST /api/auth/accept-invite": LoginResult,
  "GET /api/inboxes": Inboxes,
  "POST /api/inboxes": Inbox,
  "PATCH /api/inboxes/:id": Inbox,
  "POST /api/inboxes/:id/widget-secret": WidgetSecret,
  "PUT /api/inboxes/:id/business-hours": Inbox,
  "DELETE /api/inboxes/:id/business-hours": Inbox,
  "PUT /api/inboxes/:id/sla": Inbox,
  "GET /api/inboxes/:id/access": InboxAccessList,
  "PUT /api/inboxes/:id/access/:userId": InboxAccess,
  "GET /api/inboxes/:id/rules": Rules,
  "POST /api/inboxes/:id/rules": Rule,
  "PATCH /api/inboxes/:id/rules/:ruleId": Rule,
  "GET /api/conversations": Conversations,
  "POST /api/conversations": Conversation,
  "POST /api/conversations/bulk": BulkResults,
  "GET /api/conversations/forward-recipients": ForwardRecipients,
  "GET /api/conversations/:id": Conversation,
  "PATCH /api/conversations/:id": Conversation,
  "POST /api/conversations/:id/merge": Conversation,
  "GET /api/conversations/:id/timeline": Timeline,
  "POST /api/conversations/:id/messages": Item,
  "PUT /api/conversations/:id/tags": Conversation,
  "POST /api/conversations/:id/followers": Conversation,
  "POST /api/conversations/:id/links": Conversation,
  "GET /api/conversations/:id/email-deliveries": EmailDeliveries,
  "POST /api/conversations/:id/forward": Item,
  "POST /api/conversations/:id/messages/:seq/retry-email": EmailDelivery,
  "GET /api/search": SearchHits,
  "GET /api/reports": Report,
  "GET /api/contacts": Contacts,
  "GET /api/contacts/:id": Contact,
  "PATCH /api/contacts/:id": Contact,
  "POST /api/contacts/:id/merge": ContactMerged,
  "GET /api/teams": Teams,
  "POST /api/teams": Team,
  "PATCH /api/teams/:id": Team,
  "GET /api/tags": Tags,
  "PATCH /api/tags/:id": Tag,
  "GET /api/saved-replies": SavedReplies,
  "POST /api/saved-replies": SavedReply,
  "PATCH /api/saved-replies/:id": SavedReply,
  "GET /api/notifications": Notifications,
  "POST /api/notifications/read": UnreadCount,
  "GET /api/tickets": Tickets,
  "POST /api/tickets": Ticket,
  "GET /api/tickets/:id": Ticket,
  "PATCH /api/tickets/:id": Ticket,
  "POST /api/widget/:widgetKey/conversations": WidgetStarted,
  "GET /api/widget/conversations/:id/messages": CustomerItems,
  "POST /api/widget/conversations/:id/messages": WidgetPosted,
  "GET /api/widget/:widgetKey/config": WidgetConfig,
  "POST /api/widget/conversations/:id/rating": Rating,
  "POST /api/attachments": Attachment,
  "POST /api/widget/conversations/:id/attachments": Attachment,
  "GET /api/webhooks": Webhooks,
  "POST /api/webhooks": CreatedWebhook,
  "PATCH /api/webhooks/:id": Webhook,
  "POST /api/webhooks/:id/secret": CreatedWebhook,
  "POST /api/webhooks/:id/test": WebhookDeliveryAnswer,
  "GET /api/webhooks/:id/deliveries": WebhookDeliveries,
  "POST /api/webhooks/:id/deliveries/:deliveryId/retry": WebhookDeliveryAnswer,
} satisfies Record<`${Method} /api/${string}`, z.ZodType>;
type Responses = typeof RESPONSES;

// The same lookup at the type level: a request's method and path (ids as `${string}`) name its body's type.
type Segments<P extends string> = P extends `${infer Head}/${infer Rest}` ? [Head, ...Segments<Rest>] : [P];
type SameShape<Path extends string[], Pattern extends string[]> = Path extends [
  infer S extends string,
  ...infer PathRest extends string[],
]
  ? Pattern extends [infer R extends string, ...infer PatternRest extends string[]]
    ? R extends `:${string}`
      ? SameShape<PathRest, PatternRest>
      : [S] extends [R]
        ? SameShape<PathRest, PatternRest>
        : false
    : false
  : Pattern extends []
    ? true
    : false;
type WithoutQuery<P extends string> = P extends `${infer Path}?${string}` ? Path : P;
type RouteOf<M extends string, P extends string> = {
  [K in keyof Responses]: K extends `${M} ${infer Pattern}`
    ? SameShape<Segments<WithoutQuery<P>>, Segments<Pattern>> extends true
      ? K
      : never
    : never;
}[keyof Responses];
type MethodOf<I> = I extends { method: infer M extends Method } ? M : I extends { body: unknown } ? "POST" : "GET";

/** The body a test gets back: the contract's type for a success, the error shape for a failure, null for 204. */
export type BodyOf<M extends string, P extends string, S extends number> = S extends 204
  ? null
  : `${S}` extends `4${string}` | `5${string}`
    ? ErrorBody
    : [RouteOf<M, P>] extends [never]
      ? unknown
      : z.output<Responses[RouteOf<M, P>]>;

/** A response that remembers which request it answers, so its body can be checked against the contract. */
export interface Answer<M extends string = string, P extends string = string> extends Response {
  readonly request?: { method: M; path: P };
}

const requests = new WeakMap<Response, { method: string; path: string }>();

/** The contract's schema for a successful answer to `method path`. */
function schemaFor(method: string, path: string): z.ZodType | undefined {
  const segments = path.split("?")[0]!.split("/");
  for (const [route, schema] of Object.entries(RESPONSES)) {
    const [routeMethod, pattern] = route.split(" ") as [string, string];
    const parts = pattern.split("/");
    if (
      routeMethod === method &&
      parts.length === segments.length &&
      parts.every((part, i) => part.startsWith(":") || part === segments[i])
    )
      return schema;
  }
  return undefined;
}

/** Parses `body` with `schema` and fails on anything the contract does not declare (unknown fields included). */
export function conforms<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    expect.fail(`${what} breaks the contract: ${z.prettifyError(parsed.error)}\n${JSON.stringify(body)}`);
  // The contract's objects drop keys they do not name: a field only the worker knows shows up here.
  expect(parsed.data, `${what}: fields outside the contract`).toEqual(body);
  return parsed.data;
}

export function call<P extends string, I extends Call = Call>(
  as: As,
  path: P,
  init?: I,
): Promise<Answer<MethodOf<I>, P>> {
  const headers = new Headers(init?.headers);
  const body = init?.body;
  // A file's bytes (attachments) go as they are; anything else is JSON.
  const raw = body instanceof Uint8Array || body instanceof ReadableStream;
  if (body !== undefined && !raw && !headers.has("content-type")) headers.set("content-type", "application/json");
  if (as && "cookie" in as) {
    headers.set("cookie", as.cookie);
    if (!headers.has("origin")) headers.set("origin", ORIGIN);
  }
  if (as && "bearer" in as) headers.set("authorization", `Bearer ${as.bearer}`);
  const method = init?.method ?? (body === undefined ? "GET" : "POST");
  return exports.default
    .fetch(
      new Request(`${ORIGIN}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : raw || typeof body === "string" ? body : JSON.stringify(body),
      }),
    )
    .then((res) => {
      requests.set(res, { method, path });
      return res as Answer<MethodOf<I>, P>;
    });
}

/**
 * Expects `status` and returns the body: a success parsed with the contract's
 * schema for its request, an error checked against the error shape, null for 204;
 * status and body are also checked against the OpenAPI document (openapi-conformance.ts).
 */
export async function expectStatus<M extends string, P extends string, S extends number>(
  res: Answer<M, P> | Promise<Answer<M, P>>,
  status: S,
): Promise<BodyOf<M, P, S>> {
  const r = await res;
  const text = await r.text();
  expect(r.status, `${r.status} ${text}`).toBe(status);
  const body: unknown = text ? JSON.parse(text) : null;
  const request = requests.get(r);
  const what = request ? `${request.method} ${request.path} → ${status}` : `a ${status} response`;
  // The published OpenAPI document must say the same: this status for this operation, and this body.
  if (request) await conformsToDocument(request.method, request.path, status, body);
  if (status >= 400) return conforms(ErrorBody, body, what) as BodyOf<M, P, S>;
  if (body === null || !request) return body as BodyOf<M, P, S>;
  const schema = schemaFor(request.method, request.path);
  if (!schema) expect.fail(`${what}: no contract schema for this response; add it to RESPONSES in helpers.ts`);
  return conforms(schema, body, what) as BodyOf<M, P, S>;
}

export async function json<P extends string, I extends Call = Call, S extends number = 200>(
  as: As,
  path: P,
  init?: I,
  status: S = 200 as S,
): Promise<BodyOf<MethodOf<I>, P, S>> {
  return expectStatus(call(as, path, init), status);
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
  const cookie = sessionCookie(res);
  await expectStatus(res, 200);
  return { cookie };
}

/** Sets up a fresh workspace (first run) and returns its admin; the database must have no users yet. */
export async function setUpWorkspace(name = "Acme Support"): Promise<{ admin: Person; workspaceId: string }> {
  const email = `${unique("ada")}@acme.test`;
  const res = await call(null, "/api/setup", {
    body: { workspace: name, name: "Ada Admin", email, password: PASSWORD },
    headers: { origin: ORIGIN },
  });
  const cookie = sessionCookie(res);
  const body = await expectStatus(res, 201);
  return { admin: { ...body.user, as: { cookie } }, workspaceId: body.workspace.id };
}

/** Creates a user as `admin` and signs them in. */
export async function addUser(admin: Person, role: "admin" | "agent" = "agent", name = "Bea Agent"): Promise<Person> {
  const email = `${unique(name.split(" ")[0]!.toLowerCase())}@acme.test`;
  const user = await json(admin.as, "/api/users", { body: { name, email, password: PASSWORD, role } }, 201);
  return { ...user, as: await signIn(email) };
}

export async function createInbox(admin: Person, name = "Support", channel: "chat" | "email" = "chat") {
  return json(admin.as, "/api/inboxes", { body: { name, channel } }, 201);
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
  return json(null, `/api/widget/${widgetKey}/conversations`, { body: { ...who, body } }, 201);
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
  return json(as, `/api/conversations/${conversationId}/timeline?after=${after}&limit=500`);
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

/** What `details` holds for the codes that carry them. */
const DETAILS = { validation_failed: ValidationIssues, collision: Collision } satisfies Partial<
  Record<ErrorCode, z.ZodType>
>;
type Details = typeof DETAILS;
/** An error body's `error`, with `details` parsed by the contract for codes that define them. */
export type ErrorOf<C extends ErrorCode> = C extends keyof Details
  ? { code: C; message: string; details: z.output<Details[C]> }
  : ErrorBody["error"];

/** Expects an error in the contract's shape, `{"error":{"code","message","details"?}}`, and returns it. */
export async function expectError<C extends ErrorCode>(
  res: Response | Promise<Response>,
  status: number,
  code: C,
): Promise<ErrorOf<C>> {
  const { error } = (await expectStatus(res, status)) as ErrorBody;
  expect(error.code).toBe(code);
  if (!(code in DETAILS)) return error as ErrorOf<C>;
  const details = conforms(DETAILS[code as keyof Details], error.details, `the details of ${code}`);
  return { ...error, details } as ErrorOf<C>;
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
  const started = await json(
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
  return json({ bearer: contactToken }, `/api/widget/conversations/${conversationId}/messages`);
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
  return json(as, `/api/conversations?${qs}`);
}

/** The ids of one page of a list view, in order. */
export async function listIds(as: As, query: Record<string, string | number> = {}) {
  return (await listPage(as, query)).items.map((s) => s.id);
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
  return json(admin.as, "/api/teams", { body: { name, memberIds: members.map((m) => m.id) } }, 201);
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

/** A workspace with one inbox, two agents who may reply there (Ana and Ben), and a customer who wrote in. */
export async function twoAgentsAndACustomer() {
  const { admin } = await setUpWorkspace();
  const inbox = await createInbox(admin);
  const ana = await addUser(admin, "agent", "Ana Agent");
  const ben = await addUser(admin, "agent", "Ben Agent");
  await grant(admin, inbox.id, ana, "reply");
  await grant(admin, inbox.id, ben, "reply");
  const { conversationId, contactToken } = await customerWritesIn(inbox.widgetKey);
  return { admin, inbox, ana, ben, conversationId, contactToken };
}

/**
 * Runs a rate-limit scenario inside one fixed window of `windowMs` (the
 * limiter counts per window, aligned to the clock): once more, with
 * `attempt` 1, when it failed and a window boundary passed while it ran.
 */
export async function inOneWindow(windowMs: number, scenario: (attempt: number) => Promise<void>): Promise<void> {
  const window = () => Math.floor(Date.now() / windowMs);
  const started = window();
  try {
    await scenario(0);
  } catch (error) {
    if (window() === started) throw error;
    await scenario(1);
  }
}
