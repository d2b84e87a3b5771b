import { useRef } from "preact/hooks";

/**
 * Guards a list against a slow load that answers after a newer load or a
 * save: `begin()` marks a load and returns whether it is still the latest;
 * `supersede()` marks a save, so loads started before it are dropped.
 */
export function useLatest() {
  const generation = useRef(0);
  return {
    begin() {
      const mine = ++generation.current;
      return () => mine === generation.current;
    },
    supersede() {
      generation.current++;
    },
  };
}
