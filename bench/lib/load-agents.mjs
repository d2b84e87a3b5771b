// @ts-check
// The load bench's simulated agents: list sockets (`GET /api/live`) that say
// what they show with a watch frame, and conversation sockets whose agents
// view and type (presence and drafts at the composer's pace). Every frame a
// list socket gets is counted; the `conversation` frames that carry a customer
// message of the run (its body, hence the row's preview, starts with `#<n> `)
// are matched to the post that caused them.

// @ts-expect-error ws ships no types (the project has no @types/ws)
import WebSocket from "ws";
import { closeAll, openRoomSocket, withTimeout } from "./live.mjs";
import { rng } from "./local-d1.mjs";

/** @typedef {import("./load-setup.mjs").LoadAgent} LoadAgent */

/** The web client pings both sockets every 3 s (web/lib/live.ts); the server drops sockets silent for 6 s. */
const PING_EVERY_MS = 3000;
const PING = '{"type":"ping"}';
/** The composer sends at most one draft frame per 150 ms (web/app/features/conversation/live-draft.ts). */
const DRAFT_EVERY_MS = 150;

/**
 * One list socket and what it is expected to show.
 * @typedef {{
 *   ws: WebSocket, agent: LoadAgent, scope: Set<string> | "*", watchInbox: string | null, ids: Set<string>,
 *   frames: number, closed: boolean,
 * }} ListSocket
 */

/**
 * One customer message of the run: when it was sent and answered, and when
 * each list socket got its row (NaN: not yet).
 * @typedef {{ n: number, conversationId: string, inboxId: string, sentAt: number, committedAt: number,
 *   failed: string | null, arrivals: Float64Array }} Post
 */

const CONVERSATION = Buffer.from('"type":"conversation"');
const PRESENCE = Buffer.from('"type":"presence"');
const ERROR = Buffer.from('"type":"error"');
const MARK = Buffer.from('"preview":"#');

/** The post number in a conversation frame's preview, or -1. */
function markOf(/** @type {Buffer} */ data) {
  const i = data.indexOf(MARK);
  if (i < 0) return -1;
  let n = 0;
  let j = i + MARK.length;
  for (; j < data.length && data[j] >= 48 && data[j] <= 57; j++) n = n * 10 + data[j] - 48;
  return j > i + MARK.length && data[j] === 32 ? n : -1;
}

/** Every list socket of the run and the counters their frames feed. */
export class ListFleet {
  /** @type {ListSocket[]} */
  sockets = [];
  /** @type {Map<number, Post>} posts of the current step by number */
  posts = new Map();
  /** @type {Record<"frames" | "conversation" | "presence" | "error" | "other", number>} */
  counts = { frames: 0, conversation: 0, presence: 0, error: 0, other: 0 };
  /** @type {Record<"matched" | "coalesced" | "duplicate" | "extra" | "outOfScope" | "stale", number>} */
  deliveries = { matched: 0, coalesced: 0, duplicate: 0, extra: 0, outOfScope: 0, stale: 0 };
  /** @type {Map<string, Post[]>} the current step's posts by conversation */
  #byConversation = new Map();
  closedEarly = 0;
  /** error frames over the whole run (a hub without watch support answers each watch frame with one) */
  errorFrames = 0;
  /** @type {string | null} */
  firstError = null;
  stopping = false;

  /**
   * @param {{ wsBase: string, watch: boolean, watchIds: number }} o
   */
  constructor({ wsBase, watch, watchIds }) {
    this.wsBase = wsBase;
    this.watch = watch;
    this.watchIds = watchIds;
  }

  /** Whether socket `s` should show a change to this conversation. */
  expects(/** @type {ListSocket} */ s, /** @type {string} */ inboxId, /** @type {string} */ conversationId) {
    if (s.scope !== "*" && !s.scope.has(inboxId)) return false;
    if (!this.watch) return true;
    return s.watchInbox === inboxId || s.ids.has(conversationId);
  }

