/**
 * The visitor's side of one widget: the conversation (its id and the contact
 * token, kept in this origin's localStorage so it survives reloads and is
 * shared by tabs), the thread, the outbox and the live socket.
 *
 * Every message goes through the outbox first (localStorage, one
 * Idempotency-Key each): it is shown as "Sending…" and sent in order, retried
 * with the same key after a network failure, so a message typed offline is
 * sent exactly once when the visitor is back. The first one starts the
 * conversation; a later answer naming another conversation (the 24-hour
 * rule) moves the thread there without the visitor noticing.
 */
import type { Attachment } from "../../worker/contract/attachments";
import type { CustomerFrame } from "../../worker/contract/live";
import type { z } from "zod";
import { type UploadOptions, uploadFile } from "../lib/upload";
import type { CustomerItem, CustomerState, WidgetStarted } from "../../worker/contract/widget";
import type { Identity } from "./messages";
import { type Link, openLive } from "./socket";
import type { Store } from "./store";

/** A message waiting in the outbox. `name`/`email`: the pre-chat answers, for a first message. */
export interface Pending {
  key: string;
  body: string;
  name?: string;
  email?: string;
  /** Files already uploaded to the conversation, sent with this message. */
  files?: Attachment[];
}

interface Saved {
  conversationId: string;
  token: string;
  /** The newest reply the visitor has seen (the panel was open): the unread count starts after it. */
  seenSeq: number;
}

export interface ChatView {
  conversationId: string | null;
  /** Items of conversations this page left for a newer one (24-hour rule), then the current one's. */
  items: CustomerItem[];
  pending: Pending[];
  typing: boolean;
  state: CustomerState;
  link: Link | "idle";
  /** The last send failed for good: what the server said. */
  error: string | null;
  fieldErrors: { name?: string; email?: string };
  /** The server refused to start without a verified identity. */
  identityRefused: boolean;
  unread: number;
  /** Text for the screen reader's live region: the newest agent message that arrived live. */
  announce: string;
  rated: boolean;
  /** The text of a message the server refused, given back to the composer. */
  refused: string | null;
}

/** The view before anything is known: no conversation, nothing sent. */
export function emptyView(): ChatView {
  return {
    conversationId: null,
    items: [],
    pending: [],
    typing: false,
    state: { resolved: false, canRate: false },
    link: "idle",
    error: null,
    fieldErrors: {},
    identityRefused: false,
    unread: 0,
    announce: "",
    rated: false,
    refused: null,
  };
}

const RETRY_MS = [1_000, 2_000, 5_000, 10_000];
/** Signed file URLs expire: a broken image refetches the thread, at most this often. */
const REFRESH_MS = 30_000;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: { error?: { code?: string; message?: string; details?: unknown } } | null,
  ) {
    super(body?.error?.message ?? `HTTP ${status}`);
  }
}

