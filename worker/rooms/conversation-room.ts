/**
 * One conversation's room: the only writer of that conversation, and the home
 * of its sockets.
 *
 * Writes run one at a time through a serial queue: check, write to D1 in one
 * batch, then acknowledge, then broadcast. Seqs come from the last committed
 * one, so they are gapless; Idempotency-Keys are stored with the item, so a
 * retry returns the first result. Only tasks in the queue load or assign the
 * room's state, so nothing read before a commit can overwrite it.
 *
 * What each write means lives in room-events.ts (pure), how it is stored in
 * room-writes.ts; presence, drafts, sockets and hub publications have modules
 * of their own. This file sequences them and holds the lifecycle hooks.
 */
import { DurableObject } from "cloudflare:workers";
import type { z } from "zod";
import {
  type Author,
  type Collision,
  CUSTOMER_KINDS,
  type CustomerItem,
  isCustomerKind,
  CloseCodes,
  clocksRun,
  type Item,
  type Notification,
  PING,
  PONG,
  type Rating,
  type RatingInput,
  type Viewer,
} from "../contract";
import {
  attachable,
  filesKey,
  filesRefused,
  isLinkedTwice,
  LINKED_TWICE,
  linkFiles,
  signedForCustomer,
} from "../attachments/links";
import { getDb } from "../db/client";
import { getConversation, getLinks, visibleLinks } from "../db/queries/conversations";
import { toCustomerItem, toItem } from "../db/queries/items";
import { existingLink, inboxesSeenBy, itemAt, itemByKey, itemsAfter, levelsIn, ownedLink } from "../db/queries/room";
import { conversations, merges, timelineItems } from "../db/schema";
import { and, eq } from "drizzle-orm";
import {
  claimMerge,
  cleanupWrites,
  MAX_MERGE_ITEMS,
  mergeRef,
  planAbsorb,
  planClose,
  readSource,
  takenKeys,
} from "./merge";
import { mayType } from "../domain/access";
import type { SystemReason } from "../domain/status";
import { fail, ok, type Result } from "../errors";
import { type Audience, frameFor, type RoomEvent } from "./audience";
import { Drafts } from "./drafts";
import { HubPublisher, type Place } from "./hub-publisher";
import { Spaced } from "./spaced";
import { FrameBudgets } from "./frame-budget";
import { type AgentAttachment, type Attachment, isStale, replyTyping, sameViewers, viewersOf } from "./presence";
import {
  ALREADY_RATED,
  type CreateConversation,
  customerState,
  replyCollides,
  type LinkChange,
  type PostItem,
  planAccessDrop,
  planFollower,
  planForward,
  type ForwardThread,
  withAccessDrop,
  planLink,
  planPost,
  planRating,
  planRules,
  planSweep,
  planTags,
  planUpdate,
  type Ref,
  sameCustomerState,
  type UpdateConversation,
} from "./room-events";
import { queueReplyEmail } from "../db/queries/outbox";
import {
  type Change,
  conversationAfter,
  itemRow,
  loadRoomState,
  noticeIds,
  noticeWrites,
  shownNotices,
  planCommit,
  previewOf,
  type RoomState,
} from "./room-writes";
import type { BatchItem } from "drizzle-orm/batch";
import { enqueue, eventsFor, writeIfSubscribed } from "../webhooks/outbox";
import { SerialQueue } from "./serial-queue";
import {
  breachTally,
  currentClock,
  type Happening,
  newTracked,
  sameClock,
  trackAll,
  type Tracked,
} from "../domain/sla";
import { rollupWrites } from "../reports/rollups";
import { termsOf } from "../db/queries/inbox-terms";
import { teamMemberIds } from "../db/queries/users";
import { sendPushesSoon } from "../push/send";
import { breachNotices, happeningOf, placeOf, replay, trackedColumns } from "./room-metrics";
import {
  AttachmentCache,
  acceptSocket,
  answerClose,
  closeSocket,
  encodeFrame,
  identityOf,
  malformedFrame,
  parseClientFrame,
  sendFrame,
  sendText,
  spendFrame,
} from "./sockets";

export type { Author as AuthorRef } from "../contract";
type AuthorRef = Author;
export type { CreateConversation, InitialFields, LinkChange, PostItem, UpdateConversation } from "./room-events";
export { RULES, SYSTEM } from "./room-events";

export class ConversationRoom extends DurableObject<Env> {
  #queue = new SerialQueue();
  #db = getDb(this.env.DB);
  /** The conversation as last committed. Assigned only by tasks running in #queue. */
  #state: RoomState | null = null;
  #sockets = new AttachmentCache<Attachment>();
  #drafts = new Drafts(this.ctx.storage);
  /** Large rooms: drafts waiting for the next batch frame, by typist. */
  #draftBatch = new Map<string, string>();
  #draftFrames = new Spaced(Number(this.env.DRAFT_FRAME_MS ?? 100), () => this.#sendDrafts());
  #hub = new HubPublisher(this.env, this.#db);
  #budgets = new FrameBudgets();
  /**
   * Sockets whose hello is being answered. One hello per socket: each replays
   * the timeline inside the write queue. Once answered, `ready` says it.
   */
  #greeting = new WeakSet<WebSocket>();
  /** The workspace's key for customers' file URLs, read once. */
  #key: { workspaceId: string; key: Promise<CryptoKey> } | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Heartbeats are answered by the runtime without waking the room.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  // ——— Writes ————————————————————————————————————————————————————————————

