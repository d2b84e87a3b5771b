/** The report's headline numbers: volume, response and resolution times, satisfaction, SLA. */
import type { ComponentChildren } from "preact";
import type { ReportNumbers } from "../../../../worker/contract";
import { formatDuration, formatPercent, formatRating } from "./report-format";

function Card({
  title,
  value,
  testid,
  children,
}: {
  title: string;
  value: string;
  testid: string;
  children?: ComponentChildren;
}) {
  return (
    <div class="report-card" data-testid={testid}>
      <h3>{title}</h3>
      <p class="report-card-value" data-testid={`${testid}-value`}>
        {value}
      </p>
      {children && <div class="report-card-sub">{children}</div>}
    </div>
  );
}

/** Five bars, 1 to 5 stars, as tall as their share of the ratings. */
function Distribution({ counts }: { counts: readonly number[] }) {
  const most = Math.max(1, ...counts);
  return (
    <ol class="report-stars" aria-label="Ratings by stars">
      {counts.map((n, i) => (
        <li key={i} title={`${i + 1} star${i ? "s" : ""}: ${n}`}>
          <span class="report-stars-bar" style={{ height: `${Math.round((n / most) * 100)}%` }} aria-hidden="true" />
          <span class="report-stars-label">
            {i + 1}
            <span class="sr-only"> star{i ? "s" : ""}:</span>
          </span>
          <span class="report-stars-count">{n}</span>
        </li>
      ))}
    </ol>
  );
}

export function ReportCards({ totals }: { totals: ReportNumbers }) {
  const { firstResponse, resolution, rating, sla } = totals;
  return (
    <div class="report-cards" data-testid="report-cards">
      <Card title="Created" value={String(totals.created)} testid="report-created">
        {totals.replies} {totals.replies === 1 ? "reply" : "replies"} sent
      </Card>
      <Card title="Resolved" value={String(totals.resolved)} testid="report-resolved">
        {totals.reopened} reopened
      </Card>
      <Card title="First response (median)" value={formatDuration(firstResponse.median)} testid="report-first-response">
        90 % within {formatDuration(firstResponse.p90)} · {firstResponse.count} measured
      </Card>
      <Card title="Resolution (median)" value={formatDuration(resolution.median)} testid="report-resolution">
        90 % within {formatDuration(resolution.p90)} · {resolution.count} measured
      </Card>
      <Card title="Satisfaction" value={formatRating(rating.average)} testid="report-rating">
        <span>
          {rating.count} rating{rating.count === 1 ? "" : "s"} (1–5 stars)
        </span>
        <Distribution counts={rating.distribution} />
      </Card>
      <Card title="SLA hit rate" value={formatPercent(sla.hitRate)} testid="report-sla">
        {sla.met} met · {sla.missed} missed
      </Card>
    </div>
  );
}
