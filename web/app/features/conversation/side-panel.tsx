/**
 * The conversation page's right-hand column: who the customer is, the
 * workflow details (assignee, team, priority, tags, followers — the one place
 * to change them), what the conversation is linked to, and a few facts.
 */
import type { Access, Conversation, Link as LinkRef } from "../../../../worker/contract";
import { Link } from "../../../lib/router";
import { fullDate } from "../../../lib/time";
import { Avatar, ChannelIcon, StatusBadge } from "../../components/ui";
import { useSession } from "../../session";
import { DetailsPanel } from "../workflow/details-panel";

export function SidePanel(props: {
  conversation: Conversation;
  /** The agent's access to the inbox; null only while `me` lags behind a fresh grant. */
  access: Access | null;
  contactName: string;
  inboxName: string | undefined;
  onChange: (conversation: Conversation) => void;
}) {
  const { me } = useSession();
  const { conversation: c, contactName: name } = props;
  return (
    <aside class="conv-details" data-testid="conversation-details">
      <div class="details-contact" data-testid="details-contact">
        <Avatar name={name} size={44} />
        <div>
          <strong>{name}</strong>
          {c.contact.email && <span class="muted">{c.contact.email}</span>}
        </div>
      </div>
      <DetailsPanel conversation={c} access={props.access ?? "view"} onChange={props.onChange} />
      {c.links.length > 0 && <LinkedList links={c.links} />}
      <dl class="details-list details-facts">
        <dt>Inbox</dt>
        <dd>
          <ChannelIcon channel={c.channel} /> {props.inboxName ?? "—"}
        </dd>
        <dt>Started</dt>
        <dd>{fullDate(c.createdAt)}</dd>
        <dt>Last activity</dt>
        <dd>{fullDate(c.lastActivityAt)}</dd>
        <dt>Your access</dt>
        <dd data-testid="details-access">{me.user.role === "admin" ? "Admin" : accessLabel(props.access)}</dd>
      </dl>
    </aside>
  );
}

function accessLabel(access: Access | null): string {
  if (access === "reply") return "Reply";
  if (access === "note") return "Notes only";
  if (access === "view") return "View only";
  return "—";
}

const TICKET_STATUS: Record<string, string> = { open: "Open", in_progress: "In progress", done: "Done" };

/** Linked conversations (opened in place) and tickets, read-only. */
function LinkedList({ links }: { links: LinkRef[] }) {
  return (
    <section class="dp-section dp-links" data-testid="details-links">
      <div class="dp-head">
        <h3>Linked · {links.length}</h3>
      </div>
      <ul class="dp-link-list">
        {links.map((l) => (
          <li key={l.id} data-testid="details-link" data-link-id={l.id}>
            {l.conversation ? (
              <Link href={`/conversations/${encodeURIComponent(l.conversation.id)}`} class="dp-link" title={l.conversation.preview}>
                <LinkIcon kind="conversation" />
                <span class="dp-link-text">{l.conversation.subject || l.conversation.preview || "Conversation"}</span>
                <StatusBadge status={l.conversation.status} />
              </Link>
            ) : l.ticket ? (
              <span class="dp-link" title={`Ticket: ${l.ticket.title}`}>
                <LinkIcon kind="ticket" />
                <span class="dp-link-text">{l.ticket.title}</span>
                <span class={`dp-ticket-status is-${l.ticket.status}`}>{TICKET_STATUS[l.ticket.status] ?? l.ticket.status}</span>
              </span>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

function LinkIcon({ kind }: { kind: "conversation" | "ticket" }) {
  return kind === "conversation" ? (
    <svg class="icon dp-link-icon" viewBox="0 0 16 16" aria-label="Conversation">
      <path d="M2.5 3.5h11v7h-6l-3 2.5v-2.5h-2z" fill="none" stroke="currentColor" stroke-width="1.3" stroke-linejoin="round" />
    </svg>
  ) : (
    <svg class="icon dp-link-icon" viewBox="0 0 16 16" aria-label="Ticket">
      <path
        d="M2.5 4.5h11v2a1.5 1.5 0 0 0 0 3v2h-11v-2a1.5 1.5 0 0 0 0-3z M9.5 4.5v7"
        fill="none"
        stroke="currentColor"
        stroke-width="1.3"
        stroke-linejoin="round"
      />
    </svg>
  );
}
