/**
 * The D1 schema: the system of record for the whole product.
 *
 * Conventions: ids are opaque text; times are integer milliseconds since the
 * epoch (the API speaks ISO-8601); snake_case columns.
 *
 * List views page by keyset on (last_activity_at, id), newest first. Every
 * view has an index whose leading columns are the view's equality filters and
 * whose tail is (last_activity_at, id), so a page reads exactly its rows.
 * Views keyed by another table (Following, Mentioned, tag filter) carry a copy
 * of the conversation's status and last_activity_at, kept in step by the
 * conversation's room, the only writer of a conversation.
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { BusinessHours } from "../contract/business-hours";
import type { TimelineEvent } from "../contract/events";
import { DEFAULT_WIDGET } from "../contract/inboxes";

/** An item's copy of one of its files (the item's `attachments` add each one's `url`). */
export interface StoredAttachment {
  id: string;
  name: string;
  size: number;
  contentType: string;
}

const createdAt = () => integer("created_at").notNull();

export const workspaces = sqliteTable("workspaces", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  /** Signs the customer's short-lived file URLs (hex); made on first use (db/queries/files-key.ts). */
  filesKey: text("files_key"),
  createdAt: createdAt(),
});

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    name: text("name").notNull(),
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    role: text("role", { enum: ["admin", "agent"] }).notNull(),
    timeZone: text("time_zone").notNull().default("UTC"),
    emailNotifications: integer("email_notifications", { mode: "boolean" }).notNull().default(false),
    /**
     * Which channels each kind of notification uses, `{kind: {inApp, email, push}}`; kinds or
     * channels left out take the defaults (worker/domain/notification-prefs.ts). Email also
     * needs `email_notifications` on: that switch is the master for email.
     */
    notificationPrefs: text("notification_prefs", { mode: "json" }).$type<Record<string, Record<string, boolean>>>(),
    /** Set while the user is deactivated: no sign-in, no session, no token; their history stays. */
    deactivatedAt: integer("deactivated_at"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("users_email").on(t.email), index("users_workspace").on(t.workspaceId, t.name)],
);

