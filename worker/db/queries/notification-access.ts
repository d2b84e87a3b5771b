import { sql } from "drizzle-orm";
import type { Db } from "../client";

/**
 * Of these notifications, those whose agent can still open the conversation
 * (an admin, or access to its inbox; a notification about no conversation
 * always). Email and push check this before sending, so nobody who lost an
 * inbox gets a preview from it. The ids travel as one JSON parameter.
 */
export async function stillOpen(db: Db, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await db.all<{ id: string }>(sql`
    SELECT n.id FROM notifications n
      JOIN users u ON u.id = n.user_id
      LEFT JOIN conversations c ON c.id = n.conversation_id
      LEFT JOIN inbox_access a ON a.user_id = n.user_id AND a.inbox_id = c.inbox_id
    WHERE n.id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))
      AND u.deactivated_at IS NULL
      AND (n.conversation_id IS NULL OR u.role = 'admin' OR a.access IS NOT NULL)`);
  return new Set(rows.map((r) => r.id));
}
