/** The list views, their URLs, and the list the agent last looked at (so "back" returns to it). */
import type { Summary, View } from "../../worker/contract";

/** The views the sidebar offers, in order. */
export const views: { id: View; label: string }[] = [
  { id: "all", label: "All open" },
  { id: "mine", label: "Mine" },
  { id: "unassigned", label: "Unassigned" },
  { id: "resolved", label: "Resolved" },
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

let lastList = "/";

export function rememberList(href: string): void {
  lastList = href;
}

export function lastListHref(): string {
  return lastList;
}
