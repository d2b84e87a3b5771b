/**
 * Tickets (longer work tracked across conversations) and links between
 * conversations and to tickets. A link row belongs to the conversation it was
 * made from, so that conversation's room writes it; the other conversation's
 * room records the event on its side.
 */
import { and, desc, eq, or } from "drizzle-orm";
import { Hono } from "hono";
import { CreateLinkInput, CreateTicketInput, UpdateTicketInput, type Ticket } from "../contract";
import { authorOf, conversationFor, conversationView } from "../conversations";
import { getDb, type Db } from "../db/client";
import { grantsFor } from "../db/queries/access";
import { findConversation } from "../db/queries/conversations";
import { conversations, links, tickets } from "../db/schema";
import { canWorkOnTickets } from "../domain/access";
import type { Actor, AppEnv } from "../env";
import { AppError, forbidden, notFound, unwrap } from "../errors";
import { newId } from "../lib/ids";
import { iso } from "../lib/time";
import { validate } from "../lib/validate";
import { getConversationRoom } from "../rooms/conversation-room";

type TicketRow = typeof tickets.$inferSelect;

async function findTicket(db: Db, workspaceId: string, id: string): Promise<TicketRow> {
  const row = await db.query.tickets.findFirst({
    where: and(eq(tickets.id, id), eq(tickets.workspaceId, workspaceId)),
  });
  if (!row) throw notFound("Ticket not found");
  return row;
}

/** A ticket with the linked conversations `actor` can see. */
async function ticketView(db: Db, actor: Actor, row: TicketRow): Promise<Ticket> {
  const [grants, linked] = await Promise.all([
    grantsFor(db, actor),
    db
      .select({
        linkId: links.id,
        id: conversations.id,
        subject: conversations.subject,
        preview: conversations.preview,
        status: conversations.status,
        inboxId: conversations.inboxId,
      })
      .from(links)
      .innerJoin(conversations, eq(conversations.id, links.conversationId))
      .where(eq(links.ticketId, row.id)),
  ]);
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    status: row.status,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    conversations: linked.filter((c) => grants.has(c.inboxId)).map(({ inboxId: _, ...c }) => c),
  };
}

/** Working on tickets takes reply access somewhere (admins always have it); light users read. */
async function requireWorker(db: Db, actor: Actor) {
  const grants = await grantsFor(db, actor);
  if (!canWorkOnTickets(actor.role, grants.values())) throw forbidden("Tickets are changed by agents who can reply");
}

