/**
 * SLA clocks and service metrics (SPEC §6.6): what a conversation's room
 * records as things happen to it, and what each happening adds to the reports.
 * Pure: the room feeds it the happenings of a change in order, then stores the
 * result and the tallies in the change's own batch; the back-fill feeds it a
 * whole timeline.
 *
 * - An answer is owed from the oldest customer message no reply has answered
 *   (`waitingSince`). The first one is the first response; later ones the
 *   next response. A reply answers; a note does not.
 * - Resolution runs from creation, or from the latest reopening (`openedAt`),
 *   to the resolve: one measurement per resolution.
 * - The clock a conversation shows is, of those running (an answer owed, the
 *   resolution), the one due first. Snoozing pauses nothing: the customer is
 *   still waiting. Resolving, spam and merging stop every clock.
 * - Seconds are business seconds where the inbox has business hours; a
 *   target counts business time only when the inbox asks for it.
 * - A clock that stops is met (stopped by its due time) or missed. One the
 *   minute sweep marks breached counts as missed then, once. An answer clock
 *   stopped by resolving without a reply is neither.
 */
import type { BusinessHours, SlaKind, SlaTargets } from "../contract";
import { addBusinessMinutes, businessSecondsBetween } from "./business-hours";

export interface Clock {
  kind: SlaKind;
  startedAt: number;
  dueAt: number;
  /** The minute sweep marked it breached (and notified): once per clock. */
  breached: boolean;
}

/** What a conversation keeps between happenings (its columns). */
export interface Tracked {
  createdAt: number;
  openedAt: number;
  waitingSince: number | null;
  firstResponseAt: number | null;
  firstResponseSeconds: number | null;
  repliesCount: number;
  resolvedAt: number | null;
  resolutionSeconds: number | null;
  reopenCount: number;
  clock: Clock | null;
}

/** The inbox's terms: its business hours (null: every hour) and SLA targets. */
export interface Terms {
  hours: BusinessHours | null;
  targets: SlaTargets;
}

export type Happening =
  | { type: "created"; at: number }
  | { type: "customer"; at: number }
  | { type: "reply"; at: number; agentId: string }
  | { type: "resolved"; at: number }
  | { type: "reopened"; at: number }
  /** Spam or merged: every clock stops, nothing is measured. */
  | { type: "closed"; at: number }
  | { type: "rated"; at: number; score: number };

/**
 * What one happening adds to the reports, on the day `at` falls on. `agentId`
 * is whose it is when that is not the conversation's assignee (a reply is its
 * author's).
 */
export interface Tally {
  at: number;
  agentId?: string;
  created?: number;
  resolved?: number;
  reopened?: number;
  replies?: number;
  firstResponse?: number;
  resolution?: number;
  slaMet?: number;
  slaMissed?: number;
  rating?: number;
}

export const newTracked = (createdAt: number): Tracked => ({
  createdAt,
  openedAt: createdAt,
  waitingSince: null,
  firstResponseAt: null,
  firstResponseSeconds: null,
  repliesCount: 0,
  resolvedAt: null,
  resolutionSeconds: null,
  reopenCount: 0,
  clock: null,
});

/** Where the clocks count: business hours when the targets ask for them, else the calendar. */
const clockHours = (terms: Terms) => (terms.targets.businessHoursOnly ? terms.hours : null);

const MINUTES_OF: Record<SlaKind, keyof SlaTargets> = {
  first_response: "firstResponseMinutes",
  next_response: "nextResponseMinutes",
  resolution: "resolutionMinutes",
};

/** When a clock of `kind` started at `startedAt` is due; null without a target (or without business time). */
export function dueAt(terms: Terms, kind: SlaKind, startedAt: number): number | null {
  const minutes = terms.targets[MINUTES_OF[kind]];
  return typeof minutes === "number" ? addBusinessMinutes(clockHours(terms), startedAt, minutes) : null;
}

/** The answer clock while an answer is owed: its kind and start. */
const answerClock = (t: Tracked): { kind: SlaKind; startedAt: number } | null =>
  t.waitingSince === null
    ? null
    : { kind: t.firstResponseAt === null ? "first_response" : "next_response", startedAt: t.waitingSince };

/**
 * Met or missed, for a clock stopped at `at`; nothing when it had no target,
 * or when the sweep already counted it missed as it marked it breached.
 */
