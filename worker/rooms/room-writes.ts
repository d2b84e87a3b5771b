/**
 * The room's write plan: everything one change does to D1, as one batch.
 *
 * A change is a list of timeline items plus what they do to the conversation
 * (fields, followers, mentions, tags) and who hears about it. Planning is
 * separate from the Durable Object so the room stays a thin sequencer.
 */
import { and, eq, inArray, max } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import {
  NO_SLA,
  clocksRun,
  CUSTOMER_KINDS,
  describeEvent,
  isCustomerKind,
  type Author,
  type Item,
  type Notification,
  type Priority,
  type Status,
  type TimelineEvent,
} from "../contract";
import { linkFiles } from "../attachments/links";
import { chunkRows, inJson } from "../db/chunks";
import type { Db } from "../db/client";
import { toItem, type ItemRow } from "../db/queries/items";
import { queueReplyEmail, rememberRecipients } from "../db/queries/outbox";
import {
  conversations,
  conversationTags,
  followers,
  links,
  mentions,
  ratings,
  type StoredAttachment,
  tags,
  timelineItems,
} from "../db/schema";
import { latestResolution, type Resolution } from "../db/queries/ratings";
import { recipients } from "../domain/notify";
import { type Happening, type Terms, type Tracked, trackAll } from "../domain/sla";
import { rollupWrites } from "../reports/rollups";
import { happeningOf, placeOf, trackedColumns, trackedOf } from "./room-metrics";
import { newId } from "../lib/ids";
import { iso } from "../lib/time";
import { type ConversationAfter, eventsFor, writeIfSubscribed } from "../webhooks/outbox";
import { hiddenIds, notificationWrites } from "../push/fanout";

export type AuthorRef = Author;

/** What the room remembers between calls; rebuilt from D1 after an eviction. */
export interface RoomState {
  id: string;
  workspaceId: string;
  inboxId: string;
  contactId: string;
  subject: string | null;
  status: Status;
  priority: Priority;
  assigneeId: string | null;
  teamId: string | null;
  snoozedUntil: number | null;
  lastSeq: number;
  lastActivityAt: number;
  /** Seq of the newest customer message or reply: the collision guard's fast path. */
  lastPublicSeq: number;
  followers: Set<string>;
  /** Tag id → name. */
  tags: Map<string, string>;
  /** While resolved: the resolution (its `status_changed` event's seq) and whether the customer rated it. */
  resolution: Resolution | null;
  /** Set by a merge: the conversation that holds its items now; nothing more is written here. */
  mergedInto: string | null;
  /** SLA clock and service metrics (domain/sla.ts). */
  tracked: Tracked;
  /** False for a conversation from before metrics, until its timeline is replayed (room-metrics.ts). */
  metricsRecorded: boolean;
}

export type NewItem = Pick<ItemRow, "kind" | "body"> & {
  author: AuthorRef;
  event?: TimelineEvent;
  idempotencyKey?: string;
  /** RFC 5322 Message-ID of an email item, for threading both ways. */
  messageId?: string;
  /** The files it carries, checked by the room (their rows are linked in the item's batch). */
  attachments?: StoredAttachment[];
  /** When it was first written, for an item a merge copies (new items are stamped with the commit's time). */
  createdAt?: number;
};

export interface FieldPatch {
  inboxId?: string;
  status?: Status;
  snoozedUntil?: number | null;
  priority?: Priority;
  assigneeId?: string | null;
  teamId?: string | null;
}

