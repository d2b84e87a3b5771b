import { eq } from "drizzle-orm";
import type { User } from "../../contract";
import type { Db } from "../client";
import { teamMembers, type users } from "../schema";

/** A user row as the contract's `User`. */
export const toUser = (u: Pick<typeof users.$inferSelect, "id" | "name" | "email" | "role">): User => ({
  id: u.id,
  name: u.name,
  email: u.email,
  role: u.role,
});

/** The ids of a team's members. */
export async function teamMemberIds(db: Db, teamId: string): Promise<string[]> {
  const rows = await db.select({ id: teamMembers.userId }).from(teamMembers).where(eq(teamMembers.teamId, teamId));
  return rows.map((r) => r.id);
}
