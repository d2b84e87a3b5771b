/**
 * Contacts (SPEC §6.5): who may see and change a contact, their profile, edits and merges.
 *
 * A contact is workspace-wide, but what an agent learns about them comes only
 * from inboxes they see: an agent sees a contact when at least one of the
 * contact's conversations is in such an inbox (admins see everyone), and then
 * only those conversations. A contact they cannot see answers 404, like one
 * that does not exist. Editing, blocking and merging take reply access to an
 * inbox where the contact has a conversation; a merge also takes reply access
 * wherever the source's conversations are, since they all move.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Access, Contact, ContactMerged, ContactProfileQuery, UpdateContactInput } from "../contract";
import type { Db } from "../db/client";
import { grantsFor } from "../db/queries/access";
import {
  contactConversations,
  duplicatesOf,
  inboxesOfContact,
  type Seen,
  seesContact,
} from "../db/queries/contact-lists";
import { type ContactRow, followContactMerges } from "../db/queries/contacts";
import { contacts, contactTokens, conversations } from "../db/schema";
import { atLeast, seesEveryInbox } from "../domain/access";
import type { Actor } from "../env";
import { AppError, forbidden, notFound, unwrap } from "../errors";
import { iso } from "../lib/time";
import { getConversationRoom } from "../rooms/conversation-room";

/** Conversations one merge request moves; a bigger contact answers `remaining` and is asked again. */
export const MAX_CONTACT_MERGE_MOVES = 300;
/** Rooms asked at once while moving conversations. */
const MOVE_CONCURRENCY = 6;

export interface Reader {
  actor: Actor;
  grants: Map<string, Access>;
  seen: Seen;
}

export async function readerOf(db: Db, actor: Actor): Promise<Reader> {
  const grants = await grantsFor(db, actor);
  return { actor, grants, seen: seesEveryInbox(actor.role) ? null : [...grants.keys()] };
}

/** The contact (followed through merges, so old links resolve) if the reader may see them; else 404. */
export async function contactFor(db: Db, reader: Reader, id: string): Promise<ContactRow> {
  const row = await db.query.contacts.findFirst({
    where: and(eq(contacts.id, id), eq(contacts.workspaceId, reader.actor.workspaceId)),
  });
  const contact = row && (await followContactMerges(db, row));
  if (!contact || contact.mergedInto || !(await seesContact(db, contact.id, reader.seen))) {
    throw notFound("Contact not found");
  }
  return contact;
}

/** Whether the reader may change the contact: reply access where one of their conversations is. */
async function mayEdit(db: Db, reader: Reader, contactId: string): Promise<boolean> {
  if (!reader.seen) return true;
  const inboxes = await inboxesOfContact(db, contactId);
  return inboxes.some((id) => atLeast(reader.grants.get(id) ?? null, "reply"));
}

export async function contactProfile(
  db: Db,
  reader: Reader,
  contact: ContactRow,
  page: ContactProfileQuery = { limit: 20 },
): Promise<Contact> {
  const [conversationPage, duplicates, canEdit] = await Promise.all([
    contactConversations(db, contact.id, reader.seen, page),
    duplicatesOf(db, contact, reader.seen),
    mayEdit(db, reader, contact.id),
  ]);
  return {
    id: contact.id,
    name: contact.name,
    email: contact.email,
    emailVerified: contact.emailVerified,
    attributes: contact.attributes,
    tags: contact.tags,
    blocked: contact.blocked,
    createdAt: iso(contact.createdAt),
    duplicates,
    conversations: conversationPage.items,
    nextCursor: conversationPage.nextCursor,
    canEdit,
  };
}

async function editable(db: Db, reader: Reader, id: string): Promise<ContactRow> {
  const contact = await contactFor(db, reader, id);
  if (!(await mayEdit(db, reader, contact.id))) {
    throw forbidden("Changing a contact takes reply access to an inbox where they have a conversation");
  }
  return contact;
}

/** Edits name, email (an address an agent enters counts as verified), attributes or blocked. */
export async function updateContact(
  db: Db,
  reader: Reader,
  id: string,
  input: UpdateContactInput,
): Promise<ContactRow> {
  const contact = await editable(db, reader, id);
  const set: Partial<typeof contacts.$inferInsert> = {};
  if (input.name !== undefined) set.name = input.name;
  if (input.email !== undefined) {
    set.email = input.email;
    set.emailVerified = input.email !== null;
  }
  if (input.attributes !== undefined) set.attributes = input.attributes;
  if (input.blocked !== undefined) set.blocked = input.blocked;
  const [updated] = await db
    .update(contacts)
    .set(set)
    .where(and(eq(contacts.id, contact.id), isNull(contacts.mergedInto)))
    .returning();
  if (!updated) throw new AppError("conflict", "This contact was merged into another one meanwhile");
  return updated;
}

