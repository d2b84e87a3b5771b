/**
 * The chat panel as the visitor sees it: header, greeting, pre-chat form,
 * thread, "is typing…", rating, composer. Pure UI: what it shows comes in
 * `view`, what the visitor does goes out through the callbacks.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { Attachment } from "../../worker/contract/attachments";
import { MAX_RATING_COMMENT_CHARS } from "../../worker/contract/limits";
import type { WidgetConfig } from "../../worker/contract/widget";
import { longAgo } from "../lib/time";
import type { ChatView } from "./chat";
import { DraftList, ItemFiles, type Upload, useDrafts } from "./files";

export interface PanelProps {
  config: WidgetConfig;
  view: ChatView;
  /** The settings page's preview: nothing is sent. */
  preview?: boolean;
  /** Identity is required and the site gave none: no chat can start. */
  blocked?: boolean;
  /** Changes each time the panel opens: focus moves into it. */
  focusToken: number;
  prefill?: { name?: string; email?: string };
  onSend: (body: string, prechat: { name?: string; email?: string }, files: Attachment[]) => void;
  /** Uploads a file to the conversation (absent in the preview). */
  onUpload?: Upload;
  /** A picture did not load: its signed URL may have expired. */
  onBroken?: () => void;
  onClose: () => void;
  onRate: (score: number, comment: string) => Promise<void>;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const FOCUSABLE = "button:not([disabled]),textarea:not([disabled]),input:not([disabled]):not([hidden]),[href]";

/** "Hello" → `Hello`; checks the pre-chat answers the way the server will. */
function checkPrechat(mode: WidgetConfig["preChat"], name: string, email: string) {
  const errors: { name?: string; email?: string } = {};
  if (mode === "required" && !name.trim()) errors.name = "Please enter your name";
  if (mode === "required" && !email.trim()) errors.email = "Please enter your email address";
  else if (email.trim() && !EMAIL.test(email.trim()))
    errors.email = "Please enter a valid email address, like name@example.com";
  return errors;
}