export const sessions = sqliteTable(
  "sessions",
  {
    /** SHA-256 of the cookie's token: a leaked table grants nothing. */
    tokenHash: text("token_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("sessions_user").on(t.userId)],
);

export const apiTokens = sqliteTable(
  "api_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull(),
    createdAt: createdAt(),
    lastUsedAt: integer("last_used_at"),
  },
  (t) => [uniqueIndex("api_tokens_hash").on(t.tokenHash), index("api_tokens_user").on(t.userId)],
);

/** A pending invitation: the invitee picks their own name and password. Deleted when accepted or revoked. */
export const invitations = sqliteTable(
  "invitations",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    email: text("email").notNull(),
    role: text("role", { enum: ["admin", "agent"] }).notNull(),
    /** The inbox grants applied on acceptance: JSON `[{inboxId, access}]`. */
    access: text("access", { mode: "json" })
      .$type<{ inboxId: string; access: "view" | "note" | "reply" }[]>()
      .notNull(),
    /** SHA-256 of the link's token, like sessions and API tokens. */
    tokenHash: text("token_hash").notNull(),
    invitedBy: text("invited_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [uniqueIndex("invitations_token").on(t.tokenHash), index("invitations_workspace").on(t.workspaceId, t.email)],
);

/** A one-time password reset link an admin issued. Deleted when used. */
export const passwordResets = sqliteTable(
  "password_resets",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("password_resets_user").on(t.userId)],
);

/** Fixed-window counters for login and widget rate limits. */
export const rateLimits = sqliteTable("rate_limits", {
  key: text("key").primaryKey(),
  windowStart: integer("window_start").notNull(),
  count: integer("count").notNull(),
});

export const inboxes = sqliteTable(
  "inboxes",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    name: text("name").notNull(),
    channel: text("channel", { enum: ["chat", "email"] }).notNull(),
    /** Public key the chat widget's script tag carries. */
    widgetKey: text("widget_key").notNull(),
    /** Secret for identity verification (HMAC of the site's user id). */
    widgetSecret: text("widget_secret").notNull(),
    emailAddress: text("email_address"),
    autoResolveDays: integer("auto_resolve_days"),
    // The chat widget's settings (contract: WidgetSettings); a new inbox starts with DEFAULT_WIDGET.
    widgetColor: text("widget_color").notNull().default(DEFAULT_WIDGET.color),
    widgetGreeting: text("widget_greeting").notNull().default(DEFAULT_WIDGET.greeting),
    widgetPosition: text("widget_position", { enum: ["left", "right"] })
      .notNull()
      .default(DEFAULT_WIDGET.position),
    widgetPreChat: text("widget_pre_chat", { enum: ["off", "optional", "required"] })
      .notNull()
      .default(DEFAULT_WIDGET.preChat),
    widgetRequireIdentity: integer("widget_require_identity", { mode: "boolean" })
      .notNull()
      .default(DEFAULT_WIDGET.requireIdentity),
    /** Contract: BusinessHours; null counts every hour (24/7). */
    businessHours: text("business_hours", { mode: "json" }).$type<BusinessHours>(),
    // SLA targets in minutes (null: none); business time or calendar time.
    slaFirstResponseMinutes: integer("sla_first_response_minutes"),
    slaNextResponseMinutes: integer("sla_next_response_minutes"),
    slaResolutionMinutes: integer("sla_resolution_minutes"),
    slaBusinessHoursOnly: integer("sla_business_hours_only", { mode: "boolean" }).notNull().default(false),
    /** Hours or targets changed: the sweep re-sets the clocks of the inbox's open conversations (cron/sla.ts). */
    slaReclockPending: integer("sla_reclock_pending", { mode: "boolean" }).notNull().default(false),
    /** Where that walk stands: JSON [status, last activity, id] of the last conversation done. */
    slaReclockCursor: text("sla_reclock_cursor"),
    createdAt: createdAt(),
  },
  (t) => [
    index("inboxes_sla_reclock").on(t.id).where(sql`sla_reclock_pending = 1`),
    uniqueIndex("inboxes_widget_key").on(t.widgetKey),
    uniqueIndex("inboxes_email_address").on(t.emailAddress),
    index("inboxes_workspace").on(t.workspaceId, t.name),
  ],
);

export const inboxAccess = sqliteTable(
  "inbox_access",
  {
    inboxId: text("inbox_id")
      .notNull()
      .references(() => inboxes.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    access: text("access", { enum: ["view", "note", "reply"] }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.inboxId, t.userId] }), index("inbox_access_user").on(t.userId)],
);

export const teams = sqliteTable(
  "teams",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    name: text("name").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("teams_workspace_name").on(t.workspaceId, t.name)],
);

export const teamMembers = sqliteTable(
  "team_members",
  {
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.userId] }), index("team_members_user").on(t.userId)],
);

export const contacts = sqliteTable(
  "contacts",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    name: text("name"),
    email: text("email"),
    /**
     * Whether `email` is known to be theirs: it came from their own mail, or an agent entered it.
     * An address typed into the widget is only a claim, so mail from it never joins that contact.
     */
    emailVerified: integer("email_verified", { mode: "boolean" }).notNull().default(false),
    /** The site's own user id, set only when identity verification passed. */
    externalId: text("external_id"),
    /** JSON object of string attributes (language, plan, …). */
    attributes: text("attributes", { mode: "json" }).$type<Record<string, string>>().notNull().default({}),
    /** JSON array of tag names set on the contact. */
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull().default([]),
    blocked: integer("blocked", { mode: "boolean" }).notNull().default(false),
    /** Set by a contact merge: the contact that holds their conversations and tokens now. */
    mergedInto: text("merged_into"),
    /** The Contacts page's sort and name-prefix key (generated, so no writer can forget it). */
    nameKey: text("name_key").generatedAlwaysAs(sql`lower(coalesce(name, email, ''))`, { mode: "virtual" }),
    /** The email-prefix search key. */
    emailKey: text("email_key").generatedAlwaysAs(sql`lower(email)`, { mode: "virtual" }),
    createdAt: createdAt(),
  },
  (t) => [
    index("contacts_workspace_email").on(t.workspaceId, t.email),
    // The Contacts page: pages in (name, id) order; search by name or email prefix through these.
    index("contacts_ws_name_key").on(t.workspaceId, t.nameKey, t.id),
    index("contacts_ws_email_key").on(t.workspaceId, t.emailKey, t.id),
    uniqueIndex("contacts_workspace_external").on(t.workspaceId, t.externalId),
  ],
);

