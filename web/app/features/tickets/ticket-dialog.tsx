/** A ticket opened from a link: its status, description and every conversation linked to it. */
import { useEffect, useState } from "preact/hooks";
import type { Ticket } from "../../../../worker/contract";
import { lifecycleApi } from "../../../lib/api";
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
  const [ticket, setTicket] = useState<Ticket | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    lifecycleApi.ticket(props.ticketId).then(setTicket, setError);
  }, [props.ticketId]);

  const setStatus = async (status: Ticket["status"]) => {
    setBusy(true);
    setError(null);
    try {
      setTicket(await lifecycleApi.setTicketStatus(props.ticketId, status));
      props.onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

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
          <ErrorNotice error={error} onDismiss={() => setError(null)} />
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
