import { and, asc, desc, eq, isNull } from "drizzle-orm";
import { Hono } from "hono";
import {
  ChangePasswordInput,
  CreateTokenInput,
  CreateUserInput,
  type TeamMember,
  UpdateMeInput,
  UpdateUserInput,
  UsersQuery,
} from "../contract";
import { linkUrl, newLinkSecret, RESET_TTL_MS } from "../auth/links";
import { accessChanged } from "../auth/list-scope";
import { hashPassword, verifyPassword } from "../auth/password";
import { createApiToken, currentSessionHash, endSessionsOf, requireAdmin } from "../auth/session";
import { getDb } from "../db/client";
import { grantFor, grantsFor } from "../db/queries/access";
import { toUser } from "../db/queries/users";
import { atLeast, effectiveAccess } from "../domain/access";
import { applyPrefsPatch, effectivePrefs } from "../domain/notification-prefs";
import { apiTokens, inboxAccess, passwordResets, users, workspaces } from "../db/schema";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { newId } from "../lib/ids";
import { iso, isoOrNull } from "../lib/time";
import { validate } from "../lib/validate";

/** An agent's preferences as the profile shows them: the notification table is what each kind really does. */
function preferencesOf(me: Pick<typeof users.$inferSelect, "timeZone" | "emailNotifications" | "notificationPrefs">) {
  return {
    timeZone: me.timeZone,
    emailNotifications: me.emailNotifications,
    notifications: effectivePrefs(me.notificationPrefs, me.emailNotifications),
  };
}

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
      preferences: preferencesOf(me ?? { timeZone: "UTC", emailNotifications: false, notificationPrefs: null }),
    });
  })
  .patch("/", validate("json", UpdateMeInput), async (c) => {
    const { notifications, emailNotifications, ...rest } = c.req.valid("json");
    const db = getDb(c.env.DB);
    const where = eq(users.id, c.var.actor.id);
    let channels = {};
    if (notifications || emailNotifications !== undefined) {
      const [me] = await db
        .select({ prefs: users.notificationPrefs, email: users.emailNotifications })
        .from(users)
        .where(where);
      channels = applyPrefsPatch(me?.prefs, me?.email ?? false, { notifications, emailNotifications });
    }
    const [updated] = await db
      .update(users)
      .set({ ...rest, ...channels })
      .where(where)
      .returning();
    return c.json({ user: toUser(updated!), preferences: preferencesOf(updated!) });
  })
  .post("/tokens", validate("json", CreateTokenInput), async (c) => {
    const { name } = c.req.valid("json");
    const id = newId("tok");
    const token = await createApiToken(getDb(c.env.DB), c.var.actor.id, id, name);
    return c.json({ id, name, token }, 201);
  })
  .get("/tokens", async (c) => {
    const rows = await getDb(c.env.DB)
      .select()
      .from(apiTokens)
      .where(eq(apiTokens.userId, c.var.actor.id))
      .orderBy(desc(apiTokens.createdAt));
    return c.json({
      items: rows.map((t) => ({
        id: t.id,
        name: t.name,
        createdAt: iso(t.createdAt),
        lastUsedAt: isoOrNull(t.lastUsedAt),
      })),
    });
  })
  .delete("/tokens/:id", async (c) => {
    const gone = await getDb(c.env.DB)
      .delete(apiTokens)
      .where(and(eq(apiTokens.id, c.req.param("id")), eq(apiTokens.userId, c.var.actor.id)))
      .returning({ id: apiTokens.id });
    if (!gone.length) throw new AppError("not_found", "No such token");
    return c.body(null, 204);
  })
  .post("/password", validate("json", ChangePasswordInput), async (c) => {
    const { currentPassword, newPassword } = c.req.valid("json");
    const db = getDb(c.env.DB);
    const me = await db.query.users.findFirst({ where: eq(users.id, c.var.actor.id) });
    if (!me || !(await verifyPassword(currentPassword, me.passwordHash)))
      throw new AppError("validation_failed", "The current password is wrong", [
        { path: ["currentPassword"], message: "is wrong" },
      ]);
    await db
      .update(users)
      .set({ passwordHash: await hashPassword(newPassword) })
      .where(eq(users.id, me.id));
    // Whoever else holds a session (a lost laptop) is signed out; the caller stays signed in.
    await endSessionsOf(db, me.id, await currentSessionHash(c));
    return c.body(null, 204);
  });

/** A user as the team list shows them. */
const toTeamMember = (u: typeof users.$inferSelect): TeamMember => ({ ...toUser(u), active: u.deactivatedAt === null });

