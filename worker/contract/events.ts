/**
 * Timeline events: their shapes and how a person reads them. Shared so the
 * client's timeline and the notifications say the same thing.
 */
import { z } from "zod";
import { Priority, Status } from "./common";

const Ref = z.object({ id: z.string(), name: z.string() });
/** A conversation on the other side of a merge, as its timeline names it. */
const MergedRef = z.object({ id: z.string(), subject: z.string().nullable(), contact: z.string() });
/** The auto-assignment rules that made a change, when rules made it. */
const byRules = { rules: z.array(z.string()).optional() };
const LinkTarget = {
  conversation: z.object({ id: z.string(), subject: z.string().nullable() }).optional(),
  ticket: z.object({ id: z.string(), title: z.string() }).optional(),
};

/** What set a status: the item that reopened it, or the sweep. */
export const StatusCause = z.enum(["customer", "reply", "snooze_expired", "idle"]);
export type StatusCause = z.infer<typeof StatusCause>;

/** Every kind of timeline event: the room builds events from this union, and clients parse them with it. */
export const TimelineEvent = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("status_changed"),
    from: Status,
    to: Status,
    cause: StatusCause.optional(),
    until: z.string().optional(),
  }),
  z.object({
    type: z.literal("assigned"),
    assignee: Ref.nullable(),
    ...byRules,
    /** Set when the previous assignee lost reply access to the inbox. */
    unassigned: Ref.optional(),
  }),
  z.object({ type: z.literal("team_assigned"), team: Ref.nullable(), ...byRules }),
  z.object({ type: z.literal("priority_changed"), from: Priority, to: Priority, ...byRules }),
  z.object({ type: z.literal("tag_added"), tag: z.string(), ...byRules }),
  z.object({ type: z.literal("tag_removed"), tag: z.string() }),
  z.object({ type: z.literal("follower_added"), user: Ref, via: z.literal("mention").optional() }),
  z.object({
    type: z.literal("follower_removed"),
    user: Ref,
    /** "access": they can no longer see the inbox. */
    reason: z.literal("access").optional(),
  }),
  z.object({ type: z.literal("moved"), from: Ref, to: Ref }),
  /** In the conversation merged into: where the items after it came from. */
  z.object({ type: z.literal("merged"), from: MergedRef, items: z.number().int().nonnegative() }),
  /** The last item of a conversation merged into another. */
  z.object({ type: z.literal("merged_into"), into: MergedRef }),
  z.object({ type: z.literal("linked"), ...LinkTarget }),
  z.object({ type: z.literal("unlinked"), ...LinkTarget }),
  /** The customer rated the resolution in the widget ("How did we do?"). */
  z.object({ type: z.literal("rated"), score: z.number().int().min(1).max(5), comment: z.string().nullable() }),
  /** An agent emailed the thread to people outside the inbox (their answers come back as notes). */
  z.object({
    type: z.literal("forwarded"),
    to: z.array(z.string()),
    includeNotes: z.boolean(),
    message: z.string().optional(),
  }),
]);
export type TimelineEvent = z.infer<typeof TimelineEvent>;

const STATUS_WORDS: Record<string, string> = {
  open: "reopened the conversation",
  resolved: "resolved the conversation",
  snoozed: "snoozed the conversation",
  spam: "marked the conversation as spam",
};

/** "Ada assigned this to Bea", "Bea added billing"… `actor` is the event's author's name. */
export function describeEvent(e: TimelineEvent, actor: string): string {
  switch (e.type) {
    case "status_changed":
      if (e.cause === "customer") return `The customer's message reopened the conversation`;
      if (e.cause === "reply") return `The reply reopened the conversation`;
      if (e.cause === "snooze_expired") return `The snooze ended; the conversation is open again`;
      if (e.cause === "idle") return `Resolved automatically after a quiet spell`;
      if (e.to === "snoozed" && e.until) return `${actor} snoozed the conversation until ${formatUtc(e.until)}`;
      return `${actor} ${STATUS_WORDS[e.to] ?? `set the status to ${e.to}`}`;
    case "assigned":
      if (!e.assignee && e.unassigned) return `${e.unassigned.name} can no longer reply in this inbox: unassigned`;
      if (!e.assignee) return `${actor} unassigned this`;
      return e.assignee.name === actor
        ? `${actor} took this conversation`
        : `${actor} assigned this to ${e.assignee.name}`;
    case "team_assigned":
      return e.team ? `${actor} assigned this to team ${e.team.name}` : `${actor} removed the team`;
    case "priority_changed":
      return e.to === "none" ? `${actor} cleared the priority` : `${actor} set the priority to ${e.to}`;
    case "tag_added":
      return `${actor} added ${e.tag}`;
    case "tag_removed":
      return `${actor} removed ${e.tag}`;
    case "follower_added":
      return e.via === "mention"
        ? `${e.user.name} follows after being mentioned`
        : `${actor} added ${e.user.name} as a follower`;
    case "follower_removed":
      return e.reason === "access"
        ? `${e.user.name} no longer follows: no access to this inbox`
        : `${actor} removed ${e.user.name} from the followers`;
    case "linked":
    case "unlinked": {
      const verb = e.type === "linked" ? "linked" : "unlinked";
      // No target: a conversation left out for this reader (or for every reader of a live frame).
      const target = e.ticket
        ? `ticket “${e.ticket.title}”`
        : e.conversation
          ? `conversation “${e.conversation.subject ?? "(no subject)"}”`
          : "another conversation";
      return `${actor} ${verb} ${target}`;
    }
    case "moved":
      return `${actor} moved this from ${e.from.name} to ${e.to.name}`;
    case "merged":
      return `${actor} merged “${e.from.subject || e.from.contact}” into this conversation`;
    case "merged_into":
      return `${actor} merged this into “${e.into.subject || e.into.contact}”`;
    case "forwarded": {
      const notes = e.includeNotes ? " (with internal notes)" : "";
      const words = e.message ? `: “${e.message.length > 140 ? `${e.message.slice(0, 139)}…` : e.message}”` : "";
      return `${actor} forwarded this conversation to ${e.to.join(", ")}${notes}${words}`;
    }
    case "rated": {
      const stars = `${"★".repeat(e.score)}${"☆".repeat(5 - e.score)}`;
      return e.comment
        ? `${actor} rated the conversation ${stars}: “${e.comment}”`
        : `${actor} rated the conversation ${stars}`;
    }
  }
}

/** "22 Nov 2026, 09:00 UTC": the same words for every reader (clients may localise). */
function formatUtc(isoTime: string): string {
  const date = new Date(isoTime);
  if (Number.isNaN(date.getTime())) return isoTime;
  return `${new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(date)} UTC`;
}
