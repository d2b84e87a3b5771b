/**
 * One conversation: header with status, the thread and the composer on the
 * left, the side panel (contact, assignee, team, priority, tags, followers,
 * links) on the right — live: items, changes, the other agents and their
 * drafts arrive over the conversation's room socket.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { Conversation, Item, User } from "../../../../worker/contract";
import { ApiError, api } from "../../../lib/api";
import { subscribeList } from "../../../lib/live";
import { Link } from "../../../lib/router";
import { useNow } from "../../../lib/time";
import { EmptyState, ErrorNotice, Loading, Spinner, StatusBadge } from "../../components/ui";
import { contactName, lastListHref } from "../../list-state";
import { accessTo, useSession } from "../../session";
import { Composer } from "./composer";
import { DraftPreviews, OfflineBanner, PresenceBar } from "./presence";
import { MoreMenu } from "../lifecycle/more-menu";
import { SnoozeMenu } from "../lifecycle/snooze-menu";
import { StatusBanner } from "../lifecycle/status-banner";
import { SidePanel } from "./side-panel";
import { Timeline, mergeItems } from "./timeline";
import { useRoom } from "./use-room";

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
  const [data, setData] = useState<Loaded | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  /** The workspace's people, to pick out @mentions in notes. */
  const [people, setPeople] = useState<User[]>([]);
  const current = useRef<Loaded | null>(null);
  current.current = data;

  const load = async () => {
    setLoadError(null);
    setData(null);
    try {
      const [conversation, items] = await Promise.all([api.conversation(id), readTimeline(id, 0)]);
      setData({ conversation, items });
    } catch (error) {
      setLoadError(error);
    }
  };

  /** Fetch what happened since the newest item shown, plus the conversation's new state. */
  const catchUp = async () => {
    const seen = current.current?.items.at(-1)?.seq ?? 0;
    const [conversation, items] = await Promise.all([api.conversation(id), readTimeline(id, seen)]);
    setData((d) => (d ? { conversation, items: mergeItems(d.items, items) } : d));
  };
  const catching = useRef(false);
  const catchUpQuietly = () => {
    if (catching.current) return;
    catching.current = true;
    void catchUp()
      .catch(() => undefined)
      .finally(() => (catching.current = false));
  };

  useEffect(() => {
    setActionError(null);
    void load();
  }, [id]);

  /** Re-read the conversation's fields (not the thread): one read at a time, one more if asked meanwhile. */
  const refreshing = useRef<"idle" | "reading" | "again">("idle");
  const refreshConversation = () => {
    if (refreshing.current !== "idle") {
      refreshing.current = "again";
      return;
    }
    refreshing.current = "reading";
    api
      .conversation(id)
      .then(
        (conversation) =>
          setData((d) =>
            d && d.conversation.id === conversation.id && conversation.lastSeq >= d.conversation.lastSeq
              ? { ...d, conversation }
              : d,
          ),
        () => undefined,
      )
      .finally(() => {
        const again = refreshing.current === "again";
        refreshing.current = "idle";
        if (again) refreshConversation();
      });
  };

  /** While the agent's own send is in flight: their echoed items, shown when it returns. */
  const ownSend = useRef<Item[] | null>(null);
  const onSending = (sending: boolean) => {
    const echoed = ownSend.current;
    ownSend.current = sending ? [] : null;
    if (!sending && echoed?.length) setData((d) => (d ? { ...d, items: mergeItems(d.items, echoed) } : d));
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
      if (ownSend.current && item.kind !== "event" && item.author.type === "user" && item.author.id === me.user.id) {
        ownSend.current.push(item);
        return;
      }
      setData((d) => (d ? { ...d, items: mergeItems(d.items, [item]) } : d));
    },
    onConversation: (conversation) =>
      setData((d) => (d && d.conversation.id === conversation.id ? { ...d, conversation } : d)),
    onRejoin: refreshConversation,
  });

  // Changes a message makes (a reply reopening it, the last activity) reach the list stream, not the room.
  useEffect(
    () =>
      subscribeList("conversation", ({ conversation: summary }) => {
        setData((d) =>
          d && d.conversation.id === summary.id ? { ...d, conversation: { ...d.conversation, ...summary } } : d,
        );
      }),
    [],
  );
  // Moved out of this agent's sight: reloading shows the not-found page.
  const reloadPage = useRef(load);
  reloadPage.current = load;
  useEffect(
    () =>
      subscribeList("conversation_removed", ({ conversationId }) => {
        if (conversationId === current.current?.conversation.id) void reloadPage.current();
      }),
    [],
  );

  useEffect(() => {
    api.users().then(
      (r) => setPeople(r.items),
      () => undefined,
    );
  }, []);

  const name = data ? contactName(data.conversation) : "";
  useEffect(() => {
    if (data) document.title = `${data.conversation.subject || name} · Switchboard`;
  }, [data?.conversation.subject, name]);

  if (loadError) {
    const notFound = loadError instanceof ApiError && loadError.status === 404;
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
            <ErrorNotice error={loadError} onRetry={() => void load()} />
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

  /** A change's answer: the conversation as the server now has it (unless a live frame already brought a newer one). */
  const changed = (conversation: Conversation) => {
    setData((d) =>
      d && d.conversation.id === conversation.id && conversation.lastSeq >= d.conversation.lastSeq
        ? { ...d, conversation }
        : d,
    );
    // The room streams the events; without it, read them now.
    if (room.state !== "open") catchUpQuietly();
  };
  const reopens = c.status === "resolved" || c.status === "spam";
  const toggleStatus = async () => {
    setBusy(true);
    setActionError(null);
    try {
      changed(await api.updateConversation(c.id, { status: reopens ? "open" : "resolved" }));
    } catch (error) {
      setActionError(error);
    } finally {
      setBusy(false);
    }
  };

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
              onError={setActionError}
              disabled={busy}
            />
          )}
          {canReply && (
            <button
              type="button"
              class={`btn ${reopens ? "" : "btn-resolve"}`}
              onClick={() => void toggleStatus()}
              disabled={busy}
              data-testid="resolve-button"
              data-action={reopens ? "reopen" : "resolve"}
            >
              {busy ? <Spinner label={reopens ? "Reopening…" : "Resolving…"} /> : reopens ? "Reopen" : "Resolve"}
            </button>
          )}
        </div>
      </header>
      <StatusBanner
        conversation={c}
        timeZone={timeZone}
        now={now}
        canAct={canReply}
        onChange={changed}
        onError={setActionError}
      />
      <div class="conv-body">
        <div class="conv-thread">
          {actionError ? (
            <div class="conv-error">
              <ErrorNotice error={actionError} onDismiss={() => setActionError(null)} />
            </div>
          ) : null}
          <OfflineBanner state={room.state} />
          <PresenceBar others={room.others} />
          <Timeline items={data.items} now={now} meId={me.user.id} people={people} />
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
                setData((d) => (d ? { ...d, items: mergeItems(d.items, [item]) } : d));
                if (room.state !== "open") catchUpQuietly();
              }}
              onReview={(newer) => setData((d) => (d ? { ...d, items: mergeItems(d.items, newer) } : d))}
            />
          ) : (
            <p class="readonly-note" data-testid="view-only">
              You have view-only access to this inbox.
            </p>
          )}
        </div>
        <SidePanel conversation={c} access={access} contactName={name} inboxName={inbox?.name} onChange={changed} />
      </div>
    </section>
  );
}
