import { and, asc, eq } from "drizzle-orm";
import { inboxAdded } from "../rooms/list-hub";
import { Hono } from "hono";
import {
  BusinessHoursInput,
  CreateInboxInput,
  SetAccessInput,
  SlaTargetsInput,
  UpdateInboxInput,
  type Inbox,
  type WidgetSecret,
  type WidgetSettings,
} from "../contract";
import { requireAdmin } from "../auth/session";
import { accessChanged } from "../auth/list-scope";
import { getDb, type Db } from "../db/client";
import { grantsFor } from "../db/queries/access";
import { slaTargets } from "../db/queries/inbox-terms";
import { RECLOCK } from "../cron/sla";
import { inboxAccess, inboxes, users } from "../db/schema";
import type { AppEnv } from "../env";
import { AppError, notFound } from "../errors";
import { newId, randomToken } from "../lib/ids";
import { iso } from "../lib/time";
import { validate } from "../lib/validate";

type InboxRow = typeof inboxes.$inferSelect;

export const toInbox = (row: InboxRow): Inbox => ({
  id: row.id,
  name: row.name,
  channel: row.channel,
  widgetKey: row.widgetKey,
  emailAddress: row.emailAddress,
  autoResolveDays: row.autoResolveDays,
  widget: widgetSettings(row),
  businessHours: row.businessHours,
  sla: slaTargets(row),
  createdAt: iso(row.createdAt),
});

/** The chat widget's settings as stored on the inbox's row. */
export const widgetSettings = (row: InboxRow): WidgetSettings => ({
  color: row.widgetColor,
  greeting: row.widgetGreeting,
  position: row.widgetPosition,
  preChat: row.widgetPreChat,
  requireIdentity: row.widgetRequireIdentity,
});

/** The columns a partial widget update sets: only the settings given. */
function widgetColumns(widget: Partial<WidgetSettings> = {}): Partial<InboxRow> {
  const columns: Partial<InboxRow> = {
    widgetColor: widget.color,
    widgetGreeting: widget.greeting,
    widgetPosition: widget.position,
    widgetPreChat: widget.preChat,
    widgetRequireIdentity: widget.requireIdentity,
  };
  return Object.fromEntries(Object.entries(columns).filter(([, v]) => v !== undefined));
}

/** Email inboxes resolve conversations idle for a week unless told otherwise. */
const DEFAULT_EMAIL_AUTO_RESOLVE_DAYS = 7;

async function findInbox(db: Db, workspaceId: string, id: string): Promise<InboxRow> {
  const row = await db.query.inboxes.findFirst({
    where: and(eq(inboxes.id, id), eq(inboxes.workspaceId, workspaceId)),
  });
  if (!row) throw notFound("Inbox not found");
  return row;
}

async function findUser(db: Db, workspaceId: string, id: string) {
  const row = await db.query.users.findFirst({ where: and(eq(users.id, id), eq(users.workspaceId, workspaceId)) });
  if (!row) throw notFound("User not found");
  return row;
}

/** Sets columns of one of the workspace's inboxes; the inbox as it is now. */
async function updateInbox(
  d1: D1Database,
  workspaceId: string,
  id: string,
  columns: Partial<InboxRow>,
): Promise<Inbox> {
  const db = getDb(d1);
  const inbox = await findInbox(db, workspaceId, id);
  const [updated] = await db.update(inboxes).set(columns).where(eq(inboxes.id, inbox.id)).returning();
  return toInbox(updated!);
}

const emailTaken = () =>
  new AppError("conflict", "Another inbox already receives that address", [
    { path: ["emailAddress"], message: "already used" },
  ]);

