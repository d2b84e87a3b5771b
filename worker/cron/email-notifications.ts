import { and, asc, eq, inArray, isNull, lte } from "drizzle-orm";
import type { Db } from "../db/client";
import { notifications, users } from "../db/schema";

/** At most this many notifications are handled per run; a backlog drains over the next runs. */
const BATCH = 100;

const KIND_WORDS = {
  mention: "mentioned you",
  assigned: "assigned you a conversation",
  update: "updated a conversation you follow",
} as const;

/**
 * Emails notifications still unread `delayMs` after they were created, to the
 * agents who asked for email, one digest per agent per run. Every due row is
 * marked handled, emailed or not, so it is never looked at again.
 */
export async function emailNotifications(
  db: Db,
  env: Pick<Env, "EMAIL" | "EMAIL_FROM">,
  now: number,
  delayMs: number,
  appUrl: string,
) {
  const due = await db
    .select({
      id: notifications.id,
      kind: notifications.kind,
      actorName: notifications.actorName,
      preview: notifications.preview,
      conversationId: notifications.conversationId,
      email: users.email,
      name: users.name,
      wantsEmail: users.emailNotifications,
    })
    .from(notifications)
    .innerJoin(users, eq(users.id, notifications.userId))
    .where(
      and(isNull(notifications.emailedAt), isNull(notifications.readAt), lte(notifications.createdAt, now - delayMs)),
    )
    .orderBy(asc(notifications.createdAt))
    .limit(BATCH);
  if (!due.length) return { due: 0, emailed: 0 };

  const byAgent = new Map<string, typeof due>();
  for (const n of due) if (n.wantsEmail) byAgent.set(n.email, [...(byAgent.get(n.email) ?? []), n]);
  let emailed = 0;
  for (const [email, list] of byAgent) {
    const lines = list.map(
      (n) => `• ${n.actorName} ${KIND_WORDS[n.kind]}: ${n.preview}\n  ${appUrl}/conversations/${n.conversationId}`,
    );
    await env.EMAIL.send({
      from: env.EMAIL_FROM,
      to: email,
      subject:
        list.length === 1
          ? `${list[0]!.actorName} ${KIND_WORDS[list[0]!.kind]}`
          : `${list.length} new notifications in Switchboard`,
      text: `Hi ${list[0]!.name},\n\n${lines.join("\n\n")}\n\nYou get these emails because email notifications are on in your Switchboard profile.\n`,
    });
    emailed += list.length;
  }
  await db
    .update(notifications)
    .set({ emailedAt: now })
    .where(
      inArray(
        notifications.id,
        due.map((n) => n.id),
      ),
    );
  return { due: due.length, emailed };
}
