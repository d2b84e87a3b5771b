/**
 * What the OpenAPI document says about each `/api` operation beyond what the
 * routes' validators already carry (request bodies and query strings): who may
 * call it, its success status and the contract's schema for that body, and the
 * error codes it can answer besides the ones every route of its kind can.
 * Keyed like Hono's route table ("METHOD /api/path/:param"): the document's
 * generator refuses a route missing here, and the tests refuse an entry that
 * no route answers.
 */
import type { z } from "zod";
import {
  Contact,
  ContactMerged,
  Contacts,
  ApiTokens,
  CreatedWebhook,
  Webhook,
  WebhookDeliveries,
  WebhookDeliveryAnswer,
  Webhooks,
  Attachment,
  Conversation,
  BulkResults,
  Conversations,
  CreatedInvitation,
  CreatedReset,
  CreatedToken,
  CustomerItems,
  EmailDeliveries,
  EmailDelivery,
  type ErrorCode,
  ForwardRecipients,
  Inbox,
  InboxAccess,
  InboxAccessList,
  Inboxes,
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
  WidgetConfig,
  WidgetPosted,
  WidgetSecret,
  WidgetStarted,
} from "../contract";

/**
 * Who may call: nobody in particular; any agent (session cookie or API token);
 * an admin; the widget's customer (contact token); or, for a file, any of
 * agent, customer or a signed link.
 */
export type Auth = "none" | "agent" | "admin" | "contact" | "file";

export interface Operation {
  summary: string;
  auth: Auth;
  /** The success status; 200 unless said. */
  status?: 200 | 201 | 202 | 204 | 101;
  /** The contract's schema of the success body (none for 204 and sockets). */
  body?: z.ZodType;
  /** Codes this operation answers besides those its auth, path, body and query imply. */
  errors?: ErrorCode[];
  /** Honours an `Idempotency-Key` header: a retry with the same key returns the first answer. */
  idempotent?: true;
  /** The request body is a file's raw bytes (any type), named by `?name=`. */
  upload?: true;
  /** A WebSocket upgrade (documented as GET answered by 101). */
  socket?: true;
  /** The success body is not JSON (a file, the reference page). */
  media?: string;
  /** Other non-error answers: a 304 to If-None-Match, a 206 to Range… */
  also?: Record<number, { description: string }>;
  /** Query parameters the handler reads without a validator. */
  query?: { name: string; description: string; required?: boolean }[];
}

const NOT_MODIFIED = { description: "Not Modified: the If-None-Match ETag still holds" };

