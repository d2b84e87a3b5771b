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

/** How many events `key` has used in the current window, without counting one. */
export async function used(db: Db, key: string, limit: Limit, now = Date.now()): Promise<number> {
  const row = await db.query.rateLimits.findFirst({ where: (r, { eq }) => eq(r.key, key) });
  return row && row.windowStart === windowOf(now, limit.windowMs) ? row.count : 0;
}

/** The client's address as Cloudflare reports it. */
export const clientIp = (req: Request) => req.headers.get("CF-Connecting-IP") ?? "local";
