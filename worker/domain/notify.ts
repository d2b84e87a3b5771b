/**
 * Who is notified of a change, and how. Pure: the room applies it in the same
 * batch as the change.
 *
 * - a mention notifies the mentioned agent (`mention`);
 * - an answer to a forward notifies the agent who forwarded (`forward`);
 * - a new assignee is notified (`assigned`);
 * - followers and the assignee hear of everything else (`update`);
 * - nobody is notified of what they did themselves, and each person gets at
 *   most one notification per change, the most specific one.
 */
import type { NotificationKind } from "../contract";

export interface ChangeForNotice {
  /** The agent who made the change; null for customers and the system. */
  actorId: string | null;
  mentioned: readonly string[];
  /** The agent whose forward the change's note answers. */
  forwarder?: string | null;
  /** Set when the change assigned the conversation to someone. */
  newAssigneeId: string | null;
  /** After the change. */
  assigneeId: string | null;
  followers: Iterable<string>;
  /**
   * Who can open the conversation now. Without it nobody is told anything: no
   * preview ever reaches someone who lost the inbox (a follower or assignee
   * whose access was taken away keeps the row until the sweep drops them).
   */
  canOpen: (userId: string) => boolean;
}

export function recipients(change: ChangeForNotice): Map<string, NotificationKind> {
  const out = new Map<string, NotificationKind>();
  const add = (userId: string | null, kind: NotificationKind) => {
    if (userId && userId !== change.actorId && !out.has(userId) && change.canOpen(userId)) out.set(userId, kind);
  };
  for (const userId of change.mentioned) add(userId, "mention");
  add(change.forwarder ?? null, "forward");
  add(change.newAssigneeId, "assigned");
  add(change.assigneeId, "update");
  for (const userId of change.followers) add(userId, "update");
  return out;
}
