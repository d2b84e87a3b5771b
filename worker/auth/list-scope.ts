/** Which inboxes a user's live list stream carries, kept in step with their access. */
import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { accessReviews, inboxes } from "../db/schema";
import { grantsFor } from "../db/queries/access";
import { seesEveryInbox } from "../domain/access";
import type { Actor } from "../env";
import { getInboxHub, getListGateway } from "../rooms/list-hub";
import type { InboxScope } from "../rooms/list-gateway";

type Member = Pick<Actor, "id" | "role" | "workspaceId"> & { deactivatedAt?: number | null };

/** The inboxes whose conversations a user's list stream carries; null for a deactivated user (signed out). */
export async function listScope(db: Db, user: Member): Promise<InboxScope | null> {
  if (user.deactivatedAt) return null;
  return seesEveryInbox(user.role) ? "*" : [...(await grantsFor(db, user)).keys()];
}

/**
 * The one way an access change (a grant changed or removed, a role changed, a
 * user deactivated) takes effect: the user's list streams follow at once, and
 * every conversation they have open re-checks them: each inbox's hub knows
 * who is present in its conversations (rooms/inbox-hub.ts).
 */
export async function accessChanged(env: Env, db: Db, user: Member): Promise<void> {
  // What they follow or are assigned to but can no longer see is dropped by the minute sweep (cron/access.ts);
  // until then no notification reaches them (the room checks at every commit).
  const requestedAt = Date.now();
  await db
    .insert(accessReviews)
    .values({ userId: user.id, requestedAt })
    .onConflictDoUpdate({ target: accessReviews.userId, set: { requestedAt } });
  const scope = await listScope(db, user);
  await getListGateway(env, user.workspaceId, user.id).accessChanged(user.workspaceId, user.id, scope);
  // Every inbox, not only those lost: a grant lowered below reply silences the typing in rooms still seen.
  const all = await db.select({ id: inboxes.id }).from(inboxes).where(eq(inboxes.workspaceId, user.workspaceId));
  await Promise.all(all.map(({ id }) => getInboxHub(env, user.workspaceId, id).recheckViewer(user.id)));
}
