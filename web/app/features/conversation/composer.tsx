/**
 * Reply / Note composer. Each send carries an Idempotency-Key, kept while the
 * same send is retried, and the last seq the agent had seen when they started
 * writing, so the server can refuse a reply that would talk over a newer
 * message (409 `collision`) — even one that arrived live while they typed.
 * While the agent writes, `live` tells the room (typing, draft). Notes offer
 * @mention autocomplete; both kinds can insert a saved reply. Every change to
 * the text — typed, a picked mention, an inserted saved reply — reaches
 * `edit()` through the textarea's input event. Files (the Attach button, a drop
 * on the composer, a pasted screenshot) upload at once and go with the
 * message as `attachmentIds`; a message may be files alone. Drafts stay text.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { isCustomerKind, type Access, type Item } from "../../../../worker/contract";
import { api, collisionItems, newIdempotencyKey } from "../../../lib/api";
import { Dialog, ErrorNotice, Spinner } from "../../components/ui";
import { useMentions } from "./mention-autocomplete";
import { SavedReplyPicker } from "./saved-reply-picker";
import { insertAtCaret } from "../../../lib/textarea";
import type { LiveDraft } from "./live-draft";
import { TimelineItem } from "./timeline";
import { useUploads } from "../attachments/use-uploads";
import { AttachButton, UploadTray } from "../attachments/upload-tray";
import { pastedImages } from "../attachments/files";
import { useFileDrop } from "../attachments/use-file-drop";
import { useCommands } from "../keyboard/commands";

type Kind = "reply" | "note";
type Pending = { key: string; kind: Kind; body: string; files: string; force: boolean };

const isMac = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform);

type Drafts = Record<Kind, string>;
const noDrafts: Drafts = { reply: "", note: "" };
const draftKey = (conversationId: string) => `switchboard:draft:${conversationId}`;

/** Drafts survive moving between conversations and reloads (per tab), until sent. */
function loadDrafts(conversationId: string): Drafts {
  try {
    const saved = JSON.parse(sessionStorage.getItem(draftKey(conversationId)) ?? "null") as Partial<Drafts> | null;
    return {
      reply: typeof saved?.reply === "string" ? saved.reply : "",
      note: typeof saved?.note === "string" ? saved.note : "",
    };
  } catch {
    return noDrafts;
  }
}

function saveDrafts(conversationId: string, drafts: Drafts): void {
  try {
    if (drafts.reply || drafts.note) sessionStorage.setItem(draftKey(conversationId), JSON.stringify(drafts));
    else sessionStorage.removeItem(draftKey(conversationId));
  } catch {
    /* Storage can be full or disabled; the draft still lives in memory. */
  }
}

