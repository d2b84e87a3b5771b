/**
 * `/` and `/conversations/:id`. On a wide screen the list stays mounted on the
 * left while conversations open beside it, so its scroll position, selection,
 * live rows and presence markers carry over from one conversation to the next;
 * on a narrow screen each is a page of its own.
 */
import { useSplitView } from "../../hooks/split-view";
import { ConversationPage } from "../conversation/conversation-page";
import { InboxPage } from "./inbox-page";

export function InboxRoute({ openId }: { openId: string | null }) {
  const split = useSplitView();
  if (!split) return openId ? <ConversationPage id={openId} /> : <InboxPage />;
  return (
    <div class={`split${openId ? " has-open" : ""}`} data-testid="split-view">
      <div class="split-list">
        <InboxPage openId={openId} />
      </div>
      {openId && (
        <div class="split-conversation">
          <ConversationPage id={openId} />
        </div>
      )}
    </div>
  );
}
