/**
 * What each write does, pure: the room's inputs turned into typed timeline
 * events and the change to the conversation's fields, against the room's
 * current state. No I/O, so every rule here is unit-tested on its own
 * (room-events.test.ts); the room only sequences, stores and broadcasts.
 */
import type {
  Access,
  Author,
  CustomerState,
  ItemKind,
  Priority,
  RatingInput,
  Status,
  TimelineEvent,
} from "../contract";
import { MAX_TAGS } from "../contract";
import { atLeast } from "../domain/access";
import { collides } from "../domain/collision";
import { countedMentions, followersFromMentions } from "../domain/mentions";
import { agentMayMove, type SystemReason, statusAfterItem, systemMove } from "../domain/status";
import type { StoredAttachment } from "../db/schema";
import type { Change, FieldPatch, NewItem, OutboxEntry, RoomState } from "./room-writes";

export type Ref = { id: string; name: string };

export const SYSTEM: Author = { type: "system", id: null, name: "Switchboard" };
export const RULES: Author = { type: "system", id: null, name: "Auto-assignment" };

export interface CreateConversation {
  conversationId: string;
  workspaceId: string;
  inboxId: string;
  contactId: string;
  subject: string | null;
  /** The opening message: a customer's, or an agent's reply when an agent starts it. */
  first: {
    kind: "customer" | "reply";
    body: string;
    author: Author;
    messageId?: string;
    outbox?: OutboxEntry;
    /** Uploads by the same author, not yet on any message (the room checks and links them). */
    attachmentIds?: string[];
  };
  /** What the inbox's auto-assignment rules decided. */
  initial?: InitialFields;
}

/** Fields set by auto-assignment rules when a conversation is created. */
export interface InitialFields {
  /** Names of the rules that applied. */
  rules: string[];
  assignee?: Ref;
  team?: Ref;
  priority?: Priority;
  tags?: Ref[];
}

export interface PostItem {
  kind: "customer" | "reply" | "note";
  body: string;
  author: Author;
  /** The last seq the author had seen; a reply behind a newer customer message or reply collides. */
  lastSeenSeq?: number;
  force?: boolean;
  idempotencyKey?: string;
  /** Agents mentioned in a note, checked by the caller to see the inbox. */
  mentions?: Ref[];
  /** Whether the mentioned agents also start following (the author may reply). */
  mentionsFollow?: boolean;
  /** The email's Message-ID, for items that arrive by email. */
  messageId?: string;
  /** A reply that leaves by email: queued in the outbox in the reply's own batch. */
  outbox?: OutboxEntry;
  /** Mail no person wrote (auto-reply, bounce): recorded, but it never reopens or wakes the conversation. */
  automatic?: boolean;
  /** Uploads by the same author, not yet on any message: the room checks them and links them in the item's batch. */
  attachmentIds?: string[];
  /** A note that answers a forward: the agent who forwarded is notified. */
  forwarder?: string;
}

/** A forward of the thread by email, checked by the caller (reply access, addresses). */
export interface ForwardThread {
  to: string[];
  includeNotes: boolean;
  message?: string;
  idempotencyKey?: string;
  /** Its outbox row's id. */
  outboxId: string;
}

/** Field changes; the caller has checked each value (the assignee may reply, the team exists). */
export interface UpdateConversation {
  status?: Status;
  /** Epoch ms, with status "snoozed"; the caller has checked it lies ahead. */
  snoozedUntil?: number;
  /** `null` unassigns. */
  assignee?: Ref | null;
  team?: Ref | null;
  priority?: Priority;
  /** Move: the caller has checked reply access on both inboxes. */
  inbox?: { from: Ref; to: Ref };
  /** Tags to add (resolved to workspace tags) and tag ids to remove, applied to the tags the room holds. */
  tags?: { add: Ref[]; remove: string[] };
}

