import { z } from "zod";
import { Attachment } from "./attachments";
import { ErrorBody } from "./errors";
import {
  AttachmentIds,
  Channel,
  Email,
  EMPTY_MESSAGE,
  hasContent,
  Id,
  MessageBody,
  Name,
  Priority,
  SettableStatus,
  Status,
  View,
} from "./common";
import { TimelineEvent } from "./events";
import {
  MAX_BULK,
  MAX_FORWARD_MESSAGE_CHARS,
  MAX_FORWARD_RECIPIENTS,
  MAX_MENTIONS,
  MAX_SEARCH_CHARS,
  MAX_SUBJECT_CHARS,
  MAX_TAG_CHARS,
  MAX_TAGS,
  PAGE_SIZES,
} from "./limits";
import { SlaClock } from "./sla";
import { Link } from "./tickets";

export const ItemKind = z.enum(["customer", "reply", "note", "event"]);
export type ItemKind = z.infer<typeof ItemKind>;
/** Kinds a customer may ever see. Notes and events never leave the team. */
export const CUSTOMER_KINDS = ["customer", "reply"] as const;
export const CustomerKind = ItemKind.extract(CUSTOMER_KINDS);
export type CustomerKind = z.infer<typeof CustomerKind>;
/** Whether an item of `kind` may be shown to the customer. */
export const isCustomerKind = (kind: ItemKind): kind is CustomerKind => CustomerKind.safeParse(kind).success;

export const Author = z.object({
  type: z.enum(["contact", "user", "system"]),
  id: z.string().nullable(),
  name: z.string(),
});

/** One entry of a conversation's timeline; `seq` is gapless and strictly increasing. */
export const Item = z.object({
  seq: z.number().int().positive(),
  kind: ItemKind,
  author: Author,
  body: z.string(),
  event: TimelineEvent.optional(),
  /** The files the message carries; absent when it has none. */
  attachments: z.array(Attachment).optional(),
  createdAt: z.string(),
});

const ContactRef = z.object({
  id: Id,
  name: z.string().nullable(),
  email: z.string().nullable(),
  /** False when the address was only typed into the widget: nobody has shown it is theirs. */
  emailVerified: z.boolean(),
});
const UserRef = z.object({ id: Id, name: z.string() });

export const Summary = z.object({
  id: Id,
  subject: z.string().nullable(),
  status: Status,
  priority: Priority,
  inboxId: Id,
  channel: Channel,
  contact: ContactRef,
  assignee: UserRef.nullable(),
  teamId: Id.nullable(),
  tags: z.array(z.string()),
  preview: z.string(),
  lastActivityAt: z.string(),
  createdAt: z.string(),
  snoozedUntil: z.string().nullable(),
  /** The SLA clock due first, while one runs (SPEC §6.6); null when the inbox has no targets or nothing is owed. */
  sla: SlaClock.nullable(),
});

/**
 * What the conversation's room measured as it went (SPEC §6.6). Seconds are
 * business seconds where the inbox has business hours. Resolution is per
 * resolution: from creation, or from the reopening, to the latest resolve.
 */
export const ConversationMetrics = z.object({
  firstResponseAt: z.string().nullable(),
  firstResponseSeconds: z.number().int().nullable(),
  replies: z.number().int(),
  resolvedAt: z.string().nullable(),
  resolutionSeconds: z.number().int().nullable(),
  reopened: z.number().int(),
});
export type ConversationMetrics = z.infer<typeof ConversationMetrics>;

export const Conversation = Summary.extend({
  followers: z.array(UserRef),
  links: z.array(Link),
  lastSeq: z.number().int().nonnegative(),
  /** Set once merged: the conversation that holds its items now (this one only answers reads). */
  mergedInto: Id.nullable(),
  metrics: ConversationMetrics,
});

export const MergeInput = z.strictObject({ intoConversationId: Id });
export type MergeInput = z.infer<typeof MergeInput>;

