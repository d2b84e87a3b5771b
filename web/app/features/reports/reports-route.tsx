/**
 * The reports page, loaded on first visit: its code (chart, table, CSV) is a
 * chunk of its own, so the agent app's first load does not carry it.
 */
import type { FunctionComponent } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ErrorNotice, Loading } from "../../components/ui";

export const REPORTS_PATH = "/reports";

let loaded: FunctionComponent | null = null;

export function ReportsRoute() {
  const [Page, setPage] = useState<FunctionComponent | null>(() => loaded);
  const [error, setError] = useState<unknown>(null);
  const load = () => {
    setError(null);
    import("./reports-page")
      .then((m) => {
        loaded = m.ReportsPage;
        setPage(() => m.ReportsPage);
      })
      .catch(setError);
  };
  useEffect(() => {
    if (!Page) load();
  }, []);
  if (error) return <ErrorNotice error={error} onRetry={load} />;
  return Page ? <Page /> : <Loading label="Loading reports…" />;
}
