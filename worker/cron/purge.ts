/**
 * Rows that only ever grow unless someone deletes them: expired sessions,
 * invitations and reset links, and rate-limit windows long past. A bounded
 * delete per table per run keeps each statement short however big the
 * backlog; the next runs take the rest.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../db/client";

const PER_TABLE = 500;
/** No rate-limit window is longer than this; a counter older than it counts nothing. */
const RATE_WINDOW_KEPT_MS = 24 * 60 * 60 * 1000;

const EXPIRING = [
  { table: "sessions", column: "expires_at" },
  { table: "invitations", column: "expires_at" },
  { table: "password_resets", column: "expires_at" },
] as const;

export async function purgeExpired(db: Db, now: number): Promise<number> {
  let purged = 0;
  const deleteBefore = async (table: string, column: string, before: number) => {
    const result = await db.run(
      sql.raw(
        `DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ${column} < ${Math.floor(before)} LIMIT ${PER_TABLE})`,
      ),
    );
    purged += result.meta.changes ?? 0;
  };
  for (const { table, column } of EXPIRING) await deleteBefore(table, column, now);
  await deleteBefore("rate_limits", "window_start", now - RATE_WINDOW_KEPT_MS);
  return purged;
}