export const Page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const ListQuery = z.strictObject({
  view: View.default("all"),
  inboxId: Id.optional(),
  assigneeId: Id.optional(),
  teamId: Id.optional(),
  tag: z.string().trim().min(1).max(MAX_TAG_CHARS).optional(),
  priority: Priority.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(PAGE_SIZES.conversations.max).default(PAGE_SIZES.conversations.default),
});

export const TimelineQuery = z.strictObject({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(PAGE_SIZES.timeline.max).default(PAGE_SIZES.timeline.default),
});

export const Timeline = z.object({ items: z.array(Item), lastSeq: z.number().int().nonnegative() });

export const StartConversationInput = z
  .strictObject({
    inboxId: Id,
    contact: z.strictObject({ name: Name.optional(), email: Email.optional() }),
    subject: z.string().trim().max(MAX_SUBJECT_CHARS).optional(),
    body: MessageBody,
    attachmentIds: AttachmentIds.optional(),
  })
  .refine(hasContent, EMPTY_MESSAGE);

export const PostMessageInput = z
  .strictObject({
    kind: z.enum(["reply", "note"]),
    body: MessageBody,
    /** Uploads by the same agent, not yet on any message. */
    attachmentIds: AttachmentIds.optional(),
    lastSeenSeq: z.number().int().min(0).optional(),
    force: z.boolean().optional(),
    mentions: z.array(Id).max(MAX_MENTIONS).optional(),
  })
  .refine(hasContent, EMPTY_MESSAGE);

/** The fields an agent sets on a conversation, alone (PATCH) or on many at once (bulk). */
const ConversationFields = {
  status: SettableStatus.optional(),
  /** With `status: "snoozed"`: when it returns to open. */
  snoozedUntil: z.iso.datetime({ offset: true }).optional(),
  assigneeId: Id.nullable().optional(),
  teamId: Id.nullable().optional(),
  priority: Priority.optional(),
};
const somethingToChange = [(v: object) => Object.keys(v).length > 0, "nothing to change"] as const;
const snoozeHasItsEnd = [
  (v: { status?: string; snoozedUntil?: string }) => (v.status === "snoozed") === (v.snoozedUntil !== undefined),
  { message: 'snoozing needs both status "snoozed" and snoozedUntil', path: ["snoozedUntil"] as string[] },
] as const;

export const UpdateConversationInput = z
  .strictObject({
    ...ConversationFields,
    /** Move to another inbox (reply access on both). */
    inboxId: Id.optional(),
  })
  .refine(...somethingToChange)
  .refine(...snoozeHasItsEnd);

/** A tag name: trimmed, case kept for display, unique per workspace regardless of case. */
export const TagName = z
  .string()
  .trim()
  .min(1)
  .max(MAX_TAG_CHARS)
  .regex(/^[^,]+$/, "must not contain commas");

export const SetTagsInput = z.strictObject({ tags: z.array(TagName).max(MAX_TAGS) });

/** Tag names each compared regardless of case, as the workspace's tags are. */
const TagNames = z
  .array(TagName)
  .min(1)
  .max(MAX_TAGS)
  .refine((names) => new Set(names.map((n) => n.toLowerCase())).size === names.length, "names a tag twice");

/**
 * `POST /api/conversations/bulk` (SPEC §6.5): up to MAX_BULK ids and one change
 * for each of them, each through its own room: PATCH's fields (no move) plus
 * tags added or removed, side by side with `ids`.
 */
export const BulkInput = z
  .strictObject({
    ids: z
      .array(Id)
      .min(1)
      .max(MAX_BULK)
      .refine((ids) => new Set(ids).size === ids.length, "names a conversation twice"),
    ...ConversationFields,
    addTags: TagNames.optional(),
    removeTags: TagNames.optional(),
  })
  .refine(({ ids: _, ...change }) => somethingToChange[0](change), somethingToChange[1])
  .refine(...snoozeHasItsEnd)
  .refine((v) => !v.addTags?.some((a) => v.removeTags?.some((r) => r.toLowerCase() === a.toLowerCase())), {
    message: "a tag cannot be both added and removed",
    path: ["removeTags"],
  });
