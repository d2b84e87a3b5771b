/**
 * Timeline events: their shapes and how a person reads them. Shared so the
 * client's timeline and the notifications say the same thing.
 */
type Ref = { id: string; name: string };

export type TimelineEvent =
  | { type: "status_changed"; from: string; to: string; cause?: string; until?: string }
  | { type: "assigned"; assignee: Ref | null }
  | { type: "team_assigned"; team: Ref | null }
  | { type: "priority_changed"; from: string; to: string }
  | { type: "tag_added"; tag: string }
  | { type: "tag_removed"; tag: string }
  | { type: "follower_added"; user: Ref; via?: "mention" }
  | { type: "follower_removed"; user: Ref }
  | { type: "moved"; from: Ref; to: Ref }
  | { type: "linked"; conversation?: { id: string; subject: string | null }; ticket?: { id: string; title: string } }
  | { type: "unlinked"; conversation?: { id: string; subject: string | null }; ticket?: { id: string; title: string } };

const STATUS_WORDS: Record<string, string> = {
  open: "reopened the conversation",
  resolved: "resolved the conversation",
  snoozed: "snoozed the conversation",
  spam: "marked the conversation as spam",
};

/** "Ada assigned this to Bea", "Bea added billing"… `actor` is the event's author's name. */
export function describeEvent(event: Record<string, unknown>, actor: string): string {
  const e = event as TimelineEvent;
  switch (e.type) {
    case "status_changed":
      if (e.cause === "customer") return `The customer's message reopened the conversation`;
      if (e.cause === "reply") return `The reply reopened the conversation`;
      if (e.cause === "snooze_expired") return `The snooze ended; the conversation is open again`;
      if (e.cause === "idle") return `Resolved automatically after a quiet spell`;
      if (e.to === "snoozed" && e.until) return `${actor} snoozed the conversation until ${formatUtc(e.until)}`;
      return `${actor} ${STATUS_WORDS[e.to] ?? `set the status to ${e.to}`}`;
    case "assigned":
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
      return `${actor} removed ${e.user.name} from the followers`;
    case "linked":
    case "unlinked": {
      const verb = e.type === "linked" ? "linked" : "unlinked";
      const target = e.ticket
        ? `ticket “${e.ticket.title}”`
        : `conversation “${e.conversation?.subject ?? "(no subject)"}”`;
      return `${actor} ${verb} ${target}`;
    }
    case "moved":
      return `${actor} moved this from ${e.from.name} to ${e.to.name}`;
    default:
      return `${actor} changed the conversation`;
  }
}

/** "22 Nov 2026, 09:00 UTC": the same words for every reader (clients may localise). */
function formatUtc(isoTime: string): string {
  const date = new Date(isoTime);
  if (Number.isNaN(date.getTime())) return isoTime;
  return `${new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(date)} UTC`;
}
