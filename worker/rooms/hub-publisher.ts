/**
 * What a conversation's room tells the lists: the summary and the presence
 * marker to its inbox's hub, notifications to each recipient's list gateway
 * (see list-hub.ts). Publications run one at a time in commit order, off the
 * acknowledgement's path: a writer never waits for them, and a failure is
 * logged, never thrown at the writer.
 *
 * Both summary and presence publications are coalesced: at most one per
 * PUBLISH_SPACING_MS, the first of a quiet spell at once, later changes folded
 * into the next (which reads the latest), so a busy conversation costs its
 * hub a bounded number of calls a second.
 */
import type { Notification, Viewer } from "../contract";
import type { Db } from "../db/client";
import { getSummary } from "../db/queries/conversations";
import { PRESENCE_TTL_MS } from "./inbox-hub";
import { getInboxHub, getListGateway } from "./list-hub";
import { SerialQueue } from "./serial-queue";
import { Spaced } from "./spaced";

/** Where a conversation lives, which is all a hub needs to know to route a publication. */
export interface Place {
  id: string;
  workspaceId: string;
  inboxId: string;
}

const membersOf = (viewers: Viewer[]) => viewers.map((v) => v.userId).join(" ");

/** The least time between two publications of one kind from one room (but who joined or left goes at once). */
export const PUBLISH_SPACING_MS = 250;

export class HubPublisher {
  #env: Env;
  #db: Db;
  #queue = new SerialQueue();
  #summaryPlace: Place | null = null;
  /** The inbox a not-yet-published move left, so its hub can retract the row from its watchers. */
  #movedFrom: string | null = null;
  #summary = new Spaced(PUBLISH_SPACING_MS, () => this.#publishSummary());
  /** The viewers a queued presence publication will carry; later changes fold into it. */
  #presenceNext: Viewer[] | null = null;
  #presencePlace: (() => Promise<Place | null>) | null = null;
  /** Who the hub was last told is here, and doing what. */
  #presenceLast: Viewer[] = [];
  #presence = new Spaced(PUBLISH_SPACING_MS, () => this.#publishPresence());

  constructor(env: Env, db: Db) {
    this.#env = env;
    this.#db = db;
  }

  /** The conversation's summary changed (and, after a move, which inbox it left). */
  summary(place: Place, movedFrom?: string): void {
    if (movedFrom) this.#movedFrom ??= movedFrom;
    this.#summaryPlace = place;
    this.#summary.request();
  }

  /**
   * The agents viewing changed; `place` is resolved when the publication's
   * turn comes. Who is here is published at once (access changes are routed
   * by it); a change of only what they do waits its spacing.
   */
  presence(place: () => Promise<Place | null>, viewers: Viewer[]): void {
    this.#presenceNext = viewers;
    this.#presencePlace = place;
    this.#presence.request(membersOf(viewers) !== membersOf(this.#presenceLast));
  }

  /** The hub forgets markers it is not reminded of; a room with viewers reminds it in time. */
  presenceDue(now: number): boolean {
    return now - this.#presence.lastAt > PRESENCE_TTL_MS / 3;
  }

  notifications(place: Place, notices: { userId: string; notification: Notification }[]): void {
    if (!notices.length) return;
    this.run(async () => {
      // In order, so one person's notifications arrive as they were made.
      for (const { userId, notification } of notices) {
        const gateway = getListGateway(this.#env, place.workspaceId, userId);
        await gateway.sendToUser(userId, { type: "notification", notification });
      }
    });
  }

  /** Runs a publication of the room's own in the same order as the others. */
  run(task: () => Promise<void>): void {
    void this.#queue.run(task).catch((error) => console.error("publishing to the lists failed", error));
  }

  #publishSummary(): void {
    this.run(async () => {
      const place = this.#summaryPlace;
      const movedFrom = this.#movedFrom;
      this.#movedFrom = null;
      if (!place) return;
      const summary = await getSummary(this.#db, place.id);
      if (!summary) return;
      const hub = getInboxHub(this.#env, place.workspaceId, summary.inboxId);
      await hub.publishConversation(summary.inboxId, summary);
      if (movedFrom && movedFrom !== summary.inboxId) {
        await getInboxHub(this.#env, place.workspaceId, movedFrom).movedAway(movedFrom, summary.id, summary.inboxId);
        // The marker moves with the conversation.
        if (this.#presenceLast.length) await hub.publishPresence(summary.inboxId, summary.id, this.#presenceLast);
      }
    });
  }

  #publishPresence(): void {
    this.run(async () => {
      const latest = this.#presenceNext;
      if (!latest || !this.#presencePlace) return;
      this.#presenceNext = null;
      this.#presenceLast = latest;
      const where = await this.#presencePlace();
      if (where)
        await getInboxHub(this.#env, where.workspaceId, where.inboxId).publishPresence(where.inboxId, where.id, latest);
    });
  }
}
