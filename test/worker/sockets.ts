/** Real WebSockets into the worker, with a frame queue to await on. */
import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import type { z } from "zod";
import { AgentFrame, CustomerFrame, ListFrame } from "../../worker/contract";
import { type As, conforms, ORIGIN } from "./helpers";

/** The frames a socket at `path` receives: the list stream, the customer's widget, or an agent's room. */
export type FrameOf<P extends string> = P extends `/api/live${string}`
  ? ListFrame
  : P extends `/api/widget/${string}`
    ? CustomerFrame
    : AgentFrame;

function schemaOf(path: string): z.ZodType<AgentFrame | CustomerFrame | ListFrame> {
  if (path.startsWith("/api/live")) return ListFrame;
  if (path.startsWith("/api/widget/")) return CustomerFrame;
  return AgentFrame;
}

export interface Socket<F extends { type: string } = AgentFrame> {
  ws: WebSocket;
  frames: F[];
  /** Resolves with the next unread frame of `type` (skipping others), or fails after `ms`. */
  next<T extends F["type"]>(type: T, ms?: number): Promise<Extract<F, { type: T }>>;
  /** Frames of `type` received so far and not yet read by next(). */
  pending<T extends F["type"]>(type: T): Extract<F, { type: T }>[];
  send(frame: unknown): void;
  close(): void;
  /** Resolves with the close code once the server closes the socket. */
  closed: Promise<number>;
}

/** Like a real client, a test socket pings on its own, so the room's heartbeat sweep leaves it alone. */
const HEARTBEAT_EVERY_MS = 150;
const PING = '{"type":"ping"}';

/**
 * Opens a socket; every frame it receives is checked against the contract's
 * frames for that path. It pings every 150 ms (those pongs are not recorded)
 * unless `silent`, like a client that vanished without closing.
 */
export async function connect<P extends string>(
  path: P,
  as: As = null,
  { silent = false } = {},
): Promise<Socket<FrameOf<P>>> {
  type F = FrameOf<P>;
  const headers = new Headers({ Upgrade: "websocket" });
  if (as && "cookie" in as) headers.set("cookie", as.cookie);
  if (as && "bearer" in as) headers.set("authorization", `Bearer ${as.bearer}`);
  const res = await exports.default.fetch(new Request(`${ORIGIN}${path}`, { headers }));
  if (res.status !== 101) expect.fail(`expected 101, got ${res.status} ${await res.text()}`);
  const ws = res.webSocket!;
  ws.accept();
  const schema = schemaOf(path);
  const frames: F[] = [];
  const waiters: (() => void)[] = [];
  // A frame outside the contract fails the next read (a listener's throw would go unnoticed).
  let broken: unknown = null;
  let ownPongs = 0;
  const heartbeat = silent
    ? null
    : setInterval(() => {
        try {
          ws.send(PING);
          ownPongs++;
        } catch {
          clearInterval(heartbeat!);
        }
      }, HEARTBEAT_EVERY_MS);
  const closed = new Promise<number>((resolve) =>
    ws.addEventListener("close", (e) => {
      if (heartbeat) clearInterval(heartbeat);
      resolve(e.code);
    }),
  );
  ws.addEventListener("message", (e) => {
    // Pongs come back in ping order, so any `ownPongs` of them answer the heartbeat.
    if (e.data === '{"type":"pong"}' && ownPongs > 0) {
      ownPongs--;
      return;
    }
    try {
      frames.push(conforms(schema, JSON.parse(e.data as string), `a frame on ${path}`) as F);
    } catch (error) {
      broken ??= error;
    }
    for (const w of waiters.splice(0)) w();
  });
  const consumed = new Set<number>();
  const unread = <T extends F["type"]>(f: F, idx: number, type: T): f is Extract<F, { type: T }> =>
    !consumed.has(idx) && f.type === type;
  const socket: Socket<F> = {
    ws,
    closed,
    frames,
    async next(type, ms = 10_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        if (broken) throw broken;
        const i = frames.findIndex((f, idx) => unread(f, idx, type));
        if (i >= 0) {
          consumed.add(i);
          return frames[i] as Extract<F, { type: typeof type }>;
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
      return frames.filter((f, idx) => unread(f, idx, type));
    },
    send(frame) {
      ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
    },
    close() {
      if (heartbeat) clearInterval(heartbeat);
      ws.close(1000, "bye");
    },
  };
  return socket;
}

/**
 * Opens a conversation room as an agent and says hello, as a client that has
 * already loaded the timeline up to `lastSeq` (a new conversation holds seq 1).
 */
export async function openRoom(
  conversationId: string,
  as: As,
  lastSeq = 1,
  options: { silent?: boolean } = {},
): Promise<Socket<AgentFrame>> {
  const socket = await connect(`/api/conversations/${conversationId}/live`, as, options);
  socket.send({ type: "hello", lastSeq });
  await socket.next("welcome");
  return socket;
}

/** Opens the customer's socket and says hello (see openRoom for `lastSeq`). */
export async function openWidget(conversationId: string, token: string, lastSeq = 1): Promise<Socket<CustomerFrame>> {
  const socket = await connect(`/api/widget/conversations/${conversationId}/live?token=${encodeURIComponent(token)}`);
  socket.send({ type: "hello", lastSeq });
  await socket.next("welcome");
  return socket;
}

export const settle = (ms = 50) => new Promise((r) => setTimeout(r, ms));
