import { DurableObject } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { CloseCodes, type ListFrame, type ListWatchFilter, PING, PONG, type Viewer } from "../contract";
import { getDb } from "../db/client";
import { inboxes } from "../db/schema";
import { inView } from "../domain/list-views";
import { FrameBudgets } from "./frame-budget";
import type { PresenceMarker } from "./inbox-hub";
import { gatewayNameOf, getInboxHub, type ListChange } from "./list-hub";
import {
  AttachmentCache,
  acceptSocket,
  answerClose,
  closeSocket,
  encodeFrame,
  identityOf,
  malformedFrame,
  parseListClientFrame,
  sendFrame,
  sendText,
  spendFrame,
} from "./sockets";

/** Inbox ids a user may see, or "*" for admins. */
export type InboxScope = string[] | "*";

/** What a list socket shows, as its last `watch` frame said; null until it says (it then hears everything in scope). */
interface Watch {
  filter: ListWatchFilter | null;
  ids: string[];
}

interface GatewayAttachment {
  userId: string;
  watch: Watch | null;
}

interface Place {
  workspaceId: string;
  name: string;
}

const scopeKey = (userId: string) => `scope:${userId}`;

/** How long a row change is kept to send again to a socket that starts watching the row (its list read was under way). */
export const RECENT_MS = 5_000;
const MAX_RECENT = 2_000;

/**
 * Holds the list sockets (`/api/live`) of the users whose ids hash to it, in
 * one workspace (see list-hub.ts), and keeps them fed: it subscribes to the
 * hubs of the inboxes they may see and sends each change a hub delivers only
 * to the sockets whose scope includes that inbox and whose list it touches.
 *
 * Remembered across hibernation: each user's scope (storage), each socket's
 * user and watch (attachment). Rebuilt in memory on demand: which sockets see
 * which inbox, and the presence markers of the inboxes subscribed to.
 */
