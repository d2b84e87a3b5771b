/** The chat rules that decide when a customer's message starts a new conversation. Pure. */
import type { Channel } from "../contract";

/** A chat goes quiet after this long; the next customer message starts a new conversation. */
export const CHAT_QUIET_MS = 24 * 60 * 60 * 1000;

/**
 * The 24-hour chat rule: in a chat inbox, when the contact's latest
 * conversation there has been inactive for more than 24 hours, their next
 * message starts a new conversation. Email threads never go quiet this way.
 */
export function startsNewChat(channel: Channel, latestActivityAt: number | null, now: number): boolean {
  return channel === "chat" && latestActivityAt !== null && now - latestActivityAt > CHAT_QUIET_MS;
}
