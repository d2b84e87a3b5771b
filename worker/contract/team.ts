import { z } from "zod";
import { Access, Email, Id, Name, Role } from "./common";
import { TagName } from "./conversations";
import { MAX_IDS_PER_REQUEST, MAX_TEXT_CHARS, PAGE_SIZES } from "./limits";
import { NotificationPrefsPatch } from "./push";

export const Team = z.object({ id: Id, name: z.string(), members: z.array(z.object({ id: Id, name: z.string() })) });
export const CreateTeamInput = z.strictObject({
  name: Name,
  memberIds: z.array(Id).max(MAX_IDS_PER_REQUEST).default([]),
});
export const UpdateTeamInput = z
  .strictObject({ name: Name.optional(), memberIds: z.array(Id).max(MAX_IDS_PER_REQUEST).optional() })
  .refine((v) => Object.keys(v).length > 0, "nothing to change");

const Color = z.string().regex(/^#[0-9a-f]{6}$/i, "must be a colour like #3b82f6");
export const Tag = z.object({ id: Id, name: z.string(), color: z.string() });
export const UpdateTagInput = z
  .strictObject({ name: TagName.optional(), color: Color.optional() })
  .refine((v) => Object.keys(v).length > 0, "nothing to change");

export const SavedReply = z.object({
  id: Id,
  name: z.string(),
  body: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const SavedReplyInput = z.strictObject({ name: Name, body: z.string().trim().min(1).max(MAX_TEXT_CHARS) });
export const UpdateSavedReplyInput = z
  .strictObject({ name: Name.optional(), body: z.string().trim().min(1).max(MAX_TEXT_CHARS).optional() })
  .refine((v) => Object.keys(v).length > 0, "nothing to change");

/** "webhook": an endpoint was turned off after failing for a day (sent to admins; no conversation). */
export const NotificationKind = z.enum(["mention", "assigned", "update", "webhook", "sla", "forward"]);
export const Notification = z.object({
  id: Id,
  kind: NotificationKind,
  conversationId: Id.nullable(),
  actor: z.object({ id: Id.nullable(), name: z.string() }),
  preview: z.string(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});
export const NotificationsQuery = z.strictObject({
  unread: z.enum(["true", "false"]).optional(),
  limit: z.coerce.number().int().min(1).max(PAGE_SIZES.notifications.max).default(PAGE_SIZES.notifications.default),
});
export const ReadNotificationsInput = z
  .strictObject({ ids: z.array(Id).min(1).max(MAX_IDS_PER_REQUEST).optional(), all: z.literal(true).optional() })
  .refine((v) => (v.ids ? !v.all : v.all), "give either ids or all:true");

/** What an agent may change about themselves. */
export const UpdateMeInput = z
  .strictObject({
    name: Name.optional(),
    timeZone: z.string().min(1).max(64).refine(isTimeZone, "unknown time zone").optional(),
    emailNotifications: z.boolean().optional(),
    notifications: NotificationPrefsPatch.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, "nothing to change");

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** `POST /api/invitations` (admin): who is invited, as what, to which inboxes. */
export const CreateInvitationInput = z.strictObject({
  email: Email,
  role: Role,
  access: z
    .array(z.strictObject({ inboxId: Id, access: Access }))
    .max(100)
    .refine((grants) => new Set(grants.map((g) => g.inboxId)).size === grants.length, "each inbox once")
    .default([]),
});
/** A pending invitation, as admins list it (never its link: that was shown once). */
export const Invitation = z.object({
  id: Id,
  email: z.string(),
  role: Role,
  access: z.array(z.object({ inboxId: Id, access: Access })),
  invitedBy: z.object({ id: Id, name: z.string() }).nullable(),
  createdAt: z.string(),
  expiresAt: z.string(),
});
/** `POST /api/invitations`: the link to hand to the invitee (single use, seven days), and whether it was emailed. */
export const CreatedInvitation = z.object({ id: Id, inviteUrl: z.string(), emailed: z.boolean() });

export type Invitation = z.infer<typeof Invitation>;
export type CreateInvitationInput = z.infer<typeof CreateInvitationInput>;
export type Team = z.infer<typeof Team>;
export type Tag = z.infer<typeof Tag>;
export type SavedReply = z.infer<typeof SavedReply>;
export type NotificationKind = z.infer<typeof NotificationKind>;
export type Notification = z.infer<typeof Notification>;

// Response envelopes

/** `GET /api/invitations`: the pending ones. */
export const Invitations = z.object({ items: z.array(Invitation) });
/** `GET /api/teams`. */
export const Teams = z.object({ items: z.array(Team) });
/** `GET /api/tags`. */
export const Tags = z.object({ items: z.array(Tag) });
/** `GET /api/saved-replies`. */
export const SavedReplies = z.object({ items: z.array(SavedReply) });
/** `GET /api/notifications`. */
export const Notifications = z.object({ items: z.array(Notification), unreadCount: z.number().int().nonnegative() });
/** `POST /api/notifications/read`: the unread count after marking. */
export const UnreadCount = z.object({ unreadCount: z.number().int().nonnegative() });