export interface Change {
  items: NewItem[];
  patch?: FieldPatch;
  /** The agent who made the change; null for the customer and the system. */
  actorId: string | null;
  followersAdded?: string[];
  followersRemoved?: string[];
  /** Agents mentioned by the change's note. */
  mentioned?: string[];
  tagsAdded?: { id: string; name: string }[];
  tagsRemoved?: { id: string; name: string }[];
  /** A link this conversation owns (its row's conversation_id is this one). */
  linkAdded?: { id: string; targetConversationId?: string; ticketId?: string };
  linkRemoved?: string;
  /** Of the people this change may notify, those who can open the conversation (read by the room before it commits). */
  canOpen?: ReadonlySet<string>;
  /** The change's reply leaves by email: an outbox row, in this batch, that the sweep sends. */
  outbox?: OutboxEntry;
  /** The change's `forwarded` event leaves by email: its outbox row and the recipients remembered, in this batch. */
  forward?: OutboxEntry & { to: string[] };
  /** The agent whose forward this note answers: notified (`forward`) if they can still open the conversation. */
  forwarder?: string;
  /** The customer's rating of the current resolution; its `rated` event is the change's item. */
  rating?: NewRating;
  /** A merge's copy of another conversation: one `conversation.merged` webhook event stands for its items. */
  mergedFrom?: MergedFrom;
  /** More writes for the change's batch (a merge's moves of files and links, its bookkeeping). */
  also?: BatchItem<"sqlite">[];
  /** The business hours and SLA targets of the inbox the conversation is in after the change (read by the room). */
  terms?: Terms;
}

export interface MergedFrom {
  id: string;
  subject: string | null;
  contact: string;
}

export interface NewRating {
  resolutionSeq: number;
  contactId: string;
  score: number;
  comment: string | null;
}

/** An outgoing email queued with a change; the id names its outbox row. */
export interface OutboxEntry {
  id: string;
}

/** Parameters one timeline item row binds. */
const ITEM_PARAMS = 12;

/** A list's one line for a message: its text, or the names of its files when it has none. */
export const previewOf = (body: string, files?: readonly StoredAttachment[] | null) =>
  (body.trim() ? body : (files ?? []).map((f) => `📎 ${f.name}`).join(" ")).replace(/\s+/g, " ").trim().slice(0, 200);

export async function loadRoomState(db: Db, id: string): Promise<RoomState | null> {
  const [[row], [publicSeq], followerRows, tagRows, resolution] = await Promise.all([
    db.select().from(conversations).where(eq(conversations.id, id)),
    db
      .select({ seq: max(timelineItems.seq) })
      .from(timelineItems)
      .where(and(eq(timelineItems.conversationId, id), inArray(timelineItems.kind, [...CUSTOMER_KINDS]))),
    db.select({ userId: followers.userId }).from(followers).where(eq(followers.conversationId, id)),
    db
      .select({ id: tags.id, name: tags.name })
      .from(conversationTags)
      .innerJoin(tags, eq(tags.id, conversationTags.tagId))
      .where(eq(conversationTags.conversationId, id)),
    latestResolution(db, id),
  ]);
  if (!row) return null;
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    inboxId: row.inboxId,
    contactId: row.contactId,
    subject: row.subject,
    status: row.status,
    priority: row.priority,
    assigneeId: row.assigneeId,
    teamId: row.teamId,
    snoozedUntil: row.snoozedUntil,
    lastSeq: row.lastSeq,
    lastActivityAt: row.lastActivityAt,
    lastPublicSeq: publicSeq?.seq ?? 0,
    followers: new Set(followerRows.map((f) => f.userId)),
    tags: new Map(tagRows.map((t) => [t.id, t.name])),
    resolution: row.status === "resolved" ? resolution : null,
    mergedInto: row.mergedInto,
    tracked: trackedOf(row),
    metricsRecorded: row.metricsRecorded === 1,
  };
}

export function itemRow(conversationId: string, seq: number, item: NewItem, now: number): ItemRow {
  return {
    conversationId,
    seq,
    kind: item.kind,
    authorType: item.author.type,
    authorId: item.author.id,
    authorName: item.author.name,
    body: item.body,
    event: item.event ?? null,
    idempotencyKey: item.idempotencyKey ?? null,
    messageId: item.messageId ?? null,
    attachments: item.attachments?.length ? item.attachments : null,
    createdAt: item.createdAt ?? now,
  };
}