/** A link to add from this conversation, or one to remove. */
export type LinkChange =
  | { add: { id: string; ticket: { id: string; title: string } } }
  | { add: { id: string; conversation: { id: string; subject: string | null } } }
  | {
      remove: {
        id: string;
        ticket?: { id: string; title: string };
        conversation?: { id: string; subject: string | null };
      };
    }
  /** Only the event, for the other side of a link between two conversations. */
  | { mirror: Extract<TimelineEvent, { type: "linked" | "unlinked" }> };

export const eventItem = (author: Author, event: TimelineEvent): NewItem => ({
  kind: "event",
  body: "",
  author,
  event,
});

export function statusEvent(
  from: Status,
  to: Status,
  author: Author,
  cause?: ItemKind | SystemReason,
  until?: number,
): NewItem {
  const event: TimelineEvent = { type: "status_changed", from, to };
  if (cause === "customer" || cause === "reply" || cause === "snooze_expired" || cause === "idle") event.cause = cause;
  if (until !== undefined) event.until = new Date(until).toISOString();
  return eventItem(author, event);
}

/** The reply-collision guard (domain/collision.ts) against the room's state. */
export const replyCollides = (state: Pick<RoomState, "lastPublicSeq">, input: PostItem): boolean =>
  collides({ ...input, lastPublicSeq: state.lastPublicSeq });

/** A message or note: the item, the reopening it causes, and the followers a note's mentions add. */
/** A message: its item (with the `files` the room checked), the status it moves to, its mentions. */
export function planPost(
  state: RoomState,
  input: PostItem,
  idempotencyKey?: string,
  files?: StoredAttachment[],
): Change {
  const { kind, body, author, messageId } = input;
  const items: NewItem[] = [{ kind, body, author, idempotencyKey, messageId, attachments: files }];
  const status = input.automatic ? state.status : statusAfterItem(state.status, input.kind);
  if (status !== state.status) items.push(statusEvent(state.status, status, SYSTEM, input.kind));
  const mentioned = countedMentions(input.kind, input.mentions);
  const newFollowers = followersFromMentions(mentioned, !!input.mentionsFollow, state.followers);
  for (const user of newFollowers) items.push(eventItem(SYSTEM, { type: "follower_added", user, via: "mention" }));
  return {
    items,
    patch: { status },
    actorId: input.author.type === "user" ? input.author.id : null,
    mentioned: mentioned.map((u) => u.id),
    followersAdded: newFollowers.map((u) => u.id),
    outbox: input.outbox,
    forwarder: input.forwarder,
  };
}

/** A forward: its `forwarded` event, its email queued and its recipients remembered in the same batch. */
export function planForward(input: ForwardThread, actor: Author, idempotencyKey?: string): Change {
  const { to, includeNotes, message } = input;
  const event: TimelineEvent = { type: "forwarded", to, includeNotes, ...(message ? { message } : {}) };
  return {
    items: [{ ...eventItem(actor, event), idempotencyKey }],
    actorId: actor.id,
    forward: { id: input.outboxId, to },
  };
}

