import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { rateLimits } from "../db/schema";

export interface Limit {
  /** Allowed events per window. */
  max: number;
  windowMs: number;
}

const windowOf = (now: number, windowMs: number) => Math.floor(now / windowMs) * windowMs;

/** Counts one event against `key` and says whether it stays within the limit (fixed window). */
export async function hit(db: Db, key: string, limit: Limit, now = Date.now()): Promise<boolean> {
  const windowStart = windowOf(now, limit.windowMs);
  const [row] = await db
    .insert(rateLimits)
    .values({ key, windowStart, count: 1 })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`CASE WHEN ${rateLimits.windowStart} = excluded.window_start THEN ${rateLimits.count} + 1 ELSE 1 END`,
        windowStart: sql`excluded.window_start`,
      },
    })
    .returning({ count: rateLimits.count });
  return (row?.count ?? 1) <= limit.max;
}

/**
 * Counts one attempt against every key in one atomic statement each (insert or increment, returning the
 * new count) and answers the seconds to wait when any key is over its limit, or 0 when all are within.
 * Counting before the work is done is what makes a concurrent burst unable to slip past the limit.
 */
export async function attempt(db: Db, keys: string[], limit: Limit, now = Date.now()): Promise<number> {
  const within = await Promise.all(keys.map((key) => hit(db, key, limit, now)));
  return within.every(Boolean) ? 0 : retryAfterSeconds(limit, now);
}

/** Seconds until the current window of `limit` ends: what a refused client should wait. */
export const retryAfterSeconds = (limit: Limit, now = Date.now()) =>
  Math.max(1, Math.ceil((windowOf(now, limit.windowMs) + limit.windowMs - now) / 1000));

/** Forgets `key`'s count, e.g. after the real user proved who they are. */
export async function clear(db: Db, key: string): Promise<void> {
  await db.delete(rateLimits).where(sql`${rateLimits.key} = ${key}`);
}

/** Gives back one counted event, e.g. an attempt that turned out legitimate. */
export async function refund(db: Db, key: string): Promise<void> {
  await db
    .update(rateLimits)
    .set({ count: sql`max(${rateLimits.count} - 1, 0)` })
    .where(sql`${rateLimits.key} = ${key}`);
}

/** The client's address as Cloudflare reports it. */
export const clientIp = (req: Request) => req.headers.get("CF-Connecting-IP") ?? "local";
