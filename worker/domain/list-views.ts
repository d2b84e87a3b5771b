/**
 * Which conversation belongs in which list view: the one definition. The
 * server's list query (db/queries/conversations.ts) is its indexed form and a
 * test holds the two together; the web client's live list applies it to each
 * summary the socket brings. Pure; imported by the web client, so it imports
 * nothing but the contract.
 */
import { clocksRun, type Priority, type Status, type Summary, type View } from "../contract";

/** The status a view lists; Mentioned and Following list every status. */
export const STATUS_OF_VIEW = {
  all: "open",
  mine: "open",
  unassigned: "open",
  snoozed: "snoozed",
  resolved: "resolved",
  spam: "spam",
} as const satisfies Partial<Record<View, Status>>;

/** A list view and the filters the list query takes (absent or null: no filter). */
export interface ListFilter {
  view: View;
  inboxId?: string | null;
  assigneeId?: string | null;
  teamId?: string | null;
  tag?: string | null;
  priority?: Priority | null;
}

/**
 * The agent looking at the list, with what the summary cannot tell: the ids
 * of conversations they follow and those they are mentioned in. Leave a set
 * out when it is not known.
 */
export interface ListViewer {
  id: string;
  following?: ReadonlySet<string>;
  mentionedIn?: ReadonlySet<string>;
}

/**
 * Whether a conversation the viewer can see belongs in the list: true or
 * false, or null where it cannot be told (Mentioned or Following without the
 * viewer's set). Access is not judged here: the list only ever holds
 * conversations of inboxes the viewer sees.
 */
export function inView(c: Summary, filter: ListFilter, me: ListViewer): boolean | null {
  // A merged conversation lives on in the one it was merged into: no list shows it.
  if (c.status === "merged") return false;
  if (filter.inboxId && c.inboxId !== filter.inboxId) return false;
  if (filter.teamId && c.teamId !== filter.teamId) return false;
  if (filter.priority && c.priority !== filter.priority) return false;
  if (filter.assigneeId && filter.view !== "mine" && c.assignee?.id !== filter.assigneeId) return false;
  if (filter.tag) {
    const wanted = filter.tag.toLowerCase();
    if (!c.tags.some((t) => t.toLowerCase() === wanted)) return false;
  }
  switch (filter.view) {
    case "mentioned":
      return me.mentionedIn ? me.mentionedIn.has(c.id) : null;
    case "following":
      return me.following ? me.following.has(c.id) : null;
    case "mine":
      return c.status === "open" && c.assignee?.id === me.id;
    case "unassigned":
      return c.status === "open" && c.assignee === null;
    case "breaching":
      // A clock runs only while the conversation is open or snoozed (snoozing pauses nothing).
      return c.sla !== null && clocksRun(c.status);
    default:
      return c.status === STATUS_OF_VIEW[filter.view];
  }
}

/**
 * The order a view lists in: Breaching by the clock due first (breached ones
 * lead), every other view by the newest activity; ties by id, as the list
 * query's keyset pages. Negative when `a` comes before `b`.
 */
export function compareInView(view: View, a: Summary, b: Summary): number {
  if (view === "breaching") {
    const due = Date.parse(a.sla?.dueAt ?? "") - Date.parse(b.sla?.dueAt ?? "");
    return due || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  }
  const at = Date.parse(b.lastActivityAt) - Date.parse(a.lastActivityAt);
  return at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}
