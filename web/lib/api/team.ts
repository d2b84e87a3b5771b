/** The workspace's people and teams. */
import {
  CreatedInvitation,
  CreatedReset,
  Invitations,
  Team,
  TeamList,
  TeamMember,
  UserList,
  type Access,
  type CreateInvitationInput,
  type CreateTeamInput,
  type CreateUserInput,
  type UpdateTeamInput,
  type UpdateUserInput,
} from "../../../worker/contract";
import { enc, type In, query, request } from "./client";

export const teamApi = {
  /** Everyone in the workspace; with `inboxId`, those who can see that inbox (at `access` or above). */
  users: (q: { inboxId?: string; access?: Access } = {}) => request("GET", `/api/users${query(q)}`, UserList),
  createUser: (input: CreateUserInput) => request("POST", "/api/users", TeamMember, { body: input }),
  /** Rename, change role, deactivate or reactivate (admin). */
  updateUser: (id: string, input: UpdateUserInput) =>
    request("PATCH", `/api/users/${enc(id)}`, TeamMember, { body: input }),
  /** A one-time reset link for a teammate (admin). */
  passwordResetLink: (id: string) => request("POST", `/api/users/${enc(id)}/password-reset`, CreatedReset),

  invitations: () => request("GET", "/api/invitations", Invitations),
  invite: (input: In<typeof CreateInvitationInput>) =>
    request("POST", "/api/invitations", CreatedInvitation, { body: input }),
  revokeInvitation: (id: string) => request("DELETE", `/api/invitations/${enc(id)}`, null),

  teams: () => request("GET", "/api/teams", TeamList),
  createTeam: (input: In<typeof CreateTeamInput>) => request("POST", "/api/teams", Team, { body: input }),
  updateTeam: (id: string, input: In<typeof UpdateTeamInput>) =>
    request("PATCH", `/api/teams/${enc(id)}`, Team, { body: input }),
  deleteTeam: (id: string) => request("DELETE", `/api/teams/${enc(id)}`, null),
};
