/**
 * The conversation list: one view (All open, Mine, …), optionally one inbox,
 * newest activity first (SLA due: the clock due first), each row with its SLA
 * countdown. Live: rows follow the list stream (updated, moved up, added,
 * removed) and show who else is in each conversation. Beside an open
 * conversation (`openId`, on a wide screen) it shows the list last looked at
 * and marks the open row. j/k move through it, Enter or o opens.
 */
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { Summary, View, Viewer } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { subscribeList, subscribeListState, type LinkState, watchList } from "../../../lib/live";
import { Link, navigate, useLocation } from "../../../lib/router";
import { fullDate, shortAgo } from "../../../lib/time";
import { Avatar, EmptyState, ErrorNotice, Loading, Spinner, StatusBadge } from "../../components/ui";
import { useAction, useResource } from "../../hooks/resource";
import { applySummary, contactName, lastListHref, parseList, rememberList, views } from "../../list-state";
import { replyInboxes, useSession } from "../../session";
import { BulkBar, RowCheckbox } from "./bulk-bar";
import { NewConversationDialog } from "./new-conversation";
import { PresenceMarker, othersIn, useListPresence } from "./presence-marker";
import { PAGE_SIZES } from "../../../../worker/contract";
import { fillPage } from "../../../lib/fill-page";
import { ChannelIcon } from "../../components/icons";
import { canAdminister } from "../../../../worker/domain/access";
import { useCommands } from "../keyboard/commands";
import { toggleSelected } from "./selection";
import { SlaChip, useSlaNow } from "./sla-chip";

const PAGE_SIZE = PAGE_SIZES.conversations.default;

type ListData = { items: Summary[]; nextCursor: string | null };

const conversationHref = (id: string) => `/conversations/${encodeURIComponent(id)}`;

/**
 * The list page, or (with `openId`, a string or null) the list column beside
 * the open conversation, which shows the list the agent last looked at.
 */
