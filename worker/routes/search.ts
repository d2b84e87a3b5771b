import { Hono } from "hono";
import { SearchQuery } from "../contract";
import { getDb } from "../db/client";
import { grantsFor } from "../db/queries/access";
import { search } from "../db/queries/search";
import type { AppEnv } from "../env";
import { validate } from "../lib/validate";

/** `GET /api/search?q=`: ranked, prefix-matching, only over inboxes the agent can see. */
export const searchRoutes = new Hono<AppEnv>().get("/", validate("query", SearchQuery), async (c) => {
  const { q, limit } = c.req.valid("query");
  const db = getDb(c.env.DB);
  const grants = await grantsFor(db, c.var.actor);
  return c.json({ items: await search(db, c.env.DB, c.var.actor.workspaceId, grants, q, limit) });
});
