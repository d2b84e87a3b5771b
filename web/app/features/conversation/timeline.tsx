/** A conversation's thread: customer messages left, team replies and notes right, events as quiet lines. */
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { describeEvent, type Item } from "../../../../worker/contract";
import { fullDate, longAgo } from "../../../lib/time";
import { Avatar } from "../../components/ui";
import { splitMentions, type Person } from "../../../lib/mentions";
import { LockIcon } from "../../components/icons";
import { AttachmentList } from "../attachments/attachment-list";

/** Merge fetched items into the thread: ordered by seq, nothing shown twice. */
export function mergeItems(current: Item[], incoming: Item[]): Item[] {
  if (incoming.length === 0) return current;
  const bySeq = new Map(current.map((i) => [i.seq, i]));
  for (const item of incoming) bySeq.set(item.seq, item);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** The sentence an event item reads as ("Ada resolved the conversation"), worded by the contract. */
function eventText(item: Item): string {
  if (item.event) return describeEvent(item.event, item.author.name || "Someone");
  return item.body.trim() || "Something changed";
}

/** A note's text with each `@Full Name` of a teammate picked out (you, more so). */
function NoteBody({ body, people, meId }: { body: string; people: Person[]; meId?: string }) {
  return (
    <>
      {splitMentions(body, people).map((part, i) =>
        typeof part === "string" ? (
          part
        ) : (
          <span
            key={i}
            class={`tl-mention${part.person.id === meId ? " is-me" : ""}`}
            data-testid="note-mention"
            data-user-id={part.person.id}
          >
            {part.text}
          </span>
        ),
      )}
    </>
  );
}

/** A reply whose email failed after its last try, and how to send it again. */
export interface FailedEmail {
  failed: ReadonlySet<number>;
  retry(seq: number): void;
}

export function TimelineItem({
  item,
  now,
  people,
  meId,
  email,
  inDialog,
}: {
  item: Item;
  now: number;
  people?: Person[];
  meId?: string;
  email?: FailedEmail;
  /** Shown inside a dialog: images open in a new tab, not a lightbox over it. */
  inDialog?: boolean;
}) {
  const time = (
    <time dateTime={item.createdAt} title={fullDate(item.createdAt)}>
      {longAgo(item.createdAt, now)}
    </time>
  );
  if (item.kind === "event") {
    return (
      <div class="tl-event" data-testid="timeline-item" data-kind="event" data-seq={item.seq}>
        <span class="tl-event-text">{eventText(item)}</span>
        <span class="tl-event-time">{time}</span>
        {/* A forward's email that failed after its last try, like a reply's. */}
        {email?.failed.has(item.seq) && <EmailFailed email={email} seq={item.seq} as="span" />}
      </div>
    );
  }
  const side = item.kind === "customer" ? "left" : "right";
  return (
    <div
      class={`tl-msg tl-${item.kind} tl-${side}`}
      data-testid="timeline-item"
      data-kind={item.kind}
      data-seq={item.seq}
    >
      {side === "left" && <Avatar name={item.author.name || "Customer"} size={30} />}
      <div class="tl-col">
        <div class="tl-meta">
          {item.kind === "note" && (
            <span class="tl-note-label">
              <LockIcon />
              Internal note
            </span>
          )}
          <span class="tl-author">{item.author.name || (item.kind === "customer" ? "Customer" : "Team")}</span>
          {time}
        </div>
        <div class={`tl-bubble${item.body ? "" : " is-files-only"}`}>
          {item.kind === "note" && people?.length ? (
            <NoteBody body={item.body} people={people} meId={meId} />
          ) : (
            item.body
          )}
          {item.attachments?.length ? <AttachmentList attachments={item.attachments} lightbox={!inDialog} /> : null}
        </div>
        {email?.failed.has(item.seq) && <EmailFailed email={email} seq={item.seq} as="div" />}
      </div>
      {side === "right" && <Avatar name={item.author.name || "Team"} size={30} />}
    </div>
  );
}

/** "Email not delivered. Retry" under an item whose email failed after its last try. */
function EmailFailed({ email, seq, as: Tag }: { email: FailedEmail; seq: number; as: "div" | "span" }) {
  return (
    <Tag class="tl-email-failed" data-testid="email-failed">
      Email not delivered.{" "}
      <button type="button" class="link-btn" onClick={() => email.retry(seq)}>
        Retry
      </button>
    </Tag>
  );
}

/** How close to the bottom still counts as "reading the newest". */
const NEAR_BOTTOM_PX = 96;

/**
 * The scrolling thread. It follows new items while the agent is at the
 * bottom (and always for their own); scrolled up to read, they get a quiet
 * "new activity" button instead of a jump.
 */
export function Timeline({
  items,
  now,
  meId,
  people,
  email,
}: {
  items: Item[];
  now: number;
  meId?: string;
  people?: Person[];
  email?: FailedEmail;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const [unseen, setUnseen] = useState(0);
  const shownLast = useRef(0);
  const last = items[items.length - 1];
  const lastSeq = last?.seq ?? 0;

  const toBottom = () => {
    const el = ref.current;
    if (el) el.scrollTop = el.scrollHeight;
    pinned.current = true;
    setUnseen(0);
  };

  useLayoutEffect(() => {
    const previous = shownLast.current;
    shownLast.current = lastSeq;
    if (lastSeq === previous) return;
    const mine = last?.author.type === "user" && last.author.id === meId;
    if (previous === 0 || pinned.current || mine) toBottom();
    else setUnseen((n) => n + items.filter((i) => i.seq > previous).length);
  }, [lastSeq]);

  // The thread's box shrinks when a draft or the presence bar appears: stay at the bottom.
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(() => {
      if (pinned.current) el.scrollTop = el.scrollHeight;
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const onScroll = () => {
    const el = ref.current;
    if (!el) return;
    pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
    if (pinned.current && unseen) setUnseen(0);
  };

  return (
    <div class="timeline-wrap">
      <div class="timeline" ref={ref} onScroll={onScroll} data-testid="timeline">
        <div class="timeline-inner">
          {items.length === 0 ? (
            <p class="tl-empty">No messages yet.</p>
          ) : (
            items.map((item) => (
              <TimelineItem key={item.seq} item={item} now={now} people={people} meId={meId} email={email} />
            ))
          )}
        </div>
      </div>
      {unseen > 0 && (
        <button type="button" class="tl-unseen" onClick={toBottom} data-testid="timeline-unseen">
          {unseen === 1 ? "1 new item" : `${unseen} new items`} ↓
        </button>
      )}
    </div>
  );
}