function uuid(): string {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

function isItem(x: unknown): x is CustomerItem {
  const i = x as CustomerItem;
  return (
    !!i && typeof i.seq === "number" && (i.kind === "customer" || i.kind === "reply") && typeof i.body === "string"
  );
}

/** Field errors from a `validation_failed` body, for the pre-chat inputs. */
function fieldErrors(details: unknown): ChatView["fieldErrors"] {
  const out: ChatView["fieldErrors"] = {};
  if (!Array.isArray(details)) return out;
  for (const d of details as { path?: unknown[]; message?: string }[]) {
    const field = d?.path?.[0];
    if (field === "name" || field === "email") out[field] = d.message ?? "Please check this";
  }
  return out;
}

export class Chat {
  #view: ChatView = emptyView();

  #listeners = new Set<() => void>();
  /** The messages not sent yet, oldest first (kept in the store too: another tab may send them). */
  #outbox: Pending[];
  #saved: Saved | null;
  /** Items of earlier conversations (this page view only). */
  #earlier: CustomerItem[] = [];
  #current = new Map<number, CustomerItem>();
  #live: ReturnType<typeof openLive> | null = null;
  #flushing = false;
  #retry = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #typingTimer: ReturnType<typeof setTimeout> | undefined;
  #refreshed = 0;
  #freshTimer: ReturnType<typeof setTimeout> | undefined;
  /** Whether the visitor can see the thread (the panel is open and the page visible). */
  #seeing = false;
  identity: Identity | null = null;

  constructor(
    readonly key: string,
    private readonly store: Store,
    private readonly onActive: (on: boolean) => void,
  ) {
    this.#saved = store.get<Saved>(this.#savedKey);
    this.#outbox = store.get<Pending[]>(this.#outboxKey) ?? [];
    this.#view.pending = this.#outbox;
    store.onChange((key) => {
      if (key === this.#savedKey) this.#follow(store.get<Saved>(this.#savedKey));
      else if (key === this.#outboxKey) {
        this.#outbox = store.get<Pending[]>(this.#outboxKey) ?? [];
        this.#set({ pending: this.#outbox });
      }
    });
    addEventListener("online", () => {
      this.#live?.retry();
      void this.#flush();
    });
  }

  get #savedKey() {
    return `sb:${this.key}`;
  }
  get #outboxKey() {
    return `sb:${this.key}:outbox`;
  }

  get view(): ChatView {
    return this.#view;
  }

  subscribe(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #set(patch: Partial<ChatView>) {
    this.#view = { ...this.#view, ...patch };
    for (const fn of this.#listeners) fn();
  }

  /** Loads the thread and goes live, then sends whatever the outbox still holds. */
  start() {
    if (this.#saved) {
      this.onActive(true);
      this.#open(this.#saved);
    }
    void this.#flush();
  }

  /** Queue a message (the first one may carry the pre-chat answers, a later one files) and send it. */
  send(body: string, prechat: { name?: string; email?: string } = {}, files: Attachment[] = []) {
    this.#setOutbox([...this.#outbox, { key: uuid(), body, ...prechat, ...(files.length && { files }) }]);
    this.#set({ error: null, fieldErrors: {}, refused: null });
    this.#retry = 0;
    void this.#flush();
  }

  /** Uploads a file to the conversation (there must be one: the first message carries no files). */
  upload(file: File, options: UploadOptions): Promise<Attachment> {
    const s = this.#saved;
    if (!s) return Promise.reject(new Error("Send a message first"));
    return uploadFile(`/api/widget/conversations/${s.conversationId}/attachments`, file, {
      ...options,
      headers: { Authorization: `Bearer ${s.token}` },
    });
  }

  /** An image did not load (its signed URL expired?): fetch the thread again for fresh URLs. */
  refresh() {
    if (!this.#saved || Date.now() - this.#refreshed < REFRESH_MS) return;
    this.#refreshed = Date.now();
    void this.#load(this.#saved);
  }

  /** The panel is open (or not) and the page visible: what is shown counts as read. */
  setSeeing(seeing: boolean) {
    this.#seeing = seeing;
    if (seeing) this.#markSeen();
  }

  async rate(score: number, comment: string) {
    const s = this.#saved;
    if (!s) return;
    try {
      await this.#request("POST", `/api/widget/conversations/${s.conversationId}/rating`, {
        score,
        ...(comment.trim() && { comment: comment.trim() }),
      });
    } catch (e) {
      if (!(e instanceof HttpError && e.status === 409)) {
        this.#set({ error: e instanceof HttpError ? e.message : "Could not send your rating; please try again." });
        return;
      }
    }
    this.#set({ rated: true, state: { ...this.#view.state, canRate: false } });
  }

  async #request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const res = await fetch(path, {
      method,
      headers: {
        ...(body !== undefined && { "Content-Type": "application/json" }),
        ...(this.#saved && { Authorization: `Bearer ${this.#saved.token}` }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json().catch(() => null);
    if (!res.ok) throw new HttpError(res.status, json);
    return json as T;
  }

  /** Another tab started or moved the conversation (or saw replies): follow it. */
  #follow(saved: Saved | null) {
    const previous = this.#saved;
    this.#saved = saved;
    if (!saved) {
      if (previous) this.#forget();
      return;
    }
    if (previous?.conversationId !== saved.conversationId) this.#open(saved);
    else this.#set({ unread: this.#unread() });
  }

  #save(saved: Saved | null) {
    this.#saved = saved;
    this.store.set(this.#savedKey, saved);
  }

  #setOutbox(pending: Pending[]) {
    this.#outbox = pending;
    this.store.set(this.#outboxKey, pending.length ? pending : null);
    this.#set({ pending });
  }

  /** The thread so far becomes history: a new conversation starts below it (its seqs start again). */
  #moveOn() {
    this.#earlier = [...this.#earlier, ...this.#current.values()];
    this.#current.clear();
  }

  /**
   * Follows the thread to `conversationId`. After a merge the target holds
   * every message of this one, so what is shown is replaced, not kept above.
   */
  #continueIn(conversationId: string, merged: boolean) {
    const saved = this.#saved;
    if (!saved || saved.conversationId === conversationId) return;
    if (merged) this.#current.clear();
    const next = { ...saved, conversationId, seenSeq: 0 };
    this.#save(next);
    if (merged) this.#set({ conversationId });
    this.#open(next);
  }

  /** Goes live on `saved`'s conversation (a new one, from this tab or another, moves the thread on). */
  #open(saved: Saved) {
    if (this.#view.conversationId && this.#view.conversationId !== saved.conversationId) this.#moveOn();
    this.#live?.close();
    this.#set({ conversationId: saved.conversationId, typing: false });
    const live = openLive(saved.conversationId, saved.token, {
      lastSeq: () => Math.max(0, ...this.#current.keys()),
      onFrame: (f) => this.#live === live && this.#onFrame(f),
      onLink: (link) => {
        // A socket this replaced (a merge, a new conversation) has nothing more to say.
        if (this.#live !== live) return;
        this.#set({ link });
        if (link === "closed") this.#lost();
      },
    });
    this.#live = live;
    void this.#load(saved);
  }

  async #load(saved: Saved) {
    try {
      const data = await this.#request<{ items: unknown[]; state?: CustomerState }>(
        "GET",
        `/api/widget/conversations/${saved.conversationId}/messages`,
      );
      if (this.#saved?.conversationId !== saved.conversationId) return;
      this.#add(data.items.filter(isItem), false);
      if (data.state) this.#set({ state: data.state });
    } catch (e) {
      if (e instanceof HttpError && (e.status === 401 || e.status === 404)) this.#lost();
    }
  }

  /** The token or the conversation is gone: the next message starts a new conversation. */
  #lost() {
    this.#save(null);
    this.onActive(false);
    this.#forget();
  }

  /** Leaves the conversation (this tab's thread stays shown above whatever comes next). */
  #forget() {
    this.#live?.close();
    this.#live = null;
    this.#moveOn();
    this.#set({ conversationId: null, link: "idle" });
  }

  #onFrame(frame: CustomerFrame) {
    if (frame.type === "welcome") this.#set({ link: "open" });
    else if (frame.type === "item" && isItem(frame.item)) this.#add([frame.item], true);
    else if (frame.type === "typing") {
      clearTimeout(this.#typingTimer);
      // A lost "stopped typing" must not leave the indicator up forever.
      if (frame.active) this.#typingTimer = setTimeout(() => this.#set({ typing: false }), 15_000);
      this.#set({ typing: frame.active });
    } else if (frame.type === "merged") {
      this.#continueIn(frame.conversationId, true);
    } else if (frame.type === "state" && frame.state) {
      // The state that follows this visitor's rating keeps the thanks; a reopen or a new resolution clears it.
      const again = frame.state.canRate || !frame.state.resolved;
      this.#set({ state: frame.state, rated: again ? false : this.#view.rated });
    }
  }

  /**
   * Adds items (by seq: a known one is replaced, its file URLs may be fresher);
   * `live`: they just arrived, so a new reply is announced.
   */
  #add(items: CustomerItem[], live: boolean) {
    let newest: CustomerItem | null = null;
    for (const item of items) {
      const known = this.#current.has(item.seq);
      this.#current.set(item.seq, item);
      if (!known && item.kind === "reply") newest = item;
    }
    const current = [...this.#current.values()].sort((a, b) => a.seq - b.seq);
    const patch: Partial<ChatView> = { items: [...this.#earlier, ...current] };
    if (newest) patch.typing = false;
    if (newest && live) patch.announce = `${newest.author.name}: ${newest.body || "sent a file"}`;
    this.#set(patch);
    if (this.#seeing) this.#markSeen();
    else this.#set({ unread: this.#unread() });
    this.#keepFresh();
  }

  /** File URLs are signed until `exp=` (seconds): fetch the thread again a minute before the first expires. */
  #keepFresh() {
    clearTimeout(this.#freshTimer);
    let first = Infinity;
    for (const item of this.#current.values()) {
      for (const f of item.attachments ?? [])
        first = Math.min(first, Number(/[?&]exp=(\d+)/.exec(f.url)?.[1] ?? first));
    }
    const id = this.#saved?.conversationId;
    if (id && first < Infinity) {
      const wait = Math.max(first * 1000 - Date.now() - 60_000, 10_000);
      this.#freshTimer = setTimeout(() => this.#saved?.conversationId === id && void this.#load(this.#saved), wait);
    }
  }

  #unread(): number {
    const seen = this.#saved?.seenSeq ?? 0;
    return [...this.#current.values()].filter((i) => i.kind === "reply" && i.seq > seen).length;
  }

  #markSeen() {
    const s = this.#saved;
    const last = Math.max(0, ...this.#current.keys());
    if (s && last > s.seenSeq) this.#save({ ...s, seenSeq: last });
    if (this.#view.unread) this.#set({ unread: 0 });
  }

  /** Sends the outbox in order, one at a time; stops at a network failure and retries later. */
  async #flush() {
    if (this.#flushing) return;
    this.#flushing = true;
    clearTimeout(this.#retryTimer);
    try {
      for (;;) {
        const next = this.#outbox[0];
        if (!next) break;
        try {
          await this.#deliver(next);
          if (this.#retry) this.#set({ error: null });
          this.#retry = 0;
        } catch (e) {
          if (e instanceof HttpError && (e.status === 401 || e.status === 404) && this.#saved) {
            // The conversation (or its token) is gone: this message starts a new one.
            this.#lost();
            continue;
          }
          if (!(e instanceof HttpError) || e.status === 429 || e.status >= 500) {
            // Offline, or the server is struggling or asks us to slow down: same key, later.
            if (e instanceof HttpError && e.status === 429) {
              this.#set({ error: "You've sent a lot of messages; yours will go out in a moment." });
            }
            const wait = RETRY_MS[Math.min(this.#retry++, RETRY_MS.length - 1)];
            this.#retryTimer = setTimeout(() => void this.#flush(), wait);
            break;
          }
          this.#refused(next, e);
        }
        this.#setOutbox(this.#outbox.filter((p) => p.key !== next.key));
      }
    } finally {
      this.#flushing = false;
    }
  }

  async #deliver(p: Pending) {
    const saved = this.#saved;
    const headers = { "Idempotency-Key": p.key };
    if (!saved) {
      // Files belong to a conversation that is gone (the token or the chat was lost).
      if (p.files) throw new HttpError(410, { error: { message: "The chat ended before your files were sent." } });
      const id = this.identity;
      const started = await this.#request<z.infer<typeof WidgetStarted>>(
        "POST",
        `/api/widget/${encodeURIComponent(this.key)}/conversations`,
        {
          body: p.body,
          ...((p.name || id?.name) && { name: p.name || id?.name }),
          ...((p.email || id?.email) && { email: p.email || id?.email }),
          ...(id && { identity: { userId: id.userId, hash: id.hash } }),
          attributes: { language: navigator.language.slice(0, 64) },
        },
        headers,
      );
      const next = { conversationId: started.conversationId, token: started.contactToken, seenSeq: 0 };
      this.#save(next);
      this.onActive(true);
      this.#set({ identityRefused: false });
      this.#open(next);
      return;
    }
    const posted = await this.#request<CustomerItem & { conversationId?: string; merged?: boolean }>(
      "POST",
      `/api/widget/conversations/${saved.conversationId}/messages`,
      { body: p.body, ...(p.files && { attachmentIds: p.files.map((f) => f.id) }) },
      headers,
    );
    if (posted.conversationId && posted.conversationId !== saved.conversationId) {
      // The team merged this conversation into another (its thread is all there), or the 24-hour rule
      // opened a new one (#open keeps the old thread above it).
      this.#continueIn(posted.conversationId, !!posted.merged);
    }
    if (isItem(posted)) this.#add([posted], false);
  }

  /** The server said no for good: drop the message and say why. */
  #refused(p: Pending, e: HttpError) {
    const code = e.body?.error?.code;
    const fields = code === "validation_failed" ? fieldErrors(e.body?.error?.details) : {};
    this.#set({
      error: e.message,
      fieldErrors: fields,
      identityRefused: e.status === 403 && !this.#saved,
      refused: p.body,
    });
  }
}