/**
 * Applies an admin's change to a user in one D1 batch, each field read and
 * written inside the statement (two admins' changes never undo each other):
 * refused (nothing written) when the workspace would be left without an active
 * admin; a deactivation ends the user's sessions and API tokens with it.
 */
async function changeUser(d1: D1Database, id: string, input: UpdateUserInput) {
  const active = input.active === undefined ? null : input.active ? 1 : 0;
  const [update] = await d1.batch([
    d1
      .prepare(
        `UPDATE users SET
           name = coalesce(?2, name),
           role = coalesce(?3, role),
           deactivated_at = CASE WHEN ?4 IS NULL THEN deactivated_at WHEN ?4 = 1 THEN NULL ELSE coalesce(deactivated_at, ?5) END
         WHERE id = ?1 AND (
           -- Afterwards this user is an active admin, or someone else is.
           (coalesce(?3, role) = 'admin' AND CASE WHEN ?4 IS NULL THEN deactivated_at IS NULL ELSE ?4 = 1 END)
           OR EXISTS (SELECT 1 FROM users o WHERE o.workspace_id = users.workspace_id AND o.id != ?1
                        AND o.role = 'admin' AND o.deactivated_at IS NULL))`,
      )
      .bind(id, input.name ?? null, input.role ?? null, active, Date.now()),
    d1
      .prepare(
        "DELETE FROM sessions WHERE user_id = ?1 AND EXISTS (SELECT 1 FROM users WHERE id = ?1 AND deactivated_at IS NOT NULL)",
      )
      .bind(id),
    d1
      .prepare(
        "DELETE FROM api_tokens WHERE user_id = ?1 AND EXISTS (SELECT 1 FROM users WHERE id = ?1 AND deactivated_at IS NOT NULL)",
      )
      .bind(id),
  ]);
  return update!.meta.changes > 0;
}

async function memberOf(c: { env: Env; var: { actor: { workspaceId: string } } }, id: string) {
  const user = await getDb(c.env.DB).query.users.findFirst({
    where: and(eq(users.id, id), eq(users.workspaceId, c.var.actor.workspaceId)),
  });
  if (!user) throw new AppError("not_found", "No such user");
  return user;
}

export const userRoutes = new Hono<AppEnv>()
  .get("/", validate("query", UsersQuery), async (c) => {
    const { inboxId, access } = c.req.valid("query");
    const db = getDb(c.env.DB);
    const rows = await db
      .select({ user: users, grant: inboxAccess.access })
      .from(users)
      .leftJoin(inboxAccess, and(eq(inboxAccess.userId, users.id), eq(inboxAccess.inboxId, inboxId ?? "")))
      .where(and(eq(users.workspaceId, c.var.actor.workspaceId), inboxId ? isNull(users.deactivatedAt) : undefined))
      .orderBy(asc(users.name));
    // With an inbox: only active people who can see it (at `access` or above), e.g. the assignee picker's "can reply".
    const visible = inboxId
      ? rows.filter((r) => atLeast(effectiveAccess(r.user.role, r.grant), access ?? "view"))
      : rows;
    if (inboxId && !(await grantFor(db, c.var.actor, inboxId))) return c.json({ items: [] });
    return c.json({ items: visible.map((r) => toTeamMember(r.user)) });
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
    return c.json(toTeamMember(created), 201);
  })
  .patch("/:id", requireAdmin, validate("json", UpdateUserInput), async (c) => {
    const target = await memberOf(c, c.req.param("id"));
    const input = c.req.valid("json");
    if (!(await changeUser(c.env.DB, target.id, input)))
      throw new AppError("conflict", "The workspace needs at least one active admin; make someone else admin first");
    const db = getDb(c.env.DB);
    const updated = (await db.query.users.findFirst({ where: eq(users.id, target.id) }))!;
    // Their open list streams and rooms follow the new role or state at once (a rename changes no access).
    if (input.role !== undefined || input.active !== undefined) await accessChanged(c.env, db, updated);
    return c.json(toTeamMember(updated));
  })
  .post("/:id/password-reset", requireAdmin, async (c) => {
    const target = await memberOf(c, c.req.param("id"));
    const { token, hash } = await newLinkSecret("sbr");
    const now = Date.now();
    const db = getDb(c.env.DB);
    // One live link per user: a new one replaces any earlier.
    await db.batch([
      db.delete(passwordResets).where(eq(passwordResets.userId, target.id)),
      db
        .insert(passwordResets)
        .values({ tokenHash: hash, userId: target.id, createdAt: now, expiresAt: now + RESET_TTL_MS }),
    ]);
    return c.json({ resetUrl: linkUrl(c, "reset", token) }, 201);
  });
