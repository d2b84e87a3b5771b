/** The signed-in agent, shared with every page through context. */
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Access, Me, MeInbox } from "../../worker/contract";
import { atLeast, effectiveAccess } from "../../worker/domain/access";

export type Session = {
  me: Me;
  /** Re-read `/api/me` (after creating an inbox or changing access). */
  refresh(): Promise<void>;
  signOut(): Promise<void>;
};

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside a signed-in page");
  return session;
}

/** The user's access to an inbox; admins have reply everywhere. Null: no access. */
export function accessTo(me: Me, inboxId: string): Access | null {
  return effectiveAccess(me.user.role, me.inboxes.find((i) => i.id === inboxId)?.access);
}

/** Whether the user's access to an inbox reaches `level`. */
export function can(me: Me, inboxId: string, level: Access): boolean {
  return atLeast(accessTo(me, inboxId), level);
}

/** Inboxes where the user may start conversations and reply. */
export function replyInboxes(me: Me): MeInbox[] {
  return me.inboxes.filter((i) => can(me, i.id, "reply"));
}