/** Bearer tokens of the chat widget: each grants one contact its own conversations. */
export const contactTokens = sqliteTable(
  "contact_tokens",
  {
    tokenHash: text("token_hash").primaryKey(),
    contactId: text("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    inboxId: text("inbox_id")
      .notNull()
      .references(() => inboxes.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [index("contact_tokens_contact").on(t.contactId)],
);

export const conversations = sqliteTable(
  "conversations",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    inboxId: text("inbox_id")
      .notNull()
      .references(() => inboxes.id),
    contactId: text("contact_id")
      .notNull()
      .references(() => contacts.id),
    subject: text("subject"),
    status: text("status", { enum: ["open", "snoozed", "resolved", "spam", "merged"] }).notNull(),
    priority: text("priority", { enum: ["none", "low", "medium", "high", "urgent"] })
      .notNull()
      .default("none"),
    assigneeId: text("assignee_id").references(() => users.id, { onDelete: "set null" }),
    teamId: text("team_id").references(() => teams.id, { onDelete: "set null" }),
    snoozedUntil: integer("snoozed_until"),
    /** Highest seq written to timeline_items: the room's counter survives eviction here. */
    lastSeq: integer("last_seq").notNull().default(0),
    lastActivityAt: integer("last_activity_at").notNull(),
    preview: text("preview").notNull().default(""),
    /** Root Message-ID of an email thread, for outgoing References. */
    emailThreadId: text("email_thread_id"),
    /** Set by a merge (status "merged"): the conversation that holds its items now. */
    mergedInto: text("merged_into"),
    // The SLA clock due first while one runs (domain/sla.ts); all null otherwise.
    slaKind: text("sla_kind", { enum: ["first_response", "next_response", "resolution"] }),
    slaStartedAt: integer("sla_started_at"),
    slaDueAt: integer("sla_due_at"),
    /** The sweep marked the current clock breached and notified: once per clock. */
    slaBreached: integer("sla_breached", { mode: "boolean" }).notNull().default(false),
    // Metrics the room records as it writes (contract: ConversationMetrics).
    firstResponseAt: integer("first_response_at"),
    firstResponseSeconds: integer("first_response_seconds"),
    repliesCount: integer("replies_count").notNull().default(0),
    resolvedAt: integer("resolved_at"),
    resolutionSeconds: integer("resolution_seconds"),
    reopenCount: integer("reopen_count").notNull().default(0),
    /** The oldest customer message no reply has answered yet: an answer is owed since then. */
    waitingSince: integer("waiting_since"),
    /** When the current stretch began: creation, or the latest reopening (the resolution clock's start). */
    openedAt: integer("opened_at"),
    /** 0 for a conversation from before metrics: the back-fill replays its timeline once, then 1. */
    metricsRecorded: integer("metrics_recorded").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    // Views "all", "resolved", "snoozed", "spam" across the workspace.
    index("conversations_ws_status_activity").on(t.workspaceId, t.status, t.lastActivityAt, t.id),
    // Any view narrowed to one inbox; also the auto-resolve sweep per inbox.
    index("conversations_inbox_status_activity").on(t.inboxId, t.status, t.lastActivityAt, t.id),
    // "unassigned" in one inbox, and each inbox's arm of an agent's per-inbox merge.
    index("conversations_inbox_unassigned_activity")
      .on(t.inboxId, t.status, t.lastActivityAt, t.id)
      .where(sql`assignee_id IS NULL`),
    // "mine" and the assignee filter.
    index("conversations_assignee_status_activity").on(t.assigneeId, t.status, t.lastActivityAt, t.id),
    // "unassigned": a partial index, so no assigned row is read.
    index("conversations_unassigned_activity")
      .on(t.workspaceId, t.status, t.lastActivityAt, t.id)
      .where(sql`assignee_id IS NULL`),
    index("conversations_team_status_activity").on(t.teamId, t.status, t.lastActivityAt, t.id),
    index("conversations_priority_status_activity").on(t.workspaceId, t.priority, t.status, t.lastActivityAt, t.id),
    // The customers of conversations merged into this one (their widgets continue here).
    index("conversations_merged_into").on(t.mergedInto).where(sql`merged_into IS NOT NULL`),
    // The snooze sweep reads only due rows.
    index("conversations_snoozed_until").on(t.snoozedUntil).where(sql`status = 'snoozed'`),
    // The 24-hour chat rule: a contact's latest conversation in an inbox.
    index("conversations_contact_inbox_activity").on(t.contactId, t.inboxId, t.lastActivityAt),
    // view=breaching: running clocks, due first, across the workspace or in one inbox.
    index("conversations_ws_sla_due").on(t.workspaceId, t.slaDueAt, t.id).where(sql`sla_due_at IS NOT NULL`),
    index("conversations_inbox_sla_due").on(t.inboxId, t.slaDueAt, t.id).where(sql`sla_due_at IS NOT NULL`),
    // The breach sweep reads only clocks that ran out and were not yet marked.
    index("conversations_sla_unbreached").on(t.slaDueAt).where(sql`sla_due_at IS NOT NULL AND sla_breached = 0`),
    // The back-fill reads only conversations it has not replayed.
    index("conversations_metrics_pending").on(t.id).where(sql`metrics_recorded = 0`),
  ],
);

export const timelineItems = sqliteTable(
  "timeline_items",
  {
    conversationId: text("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    seq: integer("seq").notNull(),
    kind: text("kind", { enum: ["customer", "reply", "note", "event"] }).notNull(),
    authorType: text("author_type", { enum: ["contact", "user", "system"] }).notNull(),
    authorId: text("author_id"),
    /** The author's name when written: the audit trail does not change with renames. */
    authorName: text("author_name").notNull(),
    body: text("body").notNull(),
    /** For kind "event": `{type, …}`. */
    event: text("event", { mode: "json" }).$type<TimelineEvent>(),
    idempotencyKey: text("idempotency_key"),
    /** RFC 5322 Message-ID of an email item, for threading. */
    messageId: text("message_id"),
    /**
     * The files the item carries, copied from their rows when linked (they never
     * change after): items travel without a join. The rows stay the authority
     * for who may download.
     */
    attachments: text("attachments", { mode: "json" }).$type<StoredAttachment[]>(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.conversationId, t.seq] }),
    uniqueIndex("timeline_items_idempotency").on(t.conversationId, t.idempotencyKey),
    index("timeline_items_message_id").on(t.messageId),
  ],
);

export const followers = sqliteTable(
  "followers",
  {
    conversationId: text("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    status: text("status").notNull(),
    lastActivityAt: integer("last_activity_at").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.conversationId, t.userId] }),
    index("followers_user_activity").on(t.userId, t.lastActivityAt, t.conversationId),
  ],
);