/** A notification's one line: the note or message itself, or the event read aloud. */
function noticeText(item: Item): string {
  return item.event ? describeEvent(item.event, item.author.name) : previewOf(item.body, item.attachments);
}

export interface Plan {
  items: Item[];
  notifications: { userId: string; notification: Notification }[];
  /** Index just past the notification statements in `writes` (see `shownNotices`). */
  noticesEnd: number;
  writes: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]];
  /** The webhook events the change may cause: each one's place in `writes` (written only if someone subscribes). */
  webhookEvents: { id: string; write: number }[];
  /** Advances the in-memory state; call only after the batch committed. */
  apply(): void;
}

/** Plans one change: items with the next seqs, the conversation's new fields, copies, notifications. */
export function planCommit(db: Db, state: RoomState, change: Change, now: number, appUrl = ""): Plan {
  const rows = change.items.map((item, i) => itemRow(state.id, state.lastSeq + 1 + i, item, now));
  const items = rows.map(toItem);
  const lastSeq = state.lastSeq + rows.length;
  const publicRow = rows.findLast((r) => isCustomerKind(r.kind));
  const resolvedRow = rows.findLast((r) => r.event?.type === "status_changed" && r.event.to === "resolved");
  const patch = { ...change.patch };
  const status = patch.status ?? state.status;
  // Leaving "snoozed" forgets the wake-up time.
  if (status !== "snoozed" && state.snoozedUntil !== null) patch.snoozedUntil = null;
  const assigneeId = patch.assigneeId !== undefined ? patch.assigneeId : state.assigneeId;
  const copies = { status, lastActivityAt: now };

  const followersAfter = new Set(state.followers);
  for (const id of change.followersAdded ?? []) followersAfter.add(id);
  for (const id of change.followersRemoved ?? []) followersAfter.delete(id);
  const newFollowers = [...followersAfter].filter((id) => !state.followers.has(id));
  const tagsAfter = new Map(state.tags);
  for (const t of change.tagsRemoved ?? []) tagsAfter.delete(t.id);
  for (const t of change.tagsAdded ?? []) tagsAfter.set(t.id, t.name);

  // A merge's copies were measured where they were written.
  const happenings: Happening[] = change.mergedFrom
    ? []
    : [
        ...rows.flatMap((r) => happeningOf(r) ?? []),
        ...(change.rating ? [{ type: "rated" as const, at: now, score: change.rating.score }] : []),
      ];
  const terms = change.terms ?? { hours: null, targets: NO_SLA };
  const measured = trackAll(state.tracked, happenings, terms, clocksRun(status));

  const first = items[0]!;
  const actor = { id: first.author.id, name: first.author.name };
  const notices = [
    ...recipients({
      actorId: change.actorId,
      mentioned: change.mentioned ?? [],
      forwarder: change.forwarder ?? null,
      newAssigneeId: patch.assigneeId ?? null,
      assigneeId,
      followers: followersAfter,
      canOpen: (userId) => change.canOpen?.has(userId) ?? false,
    }),
  ].map(([userId, kind]) => ({
    userId,
    notification: {
      id: newId("nt"),
      kind,
      conversationId: state.id,
      actor,
      preview: noticeText(kind === "assigned" ? (items.find((i) => i.event?.type === "assigned") ?? first) : first),
      createdAt: iso(now),
      readAt: null,
    } satisfies Notification,
  }));

  // Multi-row inserts are split to stay inside D1's 100 parameters per statement; one batch is still one transaction.
  const [firstItems, ...moreItems] = chunkRows(rows, ITEM_PARAMS);
  const writes: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] = [
    db.insert(timelineItems).values(firstItems!),
    ...moreItems.map((part) => db.insert(timelineItems).values(part)),
    db
      .update(conversations)
      .set({
        ...patch,
        lastSeq,
        lastActivityAt: now,
        updatedAt: now,
        ...trackedColumns(measured.tracked),
        metricsRecorded: 1,
        ...(publicRow ? { preview: previewOf(publicRow.body, publicRow.attachments) } : {}),
      })
      .where(eq(conversations.id, state.id)),
    ...rows.flatMap((r) => (r.attachments ? [linkFiles(db, state.id, r.seq, r.attachments)] : [])),
  ];
  if (change.followersRemoved?.length) {
    writes.push(
      db
        .delete(followers)
        .where(and(eq(followers.conversationId, state.id), inJson(followers.userId, change.followersRemoved))),
    );
  }
  const followerRows = newFollowers.map((userId) => ({ conversationId: state.id, userId, ...copies, createdAt: now }));
  for (const part of chunkRows(followerRows, 5)) writes.push(db.insert(followers).values(part).onConflictDoNothing());
  const noteSeq = rows.find((r) => r.kind === "note")?.seq;
  if (change.mentioned?.length && noteSeq) {
    const mentionRows = change.mentioned.map((userId) => ({
      conversationId: state.id,
      userId,
      seq: noteSeq,
      ...copies,
      createdAt: now,
    }));
    for (const part of chunkRows(mentionRows, 6))
      writes.push(
        db
          .insert(mentions)
          .values(part)
          .onConflictDoUpdate({ target: [mentions.conversationId, mentions.userId], set: { seq: noteSeq } }),
      );
  }
  if (change.tagsRemoved?.length) {
    writes.push(
      db.delete(conversationTags).where(
        and(
          eq(conversationTags.conversationId, state.id),
          inJson(
            conversationTags.tagId,
            change.tagsRemoved.map((t) => t.id),
          ),
        ),
      ),
    );
  }
  const tagRows = (change.tagsAdded ?? []).map((t) => ({ conversationId: state.id, tagId: t.id, ...copies }));
  for (const part of chunkRows(tagRows, 4)) writes.push(db.insert(conversationTags).values(part).onConflictDoNothing());
  if (change.linkAdded) {
    const l = change.linkAdded;
    writes.push(
      db.insert(links).values({
        id: l.id,
        conversationId: state.id,
        targetConversationId: l.targetConversationId ?? null,
        ticketId: l.ticketId ?? null,
        createdBy: change.actorId,
        createdAt: now,
      }),
    );
  }
  const replySeq = rows.find((r) => r.kind === "reply")?.seq;
  if (change.outbox && replySeq)
    writes.push(queueReplyEmail(db, { id: change.outbox.id, conversationId: state.id, seq: replySeq, now }));
  const forwardSeq = rows.find((r) => r.event?.type === "forwarded")?.seq;
  if (change.forward && forwardSeq) {
    const { id, to } = change.forward;
    writes.push(
      queueReplyEmail(db, { id, conversationId: state.id, seq: forwardSeq, now, kind: "forward" }),
      rememberRecipients(db, state.workspaceId, to, now),
    );
  }
  if (change.rating) writes.push(db.insert(ratings).values(ratingRow(state, change.rating, rows[0]!.seq, now)));
  if (change.linkRemoved)
    writes.push(db.delete(links).where(and(eq(links.id, change.linkRemoved), eq(links.conversationId, state.id))));
  // The copies that let Following, Mentioned and the tag filter page by index.
  writes.push(
    db.update(followers).set(copies).where(eq(followers.conversationId, state.id)),
    db.update(mentions).set(copies).where(eq(mentions.conversationId, state.id)),
    db.update(conversationTags).set(copies).where(eq(conversationTags.conversationId, state.id)),
  );
  const noticesEnd = writes.push(...noticeWrites(db, notices, now));
  const after = conversationAfter(state, patch, tagsAfter);
  writes.push(...rollupWrites(db, placeOf({ ...after, workspaceId: state.workspaceId }, terms), measured.tallies));
  writes.push(...(change.also ?? []));
  const webhookEvents = eventsFor(after, state.workspaceId, items, now, appUrl, false, change.mergedFrom).map((e) => ({
    id: e.id,
    write: writes.push(writeIfSubscribed(db, e)) - 1,
  }));

  return {
    items,
    notifications: notices,
    noticesEnd,
    writes,
    webhookEvents,
    apply() {
      state.lastSeq = lastSeq;
      state.lastActivityAt = now;
      state.status = status;
      state.assigneeId = assigneeId;
      if (patch.teamId !== undefined) state.teamId = patch.teamId;
      if (patch.inboxId) state.inboxId = patch.inboxId;
      if (patch.snoozedUntil !== undefined) state.snoozedUntil = patch.snoozedUntil;
      if (patch.priority) state.priority = patch.priority;
      if (publicRow) state.lastPublicSeq = publicRow.seq;
      state.followers = followersAfter;
      state.tags = tagsAfter;
      state.tracked = measured.tracked;
      state.metricsRecorded = true;
      state.resolution = resolutionAfter(state.resolution, status, resolvedRow?.seq, !!change.rating);
    },
  };
}

