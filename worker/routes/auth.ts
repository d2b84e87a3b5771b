import { and, eq, gt } from "drizzle-orm";
import { type Context, Hono } from "hono";
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
import { attempt, clear, clientIp, type Limit, refund } from "../lib/rate-limit";
import { validate } from "../lib/validate";

const TEN_MINUTES = 10 * 60 * 1000;
/**
 * Sign-in attempts for one email from one address in ten minutes. Keyed by both, so someone guessing
 * a colleague's password slows only themselves: the real user signs in from their own address.
 */
const LOGIN_LIMIT: Limit = { max: 10, windowMs: TEN_MINUTES };
/** Sign-in attempts from one address across every email (an office behind one NAT signs in well below it). */
const ADDRESS_LIMIT: Limit = { max: 50, windowMs: TEN_MINUTES };
/** Setup attempts from one address: setup hashes a password, so it is not free to call. */
const SETUP_LIMIT: Limit = { max: 10, windowMs: TEN_MINUTES };

/** Refuses with 429 and `Retry-After` when `wait` (seconds) is positive. */
function refuseWhile(c: Context<AppEnv>, wait: number, message: string) {
  if (wait <= 0) return;
  c.header("Retry-After", String(wait));
  throw new AppError("rate_limited", message);
}

const alreadySetUp = () => new AppError("already_set_up", "This Switchboard is already set up; sign in instead");

export const authRoutes = new Hono<AppEnv>()
  .get("/setup", async (c) => {
    const anyone = await getDb(c.env.DB).select({ id: users.id }).from(users).limit(1);
    return c.json({ setUp: anyone.length > 0 });
  })
  .post("/setup", validate("json", SetupInput), async (c) => {
    const input = c.req.valid("json");
    const db = getDb(c.env.DB);
    const ip = clientIp(c.req.raw);
    refuseWhile(c, await attempt(db, [`setup:ip:${ip}`], SETUP_LIMIT), "Too many setup attempts; wait a few minutes");
    // Checked before the costly hash: once set up, setup is a cheap refusal that burns no CPU.
    if (await db.select({ id: users.id }).from(users).limit(1).get()) throw alreadySetUp();
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
    if (!user) throw alreadySetUp();
    await startSession(c, db, user.id);
    return c.json({ user: toUser(user), workspace: { id: workspaceId, name: input.workspace } }, 201);
  })
  .post("/auth/login", validate("json", LoginInput), async (c) => {
    const { email, password } = c.req.valid("json");
    const db = getDb(c.env.DB);
    const ip = clientIp(c.req.raw);
    const pairKey = `login:email-ip:${email}:${ip}`;
    const addressKey = `login:ip:${ip}`;
    // Counted atomically before the password is checked: a concurrent burst cannot outrun the count.
    const [pairWait, addressWait] = await Promise.all([
      attempt(db, [pairKey], LOGIN_LIMIT),
      attempt(db, [addressKey], ADDRESS_LIMIT),
    ]);
    refuseWhile(c, Math.max(pairWait, addressWait), "Too many sign-in attempts; wait a few minutes and try again");
    const user = await db.query.users.findFirst({ where: eq(users.email, email) });
    const valid = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    // A deactivated user is told the same as a wrong password: the account does not sign in.
    if (!user || !valid || user.deactivatedAt !== null) {
      throw new AppError("unauthenticated", "Email or password is wrong");
    }
    // The real user proved who they are: their own typos no longer count, nor does this sign-in.
    await Promise.all([clear(db, pairKey), refund(db, addressKey)]);
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
