import { getDb } from "../db/client";
import { emailNotifications } from "./email-notifications";

/**
 * The minute sweep. It uses the event's `scheduledTime` as its clock, so it
 * can be driven with chosen times in tests and through
 * `/cdn-cgi/handler/scheduled?time=…` locally. Each job is short and bounded.
 */
export async function scheduled(controller: ScheduledController, env: Env, _ctx?: ExecutionContext): Promise<void> {
  const now = Number(controller.scheduledTime);
  const db = getDb(env.DB);
  const delay = Number(env.EMAIL_NOTIFICATION_DELAY_MS ?? 120_000);
  await emailNotifications(db, env, now, delay, env.APP_URL);
}