export function InboxPage({ openId }: { openId?: string | null }) {
  const { me } = useSession();
  const location = useLocation();
  const onList = location.path === "/";
  const { view, inboxId } = parseList(onList ? location.href : lastListHref());
  const [composing, setComposing] = useState(false);
  const [link, setLink] = useState<LinkState>("open");
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  /** Live changes that arrived while the current read was under way: applied on top of its answer. */
  const arrived = useRef<Summary[] | null>(null);
  const list = useRef({ view, inboxId });
  list.current = { view, inboxId };
  useListPresence();

  const applyLive = (items: Summary[], changes: Summary[], more: boolean) =>
    changes.reduce((acc, c) => applySummary(acc, c, { ...list.current, more }, me.user.id), items);

  // One key per list: an answer for a view or inbox the agent has left is dropped; the old rows stay, dimmed, meanwhile.
  const rows = useResource<ListData>(
    `${view}|${inboxId ?? ""}`,
    async () => {
      const buffer: Summary[] = [];
      arrived.current = buffer;
      try {
        const page = await fillPage(
          (cursor) => api.conversations({ view, inboxId: inboxId ?? undefined, cursor, limit: PAGE_SIZE }),
          PAGE_SIZE,
        );
        return { items: applyLive(page.items, buffer, page.nextCursor !== null), nextCursor: page.nextCursor };
      } finally {
        if (arrived.current === buffer) arrived.current = null;
      }
    },
    { keepPrevious: true },
  );
  const items = rows.error ? [] : (rows.data?.items ?? []);
  const nextCursor = rows.error ? null : (rows.data?.nextCursor ?? null);
  // One timer for every row's relative time and SLA countdown: no re-read, no timer per row.
  const now = useSlaNow(items.map((i) => i.sla));
  const shown = useRef({ items, nextCursor });
  shown.current = { items, nextCursor };
  // The list stream carries only what touches this list and its rows.
  useEffect(
    () => watchList("list", { filter: { view, inboxId }, ids: items.map((i) => i.id) }),
    [view, inboxId, items],
  );
  useEffect(() => () => watchList("list", null), []);

  // Moved to an inbox this agent cannot see: gone from every list.
  useEffect(
    () =>
      subscribeList("conversation_removed", ({ conversationId }) =>
        rows.mutate((d) =>
          d.items.some((i) => i.id === conversationId)
            ? { ...d, items: d.items.filter((i) => i.id !== conversationId) }
            : d,
        ),
      ),
    [],
  );

  // An admin deleted a tag or a team: it is gone from every row that had it.
  useEffect(() => {
    const patch = (change: (item: Summary) => Summary) => rows.mutate((d) => ({ ...d, items: d.items.map(change) }));
    const offTag = subscribeList("tag_deleted", ({ tag }) =>
      patch((i) => (i.tags.includes(tag) ? { ...i, tags: i.tags.filter((t) => t !== tag) } : i)),
    );
    const offTeam = subscribeList("team_deleted", ({ teamId }) =>
      patch((i) => (i.teamId === teamId ? { ...i, teamId: null } : i)),
    );
    return () => {
      offTag();
      offTeam();
    };
  }, []);

  // Live rows: a change to a conversation this agent can see.
  useEffect(
    () =>
      subscribeList("conversation", ({ conversation }) => {
        arrived.current?.push(conversation);
        const { items, nextCursor } = shown.current;
        const before = items.find((i) => i.id === conversation.id);
        const after = applyLive(items, [conversation], nextCursor !== null).find((i) => i.id === conversation.id);
        if (after && before?.lastActivityAt !== after.lastActivityAt) markFresh(after.id);
        rows.mutate((d) => {
          const next = applyLive(d.items, [conversation], d.nextCursor !== null);
          return next === d.items ? d : { ...d, items: next };
        });
      }),
    [],
  );

  const more = useAction(
    (cursor: string) =>
      rows.follow(
        () =>
          fillPage(
            (next) => api.conversations({ view, inboxId: inboxId ?? undefined, cursor: next, limit: PAGE_SIZE }),
            PAGE_SIZE,
            cursor,
          ),
        (d, page) => {
          const seen = new Set(d.items.map((i) => i.id));
          return { items: [...d.items, ...page.items.filter((i) => !seen.has(i.id))], nextCursor: page.nextCursor };
        },
      ),
    { key: `${view}|${inboxId ?? ""}` },
  );

  useEffect(() => {
    if (onList) rememberList(location.href);
  }, [view, inboxId]);
  // Back from a lost connection: what changed meanwhile never arrived, so re-read
  // the first page (unless the agent has paged further down).
  useEffect(
    () =>
      subscribeListState((linkState, reconnected) => {
        setLink(linkState);
        if (reconnected && shown.current.items.length <= PAGE_SIZE) void rows.reload();
      }),
    [],
  );

  /** A row that just got new activity glows briefly, so the eye finds what moved. */
  const freshTimers = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  const markFresh = (id: string) => {
    clearTimeout(freshTimers.current.get(id));
    freshTimers.current.set(
      id,
      setTimeout(() => {
        freshTimers.current.delete(id);
        setFresh((f) => new Set([...f].filter((x) => x !== id)));
      }, 2000),
    );
    setFresh((f) => new Set([...f, id]));
  };
  useEffect(() => () => freshTimers.current.forEach(clearTimeout), []);

  const inbox = inboxId ? me.inboxes.find((i) => i.id === inboxId) : null;
  const viewLabel = views.find((v) => v.id === view)?.label ?? "Conversations";
  useEffect(() => {
    if (!openId) document.title = `${viewLabel}${inbox ? ` · ${inbox.name}` : ""} · Switchboard`;
  }, [viewLabel, inbox?.name, openId]);

  const selection = useListSelection(items, openId ?? null);
  useScrollKept(`${view}|${inboxId ?? ""}`, openId === undefined && rows.data !== undefined, selection.selected);

  const inboxName = (id: string) => me.inboxes.find((i) => i.id === id)?.name ?? "";
  const canStart = inbox ? replyInboxes(me).some((i) => i.id === inbox.id) : replyInboxes(me).length > 0;

  return (
    <section class="list-page" data-testid="inbox-page" data-view={view}>
      <header class="page-head">
        <div>
          <h1 data-testid="list-title">{viewLabel}</h1>
          <p class="page-sub">{inbox ? inbox.name : me.inboxes.length === 1 ? me.inboxes[0]!.name : "All inboxes"}</p>
        </div>
        {link === "offline" && (
          <span
            class="list-offline"
            role="status"
            data-testid="list-offline"
            title="Changes will appear when the connection is back"
          >
            <span class="offline-dot" aria-hidden="true" />
            Reconnecting…
          </span>
        )}
        {/* Live rows need no refresh; after a lost connection it re-reads by itself, and this is for the impatient. */}
        {link === "offline" && (
          <button
            type="button"
            class="btn btn-small"
            onClick={() => void rows.reload()}
            disabled={rows.loading}
            data-testid="refresh"
          >
            Refresh
          </button>
        )}
      </header>
      <ErrorNotice error={rows.error ?? more.error} onRetry={items.length ? undefined : () => void rows.reload()} />
      {/* Outside the rows: what a bulk action did stays said when it emptied the list. */}
      <BulkBar key={`${view}|${inboxId ?? ""}`} items={items} />
      {rows.loading && items.length === 0 ? (
        <Loading label="Loading conversations…" />
      ) : items.length === 0 ? (
        !rows.error && <ListEmpty view={view} onStart={canStart ? () => setComposing(true) : undefined} />
      ) : (
        <>
          {/* biome-ignore lint/a11y/useKeyWithClickEvents: the keyboard's way is the focus (onFocusIn); the click is for a tap that does not focus the link */}
          <ul
            class={`rows${rows.loading ? " is-stale" : ""}`}
            data-testid="conversation-list"
            aria-label={`${viewLabel} conversations`}
            onFocusIn={selection.onFocusIn}
            onClick={selection.onFocusIn}
          >
            {items.map((c, _, all) => (
              <li key={c.id} class={fresh.has(c.id) ? "is-fresh" : undefined}>
                <RowCheckbox conversation={c} order={all.map((i) => i.id)} />
                <Row
                  conversation={c}
                  selected={c.id === selection.selected}
                  current={c.id === openId}
                  inboxName={inboxId ? null : inboxName(c.inboxId)}
                  now={now}
                  others={othersIn(c.id, me.user.id)}
                />
              </li>
            ))}
          </ul>
          {nextCursor && (
            <div class="load-more">
              <button
                type="button"
                class="btn"
                onClick={() => void more.run(nextCursor)}
                disabled={more.busy}
                data-testid="load-more"
              >
                {more.busy ? <Spinner label="Loading…" /> : "Load more"}
              </button>
            </div>
          )}
        </>
      )}
      {composing && <NewConversationDialog inboxId={inboxId} onClose={() => setComposing(false)} />}
    </section>
  );
}