export const ticketRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const db = getDb(c.env.DB);
    const rows = await db
      .select()
      .from(tickets)
      .where(eq(tickets.workspaceId, c.var.actor.workspaceId))
      .orderBy(desc(tickets.updatedAt))
      .limit(100);
    return c.json({ items: await Promise.all(rows.map((r) => ticketView(db, c.var.actor, r))) });
  })
  .post("/", validate("json", CreateTicketInput), async (c) => {
    const input = c.req.valid("json");
    const actor = c.var.actor;
    const db = getDb(c.env.DB);
    await requireWorker(db, actor);
    const from = input.conversationId
      ? (await conversationFor(db, actor, input.conversationId, "link")).conversation
      : null;
    const now = Date.now();
    const [row] = await db
      .insert(tickets)
      .values({
        id: newId("tk"),
        workspaceId: actor.workspaceId,
        title: input.title,
        description: input.description ?? "",
        createdBy: actor.id,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    if (from) {
      unwrap(
        await getConversationRoom(c.env, from.id).link(
          from.id,
          { add: { id: newId("lk"), ticket: { id: row!.id, title: row!.title } } },
          authorOf(actor),
        ),
      );
    }
    return c.json(await ticketView(db, actor, row!), 201);
  })
  .get("/:id", async (c) => {
    const db = getDb(c.env.DB);
    return c.json(await ticketView(db, c.var.actor, await findTicket(db, c.var.actor.workspaceId, c.req.param("id"))));
  })
  .patch("/:id", validate("json", UpdateTicketInput), async (c) => {
    const db = getDb(c.env.DB);
    const actor = c.var.actor;
    const ticket = await findTicket(db, actor.workspaceId, c.req.param("id"));
    await requireWorker(db, actor);
    const [row] = await db
      .update(tickets)
      .set({ ...c.req.valid("json"), updatedAt: Date.now() })
      .where(eq(tickets.id, ticket.id))
      .returning();
    return c.json(await ticketView(db, actor, row!));
  });

export const linkRoutes = new Hono<AppEnv>()
  .post("/:id/links", validate("json", CreateLinkInput), async (c) => {
    const input = c.req.valid("json");
    const actor = c.var.actor;
    const db = getDb(c.env.DB);
    const { conversation } = await conversationFor(db, actor, c.req.param("id"), "link");
    const author = authorOf(actor);
    const linkId = newId("lk");
    if ("ticketId" in input) {
      const ticket = await findTicket(db, actor.workspaceId, input.ticketId).catch(() => {
        throw new AppError("validation_failed", "No such ticket", [{ path: ["ticketId"], message: "not found" }]);
      });
      const add = { id: linkId, ticket: { id: ticket.id, title: ticket.title } };
      unwrap(await getConversationRoom(c.env, conversation.id).link(conversation.id, { add }, author));
    } else {
      const target = await visibleConversation(db, actor, input.conversationId);
      if (target.id === conversation.id) {
        throw new AppError("validation_failed", "A conversation cannot be linked to itself", [
          { path: ["conversationId"], message: "same conversation" },
        ]);
      }
      const add = { id: linkId, conversation: { id: target.id, subject: target.subject } };
      unwrap(await getConversationRoom(c.env, conversation.id).link(conversation.id, { add }, author));
      const mirror = { type: "linked", conversation: { id: conversation.id, subject: conversation.subject } } as const;
      unwrap(await getConversationRoom(c.env, target.id).link(target.id, { mirror }, author));
    }
    return c.json(await conversationView(db, actor, conversation.id), 201);
  })
  .delete("/:id/links/:linkId", async (c) => {
    const actor = c.var.actor;
    const db = getDb(c.env.DB);
    const { conversation } = await conversationFor(db, actor, c.req.param("id"), "link");
    const link = await db.query.links.findFirst({
      where: and(
        eq(links.id, c.req.param("linkId")),
        or(eq(links.conversationId, conversation.id), eq(links.targetConversationId, conversation.id)),
      ),
    });
    if (!link) throw notFound("Link not found");
    const author = authorOf(actor);
    const ticket = link.ticketId ? await db.query.tickets.findFirst({ where: eq(tickets.id, link.ticketId) }) : null;
    const owner = await findConversation(db, link.conversationId);
    const other = link.targetConversationId ? await findConversation(db, link.targetConversationId) : null;
    const about = (x: { id: string; subject: string | null }) => ({ id: x.id, subject: x.subject });
    const target = ticket
      ? { ticket: { id: ticket.id, title: ticket.title } }
      : other
        ? { conversation: about(other) }
        : {};
    unwrap(await getConversationRoom(c.env, owner!.id).link(owner!.id, { remove: { id: link.id, ...target } }, author));
    if (other) {
      const mirror = { type: "unlinked", conversation: about(owner!) } as const;
      unwrap(await getConversationRoom(c.env, other.id).link(other.id, { mirror }, author));
    }
    return c.body(null, 204);
  });

/** The link target must be a conversation the actor can see; otherwise it "does not exist". */
async function visibleConversation(db: Db, actor: Actor, id: string) {
  const target = await findConversation(db, id);
  const grants = await grantsFor(db, actor);
  if (!target || target.workspaceId !== actor.workspaceId || !grants.has(target.inboxId)) {
    throw new AppError("validation_failed", "No such conversation", [
      { path: ["conversationId"], message: "not found" },
    ]);
  }
  return target;
}
