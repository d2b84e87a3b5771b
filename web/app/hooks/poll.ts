import { useEffect, useRef } from "preact/hooks";

/**
 * Calls `tick` every `ms` while `active` and the page is visible, one call at a
 * time (the next waits for the previous to settle), and at once when the page
 * comes back into view. For what has no live socket, such as a delivery log.
 */
export function usePolling(tick: () => Promise<unknown>, ms: number, active: boolean): void {
  const latest = useRef(tick);
  latest.current = tick;
  useEffect(() => {
    if (!active) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let running = false;
    const schedule = () => {
      clearTimeout(timer);
      if (!stopped && document.visibilityState === "visible") timer = setTimeout(run, ms);
    };
    const run = async () => {
      if (running || stopped) return;
      running = true;
      try {
        await latest.current();
      } catch {
        // The caller shows its own failure; the next tick tries again.
      } finally {
        running = false;
        schedule();
      }
    };
    const onVisibility = () => (document.visibilityState === "visible" ? void run() : clearTimeout(timer));
    document.addEventListener("visibilitychange", onVisibility);
    schedule();
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [active, ms]);
}
