import { sql } from "drizzle-orm";
import type { NotificationKind } from "../contract";
import type { Db } from "../db/client";
import { backoffMs, LEASE_MS, MAX_ATTEMPTS } from "../email/deliver";
import { mailer } from "../email/mailer";
import { stillOpen } from "../db/queries/notification-access";
import { wants } from "../domain/notification-prefs";

/** At most this many notifications are claimed per run; a backlog drains over the next runs. */
const BATCH = 100;

const KIND_WORDS: Record<NotificationKind, string> = {
  mention: "mentioned you",
  assigned: "assigned you a conversation",
  update: "updated a conversation you follow",
  webhook: "turned off a failing webhook",
  sla: "flagged a missed SLA",
  forward: "answered your forward",
};

interface Claimed {
  id: string;
  userId: string;
  kind: NotificationKind;
  actorName: string;
  preview: string;
  conversationId: string | null;
  attempts: number;
}

/**
 * Claims due notifications: unread and unhandled `delayMs` after they were
 * created, neither leased nor backing off. The statement that returns the
 * rows moves `email_due_at` ahead by a lease, so an overlapping run never
 * takes them. Few parameters whatever the batch size.
 */
const claim = (db: Db, now: number, cutoff: number) =>
  db.all<Claimed>(sql`
    UPDATE notifications SET email_due_at = ${now + LEASE_MS}, email_attempts = email_attempts + 1
    WHERE id IN (
      SELECT id FROM notifications
      WHERE emailed_at IS NULL AND read_at IS NULL AND created_at <= ${cutoff}
        AND (email_due_at IS NULL OR email_due_at <= ${now})
      ORDER BY created_at LIMIT ${BATCH})
    RETURNING id, user_id AS userId, kind, actor_name AS actorName, preview,
      conversation_id AS conversationId, email_attempts AS attempts`);

/** Marks notifications handled (emailed, not wanted, or given up); the ids travel as one JSON parameter. */
const markHandled = (db: Db, ids: string[], now: number) =>
  db.run(
    sql`UPDATE notifications SET emailed_at = ${now} WHERE id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`,
  );

const retryLater = (db: Db, ids: string[], at: number) =>
  db.run(
    sql`UPDATE notifications SET email_due_at = ${at} WHERE id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`,
  );

function digest(list: Claimed[], name: string, appUrl: string) {
  const lines = list.map(
    (n) =>
      `• ${n.actorName} ${KIND_WORDS[n.kind]}: ${n.preview}\n  ${appUrl}${n.conversationId ? `/conversations/${n.conversationId}` : "/settings?tab=webhooks"}`,
  );
  return {
    subject:
      list.length === 1
        ? `${list[0]!.actorName} ${KIND_WORDS[list[0]!.kind]}`
        : `${list.length} new notifications in Switchboard`,
    text: `Hi ${name},\n\n${lines.join("\n\n")}\n\nYou get these emails because these email notifications are on in your Switchboard profile. This message was sent automatically.\n`,
  };
}

/**
 * Emails notifications still unread `delayMs` after they were created, to
 * the agents who asked for email, one digest per agent per run. Rows are
 * claimed before anything is sent and marked handled once sent; a failed
 * send is retried with back-off, and given up after the last try.
 */
export async function emailNotifications(
  db: Db,
  env: Pick<Env, "EMAIL" | "EMAIL_STRICT" | "EMAIL_FROM">,
  now: number,
  delayMs: number,
  appUrl: string,
) {
  const claimed = await claim(db, now, now - delayMs);
  if (!claimed.length) return { due: 0, emailed: 0, failed: 0 };
  const open = await stillOpen(
    db,
    claimed.map((n) => n.id),
  );
  const closed = claimed.filter((n) => !open.has(n.id)).map((n) => n.id);
  if (closed.length) await markHandled(db, closed, now);
  const due = claimed.filter((n) => open.has(n.id));
  const userIds = [...new Set(due.map((n) => n.userId))];
  const people = await db.all<{ id: string; email: string; name: string; master: number; prefs: string | null }>(sql`
    SELECT id, email, name, email_notifications AS master, notification_prefs AS prefs FROM users
    WHERE id IN (SELECT value FROM json_each(${JSON.stringify(userIds)}))`);
  const byId = new Map(people.map((p) => [p.id, p]));
  // Email for this kind, by the agent's master switch and per-kind choice.
  const wanted = (n: Claimed) => {
    const p = byId.get(n.userId);
    return !!p && wants(p.prefs ? JSON.parse(p.prefs) : null, !!p.master, n.kind, "email");
  };

  const unwanted = due.filter((n) => !wanted(n)).map((n) => n.id);
  if (unwanted.length) await markHandled(db, unwanted, now);
  let emailed = 0;
  let failed = 0;
  for (const person of people) {
    const list = due.filter((n) => n.userId === person.id && wanted(n));
    if (!list.length) continue;
    const ids = list.map((n) => n.id);
    try {
      if (!env.EMAIL_FROM) throw new Error("EMAIL_FROM is not set: notification email has no sender");
      await mailer(env).send({
        from: env.EMAIL_FROM,
        to: person.email,
        ...digest(list, person.name, appUrl),
        // Auto-replies and out-of-office answers must not come back to this mail.
        headers: { "Auto-Submitted": "auto-generated" },
      });
      await markHandled(db, ids, now);
      emailed += list.length;
    } catch (e) {
      failed += list.length;
      const attempts = Math.max(...list.map((n) => n.attempts));
      console.error("notification email failed", person.id, `try ${attempts}`, e);
      if (attempts >= MAX_ATTEMPTS) await markHandled(db, ids, now);
      else await retryLater(db, ids, now + backoffMs(attempts));
    }
  }
  return { due: due.length, emailed, failed };
}