  /**
   * Opens one agent's list socket and, when watching, tells it what the agent's list shows.
   * @param {LoadAgent} agent
   * @param {string[]} ids the first rows of the agent's view
   */
  async open(agent, ids) {
    const ws = new WebSocket(`${this.wsBase}/api/live`, {
      headers: { Authorization: `Bearer ${agent.token}` },
      perMessageDeflate: false,
      handshakeTimeout: 30_000,
    });
    await withTimeout(
      new Promise((resolve, reject) => {
        ws.once("open", resolve);
        ws.once("error", reject);
        ws.once("unexpected-response", (/** @type {unknown} */ _req, /** @type {{ statusCode: number }} */ res) =>
          reject(new Error(`/api/live answered HTTP ${res.statusCode}`)),
        );
      }),
      30_000,
      "a list socket's upgrade",
    ).catch((e) => {
      ws.terminate();
      throw e;
    });
    /** @type {ListSocket} */
    const s = {
      ws,
      agent,
      scope: agent.admin ? "*" : new Set(agent.scope),
      watchInbox: this.watch ? agent.watchInbox : null,
      ids: new Set(this.watch ? ids : []),
      frames: 0,
      closed: false,
    };
    const index = this.sockets.push(s) - 1;
    ws.on("message", (/** @type {Buffer} */ data, /** @type {boolean} */ isBinary) => {
      if (!isBinary) this.#frame(index, /** @type {Buffer} */ (data), performance.now());
    });
    ws.on("error", () => {});
    /** @type {NodeJS.Timeout | undefined} */
    let beat;
    ws.once("close", () => {
      s.closed = true;
      clearInterval(beat);
      if (!this.stopping) this.closedEarly++;
    });
    // Pings spread over the interval, as a thousand browsers' would be.
    setTimeout(() => {
      if (s.closed) return;
      beat = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send(PING), PING_EVERY_MS);
      beat.unref();
    }, Math.random() * PING_EVERY_MS).unref();
    if (this.watch) {
      ws.send(JSON.stringify({ type: "watch", filter: { view: "all", inboxId: agent.watchInbox }, ids }));
    }
    return s;
  }

  /**
   * @param {number} index
   * @param {Buffer} data
   * @param {number} at
   */
  #frame(index, data, at) {
    const s = this.sockets[index];
    s.frames++;
    this.counts.frames++;
    if (data.indexOf(CONVERSATION) >= 0) {
      this.counts.conversation++;
      const n = markOf(data);
      if (n < 0) return;
      const post = this.posts.get(n);
      if (!post) {
        this.deliveries.stale++;
        return;
      }
      if (index >= post.arrivals.length) return; // opened after the post
      if (!Number.isNaN(post.arrivals[index])) {
        this.deliveries.duplicate++;
        return;
      }
      post.arrivals[index] = at;
      // A row shows the conversation as of its latest change: a server that coalesces
      // publications (one per 250 ms) delivers an earlier message of the same
      // conversation with a later one's row.
      for (const earlier of this.#byConversation.get(post.conversationId) ?? []) {
        if (earlier.n < n && Number.isNaN(earlier.arrivals[index]) && index < earlier.arrivals.length) {
          earlier.arrivals[index] = at;
          this.deliveries.coalesced++;
        }
      }
      if (s.scope !== "*" && !s.scope.has(post.inboxId)) this.deliveries.outOfScope++;
      else if (!this.expects(s, post.inboxId, post.conversationId)) this.deliveries.extra++;
      else this.deliveries.matched++;
    } else if (data.indexOf(PRESENCE) >= 0) this.counts.presence++;
    else if (data.indexOf(ERROR) >= 0) {
      this.counts.error++;
      this.errorFrames++;
      this.firstError ??= data.toString("utf8", 0, 300);
    } else this.counts.other++;
  }

  /** A customer message about to be sent, whose rows the sockets will record. */
  addPost(/** @type {Post} */ post) {
    this.posts.set(post.n, post);
    const list = this.#byConversation.get(post.conversationId);
    if (list) list.push(post);
    else this.#byConversation.set(post.conversationId, [post]);
  }

  /** Zeroes the counters for a new step. */
  reset() {
    this.posts.clear();
    this.#byConversation.clear();
    for (const k of /** @type {(keyof ListFleet["counts"])[]} */ (Object.keys(this.counts))) this.counts[k] = 0;
    for (const k of /** @type {(keyof ListFleet["deliveries"])[]} */ (Object.keys(this.deliveries)))
      this.deliveries[k] = 0;
    for (const s of this.sockets) s.frames = 0;
  }

  /** How many (post, socket) pairs are expected and still missing. */
  missing() {
    let expected = 0;
    let missing = 0;
    for (const post of this.posts.values()) {
      if (post.failed) continue;
      for (let i = 0; i < post.arrivals.length; i++) {
        if (!this.expects(this.sockets[i], post.inboxId, post.conversationId)) continue;
        expected++;
        if (Number.isNaN(post.arrivals[i])) missing++;
      }
    }
    return { expected, missing };
  }

  async closeAll() {
    this.stopping = true;
    await closeAll(
      this.sockets.map((s) => s.ws),
      3000,
    );
  }
}

/**
 * An agent with a conversation open: viewing, now and then typing a reply for
 * a few seconds (presence `typing`, a draft frame every 150 ms), then viewing again.
 */
export class Typist {
  drafts = 0;
  presences = 0;
  stopped = false;
  /** @type {NodeJS.Timeout | null} */
  #timer = null;

  /**
   * @param {WebSocket} ws
   * @param {number} seed
   * @param {{ viewMs: [number, number], typeMs: number }} pace
   */
  constructor(ws, seed, pace) {
    this.ws = ws;
    this.rand = rng(seed);
    this.pace = pace;
  }

  /**
   * Opens the conversation's socket (hello → welcome), says it is viewing and starts the cycle.
   * @param {string} wsBase
   * @param {LoadAgent} agent
   * @param {string} conversationId
   * @param {number} seed
   * @param {{ viewMs: [number, number], typeMs: number }} pace
   */
  static async open(wsBase, agent, conversationId, seed, pace) {
    const ws = await openRoomSocket(`${wsBase}/api/conversations/${conversationId}/live`, {
      headers: { Authorization: `Bearer ${agent.token}` },
      timeoutMs: 30_000,
    });
    const t = new Typist(ws, seed, pace);
    t.#send({ type: "presence", state: "viewing" });
    t.presences++;
    t.#view();
    return t;
  }

  #send(/** @type {object} */ frame) {
    if (!this.stopped && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  #view() {
    const [lo, hi] = this.pace.viewMs;
    this.#timer = setTimeout(() => this.#type(), lo + this.rand() * (hi - lo));
  }

  #type() {
    this.#send({ type: "presence", state: "typing", kind: "reply" });
    this.presences++;
    const steps = Math.max(1, Math.round(this.pace.typeMs / DRAFT_EVERY_MS));
    let body = "";
    let k = 0;
    const tick = () => {
      if (this.stopped) return;
      if (k++ < steps) {
        body += "typing a reply ".slice(0, 3);
        this.#send({ type: "draft", body });
        this.drafts++;
        this.#timer = setTimeout(tick, DRAFT_EVERY_MS);
      } else {
        this.#send({ type: "draft", body: "" });
        this.#send({ type: "presence", state: "viewing" });
        this.presences++;
        this.#view();
      }
    };
    tick();
  }

  stop() {
    this.stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
  }
}
