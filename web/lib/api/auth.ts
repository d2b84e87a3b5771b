/** Setting up the workspace, signing in and out, and the signed-in agent. */
import {
  ApiTokens,
  CreatedToken,
  LoginResult,
  Me,
  SetupResult,
  SetupState,
  UpdatedMe,
  type LoginInput,
  type AcceptInviteInput,
  type SetupInput,
  type UpdateMeInput,
} from "../../../worker/contract";
import { enc, type In, request } from "./client";

export const authApi = {
  setupState: () => request("GET", "/api/setup", SetupState),
  setup: (input: SetupInput) => request("POST", "/api/setup", SetupResult, { body: input }),
  login: (input: LoginInput) => request("POST", "/api/auth/login", LoginResult, { body: input, quiet401: true }),
  logout: () => request("POST", "/api/auth/logout", null, { quiet401: true }),
  me: () => request("GET", "/api/me", Me, { quiet401: true }),
  updateMe: (input: In<typeof UpdateMeInput>) => request("PATCH", "/api/me", UpdatedMe, { body: input }),
  changePassword: (input: { currentPassword: string; newPassword: string }) =>
    request("POST", "/api/me/password", null, { body: input }),
  /** The signed-in agent's API tokens (never their secrets). */
  tokens: () => request("GET", "/api/me/tokens", ApiTokens),
  createToken: (name: string) => request("POST", "/api/me/tokens", CreatedToken, { body: { name } }),
  revokeToken: (id: string) => request("DELETE", `/api/me/tokens/${enc(id)}`, null),
  /** Redeems an invitation link: the new account, signed in. */
  acceptInvite: (input: AcceptInviteInput) =>
    request("POST", "/api/auth/accept-invite", LoginResult, { body: input, quiet401: true }),
  /** Redeems a reset link; the user signs in afterwards. */
  resetPassword: (input: { token: string; password: string }) =>
    request("POST", "/api/auth/reset", null, { body: input, quiet401: true }),
};
