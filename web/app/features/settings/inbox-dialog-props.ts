import type { Inbox } from "../../../../worker/contract";

/** What a dialog about one inbox takes: the inbox, how to close, and what to do with the inbox once saved. */
export interface InboxDialogProps {
  inbox: Inbox;
  onClose: () => void;
  onSaved: (inbox: Inbox) => void;
}
