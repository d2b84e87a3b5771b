/** The Contacts page and profile reads, each filtered by the inboxes the reader sees. */
import { and, asc, desc, eq, isNull, ne, type SQL, sql } from "drizzle-orm";
import type { ContactListItem, ContactsQuery, Summary } from "../../contract";
import { AppError } from "../../errors";
import { base64url, fromBase64url } from "../../lib/ids";
import type { Db } from "../client";
import { inJson } from "../chunks";
import { contacts, conversations } from "../schema";
import { type Cursor, decodeCursor, encodeCursor, summaries, toSummary } from "./conversations";

/** The inboxes a reader sees; `null` for admins, who see them all (and every contact). */
export type Seen = readonly string[] | null;

/** The conversations of contact `contactId` the reader may see (a merged one has left every view). */
const visibleOf = (contactId: SQL | string, seen: Seen) =>
  and(
    eq(conversations.contactId, contactId),
    ne(conversations.status, "merged"),
    seen ? inJson(conversations.inboxId, seen) : undefined,
  );

/** A contact is someone an agent may see when they have a conversation the agent sees (admins: all). */
const visibleContact = (seen: Seen) =>
  seen ? sql`EXISTS (SELECT 1 FROM ${conversations} WHERE ${visibleOf(sql`${contacts.id}`, seen)})` : undefined;

/**
 * Where a page of contacts ends. A search lists name matches first, then
 * contacts matching by email only, each phase walking its own index in order.
 */
type Position = { phase: "name" | "email"; key: string; id: string };

function encodePosition(p: Position): string {
  return base64url(new TextEncoder().encode(JSON.stringify([p.phase, p.key, p.id])));
}

function decodePosition(text: string): Position {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(fromBase64url(text)));
    if (
      Array.isArray(value) &&
      (value[0] === "name" || value[0] === "email") &&
      typeof value[1] === "string" &&
      typeof value[2] === "string"
    )
      return { phase: value[0], key: value[1], id: value[2] };
  } catch {
    // fall through to the validation error
  }
  throw new AppError("validation_failed", "The cursor is not one this server gave out", [
    { path: ["cursor"], message: "invalid cursor" },
  ]);
}

/** Every string that starts with `prefix` sorts in [prefix, prefix + U+FFFF). */
const prefixRange = (column: typeof contacts.nameKey | typeof contacts.emailKey, prefix: string) =>
  sql`(${column} >= ${prefix} AND ${column} < ${`${prefix}\uffff`})`;

/**
 * One phase of a page of contacts, read with limit + 1 rows to know whether
 * there is more. The "name" phase walks contacts_ws_name_key (all contacts in
 * name order, or a seek to a name prefix); the "email" phase seeks an email
 * prefix in contacts_ws_email_key, leaving out contacts the name phase listed.
 */
export function buildContactsQuery(
  db: Db,
  workspaceId: string,
  seen: Seen,
  query: { q?: string; limit: number },
  phase: Position["phase"] = "name",
  after?: Pick<Position, "key" | "id">,
) {
  const q = query.q?.toLowerCase() || undefined;
  const key = phase === "name" ? contacts.nameKey : contacts.emailKey;
  const where = [
    eq(contacts.workspaceId, workspaceId),
    q ? prefixRange(key, q) : undefined,
    phase === "email" && q ? sql`NOT ${prefixRange(contacts.nameKey, q)}` : undefined,
    after ? sql`(${key}, ${contacts.id}) > (${after.key}, ${after.id})` : undefined,
    isNull(contacts.mergedInto),
    visibleContact(seen),
  ];
  return {
    query: db
      .select({
        id: contacts.id,
        name: contacts.name,
        email: contacts.email,
        blocked: contacts.blocked,
        key: sql<string>`${key}`,
        conversationCount: sql<number>`(SELECT count(*) FROM ${conversations} WHERE ${visibleOf(sql`${contacts.id}`, seen)})`,
      })
      .from(contacts)
      .where(and(...where))
      .orderBy(asc(key), asc(contacts.id))
      .limit(query.limit + 1),
  };
}

export async function listContacts(
  db: Db,
  workspaceId: string,
  seen: Seen,
  query: ContactsQuery,
): Promise<{ items: ContactListItem[]; nextCursor: string | null }> {
  if (seen && !seen.length) return { items: [], nextCursor: null };
  const at = query.cursor ? decodePosition(query.cursor) : null;
  const phase = at?.phase ?? "name";
  const read = async (p: Position["phase"], limit: number, after?: Position) =>
    (await buildContactsQuery(db, workspaceId, seen, { ...query, limit }, p, after).query).map((row) => ({
      ...row,
      phase: p,
    }));
  let rows = await read(phase, query.limit, at ?? undefined);
  if (query.q && phase === "name" && rows.length <= query.limit) {
    // Name matches ran out on this page: fill it with email matches.
    rows = [...rows, ...(await read("email", query.limit - rows.length))];
  }
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const nextCursor =
    rows.length > query.limit && last ? encodePosition({ phase: last.phase, key: last.key ?? "", id: last.id }) : null;
  return { items: page.map(({ key: _, phase: __, ...row }) => row), nextCursor };
}

/** Whether the reader may see this contact at all. */
export async function seesContact(db: Db, contactId: string, seen: Seen): Promise<boolean> {
  if (!seen) return true;
  if (!seen.length) return false;
  const [row] = await db
    .select({ id: conversations.id })
    .from(conversations)
    .where(visibleOf(contactId, seen))
    .limit(1);
  return Boolean(row);
}

/** A page of the contact's conversations the reader sees, newest activity first. */
export async function contactConversations(
  db: Db,
  contactId: string,
  seen: Seen,
  page: { cursor?: string; limit: number },
): Promise<{ items: Summary[]; nextCursor: string | null }> {
  if (seen && !seen.length) return { items: [], nextCursor: null };
  const after: Cursor | null = page.cursor ? decodeCursor(page.cursor) : null;
  const rows = await summaries(db)
    .where(
      and(
        visibleOf(contactId, seen),
        after ? sql`(${conversations.lastActivityAt}, ${conversations.id}) < (${after[0]}, ${after[1]})` : undefined,
      ),
    )
    .orderBy(desc(conversations.lastActivityAt), desc(conversations.id))
    .limit(page.limit + 1);
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  const nextCursor = rows.length > page.limit && last ? encodeCursor([last.lastActivityAt, last.id]) : null;
  return { items: items.map(toSummary), nextCursor };
}

/** Other unmerged contacts with this email whom the reader may see: a hint to merge them. */
export async function duplicatesOf(
  db: Db,
  contact: { id: string; workspaceId: string; email: string | null },
  seen: Seen,
) {
  if (!contact.email) return [];
  return db
    .select({ id: contacts.id, name: contacts.name, email: contacts.email })
    .from(contacts)
    .where(
      and(
        eq(contacts.workspaceId, contact.workspaceId),
        eq(contacts.emailKey, contact.email.toLowerCase()),
        ne(contacts.id, contact.id),
        isNull(contacts.mergedInto),
        visibleContact(seen),
      ),
    )
    .orderBy(asc(contacts.id))
    .limit(10);
}

/** The inboxes where the contact has conversations (merged ones included: they move too). */
export async function inboxesOfContact(db: Db, contactId: string): Promise<string[]> {
  const rows = await db
    .selectDistinct({ inboxId: conversations.inboxId })
    .from(conversations)
    .where(eq(conversations.contactId, contactId));
  return rows.map((r) => r.inboxId);
}
