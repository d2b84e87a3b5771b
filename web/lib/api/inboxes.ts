/** Inboxes and who may do what in each. */
import {
  Inbox,
  InboxAccessList,
  InboxList,
  WidgetSecret,
  type Access,
  type CreateInboxInput,
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
  inboxAccess: (inboxId: string) => request("GET", `/api/inboxes/${enc(inboxId)}/access`, InboxAccessList),
  setAccess: (inboxId: string, userId: string, access: Access) =>
    request("PUT", `/api/inboxes/${enc(inboxId)}/access/${enc(userId)}`, null, { body: { access } }),
  removeAccess: (inboxId: string, userId: string) =>
    request("DELETE", `/api/inboxes/${enc(inboxId)}/access/${enc(userId)}`, null),
};
