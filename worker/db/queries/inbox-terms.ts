import { eq } from "drizzle-orm";
import { NO_SLA, type SlaTargets } from "../../contract";
import type { Terms } from "../../domain/sla";
import type { Db } from "../client";
import { inboxes } from "../schema";

/** The inbox's SLA targets as stored on its row. */
export const slaTargets = (row: typeof inboxes.$inferSelect): SlaTargets => ({
  firstResponseMinutes: row.slaFirstResponseMinutes,
  nextResponseMinutes: row.slaNextResponseMinutes,
  resolutionMinutes: row.slaResolutionMinutes,
  businessHoursOnly: row.slaBusinessHoursOnly,
});

/** The inbox's business hours and SLA targets, read fresh for each commit (an admin may have just changed them). */
export async function termsOf(db: Db, inboxId: string): Promise<Terms> {
  const [row] = await db.select().from(inboxes).where(eq(inboxes.id, inboxId));
  return row ? { hours: row.businessHours, targets: slaTargets(row) } : { hours: null, targets: NO_SLA };
}
