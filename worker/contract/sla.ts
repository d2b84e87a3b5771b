import { z } from "zod";
import { BusinessHours } from "./business-hours";
import { Id, type Status } from "./common";
import { MAX_REPORT_DAYS, MAX_SLA_MINUTES } from "./limits";

/** Which promise a conversation's clock keeps: the first answer, the answer to the customer's latest message, or solving it. */
export const SlaKind = z.enum(["first_response", "next_response", "resolution"]);
export type SlaKind = z.infer<typeof SlaKind>;

/** The statuses in which SLA clocks run: open, and snoozed (snoozing pauses nothing). */
export const CLOCK_STATUSES = ["open", "snoozed"] as const satisfies readonly Status[];
export const clocksRun = (status: Status): boolean => (CLOCK_STATUSES as readonly Status[]).includes(status);

/**
 * A conversation's current SLA clock: of the clocks running (an answer owed,
 * the resolution), the one due first. `startedAt` lets a list tell how much of
 * the allowance is left (amber in the last 20 %); `breached` is set by the
 * minute sweep, which notifies once per clock. Snoozing pauses nothing.
 */
export const SlaClock = z.object({
  kind: SlaKind,
  startedAt: z.string(),
  dueAt: z.string(),
  breached: z.boolean(),
});
export type SlaClock = z.infer<typeof SlaClock>;

const Minutes = z.number().int().min(1).max(MAX_SLA_MINUTES);

/** `PUT /api/inboxes/:id/sla`: the inbox's targets; a target left out is not kept. */
export const SlaTargetsInput = z.strictObject({
  firstResponseMinutes: Minutes.nullable().optional(),
  nextResponseMinutes: Minutes.nullable().optional(),
  resolutionMinutes: Minutes.nullable().optional(),
  /** Count only the inbox's business hours (24/7 when it has none). */
  businessHoursOnly: z.boolean(),
});
export type SlaTargetsInput = z.infer<typeof SlaTargetsInput>;

export const SlaTargets = z.object({
  firstResponseMinutes: z.number().int().nullable(),
  nextResponseMinutes: z.number().int().nullable(),
  resolutionMinutes: z.number().int().nullable(),
  businessHoursOnly: z.boolean(),
});
export type SlaTargets = z.infer<typeof SlaTargets>;

export const NO_SLA: SlaTargets = {
  firstResponseMinutes: null,
  nextResponseMinutes: null,
  resolutionMinutes: null,
  businessHoursOnly: false,
};

/** `PUT /api/inboxes/:id/business-hours` takes BusinessHours; `null` hours are 24/7. */
export const BusinessHoursInput = BusinessHours;

/** A local calendar day, "YYYY-MM-DD". */
const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like "2026-11-26"')
  // The pattern lets "2026-02-30" through; a date that does not round-trip is not one.
  .refine((d) => !Number.isNaN(Date.parse(d)) && new Date(d).toISOString().startsWith(d), "no such date");

/**
 * `GET /api/reports`: whole days from `from` to `to` (both included; each
 * inbox's days are its business-hours time zone's, UTC without one). Without
 * them: the last 30 days up to today.
 */
export const ReportQuery = z
  .strictObject({
    from: Day.optional(),
    to: Day.optional(),
    inboxId: Id.optional(),
    teamId: Id.optional(),
    assigneeId: Id.optional(),
    groupBy: z.enum(["day", "agent", "inbox", "team"]).default("day"),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: "from must not be after to", path: ["from"] })
  .refine((q) => !q.from || !q.to || (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 < MAX_REPORT_DAYS, {
    message: `a report covers at most ${MAX_REPORT_DAYS} days`,
    path: ["to"],
  });
export type ReportQuery = z.infer<typeof ReportQuery>;

/** Seconds (business seconds where the inbox has business hours); null when nothing was measured. */
const Latency = z.object({ count: z.number().int(), median: z.number().nullable(), p90: z.number().nullable() });

export const ReportNumbers = z.object({
  created: z.number().int(),
  resolved: z.number().int(),
  reopened: z.number().int(),
  replies: z.number().int(),
  firstResponse: Latency,
  resolution: Latency,
  rating: z.object({
    count: z.number().int(),
    average: z.number().nullable(),
    /** How many ratings gave 1, 2, 3, 4 and 5 stars. */
    distribution: z.array(z.number().int()).length(5),
  }),
  /** Clocks that stopped in time (met) or late (missed); hitRate = met / (met + missed). */
  sla: z.object({ met: z.number().int(), missed: z.number().int(), hitRate: z.number().nullable() }),
});
export type ReportNumbers = z.infer<typeof ReportNumbers>;

export const ReportRow = ReportNumbers.extend({
  /** The day ("YYYY-MM-DD"), or the agent's, inbox's or team's id (null: unassigned, no team). */
  key: z.string().nullable(),
  /** What to call the row: the date, or the agent's, inbox's or team's name. */
  label: z.string(),
});
export type ReportRow = z.infer<typeof ReportRow>;

export const Report = z.object({
  from: Day,
  to: Day,
  groupBy: z.enum(["day", "agent", "inbox", "team"]),
  totals: ReportNumbers,
  rows: z.array(ReportRow),
});
export type Report = z.infer<typeof Report>;
