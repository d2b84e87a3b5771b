import { DurableObject } from "cloudflare:workers";
import { and, eq, gt, inArray, max } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Author, Item, ItemKind, Status } from "../contract";
import { getDb } from "../db/client";
import { findConversation } from "../db/queries/conversations";
import { toItem, type ItemRow } from "../db/queries/items";
import { conversations, conversationTags, followers, mentions, timelineItems } from "../db/schema";
import { canTransition, statusAfterItem } from "../domain/status";
import { fail, ok, type Result } from "../errors";
import { SerialQueue } from "./serial-queue";

/** Who an item is written by. */
export type AuthorRef = Author;

export const SYSTEM: AuthorRef = { type: "system", id: null, name: "Switchboard" };

export interface CreateConversation {
  conversationId: string;
  workspaceId: string;
  inboxId: string;
  contactId: string;
  subject: string | null;
  /** The opening message: a customer's, or an agent's reply when an agent starts it. */
  first: { kind: "customer" | "reply"; body: string; author: AuthorRef };
}

export interface PostItem {
  kind: "customer" | "reply" | "note";
  body: string;
  author: AuthorRef;
  /** The last seq the author had seen; a reply behind a newer customer message or reply collides. */
  lastSeenSeq?: number;
  force?: boolean;
  idempotencyKey?: string;
}

export interface UpdateConversation {
  status?: "open" | "resolved";
  /** `null` unassigns. The caller has checked the assignee may reply in the inbox. */
  assignee?: { id: string; name: string } | null;
}

/** What the room remembers between calls; rebuilt from D1 after an eviction. */
interface RoomState {
  id: string;
  status: Status;
  assigneeId: string | null;
  lastSeq: number;
  /** Seq of the newest customer message or reply: the collision guard's fast path. */
  lastPublicSeq: number;
}

type NewItem = Pick<ItemRow, "kind" | "body"> & {
  author: AuthorRef;
  event?: Record<string, unknown>;
  idempotencyKey?: string;
};

const PUBLIC_KINDS: ItemKind[] = ["customer", "reply"];
const previewOf = (body: string) => body.replace(/\s+/g, " ").trim().slice(0, 200);

/**
 * One conversation's room: the only writer of that conversation.
 *
 * Every write runs through a serial queue: check, write to D1 in one batch,
 * then acknowledge. Seqs come from the last committed one, so they are
 * gapless; Idempotency-Keys are stored with the item, so a retry returns the
 * first result.
 */
export class ConversationRoom extends DurableObject<Env> {
  #queue = new SerialQueue();
  #db = getDb(this.env.DB);
  #state: RoomState | null = null;