export function Composer(props: {
  conversationId: string;
  /** Whose teammates can be mentioned: those who see this inbox. */
  inboxId: string;
  /** For the saved replies' `{{contact.name}}` and `{{contact.email}}`. */
  contact: { name: string | null; email: string | null };
  access: Exclude<Access, "view">;
  seenSeq: number;
  contactName: string;
  /** The conversation is resolved: a reply will reopen it. */
  resolved: boolean;
  now: number;
  /** Streams typing and the draft to the room; absent while there is no room. */
  live?: LiveDraft | null;
  /** A send started (true) or ended, whatever its outcome (false). */
  onSending?: (sending: boolean) => void;
  onSent: (item: Item) => void;
  onReview: (newer: Item[]) => void;
}) {
  const { conversationId, access } = props;
  const kinds: Kind[] = access === "reply" ? ["reply", "note"] : ["note"];
  const [kind, setKind] = useState<Kind>(kinds[0]!);
  const [drafts, setDrafts] = useState<Drafts>(() => loadDrafts(conversationId));
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [collision, setCollision] = useState<Item[] | null>(null);
  const pending = useRef<Pending | null>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  /**
   * Per kind, the last seq seen when the current draft was started: items that
   * arrive live while the agent types do not count as read until they review them.
   */
  const since = useRef<Record<Kind, number | null>>({ reply: null, note: null });
  const body = drafts[kind];
  const mentions = useMentions(input, props.inboxId, { enabled: kind === "note" });
  const seenSeq = useRef(props.seenSeq);
  seenSeq.current = props.seenSeq;
  const uploads = useUploads(props.inboxId, conversationId);
  const drop = useFileDrop((files) => {
    uploads.add(files);
    input.current?.focus();
  });
  const hasContent = body.trim().length > 0 || uploads.ids.length > 0;
  /** Why the message cannot go yet, when it is the files. */
  const waiting = uploads.uploading
    ? "Waiting for the upload to finish…"
    : uploads.failed
      ? "Remove or retry the file that failed"
      : null;

  useEffect(() => {
    const restored = loadDrafts(conversationId);
    setKind(kinds[0]!);
    setDrafts(restored);
    setError(null);
    setCollision(null);
    pending.current = null;
    since.current = { reply: restored.reply ? seenSeq.current : null, note: restored.note ? seenSeq.current : null };
  }, [conversationId, access]);

  useEffect(() => saveDrafts(conversationId, drafts), [drafts]);

  /** Switch to writing a reply or a note, and put the cursor in the box. */
  const write = (k: Kind) => {
    setKind(k);
    setError(null);
    if (k !== kind) props.live?.input(drafts[k], k);
    input.current?.focus();
  };
  useCommands({ reply: kinds.includes("reply") && (() => write("reply")), note: () => write("note") });

  const send = async (force = false) => {
    if (!hasContent || sending || waiting) return;
    const attachmentIds = uploads.ids;
    const files = attachmentIds.join(",");
    // A retry of the very same send reuses its key, so the server writes it once.
    const same = pending.current;
    const key =
      same && same.kind === kind && same.body === body && same.files === files && same.force === force
        ? same.key
        : newIdempotencyKey();
    pending.current = { key, kind, body, files, force };
    setSending(true);
    setError(null);
    props.onSending?.(true);
    try {
      const lastSeenSeq = since.current[kind] ?? props.seenSeq;
      const mentioned = kind === "note" ? mentions.mentionIds(body) : [];
      const item = await api.postMessage(
        conversationId,
        {
          kind,
          body,
          lastSeenSeq,
          ...(force && { force: true }),
          ...(mentioned.length > 0 && { mentions: mentioned }),
          ...(attachmentIds.length > 0 && { attachmentIds }),
        },
        key,
      );
      pending.current = null;
      since.current[kind] = null;
      setDrafts((d) => ({ ...d, [kind]: "" }));
      uploads.sent(attachmentIds);
      setCollision(null);
      props.live?.sent();
      props.onSent(item);
      input.current?.focus();
    } catch (err) {
      const newer = collisionItems(err);
      if (newer) {
        pending.current = null;
        setCollision(newer);
      } else {
        setCollision(null);
        setError(err);
      }
    } finally {
      setSending(false);
      props.onSending?.(false);
    }
  };

  const review = () => {
    if (collision) {
      props.onReview(collision);
      // Reviewed: the reply now answers everything up to the newest of them.
      const newest = Math.max(props.seenSeq, ...collision.map((i) => i.seq));
      since.current[kind] = newest;
    }
    setCollision(null);
    input.current?.focus();
  };

  /** Every change to the text goes through here (typing, and any inserted text): draft, baseline, room. */
  const edit = (value: string) => {
    if (!value.trim()) since.current[kind] = null;
    else if (since.current[kind] === null) since.current[kind] = props.seenSeq;
    setDrafts((d) => ({ ...d, [kind]: value }));
    props.live?.input(value, kind);
  };

  /** A pasted screenshot becomes a file; pasted text stays text. */
  const onPaste = (e: ClipboardEvent) => {
    const images = pastedImages(e.clipboardData);
    if (images.length === 0) return;
    e.preventDefault();
    uploads.add(images);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) {
      e.preventDefault();
      void send();
    }
  };

  const placeholder =
    kind === "reply" ? `Reply to ${props.contactName}…` : "Write an internal note — type @ to mention a teammate";
  return (
    // Dropping files is a pointer shortcut; the Attach button does the same from the keyboard.
    <div
      class={`composer composer-${kind}${drop.dropping ? " is-dropping" : ""}`}
      data-testid="composer"
      data-kind={kind}
      {...drop.handlers}
    >
      <div class="composer-tabs" role="tablist">
        {kinds.map((k) => (
          <button
            key={k}
            type="button"
            role="tab"
            aria-selected={k === kind}
            class={`composer-tab${k === kind ? " active" : ""}`}
            onClick={() => write(k)}
            data-testid={`composer-tab-${k}`}
          >
            {k === "reply" ? "Reply" : "Note"}
          </button>
        ))}
        {kind === "note" && <span class="composer-hint">Internal — not visible to the customer</span>}
      </div>
      <textarea
        ref={input}
        class="composer-input"
        rows={3}
        value={body}
        placeholder={placeholder}
        onInput={(e) => edit(e.currentTarget.value)}
        onBlur={() => props.live?.blur()}
        onKeyDown={onKeyDown}
        onPaste={onPaste}
        data-testid="composer-input"
        aria-label={kind === "reply" ? "Reply" : "Internal note"}
      />
      {mentions.popup}
      <UploadTray uploads={uploads} disabled={sending} />
      <ErrorNotice error={error} />
      <div class="composer-foot">
        <div class="composer-tools">
          <AttachButton onFiles={uploads.add} disabled={sending} />
          <SavedReplyPicker
            contact={props.contact}
            onInsert={(text) => input.current && insertAtCaret(input.current, text)}
            disabled={sending}
          />
        </div>
        {waiting ? (
          <span class="composer-shortcut composer-waiting" data-testid="composer-waiting">
            {waiting}
          </span>
        ) : (
          <span class="composer-shortcut">
            <span class="composer-keys">
              <kbd>{isMac ? "⌘" : "Ctrl"}</kbd> + <kbd>Enter</kbd> to send
            </span>
            {kind === "reply" && props.resolved && (
              <span class="composer-reopens">
                <span class="composer-sep"> · </span>Replying reopens this conversation
              </span>
            )}
          </span>
        )}
        <button
          type="button"
          class={`btn ${kind === "note" ? "btn-note" : "btn-primary"}`}
          onClick={() => void send()}
          disabled={sending || !hasContent || waiting !== null}
          data-testid="composer-send"
        >
          {sending ? <Spinner label="Sending…" /> : kind === "reply" ? "Send reply" : "Add note"}
        </button>
      </div>
      {drop.dropping && (
        <div class="composer-drop" aria-hidden="true" data-testid="composer-drop">
          Drop files to attach
        </div>
      )}
      {collision && (
        <CollisionDialog
          newer={collision}
          now={props.now}
          sending={sending}
          onReview={review}
          onSendAnyway={() => void send(true)}
          onClose={() => setCollision(null)}
        />
      )}
    </div>
  );
}

