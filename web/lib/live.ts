/**
 * The agent client's live sockets, on partysocket (reconnecting WebSockets):
 *
 * - a conversation room (`/api/conversations/:id/live`), one per open
 *   conversation page: `hello` with the last seq the page holds on every
 *   (re)connect, so a reconnect replays exactly what was missed;
 * - the list stream (`/api/live`), one shared connection for the app session,
 *   opened lazily by the first `subscribeList()` and closed when the last
 *   subscriber leaves (logout unmounts them all) or by `closeListStream()`.
 *
 * Every frame is parsed with the contract; unknown or malformed frames are
 * dropped. Both sockets ping every 3 s (the server sweeps sockets silent for
 * 6 s) and treat a ping left unanswered for 5 s as a dead link, even when the
 * browser has not noticed yet.
 */
import ReconnectingWebSocket from "partysocket/ws";
import {
  AgentFrame,
  CloseCodes,
  Conversation,
  ListFrame,
  Notification,
  PING,
  type Summary,
  type ClientFrame,
  type ListClientFrame,
  type ListWatchFilter,
  MAX_WATCHED_IDS,
  type Viewer,
} from "../../worker/contract";
import { sessionEnded } from "./api";

/** How a live socket is doing: `connecting` (first attempt), `open`, or `offline` (lost; retrying). */
export type LinkState = "connecting" | "open" | "offline";

const HEARTBEAT_MS = 3_000;
/** A ping unanswered this long (no frame at all since) means the link is gone. */
const SILENCE_MS = 5_000;
/** Close codes after which retrying cannot help (signed out, no access, no such conversation). */
const FINAL_CLOSES = new Set<number>(Object.values(CloseCodes));

function socketUrl(path: string): string {
  const { protocol, host } = window.location;
  return `${protocol === "https:" ? "wss:" : "ws:"}//${host}${path}`;
}

function parseJson(data: unknown): unknown {
  if (typeof data !== "string") return undefined;
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}

/**
 * One reconnecting socket with a heartbeat, a liveness check and a state.
 * Nothing is buffered while it is down: what a page would have sent is
 * re-sent as current state from `onOpen` instead.
 */
class LiveLink {
  readonly #ws: ReconnectingWebSocket;
  #state: LinkState = "connecting";
  /** When the oldest ping still waiting for any answer went out; 0 when none is. */
  #pingedAt = 0;
  #heartbeat: ReturnType<typeof setInterval> | null = null;
  #closed = false;

