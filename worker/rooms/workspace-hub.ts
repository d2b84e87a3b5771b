import { DurableObject } from "cloudflare:workers";
import { nextInRotation } from "../domain/rules";

/**
 * One per workspace, for what must be decided in one place and is rare:
 * whose turn it is in each team's round-robin. List fan-out does not pass
 * through here (see list-hub.ts: inbox hubs and list gateways).
 */
export class WorkspaceHub extends DurableObject<Env> {
  /**
   * The next member of a team's round-robin among `candidates`. The hub is one
   * object per workspace and awaits only its own storage here, so concurrent
   * creations are served one after another: the rotation stays even.
   */
  async rotate(teamId: string, candidates: string[]): Promise<string | null> {
    const key = `rotation:${teamId}`;
    const next = nextInRotation(candidates, (await this.ctx.storage.get<string>(key)) ?? null);
    if (next) await this.ctx.storage.put(key, next);
    return next;
  }
}

export function getWorkspaceHub(env: Env, workspaceId: string) {
  return env.WORKSPACE_HUB.get(env.WORKSPACE_HUB.idFromName(workspaceId));
}