export const inboxRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const db = getDb(c.env.DB);
    const [grants, rows] = await Promise.all([
      grantsFor(db, c.var.actor),
      db.select().from(inboxes).where(eq(inboxes.workspaceId, c.var.actor.workspaceId)).orderBy(asc(inboxes.name)),
    ]);
    return c.json({ items: rows.filter((r) => grants.has(r.id)).map(toInbox) });
  })
  .post("/", requireAdmin, validate("json", CreateInboxInput), async (c) => {
    const input = c.req.valid("json");
    const [created] = await getDb(c.env.DB)
      .insert(inboxes)
      .values({
        id: newId("ib"),
        workspaceId: c.var.actor.workspaceId,
        name: input.name,
        channel: input.channel,
        widgetKey: newId("wk"),
        widgetSecret: randomToken("whs"),
        emailAddress: input.emailAddress ?? null,
        autoResolveDays:
          input.autoResolveDays !== undefined
            ? input.autoResolveDays
            : input.channel === "email"
              ? DEFAULT_EMAIL_AUTO_RESOLVE_DAYS
              : null,
        createdAt: Date.now(),
      })
      .onConflictDoNothing()
      .returning();
    if (!created) throw emailTaken();
    // Open lists of those who see every inbox carry the new one from now on.
    await inboxAdded(c.env, c.var.actor.workspaceId, created.id);
    return c.json(toInbox(created), 201);
  })
  .patch("/:inboxId", requireAdmin, validate("json", UpdateInboxInput), async (c) => {
    const db = getDb(c.env.DB);
    const inbox = await findInbox(db, c.var.actor.workspaceId, c.req.param("inboxId"));
    const { widget, ...input } = c.req.valid("json");
    if (input.emailAddress) {
      const other = await db.query.inboxes.findFirst({ where: eq(inboxes.emailAddress, input.emailAddress) });
      if (other && other.id !== inbox.id) throw emailTaken();
    }
    const columns = { ...input, ...widgetColumns(widget) };
    // `{widget: {}}` changes nothing, and drizzle refuses an empty SET.
    if (!Object.keys(columns).length) return c.json(toInbox(inbox));
    const [updated] = await db.update(inboxes).set(columns).where(eq(inboxes.id, inbox.id)).returning();
    return c.json(toInbox(updated!));
  })
  /**
   * Rotates the widget's identity-verification secret and shows it once: the
   * site's backend signs user ids with it; hashes made with the old one stop
   * verifying at once.
   */
  .post("/:inboxId/widget-secret", requireAdmin, async (c) => {
    const db = getDb(c.env.DB);
    const inbox = await findInbox(db, c.var.actor.workspaceId, c.req.param("inboxId"));
    const secret = randomToken("whs");
    await db.update(inboxes).set({ widgetSecret: secret }).where(eq(inboxes.id, inbox.id));
    return c.json({ secret } satisfies WidgetSecret, 201);
  })
  /** Sets the inbox's business hours; the sweep re-sets the open conversations' clocks (cron/sla.ts). */
  .put("/:inboxId/business-hours", requireAdmin, validate("json", BusinessHoursInput), async (c) =>
    c.json(
      await updateInbox(c.env.DB, c.var.actor.workspaceId, c.req.param("inboxId"), {
        businessHours: c.req.valid("json"),
        ...RECLOCK,
      }),
    ),
  )
  /** Clears the inbox's business hours: it counts every hour (24/7) again. */
  .delete("/:inboxId/business-hours", requireAdmin, async (c) =>
    c.json(
      await updateInbox(c.env.DB, c.var.actor.workspaceId, c.req.param("inboxId"), { businessHours: null, ...RECLOCK }),
    ),
  )
  /** Replaces the inbox's SLA targets; a target left out (or null) is none. */
  .put("/:inboxId/sla", requireAdmin, validate("json", SlaTargetsInput), async (c) => {
    const input = c.req.valid("json");
    return c.json(
      await updateInbox(c.env.DB, c.var.actor.workspaceId, c.req.param("inboxId"), {
        slaFirstResponseMinutes: input.firstResponseMinutes ?? null,
        slaNextResponseMinutes: input.nextResponseMinutes ?? null,
        slaResolutionMinutes: input.resolutionMinutes ?? null,
        slaBusinessHoursOnly: input.businessHoursOnly,
        ...RECLOCK,
      }),
    );
  })
  .get("/:inboxId/access", requireAdmin, async (c) => {
    const db = getDb(c.env.DB);
    const inbox = await findInbox(db, c.var.actor.workspaceId, c.req.param("inboxId"));
    const rows = await db.select().from(inboxAccess).where(eq(inboxAccess.inboxId, inbox.id));
    return c.json({ items: rows });
  })
  .put("/:inboxId/access/:userId", requireAdmin, validate("json", SetAccessInput), async (c) => {
    const db = getDb(c.env.DB);
    const { workspaceId } = c.var.actor;
    const inbox = await findInbox(db, workspaceId, c.req.param("inboxId"));
    const user = await findUser(db, workspaceId, c.req.param("userId"));
    const { access } = c.req.valid("json");
    await db
      .insert(inboxAccess)
      .values({ inboxId: inbox.id, userId: user.id, access })
      .onConflictDoUpdate({ target: [inboxAccess.inboxId, inboxAccess.userId], set: { access } });
    await accessChanged(c.env, db, user);
    return c.json({ inboxId: inbox.id, userId: user.id, access });
  })
  .delete("/:inboxId/access/:userId", requireAdmin, async (c) => {
    const db = getDb(c.env.DB);
    const { workspaceId } = c.var.actor;
    const inbox = await findInbox(db, workspaceId, c.req.param("inboxId"));
    const user = await findUser(db, workspaceId, c.req.param("userId"));
    await db.delete(inboxAccess).where(and(eq(inboxAccess.inboxId, inbox.id), eq(inboxAccess.userId, user.id)));
    await accessChanged(c.env, db, user);
    return c.body(null, 204);
  });
