/**
 * The rules for changing a conversation through PATCH: which access the change
 * needs, and what a move to another inbox asks of the actor and the assignee.
 * Pure; the status machine itself is in status.ts.
 */
import type { Access, Role, Status } from "../contract";
import { type Action, atLeast, canBeAssigned } from "./access";

/** The action a PATCH needs on the conversation's inbox: a move, a status change, or an assignment-like change. */
export function updateAction(change: { inboxId?: string; status?: Status }): Action {
  if (change.inboxId) return "move";
  if (change.status) return "set_status";
  return "assign";
}

export type MoveDecision = "allow" | "no_such_inbox" | "forbidden";

/**
 * Moving into an inbox needs reply access there too (the source inbox was
 * checked with the conversation). An inbox the actor holds no level on does
 * not exist for them.
 */
export function mayMoveInto(targetLevel: Access | null): MoveDecision {
  if (targetLevel === null) return "no_such_inbox";
  return atLeast(targetLevel, "reply") ? "allow" : "forbidden";
}

/**
 * After a move, the assignee keeps the conversation only if they may own
 * conversations in the new inbox; otherwise they let go of it. A user who no
 * longer exists keeps nothing.
 */
export function keepsAssigneeAfterMove(assignee: { role: Role; grant: Access | null } | undefined): boolean {
  return assignee !== undefined && canBeAssigned(assignee.role, assignee.grant);
}
