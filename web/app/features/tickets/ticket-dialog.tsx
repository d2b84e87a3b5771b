/** A ticket opened from a link: its status, description and every conversation linked to it. */
import { useAction, useResource } from "../../hooks/resource";
import type { Ticket } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { Link } from "../../../lib/router";
import { fullDate } from "../../../lib/time";
import { Dialog, ErrorNotice, Loading, StatusBadge } from "../../components/ui";
import { TicketStatusSelect } from "./ticket-status";

export function TicketDialog(props: {
  ticketId: string;
  canEdit: boolean;
  onClose: () => void;
  onChanged: () => void;
}) {
  const loaded = useResource(props.ticketId, () => api.ticket(props.ticketId));
  const ticket = loaded.data ?? null;
  const status = useAction((status: Ticket["status"]) => api.setTicketStatus(props.ticketId, status), {
    key: props.ticketId,
    onDone: (next) => {
      loaded.mutate(() => next, { key: next.id });
      props.onChanged();
    },
  });
  const busy = status.busy;
  const setStatus = status.run;
  const error = status.error ?? loaded.error;

  return (
    <Dialog title={ticket?.title ?? "Ticket"} onClose={props.onClose} testid="ticket-dialog" wide>
      {!ticket ? (
        error ? (
          <ErrorNotice error={error} />
        ) : (
          <Loading label="Loading ticket…" />
        )
      ) : (
        <div class="lc-ticket">
          <div class="lc-ticket-meta">
            <TicketStatusSelect
              status={ticket.status}
              busy={busy}
              onChange={props.canEdit ? (s) => void setStatus(s) : undefined}
              testid="ticket-dialog-status"
            />
            <span class="muted">Updated {fullDate(ticket.updatedAt)}</span>
          </div>
          <ErrorNotice error={status.error} onDismiss={status.clearError} />
          {ticket.description ? (
            <p class="lc-ticket-description">{ticket.description}</p>
          ) : (
            <p class="muted">No description.</p>
          )}
          <h3 class="lc-ticket-subhead">Conversations · {ticket.conversations.length}</h3>
          <ul class="dp-link-list" data-testid="ticket-conversations">
            {ticket.conversations.map((c) => (
              <li key={c.linkId} data-id={c.id}>
                <Link href={`/conversations/${encodeURIComponent(c.id)}`} class="dp-link" title={c.preview}>
                  <span class="dp-link-text">{c.subject || c.preview || "Conversation"}</span>
                  <StatusBadge status={c.status} />
                </Link>
              </li>
            ))}
          </ul>
        </div>
      )}
    </Dialog>
  );
}
