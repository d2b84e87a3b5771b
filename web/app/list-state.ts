/** The list views, their URLs, and the list the agent last looked at (so "back" returns to it). */
import type { Summary, View } from "../../worker/contract";
import { compareInView, inView } from "../../worker/domain/list-views";

/** The views the sidebar offers, in order. */
export const views: { id: View; label: string }[] = [
  { id: "all", label: "All open" },
  { id: "mine", label: "Mine" },
  { id: "unassigned", label: "Unassigned" },
  { id: "breaching", label: "SLA due" },
  { id: "mentioned", label: "Mentioned" },
  { id: "following", label: "Following" },
  { id: "snoozed", label: "Snoozed" },
  { id: "resolved", label: "Resolved" },
  { id: "spam", label: "Spam" },
];

/** The list's URL for a view and inbox filter. */
export function listHref(view: View, inboxId: string | null): string {
  const q = new URLSearchParams();
  if (view !== "all") q.set("view", view);
  if (inboxId) q.set("inbox", inboxId);
  const s = q.toString();
  return s ? `/?${s}` : "/";
}

/** The view and inbox a list URL names. */
export function parseList(href: string): { view: View; inboxId: string | null } {
  const query = new URLSearchParams(href.split("?")[1] ?? "");
  const v = query.get("view");
  const view = views.find((x) => x.id === v)?.id ?? "all";
  return { view, inboxId: query.get("inbox") };
}

/** The name a support agent would call the contact by. */
export function contactName(c: Pick<Summary, "contact">): string {
  return c.contact.name || c.contact.email || "Unknown contact";
}

const LAST_LIST_KEY = "switchboard:list";
let lastList: string | null = null;

/** Note the list on screen, so "back" (and the list beside a conversation) returns to it, also after a reload. */
export function rememberList(href: string): void {
  lastList = href;
  try {
    sessionStorage.setItem(LAST_LIST_KEY, href);
  } catch {
    /* Storage can be disabled; the list is remembered for this page's life. */
  }
}

/** The list the agent last looked at (its view and inbox filter); `/` at first. */
export function lastListHref(): string {
  if (lastList === null) {
    let saved: string | null = null;
    try {
      saved = sessionStorage.getItem(LAST_LIST_KEY);
    } catch {
      saved = null;
    }
    lastList = saved === "/" || saved?.startsWith("/?") ? saved : "/";
  }
  return lastList;
}

/**
 * A list after a live change to one conversation: updated in place and
 * re-sorted in the view's order, the server's (new activity moves it up;
 * in Breaching, a new due time moves it), added when it now belongs, removed
 * when it no longer does. While more pages remain, a row that would sort
 * below the last one loaded is left for "Load more" to bring.
 */
export function applySummary(
  items: Summary[],
  c: Summary,
  list: { view: View; inboxId: string | null; more: boolean },
  meId: string,
): Summary[] {
  // The server's own definition of the view; null for Mentioned and Following,
  // which depend on per-agent records the summary does not carry.
  const fits = inView(c, list, { id: meId });
  const at = items.findIndex((i) => i.id === c.id);
  if (fits === false) return at === -1 ? items : items.filter((i) => i.id !== c.id);
  if (at === -1) {
    if (fits === null) return items;
    const last = items[items.length - 1];
    if (list.more && last && compareInView(list.view, c, last) > 0) return items;
  }
  const next = at === -1 ? [...items, c] : items.map((i) => (i.id === c.id ? c : i));
  return next.sort((a, b) => compareInView(list.view, a, b));
}