/**
 * Inserts of notifications, chunked inside D1's 100 parameters per statement,
 * then what their recipients' preferences ask for (push queued, in-app
 * hidden; see push/fanout.ts). The LAST statement returns the ids hidden
 * from the bell: `shownNotices` reads it from the batch's results.
 */
export function noticeWrites(
  db: Db,
  notices: readonly { userId: string; notification: Notification }[],
  now: number,
): BatchItem<"sqlite">[] {
  const rows = notices.map(({ userId, notification: n }) => ({
    id: n.id,
    userId,
    kind: n.kind,
    conversationId: n.conversationId,
    actorId: n.actor.id,
    actorName: n.actor.name,
    preview: n.preview,
    createdAt: now,
  }));
  return notificationWrites(db, rows, now);
}

const ids = (notices: readonly { notification: Notification }[]) => notices.map((n) => n.notification.id);

/**
 * The notices to show live (the bell over the socket): those not hidden by
 * their recipient's in-app preference. `end` is the index just past the
 * `noticeWrites` statements in the batch.
 */
export function shownNotices<T extends { notification: Notification }>(
  notices: T[],
  results: readonly unknown[],
  end: number,
): T[] {
  if (!notices.length) return notices;
  const hidden = hiddenIds(results[end - 1]);
  return hidden.size ? notices.filter((n) => !hidden.has(n.notification.id)) : notices;
}

