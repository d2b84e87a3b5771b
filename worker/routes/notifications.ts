import { and, count, desc, eq, isNull, sql } from "drizzle-orm";
import { inJson } from "../db/chunks";
import { Hono } from "hono";
import { NotificationsQuery, ReadNotificationsInput, type Notification } from "../contract";
import { getDb, type Db } from "../db/client";
import { conversations, inboxAccess, notifications } from "../db/schema";
import { seesEveryInbox } from "../domain/access";
import type { Actor, AppEnv } from "../env";
import { iso, isoOrNull } from "../lib/time";
import { validate } from "../lib/validate";

const toNotification = (n: typeof notifications.$inferSelect): Notification => ({
  id: n.id,
  kind: n.kind,
  conversationId: n.conversationId,
  actor: { id: n.actorId, name: n.actorName },
  preview: n.preview,
  createdAt: iso(n.createdAt),
  readAt: isoOrNull(n.readAt),
});

type Reader = Pick<Actor, "id" | "role">;

/**
 * A reader's notifications, and only about conversations they can still open:
 * an agent who lost an inbox sees no preview from it, old ones included;
 * and only those the reader wants in-app.
 */
function mine(reader: Reader) {
  // A kind the reader turned off in-app only travels by email or push.
  const own = and(eq(notifications.userId, reader.id), eq(notifications.inApp, true));
  if (seesEveryInbox(reader.role)) return own;
  return and(
    own,
    sql`EXISTS (SELECT 1 FROM ${conversations} JOIN ${inboxAccess} ON ${inboxAccess.inboxId} = ${conversations.inboxId}
      WHERE ${conversations.id} = ${notifications.conversationId} AND ${inboxAccess.userId} = ${reader.id})`,
  );
}

async function unreadCount(db: Db, reader: Reader): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(notifications)
    .where(and(mine(reader), isNull(notifications.readAt)));
  return row?.n ?? 0;
}

export const notificationRoutes = new Hono<AppEnv>()
  .get("/", validate("query", NotificationsQuery), async (c) => {
    const { unread, limit } = c.req.valid("query");
    const db = getDb(c.env.DB);
    const reader = c.var.actor;
    const [rows, unreadTotal] = await Promise.all([
      db
        .select()
        .from(notifications)
        .where(and(mine(reader), unread === "true" ? isNull(notifications.readAt) : undefined))
        .orderBy(desc(notifications.createdAt), desc(notifications.id))
        .limit(limit),
      unreadCount(db, reader),
    ]);
    return c.json({ items: rows.map(toNotification), unreadCount: unreadTotal });
  })
  .post("/read", validate("json", ReadNotificationsInput), async (c) => {
    const { ids } = c.req.valid("json");
    const db = getDb(c.env.DB);
    const userId = c.var.actor.id;
    // Only the reader's own notifications, and only the unread ones keep their first read time.
    await db
      .update(notifications)
      .set({ readAt: Date.now() })
      .where(
        and(
          eq(notifications.userId, userId),
          isNull(notifications.readAt),
          ids ? inJson(notifications.id, ids) : undefined,
        ),
      );
    return c.json({ unreadCount: await unreadCount(db, c.var.actor) });
  });