let lastSelected: string | null = null;

/** How far each list was scrolled, so coming back from a conversation (a page of its own on a narrow screen) lands where the agent left. */
const scrolledTo = new Map<string, number>();

/**
 * On the list page (not the column beside a conversation, which stays mounted):
 * follows the page's scroll position and, once the rows are back, restores it and
 * puts the focus on the row the agent had opened, without scrolling to it.
 */
function useScrollKept(key: string, ready: boolean, selected: string | null) {
  const scroller = () => document.querySelector<HTMLElement>(".content");
  useEffect(() => {
    const el = scroller();
    if (!el || !ready) return;
    // A scroll that arrives once the list has gone (the page shrinking to the conversation) is not the list's.
    const save = () => {
      if (document.querySelector("[data-testid='inbox-page']")) scrolledTo.set(key, el.scrollTop);
    };
    el.addEventListener("scroll", save, { passive: true });
    return () => el.removeEventListener("scroll", save);
  }, [key, ready]);
  const restored = useRef(false);
  useLayoutEffect(() => {
    if (!ready || restored.current) return;
    restored.current = true;
    const el = scroller();
    const top = scrolledTo.get(key);
    if (el && top !== undefined) el.scrollTop = top;
    if (selected)
      document
        .querySelector<HTMLElement>(`[data-testid="conversation-row"][data-id="${CSS.escape(selected)}"]`)
        ?.focus({ preventScroll: true });
  }, [ready]);
}