/** Status, assignee, team, priority and inbox, one event per field that really changes; a string when refused. */
export function planUpdate(state: RoomState, input: UpdateConversation, actor: Author): Change | string {
  const items: NewItem[] = [];
  const patch: FieldPatch = {};
  const resnooze =
    input.status === "snoozed" && state.status === "snoozed" && input.snoozedUntil !== state.snoozedUntil;
  if (input.status && (input.status !== state.status || resnooze)) {
    if (!agentMayMove(state.status, input.status))
      return `A ${state.status} conversation cannot become ${input.status}`;
    const until = input.status === "snoozed" ? input.snoozedUntil : undefined;
    items.push(statusEvent(state.status, input.status, actor, undefined, until));
    patch.status = input.status;
    if (until !== undefined) patch.snoozedUntil = until;
  }
  if (input.assignee !== undefined && (input.assignee?.id ?? null) !== state.assigneeId) {
    items.push(eventItem(actor, { type: "assigned", assignee: input.assignee }));
    patch.assigneeId = input.assignee?.id ?? null;
  }
  if (input.team !== undefined && (input.team?.id ?? null) !== state.teamId) {
    items.push(eventItem(actor, { type: "team_assigned", team: input.team }));
    patch.teamId = input.team?.id ?? null;
  }
  if (input.priority && input.priority !== state.priority) {
    items.push(eventItem(actor, { type: "priority_changed", from: state.priority, to: input.priority }));
    patch.priority = input.priority;
  }
  if (input.inbox && input.inbox.to.id !== state.inboxId) {
    items.push(eventItem(actor, { type: "moved", from: input.inbox.from, to: input.inbox.to }));
    patch.inboxId = input.inbox.to.id;
  }
  if (!input.tags) return { items, patch, actorId: actor.id };
  const wanted = tagsAfter(state, input.tags);
  if (wanted.length > MAX_TAGS && wanted.length > state.tags.size)
    return `A conversation holds at most ${MAX_TAGS} tags`;
  const tagged = planTags(state, wanted, actor);
  return { ...tagged, items: [...items, ...tagged.items], patch };
}

/** The room's tags with `add` added and `remove` (ids) removed, in the order they were added. */
function tagsAfter(state: RoomState, { add, remove }: { add: Ref[]; remove: string[] }): Ref[] {
  const kept = [...state.tags].filter(([id]) => !remove.includes(id)).map(([id, name]) => ({ id, name }));
  return [...kept, ...add.filter((t) => !state.tags.has(t.id) && !remove.includes(t.id))];
}

/** Replaces the tags (already resolved to workspace tags): one event per tag added or removed. */
export function planTags(state: RoomState, wanted: Ref[], actor: Author): Change {
  const wantedIds = new Set(wanted.map((t) => t.id));
  const tagsAdded = wanted.filter((t) => !state.tags.has(t.id));
  const tagsRemoved = [...state.tags].filter(([id]) => !wantedIds.has(id)).map(([id, name]) => ({ id, name }));
  const items = [
    ...tagsAdded.map((t) => eventItem(actor, { type: "tag_added", tag: t.name })),
    ...tagsRemoved.map((t) => eventItem(actor, { type: "tag_removed", tag: t.name })),
  ];
  return { items, actorId: actor.id, tagsAdded, tagsRemoved };
}

/** Adds or removes one follower; nothing when they already are (or are not) following. */
export function planFollower(state: RoomState, user: Ref, following: boolean, actor: Author): Change {
  if (state.followers.has(user.id) === following) return { items: [], actorId: actor.id };
  return {
    items: [eventItem(actor, { type: following ? "follower_added" : "follower_removed", user })],
    actorId: actor.id,
    ...(following ? { followersAdded: [user.id] } : { followersRemoved: [user.id] }),
  };
}

/** A link's event, and the row when this conversation owns the link. */
export function planLink(change: LinkChange, actor: Author): Change {
  if ("mirror" in change) return { items: [eventItem(actor, change.mirror)], actorId: actor.id };
  if ("remove" in change) {
    const { id, ...target } = change.remove;
    return { items: [eventItem(actor, { type: "unlinked", ...target })], actorId: actor.id, linkRemoved: id };
  }
  const { id, ...target } = change.add;
  const row =
    "ticket" in target ? { id, ticketId: target.ticket.id } : { id, targetConversationId: target.conversation.id };
  return { items: [eventItem(actor, { type: "linked", ...target })], actorId: actor.id, linkAdded: row };
}

