import { DurableObject } from "cloudflare:workers";
import { and, eq, gt, inArray } from "drizzle-orm";
import {
  CUSTOMER_KINDS,
  ClientFrame,
  CloseCodes,
  MAX_DRAFT_CHARS,
  PING,
  PONG,
  type CustomerKind,
  type Item,
  type ItemKind,
  type Priority,
  type Status,
  type Viewer,
} from "../contract";
import { getDb } from "../db/client";
import { findConversation, getConversation, getLinks, getSummary, visibleLinks } from "../db/queries/conversations";
import { toItem } from "../db/queries/items";
import { conversations, inboxAccess, timelineItems, users } from "../db/schema";
import { agentMayMove, statusAfterItem, systemMove, type SystemReason } from "../domain/status";
import { fail, ok, type Result } from "../errors";
import { frameFor, type Audience, type RoomEvent } from "./audience";
import { anyoneTyping, isStale, sameViewers, viewersOf, type AgentAttachment, type Attachment } from "./presence";
import {
  itemRow,
  loadRoomState,
  planCommit,
  previewOf,
  type AuthorRef,
  type Change,
  type FieldPatch,
  type NewItem,
  type RoomState,
} from "./room-writes";
import { SerialQueue } from "./serial-queue";
import { getWorkspaceHub, PRESENCE_TTL_MS, trySend } from "./workspace-hub";

export type { AuthorRef } from "./room-writes";

export const SYSTEM: AuthorRef = { type: "system", id: null, name: "Switchboard" };

type Ref = { id: string; name: string };

