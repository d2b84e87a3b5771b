import { z } from "zod";
import { SlaTargets } from "./sla";
import { Channel, Email, Id, Name } from "./common";
import { BusinessHours } from "./business-hours";
import { MAX_AUTO_RESOLVE_DAYS, MAX_GREETING_CHARS } from "./limits";

/** How the chat widget looks and whom it lets start a chat: set by an admin per chat inbox. */
export const WidgetSettings = z.object({
  /** The launcher's and the panel's accent, `#rrggbb`. */
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, "must be a colour like #2f6fed")
    .transform((c) => c.toLowerCase()),
  greeting: z.string().trim().max(MAX_GREETING_CHARS),
  position: z.enum(["left", "right"]),
  /** Whether the visitor gives a name and email before the first message. */
  preChat: z.enum(["off", "optional", "required"]),
  /** The widget starts no chat without `identify` carrying a valid HMAC of the site's user id. */
  requireIdentity: z.boolean(),
});
export type WidgetSettings = z.output<typeof WidgetSettings>;

/** What a new chat inbox's widget starts with. */
export const DEFAULT_WIDGET: WidgetSettings = {
  color: "#2f6fed",
  greeting: "Hi! Ask us anything, we usually answer within minutes.",
  position: "right",
  preChat: "optional",
  requireIdentity: false,
};

export const Inbox = z.object({
  id: Id,
  name: z.string(),
  channel: Channel,
  widgetKey: z.string(),
  emailAddress: z.string().nullable(),
  autoResolveDays: z.number().int().nullable(),
  widget: WidgetSettings,
  /** Null: the inbox counts every hour (24/7). */
  businessHours: BusinessHours.nullable(),
  sla: SlaTargets,
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
    /** Any subset of the widget's settings; the rest keep their values. */
    widget: WidgetSettings.partial().strict().optional(),
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
