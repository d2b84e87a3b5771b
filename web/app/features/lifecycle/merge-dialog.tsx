/**
 * "Merge into…": find the conversation this one continues in (the same
 * customer's, by default their other conversations), then confirm with both
 * sides in view and what will happen. The server checks reply access to both.
 */
import { useEffect, useId, useRef, useState } from "preact/hooks";
import type { Conversation, SearchHit } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { navigate } from "../../../lib/router";
import { DialogActions } from "../../components/dialog-actions";
import { Dialog, ErrorNotice, Spinner, StatusBadge } from "../../components/ui";
import { useResource } from "../../hooks/resource";
import { useSettled } from "../../hooks/settled";
import { contactName } from "../../list-state";

const title = (c: Pick<Conversation, "subject" | "preview">) => c.subject || c.preview || "Conversation";

export function MergeDialog(props: { conversation: Conversation; onClose: () => void }) {
  const c = props.conversation;
  const [query, setQuery] = useState(c.contact.email ?? c.contact.name ?? "");
  const [picked, setPicked] = useState<SearchHit | null>(null);
  const [active, setActive] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.select(), []);

  const q = query.trim();
  const settled = useSettled(q, 180);
  const lookup = useResource(settled ? `merge:${settled}` : null, () => api.search(settled, 10), {
    keepPrevious: true,
  });
  const found = (lookup.data?.items ?? []).filter((h) => h.id !== c.id);
  const loading = q !== "" && (settled !== q || lookup.loading);
  const listId = useId();
  const current = Math.min(active, Math.max(0, found.length - 1));
  const sameCustomer = (h: SearchHit) => h.contact.id === c.contact.id;

  const merge = async () => {
    if (!picked) return;
    setBusy(true);
    setError(null);
    try {
      const target = await api.merge(c.id, picked.id);
      navigate(`/conversations/${encodeURIComponent(target.id)}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  if (picked) {
    return (
      <Dialog title="Merge conversations?" onClose={props.onClose} testid="merge-confirm">
        <div class="lc-form">
          <div class="merge-sides">
            <MergeSide label="This conversation" c={c} />
            <span class="merge-arrow" aria-hidden="true">
              →
            </span>
            <MergeSide label="Continues in" c={picked} />
          </div>
          <ul class="lc-form-hint merge-what">
            <li>
              Every message, note, event and file of “{title(c)}” is added to the end of “{title(picked)}”, in its
              original order and with its original times.
            </li>
            <li>Its followers, tags and links join the other conversation.</li>
            <li>
              This conversation becomes read-only and leaves every list; opening it leads to the other one. The
              customer's chat and email replies continue there.
            </li>
            <li>A merge cannot be undone.</li>
          </ul>
          <ErrorNotice error={error} />
          <DialogActions
            onCancel={() => setPicked(null)}
            cancelLabel="Back"
            label="Merge"
            busyLabel="Merging…"
            busy={busy}
            onConfirm={() => void merge()}
            focusCancel
            testid="merge-submit"
          />
        </div>
      </Dialog>
    );
  }

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (found.length) setActive((current + (e.key === "ArrowDown" ? 1 : found.length - 1)) % found.length);
    } else if (e.key === "Enter") {
      e.preventDefault();
      const hit = found[current];
      if (hit && sameCustomer(hit)) setPicked(hit);
    }
  };

  return (
    <Dialog title="Merge into…" onClose={props.onClose} testid="merge-dialog">
      <div class="lc-form">
        <label class="field">
          <span class="field-label">Find the conversation this one continues in</span>
          <input
            ref={input}
            class="input"
            value={query}
            onInput={(e) => {
              setQuery(e.currentTarget.value);
              setActive(0);
            }}
            onKeyDown={onKeyDown}
            role="combobox"
            aria-expanded="true"
            aria-autocomplete="list"
            aria-controls={listId}
            aria-activedescendant={found.length ? `${listId}-${current}` : undefined}
            placeholder="The customer's email or name, a subject, words…"
            data-testid="merge-search"
          />
        </label>
        <ul class="picker-list merge-list" role="listbox" id={listId} aria-label="Conversations">
          {found.map((h, i) => {
            const other = !sameCustomer(h);
            return (
              // biome-ignore lint/a11y/useFocusableInteractive: the listbox pattern: focus stays in the input (aria-activedescendant), which handles the keys
              // biome-ignore lint/a11y/useKeyWithClickEvents: the listbox pattern: focus stays in the input (aria-activedescendant), which handles the keys
              <li
                key={h.id}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === current}
                aria-disabled={other}
                class={`picker-row lc-finder-row${i === current ? " is-active" : ""}${other ? " is-disabled" : ""}`}
                onMouseDown={(e) => e.preventDefault()}
                onMouseMove={() => i !== current && setActive(i)}
                onClick={() => !other && setPicked(h)}
                data-testid="merge-option"
                data-id={h.id}
              >
                <span class="lc-finder-text">
                  <span class="lc-finder-title">{title(h)}</span>
                  <span class="lc-finder-hint">
                    {contactName(h)}
                    {other && " · another customer: merge the contacts first"}
                  </span>
                </span>
                <StatusBadge status={h.status} />
              </li>
            );
          })}
        </ul>
        {loading ? (
          <div class="picker-empty">
            <Spinner label="Searching…" />
          </div>
        ) : q && found.length === 0 ? (
          <div class="picker-empty">No other conversation found.</div>
        ) : null}
      </div>
    </Dialog>
  );
}

function MergeSide({
  label,
  c,
}: {
  label: string;
  c: Pick<Conversation, "subject" | "preview" | "contact" | "status">;
}) {
  return (
    <div class="merge-side">
      <span class="merge-side-label">{label}</span>
      <strong class="merge-side-title">{title(c)}</strong>
      <span class="merge-side-contact">{contactName(c)}</span>
      <StatusBadge status={c.status} />
    </div>
  );
}