/** The notification ids of these notices, for sending their pushes once the batch committed. */
export const noticeIds = ids;

/** The conversation as webhooks describe it once `patch` and the change's tags are applied. */
export function conversationAfter(
  state: RoomState,
  patch: FieldPatch = {},
  tags: ReadonlyMap<string, string> = state.tags,
): ConversationAfter {
  const after = <K extends keyof FieldPatch & keyof RoomState>(k: K) => (patch[k] !== undefined ? patch[k] : state[k]);
  return {
    ...{ id: state.id, inboxId: after("inboxId")!, contactId: state.contactId, subject: state.subject },
    ...{ status: after("status")!, priority: after("priority")!, assigneeId: after("assigneeId") ?? null },
    teamId: after("teamId") ?? null,
    tags: [...tags.values()].sort(),
  };
}

/** The resolution after a change: a new one when it resolves, none once it is not resolved, rated by a rating. */
function resolutionAfter(
  before: Resolution | null,
  status: Status,
  resolvedSeq: number | undefined,
  rated: boolean,
): Resolution | null {
  if (status !== "resolved") return null;
  const resolution = resolvedSeq !== undefined ? { seq: resolvedSeq, rated: false } : before;
  return resolution && rated ? { ...resolution, rated: true } : resolution;
}

/** The ratings row, with where the conversation stands (inbox, assignee, team) copied for reports. */
function ratingRow(state: RoomState, rating: NewRating, seq: number, now: number): typeof ratings.$inferInsert {
  const { workspaceId, inboxId, assigneeId, teamId } = state;
  return { conversationId: state.id, seq, ...{ workspaceId, inboxId, assigneeId, teamId }, ...rating, createdAt: now };
}
