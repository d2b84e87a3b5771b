/** The reply-collision guard. Pure; the room applies it inside its queue. */
import type { ItemKind } from "../contract";

export interface CollisionCheck {
  /** The kind of item being posted: only replies can collide. */
  kind: ItemKind;
  /** The seq of the room's latest item the customer can see (a customer message or a reply). */
  lastPublicSeq: number;
  /** The last seq the author had seen when writing; absent: the client does not guard. */
  lastSeenSeq?: number;
  /** The author saw the newer messages and sends anyway. */
  force?: boolean;
}

/**
 * Whether a reply collides: the customer wrote, or a teammate replied, after
 * what the author last saw. Notes and customer messages never collide, and a
 * forced reply or one without `lastSeenSeq` goes through.
 */
export function collides({ kind, lastPublicSeq, lastSeenSeq, force }: CollisionCheck): boolean {
  return kind === "reply" && lastSeenSeq !== undefined && !force && lastPublicSeq > lastSeenSeq;
}
