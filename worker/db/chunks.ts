/**
 * D1 binds at most 100 parameters per statement (Cloudflare's D1 limits), so
 * anything that grows with data is split here: multi-row inserts into
 * statements of whole rows, and `IN` lists into one JSON string for `json_each`.
 */
import { type SQL, type SQLWrapper, sql } from "drizzle-orm";

/** Bound parameters one statement may carry, with room for the few a statement adds around its list. */
export const MAX_PARAMS = 90;

/** Splits `rows` into parts whose statements each bind at most MAX_PARAMS (`paramsPerRow` each). */
export function chunkRows<T>(rows: readonly T[], paramsPerRow: number): T[][] {
  const size = Math.max(1, Math.floor(MAX_PARAMS / paramsPerRow));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** `column IN (…ids)` with the ids bound as one JSON array: one parameter however many there are. */
export const inJson = (column: SQLWrapper, ids: readonly string[]): SQL =>
  sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;
