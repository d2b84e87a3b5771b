/**
 * ⌘K / Ctrl-K: one box to go anywhere — a view, a conversation (by subject or
 * contact, through the search API, so only what the agent may see), a contact,
 * or an action on the open conversation. A modal dialog with a combobox over a
 * grouped listbox: arrows move, Enter chooses, Esc closes and gives focus back.
 * Loaded on first use (keyboard.tsx).
 */
import { useEffect, useId, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { SearchHit } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { navigate } from "../../../lib/router";
import { Avatar, Spinner } from "../../components/ui";
import { contactName, lastListHref, listHref, parseList, views } from "../../list-state";
import { runSearch } from "../search/search-state";
import { commandHandler } from "./commands";
import { fuzzyFilter, fuzzyScore } from "./fuzzy";
import { SHORTCUTS, keyCaps } from "./shortcuts";

export type PaletteProps = { onClose: () => void };

type Group = "Views" | "Conversations" | "Contacts" | "Actions";
type Entry = {
  key: string;
  group: Group;
  label: string;
  hint?: string;
  avatar?: string;
  /** How well it matches the query (fuzzyScore), to pick the option Enter chooses before the arrows move. */
  score: number;
  run: () => void;
};

/** Which group's entry Enter prefers among equal matches: "resolve" resolves rather than opening Resolved. */
const PREFERENCE: Group[] = ["Actions", "Conversations", "Contacts", "Views"];

/** The entry that best matches the query. */
function bestIndex(shown: Entry[]): number {
  let best = 0;
  shown.forEach((e, i) => {
    const b = shown[best]!;
    if (e.score > b.score || (e.score === b.score && PREFERENCE.indexOf(e.group) < PREFERENCE.indexOf(b.group)))
      best = i;
  });
  return best;
}

/** How long typing must pause before the search API is asked (ms). */
const DEBOUNCE_MS = 180;
const MAX_HITS = 8;

/** Search hits for the query, asked once typing pauses; the answer to an older query is dropped. */
function useHits(query: string): { hits: SearchHit[]; loading: boolean } {
  const [state, setState] = useState<{ q: string; hits: SearchHit[] }>({ q: "", hits: [] });
  const q = query.trim();
  useEffect(() => {
    if (q.length < 2) return;
    let current = true;
    const timer = setTimeout(() => {
      api
        .search(q, MAX_HITS)
        .then((r) => current && setState({ q, hits: r.items }))
        .catch(() => current && setState({ q, hits: [] }));
    }, DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [q]);
  if (q.length < 2) return { hits: [], loading: false };
  return { hits: state.hits, loading: state.q !== q };
}

/** What the palette offers for `query`, in group order. */
function entries(query: string, hits: SearchHit[]): Entry[] {
  const inboxId = parseList(lastListHref()).inboxId;
  const score = (text: string) => fuzzyScore(query, text) ?? 0;
  const viewEntries = fuzzyFilter(query, views, (v) => v.label).map(
    (v): Entry => ({
      score: score(v.label),
      key: `view-${v.id}`,
      group: "Views",
      label: v.label,
      run: () => navigate(listHref(v.id, inboxId)),
    }),
  );
  const conversations = hits.map(
    (h): Entry => ({
      key: `conversation-${h.id}`,
      group: "Conversations",
      score: score(`${h.subject ?? ""} ${contactName(h)}`),
      label: h.subject || h.preview || "(no subject)",
      hint: contactName(h),
      avatar: contactName(h),
      run: () => navigate(`/conversations/${encodeURIComponent(h.id)}`),
    }),
  );
  const contacts = new Map(hits.map((h) => [h.contact.id, h.contact]));
  const contactEntries = fuzzyFilter(query, [...contacts.values()], (c) => `${c.name ?? ""} ${c.email ?? ""}`).map(
    (c): Entry => ({
      key: `contact-${c.id}`,
      group: "Contacts",
      score: score(`${c.name ?? ""} ${c.email ?? ""}`),
      label: c.name || c.email || "Unknown contact",
      hint: c.name && c.email ? c.email : undefined,
      avatar: c.name || c.email || "?",
      run: () => runSearch(c.email || c.name || ""),
    }),
  );
  const available = SHORTCUTS.filter((s) => s.group === "Conversation" && s.command !== "back").flatMap((s) => {
    const run = commandHandler(s.command);
    return run ? [{ ...s, run }] : [];
  });
  const actions = fuzzyFilter(query, available, (s) => s.label).map(
    (s): Entry => ({
      key: `action-${s.command}`,
      group: "Actions",
      score: score(s.label),
      label: s.label,
      hint: keyCaps(s.keys[0]!)
        .map((caps) => caps.join("+"))
        .join(" then "),
      run: s.run,
    }),
  );
  return [...viewEntries, ...conversations, ...contactEntries, ...actions];
}

export function CommandPalette({ onClose }: PaletteProps) {
  const [query, setQuery] = useState("");
  /** The option the arrows moved to; until they do, the best match. */
  const [moved, setMoved] = useState<number | null>(null);
  const { hits, loading } = useHits(query);
  const input = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLDivElement>(null);
  const previous = useRef(document.activeElement as HTMLElement | null);
  const id = useId();
  const shown = entries(query, hits);
  const current = Math.min(moved ?? (query.trim() ? bestIndex(shown) : 0), Math.max(0, shown.length - 1));

  // Before the first paint, so no key typed right after ⌘K lands elsewhere.
  useLayoutEffect(() => input.current?.focus(), []);
  useEffect(() => {
    list.current?.querySelector(".palette-option.is-active")?.scrollIntoView({ block: "nearest" });
  }, [current, shown.length]);

  /** Close, give focus back, then run the choice (which may move focus on). */
  const finish = (entry?: Entry) => {
    onClose();
    previous.current?.focus?.();
    entry?.run();
  };
  // Escape closes it wherever focus is (the input handles it first while it has focus).
  const close = useRef(finish);
  close.current = finish;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      e.stopPropagation();
      close.current();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (shown.length) setMoved((current + (e.key === "ArrowDown" ? 1 : shown.length - 1)) % shown.length);
    } else if (e.key === "Home" || e.key === "End") {
      e.preventDefault();
      setMoved(e.key === "Home" ? 0 : shown.length - 1);
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (shown[current]) finish(shown[current]);
    } else if (e.key === "Escape" || (e.key.toLowerCase() === "k" && (e.metaKey || e.ctrlKey))) {
      e.preventDefault();
      e.stopPropagation();
      finish();
    }
  };

  const groups = (["Views", "Conversations", "Contacts", "Actions"] as Group[])
    .map((group) => ({ group, items: shown.filter((x) => x.group === group) }))
    .filter((g) => g.items.length > 0);
  const optionId = (i: number) => `${id}-option-${i}`;

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a pointer shortcut; Escape closes it from the keyboard
    <div class="backdrop palette-backdrop" onMouseDown={(e) => e.target === e.currentTarget && finish()}>
      <div class="palette" role="dialog" aria-modal="true" aria-label="Command palette" data-testid="command-palette">
        <div class="palette-head">
          <input
            ref={input}
            class="palette-input"
            value={query}
            onInput={(e) => {
              setQuery(e.currentTarget.value);
              setMoved(null);
            }}
            onKeyDown={onKeyDown}
            placeholder="Go to a view, conversation, contact or action…"
            role="combobox"
            aria-label="Search views, conversations, contacts and actions"
            aria-expanded="true"
            aria-autocomplete="list"
            aria-controls={`${id}-list`}
            aria-activedescendant={shown.length ? optionId(current) : undefined}
            autoComplete="off"
            spellcheck={false}
            data-testid="palette-input"
          />
          {loading && <Spinner />}
        </div>
        <div class="palette-list" role="listbox" id={`${id}-list`} aria-label="Results" ref={list}>
          {groups.map(({ group, items }) => (
            // biome-ignore lint/a11y/useSemanticElements: a listbox groups its options with role="group"; a fieldset is for form controls
            <div key={group} role="group" aria-labelledby={`${id}-${group}`} data-group={group}>
              <div class="palette-group" id={`${id}-${group}`} role="presentation">
                {group}
              </div>
              {items.map((entry) => {
                const i = shown.indexOf(entry);
                return (
                  // biome-ignore lint/a11y/useFocusableInteractive: the listbox pattern: focus stays in the input (aria-activedescendant), which handles the keys
                  // biome-ignore lint/a11y/useKeyWithClickEvents: the listbox pattern: focus stays in the input (aria-activedescendant), which handles the keys
                  <div
                    key={entry.key}
                    id={optionId(i)}
                    role="option"
                    aria-selected={i === current}
                    class={`palette-option${i === current ? " is-active" : ""}`}
                    onMouseDown={(e) => e.preventDefault()}
                    onMouseMove={() => i !== current && setMoved(i)}
                    onClick={() => finish(entry)}
                    data-testid="palette-option"
                    data-group={group}
                    data-key={entry.key}
                  >
                    {entry.avatar && <Avatar name={entry.avatar} size={22} />}
                    <span class="palette-label">{entry.label}</span>
                    {entry.hint && <span class="palette-hint">{entry.hint}</span>}
                  </div>
                );
              })}
            </div>
          ))}
          {shown.length === 0 && (
            <p class="palette-empty" data-testid="palette-empty">
              {loading ? "Searching…" : "Nothing matches"}
            </p>
          )}
        </div>
        <p class="palette-foot" aria-hidden="true">
          <kbd>↑</kbd> <kbd>↓</kbd> to move · <kbd>Enter</kbd> to choose · <kbd>Esc</kbd> to close
        </p>
      </div>
    </div>
  );
}