export type BulkInput = z.infer<typeof BulkInput>;
/** What a bulk action changes on each conversation. */
export type BulkChange = Omit<BulkInput, "ids">;
export const AddFollowerInput = z.strictObject({ userId: Id });

/**
 * `POST /api/conversations/:id/forward`: the thread by email to 1–10 people
 * outside the inbox. Addresses are lower-cased and each kept once; notes go
 * only when asked.
 */
export const ForwardInput = z.strictObject({
  to: z
    .array(Email)
    .min(1, "name at least one address")
    .max(MAX_FORWARD_RECIPIENTS, `at most ${MAX_FORWARD_RECIPIENTS} addresses`)
    .transform((list) => [...new Set(list)]),
  message: z
    .string()
    .max(MAX_FORWARD_MESSAGE_CHARS)
    .optional()
    .transform((m) => m?.trim() || undefined),
  includeNotes: z.boolean().default(false),
});
export type ForwardInput = z.infer<typeof ForwardInput>;
/** `GET /api/conversations/forward-recipients?q=`: earlier recipients whose address starts with or contains `q`. */
export const ForwardRecipientsQuery = z.strictObject({ q: z.string().trim().max(254).default("") });
/** Earlier forward recipients of the workspace, most used and most recent first. */
export const ForwardRecipients = z.object({
  items: z.array(z.object({ email: z.string(), uses: z.number().int(), lastUsedAt: z.string() })),
});

/** A valid Idempotency-Key header: printable ASCII, bounded. */
export const IdempotencyKey = z.string().regex(/^[\x21-\x7e]{1,200}$/);

export type Author = z.infer<typeof Author>;
export type Item = z.infer<typeof Item>;
export type Summary = z.infer<typeof Summary>;
export type Conversation = z.infer<typeof Conversation>;
export type ListQuery = z.infer<typeof ListQuery>;
export type StartConversationInput = z.infer<typeof StartConversationInput>;
export type PostMessageInput = z.infer<typeof PostMessageInput>;
export type UpdateConversationInput = z.infer<typeof UpdateConversationInput>;
export type SetTagsInput = z.infer<typeof SetTagsInput>;

export const SearchQuery = z.strictObject({
  q: z.string().trim().min(1).max(MAX_SEARCH_CHARS),
  limit: z.coerce.number().int().min(1).max(PAGE_SIZES.search.max).default(PAGE_SIZES.search.default),
});
/** A search hit: the conversation's summary, what matched, and the passage as safe HTML (escaped, matches in <mark>). */
export const SearchHit = Summary.extend({
  matchKind: z.enum(["customer", "reply", "note", "subject", "contact"]),
  match: z.string(),
  /** The conversation holds files (the list shows a paperclip). */
  hasAttachments: z.boolean(),
});
export type SearchHit = z.infer<typeof SearchHit>;

// Response envelopes

/** `GET /api/conversations`: one page of a list view. */
export const Conversations = Page(Summary);
/** `GET /api/search`. */
export const SearchHits = z.object({ items: z.array(SearchHit) });
/** The `details` of a 409 `collision`: what the agent had not seen when they replied. */
export const Collision = z.object({ newer: z.array(Item) });
/** `POST /api/conversations/bulk`: one result per id, in the order asked; a refused id says why and wrote nothing. */
export const BulkResults = z.object({
  results: z.array(
    z.discriminatedUnion("ok", [
      z.object({ id: Id, ok: z.literal(true), conversation: Summary.optional() }),
      z.object({ id: Id, ok: z.literal(false), error: ErrorBody.shape.error }),
    ]),
  ),
});
export type BulkResults = z.infer<typeof BulkResults>;
export type BulkResult = BulkResults["results"][number];