export class ListGateway extends DurableObject<Env> {
  #place: Place | null = null;
  #sockets = new AttachmentCache<GatewayAttachment>();
  #budgets = new FrameBudgets();
  #scopes = new Map<string, InboxScope>();
  /** Every inbox of the workspace, for users who see them all; read once per wake. */
  #allInboxes: Promise<Set<string>> | null = null;
  /** Sockets by inbox they may see; null until needed after a wake. */
  #byInbox: Map<string, Set<WebSocket>> | null = null;
  #watching = new WeakMap<WebSocket, Set<string>>();
  /** Presence markers of subscribed inboxes, by conversation. */
  #presence = new Map<string, { inboxId: string; viewers: Viewer[] }>();
  /**
   * The latest row frame of each conversation changed in the last RECENT_MS, in
   * the order they came: a client watches a row only once its list read is
   * back, so a change made while the read was under way is sent again when the
   * row comes into its watch.
   */
  #recent = new Map<string, { inboxId: string; text: string; at: number }>();
  /** Inboxes whose hub this instance subscribed to (and so holds the markers of). */
  #subscribed = new Map<string, Promise<void>>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  /** Accepts a list socket for the user named by the worker (which has authenticated them). */
  override async fetch(request: Request): Promise<Response> {
    const identity = identityOf(request);
    if (identity?.audience !== "list") return new Response("expected a socket from the worker", { status: 400 });
    const { userId, workspaceId, scope } = identity;
    await this.#know(workspaceId, userId);
    await this.#storeScope(userId, scope);
    const { server, response } = acceptSocket(this.ctx, this.#sockets, { userId, watch: null }, [`user:${userId}`]);
    const seen = await this.#inboxesOf(userId);
    const index = await this.#index();
    for (const inboxId of seen) addTo(index, inboxId, server);
    await this.#subscribe(seen);
    // The markers already showing, so a fresh list is right from its first frame.
    for (const [conversationId, marker] of this.#presence) {
      if (seen.has(marker.inboxId)) sendFrame(server, { type: "presence", conversationId, viewers: marker.viewers });
    }
    return response;
  }

  /** A hub's changes for the sockets that may see its inbox; false when none may (the hub unsubscribes this gateway). */
  async deliver(inboxId: string, changes: ListChange[]): Promise<boolean> {
    const sockets = (await this.#index()).get(inboxId);
    if (!sockets?.size) {
      this.#forgetInbox(inboxId);
      return false;
    }
    for (const change of changes) {
      if (change.kind === "presence") {
        const { conversationId, viewers } = change;
        if (viewers.length) this.#presence.set(conversationId, { inboxId, viewers });
        else this.#presence.delete(conversationId);
        const text = encodeFrame({ type: "presence", conversationId, viewers });
        for (const ws of sockets) if (this.#shows(ws, conversationId)) sendText(ws, text);
      } else if (change.kind === "conversation") {
        const { summary } = change;
        const text = encodeFrame({ type: "conversation", conversation: summary });
        this.#remember(summary.id, inboxId, text);
        for (const ws of sockets) {
          const { userId, watch } = this.#sockets.get(ws);
          if (this.#shows(ws, summary.id)) sendText(ws, text);
          else if (watch?.filter && inView(summary, watch.filter, { id: userId }) !== false) {
            sendText(ws, text);
            // The client puts the row on screen: its next changes reach it before the client's next watch says so.
            this.#watchedBy(ws)?.add(summary.id);
          }
        }
      } else {
        const { conversationId, to } = change;
        if (this.#presence.get(conversationId)?.inboxId === inboxId) this.#presence.delete(conversationId);
        const text = encodeFrame({ type: "conversation_removed", conversationId });
        this.#recent.delete(conversationId);
        // Those who see the new inbox hear of the conversation from its hub.
        const stays = this.#byInbox?.get(to);
        for (const ws of sockets) if (!stays?.has(ws) && this.#shows(ws, conversationId)) sendText(ws, text);
      }
    }
    return true;
  }

  /**
   * A user's access changed: their list sockets carry the new scope from now
   * on (null: deactivated, signed out everywhere at once).
   */
  async accessChanged(workspaceId: string, userId: string, scope: InboxScope | null): Promise<void> {
    await this.#know(workspaceId, userId);
    const sockets = this.ctx.getWebSockets(`user:${userId}`);
    if (scope === null) {
      for (const ws of sockets) closeSocket(ws, CloseCodes.unauthenticated, "signed out");
      await this.#storeScope(userId, []);
      this.#byInbox = null;
      return;
    }
    await this.#storeScope(userId, scope);
    if (!sockets.length) return;
    const index = await this.#index();
    for (const set of index.values()) for (const ws of sockets) set.delete(ws);
    const seen = await this.#inboxesOf(userId);
    for (const inboxId of seen) for (const ws of sockets) addTo(index, inboxId, ws);
    await this.#subscribe(seen);
  }

  /** A new inbox: sockets of users who see every inbox may see it. */
  async inboxAdded(inboxId: string): Promise<void> {
    if (this.#allInboxes) (await this.#allInboxes).add(inboxId);
    if (!this.ctx.getWebSockets().length) return;
    await this.#restorePlace();
    const index = await this.#index();
    let any = false;
    for (const ws of this.ctx.getWebSockets()) {
      if ((await this.#scopeOf(this.#sockets.get(ws).userId)) !== "*") continue;
      addTo(index, inboxId, ws);
      any = true;
    }
    if (any) await this.#subscribe(new Set([inboxId]));
  }

  /** A workspace-wide change every list view hears of. */
  async publishWorkspace(frame: Extract<ListFrame, { type: "tag_deleted" | "team_deleted" }>): Promise<void> {
    const text = encodeFrame(frame);
    for (const ws of this.ctx.getWebSockets()) sendText(ws, text);
  }

  /** Sends a frame to one user's list sockets. */
  async sendToUser(userId: string, frame: ListFrame): Promise<void> {
    const text = encodeFrame(frame);
    for (const ws of this.ctx.getWebSockets(`user:${userId}`)) sendText(ws, text);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (message === PING) return;
    const spent = spendFrame(this.#budgets, ws);
    if (spent !== true) return;
    const frame = parseListClientFrame(message);
    if (!frame) return sendFrame(ws, malformedFrame);
    if (frame.type === "ping") return sendText(ws, PONG);
    await this.#restorePlace();
    const attachment = this.#sockets.get(ws);
    const before = this.#watchedBy(ws);
    this.#sockets.set(ws, { ...attachment, watch: { filter: frame.filter, ids: frame.ids } });
    this.#watching.delete(ws);
    // Rows that just came on screen show who is in them at once, and any change they missed on the way.
    const seen = await this.#inboxesOf(attachment.userId);
    await this.#subscribe(seen);
    const now = Date.now();
    for (const id of frame.ids) {
      if (before?.has(id)) continue;
      const marker = this.#presence.get(id);
      if (marker && seen.has(marker.inboxId))
        sendFrame(ws, { type: "presence", conversationId: id, viewers: marker.viewers });
      const recent = this.#recent.get(id);
      if (recent && now - recent.at < RECENT_MS && seen.has(recent.inboxId)) sendText(ws, recent.text);
    }
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    answerClose(ws, code);
    this.#dropSocket(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.#dropSocket(ws);
  }

  #remember(conversationId: string, inboxId: string, text: string): void {
    const now = Date.now();
    this.#recent.delete(conversationId);
    this.#recent.set(conversationId, { inboxId, text, at: now });
    // Oldest first: drop what is too old, and the oldest past the cap.
    for (const [id, entry] of this.#recent) {
      if (now - entry.at < RECENT_MS && this.#recent.size <= MAX_RECENT) break;
      this.#recent.delete(id);
    }
  }

  /** Whether a socket shows a conversation's row: it said so, or it never said what it shows. */
  #shows(ws: WebSocket, conversationId: string): boolean {
    const watched = this.#watchedBy(ws);
    return watched === null || watched.has(conversationId);
  }

  #watchedBy(ws: WebSocket): Set<string> | null {
    let ids = this.#watching.get(ws);
    if (ids === undefined) {
      const watch = this.#sockets.get(ws).watch;
      if (!watch) return null;
      ids = new Set(watch.ids);
      this.#watching.set(ws, ids);
    }
    return ids;
  }

  #dropSocket(ws: WebSocket): void {
    if (!this.#byInbox) return;
    for (const set of this.#byInbox.values()) set.delete(ws);
  }

  /** Subscribes to the hubs of these inboxes (once per wake each) and learns their presence markers. */
  async #subscribe(inboxIds: Set<string>): Promise<void> {
    const place = this.#place!;
    await Promise.all(
      [...inboxIds].map((inboxId) => {
        let done = this.#subscribed.get(inboxId);
        if (!done) {
          done = getInboxHub(this.env, place.workspaceId, inboxId)
            .subscribe(inboxId, place.name)
            .then((markers: PresenceMarker[]) => {
              for (const { conversationId, viewers } of markers)
                this.#presence.set(conversationId, { inboxId, viewers });
            })
            .catch((error: unknown) => {
              this.#subscribed.delete(inboxId);
              throw error;
            });
          this.#subscribed.set(inboxId, done);
        }
        return done;
      }),
    );
  }

  /** No socket here may see the inbox any more: its markers go, and a later socket subscribes afresh. */
  #forgetInbox(inboxId: string): void {
    this.#subscribed.delete(inboxId);
    for (const [conversationId, marker] of this.#presence)
      if (marker.inboxId === inboxId) this.#presence.delete(conversationId);
  }

  /** Which gateway this is; every caller knows the workspace and one of its users. */
  async #know(workspaceId: string, userId: string): Promise<void> {
    if (this.#place) return;
    const name = gatewayNameOf(this.env, workspaceId, userId);
    this.#place = { workspaceId, name };
    await this.ctx.storage.put("name", name);
  }

  /** After a wake, which gateway this is, from storage (a gateway with sockets has been told). */
  async #restorePlace(): Promise<void> {
    if (this.#place) return;
    const name = (await this.ctx.storage.get<string>("name")) ?? "";
    this.#place = { workspaceId: name.slice(0, name.lastIndexOf(":")), name };
  }

  async #storeScope(userId: string, scope: InboxScope): Promise<void> {
    this.#scopes.set(userId, scope);
    await this.ctx.storage.put(scopeKey(userId), scope);
  }

  async #scopeOf(userId: string): Promise<InboxScope> {
    let scope = this.#scopes.get(userId);
    if (!scope) {
      scope = (await this.ctx.storage.get<InboxScope>(scopeKey(userId))) ?? [];
      this.#scopes.set(userId, scope);
    }
    return scope;
  }

  async #inboxesOf(userId: string): Promise<Set<string>> {
    const scope = await this.#scopeOf(userId);
    if (scope !== "*") return new Set(scope);
    this.#allInboxes ??= getDb(this.env.DB)
      .select({ id: inboxes.id })
      .from(inboxes)
      .where(eq(inboxes.workspaceId, this.#place!.workspaceId))
      .then((rows) => new Set(rows.map((r) => r.id)));
    return new Set(await this.#allInboxes);
  }

  /** Sockets by inbox, rebuilt from the sockets' users and their scopes after a wake. */
  async #index(): Promise<Map<string, Set<WebSocket>>> {
    if (this.#byInbox) return this.#byInbox;
    const index = new Map<string, Set<WebSocket>>();
    const sockets = this.ctx.getWebSockets();
    if (sockets.length) {
      await this.#restorePlace();
      for (const ws of sockets)
        for (const inboxId of await this.#inboxesOf(this.#sockets.get(ws).userId)) addTo(index, inboxId, ws);
    }
    this.#byInbox ??= index;
    return this.#byInbox;
  }
}

function addTo(index: Map<string, Set<WebSocket>>, inboxId: string, ws: WebSocket): void {
  let set = index.get(inboxId);
  if (!set) {
    set = new Set();
    index.set(inboxId, set);
  }
  set.add(ws);
}
