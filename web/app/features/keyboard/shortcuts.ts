/**
 * The keyboard shortcuts: one table, read both by the key handler and by the
 * `?` sheet, so the sheet lists exactly what works. A new shortcut is one row
 * here plus the command its page offers (see commands.ts).
 */
import type { CommandId } from "./commands";

export type ShortcutGroup = "List" | "Conversation" | "Go to" | "General";

export type Shortcut = {
  /**
   * The keys, any one of which runs it: a letter ("j"), "shift+e", "mod+k" (⌘ on
   * a Mac, Ctrl elsewhere), a key name ("Enter", "Escape", "/", "?"), or two
   * keys pressed one after the other, separated by a space ("g i").
   */
  keys: string[];
  command: CommandId;
  label: string;
  group: ShortcutGroup;
  /** Also while typing in a field (otherwise a shortcut leaves fields alone). */
  inFields?: boolean;
};

export const SHORTCUTS: Shortcut[] = [
  { keys: ["j"], command: "next", label: "Next conversation", group: "List" },
  { keys: ["k"], command: "previous", label: "Previous conversation", group: "List" },
  { keys: ["Enter", "o"], command: "open", label: "Open the selected conversation", group: "List" },
  { keys: ["x"], command: "select", label: "Tick it for a bulk action", group: "List" },
  { keys: ["r"], command: "reply", label: "Reply", group: "Conversation" },
  { keys: ["n"], command: "note", label: "Write an internal note", group: "Conversation" },
  { keys: ["e"], command: "resolve", label: "Resolve", group: "Conversation" },
  { keys: ["shift+e"], command: "reopen", label: "Reopen", group: "Conversation" },
  { keys: ["s"], command: "snooze", label: "Snooze", group: "Conversation" },
  { keys: ["a"], command: "assign", label: "Assign", group: "Conversation" },
  { keys: ["t"], command: "tags", label: "Add a tag", group: "Conversation" },
  { keys: ["m"], command: "merge", label: "Merge into another conversation", group: "Conversation" },
  { keys: ["Escape"], command: "back", label: "Back to the list", group: "Conversation" },
  { keys: ["g i"], command: "view-all", label: "All open", group: "Go to" },
  { keys: ["g m"], command: "view-mine", label: "Mine", group: "Go to" },
  { keys: ["g u"], command: "view-unassigned", label: "Unassigned", group: "Go to" },
  { keys: ["g s"], command: "view-snoozed", label: "Snoozed", group: "Go to" },
  { keys: ["g d"], command: "view-breaching", label: "SLA due", group: "Go to" },
  { keys: ["/"], command: "search", label: "Search", group: "General" },
  { keys: ["mod+k"], command: "palette", label: "Command palette", group: "General", inFields: true },
  { keys: ["?"], command: "help", label: "Keyboard shortcuts", group: "General" },
];

/** A key press as the table spells it; null for a lone modifier or with Alt held (never a shortcut). */
export function keyToken(e: Pick<KeyboardEvent, "key" | "shiftKey" | "ctrlKey" | "metaKey" | "altKey">): string | null {
  if (e.altKey || ["Shift", "Control", "Meta", "Alt", "CapsLock"].includes(e.key)) return null;
  const letter = /^[a-z]$/i.test(e.key) ? e.key.toLowerCase() : null;
  if (e.metaKey || e.ctrlKey) return letter ? `mod+${letter}` : null;
  if (letter) return e.shiftKey ? `shift+${letter}` : letter;
  return e.key;
}

/**
 * The shortcut a key completes, given the key pressed just before it (for a
 * two-key sequence), and whether it starts a sequence instead.
 */
export function matchShortcut(
  token: string,
  previous: string | null,
  shortcuts: Shortcut[] = SHORTCUTS,
): { shortcut: Shortcut | null; starts: boolean } {
  const find = (keys: string) => shortcuts.find((s) => s.keys.includes(keys)) ?? null;
  const shortcut = (previous && find(`${previous} ${token}`)) || find(token);
  const starts = !shortcut && shortcuts.some((s) => s.keys.some((k) => k.startsWith(`${token} `)));
  return { shortcut, starts };
}

const isMac = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform);

/** One key of the table as the sheet shows it: each key cap, and "then" between a sequence's keys. */
export function keyCaps(keys: string): string[][] {
  const cap = (k: string) =>
    k
      .split("+")
      .map((part) =>
        part === "mod" ? (isMac ? "⌘" : "Ctrl") : part === "shift" ? "Shift" : part === "Escape" ? "Esc" : part,
      );
  return keys.split(" ").map(cap);
}
