/** Real WebSockets into the worker, with a frame queue to await on. */
import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import { ORIGIN, type As } from "./helpers";

export interface Socket {
  ws: WebSocket;
  frames: any[];
  /** Resolves with the next unread frame of `type` (skipping others), or fails after `ms`. */
  next(type: string, ms?: number): Promise<any>;
  /** Frames of `type` received so far and not yet read by next(). */
  pending(type: string): any[];
  send(frame: unknown): void;
  close(): void;
}

export async function connect(path: string, as: As = null): Promise<Socket> {
  const headers = new Headers({ Upgrade: "websocket" });
  if (as && "cookie" in as) headers.set("cookie", as.cookie);
  if (as && "bearer" in as) headers.set("authorization", `Bearer ${as.bearer}`);
  const res = await exports.default.fetch(new Request(`${ORIGIN}${path}`, { headers }));
  if (res.status !== 101) expect.fail(`expected 101, got ${res.status} ${await res.text()}`);
  const ws = res.webSocket!;
  ws.accept();
  const frames: any[] = [];
  const waiters: (() => void)[] = [];
  ws.addEventListener("message", (e) => {
    frames.push(JSON.parse(e.data as string));
    for (const w of waiters.splice(0)) w();
  });
  const consumed = new Set<number>();
  const socket: Socket = {
    ws,
    frames,
    async next(type, ms = 2000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const i = frames.findIndex((f, idx) => !consumed.has(idx) && f.type === type);
        if (i >= 0) {
          consumed.add(i);
          return frames[i];
        }
        const left = deadline - Date.now();
        if (left <= 0)
          throw new Error(`no "${type}" frame within ${ms} ms; got ${JSON.stringify(frames.map((f) => f.type))}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, left);
        });
      }
    },
    pending(type) {
      return frames.filter((f, idx) => !consumed.has(idx) && f.type === type);
    },
    send(frame) {
      ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
    },
    close() {
      ws.close(1000, "bye");
    },
  };
  return socket;
}

/**
 * Opens a conversation room as an agent and says hello, as a client that has
 * already loaded the timeline up to `lastSeq` (a new conversation holds seq 1).
 */
export async function openRoom(conversationId: string, as: As, lastSeq = 1): Promise<Socket> {
  const socket = await connect(`/api/conversations/${conversationId}/live`, as);
  socket.send({ type: "hello", lastSeq });
  await socket.next("welcome");
  return socket;
}

/** Opens the customer's socket and says hello (see openRoom for `lastSeq`). */
export async function openWidget(conversationId: string, token: string, lastSeq = 1): Promise<Socket> {
  const socket = await connect(`/api/widget/conversations/${conversationId}/live?token=${encodeURIComponent(token)}`);
  socket.send({ type: "hello", lastSeq });
  await socket.next("welcome");
  return socket;
}

export const settle = (ms = 50) => new Promise((r) => setTimeout(r, ms));
