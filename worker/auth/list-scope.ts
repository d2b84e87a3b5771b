/** Which inboxes a user's live list stream carries, kept in step with their access. */
import type { Db } from "../db/client";
import { accessReviews } from "../db/schema";
import { grantsFor } from "../db/queries/access";
import { seesEveryInbox } from "../domain/access";
import type { Actor } from "../env";
import { getWorkspaceHub, type InboxScope } from "../rooms/workspace-hub";

type Member = Pick<Actor, "id" | "role" | "workspaceId"> & { deactivatedAt?: number | null };

/** The inboxes whose conversations a user's list stream carries; null for a deactivated user (signed out). */
export async function listScope(db: Db, user: Member): Promise<InboxScope | null> {
  if (user.deactivatedAt) return null;
  return seesEveryInbox(user.role) ? "*" : [...(await grantsFor(db, user)).keys()];
}

/**
 * The one way an access change (a grant changed or removed, a role changed, a
 * user deactivated) takes effect: the user's list streams follow at once, and
 * every conversation they have open re-checks them (see WorkspaceHub.accessChanged).
 */
export async function accessChanged(env: Env, db: Db, user: Member): Promise<void> {
  // What they follow or are assigned to but can no longer see is dropped by the minute sweep (cron/access.ts);
  // until then no notification reaches them (the room checks at every commit).
  const requestedAt = Date.now();
  await db
    .insert(accessReviews)
    .values({ userId: user.id, requestedAt })
    .onConflictDoUpdate({ target: accessReviews.userId, set: { requestedAt } });
  await getWorkspaceHub(env, user.workspaceId).accessChanged(user.id, await listScope(db, user));
}
