import { Hono } from "hono";
import { ReportQuery, type Report } from "../contract";
import { getDb } from "../db/client";
import { grantsFor } from "../db/queries/access";
import type { AppEnv } from "../env";
import { validate } from "../lib/validate";
import { buildReport, utcDay } from "../reports/query";

/** `GET /api/reports`: sums of the daily rollups over the inboxes the reader can see. */
export const reportRoutes = new Hono<AppEnv>().get("/", validate("query", ReportQuery), async (c) => {
  const db = getDb(c.env.DB);
  const grants = await grantsFor(db, c.var.actor);
  const report = await buildReport(db, c.var.actor, grants, c.req.valid("query"), utcDay(Date.now()));
  return c.json(report satisfies Report);
});
