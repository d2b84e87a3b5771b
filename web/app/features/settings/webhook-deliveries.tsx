/**
 * One endpoint's delivery log, newest first: what was sent, how it went, and
 * the receiver's answer on expanding a row. There is no live socket for it, so
 * while it is open (and the page visible) it reads the newest page again every
 * 2 s: an admin watches test and real deliveries arrive.
 */
import { useEffect, useState } from "preact/hooks";
import type { Webhook, WebhookDelivery, WebhookDeliveryStatus } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { fullDate, longAgo, useNow } from "../../../lib/time";
import { ErrorNotice, Spinner } from "../../components/ui";
import { useAction, useResource } from "../../hooks/resource";
import { usePolling } from "../../hooks/poll";

const POLL_MS = 2000;
const PAGE = 25;

const STATUS_LABELS: Record<WebhookDeliveryStatus, string> = {
  pending: "Pending",
  retrying: "Retrying",
  delivered: "Delivered",
  failed: "Failed",
};

type Log = { items: WebhookDelivery[]; nextCursor: string | null };

/** Newest first, as the API orders them: by creation time, then id. */
const newer = (a: WebhookDelivery, b: WebhookDelivery) =>
  a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.id > b.id);

/**
 * The newest page read again, laid over what is loaded: its rows replace theirs, and
 * the older rows "Load more" fetched stay below it (with their cursor).
 */
function overlay(loaded: Log, fresh: Log): Log {
  const last = fresh.items.at(-1);
  if (!fresh.nextCursor || !last) return fresh;
  const ids = new Set(fresh.items.map((d) => d.id));
  const older = loaded.items.filter((d) => !ids.has(d.id) && newer(last, d));
  return older.length ? { items: [...fresh.items, ...older], nextCursor: loaded.nextCursor } : fresh;
}

