/** Search over the inboxes the agent can see. */
import { SearchResults } from "../../../worker/contract";
import { query, request } from "./client";

export const searchApi = {
  /** `GET /api/search`: ranked, prefix-matching hits. */
  search: (q: string, limit?: number) => request("GET", `/api/search${query({ q, limit })}`, SearchResults),
};