/** One row per (conversation, mentioned agent): the Mentioned view. */
export const mentions = sqliteTable(
  "mentions",
  {
    conversationId: text("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The note that last mentioned them. */
    seq: integer("seq").notNull(),
    status: text("status").notNull(),
    lastActivityAt: integer("last_activity_at").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.conversationId, t.userId] }),
    index("mentions_user_activity").on(t.userId, t.lastActivityAt, t.conversationId),
  ],
);

/**
 * Users whose access changed, waiting for the sweep to drop them from what
 * they follow or are assigned to but can no longer see (access.ts in cron/).
 */
export const accessReviews = sqliteTable("access_reviews", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  requestedAt: integer("requested_at").notNull(),
});

export const notifications = sqliteTable(
  "notifications",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["mention", "assigned", "update", "webhook", "sla", "forward"] }).notNull(),
    conversationId: text("conversation_id").references(() => conversations.id, { onDelete: "cascade" }),
    actorId: text("actor_id"),
    actorName: text("actor_name").notNull(),
    preview: text("preview").notNull(),
    createdAt: createdAt(),
    readAt: integer("read_at"),
    emailedAt: integer("emailed_at"),
    /** Email tries so far; the sweep gives up after its last retry. */
    emailAttempts: integer("email_attempts").notNull().default(0),
    /** Not before this time may the sweep claim it again: a claim's lease or a retry's back-off. */
    emailDueAt: integer("email_due_at"),
    /** False when the agent turned off in-app notices of this kind: the row only carries email and push. */
    inApp: integer("in_app", { mode: "boolean" }).notNull().default(true),
  },
  (t) => [
    index("notifications_user_created").on(t.userId, t.createdAt, t.id),
    index("notifications_user_unread").on(t.userId, t.createdAt).where(sql`read_at IS NULL`),
    // The email sweep visits each notification at most once: rows leave this
    // index when they are read in the app or handled by the sweep.
    index("notifications_email_pending").on(t.createdAt).where(sql`emailed_at IS NULL AND read_at IS NULL`),
  ],
);

