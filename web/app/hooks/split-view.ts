/** Whether the screen is wide enough to show the list and the open conversation side by side. */
import { useEffect, useState } from "preact/hooks";

/** The width from which the list stays beside the open conversation (as in Front, Help Scout, Chatwoot). */
export const SPLIT_QUERY = "(min-width: 1200px)";

/** True while the viewport matches SPLIT_QUERY; follows resizes. */
export function useSplitView(): boolean {
  const [wide, setWide] = useState(() => window.matchMedia(SPLIT_QUERY).matches);
  useEffect(() => {
    const query = window.matchMedia(SPLIT_QUERY);
    const update = () => setWide(query.matches);
    query.addEventListener("change", update);
    update();
    return () => query.removeEventListener("change", update);
  }, []);
  return wide;
}
