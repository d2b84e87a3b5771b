/**
 * What a conversation's room tells its workspace's hub: the summary for the
 * list views, the presence marker, notifications. Publications run one at a
 * time in commit order, off the acknowledgement's path: a writer never waits
 * for them, and a failure is logged, never thrown at the writer.
 */
import type { Notification, Viewer } from "../contract";
import type { Db } from "../db/client";
import { getSummary } from "../db/queries/conversations";
import { SerialQueue } from "./serial-queue";
import { getWorkspaceHub, PRESENCE_TTL_MS } from "./workspace-hub";

/** Where a conversation lives, which is all the hub needs to know to route a publication. */
export interface Place {
  id: string;
  workspaceId: string;
  inboxId: string;
}

const membersOf = (viewers: Viewer[]) => viewers.map((v) => v.userId).join(" ");

/** The least time between two presence publications of one room that change only what the agents do. */
export const PRESENCE_SPACING_MS = 200;

export class HubPublisher {
  #env: Env;
  #db: Db;
  #queue = new SerialQueue();
  #summaryQueued = false;
  /** The inbox a not-yet-published move left, so the hub can retract the row from its watchers. */
  #movedFrom: string | null = null;
  #presenceAt = 0;
  /** The viewers a queued presence publication will carry; later changes fold into it. */
  #presenceNext: Viewer[] | null = null;
  #presenceTimer: ReturnType<typeof setTimeout> | null = null;
  /** Who the hub was last told is here. */
  #presenceMembers = "";

  constructor(env: Env, db: Db) {
    this.#env = env;
    this.#db = db;
  }

  /**
   * The conversation's summary changed. A burst of commits coalesces: while one
   * publication waits its turn it will read the latest summary anyway.
   */
  summary(place: Place, movedFrom?: string): void {
    if (movedFrom) this.#movedFrom ??= movedFrom;
    if (this.#summaryQueued) return;
    this.#summaryQueued = true;
    this.run(async () => {
      this.#summaryQueued = false;
      const previousInbox = this.#movedFrom ?? undefined;
      this.#movedFrom = null;
      const summary = await getSummary(this.#db, place.id);
      if (summary) await this.#hub(place).publishConversation(summary, previousInbox);
    });
  }

  /**
   * The agents viewing changed; `place` is resolved when the publication's
   * turn comes. Flapping presence fans out to every list socket, so one
   * publication at a time, and changes made while it waits fold into it: the
   * lists see the latest. Who is here is published at once (the hub routes
   * access changes by it); a change of what they do waits for
   * PRESENCE_SPACING_MS after the last publication.
   */
  presence(place: () => Promise<Place | null>, viewers: Viewer[]): void {
    const queued = this.#presenceNext !== null;
    this.#presenceNext = viewers;
    const joinedOrLeft = membersOf(viewers) !== this.#presenceMembers;
    if (queued && !(joinedOrLeft && this.#presenceTimer)) return;
    if (this.#presenceTimer) clearTimeout(this.#presenceTimer);
    this.#presenceTimer = null;
    const wait = joinedOrLeft ? 0 : this.#presenceAt + PRESENCE_SPACING_MS - Date.now();
    if (wait <= 0) {
      this.#publishPresence(place);
      return;
    }
    this.#presenceTimer = setTimeout(() => {
      this.#presenceTimer = null;
      this.#publishPresence(place);
    }, wait);
  }

  #publishPresence(place: () => Promise<Place | null>): void {
    this.run(async () => {
      const latest = this.#presenceNext;
      if (!latest) return;
      this.#presenceNext = null;
      this.#presenceAt = Date.now();
      this.#presenceMembers = membersOf(latest);
      const where = await place();
      if (where) await this.#hub(where).publishPresence(where.id, where.inboxId, latest);
    });
  }

  /** The hub forgets markers it is not reminded of; a room with viewers reminds it in time. */
  presenceDue(now: number): boolean {
    return now - this.#presenceAt > PRESENCE_TTL_MS / 3;
  }

  notifications(place: Place, notices: { userId: string; notification: Notification }[]): void {
    if (!notices.length) return;
    this.run(async () => {
      const hub = this.#hub(place);
      for (const { userId, notification } of notices)
        await hub.sendToUser(userId, { type: "notification", notification });
    });
  }

  /** Runs a publication of the room's own in the same order as the others. */
  run(task: () => Promise<void>): void {
    void this.#queue.run(task).catch((error) => console.error("publishing to the workspace hub failed", error));
  }

  #hub(place: Place) {
    return getWorkspaceHub(this.#env, place.workspaceId);
  }
}
