import { asc, eq } from "drizzle-orm";
import { Hono } from "hono";
import { CreateTokenInput, CreateUserInput, type User } from "../contract";
import { hashPassword } from "../auth/password";
import { createApiToken, requireAdmin } from "../auth/session";
import { getDb } from "../db/client";
import { grantsFor } from "../db/queries/access";
import { users, workspaces } from "../db/schema";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { newId } from "../lib/ids";
import { validate } from "../lib/validate";

export const toUser = (u: Pick<typeof users.$inferSelect, "id" | "name" | "email" | "role">): User => ({
  id: u.id,
  name: u.name,
  email: u.email,
  role: u.role,
});

export const meRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const actor = c.var.actor;
    const db = getDb(c.env.DB);
    const [workspace, grants, inboxRows] = await Promise.all([
      db.query.workspaces.findFirst({ where: eq(workspaces.id, actor.workspaceId) }),
      grantsFor(db, actor),
      db.query.inboxes.findMany({ where: (i, { eq }) => eq(i.workspaceId, actor.workspaceId), orderBy: (i) => asc(i.name) }),
    ]);
    return c.json({
      user: toUser(actor),
      workspace: { id: actor.workspaceId, name: workspace?.name ?? "" },
      inboxes: inboxRows
        .filter((i) => grants.has(i.id))
        .map((i) => ({ id: i.id, name: i.name, channel: i.channel, access: grants.get(i.id)! })),
    });
  })
  .post("/tokens", validate("json", CreateTokenInput), async (c) => {
    const { name } = c.req.valid("json");
    const id = newId("tok");
    const token = await createApiToken(getDb(c.env.DB), c.var.actor.id, id, name);
    return c.json({ id, name, token }, 201);
  });

export const userRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const rows = await getDb(c.env.DB)
      .select()
      .from(users)
      .where(eq(users.workspaceId, c.var.actor.workspaceId))
      .orderBy(asc(users.name));
    return c.json({ items: rows.map(toUser) });
  })
  .post("/", requireAdmin, validate("json", CreateUserInput), async (c) => {
    const input = c.req.valid("json");
    const db = getDb(c.env.DB);
    const row = {
      id: newId("us"),
      workspaceId: c.var.actor.workspaceId,
      name: input.name,
      email: input.email,
      passwordHash: await hashPassword(input.password),
      role: input.role,
      createdAt: Date.now(),
    };
    const [created] = await db.insert(users).values(row).onConflictDoNothing({ target: users.email }).returning();
    if (!created) throw new AppError("conflict", "Someone with that email already exists", [{ path: ["email"], message: "already taken" }]);
    return c.json(toUser(created), 201);
  });
