/**
 * The header's Snooze menu: three presets, each showing when it wakes in the
 * agent's time zone, and a custom date and time. The server checks the time
 * lies ahead; its refusal is shown in the menu.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { Conversation } from "../../../../worker/contract";
import { snoozeUntil, type SnoozePreset } from "../../../../worker/domain/snooze";
import { api } from "../../../lib/api";
import { ErrorNotice, Spinner } from "../../components/ui";
import { useDismiss } from "../../hooks/dismiss";
import { fromLocalInput, presetLabel, toLocalInput, zoneName } from "./zoned-time";
import { Caret, ClockIcon } from "../../components/icons";
import { useCommands } from "../keyboard/commands";

const PRESETS: { id: SnoozePreset; label: string }[] = [
  { id: "in_1_hour", label: "In 1 hour" },
  { id: "tomorrow", label: "Tomorrow" },
  { id: "next_week", label: "Next week" },
];

export function SnoozeMenu(props: {
  conversation: Conversation;
  timeZone: string;
  onChange: (c: Conversation) => void;
  disabled?: boolean;
}) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useDismiss(ref, open, () => setOpen(false));
  useCommands({ snooze: !props.disabled && (() => setOpen(true)) });
  const snoozed = props.conversation.status === "snoozed";
  return (
    <div class="lc-menu-wrap" ref={ref}>
      <button
        type="button"
        class={`btn lc-menu-button${open ? " is-open" : ""}`}
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
        disabled={props.disabled}
        data-testid="snooze-button"
      >
        <ClockIcon />
        {snoozed ? "Change snooze" : "Snooze"}
        <Caret />
      </button>
      {open && (
        <SnoozeOptions
          timeZone={props.timeZone}
          snooze={async (until) => props.onChange(await api.snooze(props.conversation.id, until))}
          onDone={() => setOpen(false)}
        />
      )}
    </div>
  );
}

/** The presets and the custom time; `snooze` does the change (one conversation, or a bulk action's many). */
export function SnoozeOptions(props: {
  timeZone: string;
  snooze: (until: number) => Promise<unknown>;
  onDone: () => void;
}) {
  // Fixed while the menu is open, so the times shown are the times sent.
  const [now] = useState(Date.now);
  const tz = props.timeZone;
  const [picking, setPicking] = useState(false);
  const [custom, setCustom] = useState(() => toLocalInput(snoozeUntil("tomorrow", now, tz), tz));
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const menu = useRef<HTMLDivElement>(null);
  useEffect(() => menu.current?.querySelector<HTMLElement>("[role='menuitem']")?.focus(), []);

  const snooze = async (key: string, until: number | null) => {
    if (until === null) return;
    setBusy(key);
    setError(null);
    try {
      await props.snooze(until);
      props.onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div class="lc-menu lc-snooze-menu" role="menu" data-testid="snooze-menu" ref={menu} onKeyDown={moveInMenu}>
      <div class="lc-menu-title">Snooze until…</div>
      {PRESETS.map((p) => {
        const until = snoozeUntil(p.id, now, tz);
        return (
          <button
            key={p.id}
            type="button"
            role="menuitem"
            class="lc-menu-item"
            onClick={() => void snooze(p.id, until)}
            disabled={busy !== null}
            data-testid={`snooze-${p.id}`}
          >
            <span class="lc-menu-label">{p.label}</span>
            <span class="lc-menu-hint">{busy === p.id ? <Spinner /> : presetLabel(until, now, tz)}</span>
          </button>
        );
      })}
      <div class="lc-menu-sep" />
      {picking ? (
        <form
          class="lc-snooze-custom"
          onSubmit={(e) => {
            e.preventDefault();
            void snooze("custom", fromLocalInput(custom, tz));
          }}
        >
          <label class="lc-snooze-field">
            <span>Date and time ({zoneName(now, tz)})</span>
            <input
              type="datetime-local"
              value={custom}
              onInput={(e) => setCustom(e.currentTarget.value)}
              required
              data-testid="snooze-custom-input"
            />
          </label>
          <button
            type="submit"
            class="btn btn-primary btn-small"
            disabled={busy !== null || !custom}
            data-testid="snooze-custom-submit"
          >
            {busy === "custom" ? <Spinner label="Snoozing…" /> : "Snooze"}
          </button>
        </form>
      ) : (
        <button
          type="button"
          role="menuitem"
          class="lc-menu-item"
          onClick={() => setPicking(true)}
          data-testid="snooze-custom"
        >
          <span class="lc-menu-label">Pick a date and time…</span>
        </button>
      )}
      {error ? (
        <div class="lc-menu-error" data-testid="snooze-error">
          <ErrorNotice error={error} onDismiss={() => setError(null)} />
        </div>
      ) : null}
    </div>
  );
}

/** ↑/↓ move between a menu's items (focus starts on the first). */
function moveInMenu(e: KeyboardEvent) {
  if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
  const items = [...(e.currentTarget as HTMLElement).querySelectorAll<HTMLElement>("[role='menuitem']:not(:disabled)")];
  if (items.length === 0) return;
  e.preventDefault();
  const at = items.indexOf(document.activeElement as HTMLElement);
  const next = e.key === "ArrowDown" ? (at + 1) % items.length : (at - 1 + items.length) % items.length;
  items[next]!.focus();
}