export const tags = sqliteTable(
  "tags",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    name: text("name").notNull(),
    color: text("color").notNull(),
    createdAt: createdAt(),
  },
  // Names are unique regardless of case ("Billing" and "billing" are one tag), even under racing first uses.
  (t) => [uniqueIndex("tags_workspace_lower_name").on(t.workspaceId, sql`lower(${t.name})`)],
);

export const conversationTags = sqliteTable(
  "conversation_tags",
  {
    conversationId: text("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    tagId: text("tag_id")
      .notNull()
      .references(() => tags.id, { onDelete: "cascade" }),
    status: text("status").notNull(),
    lastActivityAt: integer("last_activity_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.conversationId, t.tagId] }),
    index("conversation_tags_tag_status_activity").on(t.tagId, t.status, t.lastActivityAt, t.conversationId),
  ],
);

export const savedReplies = sqliteTable(
  "saved_replies",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    name: text("name").notNull(),
    body: text("body").notNull(),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("saved_replies_workspace_name").on(t.workspaceId, t.name)],
);

export const tickets = sqliteTable(
  "tickets",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    status: text("status", { enum: ["open", "in_progress", "done"] })
      .notNull()
      .default("open"),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("tickets_workspace_created").on(t.workspaceId, t.createdAt)],
);

/** A link from a conversation to another conversation or to a ticket; shown on both sides. */
export const links = sqliteTable(
  "links",
  {
    id: text("id").primaryKey(),
    conversationId: text("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    targetConversationId: text("target_conversation_id").references(() => conversations.id, { onDelete: "cascade" }),
    ticketId: text("ticket_id").references(() => tickets.id, { onDelete: "cascade" }),
    createdBy: text("created_by"),
    createdAt: createdAt(),
  },
  (t) => [
    index("links_conversation").on(t.conversationId),
    index("links_target_conversation").on(t.targetConversationId),
    index("links_ticket").on(t.ticketId),
    // One link per pair, whichever side made it; the rooms check first, these make it certain.
    uniqueIndex("links_ticket_once").on(t.conversationId, t.ticketId).where(sql`ticket_id IS NOT NULL`),
    uniqueIndex("links_pair_once")
      .on(sql`min(conversation_id, target_conversation_id)`, sql`max(conversation_id, target_conversation_id)`)
      .where(sql`target_conversation_id IS NOT NULL`),
  ],
);

/** Auto-assignment rules, run in `position` order when a conversation is created. */
export const rules = sqliteTable(
  "rules",
  {
    id: text("id").primaryKey(),
    inboxId: text("inbox_id")
      .notNull()
      .references(() => inboxes.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    name: text("name").notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    conditions: text("conditions", { mode: "json" }).$type<unknown[]>().notNull(),
    actions: text("actions", { mode: "json" }).$type<unknown[]>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("rules_inbox_position").on(t.inboxId, t.position)],
);

/**
 * Outgoing email, written in the same D1 batch as the item it sends, so a
 * reply is never lost between commit and sending. The minute sweep claims due
 * rows (a lease moves `due_at` ahead), sends, and stores the Message-ID that
 * `send()` returns: the reply's id for threading.
 */
export const outbox = sqliteTable(
  "outbox",
  {
    id: text("id").primaryKey(),
    /** `reply`: a reply to the customer; `forward`: the thread forwarded (its `forwarded` event). */
    kind: text("kind", { enum: ["reply", "forward"] }).notNull(),
    conversationId: text("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    /** The timeline item sent: the reply, or the `forwarded` event. */
    seq: integer("seq").notNull(),
    status: text("status", { enum: ["pending", "sent", "failed"] })
      .notNull()
      .default("pending"),
    attempts: integer("attempts").notNull().default(0),
    dueAt: integer("due_at").notNull(),
    /** The Message-ID Email Service gave the sent mail. */
    messageId: text("message_id"),
    lastError: text("last_error"),
    sentAt: integer("sent_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("outbox_item").on(t.conversationId, t.seq),
    index("outbox_due").on(t.dueAt).where(sql`status = 'pending'`),
    index("outbox_message_id").on(t.messageId),
  ],
);

/**
 * Customers' answers to "How did we do?": one per resolution of a conversation,
 * written by its room in the batch that appends the `rated` event. Where the
 * conversation stood when rated (workspace, inbox, assignee, team) and who
 * rated are copies for reports, like a timeline item's author: no foreign keys
 * but the conversation's, so a rating never blocks deleting what it mentions.
 */
export const ratings = sqliteTable(
  "ratings",
  {
    conversationId: text("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    /** Seq of the `status_changed → resolved` event rated: a reopened and resolved again conversation is rated anew. */
    resolutionSeq: integer("resolution_seq").notNull(),
    /** Seq of the `rated` event in the timeline. */
    seq: integer("seq").notNull(),
    workspaceId: text("workspace_id").notNull(),
    inboxId: text("inbox_id").notNull(),
    assigneeId: text("assignee_id"),
    teamId: text("team_id"),
    contactId: text("contact_id").notNull(),
    score: integer("score").notNull(),
    comment: text("comment"),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.conversationId, t.resolutionSeq] }),
    index("ratings_workspace_created").on(t.workspaceId, t.createdAt),
    index("ratings_inbox_created").on(t.inboxId, t.createdAt),
  ],
);

/**
 * Uploaded files: the bytes live in R2 under `r2Key`, this row says who may read them.
 * An upload starts unattached (`conversationId` null) and is usable only in `inboxId`;
 * a message links it later (`conversationId` + `itemSeq`). Unattached rows older than a
 * day are swept. Uploader ids are copies (no foreign keys) like a timeline item's author,
 * so a file never blocks deleting a user or contact; a deleted conversation sets its
 * files loose again, and the sweep removes them.
 */
export const attachments = sqliteTable(
  "attachments",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    inboxId: text("inbox_id").notNull(),
    /** `email`: a file on mail from no customer (an answer to a forward), with the sender's address as id. */
    uploaderType: text("uploader_type", { enum: ["user", "contact", "email"] }).notNull(),
    uploaderId: text("uploader_id").notNull(),
    name: text("name").notNull(),
    contentType: text("content_type").notNull(),
    size: integer("size").notNull(),
    /** R2's ETag of the object: the download's ETag. */
    etag: text("etag").notNull(),
    r2Key: text("r2_key").notNull(),
    conversationId: text("conversation_id").references(() => conversations.id, { onDelete: "set null" }),
    itemSeq: integer("item_seq"),
    createdAt: createdAt(),
  },
  (t) => [
    // The sweep: unattached uploads, oldest first.
    index("attachments_unattached_created").on(t.createdAt).where(sql`conversation_id IS NULL`),
    index("attachments_conversation_item").on(t.conversationId, t.itemSeq),
  ],
);

/**
 * Webhook endpoints: where a workspace's changes are POSTed. The signing
 * secret is stored wrapped (AES-GCM under a key derived from the Worker secret
 * WEBHOOK_SECRETS_KEY, bound to the endpoint's id), so the database alone
 * cannot sign a delivery.
 */
export const webhooks = sqliteTable(
  "webhooks",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    url: text("url").notNull(),
    description: text("description").notNull().default(""),
    /** The subscribed event types (JSON array). */
    events: text("events", { mode: "json" }).$type<string[]>().notNull(),
    includeNotes: integer("include_notes", { mode: "boolean" }).notNull().default(false),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    secret: text("secret").notNull(),
    /** Set when Switchboard turned it off (every attempt failed for a delivery's whole retry window). */
    disabledReason: text("disabled_reason"),
    /** The first failed attempt since the last success; null while it answers. */
    failingSince: integer("failing_since"),
    createdBy: text("created_by"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("webhooks_workspace").on(t.workspaceId)],
);

/**
 * The webhook outbox: one row per event, written in the batch of the change
 * that causes it (and only when an enabled endpoint subscribes). The queue's
 * consumer turns it into one delivery per endpoint; the sweep sends rows the
 * queue never got.
 */
export const webhookEvents = sqliteTable(
  "webhook_events",
  {
    /** Also the `webhook-id` header: the same on every attempt, so receivers de-duplicate by it. */
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    type: text("type").notNull(),
    /** Only this endpoint gets it (a test event); null: every endpoint subscribed to the type. */
    webhookId: text("webhook_id").references(() => webhooks.id, { onDelete: "cascade" }),
    conversationId: text("conversation_id"),
    seq: integer("seq"),
    /** A `message.created` for an internal note: only endpoints with include_notes get it. */
    note: integer("note", { mode: "boolean" }).notNull().default(false),
    /** The exact body sent (the signature covers these bytes). */
    payload: text("payload").notNull(),
    createdAt: createdAt(),
    /** When its deliveries were made; null until the consumer did. */
    dispatchedAt: integer("dispatched_at"),
    /** When it was last handed to the queue; the sweep hands it again when that was long ago. */
    enqueuedAt: integer("enqueued_at"),
  },
  (t) => [
    index("webhook_events_undispatched").on(t.createdAt).where(sql`dispatched_at IS NULL`),
    index("webhook_events_created").on(t.createdAt),
    // Deleting an endpoint deletes its test events: the foreign key looks them up by this.
    index("webhook_events_webhook").on(t.webhookId),
  ],
);

/** One event for one endpoint: its attempts so far, and the last answer (the delivery log). */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    eventId: text("event_id")
      .notNull()
      .references(() => webhookEvents.id, { onDelete: "cascade" }),
    webhookId: text("webhook_id")
      .notNull()
      .references(() => webhooks.id, { onDelete: "cascade" }),
    status: text("status", { enum: ["pending", "retrying", "delivered", "failed"] })
      .notNull()
      .default("pending"),
    attempts: integer("attempts").notNull().default(0),
    /** Not before this may it be tried (a retry's back-off, or the lease of an attempt under way). */
    nextAttemptAt: integer("next_attempt_at"),
    responseStatus: integer("response_status"),
    responseBody: text("response_body"),
    error: text("error"),
    durationMs: integer("duration_ms"),
    lastAttemptAt: integer("last_attempt_at"),
    deliveredAt: integer("delivered_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_event").on(t.eventId, t.webhookId),
    index("webhook_deliveries_log").on(t.webhookId, t.createdAt, t.id),
    index("webhook_deliveries_due").on(t.nextAttemptAt).where(sql`status IN ('pending', 'retrying')`),
  ],
);

