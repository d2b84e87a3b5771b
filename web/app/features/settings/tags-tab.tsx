/** Settings → Tags: rename, recolour and delete the workspace's tags (agents create them by using them). */
import { useEffect, useRef, useState } from "preact/hooks";
import type { Tag } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { useResource } from "../../hooks/resource";
import { ErrorNotice, Spinner } from "../../components/ui";
import { TagChip } from "../../components/labels";
import { fold } from "../../../lib/mentions";
import { useDismiss } from "../../hooks/dismiss";
import { ConfirmDialog } from "./confirm-dialog";
import { MAX_TAG_CHARS } from "../../../../worker/contract";

/** Calm, distinguishable colours offered first; any other is one click away. */
const SWATCHES = [
  "#2563eb",
  "#0891b2",
  "#16a34a",
  "#4d7c0f",
  "#d97706",
  "#ea580c",
  "#dc2626",
  "#db2777",
  "#9333ea",
  "#7c3aed",
  "#64748b",
];

const byName = (tags: Tag[]) =>
  [...tags].sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: "base" }));

export function TagsTab() {
  const list = useResource("tags", () => api.tags().then((r) => byName(r.items)));
  const tags = list.data ?? null;
  const [filter, setFilter] = useState("");
  const [deleting, setDeleting] = useState<Tag | null>(null);

  const replace = (tag: Tag) => list.mutate((l) => byName(l.map((t) => (t.id === tag.id ? tag : t))));
  const q = fold(filter.trim());
  const shown = (tags ?? []).filter((t) => !q || fold(t.name).includes(q));

  return (
    <section class="card" data-testid="settings-tags">
      <div class="card-head card-head-row">
        <div>
          <h2>Tags</h2>
          <p>
            Shared by the whole workspace; agents create them by tagging a conversation. Click a name to rename it, or
            the dot to change its colour.
          </p>
        </div>
        {tags && tags.length > 8 && (
          <input
            class="search-input"
            value={filter}
            onInput={(e) => setFilter(e.currentTarget.value)}
            placeholder="Filter tags…"
            aria-label="Filter tags"
          />
        )}
      </div>
      {list.error ? (
        <ErrorNotice error={list.error} onRetry={() => void list.reload()} />
      ) : !tags ? (
        <Spinner label="Loading tags…" />
      ) : tags.length === 0 ? (
        <div class="card-blank">
          <p class="strong">No tags yet</p>
          <p class="muted">Open a conversation and add a tag in its details panel; it shows up here.</p>
        </div>
      ) : (
        <ul class="list-rows">
          {shown.map((tag) => (
            <TagRow key={tag.id} tag={tag} onSaved={replace} onDelete={() => setDeleting(tag)} />
          ))}
          {shown.length === 0 && <li class="list-row muted">No tag matches “{filter}”</li>}
        </ul>
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete the tag “${deleting.name}”?`}
          confirm="Delete tag"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await api.deleteTag(deleting.id);
            list.mutate((l) => l.filter((t) => t.id !== deleting.id));
            setDeleting(null);
          }}
        >
          It is removed from every conversation that has it. Conversations themselves are not changed otherwise.
        </ConfirmDialog>
      )}
    </section>
  );
}

function TagRow({ tag, onSaved, onDelete }: { tag: Tag; onSaved: (tag: Tag) => void; onDelete: () => void }) {
  const [name, setName] = useState(tag.name);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [picking, setPicking] = useState(false);
  const [saved, setSaved] = useState(false);
  useEffect(() => setName(tag.name), [tag.name]);

  const save = async (input: { name?: string; color?: string }) => {
    setBusy(true);
    setError(null);
    try {
      onSaved(await api.updateTag(tag.id, input));
      setSaved(true);
      setTimeout(() => setSaved(false), 1500);
    } catch (err) {
      setError(err);
      if (input.name) setName(tag.name);
    } finally {
      setBusy(false);
    }
  };
  const rename = () => {
    const next = name.trim();
    if (next && next !== tag.name) void save({ name: next });
    else setName(tag.name);
  };

  return (
    <li class="list-row tag-row" data-testid="tag-row" data-tag-id={tag.id} data-tag={tag.name}>
      <div class="swatch-wrap">
        <button
          type="button"
          class="swatch"
          style={{ background: tag.color }}
          onClick={() => setPicking(!picking)}
          onMouseDown={(e) => picking && e.stopPropagation()}
          aria-label={`Colour of ${tag.name}: ${tag.color}`}
          aria-expanded={picking}
          data-testid="tag-color"
          data-color={tag.color}
        />
        {picking && (
          <ColorPopover
            value={tag.color}
            onPick={(color) => {
              setPicking(false);
              if (color.toLowerCase() !== tag.color.toLowerCase()) void save({ color });
            }}
            onClose={() => setPicking(false)}
          />
        )}
      </div>
      <input
        class="inline-edit"
        value={name}
        maxLength={MAX_TAG_CHARS}
        onInput={(e) => setName(e.currentTarget.value)}
        onBlur={rename}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            e.currentTarget.blur();
          } else if (e.key === "Escape") {
            setName(tag.name);
            e.currentTarget.blur();
          }
        }}
        aria-label="Tag name"
        data-testid="tag-name-input"
      />
      <span class="tag-preview">
        <TagChip name={tag.name} color={tag.color} />
      </span>
      <span class="row-state">{busy ? <Spinner /> : saved ? <span class="saved-mark">✓ Saved</span> : null}</span>
      <button type="button" class="btn btn-small btn-ghost btn-danger-text" onClick={onDelete} data-testid="tag-delete">
        Delete
      </button>
      {error ? (
        <div class="row-error">
          <ErrorNotice error={error} onDismiss={() => setError(null)} />
        </div>
      ) : null}
    </li>
  );
}

function ColorPopover({
  value,
  onPick,
  onClose,
}: {
  value: string;
  onPick: (color: string) => void;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useDismiss(ref, true, onClose);
  return (
    <div class="color-pop" ref={ref} data-testid="color-popover">
      <div class="color-grid">
        {SWATCHES.map((c) => (
          <button
            key={c}
            type="button"
            class={`swatch${c === value.toLowerCase() ? " is-current" : ""}`}
            style={{ background: c }}
            onClick={() => onPick(c)}
            aria-label={c}
            data-testid="swatch"
            data-color={c}
          />
        ))}
      </div>
      <label class="color-custom">
        <input type="color" value={value} onChange={(e) => onPick(e.currentTarget.value)} />
        Custom colour…
      </label>
    </div>
  );
}