function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export function Panel(props: PanelProps) {
  const { config, view, preview, blocked } = props;
  const now = useNow();
  const root = useRef<HTMLDivElement>(null);
  const thread = useRef<HTMLElement>(null);
  const composer = useRef<HTMLTextAreaElement>(null);
  const [body, setBody] = useState("");
  const [who, setWho] = useState({ name: props.prefill?.name ?? "", email: props.prefill?.email ?? "" });
  const [errors, setErrors] = useState<{ name?: string; email?: string }>({});
  // The site told us who this is (identify with name and email): nothing to ask.
  const known = !!(props.prefill?.name && props.prefill?.email);
  const showPrechat = !view.conversationId && !view.pending.length && config.preChat !== "off" && !blocked && !known;
  const shownErrors = { ...view.fieldErrors, ...errors };
  const disabled = !!preview || !!blocked;
  const files = useDrafts(props.onUpload);
  const fileInput = useRef<HTMLInputElement>(null);
  const canAttach = !disabled && !!props.onUpload;
  // Uploads go to a conversation, and the first message starts it: files added before wait for it.
  const started = !!view.conversationId;
  const uploading = files.drafts.some((d) => !d.file && !d.error);
  const queued = files.drafts.some((d) => d.blob);
  const [waiting, setWaiting] = useState(false);

  // Focus moves into the panel when it opens: the first empty pre-chat field, else the composer
  // (or, when chat is unavailable, the first control).
  useEffect(() => {
    if (!props.focusToken) return;
    const field = root.current?.querySelector<HTMLInputElement>(".sb-prechat input");
    const input = composer.current?.disabled ? root.current?.querySelector<HTMLElement>(FOCUSABLE) : composer.current;
    (field && !field.value ? field : input)?.focus();
  }, [props.focusToken]);

  // The site's identify() may arrive after the first render: fill what the visitor has not typed.
  useEffect(() => {
    const p = props.prefill;
    if (p) setWho((w) => ({ name: w.name || p.name || "", email: w.email || p.email || "" }));
  }, [props.prefill]);

  // New messages scroll into view.
  const count = view.items.length + view.pending.length + (view.typing ? 1 : 0);
  useEffect(() => {
    const el = thread.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [count, view.state.canRate]);

  // A message the server refused comes back to the composer.
  useEffect(() => {
    if (view.refused && !body) setBody(view.refused);
  }, [view.refused]);

  const attach = (list: File[]) => canAttach && files.add(list, !started);

  useEffect(() => {
    if (started && queued) files.start();
  }, [started, queued]);

  const send = () => {
    const text = body.trim();
    if ((!text && !files.drafts.some((d) => !d.error)) || disabled) return;
    if (uploading) {
      // Files added before the chat started wait for it: the first message starts it now, they follow.
      if (!started && !view.pending.length) {
        if (!text) return files.setNotice("Type a message to start the chat: your files follow it.");
        if (!sendText(text)) return;
      }
      setWaiting(true);
      return;
    }
    const ready = files.drafts.flatMap((d) => (d.file ? [d.file] : []));
    if (sendText(text, ready)) files.clear();
  };

  const sendText = (text: string, ready: Attachment[] = []) => {
    if (showPrechat) {
      const found = checkPrechat(config.preChat, who.name, who.email);
      setErrors(found);
      const bad = found.name ? "name" : found.email ? "email" : null;
      if (bad) {
        root.current?.querySelector<HTMLInputElement>(`input[name=${bad}]`)?.focus();
        return false;
      }
    }
    props.onSend(
      text,
      showPrechat ? { name: who.name.trim() || undefined, email: who.email.trim() || undefined } : {},
      ready,
    );
    setBody("");
    files.setNotice("");
    const box = composer.current;
    if (box) box.style.height = "";
    box?.focus();
    return true;
  };

  // Send waits for the uploads; a failed one stops it (the visitor decides: remove it, or send without).
  useEffect(() => {
    if (!waiting || uploading) return;
    setWaiting(false);
    if (!files.drafts.some((d) => d.error)) send();
  }, [waiting, uploading]);

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Escape" && !preview) {
      e.preventDefault();
      props.onClose();
    } else if (e.key === "Tab" && root.current) {
      // Focus stays in the panel while it is open.
      const all = [...root.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
      const first = all[0];
      const last = all[all.length - 1];
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last?.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first?.focus();
      }
    }
  };

  return (
    <div
      ref={root}
      class="sb-panel"
      role="dialog"
      aria-modal="true"
      aria-labelledby="sb-title"
      data-testid="widget-panel"
      data-conversation={view.conversationId ?? undefined}
      onKeyDown={onKeyDown}
      onDragOver={(e) => {
        if (e.dataTransfer?.types.includes("Files")) e.preventDefault();
      }}
      onDrop={(e) => {
        if (!e.dataTransfer?.files.length) return;
        e.preventDefault();
        attach([...e.dataTransfer.files]);
      }}
    >
      <header class="sb-head">
        <div>
          <h1 id="sb-title">{config.inboxName}</h1>
          <p class="sb-sub">{view.link === "offline" ? "Reconnecting…" : "We reply as soon as we can"}</p>
        </div>
        {!preview && (
          <button
            type="button"
            class="sb-close"
            aria-label="Close chat"
            onClick={props.onClose}
            data-testid="widget-close"
          >
            <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
              <path d="M6 6l12 12M18 6L6 18" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
            </svg>
          </button>
        )}
      </header>

      <section
        class="sb-thread"
        ref={thread}
        aria-label="Conversation"
        // A picture that loads grows its message: keep the newest in view.
        onLoadCapture={(e) => {
          const el = thread.current;
          if (el && (e.target as HTMLElement).tagName === "IMG") el.scrollTop = el.scrollHeight;
        }}
      >
        {config.greeting && (
          <div class="sb-msg sb-reply sb-greeting">
            <div class="sb-bubble">{config.greeting}</div>
          </div>
        )}
        {view.items.map((item) => (
          <div
            key={`${item.seq}:${item.createdAt}`}
            class={`sb-msg sb-${item.kind}`}
            data-testid="widget-message"
            data-kind={item.kind}
            data-seq={item.seq}
          >
            {item.body && <div class="sb-bubble">{item.body}</div>}
            {!!item.attachments?.length && <ItemFiles files={item.attachments} onBroken={props.onBroken} />}
            <div class="sb-meta">
              {item.kind === "reply" && <span class="sb-author">{item.author.name} · </span>}
              <time dateTime={item.createdAt}>{longAgo(item.createdAt, now)}</time>
            </div>
          </div>
        ))}
        {view.pending.map((p) => (
          <div
            key={p.key}
            class="sb-msg sb-customer sb-pending"
            data-testid="widget-message"
            data-kind="customer"
            data-pending=""
          >
            {p.body && <div class="sb-bubble">{p.body}</div>}
            {p.files && <ItemFiles files={p.files} />}
            <div class="sb-meta">
              {view.link === "offline" || !navigator.onLine ? "Waiting for connection…" : "Sending…"}
            </div>
          </div>
        ))}
        {view.typing && (
          <div class="sb-typing" data-testid="widget-typing">
            <span class="sb-dots" aria-hidden="true">
              <i />
              <i />
              <i />
            </span>
            Agent is typing…
          </div>
        )}
        {(view.state.canRate || view.rated) && <Rating rated={view.rated} onRate={props.onRate} />}
      </section>

      <div class="sr-only" aria-live="polite" aria-atomic="true">
        {view.announce}
      </div>
      <div class="sr-only" aria-live="polite" data-testid="widget-upload-status">
        {files.status}
      </div>

      <form
        class="sb-compose"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
        noValidate
      >
        {blocked && <p class="sb-note">Chat is available when you're signed in.</p>}
        {showPrechat && (
          <fieldset class="sb-prechat" data-testid="widget-prechat">
            <legend>{config.preChat === "required" ? "Before we start" : "Let us know who you are (optional)"}</legend>
            {(["name", "email"] as const).map((field) => (
              <Field
                key={field}
                name={field}
                value={who[field]}
                error={shownErrors[field]}
                onInput={(value) => setWho((w) => ({ ...w, [field]: value }))}
                required={config.preChat === "required"}
                disabled={disabled}
              />
            ))}
          </fieldset>
        )}
        {view.error && !shownErrors.name && !shownErrors.email && (
          <p class="sb-error" role="alert" data-testid="widget-error">
            {view.error}
          </p>
        )}
        {preview && <p class="sb-note">Preview — messages aren't sent</p>}
        {files.notice && (
          <p class="sb-error" role="alert" data-testid="widget-file-notice">
            {files.notice}
          </p>
        )}
        <DraftList drafts={files.drafts} onRemove={files.remove} />
        {queued ? (
          <p class="sb-note">Your files go right after your first message.</p>
        ) : (
          waiting && <p class="sb-note">Sending when your files have uploaded…</p>
        )}
        <div class="sb-row">
          <textarea
            ref={composer}
            rows={1}
            value={body}
            disabled={disabled}
            placeholder="Type your message…"
            aria-label="Message"
            data-testid="widget-composer"
            onInput={(e) => {
              const el = e.currentTarget;
              setBody(el.value);
              el.style.height = "auto";
              el.style.height = `${Math.min(el.scrollHeight, 120)}px`;
            }}
            onPaste={(e) => {
              const pasted = [...(e.clipboardData?.files ?? [])];
              if (!pasted.length) return;
              e.preventDefault();
              attach(pasted);
            }}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
                e.preventDefault();
                send();
              }
            }}
          />
          <button
            type="button"
            class="sb-attach"
            aria-label="Attach files"
            disabled={!canAttach}
            onClick={() => fileInput.current?.click()}
            data-testid="widget-attach"
          >
            <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
              <path
                fill="none"
                stroke="currentColor"
                stroke-width="2"
                stroke-linecap="round"
                d="M20 11.5l-8.1 8.1a5 5 0 0 1-7.1-7.1l8.5-8.5a3.3 3.3 0 0 1 4.7 4.7l-8.5 8.5a1.7 1.7 0 0 1-2.4-2.4l7.8-7.8"
              />
            </svg>
          </button>
          <input
            ref={fileInput}
            type="file"
            multiple
            hidden
            data-testid="widget-file-input"
            onChange={(e) => {
              attach([...(e.currentTarget.files ?? [])]);
              e.currentTarget.value = "";
            }}
          />
          <button
            type="submit"
            class="sb-send"
            aria-label="Send"
            disabled={disabled || (!body.trim() && !files.drafts.some((d) => !d.error))}
            data-testid="widget-send"
          >
            <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
              <path fill="currentColor" d="M3 20.5 21 12 3 3.5 3 10l12 2-12 2z" />
            </svg>
          </button>
        </div>
      </form>
    </div>
  );
}