  /** Creates the conversation with its opening item; a repeated call returns the first result. */
  create(input: CreateConversation): Promise<Result<{ item: Item }>> {
    return this.#queue.run(async () => {
      if (await this.#load(input.conversationId)) {
        const first = await itemAt(this.#db, input.conversationId, 1);
        return first ? ok({ item: toItem(first) }) : fail("conflict", "The conversation is being created");
      }
      const now = Date.now();
      const { conversationId: id, workspaceId, inboxId, contactId, subject, first } = input;
      const files = await attachable(this.#db, workspaceId, first.author, first.attachmentIds ?? [], now);
      if (typeof files === "string") return filesRefused(files);
      const row = itemRow(id, 1, { ...first, attachments: files }, now);
      const terms = await termsOf(this.#db, inboxId);
      const opened = happeningOf(row);
      const opening: Happening[] = [{ type: "created", at: now }, ...(opened ? [opened] : [])];
      const measured = trackAll(newTracked(now), opening, terms, true);
      const state = newRoomState(input, now, measured.tracked);
      const writes: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] = [
        this.#db.insert(conversations).values({
          ...{ id, workspaceId, inboxId, contactId, subject, status: "open", lastSeq: 1 },
          ...{ lastActivityAt: now, preview: previewOf(first.body, files), createdAt: now, updatedAt: now },
          ...{ ...trackedColumns(measured.tracked), metricsRecorded: 1 },
        }),
        ...rollupWrites(this.#db, placeOf(state, terms), measured.tallies),
        this.#db.insert(timelineItems).values(row),
        ...(files.length ? [linkFiles(this.#db, id, 1, files)] : []),
        ...(first.outbox ? [queueReplyEmail(this.#db, { ...first.outbox, conversationId: id, seq: 1, now })] : []),
      ];
      const hooks = eventsFor(conversationAfter(state), workspaceId, [toItem(row)], now, this.env.APP_URL, true).map(
        (e) => ({ id: e.id, write: writes.push(writeIfSubscribed(this.#db, e)) - 1 }),
      );
      try {
        this.#sendWebhooks(hooks, await this.#db.batch(writes));
      } catch (error) {
        if (isLinkedTwice(error)) return filesRefused(LINKED_TWICE);
        throw error;
      }
      this.#state = state;
      this.#hub.summary(this.#state);
      if (input.initial) await this.#change(this.#state, planRules(input.initial));
      return ok({ item: toItem(row) });
    });
  }

  /** Posts a customer message, a reply or a note (with its mentions). */
  post(conversationId: string, input: PostItem): Promise<Result<{ item: Item }>> {
    // A key is scoped to its author: someone else's key never replays their item
    // (a customer must not get an agent's note back by guessing its key).
    const key = input.idempotencyKey && `${input.author.type}:${input.author.id ?? ""}:${input.idempotencyKey}`;
    return this.#write(conversationId, async (state) => {
      const earlier = key && (await itemByKey(this.#db, state.id, key));
      if (earlier) return ok({ item: toItem(earlier) });
      if (replyCollides(state, input)) {
        // Everything since what they saw, so the client catches up in one go.
        const newer = await itemsAfter(this.#db, state.id, input.lastSeenSeq ?? 0);
        const details: z.infer<typeof Collision> = { newer: newer.map(toItem) };
        return fail("collision", "Someone else wrote in this conversation since you last looked", details);
      }
      const files = await attachable(this.#db, state.workspaceId, input.author, input.attachmentIds ?? [], Date.now());
      if (typeof files === "string") return filesRefused(files);
      const change = planPost(state, input, key || undefined, files);
      let item: Item | undefined;
      try {
        [item] = await this.#commit(state, change);
      } catch (error) {
        if (isLinkedTwice(error)) return filesRefused(LINKED_TWICE);
        throw error;
      }
      if (change.followersAdded?.length) this.#sendConversation(state);
      if (input.author.type === "user" && input.author.id) await this.#setDraft(input.author.id, input.author.name, "");
      return ok({ item: item! });
    });
  }

  /**
   * Forwards the thread by email: the `forwarded` event, its outbox row and
   * the remembered recipients in one batch; a repeated key returns the first event.
   */
  forward(conversationId: string, input: ForwardThread, actor: AuthorRef): Promise<Result<{ item: Item }>> {
    const key = input.idempotencyKey && `${actor.type}:${actor.id ?? ""}:forward:${input.idempotencyKey}`;
    return this.#write(conversationId, async (state) => {
      const earlier = key && (await itemByKey(this.#db, state.id, key));
      if (earlier) return ok({ item: toItem(earlier) });
      const [item] = await this.#commit(state, planForward(input, actor, key || undefined));
      return ok({ item: item! });
    });
  }

  /** Changes status, assignee, team, priority or inbox, recording each change as an event. */
  update(conversationId: string, input: UpdateConversation, actor: AuthorRef): Promise<Result<{ items: Item[] }>> {
    return this.#write(
      conversationId,
      async (state) => {
        const planned = planUpdate(state, input, actor);
        if (typeof planned === "string") return fail("conflict", planned);
        // Followers who cannot see the inbox it moves to stop following, in the same change.
        const to = planned.patch?.inboxId;
        const change = to
          ? withAccessDrop(planned, state, await levelsIn(this.#db, to, [...state.followers]))
          : planned;
        const movedFrom = change.patch?.inboxId ? state.inboxId : undefined;
        const result = await this.#change(state, change, movedFrom);
        if (movedFrom) await this.#recheckSockets(state.inboxId);
        return result;
      },
      true,
    );
  }

  /**
   * The customer rates the current resolution, once: checked here, in the
   * queue, so of two submits at once the second finds it rated (and the
   * ratings table's key refuses it even so).
   */
  rate(conversationId: string, input: RatingInput, customer: AuthorRef): Promise<Result<{ rating: Rating }>> {
    return this.#write(conversationId, async (state) => {
      const planned = planRating(state, input, customer);
      if (typeof planned === "string") return fail("conflict", planned);
      try {
        const [item] = await this.#commit(state, planned);
        return ok({ rating: { score: input.score, comment: planned.rating!.comment, createdAt: item!.createdAt } });
      } catch (error) {
        if (String(error).includes("UNIQUE constraint failed")) return fail("conflict", ALREADY_RATED);
        throw error;
      }
    });
  }

  /** Replaces the conversation's tags (already resolved to workspace tags). */
  setTags(conversationId: string, wanted: Ref[], actor: AuthorRef): Promise<Result<{ items: Item[] }>> {
    return this.#write(conversationId, (state) => this.#change(state, planTags(state, wanted, actor)), true);
  }

  setFollower(conversationId: string, user: Ref, following: boolean, actor: AuthorRef) {
    const change = (state: RoomState) => this.#change(state, planFollower(state, user, following, actor));
    return this.#write(conversationId, change, true);
  }

  /**
   * Adds or removes a link this conversation owns, or records the other side's
   * event. One link per pair: checked here, in the queue, and made certain by
   * D1's unique indexes against the other side's room.
   */
  link(conversationId: string, change: LinkChange, actor: AuthorRef): Promise<Result<{ items: Item[] }>> {
    return this.#write(conversationId, async (state) => {
      if ("add" in change) {
        const { add } = change;
        const to = "ticket" in add ? { ticketId: add.ticket.id } : { conversationId: add.conversation.id };
        if (await existingLink(this.#db, state.id, to)) return fail("conflict", "These are already linked");
      }
      if ("remove" in change && !(await ownedLink(this.#db, state.id, change.remove.id))) {
        return fail("not_found", "Link not found");
      }
      try {
        return await this.#change(state, planLink(change, actor));
      } catch (error) {
        if (String(error).includes("UNIQUE constraint failed")) return fail("conflict", "These are already linked");
        throw error;
      }
    });
  }

  /**
   * Someone's access changed (a grant changed or removed, a role lowered, a
   * user deactivated): their sockets here follow at once — closed when they
   * can no longer see the inbox, kept but silenced (no typing, no drafts)
   * below reply.
   */
  recheckAccess(conversationId: string, userIds: string[]): Promise<Result<Record<string, never>>> {
    return this.#write(
      conversationId,
      async (state) => {
        await this.#recheckSockets(state.inboxId, userIds);
        return ok({});
      },
      true,
    );
  }

  /**
   * Drops followers who can no longer see the conversation's inbox and an
   * assignee who can no longer reply there, each with an event (the access
   * sweep asks, after someone's access changed).
   */
  dropWithoutAccess(conversationId: string): Promise<Result<{ changed: boolean }>> {
    return this.#write(
      conversationId,
      async (state) => {
        const people = [...state.followers, ...(state.assigneeId ? [state.assigneeId] : [])];
        const change = planAccessDrop(state, await levelsIn(this.#db, state.inboxId, people));
        await this.#change(state, change);
        return ok({ changed: change.items.length > 0 });
      },
      true,
    );
  }

  /** The minute sweep's change, re-checked by the room: a conversation that moved on is left alone. */
  sweep(conversationId: string, reason: SystemReason, now: number, before?: number) {
    return this.#write<{ changed: boolean }>(
      conversationId,
      async (state) => {
        const change = planSweep(state, reason, now, before);
        if (change) await this.#change(state, change);
        return ok({ changed: !!change });
      },
      true,
    );
  }

  /**
   * Merges this conversation into `intoId` (the caller checked reply access
   * to both and that they are the same customer's). How the two rooms
   * coordinate without deadlock, and why each step can run again: see
   * rooms/merge.ts. The minute sweep calls this again for a merge left pending.
   */
  merge(conversationId: string, intoId: string, actor: AuthorRef): Promise<Result<{ intoId: string }>> {
    return this.#queue.run(async () => {
      this.#state = null;
      const state = await this.#load(conversationId);
      if (!state) return fail("not_found", "Conversation not found");
      if (state.mergedInto !== null && state.mergedInto !== intoId) {
        return fail("conflict", "This conversation was already merged into another one", {
          mergedInto: state.mergedInto,
        });
      }
      const into = await mergeRef(this.#db, intoId);
      if (!into) return fail("not_found", "Conversation not found");
      if (state.mergedInto === null) {
        if (state.lastSeq > MAX_MERGE_ITEMS) {
          return fail("conflict", `A conversation of more than ${MAX_MERGE_ITEMS} items cannot be merged`);
        }
        if (!(await claimMerge(this.#db, state, intoId, actor, Date.now()))) {
          return fail("conflict", "These two cannot be merged now: one of them was merged, or is being merged");
        }
        state.mergedInto = intoId;
      }
      if (state.status !== "merged") await this.#commit(state, planClose(into, actor));
      const absorbed = await getConversationRoom(this.env, intoId).absorb(intoId, state.id);
      if (!absorbed.ok) return absorbed;
      await this.#db.batch(cleanupWrites(this.#db, state.id));
      state.followers = new Set();
      state.tags = new Map();
      this.#hub.summary(state);
      this.#sendConversation(state);
      // The customer's widget follows to the target; every socket here closes (the app reopens the target).
      this.#broadcast({ type: "merged", conversationId: intoId });
      for (const ws of this.ctx.getWebSockets()) closeSocket(ws, CloseCodes.merged, "merged");
      return ok({ intoId });
    });
  }

  /** The target's half of a merge: copies the (closed) source in, once. */
  absorb(conversationId: string, sourceId: string): Promise<Result<{ done: true }>> {
    return this.#write(
      conversationId,
      async (state) => {
        const [merge] = await this.#db.select().from(merges).where(eq(merges.sourceId, sourceId));
        if (!merge || merge.targetId !== state.id) return fail("not_found", "No such merge");
        if (merge.status === "done") return ok({ done: true as const });
        const actor: AuthorRef = { type: "user", id: merge.actorId, name: merge.actorName };
        const source = await readSource(this.#db, sourceId, actor);
        if (!source) return fail("not_found", "Conversation not found");
        const taken = await takenKeys(this.#db, state.id, source);
        await this.#change(state, planAbsorb(this.#db, state, source, taken, Date.now()));
        return ok({ done: true as const });
      },
      true,
    );
  }

  /**
   * A contact merge (contacts/merge.ts) moves this conversation from contact
   * `fromId` to `intoId`. Written here, in the queue, so the room's state never
   * keeps the old contact; merged (read-only) conversations move too, since the
   * customer's widget follows them by contact. Asking twice changes nothing.
   */
  changeContact(conversationId: string, fromId: string, intoId: string): Promise<Result<{ changed: boolean }>> {
    return this.#queue.run(async () => {
      this.#state = null;
      const state = await this.#load(conversationId);
      if (!state) return fail("not_found", "Conversation not found");
      if (state.contactId !== fromId) return ok({ changed: false });
      await this.#db
        .update(conversations)
        .set({ contactId: intoId, updatedAt: Date.now() })
        .where(and(eq(conversations.id, state.id), eq(conversations.contactId, fromId)));
      state.contactId = intoId;
      this.#hub.summary(state);
      if (!state.mergedInto) this.#sendConversation(state);
      return ok({ changed: true });
    });
  }

  /**
   * The back-fill (cron/sla.ts): measures a conversation from before metrics
   * from its timeline, once. A merged one only gets marked: its items are
   * measured where they live now.
   */
  backfill(conversationId: string): Promise<Result<{ changed: boolean }>> {
    return this.#queue.run(async () => {
      this.#state = null;
      const state = await this.#load(conversationId);
      if (!state) return fail("not_found", "Conversation not found");
      if (state.metricsRecorded) return ok({ changed: false });
      if (state.mergedInto) {
        await this.#db.update(conversations).set({ metricsRecorded: 1 }).where(eq(conversations.id, state.id));
        state.metricsRecorded = true;
        return ok({ changed: true });
      }
      const rollups = await this.#replayOnce(state);
      await this.#saveTracked(state, state.tracked, rollups);
      return ok({ changed: true });
    });
  }

  /**
   * The inbox's hours or targets changed (cron/sla.ts): sets the clock the new
   * terms give. Metrics already measured keep their values.
   */
  reclock(conversationId: string): Promise<Result<{ changed: boolean }>> {
    return this.#write<{ changed: boolean }>(
      conversationId,
      async (state) => {
        const unrecorded = !state.metricsRecorded;
        const rollups = await this.#replayOnce(state);
        const terms = await termsOf(this.#db, state.inboxId);
        const clock = currentClock(state.tracked, clocksRun(state.status), terms);
        if (!unrecorded && sameClock(clock, state.tracked.clock)) return ok({ changed: false });
        await this.#saveTracked(state, { ...state.tracked, clock }, rollups);
        return ok({ changed: true });
      },
      true,
    );
  }

  /** Writes a clock and metrics that no timeline item caused (with any back-filled rollups), and tells everyone. */
  async #saveTracked(state: RoomState, tracked: Tracked, rollups: BatchItem<"sqlite">[]): Promise<void> {
    await this.#db.batch([
      this.#db
        .update(conversations)
        .set({ ...trackedColumns(tracked), metricsRecorded: 1 })
        .where(eq(conversations.id, state.id)),
      ...rollups,
    ]);
    state.tracked = tracked;
    state.metricsRecorded = true;
    this.#hub.summary(state);
    this.#sendConversation(state);
  }

  /**
   * The minute sweep found the clock run out (cron/sla.ts): marks it
   * breached and tells the assignee, or the team's members when unassigned,
   * once. A clock that moved on since (answered, resolved, re-set) is left alone.
   */
  markBreach(conversationId: string, now: number): Promise<Result<{ breached: boolean }>> {
    return this.#write<{ breached: boolean }>(conversationId, async (state) => {
      const clock = state.tracked.clock;
      if (!clock || clock.breached || clock.dueAt > now) return ok({ breached: false });
      const [audience, terms] = await Promise.all([this.#breachAudience(state), termsOf(this.#db, state.inboxId)]);
      const notices = breachNotices(state, clock, audience, now);
      const noticed = noticeWrites(this.#db, notices, now);
      const results = await this.#db.batch([
        this.#db
          .update(conversations)
          .set({ slaBreached: true })
          .where(and(eq(conversations.id, state.id), eq(conversations.slaDueAt, clock.dueAt))),
        ...noticed,
        ...rollupWrites(this.#db, placeOf(state, terms), [breachTally(clock)]),
      ]);
      state.tracked = { ...state.tracked, clock: { ...clock, breached: true } };
      this.#hub.summary(state);
      this.#noticesCommitted(state, notices, results, 1 + noticed.length);
      this.#sendConversation(state);
      return ok({ breached: true });
    });
  }

  /** Who hears of a breach: the assignee, else the team's members; of them, those who can open it. */
  async #breachAudience(state: RoomState): Promise<string[]> {
    const people = state.assigneeId
      ? [state.assigneeId]
      : state.teamId
        ? await teamMemberIds(this.#db, state.teamId)
        : [];
    if (!people.length) return [];
    const levels = await levelsIn(this.#db, state.inboxId, people);
    // A deactivated person has no level.
    return people.filter((id) => levels.get(id)?.level);
  }

  /**
   * Runs `task` in the queue with the conversation's state; 404 when the
   * conversation does not exist. Field changes are rare and read it `fresh`
   * from D1, so a team or tag deleted by a foreign key never leaves a cached
   * copy behind.
   */
  #write<T>(conversationId: string, task: (state: RoomState) => Promise<Result<T>>, fresh = false): Promise<Result<T>> {
    return this.#queue.run(async () => {
      if (fresh) this.#state = null;
      const state = await this.#load(conversationId);
      if (!state) return fail("not_found", "Conversation not found");
      // Merged: read-only; what would be written here belongs in the conversation it was merged into.
      if (state.mergedInto) {
        return fail("conflict", "This conversation was merged into another one", { mergedInto: state.mergedInto });
      }
      return task(state);
    });
  }

  /** Call only from a task in the queue. */
  async #load(conversationId: string): Promise<RoomState | null> {
    if (this.#state?.id !== conversationId) {
      this.#state = await loadRoomState(this.#db, conversationId);
    }
    return this.#state;
  }

  /** Where the conversation lives, for a join or a presence publication: read through the queue. */
  #place(conversationId: string): Promise<Place | null> {
    if (this.#state?.id === conversationId) return Promise.resolve(this.#state);
    return this.#queue.run(() => this.#load(conversationId));
  }

  /** Commits a field change (if it changed anything) and sends the new conversation to the room. */
  async #change(state: RoomState, change: Change, movedFrom?: string): Promise<Result<{ items: Item[] }>> {
    if (!change.items.length) return ok({ items: [] });
    const items = await this.#commit(state, change, movedFrom);
    this.#sendConversation(state);
    return ok({ items });
  }

  /**
   * Writes a change in one D1 batch (a transaction), then advances the state
   * and tells everyone. On failure the state is dropped and read again by the
   * next task, so it never runs ahead of what is stored.
   */
  async #commit(state: RoomState, change: Change, movedFrom?: string): Promise<Item[]> {
    const inboxId = change.patch?.inboxId ?? state.inboxId;
    const [canOpen, terms] = await Promise.all([this.#whoCanOpen(state, change), termsOf(this.#db, inboxId)]);
    // A conversation from before metrics is replayed first, in the same batch (on failure the state is read again).
    const also = [...(await this.#replayOnce(state)), ...(change.also ?? [])];
    const plan = planCommit(this.#db, state, { ...change, canOpen, terms, also }, Date.now(), this.env.APP_URL);
    const before = customerState(state);
    let results: readonly unknown[];
    try {
      results = await this.#db.batch(plan.writes);
      this.#sendWebhooks(plan.webhookEvents, results);
    } catch (error) {
      this.#state = null;
      throw error;
    }
    plan.apply();
    const customer = await this.#forCustomers(state, plan.items);
    for (const item of plan.items) this.#broadcast({ type: "item", item, customer: customer.get(item.seq) });
    // Resolved, reopened or rated: the customer's widget changes what it offers.
    const after = customerState(state);
    if (!sameCustomerState(before, after)) this.#broadcast({ type: "state", state: after });
    this.#hub.summary(state, movedFrom);
    this.#noticesCommitted(state, plan.notifications, results, plan.noticesEnd);
    return plan.items;
  }

  /**
   * For a conversation from before metrics: replays its timeline into
   * `state.tracked` and returns the rollups to write with the next batch
   * (which marks it recorded). Nothing once recorded.
   */
  async #replayOnce(state: RoomState): Promise<BatchItem<"sqlite">[]> {
    if (state.metricsRecorded) return [];
    const replayed = await replay(this.#db, state, await termsOf(this.#db, state.inboxId));
    state.tracked = replayed.tracked;
    return replayed.rollups;
  }

  /** Once notifications are written: the bell hears of those shown in-app, and their pushes go out. */
  #noticesCommitted(
    state: RoomState,
    notices: { userId: string; notification: Notification }[],
    results: readonly unknown[],
    end: number,
  ): void {
    if (!notices.length) return;
    this.#hub.notifications(state, shownNotices(notices, results, end));
    // The statement before the last queued the pushes (see noticeWrites): nothing queued, nothing to send.
    if (writtenRows(results[end - 2]) > 0) sendPushesSoon(this.env, (p) => this.ctx.waitUntil(p), noticeIds(notices));
  }

  /**
   * Hands the change's webhook events that were written (someone subscribes)
   * to the queue, without waiting: a reply's answer never waits on webhooks,
   * and an event the queue did not take is sent again by the minute sweep.
   */
  #sendWebhooks(events: { id: string; write: number }[], results: readonly unknown[]): void {
    const written = events.filter((e) => writtenRows(results[e.write]) > 0);
    if (written.length)
      void enqueue(
        this.env.WEBHOOKS,
        written.map((e) => ({ event: e.id })),
      );
  }

  /**
   * The customer's copies of the customer-visible items that carry files,
   * their URLs signed; empty when no customer is here to receive them.
   */
  async #forCustomers(state: RoomState, items: Item[]): Promise<Map<number, CustomerItem>> {
    const visible = items.filter((i) => isCustomerKind(i.kind) && i.attachments?.length);
    if (!visible.length || !this.ctx.getWebSockets("customer").length) return new Map();
    try {
      const signed = await this.#signed(state, visible.map(toCustomerItem));
      return new Map(signed.map((i) => [i.seq, i]));
    } catch (error) {
      // The change is committed: it still goes out, its files unsigned (the widget's next fetch signs them).
      console.error("signing file URLs failed", state.id, error);
      return new Map();
    }
  }

  #signed(state: Pick<RoomState, "workspaceId">, items: CustomerItem[]): Promise<CustomerItem[]> {
    return signedForCustomer(() => {
      if (this.#key?.workspaceId !== state.workspaceId)
        this.#key = {
          workspaceId: state.workspaceId,
          key: filesKey(this.#db, state.workspaceId).catch((error) => {
            this.#key = null;
            throw error;
          }),
        };
      return this.#key.key;
    }, items);
  }

  /** Of the people a change may notify (followers, the assignee, the mentioned), those who can open it now. */
  async #whoCanOpen(state: RoomState, change: Change): Promise<Set<string>> {
    const inboxId = change.patch?.inboxId ?? state.inboxId;
    const assigneeId = change.patch?.assigneeId !== undefined ? change.patch.assigneeId : state.assigneeId;
    const people = new Set([...state.followers, ...(change.followersAdded ?? []), ...(change.mentioned ?? [])]);
    if (change.forwarder) people.add(change.forwarder);
    if (assigneeId) people.add(assigneeId);
    if (change.actorId) people.delete(change.actorId);
    if (!people.size) return people;
    const levels = await levelsIn(this.#db, inboxId, [...people]);
    return new Set([...people].filter((id) => levels.get(id)?.level));
  }

  // ——— Sockets: presence, drafts, catch-up ———————————————————————————————

  /** Accepts a socket the worker has authenticated and named (see sockets.ts). */
  override async fetch(request: Request): Promise<Response> {
    const identity = identityOf(request);
    if (!identity || identity.audience === "list")
      return new Response("expected a socket from the worker", { status: 400 });
    if (!(await this.#place(identity.conversationId))) return new Response("not found", { status: 404 });
    const joined = { ready: false, seenAt: Date.now() };
    const attachment: Attachment =
      identity.audience === "agent" ? { ...identity, ...joined, state: "viewing" } : { ...identity, ...joined };
    const { response } = acceptSocket(this.ctx, this.#sockets, attachment, [identity.audience]);
    await this.#armHeartbeat();
    return response;
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const attachment = this.#sockets.get(ws);
    const now = Date.now();
    if (now - attachment.seenAt > 1000) {
      attachment.seenAt = now;
      this.#sockets.set(ws, attachment);
    }
    const spent = spendFrame(this.#budgets, ws);
    if (spent === "closed") return this.#left(ws);
    if (!spent) return;
    const frame = parseClientFrame(message);
    if (!frame) return sendFrame(ws, malformedFrame);
    const greeted = attachment.ready || this.#greeting.has(ws);
    switch (frame.type) {
      case "ping":
        return sendText(ws, PONG);
      case "hello":
        if (greeted)
          return sendFrame(ws, { type: "error", code: "conflict", message: "This socket already said hello" });
        this.#greeting.add(ws);
        return this.#queue.run(() => this.#hello(ws, frame.lastSeq));
      case "presence": {
        // Before hello a socket is not in the room: what it says would outlive it.
        if (!greeted || attachment.audience !== "agent") return;
        if (frame.state === "typing" && !attachment.canWrite) return;
        const kind = frame.state === "typing" ? (frame.kind ?? "reply") : undefined;
        if (attachment.state === frame.state && attachment.kind === kind) return;
        return this.#changePresence(() => this.#sockets.set(ws, { ...attachment, state: frame.state, kind }));
      }
      case "draft":
        if (!greeted || attachment.audience !== "agent" || !attachment.canWrite) return;
        return this.#setDraft(attachment.userId, attachment.name, frame.body, ws);
    }
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    answerClose(ws, code);
    await this.#left(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.#left(ws);
  }

  /** The heartbeat sweep: a socket silent past the timeout is closed and its presence cleared. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const timeout = Number(this.env.HEARTBEAT_TIMEOUT_MS ?? 6000);
    for (const ws of this.ctx.getWebSockets()) {
      const pinged = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0;
      if (isStale(Math.max(this.#sockets.get(ws).seenAt, pinged), now, timeout)) {
        closeSocket(ws, CloseCodes.heartbeat_timeout, "heartbeat timeout");
        await this.#left(ws);
      }
    }
    // Keep the list views' marker alive while anyone is here (the hub expires unrefreshed ones).
    const viewers = this.#viewers();
    if (viewers.length && this.#hub.presenceDue(now)) this.#publishPresence(viewers);
    await this.#armHeartbeat();
  }

  /** Replays what the client missed, then marks the socket live; runs in the queue so nothing slips between. */
  async #hello(ws: WebSocket, lastSeq: number): Promise<void> {
    const state = await this.#load(this.#sockets.get(ws).conversationId);
    if (!state) return closeSocket(ws, CloseCodes.not_found, "conversation not found");
    const agent = this.#sockets.get(ws).audience === "agent";
    // Access may have changed since the worker let the socket in: checked again before any item is replayed.
    if (agent) {
      await this.#recheckSockets(state.inboxId, [(this.#sockets.get(ws) as AgentAttachment).userId]);
      if (this.ctx.getWebSockets("agent").indexOf(ws) < 0 || ws.readyState !== WebSocket.READY_STATE_OPEN) return;
    }
    const missed = await itemsAfter(this.#db, state.id, lastSeq, agent ? undefined : CUSTOMER_KINDS);
    const forCustomer = agent ? [] : await this.#signed(state, missed.map(toItem).map(toCustomerItem));
    // Frames that arrived while D1 was read (a presence change, say) updated the
    // attachment meanwhile: mark the fresh copy ready, not the one read above.
    const current = this.#sockets.get(ws);
    const before = this.#attachments();
    this.#sockets.set(ws, { ...current, ready: true });
    this.#greeting.delete(ws);
    if (agent) {
      const viewers = this.#viewers();
      sendFrame(ws, { type: "welcome", viewers, drafts: await this.#drafts.list(), lastSeq: state.lastSeq });
      for (const row of missed) sendFrame(ws, { type: "item", item: toItem(row) });
      this.#presenceChanged(before, this.#attachments(), ws);
    } else {
      sendFrame(ws, { type: "welcome", lastSeq: state.lastSeq });
      sendFrame(ws, { type: "state", state: customerState(state) });
      for (const item of forCustomer) sendFrame(ws, { type: "item", item });
      if (replyTyping(before)) sendFrame(ws, { type: "typing", active: true });
    }
  }

  /** Runs a change to presence and tells whoever it concerns. */
  async #changePresence(change: () => void): Promise<void> {
    const before = this.#attachments();
    change();
    this.#presenceChanged(before, this.#attachments());
  }

  /**
   * Agents (but `except`) and the list views hear of a change to who is here
   * and what they do; customers only of one to whether a reply is being typed.
   */
  #presenceChanged(before: Attachment[], after: Attachment[], except?: WebSocket): void {
    const viewers = viewersOf(after);
    if (!sameViewers(viewersOf(before), viewers)) {
      this.#broadcast({ type: "presence", viewers }, except);
      this.#publishPresence(viewers);
    }
    const typing = replyTyping(after);
    if (typing !== replyTyping(before)) this.#broadcast({ type: "typing", active: typing });
  }

  #publishPresence(viewers: Viewer[]): void {
    const [socket] = this.ctx.getWebSockets();
    const conversationId = this.#state?.id ?? (socket && this.#sockets.get(socket).conversationId);
    if (conversationId) this.#hub.presence(() => this.#place(conversationId), viewers);
  }

  async #left(ws: WebSocket): Promise<void> {
    const gone = this.#sockets.get(ws);
    if (gone?.audience !== "agent" || !(gone.ready || this.#greeting.has(ws))) return;
    // The closing socket may still be listed; presence is computed without it.
    const others = this.ctx.getWebSockets("agent").filter((s) => s !== ws);
    const stillHere = others.map((s) => this.#sockets.get(s));
    if (!stillHere.some((a) => a.audience === "agent" && a.userId === gone.userId)) {
      await this.#setDraft(gone.userId, gone.name, "");
    }
    this.#presenceChanged([...stillHere, gone], stillHere, ws);
  }

  /**
   * Stores and streams an agent's draft to the other agents; an empty body
   * clears it. In a large room the drafts of all typists go out together, one
   * frame per DRAFT_FRAME_MS (the first of a quiet spell at once): each
   * viewer's frames a second stay bounded however many type, or however fast.
   */
  async #setDraft(userId: string, name: string, body: string, from?: WebSocket): Promise<void> {
    if (!(await this.#drafts.set(userId, name, body))) return;
    const agents = this.ctx.getWebSockets("agent");
    if (agents.length > Number(this.env.LARGE_ROOM_SOCKETS ?? 20)) {
      this.#draftBatch.set(userId, body);
      this.#draftFrames.request();
      return;
    }
    // The room just shrank: a batched older body must not follow this one.
    this.#draftBatch.delete(userId);
    const text = encodeFrame({ type: "draft", userId, body });
    for (const ws of agents) {
      const a = this.#sockets.get(ws) as AgentAttachment;
      if (ws !== from && a.ready && a.userId !== userId) sendText(ws, text);
    }
  }

  /** The drafts changed since the last batch, to every agent (a typist's own left out of theirs). */
  #sendDrafts(): void {
    const drafts = [...this.#draftBatch].map(([userId, body]) => ({ userId, body }));
    this.#draftBatch.clear();
    if (!drafts.length) return;
    const all = encodeFrame({ type: "drafts", drafts });
    const typists = new Map<string, string | null>(drafts.map((d) => [d.userId, null]));
    for (const ws of this.ctx.getWebSockets("agent")) {
      const a = this.#sockets.get(ws) as AgentAttachment;
      if (!a.ready) continue;
      if (!typists.has(a.userId)) {
        sendText(ws, all);
        continue;
      }
      let own = typists.get(a.userId);
      if (own === null) {
        const others = drafts.filter((d) => d.userId !== a.userId);
        own = others.length ? encodeFrame({ type: "drafts", drafts: others }) : "";
        typists.set(a.userId, own);
      }
      if (own) sendText(ws, own);
    }
  }

  #viewers(): Viewer[] {
    return viewersOf(this.#attachments());
  }

  #attachments(): Attachment[] {
    return this.ctx.getWebSockets("agent").map((ws) => this.#sockets.get(ws));
  }

  /** Sends an event to every live socket, shaped once per audience (audience.ts decides who sees what). */
  #broadcast(event: RoomEvent, except?: WebSocket): void {
    const texts = new Map<Audience, string | null>();
    for (const ws of this.ctx.getWebSockets()) {
      const attachment = this.#sockets.get(ws);
      if (ws === except || !attachment.ready) continue;
      if (!texts.has(attachment.audience)) {
        const frame = frameFor(event, attachment.audience);
        texts.set(attachment.audience, frame && encodeFrame(frame));
      }
      const text = texts.get(attachment.audience);
      if (text) sendText(ws, text);
    }
  }

  /** Keeps one alarm pending while any socket is open. */
  async #armHeartbeat(): Promise<void> {
    if (this.ctx.getWebSockets().length === 0) return;
    if ((await this.ctx.storage.getAlarm()) !== null) return;
    await this.ctx.storage.setAlarm(Date.now() + Number(this.env.HEARTBEAT_SWEEP_MS ?? 2000));
  }

  /**
   * Sends the full conversation to the room's agents after a change of its
   * fields. Links into other inboxes are shown only to agents who can see them.
   */
  #sendConversation(state: RoomState): void {
    this.#hub.run(async () => {
      const [conversation, scoped] = await Promise.all([
        getConversation(this.#db, state.id, () => true),
        getLinks(this.#db, state.id),
      ]);
      if (!conversation) return;
      if (!scoped.some((l) => l.inboxId !== null)) return this.#broadcast({ type: "conversation", conversation });
      const agents = this.ctx
        .getWebSockets("agent")
        .map((ws) => ({ ws, a: this.#sockets.get(ws) as AgentAttachment }))
        .filter(({ a }) => a.ready);
      const sees = await inboxesSeenBy(
        this.#db,
        agents.map(({ a }) => a.userId),
      );
      for (const { ws, a } of agents) {
        const seen = sees.get(a.userId);
        const links = visibleLinks(scoped, (inboxId) => seen === "*" || !!seen?.has(inboxId));
        sendFrame(ws, { type: "conversation", conversation: { ...conversation, links } });
      }
    });
  }

  /**
   * Access follows the inbox: agents (all, or `only` these) who can no longer
   * see it are shown the door; those below reply may watch but not type.
   */
  async #recheckSockets(inboxId: string, only?: string[]): Promise<void> {
    const agentOf = (ws: WebSocket) => this.#sockets.get(ws) as AgentAttachment;
    const sockets = this.ctx.getWebSockets("agent").filter((ws) => !only || only.includes(agentOf(ws).userId));
    if (!sockets.length) return;
    const levels = await levelsIn(
      this.#db,
      inboxId,
      sockets.map((ws) => agentOf(ws).userId),
    );
    for (const ws of sockets) {
      const agent = agentOf(ws);
      const level = levels.get(agent.userId)?.level ?? null;
      if (levels.get(agent.userId)?.active === false) {
        closeSocket(ws, CloseCodes.unauthenticated, "signed out");
        await this.#left(ws);
        continue;
      }
      if (level === null) {
        closeSocket(ws, CloseCodes.not_found, "You can no longer see this conversation");
        await this.#left(ws);
        continue;
      }
      const canWrite = mayType(level);
      if (canWrite === agent.canWrite) continue;
      await this.#changePresence(() =>
        this.#sockets.set(ws, {
          ...agent,
          canWrite,
          ...(canWrite ? {} : { state: "viewing", kind: undefined }),
        }),
      );
      if (!canWrite) await this.#setDraft(agent.userId, agent.name, "");
    }
  }
}

/** Rows a batched statement wrote (its D1 result's `meta.changes`). */
const writtenRows = (result: unknown) => (result as Partial<D1Result> | undefined)?.meta?.changes ?? 0;

function newRoomState(input: CreateConversation, now: number, tracked: Tracked): RoomState {
  return {
    ...{ id: input.conversationId, workspaceId: input.workspaceId, inboxId: input.inboxId },
    ...{ contactId: input.contactId, subject: input.subject },
    ...{ status: "open", priority: "none", assigneeId: null, teamId: null, snoozedUntil: null },
    ...{ lastSeq: 1, lastActivityAt: now, lastPublicSeq: 1, followers: new Set(), tags: new Map(), resolution: null },
    ...{ mergedInto: null, tracked, metricsRecorded: true },
  };
}

/**
 * The room's RPC surface as declared. Its results are plain data that RPC
 * passes through unchanged, but the stub's generated types collapse payloads
 * holding `unknown` (event details) to `never`, which would switch type
 * checking off at every call: this facade keeps the declared types.
 */
export type RoomRpc = Pick<
  ConversationRoom,
  | "create"
  | "backfill"
  | "reclock"
  | "markBreach"
  | "post"
  | "forward"
  | "update"
  | "rate"
  | "setTags"
  | "setFollower"
  | "link"
  | "sweep"
  | "recheckAccess"
  | "dropWithoutAccess"
  | "merge"
  | "absorb"
  | "changeContact"
> & {
  fetch(request: Request): Promise<Response>;
};

/** The Durable Object stub itself, for the runtime's own APIs (tests evict and run alarms with it). */
export function conversationRoomStub(env: Env, conversationId: string) {
  return env.CONVERSATION_ROOM.get(env.CONVERSATION_ROOM.idFromName(conversationId));
}

/** The room of one conversation. */
export function getConversationRoom(env: Env, conversationId: string): RoomRpc {
  return conversationRoomStub(env, conversationId) as unknown as RoomRpc;
}
