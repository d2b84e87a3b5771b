/** Inboxes and who may do what in each. */
import {
  Inbox,
  InboxAccessList,
  InboxList,
  WidgetSecret,
  type Access,
  type BusinessHours,
  type CreateInboxInput,
  type SlaTargetsInput,
  type UpdateInboxInput,
} from "../../../worker/contract";
import { enc, request } from "./client";

export const inboxesApi = {
  inboxes: () => request("GET", "/api/inboxes", InboxList),
  createInbox: (input: CreateInboxInput) => request("POST", "/api/inboxes", Inbox, { body: input }),
  updateInbox: (id: string, input: UpdateInboxInput) =>
    request("PATCH", `/api/inboxes/${enc(id)}`, Inbox, { body: input }),
  /** A new identity-verification secret for the inbox's widget, shown once; hashes made with the old one stop working. */
  rotateWidgetSecret: (id: string) => request("POST", `/api/inboxes/${enc(id)}/widget-secret`, WidgetSecret),
  /** Sets the inbox's business hours (its SLA clocks count in them). */
  setBusinessHours: (id: string, hours: BusinessHours) =>
    request("PUT", `/api/inboxes/${enc(id)}/business-hours`, Inbox, { body: hours }),
  /** Clears the inbox's business hours: it counts every hour (24/7) again. */
  clearBusinessHours: (id: string) => request("DELETE", `/api/inboxes/${enc(id)}/business-hours`, Inbox),
  setSlaTargets: (id: string, targets: SlaTargetsInput) =>
    request("PUT", `/api/inboxes/${enc(id)}/sla`, Inbox, { body: targets }),
  inboxAccess: (inboxId: string) => request("GET", `/api/inboxes/${enc(inboxId)}/access`, InboxAccessList),
  setAccess: (inboxId: string, userId: string, access: Access) =>
    request("PUT", `/api/inboxes/${enc(inboxId)}/access/${enc(userId)}`, null, { body: { access } }),
  removeAccess: (inboxId: string, userId: string) =>
    request("DELETE", `/api/inboxes/${enc(inboxId)}/access/${enc(userId)}`, null),
};
