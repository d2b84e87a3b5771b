/**
 * The SLA countdown chip ("First reply in 12 min", amber near the end, red and
 * "Overdue 5 min" once due) and the one timer that keeps a screen's chips true
 * without reading anything again.
 */
import { useEffect, useState } from "preact/hooks";
import type { SlaClock } from "../../../../worker/contract";
import { LineIcon } from "../../components/icons";
import { useSession } from "../../session";
import { wakeLabel } from "../lifecycle/zoned-time";
import { SLA_NAME, nextSlaChange, readSla } from "./sla-clock";

/** Relative times ("5m") need a fresh look this often even when no clock changes. */
const TICK_MS = 30_000;

/**
 * The current time for a screen showing these clocks: it moves every 30 s and
 * exactly when one of them reads differently (a minute passes, amber, due).
 * One timer, however many rows.
 */
export function useSlaNow(clocks: readonly (SlaClock | null)[]): number {
  // An object, so that a timer firing within the same millisecond still re-renders and re-arms.
  const [time, setTime] = useState(() => ({ now: Date.now() }));
  const next = nextSlaChange(
    clocks.filter((c): c is SlaClock => c !== null),
    time.now,
  );
  useEffect(() => {
    const delay = Math.min(TICK_MS, next === null ? TICK_MS : next - Date.now());
    const timer = setTimeout(() => setTime({ now: Date.now() }), Math.max(0, delay));
    return () => clearTimeout(timer);
  }, [time, next]);
  return time.now;
}

const ICONS = {
  ok: "M8 14A5.5 5.5 0 1 0 8 3a5.5 5.5 0 0 0 0 11zM8 5.5v3l2 1.2",
  warn: "M8 14A5.5 5.5 0 1 0 8 3a5.5 5.5 0 0 0 0 11zM8 5.5v3l2 1.2M6.5 1.5h3",
  breached: "M8 2.5 14 13H2L8 2.5zM8 6.5v3M8 11.2v.1",
} as const;

/** A clock as a chip: its words on screen, the exact due time (in the agent's zone) in its title. */
export function SlaChip({ clock, now }: { clock: SlaClock; now: number }) {
  const { me } = useSession();
  const { tone, label } = readSla(clock, now);
  const due = wakeLabel(Date.parse(clock.dueAt), now, me.preferences.timeZone);
  const when =
    tone === "breached"
      ? `${SLA_NAME[clock.kind]} was due ${due}`
      : `${SLA_NAME[clock.kind]} due ${due}${tone === "warn" ? ", soon" : ""}`;
  return (
    <span
      class={`sla-chip is-${tone}`}
      title={when}
      data-testid="sla-chip"
      data-tone={tone}
      data-kind={clock.kind}
      data-due={clock.dueAt}
    >
      <LineIcon d={ICONS[tone]} width={1.6} />
      {label}
      <span class="sr-only">{` (${when})`}</span>
    </span>
  );
}
