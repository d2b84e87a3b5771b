/**
 * WebSocket upgrades. The worker authenticates and checks access here, then
 * hands the socket to the conversation's room or the user's list gateway with the
 * identity it decided (rooms/sockets.ts): no socket reaches a Durable Object unchecked.
 */
import { Hono, type Context } from "hono";
import { listScope } from "../auth/list-scope";
import { conversationFor, customerConversation } from "../conversations";
import { getDb } from "../db/client";
import { mayType } from "../domain/access";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { getConversationRoom } from "../rooms/conversation-room";
import { withIdentity } from "../rooms/sockets";
import { getListGateway } from "../rooms/list-hub";

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

/** `GET /api/conversations/:id/live` and `GET /api/live`, for agents. */
export const agentLiveRoutes = new Hono<AppEnv>()
  .get("/conversations/:id/live", async (c) => {
    requireUpgrade(c);
    requireSameOrigin(c);
    const actor = c.var.actor;
    const { conversation, access } = await conversationFor(getDb(c.env.DB), actor, c.req.param("id"), "read");
    return getConversationRoom(c.env, conversation.id).fetch(
      withIdentity(c.req.raw, {
        audience: "agent",
        conversationId: conversation.id,
        userId: actor.id,
        name: actor.name,
        canWrite: mayType(access),
      }),
    );
  })
  .get("/live", async (c) => {
    requireUpgrade(c);
    requireSameOrigin(c);
    const actor = c.var.actor;
    const scope = (await listScope(getDb(c.env.DB), actor)) ?? [];
    return getListGateway(c.env, actor.workspaceId, actor.id).fetch(
      withIdentity(c.req.raw, { audience: "list", userId: actor.id, workspaceId: actor.workspaceId, scope }),
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
    withIdentity(c.req.raw, { audience: "customer", conversationId: conversation.id, contactId: contact.id }),
  );
});
