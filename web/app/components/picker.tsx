/**
 * A small filterable list in a popover: type to filter, arrows to move,
 * Enter or Tab to choose, Escape or a click outside to close. Used to add tags,
 * add followers and pick saved replies.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef, useState } from "preact/hooks";
import { fold } from "../../lib/mentions";
import { useDismiss } from "../hooks/dismiss";

export type PickerOption = {
  id: string;
  label: string;
  /** Shown after the label, muted (an email, a snippet). */
  hint?: string;
  /** Shown before the label (an avatar, a colour dot). */
  icon?: ComponentChildren;
  /** Extra words the filter matches. */
  keywords?: string;
};

export type PickerProps = {
  options: PickerOption[];
  placeholder: string;
  onPick: (option: PickerOption) => void;
  onClose: () => void;
  /** When set, typing a name no option has offers "Create “…”", which calls this. */
  onCreate?: (query: string) => void;
  /** Checks a typed name before offering to create it; a string is shown as the reason it can't be. */
  validateCreate?: (query: string) => string | null;
  emptyText?: string;
  testid?: string;
  /** Renders each option's body; defaults to icon, label and hint on one line. */
  renderOption?: (option: PickerOption) => ComponentChildren;
  /** Under the list (a "Manage…" link). */
  footer?: ComponentChildren;
  class?: string;
};

type Row = { kind: "option"; option: PickerOption } | { kind: "create"; query: string };

function matches(o: PickerOption, q: string): boolean {
  if (!q) return true;
  return fold(`${o.label} ${o.hint ?? ""} ${o.keywords ?? ""}`).includes(q);
}

export function Picker(props: PickerProps) {
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const ref = useRef<HTMLDivElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const input = useRef<HTMLInputElement>(null);
  useDismiss(ref, true, props.onClose);
  useEffect(() => input.current?.focus(), []);

  const q = fold(query.trim());
  const shown = props.options.filter((o) => matches(o, q));
  const exact = props.options.some((o) => fold(o.label) === q);
  const createError = props.onCreate && q && !exact ? (props.validateCreate?.(query.trim()) ?? null) : null;
  const rows: Row[] = [
    ...shown.map((option): Row => ({ kind: "option", option })),
    ...(props.onCreate && q && !exact && !createError ? [{ kind: "create", query: query.trim() } as Row] : []),
  ];
  const listId = useId();
  const current = Math.min(active, Math.max(0, rows.length - 1));

  useEffect(() => {
    list.current?.querySelector<HTMLElement>(".picker-row.is-active")?.scrollIntoView({ block: "nearest" });
  }, [current, rows.length]);

  const choose = (row: Row | undefined) => {
    if (!row) return;
    if (row.kind === "create") props.onCreate?.(row.query);
    else props.onPick(row.option);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (rows.length) setActive((current + (e.key === "ArrowDown" ? 1 : rows.length - 1)) % rows.length);
    } else if (e.key === "Enter" || (e.key === "Tab" && rows.length > 0 && q)) {
      e.preventDefault();
      choose(rows[current]);
    }
  };

  return (
    <div class={`picker${props.class ? ` ${props.class}` : ""}`} ref={ref} data-testid={props.testid}>
      <input
        ref={input}
        class="picker-input"
        value={query}
        placeholder={props.placeholder}
        onInput={(e) => {
          setQuery(e.currentTarget.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
        role="combobox"
        aria-expanded="true"
        aria-autocomplete="list"
        aria-controls={listId}
        aria-activedescendant={rows.length > 0 ? `${listId}-${current}` : undefined}
        data-testid={props.testid ? `${props.testid}-input` : undefined}
      />
      <ul class="picker-list" role="listbox" id={listId} ref={list}>
        {rows.map((row, i) => (
          // biome-ignore lint/a11y/useFocusableInteractive: the listbox pattern: focus stays in the input (aria-activedescendant), which handles the keys
          // biome-ignore lint/a11y/useKeyWithClickEvents: the listbox pattern: focus stays in the input (aria-activedescendant), which handles the keys
          <li
            key={row.kind === "create" ? "create" : row.option.id}
            id={`${listId}-${i}`}
            role="option"
            aria-selected={i === current}
            class={`picker-row${i === current ? " is-active" : ""}${row.kind === "create" ? " is-create" : ""}`}
            onMouseDown={(e) => e.preventDefault()}
            onMouseMove={() => i !== current && setActive(i)}
            onClick={() => choose(row)}
            data-testid="picker-option"
            data-id={row.kind === "create" ? "" : row.option.id}
          >
            {row.kind === "create" ? (
              <>
                <span class="picker-plus" aria-hidden="true">
                  +
                </span>
                <span>
                  Create <strong>“{row.query}”</strong>
                </span>
              </>
            ) : props.renderOption ? (
              props.renderOption(row.option)
            ) : (
              <>
                {row.option.icon}
                <span class="picker-label">{row.option.label}</span>
                {row.option.hint && <span class="picker-hint">{row.option.hint}</span>}
              </>
            )}
          </li>
        ))}
        {rows.length === 0 && (
          <li class="picker-empty">{createError ?? (q ? "No matches" : (props.emptyText ?? "Nothing to choose"))}</li>
        )}
      </ul>
      {props.footer && <div class="picker-foot">{props.footer}</div>}
    </div>
  );
}
