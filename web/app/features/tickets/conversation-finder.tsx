/**
 * Find a conversation to link: type words of its subject or messages
 * (`GET /api/search`), or paste its id or its address.
 */
import { useEffect, useId, useRef, useState } from "preact/hooks";
import type { Status } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { Spinner, StatusBadge } from "../../components/ui";
import { useResource } from "../../hooks/resource";
import { useSettled } from "../../hooks/settled";
import { contactName } from "../../list-state";
import { useDismiss } from "../../hooks/dismiss";

type Found = { id: string; title: string; hint: string; status: Status };

/** A conversation id in what was typed or pasted ("cv_…" or an address ending in one). */
function idIn(text: string): string | null {
  return /\b(cv_[a-z0-9]{8,})\b/i.exec(text)?.[1] ?? null;
}

/** The conversation an id names, or the best search hits for the words. */
function find(q: string): Promise<Found[]> {
  const id = idIn(q);
  if (id)
    return api
      .conversation(id)
      .then((c) => [
        { id: c.id, title: c.subject || c.preview || "Conversation", hint: contactName(c), status: c.status },
      ]);
  return api.search(q, 8).then((r) =>
    r.items.map((h) => ({
      id: h.id,
      title: h.subject || h.preview || "Conversation",
      hint: contactName(h),
      status: h.status,
    })),
  );
}

export function ConversationFinder(props: { excludeIds: string[]; onPick: (id: string) => void; onClose: () => void }) {
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const ref = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);
  useDismiss(ref, true, props.onClose);
  useEffect(() => input.current?.focus(), []);

  // Read once typing pauses; an answer for words the agent has since changed is dropped.
  const q = query.trim();
  const settled = useSettled(q, 180);
  const lookup = useResource(settled || null, () => find(settled), { keepPrevious: true });
  const found = q && !lookup.error ? (lookup.data ?? []).filter((f) => !props.excludeIds.includes(f.id)) : [];
  const loading = q !== "" && (settled !== q || lookup.loading);

  const listId = useId();
  const current = Math.min(active, Math.max(0, found.length - 1));
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (found.length) setActive((current + (e.key === "ArrowDown" ? 1 : found.length - 1)) % found.length);
    } else if (e.key === "Enter") {
      e.preventDefault();
      const pick = found[current];
      if (pick) props.onPick(pick.id);
    }
  };

  return (
    <div class="picker dp-picker lc-finder" ref={ref} data-testid="conversation-finder">
      <input
        ref={input}
        class="picker-input"
        value={query}
        placeholder="Search by subject or words, or paste an id…"
        onInput={(e) => {
          setQuery(e.currentTarget.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
        role="combobox"
        aria-expanded="true"
        aria-autocomplete="list"
        aria-controls={listId}
        aria-activedescendant={found.length > 0 ? `${listId}-${current}` : undefined}
        data-testid="conversation-finder-input"
      />
      <ul class="picker-list" role="listbox" id={listId}>
        {found.map((f, i) => (
          // biome-ignore lint/a11y/useFocusableInteractive: the listbox pattern: focus stays in the input (aria-activedescendant), which handles the keys
          // biome-ignore lint/a11y/useKeyWithClickEvents: the listbox pattern: focus stays in the input (aria-activedescendant), which handles the keys
          <li
            key={f.id}
            id={`${listId}-${i}`}
            role="option"
            aria-selected={i === current}
            class={`picker-row lc-finder-row${i === current ? " is-active" : ""}`}
            onMouseDown={(e) => e.preventDefault()}
            onMouseMove={() => i !== current && setActive(i)}
            onClick={() => props.onPick(f.id)}
            data-testid="finder-option"
            data-id={f.id}
          >
            <span class="lc-finder-text">
              <span class="lc-finder-title">{f.title}</span>
              <span class="lc-finder-hint">{f.hint}</span>
            </span>
            <StatusBadge status={f.status} />
          </li>
        ))}
      </ul>
      {loading ? (
        <div class="picker-empty">
          <Spinner label="Searching…" />
        </div>
      ) : query.trim() && found.length === 0 ? (
        <div class="picker-empty">No conversation found.</div>
      ) : !query.trim() ? (
        <div class="picker-empty">Type to search your conversations.</div>
      ) : null}
    </div>
  );
}