/**
 * Merges: one row per conversation merged into another, written by the
 * source's room when it closes the source, and marked done by the target's
 * room in the batch that copies the items. The sweep finishes a pending one.
 */
export const merges = sqliteTable(
  "merges",
  {
    sourceId: text("source_id").primaryKey(),
    targetId: text("target_id").notNull(),
    status: text("status", { enum: ["pending", "done"] })
      .notNull()
      .default("pending"),
    /** Who merged, for the target's `merged` event. */
    actorId: text("actor_id"),
    actorName: text("actor_name").notNull(),
    /** The seqs in the target that the source's items took. */
    firstSeq: integer("first_seq"),
    lastSeq: integer("last_seq"),
    createdAt: createdAt(),
    doneAt: integer("done_at"),
  },
  (t) => [index("merges_pending").on(t.createdAt).where(sql`status = 'pending'`)],
);

/**
 * Report rollups (SPEC §6.6): what happened per local day × inbox × team ×
 * agent, kept by the conversation rooms in the same D1 batch as the change
 * (reports/rollups.ts), so a report reads these rows and never conversations.
 * Unassigned and no team are '' (a primary key cannot hold NULLs that match).
 * Latencies keep a count, a sum and a histogram over REPORT_BUCKETS (a JSON
 * array of counts), so medians and p90s come from here.
 */
