/** The reports page's pure helpers: durations as people read them, and the CSV export's quoting. */
import { describe, expect, it } from "vitest";
import type { ReportRow } from "../../worker/contract";
import {
  csvField,
  csvFileName,
  formatDuration,
  presetRange,
  reportCsv,
} from "../../web/app/features/reports/report-format";

describe("formatDuration", () => {
  it("reads seconds, minutes, hours and days", () => {
    expect([null, 0, 45, 59.6, 90, 3_599, 3_600, 3_900, 86_399, 86_400, 97_200].map((s) => formatDuration(s))).toEqual([
      "—",
      "0 s",
      "45 s",
      "1 min",
      "2 min",
      "1 h",
      "1 h",
      "1 h 5 min",
      "1 d",
      "1 d",
      "1 d 3 h",
    ]);
  });
});

describe("the CSV export", () => {
  it("quotes commas, quotes and line breaks, and keeps formulas as text", () => {
    expect(csvField("Ada Lovelace")).toBe("Ada Lovelace");
    expect(csvField('Kim "K" Lee, Jr.')).toBe('"Kim ""K"" Lee, Jr."');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField("-1")).toBe("'-1");
    expect(csvField(-1)).toBe("-1");
    expect(csvField(null)).toBe("");
  });

  it("writes a header and one CRLF line per row, with empty cells for unmeasured numbers", () => {
    const row: ReportRow = {
      key: null,
      label: "Unassigned",
      created: 2,
      resolved: 1,
      reopened: 0,
      replies: 3,
      firstResponse: { count: 2, median: 45, p90: 120 },
      resolution: { count: 0, median: null, p90: null },
      rating: { count: 1, average: 4, distribution: [0, 0, 0, 1, 0] },
      sla: { met: 1, missed: 1, hitRate: 0.5 },
    };
    const csv = reportCsv("agent", [row, { ...row, key: "us_1", label: "Bea, the agent" }]);
    expect(csv.split("\r\n")).toEqual([
      "agent,agent_id,created,resolved,reopened,replies,first_responses,first_response_median_seconds,first_response_p90_seconds,resolutions,resolution_median_seconds,resolution_p90_seconds,ratings,rating_average,ratings_1_star,ratings_2_star,ratings_3_star,ratings_4_star,ratings_5_star,sla_met,sla_missed,sla_hit_rate",
      "Unassigned,,2,1,0,3,2,45,120,0,,,1,4,0,0,0,1,0,1,1,0.5",
      '"Bea, the agent",us_1,2,1,0,3,2,45,120,0,,,1,4,0,0,0,1,0,1,1,0.5',
      "",
    ]);
    expect(reportCsv("day", []).startsWith("day,created,")).toBe(true);
    expect(csvFileName("team", "2026-01-01", "2026-01-31")).toBe(
      "switchboard-report-by-team-2026-01-01-to-2026-01-31.csv",
    );
  });

  it("counts a preset's days up to today, both included", () => {
    expect(presetRange(7, new Date(2026, 2, 3))).toEqual({ from: "2026-02-25", to: "2026-03-03" });
  });
});