interface FieldProps {
  name: "name" | "email";
  value: string;
  error?: string;
  required: boolean;
  disabled: boolean;
  onInput: (value: string) => void;
}

function Field(p: FieldProps) {
  const id = `sb-${p.name}`;
  return (
    <div class="sb-field">
      <label for={id}>{p.name === "name" ? "Name" : "Email"}</label>
      <input
        id={id}
        name={p.name}
        type="text"
        inputMode={p.name === "email" ? "email" : undefined}
        autoComplete={p.name}
        value={p.value}
        required={p.required}
        disabled={p.disabled}
        aria-invalid={p.error ? "true" : undefined}
        aria-describedby={p.error ? `${id}-error` : undefined}
        onInput={(e) => p.onInput(e.currentTarget.value)}
      />
      {p.error && (
        <span id={`${id}-error`} class="sb-field-error">
          {p.error}
        </span>
      )}
    </div>
  );
}

const SCORES = ["Very bad", "Bad", "Okay", "Good", "Great"];

function Rating(props: { rated: boolean; onRate: (score: number, comment: string) => Promise<void> }) {
  const [score, setScore] = useState(0);
  const [comment, setComment] = useState("");
  const [busy, setBusy] = useState(false);
  if (props.rated) {
    return (
      <div class="sb-rating" data-testid="widget-rating" data-done="">
        <p>Thanks for your feedback!</p>
      </div>
    );
  }
  return (
    <form
      class="sb-rating"
      data-testid="widget-rating"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!score || busy) return;
        setBusy(true);
        await props.onRate(score, comment);
        setBusy(false);
      }}
    >
      <fieldset class="sb-scores">
        <legend>How did we do?</legend>
        {SCORES.map((label, i) => (
          <button
            key={label}
            type="button"
            data-score={i + 1}
            aria-pressed={score === i + 1}
            aria-label={`${i + 1} of 5, ${label}`}
            onClick={() => setScore(i + 1)}
          >
            {i + 1}
          </button>
        ))}
      </fieldset>
      {score > 0 && (
        <>
          <label class="sb-field">
            <span>Anything to add? (optional)</span>
            <textarea
              rows={2}
              value={comment}
              onInput={(e) => setComment(e.currentTarget.value)}
              maxLength={MAX_RATING_COMMENT_CHARS}
            />
          </label>
          <button type="submit" class="sb-primary" disabled={busy} data-testid="widget-rating-submit">
            Send feedback
          </button>
        </>
      )}
    </form>
  );
}
