import { and, eq, gt, isNull, lt, ne, or } from "drizzle-orm";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { getDb, type Db } from "../db/client";
import { apiTokens, sessions, users } from "../db/schema";
import { canAdminister } from "../domain/access";
import type { Actor, AppEnv } from "../env";
import { AppError } from "../errors";
import { randomToken, sha256Hex } from "../lib/ids";

export const SESSION_COOKIE = "sb_session";
const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
const TOKEN_PREFIX = "sbt";

/** Starts a session for `userId` and sets its cookie (HttpOnly, SameSite=Lax, Secure on https). */
export async function startSession(c: Context<AppEnv>, db: Db, userId: string): Promise<void> {
  const token = randomToken("sbs");
  const now = Date.now();
  await db
    .insert(sessions)
    .values({ tokenHash: await sha256Hex(token), userId, createdAt: now, expiresAt: now + SESSION_TTL_MS });
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "Lax",
    secure: new URL(c.req.url).protocol === "https:",
    path: "/",
    maxAge: SESSION_TTL_MS / 1000,
  });
}

export async function endSession(c: Context<AppEnv>, db: Db): Promise<void> {
  const token = getCookie(c, SESSION_COOKIE);
  if (token) await db.delete(sessions).where(eq(sessions.tokenHash, await sha256Hex(token)));
  deleteCookie(c, SESSION_COOKIE, { path: "/" });
}

/** The hash of the session cookie this request carries, if any. */
export async function currentSessionHash(c: Context<AppEnv>): Promise<string | null> {
  const token = getCookie(c, SESSION_COOKIE);
  return token ? sha256Hex(token) : null;
}

/** Ends every session of a user, but the one whose hash is `keep` (the caller's own, on a password change). */
export async function endSessionsOf(db: Db, userId: string, keep?: string | null): Promise<void> {
  await db.delete(sessions).where(and(eq(sessions.userId, userId), keep ? ne(sessions.tokenHash, keep) : undefined));
}

/** Creates an API token; only its hash is stored, so the token is shown once. */
export async function createApiToken(db: Db, userId: string, id: string, name: string): Promise<string> {
  const token = randomToken(TOKEN_PREFIX);
  await db.insert(apiTokens).values({ id, userId, name, tokenHash: await sha256Hex(token), createdAt: Date.now() });
  return token;
}

const actorColumns = {
  id: users.id,
  workspaceId: users.workspaceId,
  name: users.name,
  email: users.email,
  role: users.role,
};

/** A token's last use is written at most this often, so a busy integration does not write on every request. */
const LAST_USED_GRANULARITY_MS = 60_000;

async function actorFromBearer(db: Db, token: string): Promise<Actor | null> {
  const [row] = await db
    .select({ ...actorColumns, tokenId: apiTokens.id, lastUsedAt: apiTokens.lastUsedAt })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, await sha256Hex(token)), isNull(users.deactivatedAt)))
    .limit(1);
  if (!row) return null;
  const { tokenId, lastUsedAt, ...actor } = row;
  const now = Date.now();
  if (lastUsedAt === null || lastUsedAt <= now - LAST_USED_GRANULARITY_MS) {
    // Conditional, so concurrent requests of the same minute write once.
    await db
      .update(apiTokens)
      .set({ lastUsedAt: now })
      .where(
        and(
          eq(apiTokens.id, tokenId),
          or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, now - LAST_USED_GRANULARITY_MS + 1)),
        ),
      );
  }
  return { ...actor, via: "token" };
}

async function actorFromSession(db: Db, token: string): Promise<Actor | null> {
  const [row] = await db
    .select(actorColumns)
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(
        eq(sessions.tokenHash, await sha256Hex(token)),
        gt(sessions.expiresAt, Date.now()),
        isNull(users.deactivatedAt),
      ),
    )
    .limit(1);
  return row ? { ...row, via: "session" } : null;
}

/** The token of an `Authorization: Bearer …` header: an agent's API token or a customer's contact token. */
export const bearerToken = (c: Context) => c.req.header("Authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];

/** Reads `Authorization: Bearer` or the session cookie; 401 when neither names a user. */
export async function identify(c: Context<AppEnv>): Promise<Actor | null> {
  const db = getDb(c.env.DB);
  const bearer = bearerToken(c);
  if (bearer) return actorFromBearer(db, bearer);
  const cookie = getCookie(c, SESSION_COOKIE);
  return cookie ? actorFromSession(db, cookie) : null;
}

export const requireActor = createMiddleware<AppEnv>(async (c, next) => {
  const actor = await identify(c);
  if (!actor) throw new AppError("unauthenticated", "Sign in to continue");
  c.set("actor", actor);
  await next();
});

export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  if (!canAdminister(c.var.actor.role)) throw new AppError("forbidden", "Only admins can do that");
  await next();
});

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Cross-site request forgery guard for cookie-authenticated writes: the
 * browser's Origin (or Sec-Fetch-Site) must say the request came from this site.
 * Bearer-token requests carry no ambient credential and skip it.
 */
export const checkOrigin = createMiddleware<AppEnv>(async (c, next) => {
  if (SAFE_METHODS.has(c.req.method) || c.req.header("Authorization")) return next();
  const origin = c.req.header("Origin");
  const site = c.req.header("Sec-Fetch-Site");
  const sameOrigin = origin ? origin === new URL(c.req.url).origin : !site || site === "same-origin" || site === "none";
  if (!sameOrigin) throw new AppError("forbidden", "Cross-site request refused");
  await next();
});