/** Every `/api` operation the worker answers. A write to a merged conversation is a `conflict` (it is read-only). */
export const OPERATIONS: Record<string, Operation> = {
  // Public: the document itself, setup and sign-in.
  "GET /api/openapi.json": {
    summary: "This OpenAPI document",
    auth: "none",
    media: "application/json",
    also: { 304: NOT_MODIFIED },
  },
  "GET /api/docs": { summary: "The API reference (this document, rendered)", auth: "none", media: "text/html" },
  "GET /api/setup": { summary: "Whether this Switchboard is set up", auth: "none", body: SetupState },
  "POST /api/setup": {
    summary: "First run: create the workspace and its admin (signs in)",
    auth: "none",
    status: 201,
    body: SetupResult,
    errors: ["already_set_up", "rate_limited"],
  },
  "POST /api/auth/login": {
    summary: "Sign in (sets the session cookie)",
    auth: "none",
    body: LoginResult,
    errors: ["unauthenticated", "rate_limited"],
  },
  "POST /api/auth/accept-invite": {
    summary: "Accept an invitation: choose a name and password (signs in)",
    auth: "none",
    status: 201,
    body: LoginResult,
    errors: ["conflict", "not_found"],
  },
  "POST /api/auth/reset": {
    summary: "Set a new password with a reset link's token",
    auth: "none",
    status: 204,
    errors: ["not_found"],
  },
  "POST /api/auth/logout": { summary: "Sign out", auth: "none", status: 204 },

  // The widget's customer side.
  "GET /api/widget/{widgetKey}/config": {
    summary: "The widget's look and behaviour (ETag, revalidated each load)",
    auth: "none",
    body: WidgetConfig,
    also: { 304: NOT_MODIFIED },
  },
  "POST /api/widget/{widgetKey}/conversations": {
    summary: "A customer starts a conversation",
    idempotent: true,
    auth: "none",
    status: 201,
    body: WidgetStarted,
    // conflict: a replayed Idempotency-Key without the contact token that started it.
    errors: ["unauthenticated", "forbidden", "conflict", "rate_limited"],
  },
  "GET /api/widget/conversations/{id}/messages": {
    summary: "The customer's view of the thread",
    auth: "contact",
    body: CustomerItems,
  },
  "POST /api/widget/conversations/{id}/messages": {
    summary: "The customer writes",
    idempotent: true,
    auth: "contact",
    status: 201,
    body: WidgetPosted,
    errors: ["rate_limited"],
  },
  "POST /api/widget/conversations/{id}/attachments": {
    summary: "The customer uploads a file for their next message",
    auth: "contact",
    status: 201,
    body: Attachment,
    upload: true,
    errors: ["rate_limited"],
  },
  "POST /api/widget/conversations/{id}/rating": {
    summary: "The customer rates a resolved conversation",
    auth: "contact",
    status: 201,
    body: Rating,
    errors: ["conflict", "rate_limited"],
  },
  "GET /api/widget/conversations/{id}/live": {
    summary: "The customer's live socket (items and typing)",
    auth: "none",
    socket: true,
    query: [{ name: "token", description: "The contact token", required: true }],
    errors: ["unauthenticated"],
  },

  // Files.
  "GET /api/attachments/{id}": {
    summary: "Download a file (Range and If-None-Match honoured)",
    auth: "file",
    media: "*/*",
    also: {
      206: { description: "Partial Content: the requested range" },
      304: NOT_MODIFIED,
      416: { description: "Range Not Satisfiable" },
    },
    query: [
      { name: "exp", description: "A signed link's expiry (with sig)" },
      { name: "sig", description: "A signed link's signature (with exp)" },
    ],
  },
  "POST /api/attachments": {
    summary: "Upload a file for a message or note in an inbox",
    auth: "agent",
    status: 201,
    body: Attachment,
    upload: true,
    errors: ["not_found"],
  },

  // The signed-in agent.
  "GET /api/me": { summary: "Who I am, my workspace and my inboxes", auth: "agent", body: Me },
  "PATCH /api/me": { summary: "Change my name or preferences", auth: "agent", body: UpdatedMe },
  "GET /api/me/tokens": { summary: "My API tokens", auth: "agent", body: ApiTokens },
  "POST /api/me/tokens": {
    summary: "Create an API token (shown once)",
    auth: "agent",
    status: 201,
    body: CreatedToken,
  },
  "DELETE /api/me/tokens/{id}": { summary: "Revoke an API token", auth: "agent", status: 204 },
  "GET /api/me/push-subscriptions": {
    summary: "The devices I get push notifications on, and the server's VAPID public key",
    auth: "agent",
    body: PushDevices,
    query: [{ name: "endpoint", description: "This browser's push endpoint: its device is marked `current`" }],
  },
  "POST /api/me/push-subscriptions": {
    summary: "Get push notifications on this device (the browser's PushSubscription)",
    auth: "agent",
    status: 201,
    body: PushDevice,
    errors: ["not_configured"],
  },
  "DELETE /api/me/push-subscriptions/{id}": {
    summary: "Stop push notifications on a device",
    auth: "agent",
    status: 204,
    errors: ["not_found"],
  },
  "POST /api/me/password": { summary: "Change my password", auth: "agent", status: 204 },

  // The team.
  "GET /api/users": { summary: "The workspace's people", auth: "agent", body: Users },
  "POST /api/users": {
    summary: "Add a person",
    auth: "admin",
    status: 201,
    body: TeamMember,
    errors: ["conflict"],
  },
  "PATCH /api/users/{id}": {
    summary: "Rename, change role, deactivate or reactivate a person",
    auth: "admin",
    body: TeamMember,
    errors: ["conflict"],
  },
  "POST /api/users/{id}/password-reset": {
    summary: "Make a password reset link for a person",
    auth: "admin",
    status: 201,
    body: CreatedReset,
  },
  "GET /api/invitations": { summary: "Pending invitations", auth: "admin", body: Invitations },
  "POST /api/invitations": {
    summary: "Invite someone by email",
    auth: "admin",
    status: 201,
    body: CreatedInvitation,
    errors: ["conflict"],
  },
  "DELETE /api/invitations/{id}": { summary: "Withdraw an invitation", auth: "admin", status: 204 },
  "GET /api/teams": { summary: "Teams", auth: "agent", body: Teams },
  "POST /api/teams": { summary: "Create a team", auth: "admin", status: 201, body: Team, errors: ["conflict"] },
  "PATCH /api/teams/{id}": {
    summary: "Rename a team or set its members",
    auth: "admin",
    body: Team,
    errors: ["conflict"],
  },
  "DELETE /api/teams/{id}": { summary: "Delete a team", auth: "admin", status: 204 },

  // Inboxes, access and rules.
  "GET /api/inboxes": { summary: "The inboxes I can see", auth: "agent", body: Inboxes },
  "POST /api/inboxes": { summary: "Create an inbox", auth: "admin", status: 201, body: Inbox, errors: ["conflict"] },
  "PATCH /api/inboxes/{inboxId}": {
    summary: "Change an inbox and its widget",
    auth: "admin",
    body: Inbox,
    errors: ["conflict"],
  },
  "POST /api/inboxes/{inboxId}/widget-secret": {
    summary: "Rotate the widget's identity-verification secret (shown once)",
    auth: "admin",
    status: 201,
    body: WidgetSecret,
  },
  "PUT /api/inboxes/{inboxId}/business-hours": {
    summary: "Set an inbox's business hours (its SLA clocks count in them)",
    auth: "admin",
    body: Inbox,
  },
  "DELETE /api/inboxes/{inboxId}/business-hours": {
    summary: "Clear an inbox's business hours (it counts every hour again)",
    auth: "admin",
    body: Inbox,
  },
  "PUT /api/inboxes/{inboxId}/sla": { summary: "Set an inbox's SLA targets", auth: "admin", body: Inbox },
  "GET /api/inboxes/{inboxId}/access": { summary: "Who has access to an inbox", auth: "admin", body: InboxAccessList },
  "PUT /api/inboxes/{inboxId}/access/{userId}": {
    summary: "Grant a person view, note or reply access",
    auth: "admin",
    body: InboxAccess,
  },
  "DELETE /api/inboxes/{inboxId}/access/{userId}": {
    summary: "Take a person's access away",
    auth: "admin",
    status: 204,
  },
  "GET /api/inboxes/{inboxId}/rules": { summary: "An inbox's rules, in order", auth: "admin", body: Rules },
  "POST /api/inboxes/{inboxId}/rules": { summary: "Add a rule", auth: "admin", status: 201, body: Rule },
  "PATCH /api/inboxes/{inboxId}/rules/{ruleId}": { summary: "Change or move a rule", auth: "admin", body: Rule },
  "DELETE /api/inboxes/{inboxId}/rules/{ruleId}": { summary: "Delete a rule", auth: "admin", status: 204 },

  // Conversations.
  "GET /api/conversations": {
    summary:
      "A list view, a page at a time (a page may hold fewer rows than limit, even none: follow nextCursor until it is null)",
    auth: "agent",
    body: Conversations,
  },
  "POST /api/conversations": {
    summary: "Start a conversation with a customer",
    idempotent: true,
    auth: "agent",
    status: 201,
    body: Conversation,
    errors: ["not_found"],
  },
  "POST /api/conversations/bulk": {
    summary: "Change up to 100 conversations at once, each through its own room; one result per id",
    auth: "agent",
    body: BulkResults,
  },
  "GET /api/conversations/{id}": { summary: "A conversation", auth: "agent", body: Conversation },
  "PATCH /api/conversations/{id}": {
    summary: "Change status, snooze, priority, assignee, team or inbox",
    auth: "agent",
    body: Conversation,
    errors: ["conflict"],
  },
  "GET /api/conversations/{id}/timeline": {
    summary: "The conversation's items after a seq",
    auth: "agent",
    body: Timeline,
  },
  "POST /api/conversations/{id}/messages": {
    summary: "Reply or write a note",
    idempotent: true,
    auth: "agent",
    status: 201,
    body: Item,
    errors: ["collision", "conflict"],
  },
  "GET /api/conversations/forward-recipients": {
    summary: "Earlier forward recipients in this workspace matching q, most used and most recent first",
    auth: "agent",
    body: ForwardRecipients,
  },
  "POST /api/conversations/{id}/forward": {
    summary: "Forward the thread by email to 1–10 addresses (reply access); answers the forwarded event",
    idempotent: true,
    auth: "agent",
    status: 201,
    body: Item,
    errors: ["conflict", "rate_limited"],
  },
  "GET /api/conversations/{id}/email-deliveries": {
    summary: "How the conversation's email replies were delivered",
    auth: "agent",
    body: EmailDeliveries,
  },
  "POST /api/conversations/{id}/messages/{seq}/retry-email": {
    summary: "Send a failed email reply again",
    auth: "agent",
    body: EmailDelivery,
    errors: ["conflict"],
  },
  "POST /api/conversations/{id}/merge": {
    summary: "Merge into another conversation of the same customer (reply access to both)",
    auth: "agent",
    body: Conversation,
    errors: ["conflict"],
  },
  "PUT /api/conversations/{id}/tags": {
    summary: "Replace the conversation's tags",
    auth: "agent",
    body: Conversation,
    errors: ["conflict"],
  },
  "POST /api/conversations/{id}/followers": {
    summary: "Follow, or add a follower",
    auth: "agent",
    status: 201,
    body: Conversation,
    errors: ["conflict"],
  },
  "DELETE /api/conversations/{id}/followers/{userId}": {
    summary: "Stop following",
    auth: "agent",
    status: 204,
    errors: ["conflict"],
  },
  "POST /api/conversations/{id}/links": {
    summary: "Link a conversation or a ticket",
    auth: "agent",
    status: 201,
    body: Conversation,
    errors: ["conflict"],
  },
  "DELETE /api/conversations/{id}/links/{linkId}": {
    summary: "Remove a link",
    auth: "agent",
    status: 204,
    errors: ["conflict"],
  },
  "GET /api/conversations/{id}/live": {
    summary: "The conversation's live socket (presence, drafts, items)",
    auth: "agent",
    socket: true,
  },
  "GET /api/live": { summary: "The list views' live socket", auth: "agent", socket: true },
  "GET /api/search": { summary: "Search conversations", auth: "agent", body: SearchHits },
  "GET /api/reports": {
    summary: "Report: rollup sums over days, by day, agent, inbox or team (only the inboxes one sees)",
    auth: "agent",
    body: Report,
  },

  // Contacts: an agent sees a contact with a conversation in an inbox they see, and only those conversations.
  "GET /api/contacts": { summary: "Contacts by name or email prefix", auth: "agent", body: Contacts },
  "GET /api/contacts/{id}": { summary: "A contact's profile and visible conversations", auth: "agent", body: Contact },
  "PATCH /api/contacts/{id}": {
    summary: "Edit or block a contact (reply access where they have a conversation)",
    auth: "agent",
    body: Contact,
    errors: ["conflict"],
  },
  "POST /api/contacts/{id}/merge": {
    summary: "Merge into another contact: conversations and widget tokens move",
    auth: "agent",
    body: ContactMerged,
    errors: ["conflict"],
  },

  // Tickets.
  "GET /api/tickets": { summary: "Recent tickets", auth: "agent", body: Tickets },
  "POST /api/tickets": { summary: "Create a ticket", auth: "agent", status: 201, body: Ticket },
  "GET /api/tickets/{id}": { summary: "A ticket", auth: "agent", body: Ticket },
  "PATCH /api/tickets/{id}": { summary: "Change a ticket", auth: "agent", body: Ticket },

  // The workspace library.
  "GET /api/tags": { summary: "Tags", auth: "agent", body: Tags },
  "PATCH /api/tags/{id}": { summary: "Rename or recolour a tag", auth: "admin", body: Tag, errors: ["conflict"] },
  "DELETE /api/tags/{id}": { summary: "Delete a tag everywhere", auth: "admin", status: 204 },
  "GET /api/saved-replies": { summary: "Saved replies", auth: "agent", body: SavedReplies },
  "POST /api/saved-replies": { summary: "Create a saved reply", auth: "admin", status: 201, body: SavedReply },
  "PATCH /api/saved-replies/{id}": { summary: "Change a saved reply", auth: "admin", body: SavedReply },
  "DELETE /api/saved-replies/{id}": { summary: "Delete a saved reply", auth: "admin", status: 204 },

  // Notifications.
  "GET /api/notifications": { summary: "My notifications", auth: "agent", body: Notifications },
  "POST /api/notifications/read": { summary: "Mark notifications read", auth: "agent", body: UnreadCount },

  // Webhooks.
  "GET /api/webhooks": { summary: "Webhook endpoints", auth: "admin", body: Webhooks },
  "POST /api/webhooks": {
    summary: "Add a webhook endpoint (its signing secret is shown this once)",
    auth: "admin",
    status: 201,
    body: CreatedWebhook,
    errors: ["conflict", "not_configured"],
  },
  "PATCH /api/webhooks/{id}": { summary: "Change, turn on or turn off an endpoint", auth: "admin", body: Webhook },
  "DELETE /api/webhooks/{id}": { summary: "Remove an endpoint and its delivery log", auth: "admin", status: 204 },
  "POST /api/webhooks/{id}/secret": {
    summary: "Replace an endpoint's signing secret (shown this once)",
    auth: "admin",
    status: 201,
    body: CreatedWebhook,
    errors: ["not_configured"],
  },
  "POST /api/webhooks/{id}/test": {
    summary: "Send a test event to the endpoint",
    auth: "admin",
    status: 202,
    body: WebhookDeliveryAnswer,
    errors: ["not_configured"],
  },
  "GET /api/webhooks/{id}/deliveries": {
    summary: "The endpoint's delivery log, newest first",
    auth: "admin",
    body: WebhookDeliveries,
  },
  "POST /api/webhooks/{id}/deliveries/{deliveryId}/retry": {
    summary: "Send a delivery again",
    auth: "admin",
    status: 202,
    body: WebhookDeliveryAnswer,
    errors: ["conflict"],
  },
};
