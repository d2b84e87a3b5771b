/**
 * Bulk actions on the list: a checkbox on each row (shift-click ticks a
 * range), one in the header for the whole page, and a toolbar for what is
 * ticked. One request changes them all, each in its own room; the rows
 * follow on the live list as each lands. What could not be changed is said
 * plainly and stays ticked.
 */
import { useRef, useState } from "preact/hooks";
import type { BulkChange, BulkResult, Summary } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { toApiError } from "../../components/ui";
import { PRIORITIES } from "../../components/labels";
import { Caret, ClockIcon } from "../../components/icons";
import { useDismiss } from "../../hooks/dismiss";
import { useResource } from "../../hooks/resource";
import { contactName } from "../../list-state";
import { useSession } from "../../session";
import { SnoozeOptions } from "../lifecycle/snooze-menu";
import { clearSelection, selectRange, setSelection, toggleSelected, useSelected, useSelection } from "./selection";

/** The header's box: ticks every row on the page, or none; shows "some" when part of it is ticked. */
function SelectAllBox({ ids }: { ids: readonly string[] }) {
  const selected = useSelected();
  const count = ids.filter((id) => selected.has(id)).length;
  const all = count > 0 && count === ids.length;
  return (
    <label class="bulk-all" title="Select all on this page">
      <input
        type="checkbox"
        checked={all}
        indeterminate={count > 0 && !all}
        disabled={ids.length === 0}
        onChange={() => setSelection(all ? [] : ids)}
        aria-label="Select all conversations on this page"
        data-testid="select-all"
      />
    </label>
  );
}

/** A row's box. Shift-click ticks (or unticks) every row from the last one clicked. */
export function RowCheckbox({ conversation, order }: { conversation: Summary; order: readonly string[] }) {
  const selected = useSelected();
  const on = selected.has(conversation.id);
  return (
    <label class="row-check">
      <input
        type="checkbox"
        checked={on}
        onClick={(e) => {
          if (e.shiftKey) selectRange(order, conversation.id, !on);
          else toggleSelected(conversation.id, !on);
        }}
        aria-label={`Select conversation with ${contactName(conversation)}`}
        data-testid="row-check"
      />
    </label>
  );
}

type Outcome = { text: string; failed: boolean };

