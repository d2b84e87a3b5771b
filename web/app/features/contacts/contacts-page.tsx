/**
 * `/contacts`: the people the agent's conversations are with, by name, or by a
 * name or email prefix. Counts are of the conversations the agent may see.
 */
import { useEffect, useState } from "preact/hooks";
import type { ContactListItem } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { Link, navigate, useLocation } from "../../../lib/router";
import { SearchIcon } from "../../components/icons";
import { Avatar, EmptyState, ErrorNotice, Loading, Spinner } from "../../components/ui";
import { useAction, useResource } from "../../hooks/resource";
import { useSettled } from "../../hooks/settled";
import { contactLabel } from "./contact-label";

type Page = { items: ContactListItem[]; nextCursor: string | null };

export function ContactsPage() {
  const location = useLocation();
  const [q, setQ] = useState(location.query.get("q") ?? "");
  const settled = useSettled(q.trim(), 250);
  const list = useResource<Page>(settled, () => api.contacts(settled), { keepPrevious: true });
  const more = useAction(() => list.follow(() => api.contacts(settled, list.data?.nextCursor), appendPage), {
    key: settled,
  });

  useEffect(() => {
    document.title = "Contacts · Switchboard";
  }, []);
  // The query stays in the address, so Back returns to the same search.
  useEffect(() => {
    const href = settled ? `/contacts?q=${encodeURIComponent(settled)}` : "/contacts";
    if (href !== location.href) navigate(href, { replace: true });
  }, [settled]);

  const items = list.data?.items ?? [];
  const fresh = list.dataKey === settled && !list.loading;
  return (
    <section class="list-page contacts-page" data-testid="contacts-page" data-state={fresh ? "ready" : "loading"}>
      <header class="page-head">
        <div>
          <h1>Contacts</h1>
          <p class="page-sub">People with conversations in the inboxes you can see</p>
        </div>
      </header>
      <div class="contacts-search">
        <SearchIcon class="icon contacts-search-icon" />
        <input
          type="search"
          class="input"
          placeholder="Search by name or email"
          aria-label="Search contacts by name or email"
          value={q}
          onInput={(e) => setQ(e.currentTarget.value)}
          data-testid="contacts-search"
        />
      </div>
      {list.error ? (
        <ErrorNotice error={list.error} onRetry={() => void list.reload()} />
      ) : list.data === undefined ? (
        <Loading label="Loading contacts…" />
      ) : items.length === 0 && fresh ? (
        <EmptyState
          title={settled ? `No contact matches “${settled}”` : "No contacts yet"}
          testid="contacts-empty"
          icon="search"
        >
          <p>Search looks for the start of a name or an email address.</p>
        </EmptyState>
      ) : (
        <>
          <ul class={`rows${fresh ? "" : " is-stale"}`} data-testid="contacts-list">
            {items.map((c) => (
              <li key={c.id}>
                <Link
                  href={`/contacts/${c.id}`}
                  class="row contact-row"
                  data-testid="contact-row"
                  data-contact-id={c.id}
                >
                  <Avatar name={contactLabel(c)} size={32} />
                  <div class="row-main">
                    <strong>{contactLabel(c)}</strong>
                    {c.email && c.name && <span class="muted contact-row-email">{c.email}</span>}
                  </div>
                  {c.blocked && <span class="badge badge-blocked">Blocked</span>}
                  <span class="muted contact-count">
                    {c.conversationCount} conversation{c.conversationCount === 1 ? "" : "s"}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
          {more.error ? <ErrorNotice error={more.error} onRetry={() => void more.run()} /> : null}
          {list.data.nextCursor && (
            <div class="contacts-more">
              <button
                type="button"
                class="btn"
                onClick={() => void more.run()}
                disabled={more.busy}
                data-testid="contacts-more"
              >
                {more.busy ? <Spinner label="Loading…" /> : "Load more"}
              </button>
            </div>
          )}
        </>
      )}
    </section>
  );
}

const appendPage = (page: Page, next: Page): Page => ({
  items: [...page.items, ...next.items.filter((n) => !page.items.some((c) => c.id === n.id))],
  nextCursor: next.nextCursor,
});
