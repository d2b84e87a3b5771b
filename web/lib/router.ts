/**
 * A tiny History API router: one current location, a hook to follow it, and
 * `<Link>` for in-app navigation. Enough for a handful of SPA paths.
 */
import { h, type AnchorHTMLAttributes, type ComponentChildren, type TargetedMouseEvent } from "preact";
import { useEffect, useState } from "preact/hooks";

export type Location = { path: string; query: URLSearchParams; href: string };

const listeners = new Set<() => void>();

function read(): Location {
  const { pathname, search } = window.location;
  return { path: pathname, query: new URLSearchParams(search), href: pathname + search };
}

function notify(): void {
  for (const listener of listeners) listener();
}

window.addEventListener("popstate", notify);

/** Go to an in-app path; `replace` swaps the history entry instead of adding one. */
export function navigate(href: string, opts: { replace?: boolean } = {}): void {
  const current = window.location.pathname + window.location.search;
  if (href === current) return;
  if (opts.replace) window.history.replaceState(null, "", href);
  else {
    window.history.pushState(null, "", href);
    window.scrollTo(0, 0);
  }
  notify();
}

/** The current location; re-renders the caller on every navigation. */
export function useLocation(): Location {
  const [location, setLocation] = useState(read);
  useEffect(() => {
    const update = () => setLocation(read());
    listeners.add(update);
    update();
    return () => void listeners.delete(update);
  }, []);
  return location;
}

/** Match `/conversations/:id` style patterns; returns the decoded params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split("/").filter(Boolean);
  const got = path.split("/").filter(Boolean);
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(":")) params[w.slice(1)] = decodeURIComponent(g);
    else if (w !== g) return null;
  }
  return params;
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href"> & { href: string; children?: ComponentChildren };

/** An anchor that navigates in-app on a plain left click and behaves natively otherwise. */
export function Link({ href, onClick, ...rest }: LinkProps) {
  const handle = (e: TargetedMouseEvent<HTMLAnchorElement>) => {
    if (typeof onClick === "function") onClick(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return h("a", { ...rest, href, onClick: handle });
}