export function WebhookDeliveries({ webhook, refresh }: { webhook: Webhook; refresh: number }) {
  const [status, setStatus] = useState<WebhookDeliveryStatus | "">("");
  const [open, setOpen] = useState<string | null>(null);
  const key = `${webhook.id}:${status}`;
  const read = (cursor?: string) =>
    api.webhookDeliveries(webhook.id, { status: status || undefined, cursor, limit: PAGE });
  const log = useResource<Log>(key, () => read());
  const poll = () => log.follow(() => read(), overlay);
  usePolling(poll, POLL_MS, log.data !== undefined && !log.error);
  // A test event was just sent: show it without waiting for the next tick.
  useEffect(() => {
    if (refresh) void poll().catch(() => undefined);
  }, [refresh]);
  const more = useAction(
    (cursor: string) =>
      log.follow(
        () => read(cursor),
        (l, page) => ({
          items: [...l.items, ...page.items.filter((d) => !l.items.some((x) => x.id === d.id))],
          nextCursor: page.nextCursor,
        }),
      ),
    { key },
  );
  const retry = useAction((id: string) => api.retryWebhookDelivery(webhook.id, id), {
    key,
    onDone: ({ delivery }) =>
      log.mutate((l) => ({ ...l, items: l.items.map((d) => (d.id === delivery.id ? delivery : d)) })),
  });
  const now = useNow();
  const items = log.data?.items ?? null;

  return (
    <section class="wh-log" aria-label={`Deliveries to ${webhook.url}`} data-testid="webhook-log">
      <div class="wh-log-head">
        <h3>Deliveries</h3>
        <label class="wh-log-filter">
          <span class="field-label">Status</span>
          <select
            value={status}
            onChange={(e) => setStatus(e.currentTarget.value as WebhookDeliveryStatus | "")}
            data-testid="webhook-log-status"
          >
            <option value="">All</option>
            {Object.entries(STATUS_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <span class="muted small wh-log-live" role="status">
          {log.loading && items ? <Spinner label="Updating…" /> : "Updates every few seconds"}
        </span>
      </div>
      {log.error ? (
        <ErrorNotice error={log.error} onRetry={() => void log.reload()} />
      ) : !items ? (
        <Spinner label="Loading deliveries…" />
      ) : items.length === 0 ? (
        <p class="wh-log-empty muted" data-testid="webhook-log-empty">
          {status
            ? `No ${STATUS_LABELS[status].toLowerCase()} deliveries.`
            : "Nothing sent yet. Send a test event, or wait for the next change in a conversation."}
        </p>
      ) : (
        <ul class="wh-deliveries">
          {items.map((d) => (
            <DeliveryRow
              key={d.id}
              delivery={d}
              now={now}
              expanded={open === d.id}
              onToggle={() => setOpen(open === d.id ? null : d.id)}
              retrying={retry.busy}
              onRetry={() => void retry.run(d.id)}
            />
          ))}
        </ul>
      )}
      <ErrorNotice
        error={retry.error ?? more.error}
        onDismiss={() => {
          retry.clearError();
          more.clearError();
        }}
      />
      {items && log.data?.nextCursor && (
        <button
          type="button"
          class="btn btn-small wh-log-more"
          disabled={more.busy}
          onClick={() => void more.run(log.data!.nextCursor!)}
          data-testid="webhook-log-more"
        >
          {more.busy ? <Spinner label="Loading…" /> : "Load more"}
        </button>
      )}
    </section>
  );
}

function DeliveryRow({
  delivery: d,
  now,
  expanded,
  onToggle,
  retrying,
  onRetry,
}: {
  delivery: WebhookDelivery;
  now: number;
  expanded: boolean;
  onToggle: () => void;
  retrying: boolean;
  onRetry: () => void;
}) {
  const detailsId = `delivery-${d.id}`;
  return (
    <li class="wh-delivery" data-testid="webhook-delivery" data-id={d.id} data-status={d.status} data-type={d.type}>
      <button
        type="button"
        class="wh-delivery-sum"
        aria-expanded={expanded}
        aria-controls={detailsId}
        onClick={onToggle}
        data-testid="webhook-delivery-toggle"
      >
        <span class="wh-type">{d.type}</span>
        <span class={`badge wh-status wh-status-${d.status}`} data-testid="webhook-delivery-status">
          {STATUS_LABELS[d.status]}
        </span>
        <span class="wh-facts muted">
          <span>{d.responseStatus === null ? "no answer" : `HTTP ${d.responseStatus}`}</span>
          {d.durationMs !== null && <span>{d.durationMs} ms</span>}
          <span>
            {d.attempts} {d.attempts === 1 ? "attempt" : "attempts"}
          </span>
          <time dateTime={d.createdAt} title={fullDate(d.createdAt)}>
            {longAgo(d.createdAt, now)}
          </time>
        </span>
      </button>
      {expanded && (
        <div class="wh-delivery-details" id={detailsId} data-testid="webhook-delivery-details">
          {d.error && (
            <p class="wh-error" data-testid="webhook-delivery-error">
              {d.error}
            </p>
          )}
          <dl class="wh-meta">
            <dt>Event id</dt>
            <dd class="wh-mono">{d.eventId}</dd>
            {d.lastAttemptAt && (
              <>
                <dt>Last attempt</dt>
                <dd>{fullDate(d.lastAttemptAt)}</dd>
              </>
            )}
            {d.nextAttemptAt && (
              <>
                <dt>Next attempt</dt>
                <dd>{fullDate(d.nextAttemptAt)}</dd>
              </>
            )}
            {d.deliveredAt && (
              <>
                <dt>Delivered</dt>
                <dd>{fullDate(d.deliveredAt)}</dd>
              </>
            )}
          </dl>
          <span class="field-label">Response body</span>
          {d.responseBody ? (
            // biome-ignore lint/a11y/noNoninteractiveTabindex: it scrolls, so the keyboard must be able to reach it
            <pre class="wh-body" tabIndex={0} data-testid="webhook-delivery-body">
              {d.responseBody}
            </pre>
          ) : (
            <p class="muted small">{d.responseStatus === null ? "No answer." : "Empty."}</p>
          )}
          <button
            type="button"
            class="btn btn-small"
            disabled={retrying || d.status === "pending"}
            title={d.status === "pending" ? "It is being sent right now" : undefined}
            onClick={onRetry}
            data-testid="webhook-delivery-retry"
          >
            Send again
          </button>
        </div>
      )}
    </li>
  );
}
