/**
 * `/reports`: the numbers of the inboxes the agent can see over a range of
 * days — cards, created vs resolved per day, and a breakdown by agent, inbox,
 * team or day that downloads as CSV. The range and filters live in the
 * address, so a report can be linked and Back returns to it.
 */
import { useEffect } from "preact/hooks";
import type { Report, ReportQuery } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { navigate, useLocation } from "../../../lib/router";
import { Select } from "../../components/select-field";
import { ErrorNotice, Loading } from "../../components/ui";
import { useResource } from "../../hooks/resource";
import { useSession } from "../../session";
import { DailyChart } from "./daily-chart";
import { BreakdownTable } from "./breakdown-table";
import { ReportCards } from "./report-cards";
import { REPORTS_PATH } from "./reports-route";
import {
  csvFileName,
  DEFAULT_PRESET,
  GROUPINGS,
  type Grouping,
  PRESETS,
  presetRange,
  reportCsv,
} from "./report-format";

const BY_TITLE: Record<Grouping, string> = { agent: "By agent", inbox: "By inbox", team: "By team", day: "By day" };

/** What the address asks for: a preset (`days`) or a custom range, the filters, the breakdown. */
function readState(query: URLSearchParams) {
  const days = Number(query.get("days"));
  const custom = !query.has("days") && (query.has("from") || query.has("to"));
  const preset = PRESETS.find((p) => p === days) ?? (custom ? null : DEFAULT_PRESET);
  const range = preset ? presetRange(preset) : { from: query.get("from") ?? "", to: query.get("to") ?? "" };
  const by = GROUPINGS.find((g) => g === query.get("by")) ?? "agent";
  const filters = {
    inboxId: query.get("inboxId") ?? "",
    teamId: query.get("teamId") ?? "",
    assigneeId: query.get("assigneeId") ?? "",
  };
  return { preset, range, by, filters };
}

type State = ReturnType<typeof readState>;

/** The address of a state, keeping only what differs from the defaults. */
function hrefOf(s: State): string {
  const q = new URLSearchParams();
  if (s.preset === null) {
    if (s.range.from) q.set("from", s.range.from);
    if (s.range.to) q.set("to", s.range.to);
  } else if (s.preset !== DEFAULT_PRESET) q.set("days", String(s.preset));
  for (const [k, v] of Object.entries(s.filters)) if (v) q.set(k, v);
  if (s.by !== "agent") q.set("by", s.by);
  const text = q.toString();
  return text ? `${REPORTS_PATH}?${text}` : REPORTS_PATH;
}

