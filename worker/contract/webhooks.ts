/**
 * Webhooks: where a workspace's changes are POSTed, signed per the Standard
 * Webhooks specification, and what each delivery carries (SPEC §6.4).
 */
import { z } from "zod";
import { Id, Priority, Status } from "./common";
import { Item, Page } from "./conversations";
import { TimelineEvent } from "./events";
import { PAGE_SIZES } from "./limits";

/** The events an endpoint can subscribe to. */
export const WEBHOOK_EVENTS = [
  "conversation.created",
  "conversation.updated",
  "message.created",
  "conversation.merged",
  "rating.created",
] as const;
export const WebhookEventType = z.enum(WEBHOOK_EVENTS);
export type WebhookEventType = z.infer<typeof WebhookEventType>;
/** The version of every payload's `data`; a change that could break a receiver raises it. */
export const WEBHOOK_PAYLOAD_VERSION = 1;
/** The timeline events that make a `conversation.updated` (followers and links do not). */
export const UPDATE_EVENTS = [
  "status_changed",
  "assigned",
  "team_assigned",
  "priority_changed",
  "tag_added",
  "tag_removed",
  "moved",
] as const;
export const MAX_WEBHOOKS = 20;
export const MAX_WEBHOOK_URL_CHARS = 2000;

const WebhookUrl = z
  .string()
  .trim()
  .max(MAX_WEBHOOK_URL_CHARS)
  .pipe(z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }))
  .refine((u) => {
    const url = URL.parse(u);
    return !url?.username && !url?.password;
  }, "must not carry a user name or password");
const Events = z
  .array(WebhookEventType)
  .min(1)
  .refine((e) => new Set(e).size === e.length, "must not name an event twice");
const Description = z.string().trim().max(200);

export const WebhookInput = z.strictObject({
  url: WebhookUrl,
  events: Events,
  /** `message.created` carries internal notes only when this is set. */
  includeNotes: z.boolean().default(false),
  enabled: z.boolean().default(true),
  description: Description.default(""),
});
export const UpdateWebhookInput = z
  .strictObject({
    url: WebhookUrl.optional(),
    events: Events.optional(),
    includeNotes: z.boolean().optional(),
    enabled: z.boolean().optional(),
    description: Description.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, "nothing to change");

export const Webhook = z.object({
  id: Id,
  url: z.string(),
  description: z.string(),
  events: z.array(WebhookEventType),
  includeNotes: z.boolean(),
  enabled: z.boolean(),
  /** Why it was turned off by Switchboard (failing for a day), null when an admin did or it is on. */
  disabledReason: z.string().nullable(),
  /** Since when every attempt failed; null after a success. */
  failingSince: z.string().nullable(),
  createdAt: z.string(),
});
/** The answer to creating an endpoint (or rotating its secret): the only time the secret is shown. */
export const CreatedWebhook = Webhook.extend({ secret: z.string().startsWith("whsec_") });
export const Webhooks = z.object({ items: z.array(Webhook) });

export const WebhookDeliveryStatus = z.enum(["pending", "retrying", "delivered", "failed"]);
export const WebhookDelivery = z.object({
  id: Id,
  /** The event's id: the `webhook-id` header, the same on every attempt. */
  eventId: Id,
  type: z.string(),
  conversationId: Id.nullable(),
  seq: z.number().int().nullable(),
  status: WebhookDeliveryStatus,
  attempts: z.number().int(),
  /** The last attempt: its HTTP status (null when no answer came), time taken, and what went wrong. */
  responseStatus: z.number().int().nullable(),
  /** At most 4 KiB of the last answer's body. */
  responseBody: z.string().nullable(),
  error: z.string().nullable(),
  durationMs: z.number().int().nullable(),
  createdAt: z.string(),
  lastAttemptAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
});
export const WebhookDeliveries = Page(WebhookDelivery);
export const WebhookDeliveriesQuery = z.strictObject({
  status: WebhookDeliveryStatus.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(PAGE_SIZES.deliveries.max).default(PAGE_SIZES.deliveries.default),
});
export const WebhookDeliveryAnswer = z.object({ delivery: WebhookDelivery });

export type WebhookInput = z.infer<typeof WebhookInput>;
export type UpdateWebhookInput = z.infer<typeof UpdateWebhookInput>;
export type Webhook = z.infer<typeof Webhook>;
export type CreatedWebhook = z.infer<typeof CreatedWebhook>;
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;
export type WebhookDeliveryStatus = z.infer<typeof WebhookDeliveryStatus>;

// ——— What a receiver gets ————————————————————————————————————————————————

/** The conversation as it stands after the change. */
export const WebhookConversation = z.object({
  id: Id,
  inboxId: Id,
  contactId: Id,
  subject: z.string().nullable(),
  status: Status,
  priority: Priority,
  assigneeId: Id.nullable(),
  teamId: Id.nullable(),
  tags: z.array(z.string()),
  /** The conversation's timeline position after this change: order and de-duplicate by it. */
  seq: z.number().int().positive(),
  /** Where an agent opens it. */
  url: z.string(),
});
export type WebhookConversation = z.infer<typeof WebhookConversation>;

const common = { version: z.literal(WEBHOOK_PAYLOAD_VERSION), workspaceId: Id };
const envelope = <T extends string, D extends z.ZodRawShape>(type: T, data: D) =>
  z.object({
    type: z.literal(type),
    /** When the change happened (ISO 8601). */
    timestamp: z.string(),
    data: z.object({ ...common, ...data }),
  });

export const WEBHOOK_PAYLOADS = {
  "conversation.created": envelope("conversation.created", { conversation: WebhookConversation, message: Item }),
  "conversation.updated": envelope("conversation.updated", {
    conversation: WebhookConversation,
    /** What changed, in order: status, assignee, team, priority, tags, inbox. */
    changes: z.array(TimelineEvent),
  }),
  "message.created": envelope("message.created", { conversation: WebhookConversation, message: Item }),
  "conversation.merged": envelope("conversation.merged", {
    /** The conversation that now holds everything (the source answers reads only, with `mergedInto`). */
    conversation: WebhookConversation,
    /** The conversation merged into it, and how many of its items were copied over. */
    from: z.object({ id: Id, subject: z.string().nullable(), contact: z.string() }),
    items: z.number().int().nonnegative(),
  }),
  "rating.created": envelope("rating.created", {
    conversation: WebhookConversation,
    rating: z.object({ score: z.number().int().min(1).max(5), comment: z.string().nullable() }),
  }),
  /** Sent by "Send test event"; never part of a subscription. */
  "webhook.test": envelope("webhook.test", { webhookId: Id, message: z.string() }),
} as const;
export const WebhookPayload = z.discriminatedUnion("type", [
  WEBHOOK_PAYLOADS["conversation.created"],
  WEBHOOK_PAYLOADS["conversation.updated"],
  WEBHOOK_PAYLOADS["message.created"],
  WEBHOOK_PAYLOADS["conversation.merged"],
  WEBHOOK_PAYLOADS["rating.created"],
  WEBHOOK_PAYLOADS["webhook.test"],
]);
export type WebhookPayload = z.infer<typeof WebhookPayload>;
