/**
 * The SLA countdown's arithmetic: what a clock reads at an instant ("First
 * reply in 12 min", "Overdue 5 min"), its tone (amber in the last 20 % of the
 * allowance, red once due), and the next instant at which any of that changes,
 * so one timer can serve a whole list. Pure: times are epoch milliseconds.
 */
import type { SlaClock, SlaKind } from "../../../../worker/contract";
import { formatDuration } from "../../../lib/duration";

const MINUTE = 60_000;
/** Amber once this share of the allowance (dueAt − startedAt) is left. */
const WARN_SHARE = 0.2;

export type SlaTone = "ok" | "warn" | "breached";

/** What the agent is asked to do before the clock runs out. */
export const SLA_GOAL: Record<SlaKind, string> = {
  first_response: "First reply",
  next_response: "Next reply",
  resolution: "Resolve",
};

/** What the clock measures, for a due-time sentence ("First response due …"). */
export const SLA_NAME: Record<SlaKind, string> = {
  first_response: "First response",
  next_response: "Next response",
  resolution: "Resolution",
};

/** "12 min", "1 h 5 min", "2 d 3 h": whole minutes in their two largest units. */
const minutesLabel = (minutes: number) => formatDuration(minutes * 60);

/**
 * Whole minutes as the countdown shows them: rounded up while time is left (the
 * last minute reads "1 min", never "0 min"), and counting from 1 once overdue.
 */
function shownMinutes(due: number, now: number): number {
  return now < due ? Math.ceil((due - now) / MINUTE) : Math.floor((now - due) / MINUTE) + 1;
}

/** When the allowance is 80 % spent. */
function warnAt(clock: SlaClock): number {
  const started = Date.parse(clock.startedAt);
  const due = Date.parse(clock.dueAt);
  return due - Math.max(0, due - started) * WARN_SHARE;
}

/** What a clock reads at `now`: its tone and its words. */
export function readSla(clock: SlaClock, now: number): { tone: SlaTone; label: string } {
  const due = Date.parse(clock.dueAt);
  if (clock.breached || now >= due) {
    // Marked breached while this machine's clock still says otherwise: no minutes to tell.
    return { tone: "breached", label: now >= due ? `Overdue ${minutesLabel(shownMinutes(due, now))}` : "Overdue" };
  }
  return {
    tone: now >= warnAt(clock) ? "warn" : "ok",
    label: `${SLA_GOAL[clock.kind]} in ${minutesLabel(shownMinutes(due, now))}`,
  };
}

/**
 * The first instant after `now` at which any of `clocks` reads differently (its
 * minutes change, it turns amber, it falls due); null when none ever will.
 */
export function nextSlaChange(clocks: Iterable<SlaClock>, now: number): number | null {
  let next = Number.POSITIVE_INFINITY;
  for (const clock of clocks) {
    const due = Date.parse(clock.dueAt);
    if (Number.isNaN(due)) continue;
    const minutes = shownMinutes(due, now);
    // The instant the shown minutes step: down towards the due time, then up past it.
    const step = now < due ? due - (minutes - 1) * MINUTE : due + minutes * MINUTE;
    const warn = warnAt(clock);
    next = Math.min(next, step, warn > now ? warn : next);
  }
  return Number.isFinite(next) ? next : null;
}
