/**
 * The one place the notification UI meets the shared list stream (`/api/live`,
 * through `web/lib/live.ts`), so a change there is a change here only.
 */
import type { Notification } from "../../../../worker/contract";
import { subscribeList, subscribeListState, type LinkState } from "../../../lib/live";

export type { LinkState };

/** Calls `handler` with each notification pushed live to the signed-in agent; returns the unsubscribe function. */
export function onLiveNotification(handler: (notification: Notification) => void): () => void {
  return subscribeList("notification", ({ notification }) => handler(notification));
}

/**
 * Follows the stream's state; `reconnected` is true when it came back after a
 * loss (pushes sent meanwhile are gone: re-read). Returns the unsubscribe function.
 */
export function onLiveState(handler: (state: LinkState, reconnected: boolean) => void): () => void {
  return subscribeListState(handler);
}
