/**
 * The list's selection: the conversations ticked for a bulk action. One
 * store for the page, so a keyboard shortcut can toggle a row
 * (`toggleSelected(id)`) without reaching into the list's components.
 */
import { useEffect, useState } from "preact/hooks";

let selected: ReadonlySet<string> = new Set();
/** The last row ticked or unticked by hand: where a shift-click range starts. */
let anchor: string | null = null;
const listeners = new Set<(ids: ReadonlySet<string>) => void>();

function set(next: ReadonlySet<string>) {
  selected = next;
  for (const listener of listeners) listener(selected);
}

/** The ids ticked now. */
export const selectedIds = (): ReadonlySet<string> => selected;

/** Ticks or unticks one conversation (toggles by default); it becomes the start of the next range. */
export function toggleSelected(id: string, on = !selected.has(id)) {
  anchor = id;
  const next = new Set(selected);
  if (on) next.add(id);
  else next.delete(id);
  set(next);
}

/**
 * Shift-click: every row from the last one ticked by hand to `id`, in the
 * list's `order`, takes `on`. Without an anchor on the page, just `id`.
 */
export function selectRange(order: readonly string[], id: string, on: boolean) {
  const from = anchor === null ? -1 : order.indexOf(anchor);
  const to = order.indexOf(id);
  if (from < 0 || to < 0) return toggleSelected(id, on);
  const next = new Set(selected);
  for (const each of order.slice(Math.min(from, to), Math.max(from, to) + 1)) {
    if (on) next.add(each);
    else next.delete(each);
  }
  anchor = id;
  set(next);
}

/** Replaces the selection (select all on the page, keep only the ones that failed, clear). */
export function setSelection(ids: Iterable<string>) {
  set(new Set(ids));
}

export const clearSelection = () => setSelection([]);

/** The selection, re-rendering on each change. */
export function useSelected(): ReadonlySet<string> {
  const [ids, setIds] = useState(selected);
  useEffect(() => {
    listeners.add(setIds);
    setIds(selected);
    return () => {
      listeners.delete(setIds);
    };
  }, []);
  return ids;
}

/** The selection, kept to the rows the list shows: a row that leaves the list leaves the selection. */
export function useSelection(shown: readonly string[]): ReadonlySet<string> {
  const ids = useSelected();
  useEffect(() => {
    const onPage = new Set(shown);
    if ([...selected].some((id) => !onPage.has(id))) setSelection([...selected].filter((id) => onPage.has(id)));
  }, [shown.join(), ids]);
  return ids;
}
