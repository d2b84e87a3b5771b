import { z } from "zod";
import { Access, Channel, Email, Id, Name, Password, Role } from "./common";
import { NotificationPrefs } from "./push";

export const SetupInput = z.strictObject({
  workspace: Name,
  name: Name,
  email: Email,
  password: Password,
});

export const LoginInput = z.strictObject({
  email: Email,
  password: z.string().min(1).max(200),
});

export const User = z.object({ id: Id, name: z.string(), email: z.string(), role: Role });
const Workspace = z.object({ id: Id, name: z.string() });
export const MeInbox = z.object({ id: Id, name: z.string(), channel: Channel, access: Access });

/** `emailNotifications` is the email master switch: false, no kind is emailed (`notifications[kind].email` shows it). */
export const Preferences = z.object({
  timeZone: z.string(),
  emailNotifications: z.boolean(),
  notifications: NotificationPrefs,
});
export const SetupResult = z.object({ user: User, workspace: Workspace });
export const LoginResult = z.object({ user: User });
export const Me = z.object({ user: User, workspace: Workspace, inboxes: z.array(MeInbox), preferences: Preferences });

export const CreateTokenInput = z.strictObject({ name: Name });
export const CreatedToken = z.object({ id: Id, name: z.string(), token: z.string() });

export const CreateUserInput = z.strictObject({
  name: Name,
  email: Email,
  password: Password,
  role: Role,
});

/** `PATCH /api/users/:id` (admin): rename, change role, deactivate or reactivate. */
export const UpdateUserInput = z
  .strictObject({ name: Name.optional(), role: Role.optional(), active: z.boolean().optional() })
  .refine((v) => Object.keys(v).length > 0, "nothing to change");

/** `POST /api/me/password`. */
export const ChangePasswordInput = z.strictObject({
  currentPassword: z.string().min(1).max(200),
  newPassword: Password,
});

/** A one-time secret from an invitation or reset link (`/invite/:token`, `/reset/:token`). */
const LinkToken = z.string().min(1).max(200);

/** `POST /api/auth/reset`: redeems an admin's reset link. */
export const ResetPasswordInput = z.strictObject({ token: LinkToken, password: Password });

/** `POST /api/auth/accept-invite`: the invitee picks their name and password. */
export const AcceptInviteInput = z.strictObject({ token: LinkToken, name: Name, password: Password });

/** `POST /api/users/:id/password-reset`: the link to hand to the user (single use, one hour). */
export const CreatedReset = z.object({ resetUrl: z.string() });

/** An API token as its owner lists it: never the secret. */
export const ApiToken = z.object({
  id: Id,
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});
export type ApiToken = z.infer<typeof ApiToken>;
/** `GET /api/me/tokens`. */
export const ApiTokens = z.object({ items: z.array(ApiToken) });

export const SetAccessInput = z.strictObject({ access: Access });
/** One agent's level on one inbox. */
export const InboxAccess = z.object({ inboxId: Id, userId: Id, access: Access });
export type InboxAccess = z.infer<typeof InboxAccess>;

/** `GET /api/setup`: whether first-run setup has happened. */
export const SetupState = z.object({ setUp: z.boolean() });

/** `GET /api/users` filters: people who can see an inbox, optionally at a least level (for pickers). */
export const UsersQuery = z.strictObject({ inboxId: Id.optional(), access: Access.optional() });

export type SetupInput = z.infer<typeof SetupInput>;
export type LoginInput = z.infer<typeof LoginInput>;
export type User = z.infer<typeof User>;
export type MeInbox = z.infer<typeof MeInbox>;
export type Me = z.infer<typeof Me>;
export type CreateUserInput = z.infer<typeof CreateUserInput>;
export type UpdateUserInput = z.infer<typeof UpdateUserInput>;
export type AcceptInviteInput = z.infer<typeof AcceptInviteInput>;

// Response envelopes

/** A user as the team list shows them: with whether they may still sign in. */
export const TeamMember = User.extend({ active: z.boolean() });
export type TeamMember = z.infer<typeof TeamMember>;

/** `GET /api/users`. */
export const Users = z.object({ items: z.array(TeamMember) });
/** `PATCH /api/me`: the agent and their preferences after the change. */
export const UpdatedMe = z.object({ user: User, preferences: Preferences });
/** `GET /api/inboxes/:id/access`. */
export const InboxAccessList = z.object({ items: z.array(InboxAccess) });
