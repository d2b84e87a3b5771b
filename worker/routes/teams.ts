import { and, asc, eq } from "drizzle-orm";
import { Hono } from "hono";
import { CreateTeamInput, UpdateTeamInput, type Team } from "../contract";
import { requireAdmin } from "../auth/session";
import { publishToAllLists } from "../rooms/list-hub";
import { chunkRows, inJson } from "../db/chunks";
import { getDb, type Db } from "../db/client";
import { teamMembers, teams, users } from "../db/schema";
import type { AppEnv } from "../env";
import { AppError, notFound } from "../errors";
import { newId } from "../lib/ids";
import { validate } from "../lib/validate";

async function listTeams(db: Db, workspaceId: string, id?: string): Promise<Team[]> {
  const rows = await db
    .select({ id: teams.id, name: teams.name, memberId: users.id, memberName: users.name })
    .from(teams)
    .leftJoin(teamMembers, eq(teamMembers.teamId, teams.id))
    .leftJoin(users, eq(users.id, teamMembers.userId))
    .where(and(eq(teams.workspaceId, workspaceId), id ? eq(teams.id, id) : undefined))
    .orderBy(asc(teams.name), asc(users.name));
  const byId = new Map<string, Team>();
  for (const r of rows) {
    const team = byId.get(r.id) ?? { id: r.id, name: r.name, members: [] };
    if (r.memberId && r.memberName) team.members.push({ id: r.memberId, name: r.memberName });
    byId.set(r.id, team);
  }
  return [...byId.values()];
}

/** Member ids must name people of this workspace; a 400 names the ones that do not. */
async function checkMembers(db: Db, workspaceId: string, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  if (!unique.length) return [];
  const found = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.workspaceId, workspaceId), inJson(users.id, unique)));
  const known = new Set(found.map((u) => u.id));
  const unknown = unique.filter((id) => !known.has(id));
  if (unknown.length) {
    throw new AppError("validation_failed", "Some members are not in this workspace", [
      { path: ["memberIds"], message: `unknown users: ${unknown.join(", ")}` },
    ]);
  }
  return unique;
}

const nameTaken = () =>
  new AppError("conflict", "A team with that name already exists", [{ path: ["name"], message: "already taken" }]);

export const teamRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json({ items: await listTeams(getDb(c.env.DB), c.var.actor.workspaceId) }))
  .post("/", requireAdmin, validate("json", CreateTeamInput), async (c) => {
    const input = c.req.valid("json");
    const db = getDb(c.env.DB);
    const workspaceId = c.var.actor.workspaceId;
    const members = await checkMembers(db, workspaceId, input.memberIds);
    const id = newId("tm");
    const [created] = await db
      .insert(teams)
      .values({ id, workspaceId, name: input.name, createdAt: Date.now() })
      .onConflictDoNothing()
      .returning();
    if (!created) throw nameTaken();
    const rows = members.map((userId) => ({ teamId: id, userId }));
    for (const part of chunkRows(rows, 2)) await db.insert(teamMembers).values(part);
    return c.json((await listTeams(db, workspaceId, id))[0], 201);
  })
  .patch("/:id", requireAdmin, validate("json", UpdateTeamInput), async (c) => {
    const input = c.req.valid("json");
    const db = getDb(c.env.DB);
    const workspaceId = c.var.actor.workspaceId;
    const [team] = await listTeams(db, workspaceId, c.req.param("id"));
    if (!team) throw notFound("Team not found");
    const members = input.memberIds ? await checkMembers(db, workspaceId, input.memberIds) : undefined;
    if (input.name && input.name !== team.name) {
      const clash = await db.query.teams.findFirst({
        where: and(eq(teams.workspaceId, workspaceId), eq(teams.name, input.name)),
      });
      if (clash) throw nameTaken();
    }
    await db.batch([
      db
        .update(teams)
        .set({ name: input.name ?? team.name })
        .where(eq(teams.id, team.id)),
      ...(members
        ? [
            db.delete(teamMembers).where(eq(teamMembers.teamId, team.id)),
            ...chunkRows(
              members.map((userId) => ({ teamId: team.id, userId })),
              2,
            ).map((part) => db.insert(teamMembers).values(part)),
          ]
        : []),
    ]);
    return c.json((await listTeams(db, workspaceId, team.id))[0]);
  })
  .delete("/:id", requireAdmin, async (c) => {
    const db = getDb(c.env.DB);
    const [team] = await listTeams(db, c.var.actor.workspaceId, c.req.param("id"));
    if (!team) throw notFound("Team not found");
    // Conversations keep their history; their team is cleared by the foreign key (ON DELETE SET NULL),
    // rooms read it fresh on their next change, and every list view hears of it now.
    await db.delete(teams).where(eq(teams.id, team.id));
    await publishToAllLists(c.env, c.var.actor.workspaceId, { type: "team_deleted", teamId: team.id });
    return c.body(null, 204);
  });