/**
 * The row j/k select. Beside an open conversation, j/k open the next or previous
 * one instead, in the order the list had when it opened: the agent's own changes
 * move a conversation to the top (or out of the view), and j must not lead back.
 */
function useListSelection(items: Summary[], openId: string | null) {
  // Back from a conversation, the row it was opened from is still the selected one.
  const [selected, setSelected] = useState<string | null>(openId ?? lastSelected);
  useEffect(() => {
    if (openId) setSelected(openId);
  }, [openId]);
  useEffect(() => {
    lastSelected = selected;
  }, [selected]);
  const ids = items.map((i) => i.id);
  const frozen = useRef<{ openId: string; ids: string[] } | null>(null);
  if (openId && frozen.current?.openId !== openId && ids.includes(openId)) frozen.current = { openId, ids };
  /** Where the selected row was, for j/k once it has left the list. */
  const lastAt = useRef(-1);
  const at = selected ? ids.indexOf(selected) : -1;
  if (at !== -1) lastAt.current = at;

  const select = (id: string) => {
    setSelected(id);
    document.querySelector<HTMLElement>(`[data-testid="conversation-row"][data-id="${CSS.escape(id)}"]`)?.focus();
  };
  const openBeside = (delta: 1 | -1) => {
    const order = frozen.current?.openId === openId ? frozen.current.ids : ids;
    const from = order.indexOf(openId!);
    let i = from + delta;
    while (i >= 0 && i < order.length && !ids.includes(order[i]!)) i += delta;
    const next = order[i] ?? (from === -1 ? ids[0] : undefined);
    if (!next) return;
    navigate(conversationHref(next));
    select(next);
  };
  const step = (delta: 1 | -1) => {
    if (openId) return openBeside(delta);
    if (ids.length === 0) return;
    // Gone from the list: the row now at its place is the next one.
    const from = at !== -1 ? at : selected ? lastAt.current - (delta === 1 ? 1 : 0) : -1;
    select(ids[Math.min(Math.max(from + delta, 0), ids.length - 1)]!);
  };
  useCommands({
    next: () => step(1),
    previous: () => step(-1),
    open: !openId && at !== -1 && (() => navigate(conversationHref(ids[at]!))),
    // x: tick the focused row for a bulk action.
    select: !openId && at !== -1 && (() => toggleSelected(ids[at]!)),
  });
  return {
    selected: at !== -1 ? selected : null,
    /** Tabbing onto a row (or tapping it: a tap may not focus a link) selects it, so j/k carry on from there. */
    onFocusIn: (e: Event) => {
      const id = (e.target as HTMLElement).closest<HTMLElement>("[data-testid='conversation-row']")?.dataset.id;
      if (!id || openId) return;
      setSelected(id);
      // At once: a tap opens the conversation, and the list is gone before its effects would run.
      lastSelected = id;
    },
  };
}

