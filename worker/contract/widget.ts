import { z } from "zod";
import { Attachment } from "./attachments";
import { AttachmentIds, Email, EMPTY_MESSAGE, hasContent, MessageBody, Name } from "./common";
import { CustomerKind } from "./conversations";
import { WidgetSettings } from "./inboxes";
import { MAX_RATING_COMMENT_CHARS } from "./limits";

/** `GET /api/widget/:widgetKey/config` (public): what the loader and the panel need before anything else. */
export const WidgetConfig = WidgetSettings.extend({ inboxName: z.string() });
export type WidgetConfig = z.output<typeof WidgetConfig>;

export const WidgetStartInput = z
  .strictObject({
    name: Name.optional(),
    email: Email.optional(),
    body: MessageBody,
    attributes: z.record(z.string().max(64), z.string().max(500)).optional(),
    identity: z.strictObject({ userId: z.string().min(1).max(200), hash: z.string().min(1).max(200) }).optional(),
    /** Uploads need a conversation, so the first message carries none; later ones may. */
  })
  .refine(hasContent, EMPTY_MESSAGE);

export const WidgetStarted = z.object({ conversationId: z.string(), contactToken: z.string() });

/** What a customer may see of the thread: their messages and the team's public replies. */
export const CustomerItem = z.object({
  seq: z.number().int().positive(),
  kind: CustomerKind,
  body: z.string(),
  author: z.object({ name: z.string() }),
  /** Their files, each with a signed `url` that works in an `<img>` for a while (fetch the thread again for fresh ones). */
  attachments: z.array(Attachment).optional(),
  createdAt: z.string(),
});

export const WidgetPostInput = z
  .strictObject({ body: MessageBody, attachmentIds: AttachmentIds.optional() })
  .refine(hasContent, EMPTY_MESSAGE);

/**
 * Where the customer's conversation stands, as the widget shows it: `resolved` (the team closed it)
 * and `canRate` (resolved, and this resolution has no rating yet: the widget asks "How did we do?").
 */
export const CustomerState = z.object({ resolved: z.boolean(), canRate: z.boolean() });
export type CustomerState = z.infer<typeof CustomerState>;

/** `POST /api/widget/conversations/:id/rating`: once per resolution (409 on a second). */
export const RatingInput = z.strictObject({
  score: z.number().int().min(1).max(5),
  comment: z.string().trim().max(MAX_RATING_COMMENT_CHARS).optional(),
});
export type RatingInput = z.infer<typeof RatingInput>;
export const Rating = z.object({ score: z.number().int(), comment: z.string().nullable(), createdAt: z.string() });
export type Rating = z.infer<typeof Rating>;

/** A customer's posted message, and the conversation it went to: a new one after 24 quiet hours. */
export const WidgetPosted = CustomerItem.extend({
  conversationId: z.string(),
  /** The conversation asked for was merged into `conversationId`: the same thread goes on there. */
  merged: z.boolean().optional(),
});

export type WidgetStartInput = z.infer<typeof WidgetStartInput>;
export type CustomerItem = z.infer<typeof CustomerItem>;

// Response envelopes

/** `GET /api/widget/conversations/:id/messages`: the thread as the customer sees it. */
export const CustomerItems = z.object({ items: z.array(CustomerItem), state: CustomerState });
