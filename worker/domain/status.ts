/**
 * The conversation status machine, in one place: which transitions exist, who
 * may make them, and what a new timeline item does to the status. Pure; the
 * room applies it.
 *
 *            ┌──── snooze ────┐
 *   open ◀───┤                ▼
 *    │ ▲     └─ wake/reply ─ snoozed
 *    │ │ reopen (customer, reply, agent)
 *    ▼ │
 *  resolved          spam ◀── any (agent);  spam ──▶ open (restore)
 */
import type { ItemKind, Status } from "../contract";

/** Why the system changes a status. */
export type SystemReason = "snooze_expired" | "idle";

const AGENT_MOVES: Record<Status, readonly Status[]> = {
  open: ["resolved", "snoozed", "spam"],
  snoozed: ["open", "resolved", "snoozed", "spam"],
  resolved: ["open", "spam"],
  spam: ["open"],
  // Merged is for good: the conversation lives on in the one it was merged into.
  merged: [],
};

const SYSTEM_MOVES: Record<SystemReason, { from: Status; to: Status }> = {
  snooze_expired: { from: "snoozed", to: "open" },
  idle: { from: "open", to: "resolved" },
};

/** Whether an agent may move a conversation from `from` to `to` (snoozed → snoozed re-times the snooze). */
export function agentMayMove(from: Status, to: Status): boolean {
  return AGENT_MOVES[from].includes(to) || (from === to && to !== "snoozed");
}

/** The status the sweep moves to, or null when the conversation is no longer in the state the reason needs. */
export function systemMove(from: Status, reason: SystemReason): Status | null {
  const move = SYSTEM_MOVES[reason];
  return from === move.from ? move.to : null;
}

/**
 * The status after an item of `kind` lands: a customer message reopens a
 * resolved or snoozed conversation (it wakes a snooze early), a team reply
 * reopens a resolved one, and nothing revives spam. Notes and events change nothing.
 */
export function statusAfterItem(status: Status, kind: ItemKind): Status {
  if (status === "spam") return status;
  if (kind === "customer" && (status === "resolved" || status === "snoozed")) return "open";
  if (kind === "reply" && status === "resolved") return "open";
  return status;
}
