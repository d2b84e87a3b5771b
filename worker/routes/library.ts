/** Workspace-wide things agents use and admins curate: tags and saved replies. */
import { and, asc, eq, ne, sql } from "drizzle-orm";
import { Hono } from "hono";
import { SavedReplyInput, UpdateSavedReplyInput, UpdateTagInput, type SavedReply } from "../contract";
import { requireAdmin } from "../auth/session";
import { publishToAllLists } from "../rooms/list-hub";
import { getDb } from "../db/client";
import { savedReplies, tags } from "../db/schema";
import type { AppEnv } from "../env";
import { AppError, notFound } from "../errors";
import { newId } from "../lib/ids";
import { iso } from "../lib/time";
import { validate } from "../lib/validate";

const toSavedReply = (r: typeof savedReplies.$inferSelect): SavedReply => ({
  id: r.id,
  name: r.name,
  body: r.body,
  createdAt: iso(r.createdAt),
  updatedAt: iso(r.updatedAt),
});

const tagTaken = (cause?: unknown) =>
  new AppError("conflict", "A tag with that name already exists", [{ path: ["name"], message: "already taken" }], {
    cause,
  });

export const tagRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const rows = await getDb(c.env.DB)
      .select({ id: tags.id, name: tags.name, color: tags.color })
      .from(tags)
      .where(eq(tags.workspaceId, c.var.actor.workspaceId))
      .orderBy(asc(tags.name));
    return c.json({ items: rows });
  })
  .patch("/:id", requireAdmin, validate("json", UpdateTagInput), async (c) => {
    const db = getDb(c.env.DB);
    const input = c.req.valid("json");
    const id = c.req.param("id");
    const workspaceId = c.var.actor.workspaceId;
    // Tag names are unique regardless of case (the index only sees exact spellings); renaming a tag's own case is fine.
    if (input.name) {
      const clash = await db.query.tags.findFirst({
        where: and(
          eq(tags.workspaceId, workspaceId),
          ne(tags.id, id),
          sql`lower(${tags.name}) = ${input.name.toLowerCase()}`,
        ),
      });
      if (clash) throw tagTaken();
    }
    const [updated] = await db
      .update(tags)
      .set(input)
      .where(and(eq(tags.id, id), eq(tags.workspaceId, workspaceId)))
      .returning({ id: tags.id, name: tags.name, color: tags.color })
      .catch((error: unknown) => {
        throw tagTaken(error);
      });
    if (!updated) throw notFound("Tag not found");
    return c.json(updated);
  })
  .delete("/:id", requireAdmin, async (c) => {
    const [gone] = await getDb(c.env.DB)
      .delete(tags)
      .where(and(eq(tags.id, c.req.param("id")), eq(tags.workspaceId, c.var.actor.workspaceId)))
      .returning({ name: tags.name });
    if (!gone) throw notFound("Tag not found");
    // The foreign key takes it off every conversation; rooms read tags fresh on their next change,
    // and every list view hears of it now.
    await publishToAllLists(c.env, c.var.actor.workspaceId, { type: "tag_deleted", tag: gone.name });
    return c.body(null, 204);
  });

export const savedReplyRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const rows = await getDb(c.env.DB)
      .select()
      .from(savedReplies)
      .where(eq(savedReplies.workspaceId, c.var.actor.workspaceId))
      .orderBy(asc(savedReplies.name));
    return c.json({ items: rows.map(toSavedReply) });
  })
  .post("/", requireAdmin, validate("json", SavedReplyInput), async (c) => {
    const now = Date.now();
    const [created] = await getDb(c.env.DB)
      .insert(savedReplies)
      .values({
        id: newId("sr"),
        workspaceId: c.var.actor.workspaceId,
        ...c.req.valid("json"),
        createdBy: c.var.actor.id,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    return c.json(toSavedReply(created!), 201);
  })
  .patch("/:id", requireAdmin, validate("json", UpdateSavedReplyInput), async (c) => {
    const [updated] = await getDb(c.env.DB)
      .update(savedReplies)
      .set({ ...c.req.valid("json"), updatedAt: Date.now() })
      .where(and(eq(savedReplies.id, c.req.param("id")), eq(savedReplies.workspaceId, c.var.actor.workspaceId)))
      .returning();
    if (!updated) throw notFound("Saved reply not found");
    return c.json(toSavedReply(updated));
  })
  .delete("/:id", requireAdmin, async (c) => {
    const [gone] = await getDb(c.env.DB)
      .delete(savedReplies)
      .where(and(eq(savedReplies.id, c.req.param("id")), eq(savedReplies.workspaceId, c.var.actor.workspaceId)))
      .returning({ id: savedReplies.id });
    if (!gone) throw notFound("Saved reply not found");
    return c.body(null, 204);
  });
