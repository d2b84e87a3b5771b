import { z } from "zod";
import { Body, Email, Name } from "./common";
import { CustomerKind } from "./conversations";

export const WidgetStartInput = z.strictObject({
  name: Name.optional(),
  email: Email.optional(),
  body: Body,
  attributes: z.record(z.string().max(64), z.string().max(500)).optional(),
  identity: z.strictObject({ userId: z.string().min(1).max(200), hash: z.string().min(1).max(200) }).optional(),
});

export const WidgetStarted = z.object({ conversationId: z.string(), contactToken: z.string() });

/** What a customer may see of the thread: their messages and the team's public replies. */
export const CustomerItem = z.object({
  seq: z.number().int().positive(),
  kind: CustomerKind,
  body: z.string(),
  author: z.object({ name: z.string() }),
  createdAt: z.string(),
});

export const WidgetPostInput = z.strictObject({ body: Body });

/** A customer's posted message, and the conversation it went to: a new one after 24 quiet hours. */
export const WidgetPosted = CustomerItem.extend({ conversationId: z.string() });

export type WidgetStartInput = z.infer<typeof WidgetStartInput>;
export type CustomerItem = z.infer<typeof CustomerItem>;

// Response envelopes

/** `GET /api/widget/conversations/:id/messages`: the thread as the customer sees it. */
export const CustomerItems = z.object({ items: z.array(CustomerItem) });
