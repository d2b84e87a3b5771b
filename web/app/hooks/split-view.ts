/** How wide the screen is: the list beside the open conversation, the details panel beside the thread, a phone. */
import { useEffect, useState } from "preact/hooks";

/** The width from which the list stays beside the open conversation (as in Front, Help Scout, Chatwoot). */
export const SPLIT_QUERY = "(min-width: 1200px)";
/** Below this width the conversation's details panel has no room beside the thread: it opens in a drawer. */
export const NARROW_QUERY = "(max-width: 899px)";
/** A phone: one pane at a time, the sidebar behind a menu button (keep in step with the 767px rules in styles.css). */
export const PHONE_QUERY = "(max-width: 767px)";

/** True while the viewport matches `query`; follows resizes. */
export function useMedia(query: string): boolean {
  const [matches, setMatches] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const list = window.matchMedia(query);
    const update = () => setMatches(list.matches);
    list.addEventListener("change", update);
    update();
    return () => list.removeEventListener("change", update);
  }, [query]);
  return matches;
}

/** True while the viewport matches SPLIT_QUERY. */
export const useSplitView = (): boolean => useMedia(SPLIT_QUERY);

/** True on a phone-sized screen (PHONE_QUERY). */
export const usePhone = (): boolean => useMedia(PHONE_QUERY);