  constructor(
    path: string,
    private readonly handlers: {
      onOpen: () => void;
      onMessage: (json: unknown) => void;
      onState: (state: LinkState) => void;
    },
  ) {
    this.#ws = new ReconnectingWebSocket(socketUrl(path), [], {
      maxEnqueuedMessages: 0,
      minReconnectionDelay: 500 + Math.random() * 500,
      maxReconnectionDelay: 8_000,
      connectionTimeout: 5_000,
      shouldReconnectOnClose: (e) => !FINAL_CLOSES.has(e.code),
    });
    this.#ws.addEventListener("open", this.#onOpen);
    this.#ws.addEventListener("message", this.#onMessage);
    this.#ws.addEventListener("close", this.#onClose);
    this.#ws.addEventListener("error", this.#onDown);
    window.addEventListener("online", this.#onOnline);
    window.addEventListener("offline", this.#onOffline);
    this.#heartbeat = setInterval(this.#beat, HEARTBEAT_MS);
  }

  get state(): LinkState {
    return this.#state;
  }

  /** Sends a frame if the socket is open right now; otherwise drops it (no stale replays). */
  send(text: string): boolean {
    if (this.#closed || this.#ws.readyState !== ReconnectingWebSocket.OPEN) return false;
    this.#ws.send(text);
    return true;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    window.removeEventListener("online", this.#onOnline);
    window.removeEventListener("offline", this.#onOffline);
    this.#ws.close(1000, "page closed");
  }

  #setState(state: LinkState): void {
    if (this.#closed || state === this.#state) return;
    this.#state = state;
    this.handlers.onState(state);
  }

  #onOpen = () => {
    this.#pingedAt = 0;
    this.handlers.onOpen();
    this.#setState("open");
  };

  #onMessage = (event: MessageEvent) => {
    this.#pingedAt = 0;
    const json = parseJson(event.data);
    if (json !== undefined) this.handlers.onMessage(json);
  };

  #onClose = (event: CloseEvent) => {
    // Signed out on the server (deactivated, session ended): the page signs out too.
    if (event.code === CloseCodes.unauthenticated) sessionEnded();
    this.#onDown();
  };

  #onDown = () => {
    if (this.#ws.readyState !== ReconnectingWebSocket.OPEN) this.#setState("offline");
  };

  #beat = () => {
    if (this.#ws.readyState !== ReconnectingWebSocket.OPEN) return;
    const now = Date.now();
    // Judged by unanswered pings, not by time since the last frame: a background
    // tab's throttled timers must not look like a dead link.
    if (this.#pingedAt && now - this.#pingedAt > SILENCE_MS) {
      // Open on paper, silent in fact (a sleeping laptop, a dropped network): start over.
      this.#pingedAt = 0;
      this.#setState("offline");
      this.#ws.reconnect(4000, "silent");
      return;
    }
    this.#ws.send(PING);
    if (!this.#pingedAt) this.#pingedAt = now;
  };

  /** The browser knows it lost the network: don't wait for the silence check. */
  #onOffline = () => {
    this.#setState("offline");
    if (this.#ws.readyState === ReconnectingWebSocket.OPEN) this.#ws.reconnect(4000, "offline");
  };

  /** Back online: retry now instead of waiting out the backoff. */
  #onOnline = () => {
    if (this.#ws.readyState !== ReconnectingWebSocket.OPEN) this.#ws.reconnect();
  };
}

// ——— Conversation rooms ———————————————————————————————————————————————————

/** A frame from a conversation room, with the conversation parsed in full. */
export type RoomFrame =
  | Exclude<AgentFrame, { type: "conversation" | "pong" | "drafts" }>
  | { type: "conversation"; conversation: Conversation };

/** The frames a room sent, as the page handles them: a large room's batch of drafts is each typist's draft. */
function parseRoomFrames(json: unknown): RoomFrame[] {
  const frame = AgentFrame.safeParse(json);
  if (!frame.success) {
    console.warn("Dropped an unexpected room frame", json);
    return [];
  }
  switch (frame.data.type) {
    case "pong":
      return [];
    case "drafts":
      return frame.data.drafts.map((d) => ({ type: "draft", ...d }));
    case "conversation": {
      const conversation = Conversation.safeParse(frame.data.conversation);
      if (!conversation.success) {
        console.warn("Dropped a conversation frame that does not match the contract", conversation.error.issues);
        return [];
      }
      return [{ type: "conversation", conversation: conversation.data }];
    }
    default:
      return [frame.data];
  }
}

/** A live conversation room; see `openRoom`. */
export interface Room {
  /**
   * Sends presence or a draft. Dropped while the socket is down or before the
   * room has welcomed this connection: the page re-sends its current state on `welcome`.
   */
  send(frame: Exclude<ClientFrame, { type: "hello" | "ping" }>): void;
  readonly state: LinkState;
  close(): void;
}

/**
 * Joins a conversation's room. `lastSeq` is asked on every (re)connect, so the
 * room replays exactly the items after what the page already shows.
 */
export function openRoom(
  conversationId: string,
  opts: { lastSeq: () => number; onFrame: (frame: RoomFrame) => void; onState: (state: LinkState) => void },
): Room {
  let welcomed = false;
  const link = new LiveLink(`/api/conversations/${encodeURIComponent(conversationId)}/live`, {
    onOpen: () => {
      welcomed = false;
      link.send(JSON.stringify({ type: "hello", lastSeq: opts.lastSeq() } satisfies ClientFrame));
    },
    onMessage: (json) => {
      for (const frame of parseRoomFrames(json)) {
        if (frame.type === "welcome") welcomed = true;
        opts.onFrame(frame);
      }
    },
    onState: (state) => {
      if (state !== "open") welcomed = false;
      opts.onState(state);
    },
  });
  return {
    send: (frame) => {
      if (welcomed) link.send(JSON.stringify(frame satisfies ClientFrame));
    },
    get state() {
      return link.state;
    },
    close: () => link.close(),
  };
}

// ——— The list stream ——————————————————————————————————————————————————————

/** A frame of the list stream, as subscribers receive it (notifications parsed in full). */
export type ListEvent =
  | { type: "conversation"; conversation: Summary }
  | { type: "conversation_removed"; conversationId: string }
  | { type: "presence"; conversationId: string; viewers: Viewer[] }
  | { type: "tag_deleted"; tag: string }
  | { type: "team_deleted"; teamId: string }
  | { type: "notification"; notification: Notification };

export type ListEventType = ListEvent["type"];
type Handler<T extends ListEventType> = (frame: Extract<ListEvent, { type: T }>) => void;

const listHandlers = new Map<ListEventType, Set<(event: ListEvent) => void>>();
const listStateHandlers = new Set<(state: LinkState, reconnected: boolean) => void>();
/** Who is in which conversation, as the list stream last said (the agent's own entry included). */
const listPresence = new Map<string, Viewer[]>();
let listLink: LiveLink | null = null;
let listOpens = 0;
let listCloseTimer: ReturnType<typeof setTimeout> | null = null;
/** Pages come and go on navigation; a short grace keeps the stream across the swap. */
const LIST_GRACE_MS = 1_500;

function parseListEvent(json: unknown): ListEvent | null {
  const frame = ListFrame.safeParse(json);
  if (!frame.success) {
    console.warn("Dropped an unexpected list frame", json);
    return null;
  }
  switch (frame.data.type) {
    case "conversation":
    case "conversation_removed":
    case "presence":
    case "tag_deleted":
    case "team_deleted":
      return frame.data;
    case "notification": {
      const notification = Notification.safeParse(frame.data.notification);
      if (notification.success) return { type: "notification", notification: notification.data };
      console.warn("Dropped a notification that does not match the contract", notification.error.issues);
      return null;
    }
    case "error":
      console.warn(`List stream error: ${frame.data.code}: ${frame.data.message}`);
      return null;
    case "pong":
      return null;
  }
}

function dispatch(event: ListEvent): void {
  if (event.type === "presence") {
    if (event.viewers.length) listPresence.set(event.conversationId, event.viewers);
    else listPresence.delete(event.conversationId);
  }
  if (event.type === "conversation_removed") listPresence.delete(event.conversationId);
  for (const handler of listHandlers.get(event.type) ?? []) {
    try {
      handler(event);
    } catch (error) {
      console.error(`A ${event.type} handler failed`, error);
    }
  }
}

// ——— What this tab shows (the list stream's watch frame) ————————————————————

/** One part of the screen: the list it shows (only the list page has one) and the conversation ids on it. */
export interface WatchPart {
  filter?: ListWatchFilter | null;
  ids: readonly string[];
}

const watchParts = new Map<string, WatchPart>();
let watchSent = "";
let watchSentAt = Number.NEGATIVE_INFINITY;
let watchQueued = false;
/** A list taking many new rows a second still sends its watch at most this often (the stream's frame budget is 20/s). */
const WATCH_SPACING_MS = 250;

/** The tab's watch frame: the list shown (if any) and every row or open conversation on screen. */
function watchFrame(): string {
  let filter: ListWatchFilter | null = null;
  const ids = new Set<string>();
  for (const part of watchParts.values()) {
    filter = part.filter ?? filter;
    for (const id of part.ids) if (ids.size < MAX_WATCHED_IDS) ids.add(id);
  }
  return JSON.stringify({ type: "watch", filter, ids: [...ids].sort() } satisfies ListClientFrame);
}

function sendWatch(force: boolean): void {
  if (!listLink || !watchParts.size) return;
  const frame = watchFrame();
  if (!force && frame === watchSent) return;
  if (listLink.send(frame)) {
    watchSent = frame;
    watchSentAt = Date.now();
  }
}

/**
 * Tells the list stream what this part of the screen shows (`key` names the
 * part; a later call replaces it, `null` removes it), so the stream carries
 * only the changes that touch the tab's list and rows. Until a part says
 * anything the stream carries every change the agent may see. Calls in one
 * tick go out as one frame, and frames at most one per WATCH_SPACING_MS.
 */
export function watchList(key: string, part: WatchPart | null): void {
  if (part) watchParts.set(key, part);
  else watchParts.delete(key);
  if (watchQueued) return;
  watchQueued = true;
  const send = () => {
    watchQueued = false;
    sendWatch(false);
  };
  const wait = watchSentAt + WATCH_SPACING_MS - Date.now();
  if (wait > 0) setTimeout(send, wait);
  else queueMicrotask(send);
}

function ensureListStream(): void {
  if (listCloseTimer) {
    clearTimeout(listCloseTimer);
    listCloseTimer = null;
  }
  if (listLink) return;
  listOpens = 0;
  listLink = new LiveLink("/api/live", {
    onOpen: () => {
      listOpens++;
      // The hub re-sends every current marker on connect: start from a clean slate.
      for (const conversationId of [...listPresence.keys()])
        dispatch({ type: "presence", conversationId, viewers: [] });
      // A new connection knows nothing of what this tab shows.
      sendWatch(true);
    },
    onMessage: (json) => {
      const event = parseListEvent(json);
      if (event) dispatch(event);
    },
    onState: (state) => {
      for (const handler of listStateHandlers) handler(state, state === "open" && listOpens > 1);
    },
  });
}

function subscriberCount(): number {
  let n = listStateHandlers.size;
  for (const set of listHandlers.values()) n += set.size;
  return n;
}

function releaseListStream(): void {
  if (subscriberCount() > 0 || !listLink || listCloseTimer) return;
  listCloseTimer = setTimeout(() => {
    listCloseTimer = null;
    if (subscriberCount() === 0) closeListStream();
  }, LIST_GRACE_MS);
}

/**
 * Listens to one kind of list-stream frame — `"conversation"` (a Summary that
 * changed), `"conversation_removed"` (it left the agent's sight), `"presence"`
 * (who is in a conversation; includes the agent's own entry) or
 * `"notification"` — opening the shared stream if needed.
 * Returns the unsubscribe function (call it on unmount).
 *
 * ```ts
 * useEffect(() => subscribeList("notification", ({ notification }) => toast(notification)), []);
 * ```
 */
export function subscribeList<T extends ListEventType>(type: T, handler: Handler<T>): () => void {
  let set = listHandlers.get(type);
  if (!set) {
    set = new Set();
    listHandlers.set(type, set);
  }
  const h = handler as (event: ListEvent) => void;
  set.add(h);
  ensureListStream();
  return () => {
    set.delete(h);
    releaseListStream();
  };
}

/**
 * Follows the list stream's connection state. `reconnected` is true when it
 * came back after a loss: frames sent meanwhile are gone, so re-read what you show.
 */
export function subscribeListState(handler: (state: LinkState, reconnected: boolean) => void): () => void {
  listStateHandlers.add(handler);
  ensureListStream();
  handler(listLink!.state, false);
  return () => {
    listStateHandlers.delete(handler);
    releaseListStream();
  };
}

/** The agents currently in a conversation, as the list stream knows it. */
export function listViewers(conversationId: string): Viewer[] {
  return listPresence.get(conversationId) ?? [];
}

/** Closes the shared list stream now (on logout); a later subscription opens a fresh one. */
export function closeListStream(): void {
  if (listCloseTimer) {
    clearTimeout(listCloseTimer);
    listCloseTimer = null;
  }
  listLink?.close();
  listLink = null;
  listPresence.clear();
  watchSent = "";
}
