/**
 * One conversation: header with status, the thread and the composer on the
 * left, the side panel (contact, assignee, team, priority, tags, followers,
 * links) on the right — live: items, changes, the other agents and their
 * drafts arrive over the conversation's room socket.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { useAction, useResource } from "../../hooks/resource";
import type { Conversation, Item } from "../../../../worker/contract";
import { ApiError, api } from "../../../lib/api";
import { subscribeList, watchList } from "../../../lib/live";
import { Link, navigate } from "../../../lib/router";
import { useNow } from "../../../lib/time";
import { EmptyState, ErrorNotice, Loading, Spinner, StatusBadge } from "../../components/ui";
import { contactName, lastListHref } from "../../list-state";
import { accessTo, useSession } from "../../session";
import { Composer } from "./composer";
import { DraftPreviews, OfflineBanner, PresenceBar } from "./presence";
import { ForwardDialog } from "./forward-dialog";
import { MoreMenu } from "../lifecycle/more-menu";
import { SnoozeMenu } from "../lifecycle/snooze-menu";
import { StatusBanner } from "../lifecycle/status-banner";
import { SidePanel } from "./side-panel";
import { Timeline, mergeItems } from "./timeline";
import { useRoom } from "./use-room";
import { useCommands } from "../keyboard/commands";
import { Drawer } from "../../components/drawer";
import { LineIcon } from "../../components/icons";
import { NARROW_QUERY, useMedia } from "../../hooks/split-view";

type Loaded = { conversation: Conversation; items: Item[] };

/** Reads the thread after `after`, page by page, until it has caught up with the conversation. */
async function readTimeline(id: string, after: number): Promise<Item[]> {
  const items: Item[] = [];
  for (let guard = 0; guard < 50; guard++) {
    const page = await api.timeline(id, after);
    items.push(...page.items);
    const last = page.items[page.items.length - 1]?.seq ?? after;
    if (page.items.length === 0 || last >= page.lastSeq) break;
    after = last;
  }
  return items;
}