/** Above the list: the select-all box, the toolbar for the ticked rows of `items` (while any is), and the outcome. */
export function BulkBar({ items }: { items: readonly Summary[] }) {
  const ids = items.map((i) => i.id);
  const selected = useSelection(ids);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const chosen = ids.filter((id) => selected.has(id));

  const run = async (change: BulkChange) => {
    setBusy(true);
    setOutcome(null);
    try {
      const { results } = await api.bulk({ ids: chosen, ...change });
      const failed = results.filter((r) => !r.ok);
      setSelection(failed.map((r) => r.id));
      setOutcome({ text: describeOutcome(results, change, items), failed: failed.length > 0 });
    } catch (error) {
      setOutcome({ text: `Nothing was changed: ${toApiError(error).message}`, failed: true });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="bulk-head">
      {ids.length > 0 && <SelectAllBox ids={ids} />}
      {chosen.length > 0 && (
        <div class="bulk-bar" role="toolbar" aria-label="Bulk actions" data-testid="bulk-bar" aria-busy={busy}>
          <span class="bulk-count" data-testid="bulk-count">
            {chosen.length} selected
          </span>
          <button type="button" class="btn btn-small" disabled={busy} onClick={() => void run({ status: "resolved" })}>
            Resolve
          </button>
          <button type="button" class="btn btn-small" disabled={busy} onClick={() => void run({ status: "open" })}>
            Reopen
          </button>
          <BulkSnooze disabled={busy} onSnooze={(until) => run({ status: "snoozed", snoozedUntil: iso(until) })} />
          <button type="button" class="btn btn-small" disabled={busy} onClick={() => void run({ status: "spam" })}>
            Spam
          </button>
          <BulkPickers disabled={busy} onChange={run} />
          <BulkTags disabled={busy} onChange={run} />
          <button type="button" class="btn btn-small bulk-clear" onClick={clearSelection} data-testid="bulk-clear">
            Clear selection
          </button>
        </div>
      )}
      {/* Always present (empty when there is nothing to say), so screen readers announce what is put in it. */}
      <div class={`bulk-outcome${outcome?.failed ? " is-partial" : ""}`} data-shown={outcome ? "" : undefined}>
        <p role="status" aria-live="polite" data-testid="bulk-outcome">
          {outcome?.text}
        </p>
        {outcome && (
          <button type="button" class="btn-link" onClick={() => setOutcome(null)} aria-label="Dismiss">
            ×
          </button>
        )}
      </div>
    </div>
  );
}

const iso = (ms: number) => new Date(ms).toISOString();

function BulkSnooze({ disabled, onSnooze }: { disabled: boolean; onSnooze: (until: number) => Promise<void> }) {
  const { me } = useSession();
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useDismiss(ref, open, () => setOpen(false));
  return (
    <div class="lc-menu-wrap" ref={ref}>
      <button
        type="button"
        class="btn btn-small lc-menu-button"
        aria-haspopup="menu"
        aria-expanded={open}
        disabled={disabled}
        onClick={() => setOpen(!open)}
        data-testid="bulk-snooze"
      >
        <ClockIcon />
        Snooze
        <Caret />
      </button>
      {open && <SnoozeOptions timeZone={me.preferences.timeZone} snooze={onSnooze} onDone={() => setOpen(false)} />}
    </div>
  );
}

/** Assign, team and priority: each a plain select that acts on choosing ("-" stands for none). */
function BulkPickers({ disabled, onChange }: { disabled: boolean; onChange: (change: BulkChange) => void }) {
  const people = useResource("people", () => api.users().then((r) => r.items.filter((u) => u.active)));
  const teams = useResource("teams", () => api.teams().then((r) => r.items));
  const none = (v: string) => (v === "-" ? null : v);
  return (
    <>
      <Pick
        label="Assign to"
        prompt="Assign…"
        options={[{ id: "-", name: "Unassigned" }, ...(people.data ?? [])]}
        onPick={(v) => onChange({ assigneeId: none(v) })}
        disabled={disabled}
        testid="bulk-assign"
      />
      <Pick
        label="Team"
        prompt="Team…"
        options={[{ id: "-", name: "No team" }, ...(teams.data ?? [])]}
        onPick={(v) => onChange({ teamId: none(v) })}
        disabled={disabled}
        testid="bulk-team"
      />
      <Pick
        label="Priority"
        prompt="Priority…"
        options={PRIORITIES.map((p) => ({ id: p.id, name: p.label }))}
        onPick={(v) => onChange({ priority: v as BulkChange["priority"] })}
        disabled={disabled}
        testid="bulk-priority"
      />
    </>
  );
}

function Pick(props: {
  label: string;
  prompt: string;
  options: { id: string; name: string }[];
  onPick: (id: string) => void;
  disabled: boolean;
  testid: string;
}) {
  return (
    <select
      class="bulk-select"
      aria-label={props.label}
      disabled={props.disabled}
      onChange={(e) => {
        const select = e.currentTarget;
        if (select.value) props.onPick(select.value);
        select.value = "";
      }}
      data-testid={props.testid}
    >
      <option value="">{props.prompt}</option>
      {props.options.map((o) => (
        <option key={o.id} value={o.id}>
          {o.name}
        </option>
      ))}
    </select>
  );
}

/** One tag name, added to or removed from every ticked conversation (their other tags stay). */
function BulkTags({ disabled, onChange }: { disabled: boolean; onChange: (change: BulkChange) => void }) {
  const [name, setName] = useState("");
  const tag = name.trim();
  const send = (change: BulkChange) => {
    onChange(change);
    setName("");
  };
  return (
    <form
      class="bulk-tags"
      onSubmit={(e) => {
        e.preventDefault();
        if (tag) send({ addTags: [tag] });
      }}
    >
      <input
        type="text"
        class="bulk-tag-input"
        placeholder="Tag"
        aria-label="Tag to add or remove"
        value={name}
        maxLength={40}
        onInput={(e) => setName(e.currentTarget.value)}
        data-testid="bulk-tag"
      />
      <button type="submit" class="btn btn-small" disabled={disabled || !tag} data-testid="bulk-tag-add">
        Add tag
      </button>
      <button
        type="button"
        class="btn btn-small"
        disabled={disabled || !tag}
        onClick={() => send({ removeTags: [tag] })}
        data-testid="bulk-tag-remove"
      >
        Remove tag
      </button>
    </form>
  );
}

/** What a change did, in the words the bar reports it with ("resolved", "tagged vip"). */
export function pastTense(change: BulkChange): string {
  if (change.status === "resolved") return "resolved";
  if (change.status === "open") return "reopened";
  if (change.status === "snoozed") return "snoozed";
  if (change.status === "spam") return "marked as spam";
  if (change.assigneeId !== undefined) return change.assigneeId ? "assigned" : "unassigned";
  if (change.teamId !== undefined) return change.teamId ? "given the team" : "taken off their team";
  if (change.priority) return "given the new priority";
  if (change.addTags) return `tagged ${change.addTags.join(", ")}`;
  if (change.removeTags) return `untagged ${change.removeTags.join(", ")}`;
  return "changed";
}

/** "18 resolved; 2 could not be: Grace Hopper (your access…), …". */
export function describeOutcome(results: BulkResult[], change: BulkChange, items: readonly Summary[]): string {
  const done = results.filter((r) => r.ok).length;
  const failed = results.flatMap((r) => (r.ok ? [] : [r]));
  const head = `${done} ${pastTense(change)}`;
  if (!failed.length) return `${head}.`;
  const name = (id: string) => {
    const item = items.find((i) => i.id === id);
    return item ? contactName(item) : "a conversation";
  };
  // One reason, with the names it applies to, rather than the same sentence twenty times.
  const byReason = new Map<string, string[]>();
  for (const r of failed) byReason.set(r.error.message, [...(byReason.get(r.error.message) ?? []), name(r.id)]);
  const reasons = [...byReason].map(([reason, names]) => `${names.join(", ")}: ${reason}`).join("; ");
  return `${head}; ${failed.length} could not be — ${reasons}. They stay selected.`;
}