function CollisionDialog(props: {
  newer: Item[];
  now: number;
  sending: boolean;
  onReview: () => void;
  onSendAnyway: () => void;
  onClose: () => void;
}) {
  const latest = [...props.newer].reverse().find((i) => isCustomerKind(i.kind)) ?? props.newer[props.newer.length - 1];
  const who = latest?.author.name || "Someone";
  return (
    <Dialog title={`${who} replied while you were typing`} onClose={props.onClose} testid="collision-dialog" wide>
      <p class="dialog-text">
        {props.newer.length === 1 ? "This message arrived" : `These ${props.newer.length} messages arrived`} after you
        started your reply. Review {props.newer.length === 1 ? "it" : "them"} before sending, or send your reply as it
        is.
      </p>
      <div class="collision-items">
        {props.newer.map((item) => (
          <TimelineItem key={item.seq} item={item} now={props.now} inDialog />
        ))}
      </div>
      <div class="form-actions">
        <button type="button" class="btn" onClick={props.onReview} data-testid="collision-review" data-autofocus>
          Review
        </button>
        <button
          type="button"
          class="btn btn-primary"
          onClick={props.onSendAnyway}
          disabled={props.sending}
          data-testid="collision-send-anyway"
        >
          {props.sending ? <Spinner label="Sending…" /> : "Send anyway"}
        </button>
      </div>
    </Dialog>
  );
}