  /** Creates the conversation with its opening item; a repeated call returns the first result. */
  create(input: CreateConversation): Promise<Result<{ item: Item }>> {
    return this.#queue.run(async () => {
      const existing = await findConversation(this.#db, input.conversationId);
      if (existing) {
        const [first] = await this.#db
          .select()
          .from(timelineItems)
          .where(and(eq(timelineItems.conversationId, input.conversationId), eq(timelineItems.seq, 1)));
        return first ? ok({ item: toItem(first) }) : fail("conflict", "The conversation is being created");
      }
      const now = Date.now();
      const { first } = input;
      const row: ItemRow = {
        ...this.#itemRow(input.conversationId, 1, { kind: first.kind, body: first.body, author: first.author }, now),
      };
      await this.#db.batch([
        this.#db.insert(conversations).values({
          id: input.conversationId,
          workspaceId: input.workspaceId,
          inboxId: input.inboxId,
          contactId: input.contactId,
          subject: input.subject,
          status: "open",
          lastSeq: 1,
          lastActivityAt: now,
          preview: previewOf(first.body),
          createdAt: now,
          updatedAt: now,
        }),
        this.#db.insert(timelineItems).values(row),
      ]);
      this.#state = { id: input.conversationId, status: "open", assigneeId: null, lastSeq: 1, lastPublicSeq: 1 };
      return ok({ item: toItem(row) });
    });
  }

  /** Posts a customer message, a reply or a note. */
  post(conversationId: string, input: PostItem): Promise<Result<{ item: Item }>> {
    return this.#write(conversationId, async (state) => {
      if (input.idempotencyKey) {
        const [earlier] = await this.#db
          .select()
          .from(timelineItems)
          .where(and(eq(timelineItems.conversationId, state.id), eq(timelineItems.idempotencyKey, input.idempotencyKey)));
        if (earlier) return ok({ item: toItem(earlier) });
      }
      if (input.kind === "reply" && input.lastSeenSeq !== undefined && !input.force && state.lastPublicSeq > input.lastSeenSeq) {
        // Everything since what they saw, so the client can catch up in one go.
        const newer = await this.#db
          .select()
          .from(timelineItems)
          .where(and(eq(timelineItems.conversationId, state.id), gt(timelineItems.seq, input.lastSeenSeq)))
          .orderBy(timelineItems.seq);
        return fail("collision", "Someone else wrote in this conversation since you last looked", {
          newer: newer.map(toItem),
        });
      }
      const items: NewItem[] = [
        { kind: input.kind, body: input.body, author: input.author, idempotencyKey: input.idempotencyKey },
      ];
      const status = statusAfterItem(state.status, input.kind);
      if (status !== state.status) items.push(statusEvent(state.status, status, SYSTEM, input.kind));
      const [item] = await this.#commit(state, items, { status });
      return ok({ item: item! });
    });
  }

  /** Changes status and/or assignee, recording each change as an event. */
  update(conversationId: string, input: UpdateConversation, actor: AuthorRef): Promise<Result<{ items: Item[] }>> {
    return this.#write(conversationId, async (state) => {
      const events: NewItem[] = [];
      const patch: { status?: Status; assigneeId?: string | null } = {};
      if (input.status && input.status !== state.status) {
        if (!canTransition(state.status, input.status)) {
          return fail("conflict", `A ${state.status} conversation cannot become ${input.status}`);
        }
        events.push(statusEvent(state.status, input.status, actor));
        patch.status = input.status;
      }
      if (input.assignee !== undefined && (input.assignee?.id ?? null) !== state.assigneeId) {
        events.push({ kind: "event", body: "", author: actor, event: { type: "assigned", assignee: input.assignee } });
        patch.assigneeId = input.assignee?.id ?? null;
      }
      if (!events.length) return ok({ items: [] });
      return ok({ items: await this.#commit(state, events, patch) });
    });
  }

  /** Runs `task` in the queue with the conversation's state loaded; 404 when it does not exist. */
  #write<T>(conversationId: string, task: (state: RoomState) => Promise<Result<T>>): Promise<Result<T>> {
    return this.#queue.run(async () => {
      const state = await this.#load(conversationId);
      if (!state) return fail("not_found", "Conversation not found");
      return task(state);
    });
  }

  async #load(conversationId: string): Promise<RoomState | null> {
    if (this.#state?.id === conversationId) return this.#state;
    const row = await findConversation(this.#db, conversationId);
    if (!row) return null;
    const [publicSeq] = await this.#db
      .select({ seq: max(timelineItems.seq) })
      .from(timelineItems)
      .where(and(eq(timelineItems.conversationId, conversationId), inArray(timelineItems.kind, PUBLIC_KINDS)));
    this.#state = {
      id: row.id,
      status: row.status,
      assigneeId: row.assigneeId,
      lastSeq: row.lastSeq,
      lastPublicSeq: publicSeq?.seq ?? 0,
    };
    return this.#state;
  }

  /**
   * Writes items with the next seqs and the conversation's new state in one D1
   * batch (a transaction), then advances the in-memory state. On any failure
   * the state is dropped and reloaded from D1 next time, so it never runs ahead.
   */
  async #commit(
    state: RoomState,
    items: NewItem[],
    patch: { status?: Status; assigneeId?: string | null },
  ): Promise<Item[]> {
    const now = Date.now();
    const rows = items.map((item, i) => this.#itemRow(state.id, state.lastSeq + 1 + i, item, now));
    const lastSeq = state.lastSeq + rows.length;
    const publicRow = rows.findLast((r) => PUBLIC_KINDS.includes(r.kind));
    const status = patch.status ?? state.status;
    const copies = { status, lastActivityAt: now };
    const writes: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] = [
      this.#db.insert(timelineItems).values(rows),
      this.#db
        .update(conversations)
        .set({
          ...patch,
          lastSeq,
          lastActivityAt: now,
          updatedAt: now,
          ...(publicRow ? { preview: previewOf(publicRow.body) } : {}),
        })
        .where(eq(conversations.id, state.id)),
      this.#db.update(followers).set(copies).where(eq(followers.conversationId, state.id)),
      this.#db.update(mentions).set(copies).where(eq(mentions.conversationId, state.id)),
      this.#db.update(conversationTags).set(copies).where(eq(conversationTags.conversationId, state.id)),
    ];
    try {
      await this.#db.batch(writes);
    } catch (error) {
      this.#state = null;
      throw error;
    }
    state.lastSeq = lastSeq;
    state.status = status;
    if (patch.assigneeId !== undefined) state.assigneeId = patch.assigneeId;
    if (publicRow) state.lastPublicSeq = publicRow.seq;
    return rows.map(toItem);
  }

  #itemRow(conversationId: string, seq: number, item: NewItem, now: number): ItemRow {
    return {
      conversationId,
      seq,
      kind: item.kind,
      authorType: item.author.type,
      authorId: item.author.id,
      authorName: item.author.name,
      body: item.body,
      event: item.event ?? null,
      idempotencyKey: item.idempotencyKey ?? null,
      messageId: null,
      createdAt: now,
    };
  }
}

function statusEvent(from: Status, to: Status, author: AuthorRef, cause?: ItemKind): NewItem {
  const event: Record<string, unknown> = { type: "status_changed", from, to };
  if (cause) event.cause = cause;
  return { kind: "event", body: "", author, event };
}

/** The room of one conversation. */
export function getConversationRoom(env: Env, conversationId: string) {
  return env.CONVERSATION_ROOM.get(env.CONVERSATION_ROOM.idFromName(conversationId));
}
