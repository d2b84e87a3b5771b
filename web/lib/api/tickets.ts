/** Tickets: the engineering side of a conversation (links live with the conversations). */
import { Ticket, TicketList, type CreateTicketInput, type UpdateTicketInput } from "../../../worker/contract";
import { enc, type In, request } from "./client";

export const ticketsApi = {
  tickets: () => request("GET", "/api/tickets", TicketList),
  ticket: (id: string) => request("GET", `/api/tickets/${enc(id)}`, Ticket),
  createTicket: (input: In<typeof CreateTicketInput>) => request("POST", "/api/tickets", Ticket, { body: input }),
  updateTicket: (id: string, input: In<typeof UpdateTicketInput>) =>
    request("PATCH", `/api/tickets/${enc(id)}`, Ticket, { body: input }),
  setTicketStatus: (id: string, status: Ticket["status"]) =>
    request("PATCH", `/api/tickets/${enc(id)}`, Ticket, { body: { status } }),
};
