import { useEffect, useState } from "preact/hooks";

/** `value` once it has stopped changing for `ms` (typing paused): what a search-as-you-type reads. */
export function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}