export interface CreateConversation {
  conversationId: string;
  workspaceId: string;
  inboxId: string;
  contactId: string;
  subject: string | null;
  /** The opening message: a customer's, or an agent's reply when an agent starts it. */
  first: { kind: CustomerKind; body: string; author: AuthorRef; messageId?: string };
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

export const RULES: AuthorRef = { type: "system", id: null, name: "Auto-assignment" };

export interface PostItem {
  kind: "customer" | "reply" | "note";
  body: string;
  author: AuthorRef;
  /** The last seq the author had seen; a reply behind a newer customer message or reply collides. */
  lastSeenSeq?: number;
  force?: boolean;
  idempotencyKey?: string;
  /** Agents mentioned in a note, checked by the caller to see the inbox. */
  mentions?: Ref[];
  /** Whether the mentioned agents also start following (the author may reply). */
  mentionsFollow?: boolean;
  /** The email's Message-ID, for items that arrive or leave by email. */
  messageId?: string;
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
}

const event = (author: AuthorRef, payload: Record<string, unknown>): NewItem => ({
  kind: "event",
  body: "",
  author,
  event: payload,
});

/**
 * One conversation's room: the only writer of that conversation.
 *
 * Every write runs through a serial queue: check, write to D1 in one batch,
 * then acknowledge, then broadcast. Seqs come from the last committed one, so
 * they are gapless; Idempotency-Keys are stored with the item, so a retry
 * returns the first result.
 */
export class ConversationRoom extends DurableObject<Env> {
  #queue = new SerialQueue();
  /** Hub publications, in commit order but off the acknowledgement's path. */
  #publications = new SerialQueue();
  #summaryQueued = false;
  /** The inbox a not-yet-published move left, so the hub can retract the row from its watchers. */
  #movedFrom: string | null = null;
  #presencePublishedAt = 0;
  #db = getDb(this.env.DB);
  #state: RoomState | null = null;
  /** Agents' unsent drafts by user; mirrored to storage so they outlive hibernation. */
  #drafts: Map<string, { name: string; body: string }> | null = null;
  #unsavedDrafts = new Map<string, { name: string; body: string }>();
  #draftTimer: ReturnType<typeof setTimeout> | null = null;
  /** Each socket's attachment as last written: no deserializing per socket per frame. Refills after hibernation. */
  #attachments = new WeakMap<WebSocket, Attachment>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Heartbeats are answered by the runtime without waking the room.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  /** Creates the conversation with its opening item; a repeated call returns the first result. */
  create(input: CreateConversation): Promise<Result<{ item: Item }>> {
    return this.#queue.run(async () => {
      const existing = await findConversation(this.#db, input.conversationId);
      if (existing) {
        const [first] = await this.#db
          .select()
          .from(timelineItems)
          .where(and(eq(timelineItems.conversationId, input.conversationId), eq(timelineItems.seq, 1)));
        return first ? ok({ item: toItem(first) }) : fail("conflict", "The conversation is being created");
      }
      const now = Date.now();
      const { first } = input;
      const row = itemRow(input.conversationId, 1, first, now);
      await this.#db.batch([
        this.#db.insert(conversations).values({
          id: input.conversationId,
          workspaceId: input.workspaceId,
          inboxId: input.inboxId,
          contactId: input.contactId,
          subject: input.subject,
          status: "open",
          lastSeq: 1,
          lastActivityAt: now,
          preview: previewOf(first.body),
          createdAt: now,
          updatedAt: now,
        }),
        this.#db.insert(timelineItems).values(row),
      ]);
      this.#state = {
        id: input.conversationId,
        workspaceId: input.workspaceId,
        inboxId: input.inboxId,
        status: "open",
        priority: "none",
        assigneeId: null,
        teamId: null,
        snoozedUntil: null,
        lastSeq: 1,
        lastActivityAt: now,
        lastPublicSeq: 1,
        followers: new Set(),
        tags: new Map(),
      };
      this.#publishSummary(this.#state);
      if (input.initial) await this.#applyRules(this.#state, input.initial);
      return ok({ item: toItem(row) });
    });
  }

  /** Posts a customer message, a reply or a note (with its mentions). */
  post(conversationId: string, input: PostItem): Promise<Result<{ item: Item }>> {
    // A key is scoped to its author: someone else's key never replays their item
    // (a customer must not get an agent's note back by guessing its key).
    const key = input.idempotencyKey && `${input.author.type}:${input.author.id ?? ""}:${input.idempotencyKey}`;
    return this.#write(conversationId, async (state) => {
      if (key) {
        const [earlier] = await this.#db
          .select()
          .from(timelineItems)
          .where(and(eq(timelineItems.conversationId, state.id), eq(timelineItems.idempotencyKey, key)));
        if (earlier) return ok({ item: toItem(earlier) });
      }
      if (
        input.kind === "reply" &&
        input.lastSeenSeq !== undefined &&
        !input.force &&
        state.lastPublicSeq > input.lastSeenSeq
      ) {
        // Everything since what they saw, so the client can catch up in one go.
        const newer = await this.#db
          .select()
          .from(timelineItems)
          .where(and(eq(timelineItems.conversationId, state.id), gt(timelineItems.seq, input.lastSeenSeq)))
          .orderBy(timelineItems.seq);
        return fail("collision", "Someone else wrote in this conversation since you last looked", {
          newer: newer.map(toItem),
        });
      }
      const items: NewItem[] = [
        { kind: input.kind, body: input.body, author: input.author, idempotencyKey: key, messageId: input.messageId },
      ];
      const status = statusAfterItem(state.status, input.kind);
      if (status !== state.status) items.push(statusEvent(state.status, status, SYSTEM, input.kind));

      // Mentions count in notes only; in replies they are just text.
      const mentioned = input.kind === "note" ? (input.mentions ?? []) : [];
      const newFollowers = input.mentionsFollow ? mentioned.filter((u) => !state.followers.has(u.id)) : [];
      for (const user of newFollowers) items.push(event(SYSTEM, { type: "follower_added", user, via: "mention" }));

      const [item] = await this.#commit(state, {
        items,
        patch: { status },
        actorId: input.author.type === "user" ? input.author.id : null,
        mentioned: mentioned.map((u) => u.id),
        followersAdded: newFollowers.map((u) => u.id),
      });
      if (newFollowers.length) this.#publishConversation(state);
      if (input.author.type === "user" && input.author.id) await this.#setDraft(input.author.id, input.author.name, "");
      return ok({ item: item! });
    });
  }

  /** Changes status, assignee, team and priority, recording each change as an event. */
  update(conversationId: string, input: UpdateConversation, actor: AuthorRef): Promise<Result<{ items: Item[] }>> {
    return this.#write(
      conversationId,
      async (state) => {
        const items: NewItem[] = [];
        const patch: FieldPatch = {};
        const resnooze =
          input.status === "snoozed" && state.status === "snoozed" && input.snoozedUntil !== state.snoozedUntil;
        if (input.status && (input.status !== state.status || resnooze)) {
          if (!agentMayMove(state.status, input.status)) {
            return fail("conflict", `A ${state.status} conversation cannot become ${input.status}`);
          }
          const until = input.status === "snoozed" ? input.snoozedUntil! : undefined;
          items.push(statusEvent(state.status, input.status, actor, undefined, until));
          patch.status = input.status;
          if (until !== undefined) patch.snoozedUntil = until;
        }
        if (input.assignee !== undefined && (input.assignee?.id ?? null) !== state.assigneeId) {
          items.push(event(actor, { type: "assigned", assignee: input.assignee }));
          patch.assigneeId = input.assignee?.id ?? null;
        }
        if (input.team !== undefined && (input.team?.id ?? null) !== state.teamId) {
          items.push(event(actor, { type: "team_assigned", team: input.team }));
          patch.teamId = input.team?.id ?? null;
        }
        if (input.priority && input.priority !== state.priority) {
          items.push(event(actor, { type: "priority_changed", from: state.priority, to: input.priority }));
          patch.priority = input.priority;
        }
        const moving = input.inbox && input.inbox.to.id !== state.inboxId ? input.inbox : null;
        if (moving) {
          items.push(event(actor, { type: "moved", from: moving.from, to: moving.to }));
          patch.inboxId = moving.to.id;
          this.#movedFrom = state.inboxId;
        }
        const result = await this.#change(state, { items, patch, actorId: actor.id });
        if (moving) await this.#closeSocketsWithoutAccess(moving.to.id);
        return result;
      },
      true,
    );
  }

  /** Replaces the conversation's tags (already resolved to workspace tags), one event per tag added or removed. */
  setTags(conversationId: string, wanted: Ref[], actor: AuthorRef): Promise<Result<{ items: Item[] }>> {
    return this.#write(
      conversationId,
      async (state) => {
        const wantedIds = new Set(wanted.map((t) => t.id));
        const tagsAdded = wanted.filter((t) => !state.tags.has(t.id));
        const tagsRemoved = [...state.tags].filter(([id]) => !wantedIds.has(id)).map(([id, name]) => ({ id, name }));
        const items = [
          ...tagsAdded.map((t) => event(actor, { type: "tag_added", tag: t.name })),
          ...tagsRemoved.map((t) => event(actor, { type: "tag_removed", tag: t.name })),
        ];
        return this.#change(state, { items, actorId: actor.id, tagsAdded, tagsRemoved });
      },
      true,
    );
  }

  /** Adds or removes a follower. */
  setFollower(
    conversationId: string,
    user: Ref,
    following: boolean,
    actor: AuthorRef,
  ): Promise<Result<{ items: Item[] }>> {
    return this.#write(
      conversationId,
      async (state) => {
        if (state.followers.has(user.id) === following) return ok({ items: [] });
        return this.#change(state, {
          items: [event(actor, { type: following ? "follower_added" : "follower_removed", user })],
          actorId: actor.id,
          ...(following ? { followersAdded: [user.id] } : { followersRemoved: [user.id] }),
        });
      },
      true,
    );
  }

  /**
   * Records a link: `own` when this conversation owns the link row (it was
   * linked from here), otherwise only the event, for the other side's timeline.
   */
  link(
    conversationId: string,
    change: {
      event: Record<string, unknown>;
      own?: { add?: { id: string; targetConversationId?: string; ticketId?: string }; remove?: string };
    },
    actor: AuthorRef,
  ): Promise<Result<{ items: Item[] }>> {
    return this.#write(conversationId, (state) =>
      this.#change(state, {
        items: [event(actor, change.event)],
        actorId: actor.id,
        linkAdded: change.own?.add,
        linkRemoved: change.own?.remove,
      }),
    );
  }

  /**
   * The minute sweep's change: wake an expired snooze, or resolve a conversation
   * idle since `before`. The room re-checks against its own fresh state, so a
   * conversation that moved on since the sweep looked is left alone.
   */
  sweep(
    conversationId: string,
    reason: SystemReason,
    now: number,
    before?: number,
  ): Promise<Result<{ changed: boolean }>> {
    return this.#write<{ changed: boolean }>(
      conversationId,
      async (state) => {
        const to = systemMove(state.status, reason);
        const due =
          reason === "snooze_expired"
            ? state.snoozedUntil !== null && state.snoozedUntil <= now
            : state.lastActivityAt <= (before ?? -Infinity);
        if (!to || !due) return ok({ changed: false });
        await this.#change(state, {
          items: [statusEvent(state.status, to, SYSTEM, reason)],
          patch: { status: to },
          actorId: null,
        });
        return ok({ changed: true });
      },
      true,
    );
  }

  /** Records what the rules decided, each as an event by "Auto-assignment", right after creation. */
  async #applyRules(state: RoomState, initial: InitialFields): Promise<void> {
    const via = { rules: initial.rules };
    const items: NewItem[] = [];
    const patch: FieldPatch = {};
    if (initial.team) {
      items.push(event(RULES, { type: "team_assigned", team: initial.team, ...via }));
      patch.teamId = initial.team.id;
    }
    if (initial.assignee) {
      items.push(event(RULES, { type: "assigned", assignee: initial.assignee, ...via }));
      patch.assigneeId = initial.assignee.id;
    }
    if (initial.priority && initial.priority !== "none") {
      items.push(event(RULES, { type: "priority_changed", from: "none", to: initial.priority, ...via }));
      patch.priority = initial.priority;
    }
    for (const tag of initial.tags ?? []) items.push(event(RULES, { type: "tag_added", tag: tag.name, ...via }));
    await this.#change(state, { items, patch, actorId: null, tagsAdded: initial.tags });
  }

  /** Commits a field change (if it changed anything) and sends the new conversation to the room. */
  async #change(state: RoomState, change: Change): Promise<Result<{ items: Item[] }>> {
    if (!change.items.length) return ok({ items: [] });
    const items = await this.#commit(state, change);
    this.#publishConversation(state);
    return ok({ items });
  }

  // ——— Sockets: presence, drafts, catch-up ———————————————————————————————

  /**
   * Accepts a socket the worker has authenticated. The worker names who it is
   * in headers (a Durable Object is not reachable from outside the worker).
   */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade") !== "websocket") return new Response("expected a websocket", { status: 426 });
    const conversationId = request.headers.get("x-sb-conversation")!;
    if (!(await this.#load(conversationId))) return new Response("not found", { status: 404 });
    const audience = request.headers.get("x-sb-audience") as Audience;
    const now = Date.now();
    const attachment: Attachment =
      audience === "agent"
        ? {
            audience,
            conversationId,
            userId: request.headers.get("x-sb-user-id")!,
            name: decodeURIComponent(request.headers.get("x-sb-user-name") ?? ""),
            canWrite: request.headers.get("x-sb-can-write") === "1",
            state: "viewing",
            ready: false,
            seenAt: now,
          }
        : { audience, conversationId, contactId: request.headers.get("x-sb-contact-id")!, ready: false, seenAt: now };
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [audience]);
    this.#saveAttachment(server, attachment);
    await this.#armHeartbeat();
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const attachment = this.#attachment(ws) as Attachment;
    const now = Date.now();
    if (now - attachment.seenAt > 1000) {
      attachment.seenAt = now;
      this.#saveAttachment(ws, attachment);
    }
    const frame = parseFrame(message);
    if (!frame) {
      trySend(ws, JSON.stringify({ type: "error", code: "validation_failed", message: "Unknown or malformed frame" }));
      return;
    }
    switch (frame.type) {
      case "ping":
        trySend(ws, PONG);
        return;
      case "hello":
        return this.#queue.run(() => this.#hello(ws, frame.lastSeq));
      case "presence":
        if (attachment.audience !== "agent" || attachment.state === frame.state) return;
        if (frame.state === "typing" && !attachment.canWrite) return;
        return this.#changePresence(() => {
          attachment.state = frame.state;
          this.#saveAttachment(ws, attachment);
        });
      case "draft":
        if (attachment.audience !== "agent" || !attachment.canWrite) return;
        return this.#setDraft(attachment.userId, attachment.name, frame.body, ws);
    }
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    ws.close(code === 1005 || code === 1006 ? 1000 : code, "closing");
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
      const attachment = this.#attachment(ws) as Attachment;
      const pinged = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0;
      if (isStale(Math.max(attachment.seenAt, pinged), now, timeout)) {
        try {
          ws.close(4408, "heartbeat timeout");
        } catch {
          // already closing
        }
        await this.#left(ws);
      }
    }
    // Keep the list views' marker alive while anyone is here (the hub expires unrefreshed ones).
    const viewers = this.#viewers();
    if (viewers.length && now - this.#presencePublishedAt > PRESENCE_TTL_MS / 3) {
      const first = this.ctx.getWebSockets("agent")[0]?.deserializeAttachment() as AgentAttachment | undefined;
      const state = first && (await this.#load(first.conversationId));
      if (state) this.#publishPresence(state, viewers);
    }
    await this.#armHeartbeat();
  }

  /** Replays what the client missed, then marks the socket live, in the write queue so nothing slips between. */
  async #hello(ws: WebSocket, lastSeq: number): Promise<void> {
    const attachment = this.#attachment(ws) as Attachment;
    const state = await this.#load(attachment.conversationId);
    if (!state) {
      ws.close(CloseCodes.not_found, "conversation not found");
      return;
    }
    const kinds = attachment.audience === "agent" ? undefined : [...CUSTOMER_KINDS];
    const missed = await this.#db
      .select()
      .from(timelineItems)
      .where(
        and(
          eq(timelineItems.conversationId, state.id),
          gt(timelineItems.seq, lastSeq),
          kinds ? inArray(timelineItems.kind, kinds) : undefined,
        ),
      )
      .orderBy(timelineItems.seq);
    // Frames that arrived while D1 was read (a presence change, say) updated the
    // attachment meanwhile: mark the fresh copy ready, not the one read above.
    const current = this.#attachment(ws) as Attachment;
    if (current.audience === "agent") {
      const before = this.#viewers();
      current.ready = true;
      this.#saveAttachment(ws, current);
      const viewers = this.#viewers();
      const drafts = [...(await this.#draftMap())].map(([userId, d]) => ({ userId, name: d.name, body: d.body }));
      trySend(ws, JSON.stringify({ type: "welcome", viewers, drafts, lastSeq: state.lastSeq }));
      for (const row of missed) trySend(ws, JSON.stringify({ type: "item", item: toItem(row) }));
      if (!sameViewers(before, viewers)) this.#presenceChanged(viewers, ws);
    } else {
      current.ready = true;
      this.#saveAttachment(ws, current);
      trySend(ws, JSON.stringify({ type: "welcome", lastSeq: state.lastSeq }));
      for (const row of missed) trySend(ws, JSON.stringify(frameFor({ type: "item", item: toItem(row) }, "customer")));
      if (anyoneTyping(this.#viewers())) trySend(ws, JSON.stringify({ type: "typing", active: true }));
    }
  }

  /** Runs a change to presence and tells everyone if the viewers list changed. */
  async #changePresence(change: () => void): Promise<void> {
    const before = this.#viewers();
    change();
    const after = this.#viewers();
    if (!sameViewers(before, after)) this.#presenceChanged(after);
  }

  #presenceChanged(viewers: Viewer[], except?: WebSocket): void {
    this.#broadcast({ type: "presence", viewers }, except);
    this.#broadcast({ type: "typing", active: anyoneTyping(viewers) });
    if (this.#state) this.#publishPresence(this.#state, viewers);
  }

  #publishPresence(state: RoomState, viewers: Viewer[]): void {
    this.#presencePublishedAt = Date.now();
    void this.#publications.run(() =>
      getWorkspaceHub(this.env, state.workspaceId)
        .publishPresence(state.id, state.inboxId, viewers)
        .catch(logPublishError),
    );
  }

  async #left(ws: WebSocket): Promise<void> {
    const gone = this.#attachment(ws) as Attachment | null;
    if (!gone || gone.audience !== "agent" || !gone.ready) return;
    // The closing socket may still be listed; presence is computed without it.
    const others = this.ctx.getWebSockets("agent").filter((s) => s !== ws);
    if (!others.some((s) => (this.#attachment(s) as AgentAttachment).userId === gone.userId)) {
      await this.#setDraft(gone.userId, gone.name, "");
    }
    const before = viewersOf([...others.map((s) => this.#attachment(s) as Attachment), gone]);
    const after = viewersOf(others.map((s) => this.#attachment(s) as Attachment));
    if (!sameViewers(before, after)) {
      await this.#load(gone.conversationId);
      this.#presenceChanged(after, ws);
    }
  }

  /** Stores and streams an agent's draft to the other agents; an empty body clears it. */
  async #setDraft(userId: string, name: string, body: string, from?: WebSocket): Promise<void> {
    const drafts = await this.#draftMap();
    if ((drafts.get(userId)?.body ?? "") === body) return;
    if (body) {
      drafts.set(userId, { name, body });
      this.#unsavedDrafts.set(userId, { name, body });
      this.#saveDraftsSoon();
    } else {
      drafts.delete(userId);
      this.#unsavedDrafts.delete(userId);
      void this.ctx.storage.delete(`draft:${userId}`, { allowUnconfirmed: true });
    }
    const text = JSON.stringify({ type: "draft", userId, body });
    for (const ws of this.ctx.getWebSockets("agent")) {
      if (ws === from) continue;
      const a = this.#attachment(ws) as AgentAttachment;
      if (a.ready && a.userId !== userId) trySend(ws, text);
    }
  }

  async #draftMap() {
    if (!this.#drafts) {
      const stored = await this.ctx.storage.list<{ name: string; body: string }>({ prefix: "draft:" });
      this.#drafts = new Map([...stored].map(([key, d]) => [key.slice("draft:".length), d]));
    }
    return this.#drafts;
  }

  #viewers(): Viewer[] {
    return viewersOf(this.ctx.getWebSockets("agent").map((ws) => this.#attachment(ws) as Attachment));
  }

  /** Sends an event to every live socket, shaped once per audience. */
  #broadcast(event: RoomEvent, except?: WebSocket): void {
    const texts = new Map<Audience, string | null>();
    for (const ws of this.ctx.getWebSockets()) {
      if (ws === except) continue;
      const attachment = this.#attachment(ws) as Attachment;
      if (!attachment.ready) continue;
      if (!texts.has(attachment.audience)) {
        const frame = frameFor(event, attachment.audience);
        texts.set(attachment.audience, frame && JSON.stringify(frame));
      }
      const text = texts.get(attachment.audience);
      if (text) trySend(ws, text);
    }
  }

  #attachment(ws: WebSocket): Attachment | null {
    let attachment = this.#attachments.get(ws);
    if (!attachment) {
      attachment = (ws.deserializeAttachment() as Attachment | null) ?? undefined;
      if (attachment) this.#attachments.set(ws, attachment);
    }
    return attachment ?? null;
  }

  #saveAttachment(ws: WebSocket, attachment: Attachment): void {
    ws.serializeAttachment(attachment);
    this.#attachments.set(ws, attachment);
  }

  /**
   * Drafts go to the other agents at once, to storage (for hibernation) at most
   * once a second: a write per keystroke cost more than the fan-out itself. The
   * pending timer keeps the room awake until the write is done.
   */
  #saveDraftsSoon(): void {
    this.#draftTimer ??= setTimeout(() => {
      this.#draftTimer = null;
      if (!this.#unsavedDrafts.size) return;
      const entries = Object.fromEntries([...this.#unsavedDrafts].map(([userId, d]) => [`draft:${userId}`, d]));
      this.#unsavedDrafts.clear();
      void this.ctx.storage.put(entries, { allowUnconfirmed: true });
    }, 1000);
  }

  /** Keeps one alarm pending while any socket is open. */
  async #armHeartbeat(): Promise<void> {
    if (this.ctx.getWebSockets().length === 0) return;
    if ((await this.ctx.storage.getAlarm()) !== null) return;
    await this.ctx.storage.setAlarm(Date.now() + Number(this.env.HEARTBEAT_SWEEP_MS ?? 2000));
  }

  /**
   * Tells the list views that this conversation's summary changed. A burst of
   * commits coalesces: while one publication waits its turn, it will read the
   * latest summary anyway, so no second one is queued.
   */
  #publishSummary(state: RoomState): void {
    if (this.#summaryQueued) return;
    this.#summaryQueued = true;
    void this.#publications
      .run(async () => {
        this.#summaryQueued = false;
        const movedFrom = this.#movedFrom ?? undefined;
        this.#movedFrom = null;
        const summary = await getSummary(this.#db, state.id);
        if (summary) await getWorkspaceHub(this.env, state.workspaceId).publishConversation(summary, movedFrom);
      })
      .catch(logPublishError);
  }

  /**
   * Sends the full conversation to the room's agents after a change of its
   * fields. Links into other inboxes are shown only to agents who can see them.
   */
  #publishConversation(state: RoomState): void {
    void this.#publications
      .run(async () => {
        const [conversation, scoped] = await Promise.all([
          getConversation(this.#db, state.id, () => true),
          getLinks(this.#db, state.id),
        ]);
        if (!conversation) return;
        const guarded = scoped.filter((l) => l.inboxId !== null);
        if (!guarded.length) return this.#broadcast({ type: "conversation", conversation });
        const sockets = this.ctx.getWebSockets("agent").filter((ws) => (this.#attachment(ws) as AgentAttachment).ready);
        const sees = await this.#inboxesSeenBy(sockets.map((ws) => (this.#attachment(ws) as AgentAttachment).userId));
        for (const ws of sockets) {
          const seen = sees.get((this.#attachment(ws) as AgentAttachment).userId);
          const links = visibleLinks(scoped, (inboxId) => seen === "*" || !!seen?.has(inboxId));
          trySend(ws, JSON.stringify({ type: "conversation", conversation: { ...conversation, links } }));
        }
      })
      .catch(logPublishError);
  }

  /** The inboxes each of these agents can see ("*" for admins). */
  async #inboxesSeenBy(userIds: string[]): Promise<Map<string, Set<string> | "*">> {
    const unique = [...new Set(userIds)];
    const out = new Map<string, Set<string> | "*">();
    if (!unique.length) return out;
    const rows = await this.#db
      .select({ id: users.id, role: users.role, inboxId: inboxAccess.inboxId })
      .from(users)
      .leftJoin(inboxAccess, eq(inboxAccess.userId, users.id))
      .where(inArray(users.id, unique));
    for (const r of rows) {
      if (r.role === "admin") out.set(r.id, "*");
      else if (out.get(r.id) !== "*") {
        const set = (out.get(r.id) as Set<string> | undefined) ?? new Set<string>();
        if (r.inboxId) set.add(r.inboxId);
        out.set(r.id, set);
      }
    }
    return out;
  }

  /** Access follows the inbox: after a move, agents who cannot see the new inbox are shown the door. */
  async #closeSocketsWithoutAccess(inboxId: string): Promise<void> {
    const sockets = this.ctx.getWebSockets("agent");
    const userIds = [...new Set(sockets.map((ws) => (this.#attachment(ws) as AgentAttachment).userId))];
    if (!userIds.length) return;
    const rows = await this.#db
      .select({ id: users.id, role: users.role, access: inboxAccess.access })
      .from(users)
      .leftJoin(inboxAccess, and(eq(inboxAccess.userId, users.id), eq(inboxAccess.inboxId, inboxId)))
      .where(inArray(users.id, userIds));
    const allowed = new Set(rows.filter((r) => r.role === "admin" || r.access).map((r) => r.id));
    for (const ws of sockets) {
      const attachment = this.#attachment(ws) as AgentAttachment;
      if (allowed.has(attachment.userId)) continue;
      try {
        ws.close(CloseCodes.not_found, "conversation moved to an inbox you cannot see");
      } catch {
        // already closing
      }
      await this.#left(ws);
    }
  }

  /** Runs `task` in the queue with the conversation's state loaded; 404 when it does not exist. */
  #write<T>(conversationId: string, task: (state: RoomState) => Promise<Result<T>>, fresh = false): Promise<Result<T>> {
    return this.#queue.run(async () => {
      // Field changes are rare: they re-read the row, so workspace-level deletes
      // (a team, a tag) applied by foreign keys never leave the cache behind.
      if (fresh) this.#state = null;
      const state = await this.#load(conversationId);
      if (!state) return fail("not_found", "Conversation not found");
      return task(state);
    });
  }

  async #load(conversationId: string): Promise<RoomState | null> {
    if (this.#state?.id === conversationId) return this.#state;
    this.#state = await loadRoomState(this.#db, conversationId);
    return this.#state;
  }

  /**
   * Writes a change in one D1 batch (a transaction), then advances the
   * in-memory state and tells everyone. On any failure the state is dropped
   * and reloaded from D1 next time, so it never runs ahead of what is stored.
   */
  async #commit(state: RoomState, change: Change): Promise<Item[]> {
    const plan = planCommit(this.#db, state, change, Date.now());
    try {
      await this.#db.batch(plan.writes);
    } catch (error) {
      this.#state = null;
      throw error;
    }
    plan.apply();
    for (const item of plan.items) this.#broadcast({ type: "item", item });
    this.#publishSummary(state);
    if (plan.notifications.length) {
      void this.#publications
        .run(async () => {
          const hub = getWorkspaceHub(this.env, state.workspaceId);
          for (const { userId, notification } of plan.notifications) {
            await hub.sendToUser(userId, { type: "notification", notification });
          }
        })
        .catch(logPublishError);
    }
    return plan.items;
  }
}

function parseFrame(message: string | ArrayBuffer): ClientFrame | null {
  if (typeof message !== "string") return null;
  try {
    const data = JSON.parse(message);
    // The hot frame (a draft per keystroke) is checked by hand, by the schema's rule.
    if (data?.type === "draft" && typeof data.body === "string" && data.body.length <= MAX_DRAFT_CHARS) {
      return { type: "draft", body: data.body };
    }
    const parsed = ClientFrame.safeParse(data);
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const logPublishError = (error: unknown) => console.error("publishing to the workspace hub failed", error);

function statusEvent(
  from: Status,
  to: Status,
  author: AuthorRef,
  cause?: ItemKind | SystemReason,
  until?: number,
): NewItem {
  const event: Record<string, unknown> = { type: "status_changed", from, to };
  if (cause) event.cause = cause;
  if (until !== undefined) event.until = new Date(until).toISOString();
  return { kind: "event", body: "", author, event };
}

/**
 * The room's RPC surface as declared. Its results are plain data that RPC
 * passes through unchanged, but the stub's generated types collapse payloads
 * holding `unknown` (event details) to `never`, which would switch type
 * checking off at every call: this facade keeps the declared types.
 */
export type RoomRpc = Pick<
  ConversationRoom,
  "create" | "post" | "update" | "setTags" | "setFollower" | "link" | "sweep"
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