/** What the rules decided at creation, each as an event by "Auto-assignment". */
export function planRules(initial: InitialFields): Change {
  const via = { rules: initial.rules };
  const items: NewItem[] = [];
  const patch: FieldPatch = {};
  if (initial.team) {
    items.push(eventItem(RULES, { type: "team_assigned", team: initial.team, ...via }));
    patch.teamId = initial.team.id;
  }
  if (initial.assignee) {
    items.push(eventItem(RULES, { type: "assigned", assignee: initial.assignee, ...via }));
    patch.assigneeId = initial.assignee.id;
  }
  if (initial.priority && initial.priority !== "none") {
    items.push(eventItem(RULES, { type: "priority_changed", from: "none", to: initial.priority, ...via }));
    patch.priority = initial.priority;
  }
  for (const tag of initial.tags ?? []) items.push(eventItem(RULES, { type: "tag_added", tag: tag.name, ...via }));
  return { items, patch, actorId: null, tagsAdded: initial.tags };
}

/**
 * The minute sweep's change, re-checked against the room's own fresh state:
 * wake an expired snooze, or resolve a conversation idle since `before`.
 * Null when the conversation moved on since the sweep looked.
 */
export function planSweep(state: RoomState, reason: SystemReason, now: number, before?: number): Change | null {
  const to = systemMove(state.status, reason);
  const due =
    reason === "snooze_expired"
      ? state.snoozedUntil !== null && state.snoozedUntil <= now
      : state.lastActivityAt <= (before ?? Number.NEGATIVE_INFINITY);
  if (!to || !due) return null;
  return { items: [statusEvent(state.status, to, SYSTEM, reason)], patch: { status: to }, actorId: null };
}

type Levels = ReadonlyMap<string, { name: string; level: Access | null }>;

/** Followers who cannot see the inbox and an assignee who cannot reply there, dropped with events saying why. */
export function planAccessDrop(state: RoomState, levels: Levels): Change {
  const change = withAccessDrop({ items: [], actorId: null }, state, levels);
  const assignee = state.assigneeId ? levels.get(state.assigneeId) : undefined;
  if (state.assigneeId && assignee && !atLeast(assignee.level, "reply")) {
    const unassigned = { id: state.assigneeId, name: assignee.name };
    change.items.push(eventItem(SYSTEM, { type: "assigned", assignee: null, unassigned }));
    change.patch = { ...change.patch, assigneeId: null };
  }
  return change;
}

/** `change`, plus the removal of every follower who cannot see the inbox (by `levels`, for the inbox after it). */
export function withAccessDrop(change: Change, state: RoomState, levels: Levels): Change {
  const gone = [...state.followers].filter((id) => levels.get(id)?.level === null);
  if (!gone.length) return change;
  const events = gone.map((id) =>
    eventItem(SYSTEM, { type: "follower_removed", user: { id, name: levels.get(id)!.name }, reason: "access" }),
  );
  return {
    ...change,
    items: [...change.items, ...events],
    followersRemoved: [...(change.followersRemoved ?? []), ...gone],
  };
}

/** Where the conversation stands for its customer: resolved, and whether this resolution still awaits a rating. */
export function customerState(state: Pick<RoomState, "status" | "resolution">): CustomerState {
  const resolved = state.status === "resolved";
  return { resolved, canRate: resolved && !!state.resolution && !state.resolution.rated };
}

export const sameCustomerState = (a: CustomerState, b: CustomerState): boolean =>
  a.resolved === b.resolved && a.canRate === b.canRate;

export const ALREADY_RATED = "This conversation has already been rated since it was last resolved";

/** The customer rates the current resolution: its `rated` event and row; a string when refused (not resolved, rated). */
export function planRating(state: RoomState, input: RatingInput, customer: Author): Change | string {
  if (state.status !== "resolved" || !state.resolution) return "Only a resolved conversation can be rated";
  if (state.resolution.rated) return ALREADY_RATED;
  const comment = input.comment || null;
  return {
    items: [eventItem(customer, { type: "rated", score: input.score, comment })],
    actorId: null,
    rating: { resolutionSeq: state.resolution.seq, contactId: customer.id!, score: input.score, comment },
  };
}
