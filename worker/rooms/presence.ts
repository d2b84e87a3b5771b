/**
 * Presence, pure: who is in a room and what they are doing, derived from the
 * sockets' attachments (which survive hibernation), one entry per agent.
 */
import type { PresenceState, TypingKind, Viewer } from "../contract";

/** What a socket carries across hibernation. Kept small: attachments are limited to 2 KiB. */
export type Attachment = { conversationId: string; ready: boolean; seenAt: number } & (
  | { audience: "agent"; userId: string; name: string; canWrite: boolean; state: PresenceState; kind?: TypingKind }
  | { audience: "customer"; contactId: string }
);

export type AgentAttachment = Extract<Attachment, { audience: "agent" }>;

/** One viewer per agent; an agent with several tabs is typing if any tab is. */
export function viewersOf(attachments: Iterable<Attachment | null>): Viewer[] {
  const byUser = new Map<string, Viewer>();
  for (const a of attachments) {
    if (a?.audience !== "agent" || !a.ready) continue;
    const seen = byUser.get(a.userId);
    if (!seen) byUser.set(a.userId, { userId: a.userId, name: a.name, state: a.state });
    else if (a.state === "typing") seen.state = "typing";
  }
  return [...byUser.values()].sort((x, y) => x.name.localeCompare(y.name) || x.userId.localeCompare(y.userId));
}

export const sameViewers = (a: Viewer[], b: Viewer[]) =>
  a.length === b.length && a.every((v, i) => v.userId === b[i]!.userId && v.state === b[i]!.state);

/**
 * Customers see only that someone on the team is typing a reply, never who,
 * and never a note (a frame without a kind is taken for a reply).
 */
export const replyTyping = (attachments: Iterable<Attachment | null>): boolean =>
  [...attachments].some((a) => a?.audience === "agent" && a.ready && a.state === "typing" && a.kind !== "note");

/** Sockets not heard from within `timeoutMs` are gone, even if they never said goodbye. */
export function isStale(lastHeardAt: number, now: number, timeoutMs: number): boolean {
  return now - lastHeardAt > timeoutMs;
}
