/** Contacts: the people conversations are with, as far as the agent's inboxes show them. */
import { Contact, ContactMerged, Contacts, type UpdateContactInput } from "../../../worker/contract";
import { query, request } from "./client";

export const contactsApi = {
  /** `GET /api/contacts`: a page by name, or by a name/email prefix. */
  contacts: (q: string, cursor?: string | null) =>
    request("GET", `/api/contacts${query({ q: q || undefined, cursor: cursor ?? undefined })}`, Contacts),
  contact: (id: string, limit?: number) => request("GET", `/api/contacts/${id}${query({ limit })}`, Contact),
  updateContact: (id: string, patch: UpdateContactInput) =>
    request("PATCH", `/api/contacts/${id}`, Contact, { body: patch }),
  mergeContact: (id: string, intoContactId: string) =>
    request("POST", `/api/contacts/${id}/merge`, ContactMerged, { body: { intoContactId } }),
};
