import { sweepUnattached } from "../attachments/store";
import { getDb } from "../db/client";
import { reviewAccess } from "./access";
import { sendDueReplies } from "../email/deliver";
import { autoResolve } from "./auto-resolve";
import { emailNotifications } from "./email-notifications";
import { sendPushes } from "../push/send";
import { purgeExpired } from "./purge";
import { wakeSnoozed } from "./wake-snoozed";
import { finishMerges } from "./finish-merges";
import { sweepWebhooks } from "../webhooks/sweep";
import { backfillMetrics, markBreaches, reclockInboxes } from "./sla";

/** Conversations each job changes at most per run: well inside a Worker's subrequest limits. */
export const SWEEP_LIMIT = 50;

/** Runs one job on its own: a job that throws is logged and never keeps the others from running. */
async function job<T>(name: string, run: () => Promise<T>): Promise<T | { error: string }> {
  try {
    return await run();
  } catch (e) {
    console.error("sweep job failed", name, e);
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * The minute sweep. It uses the event's `scheduledTime` as its clock, so it
 * can be driven with chosen times in tests and through
 * `/cdn-cgi/handler/scheduled?time=…` locally. Each job is short, bounded and
 * independent; rooms make the changes, the sweep only finds what is due.
 */
export async function scheduled(controller: ScheduledController, env: Env, _ctx?: ExecutionContext): Promise<void> {
  const now = Number(controller.scheduledTime);
  const db = getDb(env.DB);
  const delayMs = Number(env.EMAIL_NOTIFICATION_DELAY_MS ?? 120_000);
  const results = {
    woken: await job("wake-snoozed", () => wakeSnoozed(db, env, now, SWEEP_LIMIT)),
    resolved: await job("auto-resolve", () => autoResolve(db, env, now, SWEEP_LIMIT)),
    accessDropped: await job("access-review", () => reviewAccess(db, env, SWEEP_LIMIT)),
    replies: await job("reply-email", () => sendDueReplies(env, db, now, SWEEP_LIMIT)),
    emailed: await job("email-notifications", () => emailNotifications(db, env, now, delayMs, env.APP_URL)),
    pushed: await job("push", () => sendPushes(env, db, now, SWEEP_LIMIT)),
    purged: await job("purge-expired", () => purgeExpired(db, now)),
    filesSwept: await job("unattached-files", () => sweepUnattached(env.FILES, db, now, SWEEP_LIMIT)),
    merges: await job("finish-merges", () => finishMerges(db, env, now, SWEEP_LIMIT)),
    webhooks: await job("webhooks", () => sweepWebhooks(db, env.WEBHOOKS, now, SWEEP_LIMIT)),
    // Re-set clocks before judging them: a target just lengthened must not breach.
    reclocked: await job("sla-reclock", () => reclockInboxes(db, env, SWEEP_LIMIT)),
    breaches: await job("sla-breaches", () => markBreaches(db, env, now, SWEEP_LIMIT)),
    backfilled: await job("metrics-backfill", () => backfillMetrics(db, env, SWEEP_LIMIT)),
  };
  console.log("sweep", new Date(now).toISOString(), JSON.stringify(results));
}
