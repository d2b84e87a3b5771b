import { DurableObject } from "cloudflare:workers";
import type { Summary, Viewer } from "../contract";
import { getConversationRoom } from "./conversation-room";
import { gatewayNamed, type ListChange } from "./list-hub";

interface PresenceEntry {
  viewers: Viewer[];
  /** When the room last published it; rooms refresh entries while anyone views. */
  at: number;
}

/** One conversation's presence marker, as a gateway is handed it when it subscribes. */
export interface PresenceMarker {
  conversationId: string;
  viewers: Viewer[];
}

/**
 * A marker the room has not refreshed for this long is dropped: it outlived
 * its room (a restart, a deploy) and nobody will clear it otherwise.
 */
export const PRESENCE_TTL_MS = 90_000;

/** Deliveries a gateway may fail in a row before the changes waiting for it are given up (its lists re-read on reconnect). */
const DELIVERY_ATTEMPTS = 3;
const RETRY_AFTER_MS = 250;

const SUB = "sub:";
const PRESENCE = "presence:";

/**
 * One per inbox: where the rooms of the inbox's conversations publish their
 * summaries and presence, and the gateways holding list sockets that may see
 * the inbox subscribe (see list-hub.ts). It keeps the inbox's presence
 * markers, so a list that connects shows them from its first frame.
 *
 * A room's call returns once the change is queued: fan-out never holds a
 * writer. Changes for a gateway whose delivery is still in flight wait and go
 * as one batch, the latest of each conversation's: a burst costs a gateway
 * one call per round trip, not one per change.
 */
export class InboxHub extends DurableObject<Env> {
  #inboxId: string | null = null;
  #subscribers: Set<string> | null = null;
  #presence: Map<string, PresenceEntry> | null = null;
  #outbox = new Map<string, ListChange[]>();
  #sending = new Set<string>();
  /** Subscriptions made per gateway, so a "no longer wanted" answer never undoes one that came after it was asked. */
  #subscribes = new Map<string, number>();

