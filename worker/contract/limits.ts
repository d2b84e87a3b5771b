/**
 * Limits the API enforces, declared once: the contract's schemas are built
 * from them and the web's inputs import them, so the two cannot disagree.
 */

/** Largest request body accepted, in bytes. */
export const MAX_BODY_BYTES = 64 * 1024;
/** Names of people, the workspace, inboxes, teams, saved replies and rules. */
export const MAX_NAME_CHARS = 120;
/** The shortest password a new account may have. */
export const MIN_PASSWORD_CHARS = 8;
/** Message, note and saved-reply bodies and ticket descriptions: generous, but well inside MAX_BODY_BYTES. */
export const MAX_TEXT_CHARS = 20_000;
/** A conversation's subject. */
export const MAX_SUBJECT_CHARS = 300;
/** A ticket's title. */
export const MAX_TITLE_CHARS = 200;
/** A tag's name. */
export const MAX_TAG_CHARS = 40;
/** Tags on one conversation, and tags one rule action adds. */
export const MAX_TAGS = 20;
/** Conversations one bulk action changes. */
export const MAX_BULK = 100;
/** Agents one note may mention. */
export const MAX_MENTIONS = 50;
/** Ids in one request's list (team members, notifications to mark read). */
export const MAX_IDS_PER_REQUEST = 500;
/** Conditions of one rule, and actions of one rule. */
export const MAX_RULE_CONDITIONS = 20;
export const MAX_RULE_ACTIONS = 20;
/** The text a rule condition compares with. */
export const MAX_RULE_VALUE_CHARS = 200;
/** How much of a subject or body a `matches` rule reads. */
export const MAX_RULE_TEXT_CHARS = 4_000;
/** A search query. */
export const MAX_SEARCH_CHARS = 200;
/** The longest quiet spell an inbox may wait before resolving a conversation by itself. */
export const MAX_AUTO_RESOLVE_DAYS = 365;

/** The chat widget's greeting, shown above the thread. */
export const MAX_GREETING_CHARS = 300;
/** A customer's comment with their rating. */
export const MAX_RATING_COMMENT_CHARS = 2_000;

/** Page sizes of the paged reads: what a request gets without `limit`, and the most it may ask for. */
export const PAGE_SIZES = {
  conversations: { default: 25, max: 100 },
  timeline: { default: 200, max: 500 },
  search: { default: 25, max: 50 },
  notifications: { default: 50, max: 100 },
  deliveries: { default: 50, max: 100 },
  contacts: { default: 25, max: 100 },
  /** A contact's conversations on their profile, newest first. */
  contactConversations: { default: 20, max: 50 },
} as const;
/** Largest attachment, in bytes: measured on the uploaded stream, not taken from Content-Length. */
export const MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;
/** An attachment's file name, after sanitising. */
export const MAX_FILE_NAME_CHARS = 200;
/** Files one message may carry. */
export const MAX_ATTACHMENTS_PER_MESSAGE = 10;
/**
 * Uploads older than this are no longer linked to a message: the sweep deletes
 * unattached files after a day, and a file must not be linked while it goes.
 */
export const ATTACHABLE_FOR_MS = 23 * 60 * 60 * 1000;
/** Weekly intervals in one inbox's business hours: several a day, every day. */
export const MAX_BUSINESS_INTERVALS = 50;
/** Holidays in one inbox's business hours: years of public holidays and closures. */
export const MAX_HOLIDAYS = 400;
/** The longest SLA target: 90 days, in minutes. */
export const MAX_SLA_MINUTES = 90 * 24 * 60;
/** Days one report covers. */
export const MAX_REPORT_DAYS = 400;
/** Addresses one forward may go to. */
export const MAX_FORWARD_RECIPIENTS = 10;
/** The agent's own words above a forwarded thread. */
export const MAX_FORWARD_MESSAGE_CHARS = 5_000;
/** Forwards one agent may send per hour: generous for real work, a wall against a mail cannon. */
export const FORWARDS_PER_HOUR = 30;
/** Earlier recipients the forward dialog suggests at most. */
export const MAX_FORWARD_SUGGESTIONS = 10;
