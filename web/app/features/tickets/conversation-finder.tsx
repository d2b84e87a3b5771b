/**
 * Find a conversation to link: type words of its subject or messages
 * (`GET /api/search`), or paste its id or its address.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { Status } from "../../../../worker/contract";
import { api, searchApi } from "../../../lib/api";
import { Spinner, StatusBadge } from "../../components/ui";
import { contactName } from "../../list-state";
import { useDismiss } from "../workflow/popover";

type Found = { id: string; title: string; hint: string; status: Status };

/** A conversation id in what was typed or pasted ("cv_…" or an address ending in one). */
function idIn(text: string): string | null {
  return /\b(cv_[a-z0-9]{8,})\b/i.exec(text)?.[1] ?? null;
}

export function ConversationFinder(props: { excludeIds: string[]; onPick: (id: string) => void; onClose: () => void }) {
  const [query, setQuery] = useState("");
  const [found, setFound] = useState<Found[]>([]);
  const [loading, setLoading] = useState(false);
  const [active, setActive] = useState(0);
  const ref = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);
  useDismiss(ref, true, props.onClose);
  useEffect(() => input.current?.focus(), []);

  useEffect(() => {
    const q = query.trim();
    if (!q) {
      setFound([]);
      setLoading(false);
      return;
    }
    let live = true;
    setLoading(true);
    const timer = setTimeout(() => {
      const id = idIn(q);
      const lookup = id
        ? api
            .conversation(id)
            .then((c) => [
              { id: c.id, title: c.subject || c.preview || "Conversation", hint: contactName(c), status: c.status },
            ])
        : searchApi.search(q, 8).then((r) =>
            r.items.map((h) => ({
              id: h.id,
              title: h.subject || h.preview || "Conversation",
              hint: contactName(h),
              status: h.status,
            })),
          );
      lookup
        .then((items) => live && setFound(items.filter((f) => !props.excludeIds.includes(f.id))))
        .catch(() => live && setFound([]))
        .finally(() => live && setLoading(false));
    }, 180);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query]);

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
        data-testid="conversation-finder-input"
      />
      <ul class="picker-list" role="listbox">
        {found.map((f, i) => (
          <li
            key={f.id}
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