function verdict(
  t: Tracked,
  terms: Terms,
  clock: { kind: SlaKind; startedAt: number } | null,
  at: number,
): Partial<Tally> {
  const due = clock && dueAt(terms, clock.kind, clock.startedAt);
  if (due === null || due === undefined) return {};
  if (t.clock?.breached && t.clock.kind === clock!.kind && t.clock.startedAt === clock!.startedAt) return {};
  return at <= due ? { slaMet: 1 } : { slaMissed: 1 };
}

/** What the sweep adds as it marks a clock breached: one missed, on the day it ran out. */
export const breachTally = (clock: Clock): Tally => ({ at: clock.dueAt, slaMissed: 1 });

/** The tracked fields after one happening, and what it adds to the reports. */
export function track(t: Tracked, h: Happening, terms: Terms): { tracked: Tracked; tallies: Tally[] } {
  const seconds = (from: number) => businessSecondsBetween(terms.hours, from, h.at);
  switch (h.type) {
    case "created":
      return { tracked: newTracked(h.at), tallies: [{ at: h.at, created: 1 }] };
    case "customer":
      return { tracked: { ...t, waitingSince: t.waitingSince ?? h.at }, tallies: [] };
    case "reply": {
      const tally: Tally = { at: h.at, agentId: h.agentId, replies: 1, ...verdict(t, terms, answerClock(t), h.at) };
      const tracked = { ...t, repliesCount: t.repliesCount + 1, waitingSince: null };
      if (t.firstResponseAt === null) {
        tracked.firstResponseAt = h.at;
        // Nobody waited (the team wrote first): the conversation has no first response time.
        if (t.waitingSince !== null) tally.firstResponse = tracked.firstResponseSeconds = seconds(t.waitingSince);
      }
      return { tracked, tallies: [tally] };
    }
    case "resolved": {
      const resolution = seconds(t.openedAt);
      const verdictOf = verdict(t, terms, { kind: "resolution", startedAt: t.openedAt }, h.at);
      return {
        tracked: { ...t, resolvedAt: h.at, resolutionSeconds: resolution, waitingSince: null },
        tallies: [{ at: h.at, resolved: 1, resolution, ...verdictOf }],
      };
    }
    case "reopened":
      return {
        tracked: { ...t, openedAt: h.at, reopenCount: t.reopenCount + 1 },
        tallies: [{ at: h.at, reopened: 1 }],
      };
    case "closed":
      return { tracked: { ...t, waitingSince: null }, tallies: [] };
    case "rated":
      return { tracked: t, tallies: [{ at: h.at, rating: h.score }] };
  }
}

/**
 * The clock to show: of the clocks running while the conversation is open or
 * snoozed, the one due first. A clock that stays the same keeps its breached
 * mark; a new one starts unbreached (the sweep marks it when it runs out).
 */
export function currentClock(t: Tracked, running: boolean, terms: Terms): Clock | null {
  if (!running) return null;
  const candidates = [answerClock(t), { kind: "resolution" as const, startedAt: t.openedAt }].flatMap((c) => {
    const due = c && dueAt(terms, c.kind, c.startedAt);
    return c && due !== null && due !== undefined ? [{ ...c, dueAt: due }] : [];
  });
  const first = candidates.sort((a, b) => a.dueAt - b.dueAt)[0];
  if (!first) return null;
  return { ...first, breached: sameClock(t.clock, { ...first, breached: false }) && !!t.clock?.breached };
}

/** Whether two clocks are the same clock (the breached mark aside). */
export const sameClock = (a: Clock | null, b: Clock | null) =>
  a === b || (!!a && !!b && a.kind === b.kind && a.startedAt === b.startedAt && a.dueAt === b.dueAt);

/** Folds happenings in order, then sets the clock for where the conversation ends up. */
export function trackAll(
  t: Tracked,
  happenings: readonly Happening[],
  terms: Terms,
  running: boolean,
): { tracked: Tracked; tallies: Tally[] } {
  const tallies: Tally[] = [];
  let tracked = t;
  for (const h of happenings) {
    const step = track(tracked, h, terms);
    tracked = step.tracked;
    tallies.push(...step.tallies);
  }
  return { tracked: { ...tracked, clock: currentClock(tracked, running, terms) }, tallies };
}

/** A local calendar date "YYYY-MM-DD" of `t` in `timeZone`: the day a tally counts on. */
export function localDay(timeZone: string, t: number): string {
  return dayFormat(timeZone).format(t);
}

const formats = new Map<string, Intl.DateTimeFormat>();
function dayFormat(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    // en-CA writes dates as YYYY-MM-DD.
    format = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    formats.set(timeZone, format);
  }
  return format;
}