function Row({
  conversation: c,
  inboxName,
  now,
  others,
  selected,
  current,
}: {
  conversation: Summary;
  inboxName: string | null;
  now: number;
  others: Viewer[];
  selected: boolean;
  current: boolean;
}) {
  const name = contactName(c);
  return (
    <Link
      href={conversationHref(c.id)}
      class={`row status-${c.status}${selected ? " is-selected" : ""}${current ? " is-current" : ""}`}
      aria-current={current ? "page" : undefined}
      data-testid="conversation-row"
      data-id={c.id}
      data-status={c.status}
      data-presence={others.length ? (others.some((v) => v.state === "typing") ? "typing" : "viewing") : undefined}
    >
      <Avatar name={name} size={36} />
      <div class="row-main">
        <div class="row-top">
          <span class="row-contact">{name}</span>
          {c.contact.name && c.contact.email && <span class="row-email">{c.contact.email}</span>}
          <PresenceMarker viewers={others} />
          <time class="row-time" dateTime={c.lastActivityAt} title={fullDate(c.lastActivityAt)}>
            {shortAgo(c.lastActivityAt, now)}
          </time>
        </div>
        <div class="row-text">
          {c.subject && <span class="row-subject">{c.subject}</span>}
          {c.subject && c.preview && <span class="row-dash"> — </span>}
          <span class="row-preview">{c.preview}</span>
        </div>
        <div class="row-meta">
          <StatusBadge status={c.status} />
          <span class={`row-assignee${c.assignee ? "" : " is-none"}`} data-testid="row-assignee">
            {c.assignee ? (
              <>
                <Avatar name={c.assignee.name} size={16} />
                {c.assignee.name}
              </>
            ) : (
              "Unassigned"
            )}
          </span>
          {c.sla && <SlaChip clock={c.sla} now={now} />}
          {inboxName && (
            <span class="row-inbox">
              <ChannelIcon channel={c.channel} />
              {inboxName}
            </span>
          )}
        </div>
      </div>
    </Link>
  );
}

function ListEmpty({ view, onStart }: { view: View; onStart?: () => void }) {
  const { me } = useSession();
  if (me.inboxes.length === 0) {
    return canAdminister(me.user.role) ? (
      <EmptyState title="No inboxes yet" icon="inbox">
        <p>Create a chat or email inbox to start receiving conversations.</p>
        <Link href="/settings" class="btn btn-primary" data-testid="empty-create-inbox">
          Create an inbox
        </Link>
      </EmptyState>
    ) : (
      <EmptyState title="You don't have access to any inboxes yet" icon="lock">
        <p>Ask an admin to add you to an inbox.</p>
      </EmptyState>
    );
  }
  const titles: Record<string, string> = {
    all: "No open conversations — nice work",
    mine: "Nothing assigned to you",
    unassigned: "Every open conversation has an owner",
    resolved: "No resolved conversations yet",
    mentioned: "Nobody has mentioned you",
    following: "You follow no conversations",
    snoozed: "Nothing snoozed",
    spam: "No spam",
    breaching: "No conversations with an SLA clock running",
  };
  const bodies: Record<string, string> = {
    all: "New customer messages will show up here.",
    mine: "Conversations assigned to you will show up here.",
    unassigned: "New conversations without an assignee will show up here.",
    resolved: "Resolved conversations are kept here for reference.",
    mentioned: "When a teammate @mentions you in a note, the conversation shows up here.",
    following: "Follow a conversation from its side panel to keep up with it here.",
    snoozed: "Snoozed conversations wait here until their time comes.",
    spam: "Conversations marked as spam are kept out of the way here.",
    breaching:
      "Conversations with a reply or a resolution due under their inbox's SLA show up here, the one due first at the top.",
  };
  return (
    <EmptyState title={titles[view] ?? "No conversations"} icon={view === "resolved" ? "inbox" : "check"}>
      <p>{bodies[view] ?? ""}</p>
      {onStart && view === "all" && (
        <button type="button" class="btn" onClick={onStart}>
          Start a conversation
        </button>
      )}
    </EmptyState>
  );
}
