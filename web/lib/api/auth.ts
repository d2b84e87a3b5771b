/** Setting up the workspace, signing in and out, and the signed-in agent. */
import {
  LoginResult,
  Me,
  SetupResult,
  SetupState,
  UpdatedMe,
  type LoginInput,
  type SetupInput,
  type UpdateMeInput,
} from "../../../worker/contract";
import { type In, request } from "./client";

export const authApi = {
  setupState: () => request("GET", "/api/setup", SetupState),
  setup: (input: SetupInput) => request("POST", "/api/setup", SetupResult, { body: input }),
  login: (input: LoginInput) => request("POST", "/api/auth/login", LoginResult, { body: input, quiet401: true }),
  logout: () => request("POST", "/api/auth/logout", null, { quiet401: true }),
  me: () => request("GET", "/api/me", Me, { quiet401: true }),
  updateMe: (input: In<typeof UpdateMeInput>) => request("PATCH", "/api/me", UpdatedMe, { body: input }),
};
