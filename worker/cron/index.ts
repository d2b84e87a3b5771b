import { getDb } from "../db/client";
import { reviewAccess } from "./access";
import { autoResolve } from "./auto-resolve";
import { emailNotifications } from "./email-notifications";
import { wakeSnoozed } from "./wake-snoozed";

/** Conversations each job changes at most per run: well inside a Worker's subrequest limits. */
export const SWEEP_LIMIT = 50;

/**
 * The minute sweep. It uses the event's `scheduledTime` as its clock, so it
 * can be driven with chosen times in tests and through
 * `/cdn-cgi/handler/scheduled?time=…` locally. Each job is short and bounded;
 * rooms make the changes, the sweep only finds what is due.
 */
export async function scheduled(controller: ScheduledController, env: Env, _ctx?: ExecutionContext): Promise<void> {
  const now = Number(controller.scheduledTime);
  const db = getDb(env.DB);
  const results = {
    woken: await wakeSnoozed(db, env, now, SWEEP_LIMIT),
    resolved: await autoResolve(db, env, now, SWEEP_LIMIT),
    accessDropped: await reviewAccess(db, env, SWEEP_LIMIT),
    emailed: await emailNotifications(db, env, now, Number(env.EMAIL_NOTIFICATION_DELAY_MS ?? 120_000), env.APP_URL),
  };
  console.log("sweep", new Date(now).toISOString(), JSON.stringify(results));
}