/** Hands a text file to the browser's downloads. */
export function downloadText(name: string, text: string, type = "text/csv;charset=utf-8"): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // After the click has handed the file over.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function ReportsPage() {
  const location = useLocation();
  const state = readState(location.query);
  const { me } = useSession();
  const update = (change: Partial<State>) => navigate(hrefOf({ ...state, ...change }), { replace: true });

  const base: Partial<ReportQuery> = {
    from: state.range.from || undefined,
    to: state.range.to || undefined,
    inboxId: state.filters.inboxId || undefined,
    teamId: state.filters.teamId || undefined,
    assigneeId: state.filters.assigneeId || undefined,
  };
  const key = JSON.stringify(base);
  const daily = useResource(key, () => api.report({ ...base, groupBy: "day" }), { keepPrevious: true });
  // By day, the table is the daily report itself.
  const breakdownKey = state.by === "day" ? null : `${key}|${state.by}`;
  const breakdown = useResource(breakdownKey, () => api.report({ ...base, groupBy: state.by }), { keepPrevious: true });
  const teams = useResource("teams", () => api.teams());
  const people = useResource("users", () => api.users());

  useEffect(() => {
    document.title = "Reports · Switchboard";
  }, []);

  const table: Report | undefined = state.by === "day" ? daily.data : breakdown.data;
  const fresh =
    daily.dataKey === key &&
    !daily.loading &&
    (breakdownKey === null || (breakdown.dataKey === breakdownKey && !breakdown.loading));
  const download = () => {
    if (!table) return;
    downloadText(csvFileName(state.by, table.from, table.to), reportCsv(state.by, table.rows));
  };

  return (
    <section class="reports-page" data-testid="reports-page" data-state={fresh ? "ready" : "loading"}>
      <header class="page-head">
        <div>
          <h1>Reports</h1>
          <p class="page-sub">
            {state.filters.inboxId
              ? (me.inboxes.find((i) => i.id === state.filters.inboxId)?.name ?? "One inbox")
              : me.user.role === "admin"
                ? "Every inbox of the workspace"
                : "The inboxes you can see"}
            {daily.data && ` · ${daily.data.from} to ${daily.data.to}`}
          </p>
        </div>
      </header>

      <fieldset class="report-controls">
        <legend class="sr-only">Report range and filters</legend>
        <fieldset class="report-presets">
          <legend class="sr-only">Range</legend>
          {PRESETS.map((p) => (
            <button
              key={p}
              type="button"
              aria-pressed={state.preset === p}
              class={`report-chip${state.preset === p ? " active" : ""}`}
              onClick={() => update({ preset: p, range: presetRange(p) })}
              data-testid={`report-preset-${p}`}
            >
              {p} days
            </button>
          ))}
          <button
            type="button"
            aria-pressed={state.preset === null}
            class={`report-chip${state.preset === null ? " active" : ""}`}
            onClick={() => update({ preset: null })}
            data-testid="report-preset-custom"
          >
            Custom
          </button>
        </fieldset>
        {state.preset === null && (
          <div class="report-dates">
            {(["from", "to"] as const).map((end) => (
              <label key={end}>
                <span>{end === "from" ? "From" : "To"}</span>
                <input
                  type="date"
                  class="input"
                  value={state.range[end]}
                  min={end === "to" ? state.range.from || undefined : undefined}
                  max={end === "from" ? state.range.to || undefined : undefined}
                  onChange={(e) => update({ range: { ...state.range, [end]: e.currentTarget.value } })}
                  data-testid={`report-${end}`}
                />
              </label>
            ))}
          </div>
        )}
        <div class="report-filters">
          <Select
            aria-label="Inbox"
            value={state.filters.inboxId}
            options={[{ value: "", label: "All inboxes" }, ...me.inboxes.map((i) => ({ value: i.id, label: i.name }))]}
            onChange={(inboxId) => update({ filters: { ...state.filters, inboxId } })}
            testid="report-inbox"
          />
          <Select
            aria-label="Team"
            value={state.filters.teamId}
            options={[
              { value: "", label: "All teams" },
              ...(teams.data?.items ?? []).map((t) => ({ value: t.id, label: t.name })),
            ]}
            onChange={(teamId) => update({ filters: { ...state.filters, teamId } })}
            testid="report-team"
          />
          <Select
            aria-label="Agent"
            value={state.filters.assigneeId}
            options={[
              { value: "", label: "All agents" },
              ...(people.data?.items ?? []).map((u) => ({
                value: u.id,
                label: u.active ? u.name : `${u.name} (deactivated)`,
              })),
            ]}
            onChange={(assigneeId) => update({ filters: { ...state.filters, assigneeId } })}
            testid="report-agent"
          />
        </div>
      </fieldset>

      {daily.error ? (
        <ErrorNotice error={daily.error} onRetry={() => void daily.reload()} />
      ) : !daily.data ? (
        <Loading label="Loading the report…" />
      ) : (
        <div class={fresh ? "" : "is-stale"}>
          <ReportCards totals={daily.data.totals} />
          <section class="report-panel" aria-labelledby="report-daily-title">
            <h2 id="report-daily-title">Created and resolved per day</h2>
            {daily.data.totals.created || daily.data.totals.resolved ? (
              <DailyChart rows={daily.data.rows} />
            ) : (
              <p class="report-empty" data-testid="report-empty">
                No conversations were created or resolved in this range.
              </p>
            )}
          </section>
          <section class="report-panel" aria-labelledby="report-breakdown-title">
            <div class="report-panel-head">
              <h2 id="report-breakdown-title">{BY_TITLE[state.by]}</h2>
              <Select
                aria-label="Break down by"
                value={state.by}
                options={GROUPINGS.map((g) => ({ value: g, label: BY_TITLE[g] }))}
                onChange={(by: Grouping) => update({ by })}
                testid="report-by"
              />
              <button
                type="button"
                class="btn btn-small"
                onClick={download}
                // Only the rows on screen: not an older answer kept while the next one loads.
                disabled={!table || !fresh}
                data-testid="report-download"
              >
                Download CSV
              </button>
            </div>
            {breakdown.error && state.by !== "day" ? (
              <ErrorNotice error={breakdown.error} onRetry={() => void breakdown.reload()} />
            ) : table ? (
              <BreakdownTable grouping={state.by} rows={table.rows} />
            ) : (
              <Loading />
            )}
          </section>
        </div>
      )}
    </section>
  );
}
