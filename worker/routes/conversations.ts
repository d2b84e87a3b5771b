import { Hono } from "hono";
import {
  AddFollowerInput,
  BulkInput,
  ForwardInput,
  ForwardRecipientsQuery,
  ListQuery,
  PostMessageInput,
  MergeInput,
  SetTagsInput,
  StartConversationInput,
  TimelineQuery,
  UpdateConversationInput,
} from "../contract";
import {
  bulkChange,
  conversationFor,
  conversationView,
  inboxToStartIn,
  postMessage,
  retryEmail,
  setFollower,
  setTags,
  startByAgent,
  updateConversation,
} from "../conversations";
import { getDb } from "../db/client";
import { forwardConversation, forwardSuggestions } from "../conversations/forward";
import { AppError } from "../errors";
import { mergeConversation } from "../conversations/merge";
import { grantsFor } from "../db/queries/access";
import { getTimeline, listConversations } from "../db/queries/conversations";
import { replyDeliveries } from "../db/queries/outbox";
import type { AppEnv } from "../env";
import { idempotencyKey, validate } from "../lib/validate";

export const conversationRoutes = new Hono<AppEnv>()
  .get("/", validate("query", ListQuery), async (c) => {
    const db = getDb(c.env.DB);
    const grants = await grantsFor(db, c.var.actor);
    return c.json(await listConversations(db, c.var.actor, grants, c.req.valid("query")));
  })
  .post("/", validate("json", StartConversationInput), async (c) => {
    const input = c.req.valid("json");
    const db = getDb(c.env.DB);
    const inbox = await inboxToStartIn(db, c.var.actor, input.inboxId);
    const waitUntil = (work: Promise<unknown>) => c.executionCtx.waitUntil(work);
    const id = await startByAgent(c.env, db, c.var.actor, inbox, input, idempotencyKey(c), waitUntil);
    return c.json(await conversationView(db, c.var.actor, id), 201);
  })
  // Before the "/:id" routes, so "bulk" is never read as an id.
  .post("/bulk", validate("json", BulkInput), async (c) => {
    const db = getDb(c.env.DB);
    return c.json({ results: await bulkChange(c.env, db, c.var.actor, c.req.valid("json")) });
  })
  // Before "/:id" too: the forward dialog's suggestions, earlier recipients in this workspace.
  .get("/forward-recipients", validate("query", ForwardRecipientsQuery), async (c) => {
    const db = getDb(c.env.DB);
    return c.json(await forwardSuggestions(db, c.var.actor, c.req.valid("query").q));
  })
  .get("/:id", async (c) => {
    const db = getDb(c.env.DB);
    const { conversation } = await conversationFor(db, c.var.actor, c.req.param("id"), "read");
    return c.json(await conversationView(db, c.var.actor, conversation.id));
  })
  .get("/:id/timeline", validate("query", TimelineQuery), async (c) => {
    const db = getDb(c.env.DB);
    const { conversation } = await conversationFor(db, c.var.actor, c.req.param("id"), "read");
    const { after, limit } = c.req.valid("query");
    const grants = await grantsFor(db, c.var.actor);
    const items = await getTimeline(db, conversation.id, after, limit, (inboxId) => grants.has(inboxId));
    return c.json({ items, lastSeq: Math.max(conversation.lastSeq, items.at(-1)?.seq ?? 0) });
  })
  .post("/:id/messages", validate("json", PostMessageInput), async (c) => {
    const input = c.req.valid("json");
    const key = idempotencyKey(c);
    const db = getDb(c.env.DB);
    const waitUntil = (work: Promise<unknown>) => c.executionCtx.waitUntil(work);
    return c.json(await postMessage(c.env, db, c.var.actor, c.req.param("id"), input, key, waitUntil), 201);
  })
  .post("/:id/forward", validate("json", ForwardInput), async (c) => {
    const input = c.req.valid("json");
    const key = idempotencyKey(c);
    const db = getDb(c.env.DB);
    const waitUntil = (work: Promise<unknown>) => c.executionCtx.waitUntil(work);
    const refuse = (wait: number): never => {
      c.header("Retry-After", String(wait));
      throw new AppError("rate_limited", "You forwarded many conversations just now; please wait a while", {
        retryAfterSeconds: wait,
      });
    };
    const item = await forwardConversation(c.env, db, c.var.actor, c.req.param("id"), input, key, waitUntil, refuse);
    return c.json(item, 201);
  })
  .get("/:id/email-deliveries", async (c) => {
    const db = getDb(c.env.DB);
    const { conversation } = await conversationFor(db, c.var.actor, c.req.param("id"), "read");
    return c.json({ items: await replyDeliveries(db, conversation.id) });
  })
  .post("/:id/messages/:seq/retry-email", async (c) => {
    const db = getDb(c.env.DB);
    const waitUntil = (work: Promise<unknown>) => c.executionCtx.waitUntil(work);
    return c.json(await retryEmail(c.env, db, c.var.actor, c.req.param("id"), c.req.param("seq"), waitUntil));
  })
  .patch("/:id", validate("json", UpdateConversationInput), async (c) => {
    const db = getDb(c.env.DB);
    const id = await updateConversation(c.env, db, c.var.actor, c.req.param("id"), c.req.valid("json"));
    return c.json(await conversationView(db, c.var.actor, id));
  })
  .post("/:id/merge", validate("json", MergeInput), async (c) => {
    const db = getDb(c.env.DB);
    const { intoConversationId } = c.req.valid("json");
    const id = await mergeConversation(c.env, db, c.var.actor, c.req.param("id"), intoConversationId);
    return c.json(await conversationView(db, c.var.actor, id));
  })
  .put("/:id/tags", validate("json", SetTagsInput), async (c) => {
    const db = getDb(c.env.DB);
    const id = await setTags(c.env, db, c.var.actor, c.req.param("id"), c.req.valid("json").tags);
    return c.json(await conversationView(db, c.var.actor, id));
  })
  .post("/:id/followers", validate("json", AddFollowerInput), async (c) => {
    const db = getDb(c.env.DB);
    const id = await setFollower(c.env, db, c.var.actor, c.req.param("id"), c.req.valid("json").userId, true);
    return c.json(await conversationView(db, c.var.actor, id), 201);
  })
  .delete("/:id/followers/:userId", async (c) => {
    const db = getDb(c.env.DB);
    await setFollower(c.env, db, c.var.actor, c.req.param("id"), c.req.param("userId"), false);
    return c.body(null, 204);
  });
