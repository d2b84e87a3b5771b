/**
 * The agent client's HTTP API client. Every response is parsed with the shared
 * contract (`worker/contract`), so a drift between worker and client fails
 * loudly here instead of rendering half-broken screens.
 */
import { z } from "zod";
import {
  Conversation,
  Inbox,
  InboxAccess,
  Item,
  LoginResult,
  Me,
  Notification,
  Page,
  Preferences,
  SavedReply,
  SetupResult,
  SetupState,
  Summary,
  Tag,
  Team,
  Timeline,
  User,
  type Access,
  type CreateTeamInput,
  type SavedReplyInput,
  type UpdateInboxInput,
  type UpdateMeInput,
  type UpdateSavedReplyInput,
  type UpdateTagInput,
  type UpdateTeamInput,
  type CreateInboxInput,
  type CreateUserInput,
  type LoginInput,
  type PostMessageInput,
  type SetupInput,
  type StartConversationInput,
  type UpdateConversationInput,
  type View,
} from "../../worker/contract";

/** An API failure, carrying the `{"error":{code,message,details}}` body when there was one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const Users = z.object({ items: z.array(User) });
const Inboxes = z.object({ items: z.array(Inbox) });
const Conversations = Page(Summary);
const Collision = z.object({ newer: z.array(Item) });
const Teams = z.object({ items: z.array(Team) });
const Tags = z.object({ items: z.array(Tag) });
const SavedReplies = z.object({ items: z.array(SavedReply) });
const Notifications = z.object({ items: z.array(Notification), unreadCount: z.number().int().nonnegative() });
const UnreadCount = z.object({ unreadCount: z.number().int().nonnegative() });
const InboxAccessList = z.object({ items: z.array(InboxAccess) });
const UpdatedMe = z.object({ user: User, preferences: Preferences });

/** A request body as the contract accepts it (defaults still optional). */
type In<S extends z.ZodType> = z.input<S>;

let onUnauthenticated: (() => void) | null = null;

/** Called when a request made with a session gets a 401: the session has expired. */
export function setUnauthenticatedHandler(handler: (() => void) | null): void {
  onUnauthenticated = handler;
}

type Options = { body?: unknown; headers?: Record<string, string>; quiet401?: boolean };

