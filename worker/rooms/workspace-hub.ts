import { DurableObject } from "cloudflare:workers";
import { CloseCodes, type ListFrame, PING, PONG, type Summary, type Viewer } from "../contract";
import { nextInRotation } from "../domain/rules";
import { getConversationRoom } from "./conversation-room";
import {
  AttachmentCache,
  acceptSocket,
  answerClose,
  closeSocket,
  encodeFrame,
  identityOf,
  sendFrame,
  sendText,
  spendFrame,
} from "./sockets";
import { FrameBudgets } from "./frame-budget";

/** Inbox ids a user may see, or "*" for admins. */
export type InboxScope = string[] | "*";

interface HubAttachment {
  userId: string;
}

interface PresenceEntry {
  inboxId: string;
  viewers: Viewer[];
  /** When the room last published it; rooms refresh entries while anyone views. */
  at: number;
}

/**
 * A marker the room has not refreshed for this long is dropped: it outlived
 * its room (a restart, a deploy) and nobody will clear it otherwise.
 */
export const PRESENCE_TTL_MS = 90_000;

const scopeKey = (userId: string) => `scope:${userId}`;
const presenceKey = (conversationId: string) => `presence:${conversationId}`;

/**
 * One per workspace: fans list-level changes out to every agent's list view
 * (`/api/live`), filtered by the inboxes each may see. Rooms publish summaries
 * and presence here; notifications travel the same way.
 *
 * What it must remember across hibernation (each user's inbox scope, the
 * current presence per conversation) lives in its own storage; sockets are
 * tagged with their user.
 */
