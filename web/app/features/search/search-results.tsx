/** The list of search hits: one row per conversation, with what matched and where. */
import type { SearchHit } from "../../../../worker/contract";
import { Link } from "../../../lib/router";
import { fullDate, shortAgo } from "../../../lib/time";
import { Avatar, StatusBadge } from "../../components/ui";
import { contactName } from "../../list-state";
import { MATCH_LABELS } from "./search-state";
import { ChannelIcon, PaperclipIcon } from "../../components/icons";

const HIT = "[data-search-hit]";

/** Focus the hit at `index` (negative counts from the end); false when there is none. */
export function focusHit(index: number): boolean {
  const hits = [...document.querySelectorAll<HTMLElement>(HIT)];
  const hit = hits.at(index);
  hit?.focus();
  return hit !== undefined;
}

/** ↑/↓ walk the hits (↑ from the first goes back to the search box), Home/End jump; Enter opens natively. */
function onKeyDown(e: KeyboardEvent) {
  const hits = [...document.querySelectorAll<HTMLElement>(HIT)];
  const at = hits.indexOf(document.activeElement as HTMLElement);
  if (at === -1) return;
  let next: number | null = null;
  if (e.key === "ArrowDown") next = Math.min(at + 1, hits.length - 1);
  else if (e.key === "ArrowUp") next = at - 1;
  else if (e.key === "Home") next = 0;
  else if (e.key === "End") next = hits.length - 1;
  if (next === null) return;
  e.preventDefault();
  if (next < 0) document.querySelector<HTMLInputElement>("[data-testid='search-box']")?.focus();
  else hits[next]!.focus();
}

export function SearchResults({
  hits,
  inboxName,
  now,
  stale,
}: {
  hits: SearchHit[];
  inboxName: (id: string) => string;
  now: number;
  stale: boolean;
}) {
  return (
    <ul class={`rows hits${stale ? " is-stale" : ""}`} data-testid="search-results" onKeyDown={onKeyDown}>
      {hits.map((hit) => (
        <li key={hit.id}>
          <Hit hit={hit} inboxName={inboxName(hit.inboxId)} now={now} />
        </li>
      ))}
    </ul>
  );
}

function Hit({ hit, inboxName, now }: { hit: SearchHit; inboxName: string; now: number }) {
  const name = contactName(hit);
  return (
    <Link
      href={`/conversations/${encodeURIComponent(hit.id)}`}
      class={`row hit status-${hit.status}`}
      data-search-hit=""
      data-testid="search-hit"
      data-id={hit.id}
      data-match-kind={hit.matchKind}
    >
      <Avatar name={name} size={36} />
      <div class="row-main">
        <div class="row-top">
          <span class="row-contact" data-testid="search-hit-contact">
            {name}
          </span>
          {hit.contact.name && hit.contact.email && <span class="row-email">{hit.contact.email}</span>}
          {hit.hasAttachments && (
            <span class="row-files" data-testid="search-hit-files">
              <PaperclipIcon label="Has attachments" />
            </span>
          )}
          <time class="row-time" dateTime={hit.lastActivityAt} title={fullDate(hit.lastActivityAt)}>
            {shortAgo(hit.lastActivityAt, now)}
          </time>
        </div>
        <div class="row-text">
          {/* A subject match shows the subject below, highlighted: the latest message goes here instead. */}
          {hit.subject && hit.matchKind !== "subject" ? (
            <span class="row-subject">{hit.subject}</span>
          ) : (
            <span class="row-preview">{hit.preview}</span>
          )}
        </div>
        <div class={`hit-match hit-match-${hit.matchKind}`}>
          <span class="hit-kind" data-testid="search-hit-kind">
            {MATCH_LABELS[hit.matchKind]}
          </span>
          {/* Safe: the server escapes the passage and adds only <mark>. */}
          <span class="hit-passage" data-testid="search-hit-match" dangerouslySetInnerHTML={{ __html: hit.match }} />
        </div>
        <div class="row-meta">
          <StatusBadge status={hit.status} />
          {inboxName && (
            <span class="row-inbox" data-testid="search-hit-inbox">
              <ChannelIcon channel={hit.channel} />
              {inboxName}
            </span>
          )}
          <span class={`row-assignee${hit.assignee ? "" : " is-none"}`}>
            {hit.assignee ? (
              <>
                <Avatar name={hit.assignee.name} size={16} />
                {hit.assignee.name}
              </>
            ) : (
              "Unassigned"
            )}
          </span>
        </div>
      </div>
    </Link>
  );
}
