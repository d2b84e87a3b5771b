/**
 * WebSocket upgrades. The worker authenticates and checks access here, then
 * hands the socket to the conversation's room or the workspace's hub, naming
 * who it is in headers: no socket reaches a Durable Object unchecked.
 */
import { Hono, type Context } from "hono";
import { listScope } from "../auth/list-scope";
import { conversationFor, customerConversation } from "../conversations";
import { getDb } from "../db/client";
import { atLeast } from "../domain/access";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { getConversationRoom } from "../rooms/conversation-room";
import { getWorkspaceHub } from "../rooms/workspace-hub";

function requireUpgrade(c: Context) {
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    throw new AppError("validation_failed", "This endpoint speaks WebSocket: send an Upgrade request");
  }
}

/** Browsers send cookies with cross-site WebSocket handshakes: the Origin must be ours. */
function requireSameOrigin(c: Context<AppEnv>) {
  const origin = c.req.header("Origin");
  if (c.var.actor.via === "session" && origin && origin !== new URL(c.req.url).origin) {
    throw new AppError("forbidden", "Cross-site socket refused");
  }
}

function forward(c: Context, headers: Record<string, string>): Request {
  const request = new Request(c.req.raw);
  for (const [name, value] of Object.entries(headers)) request.headers.set(name, value);
  return request;
}

/** `GET /api/conversations/:id/live` and `GET /api/live`, for agents. */
export const agentLiveRoutes = new Hono<AppEnv>()
  .get("/conversations/:id/live", async (c) => {
    requireUpgrade(c);
    requireSameOrigin(c);
    const actor = c.var.actor;
    const { conversation, access } = await conversationFor(getDb(c.env.DB), actor, c.req.param("id"), "read");
    return getConversationRoom(c.env, conversation.id).fetch(
      forward(c, {
        "x-sb-conversation": conversation.id,
        "x-sb-audience": "agent",
        "x-sb-user-id": actor.id,
        "x-sb-user-name": encodeURIComponent(actor.name),
        "x-sb-can-write": atLeast(access, "note") ? "1" : "0",
      }),
    );
  })
  .get("/live", async (c) => {
    requireUpgrade(c);
    requireSameOrigin(c);
    const actor = c.var.actor;
    const scope = await listScope(getDb(c.env.DB), actor);
    return getWorkspaceHub(c.env, actor.workspaceId).fetch(
      forward(c, { "x-sb-user-id": actor.id, "x-sb-scope": JSON.stringify(scope) }),
    );
  });

/** `GET /api/widget/conversations/:id/live?token=…`, for the customer. */
export const customerLiveRoutes = new Hono<AppEnv>().get("/conversations/:id/live", async (c) => {
  requireUpgrade(c);
  const { conversation, contact } = await customerConversation(
    getDb(c.env.DB),
    c.req.query("token"),
    c.req.param("id"),
  );
  return getConversationRoom(c.env, conversation.id).fetch(
    forward(c, { "x-sb-conversation": conversation.id, "x-sb-audience": "customer", "x-sb-contact-id": contact.id }),
  );
});