export const reportRollups = sqliteTable(
  "report_rollups",
  {
    workspaceId: text("workspace_id").notNull(),
    /** The local date, in the inbox's business-hours time zone (UTC without one). */
    day: text("day").notNull(),
    inboxId: text("inbox_id").notNull(),
    teamId: text("team_id").notNull(),
    assigneeId: text("assignee_id").notNull(),
    created: integer("created").notNull().default(0),
    resolved: integer("resolved").notNull().default(0),
    reopened: integer("reopened").notNull().default(0),
    replies: integer("replies").notNull().default(0),
    firstResponseCount: integer("first_response_count").notNull().default(0),
    firstResponseSum: integer("first_response_sum").notNull().default(0),
    firstResponseHist: text("first_response_hist").notNull(),
    /** The shortest and longest measured: medians and p90s interpolate inside these, so one value is exact. */
    firstResponseMin: integer("first_response_min"),
    firstResponseMax: integer("first_response_max"),
    resolutionCount: integer("resolution_count").notNull().default(0),
    resolutionSum: integer("resolution_sum").notNull().default(0),
    resolutionHist: text("resolution_hist").notNull(),
    resolutionMin: integer("resolution_min"),
    resolutionMax: integer("resolution_max"),
    slaMet: integer("sla_met").notNull().default(0),
    slaMissed: integer("sla_missed").notNull().default(0),
    ratingCount: integer("rating_count").notNull().default(0),
    ratingSum: integer("rating_sum").notNull().default(0),
    /** Ratings of 1 … 5 stars, a JSON array of 5 counts. */
    ratingHist: text("rating_hist").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.day, t.inboxId, t.teamId, t.assigneeId] }),
    // A report narrowed to some inboxes (a filter, or an agent's own) seeks each inbox's days.
    index("report_rollups_inbox_day").on(t.inboxId, t.day),
  ],
);

