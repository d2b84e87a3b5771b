/**
 * The contact in a conversation's side panel: who they are, what the widget
 * told us, their other conversations the agent may see, and their profile.
 */
import type { Conversation } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { Link } from "../../../lib/router";
import { useResource } from "../../hooks/resource";
import { BlockedNotice } from "./blocked-notice";
import { Attributes } from "./contact-editor";
import { ConversationLinks } from "./conversation-links";

/** Previous conversations the card lists before "all on their profile". */
const SHOWN = 5;

export function ContactCard({ conversation: c }: { conversation: Conversation }) {
  const contact = useResource(c.contact.id, () => api.contact(c.contact.id, SHOWN + 1));
  const data = contact.data;
  if (!data) return null;
  const others = data.conversations.filter((o) => o.id !== c.id).slice(0, SHOWN);
  return (
    <section class="dp-section contact-card" data-testid="contact-card" aria-label="Contact">
      {data.blocked && <BlockedNotice />}
      <Attributes attributes={data.attributes} />
      <div class="dp-head">
        <h3>Previous conversations</h3>
      </div>
      {others.length === 0 ? (
        <p class="muted">None you can see.</p>
      ) : (
        <ConversationLinks conversations={others} testid="contact-card-conversations" />
      )}
      <Link href={`/contacts/${data.id}`} class="contact-profile-link" data-testid="contact-profile-link">
        Open profile
      </Link>
    </section>
  );
}
