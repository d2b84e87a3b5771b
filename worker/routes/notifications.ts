import { and, count, desc, eq, isNull } from "drizzle-orm";
import { inJson } from "../db/chunks";
import { Hono } from "hono";
import { NotificationsQuery, ReadNotificationsInput, type Notification } from "../contract";
import { getDb, type Db } from "../db/client";
import { notifications } from "../db/schema";
import type { AppEnv } from "../env";
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

async function unreadCount(db: Db, userId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
  return row?.n ?? 0;
}

export const notificationRoutes = new Hono<AppEnv>()
  .get("/", validate("query", NotificationsQuery), async (c) => {
    const { unread, limit } = c.req.valid("query");
    const db = getDb(c.env.DB);
    const userId = c.var.actor.id;
    const [rows, unreadTotal] = await Promise.all([
      db
        .select()
        .from(notifications)
        .where(and(eq(notifications.userId, userId), unread === "true" ? isNull(notifications.readAt) : undefined))
        .orderBy(desc(notifications.createdAt), desc(notifications.id))
        .limit(limit),
      unreadCount(db, userId),
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
    return c.json({ unreadCount: await unreadCount(db, userId) });
  });
