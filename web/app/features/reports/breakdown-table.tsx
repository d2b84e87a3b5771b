/** The report's rows as a table: one per agent, inbox, team or day. */
import type { ReportRow } from "../../../../worker/contract";
import { formatDuration, formatPercent, formatRating, type Grouping } from "./report-format";

const HEADINGS: Record<Grouping, string> = { agent: "Agent", inbox: "Inbox", team: "Team", day: "Day" };

export function BreakdownTable({ grouping, rows }: { grouping: Grouping; rows: readonly ReportRow[] }) {
  if (!rows.length) {
    return (
      <p class="report-empty" data-testid="report-table-empty">
        Nothing to show for this range.
      </p>
    );
  }
  return (
    <div class="report-table-wrap">
      <table class="report-table" data-testid="report-table">
        <thead>
          <tr>
            <th scope="col">{HEADINGS[grouping]}</th>
            <th scope="col">Created</th>
            <th scope="col">Resolved</th>
            <th scope="col">Replies</th>
            <th scope="col">First response (median)</th>
            <th scope="col">Resolution (median)</th>
            <th scope="col">Satisfaction</th>
            <th scope="col">SLA hit rate</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key ?? ""} data-testid="report-row">
              <th scope="row" class={r.key === null ? "muted" : undefined}>
                {r.label}
              </th>
              <td>{r.created}</td>
              <td>{r.resolved}</td>
              <td>{r.replies}</td>
              <td>{formatDuration(r.firstResponse.median)}</td>
              <td>{formatDuration(r.resolution.median)}</td>
              <td>
                {formatRating(r.rating.average)}
                {r.rating.count > 0 && <span class="muted"> ({r.rating.count})</span>}
              </td>
              <td>{formatPercent(r.sla.hitRate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
