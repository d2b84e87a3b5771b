/**
 * The conversation page's right-hand column: who the customer is, the
 * workflow details (assignee, team, priority, tags, followers — the one place
 * to change them), what the conversation is linked to, and a few facts.
 */
import type { Access, Conversation } from "../../../../worker/contract";
import { fullDate } from "../../../lib/time";
import { Avatar } from "../../components/ui";
import { useSession } from "../../session";
import { ContactCard } from "../contacts/contact-card";
import { LinkedSection } from "../tickets/linked-section";
import { DetailsPanel } from "./details-panel";
import { ChannelIcon } from "../../components/icons";

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
          {c.contact.email && (
            <span class="muted">
              {c.contact.email}
              {!c.contact.emailVerified && (
                <span class="unverified" title="Typed into the chat widget: nobody has shown this address is theirs">
                  {" "}
                  · unverified
                </span>
              )}
            </span>
          )}
        </div>
      </div>
      <ContactCard conversation={c} />
      <DetailsPanel conversation={c} access={props.access ?? "view"} onChange={props.onChange} />
      <LinkedSection conversation={c} canEdit={props.access === "reply"} onChange={props.onChange} />
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