export class WorkspaceHub extends DurableObject<Env> {
  #scopes = new Map<string, Set<string> | "*">();
  #presence: Map<string, PresenceEntry> | null = null;
  #sockets = new AttachmentCache<HubAttachment>();
  #budgets = new FrameBudgets();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  /** Accepts a list socket for the user named by the worker (which has authenticated them). */
  override async fetch(request: Request): Promise<Response> {
    const identity = identityOf(request);
    if (identity?.audience !== "list") return new Response("expected a socket from the worker", { status: 400 });
    const { userId, scope } = identity;
    await this.setScope(userId, scope);
    const { server, response } = acceptSocket(this.ctx, this.#sockets, { userId }, [`user:${userId}`]);
    // The markers already showing, so a fresh list is right from its first frame.
    for (const [conversationId, entry] of await this.#presenceMap()) {
      if (Date.now() - (entry.at ?? 0) >= PRESENCE_TTL_MS) continue;
      if (this.#sees(scope === "*" ? "*" : new Set(scope), entry.inboxId)) {
        sendFrame(server, { type: "presence", conversationId, viewers: entry.viewers });
      }
    }
    return response;
  }

  /** Records which inboxes a user may see; called on connect and whenever their access changes. */
  async setScope(userId: string, scope: InboxScope): Promise<void> {
    this.#scopes.set(userId, scope === "*" ? "*" : new Set(scope));
    await this.ctx.storage.put(scopeKey(userId), scope);
  }

  /**
   * A user's access changed: their list streams carry the new scope from now
   * on, and every room they have open re-checks them (closing or silencing
   * their sockets there). The hub knows those rooms from the presence it
   * keeps; a socket not yet live is checked by its room at hello.
   */
  async accessChanged(userId: string, scope: InboxScope | null): Promise<void> {
    if (scope === null) {
      // Deactivated: signed out everywhere at once.
      for (const ws of this.ctx.getWebSockets(`user:${userId}`))
        closeSocket(ws, CloseCodes.unauthenticated, "signed out");
      await this.setScope(userId, []);
    } else await this.setScope(userId, scope);
    const rooms = [...(await this.#presenceMap())]
      .filter(([, entry]) => entry.viewers.some((v) => v.userId === userId))
      .map(([conversationId]) => conversationId);
    await Promise.all(rooms.map((id) => getConversationRoom(this.env, id).recheckAccess(id, [userId])));
  }

  /**
   * A conversation's summary changed: tell everyone who can see its inbox.
   * After a move, those who could see only the old inbox are told it is gone.
   */
  async publishConversation(summary: Summary, previousInboxId?: string): Promise<void> {
    const updated = encodeFrame({ type: "conversation", conversation: summary });
    const removed = encodeFrame({ type: "conversation_removed", conversationId: summary.id });
    for (const ws of this.ctx.getWebSockets()) {
      const scope = await this.#scopeOf(this.#sockets.get(ws).userId);
      if (this.#sees(scope, summary.inboxId)) sendText(ws, updated);
      else if (previousInboxId && this.#sees(scope, previousInboxId)) sendText(ws, removed);
    }
  }

  /** The agents viewing a conversation changed. */
  async publishPresence(conversationId: string, inboxId: string, viewers: Viewer[]): Promise<void> {
    const presence = await this.#presenceMap();
    if (viewers.length) {
      const entry = { inboxId, viewers, at: Date.now() };
      const unchanged = JSON.stringify(presence.get(conversationId)?.viewers) === JSON.stringify(viewers);
      presence.set(conversationId, entry);
      void this.ctx.storage.put(presenceKey(conversationId), entry, { allowUnconfirmed: true });
      if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + PRESENCE_TTL_MS);
      // A refresh that changes nothing is not news for the list views.
      if (unchanged) return;
    } else {
      presence.delete(conversationId);
      void this.ctx.storage.delete(presenceKey(conversationId), { allowUnconfirmed: true });
    }
    await this.#send(inboxId, encodeFrame({ type: "presence", conversationId, viewers }));
  }

  /**
   * The next member of a team's round-robin among `candidates`. The hub is one
   * object per workspace and awaits only its own storage here, so concurrent
   * creations are served one after another: the rotation stays even.
   */
  async rotate(teamId: string, candidates: string[]): Promise<string | null> {
    const key = `rotation:${teamId}`;
    const next = nextInRotation(candidates, (await this.ctx.storage.get<string>(key)) ?? null);
    if (next) await this.ctx.storage.put(key, next);
    return next;
  }

  /** Drops presence markers whose room stopped refreshing them, and tells the list views. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    let next = Infinity;
    for (const [conversationId, entry] of await this.#presenceMap()) {
      if (now - (entry.at ?? 0) >= PRESENCE_TTL_MS) await this.publishPresence(conversationId, entry.inboxId, []);
      else next = Math.min(next, entry.at + PRESENCE_TTL_MS);
    }
    if (next !== Infinity) await this.ctx.storage.setAlarm(next);
  }

  /**
   * A workspace-wide change every list view hears of (a tag or a team deleted):
   * the rows drop it without each conversation's room having to republish.
   */
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
    // The list stream is server → client; anything but a ping (answered by the runtime) is an error.
    if (message !== PING && spendFrame(this.#budgets, ws) === true) {
      sendFrame(ws, { type: "error", code: "validation_failed", message: "The list stream only accepts pings" });
    }
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    answerClose(ws, code);
  }

  async #send(inboxId: string, text: string): Promise<void> {
    for (const ws of this.ctx.getWebSockets()) {
      if (this.#sees(await this.#scopeOf(this.#sockets.get(ws).userId), inboxId)) sendText(ws, text);
    }
  }

  #sees(scope: Set<string> | "*" | null, inboxId: string): boolean {
    return scope === "*" || !!scope?.has(inboxId);
  }

  async #scopeOf(userId: string): Promise<Set<string> | "*" | null> {
    const known = this.#scopes.get(userId);
    if (known) return known;
    const stored = await this.ctx.storage.get<InboxScope>(scopeKey(userId));
    if (!stored) return null;
    const scope = stored === "*" ? "*" : new Set(stored);
    this.#scopes.set(userId, scope);
    return scope;
  }

  async #presenceMap(): Promise<Map<string, PresenceEntry>> {
    if (!this.#presence) {
      const stored = await this.ctx.storage.list<PresenceEntry>({ prefix: "presence:" });
      this.#presence = new Map([...stored].map(([key, entry]) => [key.slice("presence:".length), entry]));
    }
    return this.#presence;
  }
}

export function getWorkspaceHub(env: Env, workspaceId: string) {
  return env.WORKSPACE_HUB.get(env.WORKSPACE_HUB.idFromName(workspaceId));
}
