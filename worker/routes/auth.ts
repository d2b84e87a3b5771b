import { and, eq, gt } from "drizzle-orm";
import { Hono } from "hono";
import { AcceptInviteInput, LoginInput, ResetPasswordInput, SetupInput } from "../contract";
import { hashLinkToken } from "../auth/links";
import { endSession, endSessionsOf, startSession } from "../auth/session";
import { hashPassword, verifyPassword, DUMMY_HASH } from "../auth/password";
import { getDb } from "../db/client";
import { toUser } from "../db/queries/users";
import { invitations, passwordResets, users } from "../db/schema";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { newId } from "../lib/ids";
import { clientIp, hit, used, type Limit } from "../lib/rate-limit";
import { validate } from "../lib/validate";

/** Failed sign-ins allowed per address and per email in ten minutes. */
const LOGIN_LIMIT: Limit = { max: 10, windowMs: 10 * 60 * 1000 };

export const authRoutes = new Hono<AppEnv>()
  .get("/setup", async (c) => {
    const anyone = await getDb(c.env.DB).select({ id: users.id }).from(users).limit(1);
    return c.json({ setUp: anyone.length > 0 });
  })
  .post("/setup", validate("json", SetupInput), async (c) => {
    const input = c.req.valid("json");
    const db = getDb(c.env.DB);
    const workspaceId = newId("ws");
    const userId = newId("us");
    const now = Date.now();
    const passwordHash = await hashPassword(input.password);
    // The guard and the inserts are one D1 batch (a transaction): two racing setups cannot both win.
    const d1 = c.env.DB;
    await d1.batch([
      d1
        .prepare(
          "INSERT INTO workspaces (id, name, created_at) SELECT ?1, ?2, ?3 WHERE NOT EXISTS (SELECT 1 FROM users)",
        )
        .bind(workspaceId, input.workspace, now),
      d1
        .prepare(
          `INSERT INTO users (id, workspace_id, name, email, password_hash, role, time_zone, email_notifications, created_at)
           SELECT ?1, ?2, ?3, ?4, ?5, 'admin', 'UTC', 0, ?6
           WHERE NOT EXISTS (SELECT 1 FROM users) AND EXISTS (SELECT 1 FROM workspaces WHERE id = ?2)`,
        )
        .bind(userId, workspaceId, input.name, input.email, passwordHash, now),
    ]);
    const created = await db.select().from(users).where(eq(users.id, userId));
    const user = created[0];
    if (!user) throw new AppError("already_set_up", "This Switchboard is already set up; sign in instead");
    await startSession(c, db, user.id);
    return c.json({ user: toUser(user), workspace: { id: workspaceId, name: input.workspace } }, 201);
  })
  .post("/auth/login", validate("json", LoginInput), async (c) => {
    const { email, password } = c.req.valid("json");
    const db = getDb(c.env.DB);
    const keys = [`login:ip:${clientIp(c.req.raw)}`, `login:email:${email}`];
    const counts = await Promise.all(keys.map((key) => used(db, key, LOGIN_LIMIT)));
    if (counts.some((n) => n >= LOGIN_LIMIT.max)) {
      throw new AppError("rate_limited", "Too many failed sign-ins; wait a few minutes and try again");
    }
    const user = await db.query.users.findFirst({ where: eq(users.email, email) });
    const valid = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    // A deactivated user is told the same as a wrong password: the account does not sign in.
    if (!user || !valid || user.deactivatedAt !== null) {
      await Promise.all(keys.map((key) => hit(db, key, LOGIN_LIMIT)));
      throw new AppError("unauthenticated", "Email or password is wrong");
    }
    await startSession(c, db, user.id);
    return c.json({ user: toUser(user) });
  })
  .post("/auth/accept-invite", validate("json", AcceptInviteInput), async (c) => {
    const { token, name, password } = c.req.valid("json");
    const db = getDb(c.env.DB);
    const tokenHash = await hashLinkToken(token);
    const passwordHash = await hashPassword(password);
    const userId = newId("us");
    const now = Date.now();
    // The user, their grants and the invitation's removal are one batch: a link is used once, or not at all.
    const d1 = c.env.DB;
    await d1.batch([
      d1
        .prepare(
          `INSERT INTO users (id, workspace_id, name, email, password_hash, role, time_zone, email_notifications, created_at)
           SELECT ?1, i.workspace_id, ?2, i.email, ?3, i.role, 'UTC', 0, ?4 FROM invitations i
           WHERE i.token_hash = ?5 AND i.expires_at > ?4 AND NOT EXISTS (SELECT 1 FROM users u WHERE u.email = i.email)`,
        )
        .bind(userId, name, passwordHash, now, tokenHash),
      d1
        .prepare(
          `INSERT INTO inbox_access (inbox_id, user_id, access)
           SELECT b.id, ?1, json_extract(g.value, '$.access')
           FROM invitations i, json_each(i.access) g
           JOIN inboxes b ON b.id = json_extract(g.value, '$.inboxId') AND b.workspace_id = i.workspace_id
           WHERE i.token_hash = ?2 AND EXISTS (SELECT 1 FROM users WHERE id = ?1)`,
        )
        .bind(userId, tokenHash),
      d1
        .prepare("DELETE FROM invitations WHERE token_hash = ?1 AND EXISTS (SELECT 1 FROM users WHERE id = ?2)")
        .bind(tokenHash, userId),
    ]);
    const user = await db.query.users.findFirst({ where: eq(users.id, userId) });
    if (!user) {
      const pending = await db.query.invitations.findFirst({
        where: and(eq(invitations.tokenHash, tokenHash), gt(invitations.expiresAt, now)),
      });
      if (pending) throw new AppError("conflict", "Someone with this email already has an account; sign in instead");
      throw new AppError("not_found", "This invitation link is no longer valid; ask your admin for a new one");
    }
    await startSession(c, db, user.id);
    return c.json({ user: toUser(user) }, 201);
  })
  .post("/auth/reset", validate("json", ResetPasswordInput), async (c) => {
    const { token, password } = c.req.valid("json");
    const db = getDb(c.env.DB);
    const passwordHash = await hashPassword(password);
    // Claimed by deleting it: two redemptions of one link cannot both win.
    const [reset] = await db
      .delete(passwordResets)
      .where(and(eq(passwordResets.tokenHash, await hashLinkToken(token)), gt(passwordResets.expiresAt, Date.now())))
      .returning();
    if (!reset) throw new AppError("not_found", "This reset link is no longer valid; ask your admin for a new one");
    await db.update(users).set({ passwordHash }).where(eq(users.id, reset.userId));
    await endSessionsOf(db, reset.userId);
    return c.body(null, 204);
  })
  .post("/auth/logout", async (c) => {
    await endSession(c, getDb(c.env.DB));
    return c.body(null, 204);
  });
