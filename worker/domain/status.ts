/**
 * The conversation status machine: which transitions exist and what a new
 * timeline item does to the status. Pure; the room applies it.
 */
import type { ItemKind, Status } from "../contract";

/** Transitions an agent may ask for, from → allowed targets. */
const TRANSITIONS: Record<Status, readonly Status[]> = {
  open: ["resolved", "snoozed", "spam"],
  snoozed: ["open", "resolved", "spam"],
  resolved: ["open", "spam"],
  spam: ["open"],
};

export function canTransition(from: Status, to: Status): boolean {
  return from === to || TRANSITIONS[from].includes(to);
}

/**
 * The status after an item of `kind` lands: a customer message reopens a
 * resolved or snoozed conversation, a team reply reopens a resolved one, and
 * nothing revives spam. Notes and events change nothing.
 */
export function statusAfterItem(status: Status, kind: ItemKind): Status {
  if (status === "spam") return status;
  if (kind === "customer" && (status === "resolved" || status === "snoozed")) return "open";
  if (kind === "reply" && status === "resolved") return "open";
  return status;
}
