/**
 * `/api/me/push-subscriptions`: the devices an agent gets Web Push on
 * (SPEC §6.7). A browser's subscription is stored by its endpoint, so
 * subscribing again, or another agent signing in on the same browser, takes
 * the row over. The keys are never sent back.
 */
import { and, desc, eq, ne, notInArray, sql } from "drizzle-orm";
import { Hono } from "hono";
import { MAX_PUSH_DEVICES, type PushDevice, PushDevicesQuery, PushSubscriptionInput } from "../contract";
import { getDb } from "../db/client";
import { pushSubscriptions } from "../db/schema";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { fromBase64url, newId } from "../lib/ids";
import { iso, isoOrNull } from "../lib/time";
import { validate } from "../lib/validate";
import { pushProblem } from "../push/vapid";
import { urlRefusal } from "../webhooks/urls";

interface Row {
  id: string;
  endpoint: string;
  userAgent: string | null;
  createdAt: number;
  lastSuccessAt: number | null;
}

const toDevice = (r: Row, endpoint?: string): PushDevice => ({
  id: r.id,
  userAgent: r.userAgent,
  createdAt: iso(r.createdAt),
  lastSuccessAt: isoOrNull(r.lastSuccessAt),
  current: r.endpoint === endpoint,
});

const invalid = (field: string[], message: string) =>
  new AppError("validation_failed", `${field.join(".")} ${message}`, [{ path: field, message }]);

/** A browser's key must be a point on P-256, not just 65 bytes. */
async function isP256Point(p256dh: string): Promise<boolean> {
  try {
    await crypto.subtle.importKey("raw", fromBase64url(p256dh), { name: "ECDH", namedCurve: "P-256" }, false, []);
    return true;
  } catch {
    return false;
  }
}

export const pushSubscriptionRoutes = new Hono<AppEnv>()
  .get("/", validate("query", PushDevicesQuery), async (c) => {
    const rows = await getDb(c.env.DB).all<Row>(sql`
      SELECT id, endpoint, user_agent AS userAgent, created_at AS createdAt, last_success_at AS lastSuccessAt
      FROM push_subscriptions WHERE user_id = ${c.var.actor.id} ORDER BY created_at DESC, id DESC`);
    const { endpoint } = c.req.valid("query");
    return c.json({
      publicKey: pushProblem(c.env) ? null : c.env.VAPID_PUBLIC_KEY!,
      subscriptions: rows.map((r) => toDevice(r, endpoint)),
    });
  })
  .post("/", validate("json", PushSubscriptionInput), async (c) => {
    const problem = pushProblem(c.env);
    if (problem) throw new AppError("not_configured", problem);
    const { endpoint, keys } = c.req.valid("json");
    const refusal = urlRefusal(endpoint, c.env);
    if (refusal) throw invalid(["endpoint"], refusal);
    if (!(await isP256Point(keys.p256dh))) throw invalid(["keys", "p256dh"], "is not a point on P-256");
    const db = getDb(c.env.DB);
    const userId = c.var.actor.id;
    const userAgent = c.req.header("user-agent")?.slice(0, 300) ?? null;
    const mine = eq(pushSubscriptions.userId, userId);
    const newest = db
      .select({ id: pushSubscriptions.id })
      .from(pushSubscriptions)
      .where(mine)
      .orderBy(desc(pushSubscriptions.createdAt), desc(pushSubscriptions.id))
      .limit(MAX_PUSH_DEVICES);
    const [, , , rows] = await db.batch([
      // Someone else's subscription on this browser goes, with anything still queued for them.
      db
        .delete(pushSubscriptions)
        .where(and(eq(pushSubscriptions.endpoint, endpoint), ne(pushSubscriptions.userId, userId))),
      db
        .insert(pushSubscriptions)
        .values({ id: newId("ps"), userId, endpoint, ...keys, userAgent, createdAt: Date.now() })
        .onConflictDoUpdate({ target: pushSubscriptions.endpoint, set: { ...keys, userAgent } }),
      // One device too many replaces the one added longest ago.
      db.delete(pushSubscriptions).where(and(mine, notInArray(pushSubscriptions.id, newest))),
      db.select().from(pushSubscriptions).where(eq(pushSubscriptions.endpoint, endpoint)),
    ]);
    return c.json(toDevice((rows as Row[])[0]!, endpoint), 201);
  })
  .delete("/:id", async (c) => {
    const gone = await getDb(c.env.DB).all<{ id: string }>(
      sql`DELETE FROM push_subscriptions WHERE id = ${c.req.param("id")} AND user_id = ${c.var.actor.id} RETURNING id`,
    );
    if (!gone.length) throw new AppError("not_found", "No such device");
    return c.body(null, 204);
  });
