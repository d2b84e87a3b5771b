/** Reports: sums of the daily rollups over the inboxes the agent can see. */
import { Report, type ReportQuery } from "../../../worker/contract";
import { query, request } from "./client";

export const reportsApi = {
  /** `GET /api/reports`: totals and rows by day, agent, inbox or team. */
  report: (q: Partial<ReportQuery>) => request("GET", `/api/reports${query(q)}`, Report),
};
