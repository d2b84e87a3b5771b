/**
 * The agent's notifications: a bell with the unread count and a dropdown list
 * in the top bar, and toasts (10 s, bottom right) for mentions, assignments
 * and missed service levels pushed live. Rendered once by the shell as `<NotificationCenter />`.
 */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { Notification, NotificationKind } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { navigate } from "../../../lib/router";
import { fullDate, longAgo, useNow, useOnVisible } from "../../../lib/time";
import { Avatar, ErrorNotice, Spinner } from "../../components/ui";
import { useResource } from "../../hooks/resource";
import { onLiveNotification, onLiveState, type LinkState } from "./live-notifications";
import { useDismiss } from "../../hooks/dismiss";
import { LineIcon } from "../../components/icons";

/** How long a toast stays up, unless the pointer rests on it. */
export const TOAST_MS = 10_000;
const MAX_TOASTS = 4;
const PAGE = 30;

type Toast = { key: string; notification: Notification };

/**
 * How to read a notification: who to name first (null: nobody did it, the line
 * stands alone), what they did, and the text worth quoting. An event's preview
 * is already a sentence starting with the actor ("Ada resolved the
 * conversation"), so it becomes the line itself rather than being repeated under it.
 */
export function describeNotification(n: Pick<Notification, "kind" | "actor" | "preview">): {
  actor: string | null;
  action: string;
  quote: string | null;
} {
  // A missed service level is nobody's doing: the clock ran out ("First response due 10:30 was missed").
  if (n.kind === "sla") return { actor: null, action: "SLA breached", quote: n.preview || null };
  return { actor: n.actor.name, ...describeAction(n) };
}

function describeAction(n: Pick<Notification, "kind" | "actor" | "preview">): { action: string; quote: string | null } {
  const ownSentence = n.preview.startsWith(`${n.actor.name} `) ? n.preview.slice(n.actor.name.length + 1) : null;
  if (n.kind === "mention") return { action: "mentioned you", quote: n.preview || null };
  if (n.kind === "webhook") return { action: "turned off a failing webhook", quote: n.preview || null };
  if (n.kind === "forward") return { action: "answered your forward", quote: n.preview || null };
  if (n.kind === "assigned")
    return { action: "assigned you a conversation", quote: ownSentence !== null ? null : n.preview || null };
  if (ownSentence) return { action: ownSentence, quote: null };
  return { action: "updated a conversation you follow", quote: n.preview || null };
}

/** The notification's line: the actor's name in bold, then what they did; or the line alone, in bold. */
function NotificationLine({ notification }: { notification: Pick<Notification, "kind" | "actor" | "preview"> }) {
  const { actor, action } = describeNotification(notification);
  return actor ? (
    <>
      <strong>{actor}</strong> {action}
    </>
  ) : (
    <strong>{action}</strong>
  );
}

/** Where a notification leads: its conversation, or the webhooks settings for a webhook turned off. */
const notificationHref = (n: Notification) =>
  n.conversationId ? `/conversations/${encodeURIComponent(n.conversationId)}` : "/settings?tab=webhooks";

/** The bell, its dropdown and the toasts, sharing one list and one unread count. */
export function NotificationCenter() {
  const list = useResource("notifications", () => api.notifications({ limit: PAGE }));
  const items = list.data?.items ?? null;
  const unread = list.data?.unreadCount ?? 0;
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [live, setLive] = useState<LinkState>("connecting");
  const load = list.reload;

  useEffect(() => {
    const offState = onLiveState((state, reconnected) => {
      setLive(state);
      if (reconnected) void load();
    });
    const offNotification = onLiveNotification((n) => {
      list.mutate((d) => ({
        items: [n, ...d.items.filter((x) => x.id !== n.id)].slice(0, PAGE),
        unreadCount: d.unreadCount + (n.readAt ? 0 : 1),
      }));
      if (n.kind === "mention" || n.kind === "assigned" || n.kind === "sla") {
        setToasts((t) =>
          [...t.filter((x) => x.notification.id !== n.id), { key: n.id, notification: n }].slice(-MAX_TOASTS),
        );
      }
    });
    return () => {
      offState();
      offNotification();
    };
  }, []);
  useOnVisible(() => void load(), []);

  /** Marks some read (or all, with `null`), optimistically; the server's count wins (on failure, its list). */
  const markRead = async (ids: string[] | null) => {
    if (ids?.length === 0) return;
    const now = new Date().toISOString();
    list.mutate((d) => ({
      items: d.items.map((n) => (n.readAt || (ids && !ids.includes(n.id)) ? n : { ...n, readAt: now })),
      unreadCount: ids ? Math.max(0, d.unreadCount - d.items.filter((n) => ids.includes(n.id) && !n.readAt).length) : 0,
    }));
    try {
      const res = await api.readNotifications(ids ? { ids } : { all: true });
      list.mutate((d) => ({ ...d, unreadCount: res.unreadCount }));
    } catch {
      // The read below shows the server's state instead of the optimistic one.
    }
    // A read started before this write (opening the bell reloads) may still answer with the old
    // unread state: a read started after it supersedes that one, and the hook drops the older answer.
    void load();
  };

  const open = (n: Notification) => {
    if (!n.readAt) void markRead([n.id]);
    setToasts((t) => t.filter((x) => x.notification.id !== n.id));
    if (n.conversationId || n.kind === "webhook") navigate(notificationHref(n));
  };

  const dismiss = (key: string) => setToasts((t) => t.filter((x) => x.key !== key));

  return (
    <>
      <Bell
        items={items}
        unread={unread}
        live={live}
        error={list.error}
        onOpen={open}
        onMarkAll={() => void markRead(null)}
        onShow={() => void load()}
      />
      <div class="toast-stack" aria-live="polite" data-testid="toasts">
        {toasts.map((t) => (
          <NotificationToast
            key={t.key}
            notification={t.notification}
            onOpen={() => open(t.notification)}
            onDismiss={() => dismiss(t.key)}
          />
        ))}
      </div>
    </>
  );
}

