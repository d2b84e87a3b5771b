/**
 * The customer's live socket (`/api/widget/conversations/:id/live?token=…`)
 * on partysocket: reconnects by itself, says `hello {lastSeq}` on every
 * (re)connect so the room replays what was missed, pings every 3 s (the room
 * drops sockets silent for 6 s) and treats a ping unanswered for 5 s as a
 * dead link even before the browser notices.
 */
import ReconnectingWebSocket from "partysocket/ws";
import type { CustomerFrame } from "../../worker/contract/live";

const HEARTBEAT_MS = 3_000;
const SILENCE_MS = 5_000;
/** Signed out, forbidden, no such conversation: retrying cannot help (worker/contract/errors.ts CloseCodes). */
const FINAL = [4401, 4403, 4404];
const FRAME_TYPES = ["welcome", "item", "typing", "state", "merged", "pong", "error"];

export type Link = "connecting" | "open" | "offline" | "closed";

export interface LiveHandlers {
  lastSeq: () => number;
  onFrame: (frame: CustomerFrame) => void;
  onLink: (link: Link) => void;
}

/** Opens the socket; returns `{ close, retry }`. */
export function openLive(conversationId: string, token: string, h: LiveHandlers) {
  const { protocol, host } = location;
  const url = `${protocol === "https:" ? "wss" : "ws"}://${host}/api/widget/conversations/${encodeURIComponent(conversationId)}/live?token=${encodeURIComponent(token)}`;
  const ws = new ReconnectingWebSocket(url, [], {
    maxEnqueuedMessages: 0,
    minReconnectionDelay: 500 + Math.random() * 500,
    maxReconnectionDelay: 8_000,
    connectionTimeout: 5_000,
    shouldReconnectOnClose: (e) => !FINAL.includes(e.code),
  });
  let pingedAt = 0;
  const send = (frame: object) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(frame));
  ws.onopen = () => {
    pingedAt = 0;
    send({ type: "hello", lastSeq: h.lastSeq() });
  };
  ws.onmessage = (e) => {
    pingedAt = 0;
    let frame: CustomerFrame | undefined;
    try {
      frame = JSON.parse(String(e.data));
    } catch {}
    if (frame && typeof frame === "object" && FRAME_TYPES.includes(frame.type)) h.onFrame(frame);
  };
  ws.onclose = (e) => h.onLink(FINAL.includes(e.code) ? "closed" : "offline");
  const timer = setInterval(() => {
    if (ws.readyState !== ws.OPEN) return;
    if (pingedAt && Date.now() - pingedAt > SILENCE_MS) {
      pingedAt = 0;
      ws.reconnect();
      return;
    }
    if (!pingedAt) pingedAt = Date.now();
    send({ type: "ping" });
  }, HEARTBEAT_MS);
  return {
    close() {
      clearInterval(timer);
      ws.close();
    },
    retry() {
      if (ws.readyState !== ws.OPEN) ws.reconnect();
    },
  };
}
