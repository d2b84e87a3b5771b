/**
 * How list-level news travels, and who carries it.
 *
 * A conversation's room publishes each change once, to its inbox's hub
 * (`InboxHub`, one per inbox). Agents' list sockets (`/api/live`) live in
 * gateways (`ListGateway`, LIST_GATEWAYS per workspace; a user's sockets all
 * land in the one their id hashes to). A gateway subscribes to the hubs of the
 * inboxes its sockets may see; a hub forwards each change to its subscribed
 * gateways (batched per gateway while a delivery is in flight), and a gateway
 * sends it only to the sockets whose scope includes the inbox and whose list
 * (the `watch` frame) it touches. So the work of a change grows with the
 * gateways and sockets that look at its inbox, never with the workspace.
 */
import type { ListFrame, Summary, Viewer } from "../contract";

/** What an inbox's hub forwards to a gateway. */
export type ListChange =
  | { kind: "conversation"; summary: Summary }
  /** The conversation moved to inbox `to`: sockets that cannot see it there drop the row. */
  | { kind: "moved_away"; conversationId: string; to: string }
  | { kind: "presence"; conversationId: string; viewers: Viewer[] };

/** Gateways per workspace unless LIST_GATEWAYS says otherwise. */
export const DEFAULT_LIST_GATEWAYS = 16;

export function gatewayCount(env: Env): number {
  const n = Number(env.LIST_GATEWAYS);
  return Number.isInteger(n) && n > 0 ? n : DEFAULT_LIST_GATEWAYS;
}

/** FNV-1a: a stable, even spread of user ids over the gateways. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The gateway holding a user's list sockets, by name (hubs address gateways by it). */
export const gatewayNameOf = (env: Env, workspaceId: string, userId: string): string =>
  `${workspaceId}:${hash(userId) % gatewayCount(env)}`;

export const gatewayNamed = (env: Env, name: string) => env.LIST_GATEWAY.get(env.LIST_GATEWAY.idFromName(name));

export const getListGateway = (env: Env, workspaceId: string, userId: string) =>
  gatewayNamed(env, gatewayNameOf(env, workspaceId, userId));

export const getInboxHub = (env: Env, workspaceId: string, inboxId: string) =>
  env.INBOX_HUB.get(env.INBOX_HUB.idFromName(`${workspaceId}:${inboxId}`));

/** Every gateway of a workspace, for the rare news all lists hear (a tag or team deleted, an inbox added). */
export function allGateways(env: Env, workspaceId: string) {
  return Array.from({ length: gatewayCount(env) }, (_, i) => gatewayNamed(env, `${workspaceId}:${i}`));
}

/** A workspace-wide change every list view hears of: the rows drop it without each room republishing. */
export async function publishToAllLists(
  env: Env,
  workspaceId: string,
  frame: Extract<ListFrame, { type: "tag_deleted" | "team_deleted" }>,
): Promise<void> {
  await Promise.all(allGateways(env, workspaceId).map((g) => g.publishWorkspace(frame)));
}

/** A new inbox: the lists of those who see every inbox start carrying it. */
export async function inboxAdded(env: Env, workspaceId: string, inboxId: string): Promise<void> {
  await Promise.all(allGateways(env, workspaceId).map((g) => g.inboxAdded(inboxId)));
}