/**
 * Merges contact `sourceId` into `intoId`: the target gains the source's
 * attributes and tags (its own win), its email and name where it has none,
 * and its widget tokens; the source stays as a redirect (`merged_into`).
 * Then each conversation moves through its own room, a few at a time. Asking
 * again resumes a merge that had more than one request's worth to move.
 */
export async function mergeContact(
  env: Env,
  db: Db,
  reader: Reader,
  sourceId: string,
  intoId: string,
): Promise<ContactMerged> {
  if (sourceId === intoId) {
    throw new AppError("validation_failed", "A contact cannot be merged into itself", [
      { path: ["intoContactId"], message: "is this contact" },
    ]);
  }
  const sourceRow = await db.query.contacts.findFirst({
    where: and(eq(contacts.id, sourceId), eq(contacts.workspaceId, reader.actor.workspaceId)),
  });
  const resuming = sourceRow?.mergedInto === intoId;
  const target = await editable(db, reader, intoId);
  // Checked before `editable`, which would follow a merged source to where it went.
  if (sourceRow?.mergedInto && !resuming) {
    await contactFor(db, reader, sourceId);
    throw new AppError("conflict", "This contact was already merged into another one");
  }
  const source = resuming ? sourceRow! : await editable(db, reader, sourceId);
  if (target.id !== intoId) {
    throw new AppError("conflict", "That contact was merged into another one: merge into that one instead");
  }
  const missing = reader.seen
    ? (await inboxesOfContact(db, source.id)).filter((id) => !atLeast(reader.grants.get(id) ?? null, "reply"))
    : [];
  if (missing.length) {
    throw forbidden("Some of this contact's conversations are in inboxes where you cannot reply");
  }
  if (!resuming) await joinContacts(db, source, target);
  const remaining = await moveConversations(env, db, source.id, target.id);
  const merged = await db.query.contacts.findFirst({ where: eq(contacts.id, target.id) });
  return { contact: await contactProfile(db, reader, merged!), remaining };
}

/** One batch: the target gains what the source knew, the tokens follow, the source becomes a redirect. */
async function joinContacts(db: Db, source: ContactRow, target: ContactRow) {
  const email = target.email ?? source.email;
  const takeExternal = source.externalId !== null && target.externalId === null;
  // Everything after the first statement happens only if it marked the source: a merge the
  // other way round, committed meanwhile, leaves this batch writing nothing (no A→B→A cycle).
  const markedNow = sql`EXISTS (SELECT 1 FROM contacts s WHERE s.id = ${source.id} AND s.merged_into = ${target.id})`;
  const [marked] = await db.batch([
    db
      .update(contacts)
      .set({ mergedInto: target.id, ...(takeExternal ? { externalId: null } : {}) })
      .where(
        and(
          eq(contacts.id, source.id),
          isNull(contacts.mergedInto),
          sql`NOT EXISTS (SELECT 1 FROM contacts t WHERE t.id = ${target.id} AND t.merged_into IS NOT NULL)`,
        ),
      )
      .returning({ id: contacts.id }),
    db
      .update(contacts)
      .set({
        name: target.name ?? source.name,
        email,
        emailVerified: target.email ? target.emailVerified : source.emailVerified,
        attributes: { ...source.attributes, ...target.attributes },
        tags: [...new Set([...target.tags, ...source.tags])],
        ...(takeExternal ? { externalId: source.externalId } : {}),
      })
      .where(and(eq(contacts.id, target.id), markedNow)),
    db
      .update(contactTokens)
      .set({ contactId: target.id })
      .where(and(eq(contactTokens.contactId, source.id), markedNow)),
    // Contacts merged into the source earlier now point straight at the target.
    db
      .update(contacts)
      .set({ mergedInto: target.id })
      .where(and(eq(contacts.mergedInto, source.id), markedNow)),
  ]);
  if (!marked.length) throw new AppError("conflict", "This contact was merged into another one meanwhile");
}

/** Moves up to MAX_CONTACT_MERGE_MOVES of the source's conversations; returns how many remain. */
async function moveConversations(env: Env, db: Db, sourceId: string, intoId: string): Promise<number> {
  const ids = (
    await db
      .select({ id: conversations.id })
      .from(conversations)
      .where(eq(conversations.contactId, sourceId))
      .limit(MAX_CONTACT_MERGE_MOVES)
  ).map((r) => r.id);
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      unwrap(await getConversationRoom(env, id).changeContact(id, sourceId, intoId));
    }
  };
  await Promise.all(Array.from({ length: Math.min(MOVE_CONCURRENCY, ids.length) }, worker));
  const [left] = await db
    .select({ n: sql<number>`count(*)` })
    .from(conversations)
    .where(eq(conversations.contactId, sourceId));
  return left?.n ?? 0;
}
