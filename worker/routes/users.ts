import { and, asc, eq } from "drizzle-orm";
import { Hono } from "hono";
import { CreateTokenInput, CreateUserInput, UpdateMeInput, UsersQuery } from "../contract";
import { hashPassword } from "../auth/password";
import { createApiToken, requireAdmin } from "../auth/session";
import { getDb } from "../db/client";
import { grantFor, grantsFor } from "../db/queries/access";
import { toUser } from "../db/queries/users";
import { atLeast, effectiveAccess } from "../domain/access";
import { inboxAccess, users, workspaces } from "../db/schema";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { newId } from "../lib/ids";
import { validate } from "../lib/validate";

export const meRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const actor = c.var.actor;
    const db = getDb(c.env.DB);
    const [workspace, me, grants, inboxRows] = await Promise.all([
      db.query.workspaces.findFirst({ where: eq(workspaces.id, actor.workspaceId) }),
      db.query.users.findFirst({ where: eq(users.id, actor.id) }),
      grantsFor(db, actor),
      db.query.inboxes.findMany({
        where: (i, { eq }) => eq(i.workspaceId, actor.workspaceId),
        orderBy: (i) => asc(i.name),
      }),
    ]);
    return c.json({
      user: toUser(actor),
      workspace: { id: actor.workspaceId, name: workspace?.name ?? "" },
      inboxes: inboxRows
        .filter((i) => grants.has(i.id))
        .map((i) => ({ id: i.id, name: i.name, channel: i.channel, access: grants.get(i.id)! })),
      preferences: { timeZone: me?.timeZone ?? "UTC", emailNotifications: me?.emailNotifications ?? false },
    });
  })
  .patch("/", validate("json", UpdateMeInput), async (c) => {
    const [updated] = await getDb(c.env.DB)
      .update(users)
      .set(c.req.valid("json"))
      .where(eq(users.id, c.var.actor.id))
      .returning();
    return c.json({
      user: toUser(updated!),
      preferences: { timeZone: updated!.timeZone, emailNotifications: updated!.emailNotifications },
    });
  })
  .post("/tokens", validate("json", CreateTokenInput), async (c) => {
    const { name } = c.req.valid("json");
    const id = newId("tok");
    const token = await createApiToken(getDb(c.env.DB), c.var.actor.id, id, name);
    return c.json({ id, name, token }, 201);
  });

export const userRoutes = new Hono<AppEnv>()
  .get("/", validate("query", UsersQuery), async (c) => {
    const { inboxId, access } = c.req.valid("query");
    const db = getDb(c.env.DB);
    const rows = await db
      .select({ user: users, grant: inboxAccess.access })
      .from(users)
      .leftJoin(inboxAccess, and(eq(inboxAccess.userId, users.id), eq(inboxAccess.inboxId, inboxId ?? "")))
      .where(eq(users.workspaceId, c.var.actor.workspaceId))
      .orderBy(asc(users.name));
    // With an inbox: only those who can see it (at `access` or above), e.g. the assignee picker's "can reply".
    const visible = inboxId
      ? rows.filter((r) => atLeast(effectiveAccess(r.user.role, r.grant), access ?? "view"))
      : rows;
    if (inboxId && !(await grantFor(db, c.var.actor, inboxId))) return c.json({ items: [] });
    return c.json({ items: visible.map((r) => toUser(r.user)) });
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
    if (!created)
      throw new AppError("conflict", "Someone with that email already exists", [
        { path: ["email"], message: "already taken" },
      ]);
    return c.json(toUser(created), 201);
  });
