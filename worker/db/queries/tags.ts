import { and, eq, sql } from "drizzle-orm";
import { chunkRows, inJson } from "../chunks";
import type { Db } from "../client";
import { tags } from "../schema";

/** Calm, distinguishable tag colours; a tag's colour is picked from its name so it is stable. */
const PALETTE = [
  "#2563eb",
  "#16a34a",
  "#d97706",
  "#dc2626",
  "#7c3aed",
  "#0891b2",
  "#db2777",
  "#4d7c0f",
  "#9333ea",
  "#ea580c",
];

export function colorFor(name: string): string {
  let h = 0;
  for (const ch of name.toLowerCase()) h = (h * 31 + ch.codePointAt(0)!) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}

/**
 * The workspace's tags for these names, created on first use. Names match
 * regardless of case, and the first spelling used is kept.
 */
/** The workspace's existing tags among these names (regardless of case); none are created. */
export function findTags(db: Db, workspaceId: string, names: string[]) {
  return db
    .select({ id: tags.id, name: tags.name })
    .from(tags)
    .where(
      and(
        eq(tags.workspaceId, workspaceId),
        inJson(
          sql`lower(${tags.name})`,
          names.map((n) => n.toLowerCase()),
        ),
      ),
    );
}

export async function resolveTags(db: Db, workspaceId: string, names: string[], newId: () => string) {
  const byName = new Map<string, string>();
  for (const name of names) if (!byName.has(name.toLowerCase())) byName.set(name.toLowerCase(), name);
  const unique = [...byName.values()];
  if (!unique.length) return [];
  const find = () => findTags(db, workspaceId, unique);
  const existing = await find();
  const known = new Set(existing.map((t) => t.name.toLowerCase()));
  const missing = unique.filter((n) => !known.has(n.toLowerCase()));
  if (!missing.length) return existing;
  const now = Date.now();
  const rows = missing.map((name) => ({ id: newId(), workspaceId, name, color: colorFor(name), createdAt: now }));
  for (const part of chunkRows(rows, 5)) await db.insert(tags).values(part).onConflictDoNothing();
  return find();
}
