/** The workspace's people and teams. */
import {
  Team,
  TeamList,
  User,
  UserList,
  type Access,
  type CreateTeamInput,
  type CreateUserInput,
  type UpdateTeamInput,
} from "../../../worker/contract";
import { enc, type In, query, request } from "./client";

export const teamApi = {
  /** Everyone in the workspace; with `inboxId`, those who can see that inbox (at `access` or above). */
  users: (q: { inboxId?: string; access?: Access } = {}) => request("GET", `/api/users${query(q)}`, UserList),
  createUser: (input: CreateUserInput) => request("POST", "/api/users", User, { body: input }),

  teams: () => request("GET", "/api/teams", TeamList),
  createTeam: (input: In<typeof CreateTeamInput>) => request("POST", "/api/teams", Team, { body: input }),
  updateTeam: (id: string, input: In<typeof UpdateTeamInput>) =>
    request("PATCH", `/api/teams/${enc(id)}`, Team, { body: input }),
  deleteTeam: (id: string) => request("DELETE", `/api/teams/${enc(id)}`, null),
};