function Bell(props: {
  items: Notification[] | null;
  unread: number;
  /** The list stream's state, on the bell as `data-live` (tests wait for "open"). */
  live: LinkState;
  error: unknown;
  onOpen: (n: Notification) => void;
  onMarkAll: () => void;
  onShow: () => void;
}) {
  const [open, setOpen] = useState(false);
  const [onlyUnread, setOnlyUnread] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const now = useNow();
  const close = useCallback(() => setOpen(false), []);
  useDismiss(ref, open, close);

  const toggle = () => {
    if (!open) props.onShow();
    setOpen(!open);
  };
  const shown = (props.items ?? []).filter((n) => !onlyUnread || !n.readAt);
  const label = props.unread === 0 ? "Notifications" : `Notifications, ${props.unread} unread`;
  return (
    <div class="bell-wrap" ref={ref}>
      <button
        type="button"
        class={`bell${open ? " is-open" : ""}`}
        onClick={toggle}
        aria-label={label}
        title={label}
        aria-expanded={open}
        aria-haspopup="true"
        data-testid="notification-bell"
        data-unread={props.unread}
        data-live={props.live}
      >
        <LineIcon
          viewBox="0 0 20 20"
          width={1.5}
          d="M10 2.8a5 5 0 0 0-5 5v2.7c0 .8-.3 1.6-.9 2.2l-.8.8h13.4l-.8-.8a3.1 3.1 0 0 1-.9-2.2V7.8a5 5 0 0 0-5-5zM8 15.5a2 2 0 0 0 4 0"
        />
        {props.unread > 0 && (
          <span class="bell-count" data-testid="notification-count">
            {props.unread > 99 ? "99+" : props.unread}
          </span>
        )}
      </button>
      {open && (
        <div class="notif-panel" role="dialog" aria-label="Notifications" data-testid="notification-panel">
          <div class="notif-head">
            <h2>Notifications</h2>
            {/* biome-ignore lint/a11y/useSemanticElements: a labelled group of toggle buttons; a fieldset would need a legend */}
            <div class="notif-filter" role="group" aria-label="Show">
              <button
                type="button"
                class={onlyUnread ? "" : "active"}
                onClick={() => setOnlyUnread(false)}
                aria-pressed={!onlyUnread}
              >
                All
              </button>
              <button
                type="button"
                class={onlyUnread ? "active" : ""}
                onClick={() => setOnlyUnread(true)}
                aria-pressed={onlyUnread}
                data-testid="notifications-unread-only"
              >
                Unread
              </button>
            </div>
            <button
              type="button"
              class="btn btn-ghost btn-small"
              onClick={props.onMarkAll}
              disabled={props.unread === 0}
              data-testid="notifications-mark-all"
            >
              Mark all read
            </button>
          </div>
          {props.error ? (
            <div class="notif-error">
              <ErrorNotice error={props.error} />
            </div>
          ) : null}
          {props.items === null ? (
            <div class="notif-empty">
              <Spinner label="Loading…" />
            </div>
          ) : shown.length === 0 ? (
            <div class="notif-empty" data-testid="notifications-empty">
              <strong>You're all caught up</strong>
              <span>
                {onlyUnread
                  ? "No unread notifications."
                  : "Mentions, assignments, missed SLAs and updates to conversations you follow show up here."}
              </span>
            </div>
          ) : (
            <ul class="notif-list">
              {shown.map((n) => (
                <li key={n.id}>
                  <button
                    type="button"
                    class={`notif-item${n.readAt ? "" : " is-unread"}`}
                    onClick={() => {
                      setOpen(false);
                      props.onOpen(n);
                    }}
                    data-testid="notification-item"
                    data-id={n.id}
                    data-kind={n.kind}
                    data-unread={n.readAt ? "false" : "true"}
                  >
                    <span class="notif-avatar">
                      <Avatar name={n.actor.name} size={32} />
                      <KindMark kind={n.kind} />
                    </span>
                    <span class="notif-text">
                      <span class="notif-line">
                        <NotificationLine notification={n} />
                      </span>
                      {describeNotification(n).quote && (
                        <span class="notif-preview">{describeNotification(n).quote}</span>
                      )}
                      <span class="notif-time" title={fullDate(n.createdAt)}>
                        {longAgo(n.createdAt, now)}
                      </span>
                    </span>
                    {!n.readAt && <span class="notif-dot" role="img" aria-label="Unread" />}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}

/** "Grace Hopper · Invoice question": whose conversation a toast is about, read once when it shows. */
function useConversationContext(conversationId: string | null): string | null {
  const context = useResource(conversationId, () =>
    api
      .conversation(conversationId!)
      .then((c) => `${c.contact.name || c.contact.email || "A customer"} · ${c.subject || c.preview}`),
  );
  return context.data ?? null;
}

/** A small badge on the actor's avatar: @ for a mention, an arrow for an assignment, a plus for an update, a clock for a missed SLA. */
function KindMark({ kind }: { kind: NotificationKind }) {
  const paths: Record<NotificationKind, string> = {
    mention: "M8 10.2a2.2 2.2 0 1 0 0-4.4 2.2 2.2 0 0 0 0 4.4zM10.2 8v.9c0 1 1.6 1.4 1.9.1A4.3 4.3 0 1 0 10 11.7",
    assigned: "M4 8h7M8.5 5 11.5 8l-3 3",
    update: "M5 8h6M8 5v6",
    webhook: "M8 3.5 13 12H3zM8 7v2.2M8 10.6v.1",
    sla: "M8 13.5A5 5 0 1 0 8 3.5a5 5 0 0 0 0 10zM8 5.8v2.7l1.6 1",
    forward: "M3.5 11.5V10a3 3 0 0 1 3-3h6M10 4.5 12.5 7 10 9.5",
  };
  return (
    <span class={`kind-mark kind-${kind}`} aria-hidden="true">
      <LineIcon class="" d={paths[kind]} width={1.7} />
    </span>
  );
}

/** One toast: who and what, the preview, "Open conversation"; gone after 10 s unless hovered. */
function NotificationToast({
  notification: n,
  onOpen,
  onDismiss,
}: {
  notification: Notification;
  onOpen: () => void;
  onDismiss: () => void;
}) {
  const [paused, setPaused] = useState(false);
  const remaining = useRef(TOAST_MS);
  useEffect(() => {
    if (paused) return;
    const started = Date.now();
    const timer = setTimeout(onDismiss, remaining.current);
    return () => {
      clearTimeout(timer);
      remaining.current -= Date.now() - started;
    };
  }, [paused]);
  const { actor, action, quote } = describeNotification(n);
  const context = useConversationContext(n.conversationId);
  return (
    <div
      class={`toast toast-${n.kind}`}
      role="status"
      data-testid="toast"
      data-kind={n.kind}
      data-conversation-id={n.conversationId ?? ""}
      onMouseEnter={() => setPaused(true)}
      onMouseLeave={() => setPaused(false)}
    >
      <span class="notif-avatar">
        <Avatar name={n.actor.name} size={36} />
        <KindMark kind={n.kind} />
      </span>
      <div class="toast-body">
        <p class="toast-title">{actor ? `${actor} ${action}` : action}</p>
        {context && (
          <p class="toast-context" data-testid="toast-context">
            {context}
          </p>
        )}
        {quote && <p class="toast-preview">{quote}</p>}
        {n.conversationId && (
          <button type="button" class="btn btn-primary btn-small" onClick={onOpen} data-testid="toast-open">
            Open conversation
          </button>
        )}
      </div>
      <button
        type="button"
        class="icon-btn toast-close"
        aria-label="Dismiss"
        onClick={onDismiss}
        data-testid="toast-dismiss"
      >
        ×
      </button>
      <span
        class={`toast-timer${paused ? " is-paused" : ""}`}
        style={{ animationDuration: `${TOAST_MS}ms` }}
        aria-hidden="true"
      />
    </div>
  );
}
