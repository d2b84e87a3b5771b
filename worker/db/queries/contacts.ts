import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../client";
import { contacts } from "../schema";

export type ContactRow = typeof contacts.$inferSelect;

export interface NewContact {
  id: string;
  workspaceId: string;
  name?: string | null;
  email?: string | null;
  /** True only when the address is known to be theirs (their own mail, or an agent entered it). */
  emailVerified?: boolean;
  externalId?: string | null;
  attributes?: Record<string, string>;
}

/** Inserts a contact unless one with this id (or external id) exists; returns the stored row. */
export async function ensureContact(db: Db, contact: NewContact): Promise<ContactRow> {
  const [created] = await db
    .insert(contacts)
    .values({
      id: contact.id,
      workspaceId: contact.workspaceId,
      name: contact.name ?? null,
      email: contact.email ?? null,
      emailVerified: Boolean(contact.email && contact.emailVerified),
      externalId: contact.externalId ?? null,
      attributes: contact.attributes ?? {},
      createdAt: Date.now(),
    })
    .onConflictDoNothing()
    .returning();
  if (created) return created;
  const existing = await db.query.contacts.findFirst({
    where: contact.externalId
      ? and(eq(contacts.workspaceId, contact.workspaceId), eq(contacts.externalId, contact.externalId))
      : eq(contacts.id, contact.id),
  });
  return followContactMerges(db, existing!);
}

/** Contact merges chain at most this far (a merge flattens what pointed at its source). */
const MAX_CONTACT_HOPS = 4;

/** The contact that holds `contact`'s conversations now: itself, or the one it was merged into. */
export async function followContactMerges(db: Db, contact: ContactRow): Promise<ContactRow> {
  let current = contact;
  for (let hop = 0; current.mergedInto && hop < MAX_CONTACT_HOPS; hop++) {
    const next = await db.query.contacts.findFirst({ where: eq(contacts.id, current.mergedInto) });
    if (!next) break;
    current = next;
  }
  return current;
}

/**
 * The contact whose address this verifiably is. An address someone typed into the widget is
 * never matched: mail from the real owner must not join the contact (and token) of whoever claimed it.
 */
export async function findContactByEmail(db: Db, workspaceId: string, email: string): Promise<ContactRow | undefined> {
  return db.query.contacts.findFirst({
    where: and(
      eq(contacts.workspaceId, workspaceId),
      eq(contacts.email, email),
      eq(contacts.emailVerified, true),
      isNull(contacts.mergedInto),
    ),
  });
}

/** The name a customer's messages are signed with. */
export const contactName = (c: Pick<ContactRow, "name" | "email">) => c.name ?? c.email ?? "Customer";
