import { z } from "zod";
import { Access, Channel, Email, Id, Name, Password, Role } from "./common";

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

export const Preferences = z.object({ timeZone: z.string(), emailNotifications: z.boolean() });
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

// Response envelopes

/** `GET /api/users`. */
export const Users = z.object({ items: z.array(User) });
/** `PATCH /api/me`: the agent and their preferences after the change. */
export const UpdatedMe = z.object({ user: User, preferences: Preferences });
/** `GET /api/inboxes/:id/access`. */
export const InboxAccessList = z.object({ items: z.array(InboxAccess) });