export function ConversationPage({ id }: { id: string }) {
  const { me } = useSession();
  const now = useNow();
  // The same page instance serves one conversation after another: the hook drops
  // an answer for a conversation the agent has already left.
  const page = useResource<Loaded>(id, async () => {
    const [conversation, items] = await Promise.all([api.conversation(id), readTimeline(id, 0)]);
    return { conversation, items };
  });
  const data = page.data;
  // Merged into another: that one holds everything now (the old address keeps working by leading there).
  const mergedInto = data?.conversation.mergedInto;
  useEffect(() => {
    if (mergedInto) navigate(`/conversations/${encodeURIComponent(mergedInto)}`, { replace: true });
  }, [mergedInto]);
  const current = useRef<Loaded | undefined>(undefined);
  current.current = data;
  // Email replies and forwards that failed after their last try, re-read as the thread grows; each can be retried.
  const lastSeq = data?.items.at(-1)?.seq ?? 0;
  // Forwards go by email from any inbox.
  const mailed =
    data?.conversation.channel === "email" || data?.items.some((i) => i.event?.type === "forwarded") === true;
  const deliveries = useResource(mailed ? `${id}:${lastSeq}` : null, () => api.emailDeliveries(id));
  const retryEmail = useAction((seq: number) => api.retryEmail(id, seq), {
    key: id,
    onDone: () => void deliveries.reload(),
  });
  const failedEmail = {
    failed: new Set((deliveries.data?.items ?? []).filter((d) => d.status === "failed").map((d) => d.seq)),
    retry: (seq: number) => void retryEmail.run(seq),
  };
  /** The workspace's people, to pick out @mentions in notes. */
  const people = useResource("people", () => api.users().then((r) => r.items));

  /** Fetch what happened since the newest item shown, plus the conversation's new state. */
  const catchUp = () => {
    const seen = current.current?.items.at(-1)?.seq ?? 0;
    return page.follow(
      () => Promise.all([api.conversation(id), readTimeline(id, seen)]),
      (d, [conversation, items]) => ({ conversation, items: mergeItems(d.items, items) }),
    );
  };
  const catching = useRef(false);
  const catchUpQuietly = () => {
    if (catching.current) return;
    catching.current = true;
    void catchUp()
      .catch(() => undefined)
      .finally(() => (catching.current = false));
  };

  /** The conversation as the server now has it (unless a live frame already brought a newer one). */
  const newer = (conversation: Conversation) =>
    page.mutate((d) => (conversation.lastSeq >= d.conversation.lastSeq ? { ...d, conversation } : d), {
      key: conversation.id,
    });
  /** Items for conversation `key` (by default the one shown), merged into its thread by seq. */
  const addItems = (items: Item[], key = id) =>
    page.mutate((d) => ({ ...d, items: mergeItems(d.items, items) }), { key });

  /** Re-read the conversation's fields (not the thread): one read at a time, one more if asked meanwhile. */
  const refreshing = useRef<"idle" | "reading" | "again">("idle");
  const refreshConversation = () => {
    if (refreshing.current !== "idle") {
      refreshing.current = "again";
      return;
    }
    refreshing.current = "reading";
    page
      .follow(
        () => api.conversation(id),
        (d, conversation) => (conversation.lastSeq >= d.conversation.lastSeq ? { ...d, conversation } : d),
      )
      .catch(() => undefined)
      .finally(() => {
        const again = refreshing.current === "again";
        refreshing.current = "idle";
        if (again) refreshConversation();
      });
  };

  /** While the agent's own send is in flight: their echoed items, shown when it returns. */
  const ownSend = useRef<{ key: string; items: Item[] } | null>(null);
  const onSending = (sending: boolean) => {
    const echoed = ownSend.current;
    ownSend.current = sending ? { key: id, items: [] } : null;
    if (!sending && echoed?.items.length) addItems(echoed.items, echoed.key);
  };
  /** The newest seq the page holds, ahead of renders (items can arrive several per tick). */
  const held = () => Math.max(heldSeq.current, current.current?.items.at(-1)?.seq ?? 0);
  const heldSeq = useRef(0);
  useEffect(() => {
    heldSeq.current = 0;
  }, [id]);
  const room = useRoom(id, me.user.id, data?.conversation.id === id, {
    lastSeq: held,
    onItem: (item) => {
      // The room streams in order; a hole means a frame went missing, so read it over HTTP.
      if (item.seq > held() + 1) catchUpQuietly();
      heldSeq.current = Math.max(heldSeq.current, item.seq);
      // A note's mention can add followers; the room sends no conversation frame for a message, so read it.
      if (item.kind === "event" && item.event?.type === "follower_added" && item.event.via === "mention")
        refreshConversation();
      // The agent's own message, echoed before their send has returned, waits for it:
      // it moves from the composer into the thread in one step.
      if (
        ownSend.current?.key === id &&
        item.kind !== "event" &&
        item.author.type === "user" &&
        item.author.id === me.user.id
      ) {
        ownSend.current.items.push(item);
        return;
      }
      addItems([item]);
    },
    onConversation: (conversation) => page.mutate((d) => ({ ...d, conversation }), { key: conversation.id }),
    onRejoin: refreshConversation,
  });

  // Changes a message makes (a reply reopening it, the last activity) reach the list stream, not the room.
  useEffect(() => {
    watchList("open", { ids: [id] });
    return () => watchList("open", null);
  }, [id]);
  useEffect(
    () =>
      subscribeList("conversation", ({ conversation: summary }) =>
        page.mutate((d) => ({ ...d, conversation: { ...d.conversation, ...summary } }), { key: summary.id }),
      ),
    [],
  );
  // Moved out of this agent's sight: reloading shows the not-found page.
  useEffect(
    () =>
      subscribeList("conversation_removed", ({ conversationId }) => {
        if (conversationId === current.current?.conversation.id) void page.reload();
      }),
    [],
  );

  /** A change's answer: the conversation as the server now has it. */
  const changed = (conversation: Conversation) => {
    newer(conversation);
    // The room streams the events; without it, read them now.
    if (room.state !== "open") catchUpQuietly();
  };
  const status = useAction((id: string, next: "open" | "resolved") => api.updateConversation(id, { status: next }), {
    key: id,
    onDone: changed,
  });
  const [otherError, setOtherError] = useState<unknown>(null);
  const [forwarding, setForwarding] = useState(false);
  // Too narrow for the details beside the thread (a phone, a small tablet): they open in a drawer.
  const narrow = useMedia(NARROW_QUERY);
  const [details, setDetails] = useState(false);
  useEffect(() => setOtherError(null), [id]);
  useEffect(() => setDetails(false), [id, narrow]);
  const actionError = status.error ?? retryEmail.error ?? otherError;
  const clearActionError = () => {
    status.clearError();
    retryEmail.clearError();
    setOtherError(null);
  };

  // Esc goes back; e resolves, shift+e reopens (for an agent who may reply).
  const shown = data?.conversation.id === id ? data.conversation : null;
  const mayReply = shown !== null && accessTo(me, shown.inboxId) === "reply" && !status.busy;
  const closed = shown?.status === "resolved" || shown?.status === "spam";
  useCommands({
    back: () => navigate(lastListHref()),
    resolve: mayReply && !closed && (() => void status.run(id, "resolved")),
    reopen: mayReply && closed && (() => void status.run(id, "open")),
    // On a narrow screen the assignee and the tags are in the details drawer: their keys open it.
    assign: narrow && !details && (() => setDetails(true)),
    tags: narrow && !details && (() => setDetails(true)),
  });

  const name = data ? contactName(data.conversation) : "";
  useEffect(() => {
    if (data) document.title = `${data.conversation.subject || name} · Switchboard`;
  }, [data?.conversation.subject, name]);

  if (page.error) {
    const notFound = page.error instanceof ApiError && page.error.status === 404;
    return (
      <section class="conv-page">
        {notFound ? (
          <EmptyState title="Conversation not found" testid="not-found" icon="search">
            <p>It may have been moved to an inbox you can't see, or the link is wrong.</p>
            <Link href={lastListHref()} class="btn">
              Back to conversations
            </Link>
          </EmptyState>
        ) : (
          <div class="conv-error">
            <ErrorNotice error={page.error} onRetry={() => void page.reload()} />
          </div>
        )}
      </section>
    );
  }
  if (!data) return <Loading label="Loading conversation…" />;

  const c = data.conversation;
  const access = accessTo(me, c.inboxId);
  const canReply = access === "reply";
  const inbox = me.inboxes.find((i) => i.id === c.inboxId);
  const seenSeq = data.items.at(-1)?.seq ?? 0;
  const timeZone = me.preferences.timeZone;
  /** Where it may move: inboxes the agent can reply in (admins: all they know of), other than its own. */
  const moveTargets = me.inboxes.filter((i) => i.id !== c.inboxId && accessTo(me, i.id) === "reply");
  const snoozable = c.status === "open" || c.status === "snoozed";

  const reopens = c.status === "resolved" || c.status === "spam";
  const busy = status.busy;

  return (
    <section
      class="conv-page"
      data-testid="conversation-page"
      data-id={c.id}
      data-status={c.status}
      data-live={room.state}
    >
      <header class="conv-head">
        <Link href={lastListHref()} class="back-link" aria-label="Back to the list" data-testid="back">
          ←
        </Link>
        <div class="conv-title">
          <h1 data-testid="conversation-contact">
            {name}
            {c.contact.name && c.contact.email && <span class="conv-email">{c.contact.email}</span>}
          </h1>
          <p class="conv-subject" data-testid="conversation-subject">
            {c.subject || (
              <span class="muted">
                {c.channel === "chat" ? "Chat" : "Email"} in {inbox?.name ?? "an inbox"}
              </span>
            )}
          </p>
        </div>
        <div class="conv-actions">
          <StatusBadge status={c.status} />
          {canReply && snoozable && (
            <SnoozeMenu conversation={c} timeZone={timeZone} onChange={changed} disabled={busy} />
          )}
          {canReply && (
            <MoreMenu
              conversation={c}
              targets={moveTargets}
              onChange={changed}
              onError={setOtherError}
              disabled={busy}
            />
          )}
          {canReply && (
            <button
              type="button"
              class="btn forward-button"
              onClick={() => setForwarding(true)}
              title="Forward…"
              data-testid="forward-button"
            >
              <LineIcon d="M9.5 3.5 14 8l-4.5 4.5M14 8H6.5A4.5 4.5 0 0 0 2 12.5" />
              {/* On a phone only the arrow shows; the name stays for screen readers. */}
              <span class="btn-label">Forward…</span>
            </button>
          )}
          {canReply && (
            <button
              type="button"
              class={`btn ${reopens ? "" : "btn-resolve"}`}
              onClick={() => void status.run(c.id, reopens ? "open" : "resolved")}
              disabled={busy}
              data-testid="resolve-button"
              data-action={reopens ? "reopen" : "resolve"}
            >
              {busy ? <Spinner label={reopens ? "Reopening…" : "Resolving…"} /> : reopens ? "Reopen" : "Resolve"}
            </button>
          )}
        </div>
        {narrow && (
          <button
            type="button"
            class="btn details-button"
            aria-label="Details"
            title="Details"
            aria-haspopup="dialog"
            aria-expanded={details}
            onClick={() => setDetails(true)}
            data-testid="details-open"
          >
            <LineIcon d="M2.5 3.5h11v9h-11zM9.5 3.5v9M11 6h.01M11 8h.01" />
          </button>
        )}
      </header>
      <StatusBanner
        conversation={c}
        timeZone={timeZone}
        now={now}
        canAct={canReply}
        onChange={changed}
        onError={setOtherError}
      />
      <div class="conv-body">
        <div class="conv-thread">
          {actionError ? (
            <div class="conv-error">
              <ErrorNotice error={actionError} onDismiss={clearActionError} />
            </div>
          ) : null}
          <OfflineBanner state={room.state} />
          <PresenceBar others={room.others} />
          <Timeline items={data.items} now={now} meId={me.user.id} people={people.data ?? []} email={failedEmail} />
          <DraftPreviews drafts={room.drafts} others={room.others} />
          {access === "reply" || access === "note" ? (
            <Composer
              conversationId={c.id}
              inboxId={c.inboxId}
              contact={c.contact}
              access={access}
              seenSeq={seenSeq}
              contactName={name}
              resolved={c.status === "resolved"}
              now={now}
              live={room.live}
              onSending={onSending}
              onSent={(item) => {
                addItems([item], c.id);
                if (room.state !== "open") catchUpQuietly();
              }}
              onReview={(newer) => addItems(newer, c.id)}
            />
          ) : (
            <p class="readonly-note" data-testid="view-only">
              You have view-only access to this inbox.
            </p>
          )}
        </div>
        {!narrow && (
          <SidePanel conversation={c} access={access} contactName={name} inboxName={inbox?.name} onChange={changed} />
        )}
      </div>
      {narrow && details && (
        <Drawer label="Details" side="right" onClose={() => setDetails(false)} testid="details-drawer">
          <SidePanel conversation={c} access={access} contactName={name} inboxName={inbox?.name} onChange={changed} />
        </Drawer>
      )}
      {forwarding && (
        <ForwardDialog
          conversationId={c.id}
          onClose={() => setForwarding(false)}
          onSent={(item) => {
            setForwarding(false);
            addItems([item], c.id);
          }}
        />
      )}
    </section>
  );
}
