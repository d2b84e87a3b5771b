/** A ticket's status as a small pill that is also its control: open / in progress / done. */
import type { Ticket } from "../../../../worker/contract";
import { Caret } from "../../components/icons";

export type TicketStatus = Ticket["status"];

export const TICKET_STATUS_LABELS: Record<TicketStatus, string> = {
  open: "Open",
  in_progress: "In progress",
  done: "Done",
};

export function TicketStatusSelect(props: {
  status: TicketStatus;
  onChange?: (status: TicketStatus) => void;
  busy?: boolean;
  testid?: string;
}) {
  if (!props.onChange) {
    return (
      <span class={`dp-ticket-status is-${props.status}`} data-testid={props.testid} data-status={props.status}>
        {TICKET_STATUS_LABELS[props.status]}
      </span>
    );
  }
  const onChange = props.onChange;
  return (
    <span
      class={`dp-ticket-status lc-ticket-select is-${props.status}${props.busy ? " is-busy" : ""}`}
      data-status={props.status}
    >
      <select
        value={props.status}
        aria-label="Ticket status"
        disabled={props.busy}
        onChange={(e) => onChange(e.currentTarget.value as TicketStatus)}
        data-testid={props.testid}
      >
        {(Object.keys(TICKET_STATUS_LABELS) as TicketStatus[]).map((s) => (
          <option key={s} value={s}>
            {TICKET_STATUS_LABELS[s]}
          </option>
        ))}
      </select>
      <Caret />
    </span>
  );
}
