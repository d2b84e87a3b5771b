/** Invitations: an admin invites someone by email; the invitee picks their own name and password. */
import { and, asc, eq, gt, inArray } from "drizzle-orm";
import { Hono } from "hono";
import { CreateInvitationInput, type Invitation } from "../contract";
import { mailInvitation } from "../auth/invitation-mail";
import { INVITE_TTL_MS, linkUrl, newLinkSecret } from "../auth/links";
import { requireAdmin } from "../auth/session";
import { getDb } from "../db/client";
import { inboxes, invitations, users } from "../db/schema";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { newId } from "../lib/ids";
import { iso } from "../lib/time";
import { validate } from "../lib/validate";

export const invitationRoutes = new Hono<AppEnv>()
  .use(requireAdmin)
  .get("/", async (c) => {
    const rows = await getDb(c.env.DB)
      .select({ invitation: invitations, inviter: { id: users.id, name: users.name } })
      .from(invitations)
      .leftJoin(users, eq(users.id, invitations.invitedBy))
      .where(and(eq(invitations.workspaceId, c.var.actor.workspaceId), gt(invitations.expiresAt, Date.now())))
      .orderBy(asc(invitations.email));
    const items: Invitation[] = rows.map(({ invitation: i, inviter }) => ({
      id: i.id,
      email: i.email,
      role: i.role,
      access: i.access,
      invitedBy: inviter?.id ? { id: inviter.id, name: inviter.name } : null,
      createdAt: iso(i.createdAt),
      expiresAt: iso(i.expiresAt),
    }));
    return c.json({ items });
  })
  .post("/", validate("json", CreateInvitationInput), async (c) => {
    const { email, role, access } = c.req.valid("json");
    const actor = c.var.actor;
    const db = getDb(c.env.DB);
    const [existing, known, workspace] = await Promise.all([
      db.query.users.findFirst({ where: eq(users.email, email) }),
      access.length
        ? db
            .select({ id: inboxes.id })
            .from(inboxes)
            .where(
              and(
                eq(inboxes.workspaceId, actor.workspaceId),
                inArray(
                  inboxes.id,
                  access.map((g) => g.inboxId),
                ),
              ),
            )
        : [],
      db.query.workspaces.findFirst({ where: (w, { eq }) => eq(w.id, actor.workspaceId) }),
    ]);
    if (existing)
      throw new AppError("conflict", "Someone with that email already has an account", [
        { path: ["email"], message: "already has an account" },
      ]);
    const knownIds = new Set(known.map((k) => k.id));
    const unknown = access.flatMap((g, i) => (knownIds.has(g.inboxId) ? [] : [i]));
    if (unknown.length)
      throw new AppError(
        "validation_failed",
        "No such inbox",
        unknown.map((i) => ({ path: ["access", String(i), "inboxId"], message: "no such inbox" })),
      );
    const { token, hash } = await newLinkSecret("sbi");
    const id = newId("inv");
    const now = Date.now();
    // Inviting the same email again replaces the earlier link.
    await db.batch([
      db.delete(invitations).where(and(eq(invitations.workspaceId, actor.workspaceId), eq(invitations.email, email))),
      db.insert(invitations).values({
        id,
        workspaceId: actor.workspaceId,
        email,
        role,
        access,
        tokenHash: hash,
        invitedBy: actor.id,
        createdAt: now,
        expiresAt: now + INVITE_TTL_MS,
      }),
    ]);
    const inviteUrl = linkUrl(c, "invite", token);
    const emailed = await mailInvitation(c.env, email, workspace?.name ?? "your team", actor.name, inviteUrl);
    return c.json({ id, inviteUrl, emailed }, 201);
  })
  .delete("/:id", async (c) => {
    const gone = await getDb(c.env.DB)
      .delete(invitations)
      .where(and(eq(invitations.id, c.req.param("id")), eq(invitations.workspaceId, c.var.actor.workspaceId)))
      .returning({ id: invitations.id });
    if (!gone.length) throw new AppError("not_found", "No such invitation");
    return c.body(null, 204);
  });
