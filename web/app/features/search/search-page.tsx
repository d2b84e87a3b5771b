/**
 * `/search?q=…`: conversations whose messages, replies, internal notes,
 * subject or contact match, best first, over the inboxes the agent can see.
 */
import { useEffect } from "preact/hooks";
import { api } from "../../../lib/api";
import { useLocation } from "../../../lib/router";
import { useNow } from "../../../lib/time";
import { useResource } from "../../hooks/resource";
import { EmptyState, ErrorNotice, Loading } from "../../components/ui";
import { useSession } from "../../session";
import { SearchResults } from "./search-results";
import { onSearchAgain } from "./search-state";
import { PAGE_SIZES } from "../../../../worker/contract";

/** The most hits one search shows (the API's ceiling). */
const LIMIT = PAGE_SIZES.search.max;

export function SearchPage() {
  const { me } = useSession();
  const location = useLocation();
  const q = (location.query.get("q") ?? "").trim();
  const now = useNow();
  // Keyed by the query: a slow answer for an older query is dropped; its hits stay, dimmed, meanwhile.
  const search = useResource(q, () => (q ? api.search(q, LIMIT).then((r) => r.items) : Promise.resolve([])), {
    keepPrevious: true,
  });

  useEffect(() => {
    document.title = q ? `“${q}” · Search · Switchboard` : "Search · Switchboard";
  }, [q]);
  useEffect(() => onSearchAgain(() => void search.reload()), []);
  const state = {
    q: search.dataKey ?? "",
    hits: search.error ? [] : (search.data ?? []),
    loading: search.loading,
    error: search.error,
  };

  const inboxName = (id: string) => me.inboxes.find((i) => i.id === id)?.name ?? "";
  const fresh = state.q === q && !state.loading;
  const body = !q ? (
    <EmptyState title="Search your conversations" testid="search-prompt" icon="search">
      <p>
        Type in the box at the top and press Enter. Press <kbd>/</kbd> anywhere to jump there.
      </p>
    </EmptyState>
  ) : state.error ? (
    <ErrorNotice error={state.error} onRetry={() => void search.reload()} />
  ) : state.loading && state.q !== q ? (
    <Loading label="Searching…" />
  ) : state.hits.length === 0 && fresh ? (
    <EmptyState title={`Nothing matches “${q}”`} testid="search-empty" icon="search">
      <p>Search looks through messages, replies, internal notes, subjects and contacts in the inboxes you can see.</p>
      <p>Try fewer or shorter words: “refu” also finds “refund”.</p>
    </EmptyState>
  ) : (
    <SearchResults hits={state.hits} inboxName={inboxName} now={now} stale={state.loading} />
  );

  return (
    <section
      class="list-page search-page"
      data-testid="search-page"
      data-state={!q ? "prompt" : state.error ? "error" : fresh ? "ready" : "loading"}
    >
      <header class="page-head">
        <div>
          <h1>Search</h1>
          <p class="page-sub" data-testid="search-summary">
            {!q
              ? "Messages, notes, subjects and contacts"
              : fresh
                ? summary(state.hits.length, q)
                : `Searching for “${q}”…`}
          </p>
        </div>
        {q && state.hits.length > 1 && (
          <p class="search-keys" aria-hidden="true">
            <kbd>↑</kbd> <kbd>↓</kbd> to move, <kbd>Enter</kbd> to open
          </p>
        )}
      </header>
      {body}
    </section>
  );
}

function summary(count: number, q: string): string {
  if (count === 0) return `No results for “${q}”`;
  if (count >= LIMIT) return `The ${LIMIT} best matches for “${q}”`;
  return `${count} ${count === 1 ? "conversation matches" : "conversations match"} “${q}”`;
}
