/** Mention rules. Pure; the route checks who may be mentioned, the room applies the rest. */
import type { Access, ItemKind } from "../contract";
import { atLeast } from "./access";

/** Mentions count in notes only; in a reply (or a customer message) an @Name is plain text. */
export function countedMentions<T>(kind: ItemKind, mentions: readonly T[] | undefined): T[] {
  return kind === "note" && mentions ? [...mentions] : [];
}

/** A mention adds the mentioned as followers only when the author may reply; a light user's mention just notifies. */
export function mentionsFollow(authorLevel: Access | null): boolean {
  return atLeast(authorLevel, "reply");
}

/** The mentioned who start following: those not following yet, when the author's mentions add followers. */
export function followersFromMentions<T extends { id: string }>(
  mentioned: readonly T[],
  follow: boolean,
  following: ReadonlySet<string>,
): T[] {
  return follow ? mentioned.filter((u) => !following.has(u.id)) : [];
}
