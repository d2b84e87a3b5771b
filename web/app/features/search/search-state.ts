/** Where a search lives (`/search?q=…`) and how the top bar asks for one. */
import { navigate } from "../../../lib/router";

export const SEARCH_PATH = "/search";

/** The results page for a query. */
export function searchHref(q: string): string {
  return `${SEARCH_PATH}?${new URLSearchParams({ q }).toString()}`;
}

const again = new Set<() => void>();

/**
 * Open the results for `q`. Asking again for the query already shown runs it
 * again (new conversations may match now) instead of doing nothing.
 */
export function runSearch(q: string): void {
  const href = searchHref(q.trim());
  if (window.location.pathname + window.location.search === href) for (const listener of again) listener();
  else navigate(href);
}

/** Called when the query already on screen is asked for again. */
export function onSearchAgain(listener: () => void): () => void {
  again.add(listener);
  return () => void again.delete(listener);
}

/** What matched, in a support person's words. */
export const MATCH_LABELS = {
  customer: "Message",
  reply: "Reply",
  note: "Internal note",
  subject: "Subject",
  contact: "Contact",
} as const;

/** Whether a key press belongs to a text field (so a global shortcut must leave it alone). */
export function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el?.tagName) return false;
  return el.isContentEditable || el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT";
}
