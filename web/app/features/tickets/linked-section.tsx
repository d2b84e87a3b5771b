/**
 * The side panel's Linked section: tickets and other conversations this one
 * is linked to, each with an unlink ×; and, for agents who can reply,
 * "Create ticket", "Link to ticket…" and "Link conversation…".
 */
import { useState } from "preact/hooks";
import type { Conversation, Link as LinkRef } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { Link } from "../../../lib/router";
import { ErrorNotice, StatusBadge } from "../../components/ui";
import { Picker } from "../../components/picker";
import { ConversationFinder } from "./conversation-finder";
import { CreateTicketDialog } from "./create-ticket-dialog";
import { TicketDialog } from "./ticket-dialog";
import { TICKET_STATUS_LABELS, TicketStatusSelect, type TicketStatus } from "./ticket-status";
import { useResource } from "../../hooks/resource";
import { LinkIcon } from "../../components/icons";

type Mode = null | "create" | "ticket" | "conversation";

export function LinkedSection(props: {
  conversation: Conversation;
  canEdit: boolean;
  onChange: (c: Conversation) => void;
}) {
  const c = props.conversation;
  const [mode, setMode] = useState<Mode>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [openTicket, setOpenTicket] = useState<string | null>(null);

  /** Runs a change, then shows the conversation as the server now has it. */
  const run = async (key: string, change: () => Promise<Conversation | undefined>) => {
    setBusy(key);
    setError(null);
    try {
      const answer = await change();
      props.onChange(answer ?? (await api.conversation(c.id)));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  const linkTo = (target: { ticketId: string } | { conversationId: string }) => {
    setMode(null);
    void run("link", () => api.link(c.id, target));
  };

  return (
    <section class="dp-section dp-links" data-testid="details-links">
      <div class="dp-head">
        <h3>Linked{c.links.length > 0 && ` · ${c.links.length}`}</h3>
      </div>
      {c.links.length > 0 ? (
        <ul class="dp-link-list">
          {c.links.map((l) => (
            <LinkRow
              key={l.id}
              link={l}
              canEdit={props.canEdit}
              busy={busy === l.id}
              onOpenTicket={setOpenTicket}
              onUnlink={() => void run(l.id, async () => void (await api.unlink(c.id, l.id)))}
              onTicketStatus={(ticketId, status) =>
                void run(l.id, async () => void (await api.setTicketStatus(ticketId, status)))
              }
            />
          ))}
        </ul>
      ) : (
        <p class="dp-none lc-links-empty">No tickets or conversations linked.</p>
      )}
      <ErrorNotice error={error} onDismiss={() => setError(null)} />
      {props.canEdit && (
        <div class="lc-link-actions">
          <button
            type="button"
            class="link-btn"
            onClick={() => setMode("create")}
            disabled={busy !== null}
            data-testid="create-ticket"
          >
            + Create ticket
          </button>
          <button
            type="button"
            class="link-btn"
            onClick={() => setMode(mode === "ticket" ? null : "ticket")}
            disabled={busy !== null}
            data-testid="link-ticket"
          >
            Link to ticket…
          </button>
          <button
            type="button"
            class="link-btn"
            onClick={() => setMode(mode === "conversation" ? null : "conversation")}
            disabled={busy !== null}
            data-testid="link-conversation"
          >
            Link conversation…
          </button>
        </div>
      )}
      {mode === "ticket" && (
        <TicketPicker
          excludeIds={c.links.flatMap((l) => (l.ticket ? [l.ticket.id] : []))}
          onPick={(id) => linkTo({ ticketId: id })}
          onClose={() => setMode(null)}
        />
      )}
      {mode === "conversation" && (
        <ConversationFinder
          excludeIds={[c.id, ...c.links.flatMap((l) => (l.conversation ? [l.conversation.id] : []))]}
          onPick={(id) => linkTo({ conversationId: id })}
          onClose={() => setMode(null)}
        />
      )}
      {mode === "create" && (
        <CreateTicketDialog
          conversation={c}
          onClose={() => setMode(null)}
          onCreated={() => {
            setMode(null);
            void run("create", async () => undefined);
          }}
        />
      )}
      {openTicket && (
        <TicketDialog
          ticketId={openTicket}
          canEdit={props.canEdit}
          onClose={() => setOpenTicket(null)}
          onChanged={() => void run("refresh", async () => undefined)}
        />
      )}
    </section>
  );
}

function LinkRow(props: {
  link: LinkRef;
  canEdit: boolean;
  busy: boolean;
  onOpenTicket: (id: string) => void;
  onUnlink: () => void;
  onTicketStatus: (ticketId: string, status: TicketStatus) => void;
}) {
  const l = props.link;
  const unlink = props.canEdit && (
    <button
      type="button"
      class="icon-btn dp-x lc-unlink"
      onClick={props.onUnlink}
      disabled={props.busy}
      aria-label={l.ticket ? `Unlink the ticket ${l.ticket.title}` : "Unlink this conversation"}
      title="Unlink"
      data-testid="unlink"
    >
      ×
    </button>
  );
  if (l.conversation) {
    return (
      <li
        class="lc-link-row"
        data-testid="details-link"
        data-kind="conversation"
        data-target-id={l.conversation.id}
        data-link-id={l.id}
      >
        <Link
          href={`/conversations/${encodeURIComponent(l.conversation.id)}`}
          class="dp-link"
          title={l.conversation.preview}
        >
          <LinkIcon kind="conversation" />
          <span class="lc-link-body">
            <span class="dp-link-text">{l.conversation.subject || l.conversation.preview || "Conversation"}</span>
            <span class="lc-link-meta">
              <StatusBadge status={l.conversation.status} />
            </span>
          </span>
        </Link>
        {unlink}
      </li>
    );
  }
  if (!l.ticket) return null;
  const ticket = l.ticket;
  return (
    <li
      class="lc-link-row"
      data-testid="details-link"
      data-kind="ticket"
      data-target-id={ticket.id}
      data-link-id={l.id}
    >
      <div class="dp-link">
        <LinkIcon kind="ticket" />
        <span class="lc-link-body">
          <button
            type="button"
            class="dp-link-text lc-ticket-open"
            onClick={() => props.onOpenTicket(ticket.id)}
            title="Open the ticket"
            data-testid="open-ticket"
          >
            {ticket.title}
          </button>
          <span class="lc-link-meta">
            <span class="lc-link-kind">Ticket</span>
            <TicketStatusSelect
              status={ticket.status}
              busy={props.busy}
              onChange={props.canEdit ? (s) => props.onTicketStatus(ticket.id, s) : undefined}
              testid="ticket-status"
            />
          </span>
        </span>
      </div>
      {unlink}
    </li>
  );
}

function TicketPicker(props: { excludeIds: string[]; onPick: (id: string) => void; onClose: () => void }) {
  const list = useResource("tickets", () => api.tickets().then((r) => r.items));
  const tickets = list.data ?? null;
  const failed = list.error !== null;
  const options = (tickets ?? [])
    .filter((t) => !props.excludeIds.includes(t.id))
    .map((t) => ({ id: t.id, label: t.title, hint: TICKET_STATUS_LABELS[t.status], keywords: t.description }));
  return (
    <Picker
      class="dp-picker"
      testid="ticket-picker"
      placeholder="Find a ticket…"
      options={options}
      onPick={(o) => props.onPick(o.id)}
      onClose={props.onClose}
      emptyText={
        failed
          ? "Couldn't load the tickets."
          : tickets === null
            ? "Loading tickets…"
            : "No tickets to link. Create one instead."
      }
    />
  );
}
