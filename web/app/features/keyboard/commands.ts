/**
 * What the screen can do now, by name. A page or panel offers the commands it
 * owns while it is mounted (`useCommands`); the keyboard shortcuts and the
 * command palette look them up here, so both run exactly what the buttons run.
 */
import { useEffect, useRef } from "preact/hooks";

/** Every command a shortcut or the palette can name. */
export type CommandId =
  | "next"
  | "previous"
  | "open"
  | "back"
  | "reply"
  | "note"
  | "resolve"
  | "reopen"
  | "snooze"
  | "assign"
  | "tags"
  | "merge"
  | "select"
  | "search"
  | "view-all"
  | "view-mine"
  | "view-unassigned"
  | "view-snoozed"
  | "view-breaching"
  | "help"
  | "palette";

/** A command's handler, or a falsy value while it does not apply (no access, already resolved…). */
export type Commands = Partial<Record<CommandId, (() => void) | false | null | undefined>>;

const owners = new Set<{ current: Commands }>();

/** Offer `commands` while the caller is mounted; the latest render's handlers are the ones run. */
export function useCommands(commands: Commands): void {
  const ref = useRef(commands);
  ref.current = commands;
  useEffect(() => {
    owners.add(ref);
    return () => void owners.delete(ref);
  }, []);
}

/** The handler for `id` that the screen offers now, if any (the most recently mounted owner wins). */
export function commandHandler(id: CommandId): (() => void) | null {
  let found: (() => void) | null = null;
  for (const owner of owners) found = owner.current[id] || found;
  return found;
}