async function request<S extends z.ZodType>(
  method: string,
  path: string,
  schema: S | null,
  opts: Options = {},
): Promise<z.output<S>> {
  const headers: Record<string, string> = { Accept: "application/json", ...opts.headers };
  if (opts.body !== undefined) headers["Content-Type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
  } catch {
    throw new ApiError(0, "network", "Can't reach Switchboard. Check your connection and try again.");
  }
  const text = await res.text();
  const json = parseJson(text);
  if (!res.ok) {
    const error = errorFrom(res.status, json);
    if (res.status === 401 && !opts.quiet401) onUnauthenticated?.();
    throw error;
  }
  if (schema === null) return undefined as z.output<S>;
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    console.error(`Contract mismatch on ${method} ${path}`, parsed.error.issues, json);
    throw new ApiError(
      res.status,
      "contract_mismatch",
      `Unexpected response from ${method} ${path.split("?")[0]}: ${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorFrom(status: number, json: unknown): ApiError {
  const error = (json as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  if (error && typeof error.code === "string") {
    const message = typeof error.message === "string" && error.message ? error.message : fallbackMessage(status);
    return new ApiError(status, error.code, message, error.details);
  }
  return new ApiError(status, `http_${status}`, fallbackMessage(status));
}

function fallbackMessage(status: number): string {
  if (status === 401) return "Please sign in again.";
  if (status === 403) return "You don't have permission to do that.";
  if (status === 404) return "Not found.";
  if (status === 429) return "Too many requests. Wait a moment and try again.";
  if (status >= 500) return `Something went wrong on the server (${status}). Try again in a moment.`;
  return `The request failed (${status}).`;
}

/** The field issues of a `validation_failed` error, flattened to readable lines. */
export function issueLines(error: ApiError): string[] {
  const details = error.details as { issues?: unknown } | unknown[] | undefined;
  const issues = Array.isArray(details)
    ? details
    : Array.isArray((details as { issues?: unknown })?.issues)
      ? (details as { issues: unknown[] }).issues
      : [];
  return issues.flatMap((issue) => {
    const i = issue as { path?: unknown; message?: unknown };
    if (typeof i?.message !== "string") return [];
    const field = Array.isArray(i.path) ? humanField(i.path.map(String)) : "";
    return [field ? `${field}: ${i.message}` : i.message];
  });
}

/** `["contact","email"]` → "Contact email", `["assigneeId"]` → "Assignee". */
function humanField(path: string[]): string {
  const words = path
    .filter((p) => !/^\d+$/.test(p))
    .join(" ")
    .replace(/Id\b/g, "")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : "";
}

/** The newer items of a 409 `collision`, or null for any other error. */
export function collisionItems(error: unknown): Item[] | null {
  if (!(error instanceof ApiError) || error.status !== 409 || error.code !== "collision") return null;
  const parsed = Collision.safeParse(error.details);
  return parsed.success ? parsed.data.newer : [];
}

/** A random key for `Idempotency-Key`; falls back where randomUUID needs a secure context. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}

const enc = encodeURIComponent;

export const api = {
  setupState: () => request("GET", "/api/setup", SetupState),
  setup: (input: SetupInput) => request("POST", "/api/setup", SetupResult, { body: input }),
  login: (input: LoginInput) => request("POST", "/api/auth/login", LoginResult, { body: input, quiet401: true }),
  logout: () => request("POST", "/api/auth/logout", null, { quiet401: true }),
  me: () => request("GET", "/api/me", Me, { quiet401: true }),

  conversations: (q: { view: View; inboxId?: string; cursor?: string | null; limit?: number }) =>
    request("GET", `/api/conversations${query(q)}`, Conversations),
  startConversation: (input: StartConversationInput) =>
    request("POST", "/api/conversations", Conversation, { body: input }),
  conversation: (id: string) => request("GET", `/api/conversations/${enc(id)}`, Conversation),
  timeline: (id: string, after: number) =>
    request("GET", `/api/conversations/${enc(id)}/timeline${query({ after })}`, Timeline),
  postMessage: (id: string, input: PostMessageInput, idempotencyKey: string) =>
    request("POST", `/api/conversations/${enc(id)}/messages`, Item, {
      body: input,
      headers: { "Idempotency-Key": idempotencyKey },
    }),
  updateConversation: (id: string, input: UpdateConversationInput) =>
    request("PATCH", `/api/conversations/${enc(id)}`, Conversation, { body: input }),

  addFollower: (id: string, userId: string) =>
    request("POST", `/api/conversations/${enc(id)}/followers`, Conversation, { body: { userId } }),
  /** 204: read the conversation again for its new followers. */
  removeFollower: (id: string, userId: string) =>
    request("DELETE", `/api/conversations/${enc(id)}/followers/${enc(userId)}`, null),
  setTags: (id: string, tags: string[]) =>
    request("PUT", `/api/conversations/${enc(id)}/tags`, Conversation, { body: { tags } }),

  /** Everyone in the workspace; with `inboxId`, those who can see that inbox (at `access` or above). */
  users: (q: { inboxId?: string; access?: Access } = {}) => request("GET", `/api/users${query(q)}`, Users),
  updateMe: (input: In<typeof UpdateMeInput>) => request("PATCH", "/api/me", UpdatedMe, { body: input }),
  createUser: (input: CreateUserInput) => request("POST", "/api/users", User, { body: input }),
  inboxes: () => request("GET", "/api/inboxes", Inboxes),
  createInbox: (input: CreateInboxInput) => request("POST", "/api/inboxes", Inbox, { body: input }),
  setAccess: (inboxId: string, userId: string, access: Access) =>
    request("PUT", `/api/inboxes/${enc(inboxId)}/access/${enc(userId)}`, null, { body: { access } }),
  removeAccess: (inboxId: string, userId: string) =>
    request("DELETE", `/api/inboxes/${enc(inboxId)}/access/${enc(userId)}`, null),
  updateInbox: (id: string, input: UpdateInboxInput) =>
    request("PATCH", `/api/inboxes/${enc(id)}`, Inbox, { body: input }),
  inboxAccess: (inboxId: string) => request("GET", `/api/inboxes/${enc(inboxId)}/access`, InboxAccessList),

  teams: () => request("GET", "/api/teams", Teams),
  createTeam: (input: In<typeof CreateTeamInput>) => request("POST", "/api/teams", Team, { body: input }),
  updateTeam: (id: string, input: In<typeof UpdateTeamInput>) =>
    request("PATCH", `/api/teams/${enc(id)}`, Team, { body: input }),
  deleteTeam: (id: string) => request("DELETE", `/api/teams/${enc(id)}`, null),

  tags: () => request("GET", "/api/tags", Tags),
  updateTag: (id: string, input: In<typeof UpdateTagInput>) =>
    request("PATCH", `/api/tags/${enc(id)}`, Tag, { body: input }),
  deleteTag: (id: string) => request("DELETE", `/api/tags/${enc(id)}`, null),

  savedReplies: () => request("GET", "/api/saved-replies", SavedReplies),
  createSavedReply: (input: In<typeof SavedReplyInput>) =>
    request("POST", "/api/saved-replies", SavedReply, { body: input }),
  updateSavedReply: (id: string, input: In<typeof UpdateSavedReplyInput>) =>
    request("PATCH", `/api/saved-replies/${enc(id)}`, SavedReply, { body: input }),
  deleteSavedReply: (id: string) => request("DELETE", `/api/saved-replies/${enc(id)}`, null),

  notifications: (q: { unread?: boolean; limit?: number } = {}) =>
    request(
      "GET",
      `/api/notifications${query({ unread: q.unread ? "true" : undefined, limit: q.limit })}`,
      Notifications,
    ),
  /** Mark some notifications, or all of them, read; answers the new unread count. */
  readNotifications: (which: { ids: string[] } | { all: true }) =>
    request("POST", "/api/notifications/read", UnreadCount, { body: which }),
};

/* ——— search & rules ——————————————————————————————————————————————————————
 * Appended by the search and rule-editor screens; kept apart from `api` above
 * so the two can change independently. */

import { Rule, SearchHit, type RuleInput, type UpdateRuleInput } from "../../worker/contract";

const SearchHits = z.object({ items: z.array(SearchHit) });
const Rules = z.object({ items: z.array(Rule) });

/** `GET /api/search`: ranked, prefix-matching hits over the inboxes the agent can see. */
export const searchApi = {
  search: (q: string, limit?: number) => request("GET", `/api/search${query({ q, limit })}`, SearchHits),
};

/** An inbox's auto-assignment rules (admins), in the order they run. */
export const rulesApi = {
  list: (inboxId: string) => request("GET", `/api/inboxes/${enc(inboxId)}/rules`, Rules),
  create: (inboxId: string, input: In<typeof RuleInput>) =>
    request("POST", `/api/inboxes/${enc(inboxId)}/rules`, Rule, { body: input }),
  /** `position` (0-based) moves the rule; the others are renumbered around it. */
  update: (inboxId: string, ruleId: string, input: In<typeof UpdateRuleInput>) =>
    request("PATCH", `/api/inboxes/${enc(inboxId)}/rules/${enc(ruleId)}`, Rule, { body: input }),
  remove: (inboxId: string, ruleId: string) =>
    request("DELETE", `/api/inboxes/${enc(inboxId)}/rules/${enc(ruleId)}`, null),
};

/* ——— lifecycle ———————————————————————————————————————————————————————————
 * Appended by the lifecycle screens: snooze, spam, move, tickets and links. */

import { Ticket, type CreateTicketInput, type TicketStatus, type UpdateTicketInput } from "../../worker/contract";

const Tickets = z.object({ items: z.array(Ticket) });
type TicketStatusValue = z.infer<typeof TicketStatus>;

/** Status moves, moving between inboxes, tickets and links. */
export const lifecycleApi = {
  /** Snooze (or re-time a snooze) until `until` (ms); a past time is refused by the server. */
  snooze: (id: string, until: number) =>
    request("PATCH", `/api/conversations/${enc(id)}`, Conversation, {
      body: { status: "snoozed", snoozedUntil: new Date(until).toISOString() },
    }),
  setStatus: (id: string, status: "open" | "resolved" | "spam") =>
    request("PATCH", `/api/conversations/${enc(id)}`, Conversation, { body: { status } }),
  /** Move to another inbox (reply access on both); an assignee who can't reply there is released. */
  move: (id: string, inboxId: string) =>
    request("PATCH", `/api/conversations/${enc(id)}`, Conversation, { body: { inboxId } }),

  tickets: () => request("GET", "/api/tickets", Tickets),
  ticket: (id: string) => request("GET", `/api/tickets/${enc(id)}`, Ticket),
  createTicket: (input: In<typeof CreateTicketInput>) => request("POST", "/api/tickets", Ticket, { body: input }),
  updateTicket: (id: string, input: In<typeof UpdateTicketInput>) =>
    request("PATCH", `/api/tickets/${enc(id)}`, Ticket, { body: input }),
  setTicketStatus: (id: string, status: TicketStatusValue) =>
    request("PATCH", `/api/tickets/${enc(id)}`, Ticket, { body: { status } }),

  /** Link a conversation to a ticket or to another conversation; answers the conversation with its links. */
  link: (id: string, target: { ticketId: string } | { conversationId: string }) =>
    request("POST", `/api/conversations/${enc(id)}/links`, Conversation, { body: target }),
  /** 204: read the conversation again for its links. */
  unlink: (id: string, linkId: string) => request("DELETE", `/api/conversations/${enc(id)}/links/${enc(linkId)}`, null),
};
