/**
 * The access policy, in one place: what an actor may do in an inbox.
 *
 * Roles: admins may do everything everywhere. Agents hold one level per inbox
 * on the ladder view < note < reply. An agent with no level cannot tell the
 * inbox's conversations exist (404); one whose level is too low is told 403.
 */
import type { Access, Role } from "../contract";

const RANK: Record<Access, number> = { view: 1, note: 2, reply: 3 };

/** Things one can do to a conversation, and the level each needs. */
export const ACTION_LEVEL = {
  read: "view",
  follow_self: "view",
  note: "note",
  reply: "reply",
  set_status: "reply",
  assign: "reply",
  tag: "reply",
  set_priority: "reply",
  manage_followers: "reply",
  move: "reply",
  link: "reply",
} as const satisfies Record<string, Access>;

export type Action = keyof typeof ACTION_LEVEL;

/** Admins see every inbox of their workspace, whatever their grants say. */
export function seesEveryInbox(role: Role): boolean {
  return role === "admin";
}

/** The level an actor effectively holds in an inbox: admins hold `reply` everywhere. */
export function effectiveAccess(role: Role, grant: Access | null | undefined): Access | null {
  if (seesEveryInbox(role)) return "reply";
  return grant ?? null;
}

/** Whether `level` reaches `needed` on the ladder view < note < reply (no level reaches nothing). */
export function atLeast(level: Access | null, needed: Access): boolean {
  return level !== null && RANK[level] >= RANK[needed];
}

export type Decision = "allow" | "not_found" | "forbidden";

/** Decide whether `role` with `grant` on an inbox may perform `action` there. */
export function decide(role: Role, grant: Access | null | undefined, action: Action): Decision {
  const level = effectiveAccess(role, grant);
  if (level === null) return "not_found";
  return atLeast(level, ACTION_LEVEL[action]) ? "allow" : "forbidden";
}

/** Only someone who may reply in an inbox can own its conversations. */
export function canBeAssigned(role: Role, grant: Access | null | undefined): boolean {
  return atLeast(effectiveAccess(role, grant), "reply");
}

/** Workspace administration (users, inboxes, access, teams, rules) is for admins. */
export function canAdminister(role: Role): boolean {
  return role === "admin";
}

/** Working on tickets takes reply access somewhere (admins always have it); everyone else reads them. */
export function canWorkOnTickets(role: Role, levels: Iterable<Access>): boolean {
  if (seesEveryInbox(role)) return true;
  for (const level of levels) if (atLeast(level, "reply")) return true;
  return false;
}

/** Typing and live drafts are part of answering: they need reply (watchers and note-takers stay quiet). */
export function mayType(level: Access | null): boolean {
  return atLeast(level, "reply");
}
