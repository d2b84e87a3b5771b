/**
 * Created vs resolved per day, as a hand-written SVG bar chart: two bars a day,
 * a few gridlines, the first, middle and last dates. Screen readers get a
 * one-sentence summary (role="img") and the numbers in a visually hidden table.
 */
import type { ReportRow } from "../../../../worker/contract";

const WIDTH = 720;
const HEIGHT = 200;
const PAD = { top: 10, right: 8, bottom: 24, left: 32 };

/** A round upper bound for the axis: 1, 2 or 5 times a power of ten, at least `max`. */
export function niceCeiling(max: number): number {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  const step = [1, 2, 5, 10].find((m) => m * power >= max) ?? 10;
  return step * power;
}

const shortDate = (day: string) =>
  new Date(`${day}T00:00:00`).toLocaleDateString(undefined, { month: "short", day: "numeric" });

export function DailyChart({ rows }: { rows: readonly ReportRow[] }) {
  const created = rows.reduce((n, r) => n + r.created, 0);
  const resolved = rows.reduce((n, r) => n + r.resolved, 0);
  const busiest = rows.reduce<ReportRow | null>((best, r) => (!best || r.created > best.created ? r : best), null);
  const top = niceCeiling(Math.max(0, ...rows.map((r) => Math.max(r.created, r.resolved))));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, rows.length);
  const bar = Math.max(0.5, Math.min(14, (slot * 0.8) / 2));
  const y = (n: number) => PAD.top + plotH - (n / top) * plotH;
  // Counts are whole: no gridline at 0.5 or 2.5.
  const ticks = [0, top / 2, top].filter(Number.isInteger);
  const labelled = rows.length > 2 ? [0, Math.floor((rows.length - 1) / 2), rows.length - 1] : rows.map((_, i) => i);
  const first = rows[0]?.label;
  const last = rows.at(-1)?.label;
  const summary =
    `Conversations created and resolved per day, ${first} to ${last}: ${created} created, ${resolved} resolved` +
    (busiest && busiest.created > 0 ? `; the busiest day was ${busiest.label} with ${busiest.created} created.` : ".");

  return (
    <figure class="report-chart" data-testid="report-chart">
      <div class="report-chart-legend" aria-hidden="true">
        <span class="legend-created">Created</span>
        <span class="legend-resolved">Resolved</span>
      </div>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary}>
        {ticks.map((t) => (
          <g key={t} class="report-chart-grid">
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(t)} y2={y(t)} />
            <text x={PAD.left - 6} y={y(t) + 4} text-anchor="end">
              {t}
            </text>
          </g>
        ))}
        {rows.map((r, i) => {
          const x = PAD.left + i * slot + slot / 2;
          return (
            <g key={r.label}>
              <title>{`${r.label}: ${r.created} created, ${r.resolved} resolved`}</title>
              {/* The whole slot answers the pointer, so thin bars still show their numbers. */}
              <rect class="report-chart-hit" x={x - slot / 2} y={PAD.top} width={slot} height={plotH} />
              <rect class="bar-created" x={x - bar} y={y(r.created)} width={bar} height={y(0) - y(r.created)} />
              <rect class="bar-resolved" x={x} y={y(r.resolved)} width={bar} height={y(0) - y(r.resolved)} />
            </g>
          );
        })}
        {labelled.map((i) => (
          <text
            key={i}
            class="report-chart-date"
            x={PAD.left + i * slot + slot / 2}
            y={HEIGHT - 6}
            text-anchor={i === 0 && rows.length > 1 ? "start" : i === rows.length - 1 && i > 0 ? "end" : "middle"}
          >
            {shortDate(rows[i]!.label)}
          </text>
        ))}
      </svg>
      <table class="sr-only">
        <caption>Created and resolved per day</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            <th scope="col">Created</th>
            <th scope="col">Resolved</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.label}>
              <th scope="row">{r.label}</th>
              <td>{r.created}</td>
              <td>{r.resolved}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
