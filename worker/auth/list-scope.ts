/** Which inboxes a user's live list stream carries, kept in step with their access. */
import type { Db } from "../db/client";
import { grantsFor } from "../db/queries/access";
import { seesEveryInbox } from "../domain/access";
import type { Actor } from "../env";
import { getWorkspaceHub, type InboxScope } from "../rooms/workspace-hub";

type Member = Pick<Actor, "id" | "role" | "workspaceId">;

/** The inboxes whose conversations a user's list stream carries. */
export async function listScope(db: Db, user: Member): Promise<InboxScope> {
  return seesEveryInbox(user.role) ? "*" : [...(await grantsFor(db, user)).keys()];
}

/** After an access change: the user's open list streams follow at once. */
export async function refreshListScope(env: Env, db: Db, user: Member): Promise<void> {
  await getWorkspaceHub(env, user.workspaceId).setScope(user.id, await listScope(db, user));
}
