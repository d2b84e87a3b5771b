/**
 * Socket plumbing both Durable Objects share: the identity the worker hands an
 * object with each upgrade, one attachment cache, typed sends and closes.
 *
 * A Durable Object is reachable only through the worker, which authenticates
 * the person and checks their access before it forwards the upgrade; the
 * object trusts the identity it is handed and nothing else.
 */
import { z } from "zod";
import {
  type AgentFrame,
  ClientFrame,
  CloseCodes,
  type CustomerFrame,
  ListClientFrame,
  type ListFrame,
  MAX_DRAFT_CHARS,
} from "../contract";
import type { FrameBudgets } from "./frame-budget";

/** Who a socket belongs to, as the worker decided it. */
export const SocketIdentity = z.discriminatedUnion("audience", [
  z.object({
    audience: z.literal("agent"),
    conversationId: z.string(),
    userId: z.string(),
    name: z.string(),
    /** Notes or better: may say "typing" and stream drafts. */
    canWrite: z.boolean(),
  }),
  z.object({ audience: z.literal("customer"), conversationId: z.string(), contactId: z.string() }),
  /** An agent's list stream: the inboxes whose conversations it carries ("*" for admins). */
  z.object({
    audience: z.literal("list"),
    userId: z.string(),
    workspaceId: z.string(),
    scope: z.union([z.literal("*"), z.array(z.string())]),
  }),
]);
export type SocketIdentity = z.infer<typeof SocketIdentity>;

const IDENTITY_HEADER = "x-sb-identity";

/** The upgrade request to forward to an object, naming who the socket belongs to (any name survives: it is URI-encoded). */
export function withIdentity(request: Request, identity: SocketIdentity): Request {
  const forwarded = new Request(request);
  forwarded.headers.set(IDENTITY_HEADER, encodeURIComponent(JSON.stringify(identity)));
  return forwarded;
}

/** The identity the worker attached, or null for a request that did not come through it. */
export function identityOf(request: Request): SocketIdentity | null {
  const raw = request.headers.get(IDENTITY_HEADER);
  if (!raw || request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return null;
  try {
    const parsed = SocketIdentity.safeParse(JSON.parse(decodeURIComponent(raw)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Each socket's attachment as last written, so a frame costs no deserialising.
 * The attachment itself survives hibernation; the cache refills from it.
 */
export class AttachmentCache<T> {
  #cache = new WeakMap<WebSocket, T>();

  get(ws: WebSocket): T {
    let attachment = this.#cache.get(ws);
    if (attachment === undefined) {
      attachment = ws.deserializeAttachment() as T;
      this.#cache.set(ws, attachment);
    }
    return attachment;
  }

  set(ws: WebSocket, attachment: T): void {
    ws.serializeAttachment(attachment);
    this.#cache.set(ws, attachment);
  }
}

/** Accepts a hibernatable socket with its attachment; returns the server end and the 101 response. */
export function acceptSocket<T>(
  ctx: DurableObjectState,
  cache: AttachmentCache<T>,
  attachment: T,
  tags: string[],
): { server: WebSocket; response: Response } {
  const { 0: client, 1: server } = new WebSocketPair();
  ctx.acceptWebSocket(server, tags);
  cache.set(server, attachment);
  return { server, response: new Response(null, { status: 101, webSocket: client }) };
}

export type ServerFrame = AgentFrame | CustomerFrame | ListFrame;

/** One frame, checked against the contract by its type. */
export const encodeFrame = (frame: ServerFrame): string => JSON.stringify(frame);

/** Sends text; a socket that went away mid-send is the close handler's business, not the sender's. */
export function sendText(ws: WebSocket, text: string): void {
  try {
    ws.send(text);
  } catch {
    // closed or closing
  }
}

export const sendFrame = (ws: WebSocket, frame: ServerFrame): void => sendText(ws, encodeFrame(frame));

/** Closes with one of the contract's codes; a socket already closing is left to finish. */
export function closeSocket(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // already closing
  }
}

/** Completes the closing handshake the client started (1005 and 1006 are not codes one may send). */
export const answerClose = (ws: WebSocket, code: number): void =>
  closeSocket(ws, code === 1005 || code === 1006 ? 1000 : code, "closing");

/**
 * A client's frame on a conversation room, or null when it is not one of the
 * contract's. The hot frame (a draft per keystroke) is checked by hand, by the schema's own rule.
 */
export const parseClientFrame = (message: string | ArrayBuffer): ClientFrame | null =>
  parseFrame(ClientFrame, message, (data) =>
    data?.type === "draft" && typeof data.body === "string" && data.body.length <= MAX_DRAFT_CHARS
      ? { type: "draft", body: data.body }
      : undefined,
  );

/** A client's frame on the list stream, or null when it is not one of the contract's. */
export const parseListClientFrame = (message: string | ArrayBuffer): ListClientFrame | null =>
  parseFrame(ListClientFrame, message);

/** A JSON text frame checked against `schema` (after `fast`, a hand check that may answer first); null when it fails. */
function parseFrame<T>(
  schema: z.ZodType<T>,
  message: string | ArrayBuffer,
  // biome-ignore lint/suspicious/noExplicitAny: the parsed JSON is checked before use
  fast?: (data: any) => T | undefined,
): T | null {
  if (typeof message !== "string") return null;
  try {
    const data = JSON.parse(message);
    const quick = fast?.(data);
    if (quick !== undefined) return quick;
    const parsed = schema.safeParse(data);
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export const malformedFrame: ServerFrame = {
  type: "error",
  code: "validation_failed",
  message: "Unknown or malformed frame",
};

/**
 * Charges a client's frame to its socket's budget: false when the frame must
 * be dropped (the first of a run is answered with one error frame) or the
 * socket was closed for flooding.
 */
export function spendFrame(budgets: FrameBudgets, ws: WebSocket): boolean | "closed" {
  const verdict = budgets.take(ws);
  if (verdict === "accept") return true;
  if (verdict === "close") {
    closeSocket(ws, CloseCodes.rate_limited, "too many frames");
    return "closed";
  }
  if (verdict === "warn")
    sendFrame(ws, { type: "error", code: "rate_limited", message: "Too many frames; some were dropped" });
  return false;
}
