import { z } from "zod";
import { Channel, Email, Id, Name } from "./common";
import { MAX_AUTO_RESOLVE_DAYS } from "./limits";

export const Inbox = z.object({
  id: Id,
  name: z.string(),
  channel: Channel,
  widgetKey: z.string(),
  emailAddress: z.string().nullable(),
  autoResolveDays: z.number().int().nullable(),
  createdAt: z.string(),
});

const AutoResolveDays = z.number().int().min(1).max(MAX_AUTO_RESOLVE_DAYS).nullable();

export const CreateInboxInput = z.strictObject({
  name: Name,
  channel: Channel,
  autoResolveDays: AutoResolveDays.optional(),
  emailAddress: Email.optional(),
});

export const UpdateInboxInput = z
  .strictObject({
    name: Name.optional(),
    autoResolveDays: AutoResolveDays.optional(),
    emailAddress: Email.nullable().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, "nothing to change");

export type Inbox = z.infer<typeof Inbox>;
export type CreateInboxInput = z.infer<typeof CreateInboxInput>;
export type UpdateInboxInput = z.infer<typeof UpdateInboxInput>;

// Response envelopes

/** `GET /api/inboxes`. */
export const Inboxes = z.object({ items: z.array(Inbox) });

/** `POST /api/inboxes/:id/widget-secret`: a new identity-verification secret, shown to the admin once. */
export const WidgetSecret = z.object({ secret: z.string() });
export type WidgetSecret = z.infer<typeof WidgetSecret>;