  /** A gateway with sockets that may see this inbox: from now on it hears every change. Returns the markers showing. */
  async subscribe(inboxId: string, gateway: string): Promise<PresenceMarker[]> {
    await this.#know(inboxId);
    const subscribers = await this.#subscriberSet();
    this.#subscribes.set(gateway, (this.#subscribes.get(gateway) ?? 0) + 1);
    if (!subscribers.has(gateway)) {
      subscribers.add(gateway);
      await this.ctx.storage.put(SUB + gateway, 1);
    }
    const now = Date.now();
    return [...(await this.#presenceMap())]
      .filter(([, entry]) => now - entry.at < PRESENCE_TTL_MS)
      .map(([conversationId, entry]) => ({ conversationId, viewers: entry.viewers }));
  }

  /** A conversation's summary changed. */
  async publishConversation(inboxId: string, summary: Summary): Promise<void> {
    await this.#know(inboxId);
    await this.#forward({ kind: "conversation", summary });
  }

  /** A conversation left this inbox for `to`. Its marker goes with it (the room publishes it there). */
  async movedAway(inboxId: string, conversationId: string, to: string): Promise<void> {
    await this.#know(inboxId);
    if ((await this.#presenceMap()).delete(conversationId)) {
      void this.ctx.storage.delete(PRESENCE + conversationId, { allowUnconfirmed: true });
    }
    await this.#forward({ kind: "moved_away", conversationId, to });
  }

  /** The agents viewing a conversation changed, or its room refreshed the marker. */
  async publishPresence(inboxId: string, conversationId: string, viewers: Viewer[]): Promise<void> {
    await this.#know(inboxId);
    const presence = await this.#presenceMap();
    if (viewers.length) {
      const unchanged = JSON.stringify(presence.get(conversationId)?.viewers) === JSON.stringify(viewers);
      const entry = { viewers, at: Date.now() };
      presence.set(conversationId, entry);
      void this.ctx.storage.put(PRESENCE + conversationId, entry, { allowUnconfirmed: true });
      if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + PRESENCE_TTL_MS);
      // A refresh that changes nothing is not news for the list views.
      if (unchanged) return;
    } else {
      if (!presence.delete(conversationId)) return;
      void this.ctx.storage.delete(PRESENCE + conversationId, { allowUnconfirmed: true });
    }
    await this.#forward({ kind: "presence", conversationId, viewers });
  }

  /**
   * Someone's access changed: every room of this inbox where they are
   * present re-checks them (closing or silencing their sockets there).
   */
  async recheckViewer(userId: string): Promise<void> {
    const rooms = [...(await this.#presenceMap())]
      .filter(([, entry]) => entry.viewers.some((v) => v.userId === userId))
      .map(([conversationId]) => conversationId);
    await Promise.all(rooms.map((id) => getConversationRoom(this.env, id).recheckAccess(id, [userId])));
  }

  /** Drops presence markers whose room stopped refreshing them, and tells the list views. */
  override async alarm(): Promise<void> {
    const inboxId = this.#inboxId ?? (await this.ctx.storage.get<string>("inbox")) ?? null;
    if (!inboxId) return;
    const now = Date.now();
    let next = Infinity;
    for (const [conversationId, entry] of await this.#presenceMap()) {
      if (now - entry.at >= PRESENCE_TTL_MS) await this.publishPresence(inboxId, conversationId, []);
      else next = Math.min(next, entry.at + PRESENCE_TTL_MS);
    }
    if (next !== Infinity) await this.ctx.storage.setAlarm(next);
  }

  /** Remembers which inbox this hub is (the alarm needs it; callers always say). */
  async #know(inboxId: string): Promise<void> {
    if (this.#inboxId === inboxId) return;
    this.#inboxId = inboxId;
    await this.ctx.storage.put("inbox", inboxId);
  }

  async #forward(change: ListChange): Promise<void> {
    for (const gateway of await this.#subscriberSet()) {
      const queued = this.#outbox.get(gateway);
      if (queued) queued.push(change);
      else this.#outbox.set(gateway, [change]);
      if (!this.#sending.has(gateway)) void this.#deliver(gateway);
    }
  }

  /** Sends a gateway what waits for it, batch after batch, until nothing does. */
  async #deliver(gateway: string): Promise<void> {
    this.#sending.add(gateway);
    let failures = 0;
    try {
      for (let batch = this.#take(gateway); batch.length; batch = this.#take(gateway)) {
        try {
          const asked = this.#subscribes.get(gateway) ?? 0;
          const wanted = await gatewayNamed(this.env, gateway).deliver(this.#inboxId!, batch);
          failures = 0;
          if (!wanted && (this.#subscribes.get(gateway) ?? 0) === asked) {
            // None of its sockets may see this inbox any more: it subscribes again when one can.
            this.#outbox.delete(gateway);
            (await this.#subscriberSet()).delete(gateway);
            await this.ctx.storage.delete(SUB + gateway);
            return;
          }
        } catch (error) {
          if (++failures >= DELIVERY_ATTEMPTS) {
            console.error(`giving up ${batch.length} list changes for gateway ${gateway}`, error);
            failures = 0;
            continue;
          }
          // Put the batch back in front of anything newer and try again shortly.
          this.#outbox.set(gateway, [...batch, ...(this.#outbox.get(gateway) ?? [])]);
          await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_MS * failures));
        }
      }
    } finally {
      this.#sending.delete(gateway);
    }
  }

  /** The changes waiting for a gateway, the latest of each conversation's kind, in order. */
  #take(gateway: string): ListChange[] {
    const queued = this.#outbox.get(gateway) ?? [];
    this.#outbox.delete(gateway);
    if (queued.length < 2) return queued;
    const seen = new Set<string>();
    const latest: ListChange[] = [];
    for (let i = queued.length - 1; i >= 0; i--) {
      const change = queued[i]!;
      const key = `${change.kind}:${change.kind === "conversation" ? change.summary.id : change.conversationId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      latest.push(change);
    }
    return latest.reverse();
  }

  async #subscriberSet(): Promise<Set<string>> {
    if (!this.#subscribers) {
      const stored = await this.ctx.storage.list({ prefix: SUB });
      this.#subscribers = new Set([...stored.keys()].map((key) => key.slice(SUB.length)));
    }
    return this.#subscribers;
  }

  async #presenceMap(): Promise<Map<string, PresenceEntry>> {
    if (!this.#presence) {
      const stored = await this.ctx.storage.list<PresenceEntry>({ prefix: PRESENCE });
      this.#presence = new Map([...stored].map(([key, entry]) => [key.slice(PRESENCE.length), entry]));
    }
    return this.#presence;
  }
}
