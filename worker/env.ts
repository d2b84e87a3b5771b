import type { Role } from "./contract";

/** The signed-in agent or admin a request acts for. */
export interface Actor {
  id: string;
  workspaceId: string;
  name: string;
  email: string;
  role: Role;
  /** How the request authenticated: cookie writes need an Origin check, tokens do not. */
  via: "session" | "token";
}

export type AppEnv = { Bindings: Env; Variables: { actor: Actor } };