/**
 * Addresses agents forwarded conversations to, per workspace: the Forward
 * dialog suggests them (most used first).
 */
export const forwardRecipients = sqliteTable(
  "forward_recipients",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    uses: integer("uses").notNull().default(1),
    lastUsedAt: integer("last_used_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.email] }),
    index("forward_recipients_recent").on(t.workspaceId, t.lastUsedAt),
  ],
);

/** A browser's Web Push subscription (one per device an agent turned notifications on). */
export const pushSubscriptions = sqliteTable(
  "push_subscriptions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The push service URL (RFC 8030); unique: a browser re-subscribing replaces its row. */
    endpoint: text("endpoint").notNull(),
    /** The browser's P-256 public key and auth secret (base64url), for RFC 8291. */
    p256dh: text("p256dh").notNull(),
    auth: text("auth").notNull(),
    userAgent: text("user_agent"),
    createdAt: createdAt(),
    lastSuccessAt: integer("last_success_at"),
  },
  (t) => [uniqueIndex("push_subscriptions_endpoint").on(t.endpoint), index("push_subscriptions_user").on(t.userId)],
);

/**
 * Web Push to send: one row per notification and device, written in the
 * notification's own batch, claimed with a lease like the mail outbox, so a
 * push is never lost and never sent twice to a device.
 */
export const pushOutbox = sqliteTable(
  "push_outbox",
  {
    id: text("id").primaryKey(),
    notificationId: text("notification_id")
      .notNull()
      .references(() => notifications.id, { onDelete: "cascade" }),
    subscriptionId: text("subscription_id")
      .notNull()
      .references(() => pushSubscriptions.id, { onDelete: "cascade" }),
    status: text("status", { enum: ["pending", "sent", "failed"] })
      .notNull()
      .default("pending"),
    attempts: integer("attempts").notNull().default(0),
    dueAt: integer("due_at").notNull(),
    lastError: text("last_error"),
    sentAt: integer("sent_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("push_outbox_pair").on(t.notificationId, t.subscriptionId),
    index("push_outbox_due").on(t.dueAt).where(sql`status = 'pending'`),
    index("push_outbox_subscription").on(t.subscriptionId),
  ],
);
