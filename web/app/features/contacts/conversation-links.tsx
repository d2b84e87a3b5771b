/** A contact's conversations as links: subject (or preview), status, last activity. */
import type { Summary } from "../../../../worker/contract";
import { Link } from "../../../lib/router";
import { shortAgo, useNow } from "../../../lib/time";
import { StatusBadge } from "../../components/ui";

export function ConversationLinks({ conversations, testid }: { conversations: Summary[]; testid: string }) {
  const now = useNow();
  return (
    <ul class="contact-conv-list" data-testid={testid}>
      {conversations.map((cv) => (
        <li key={cv.id}>
          <Link href={`/conversations/${cv.id}`} class="contact-conv" data-testid="contact-conversation">
            <span class="contact-conv-subject">{cv.subject || cv.preview || "(no subject)"}</span>
            <StatusBadge status={cv.status} />
            <span class="muted">{shortAgo(cv.lastActivityAt, now)}</span>
          </Link>
        </li>
      ))}
    </ul>
  );
}
