/**
 * The chat panel as the visitor sees it: header, greeting, pre-chat form,
 * thread, "is typing…", rating, composer. Pure UI: what it shows comes in
 * `view`, what the visitor does goes out through the callbacks.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { MAX_RATING_COMMENT_CHARS } from "../../worker/contract/limits";
import type { WidgetConfig } from "../../worker/contract/widget";
import { longAgo } from "../lib/time";
import type { ChatView } from "./chat";

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
  onSend: (body: string, prechat: { name?: string; email?: string }) => void;
  onClose: () => void;
  onRate: (score: number, comment: string) => Promise<void>;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const FOCUSABLE = "button:not([disabled]),textarea:not([disabled]),input:not([disabled]),[href]";

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

  const send = () => {
    const text = body.trim();
    if (!text || disabled) return;
    if (showPrechat) {
      const found = checkPrechat(config.preChat, who.name, who.email);
      setErrors(found);
      const bad = found.name ? "name" : found.email ? "email" : null;
      if (bad) {
        root.current?.querySelector<HTMLInputElement>(`input[name=${bad}]`)?.focus();
        return;
      }
    }
    props.onSend(text, showPrechat ? { name: who.name.trim() || undefined, email: who.email.trim() || undefined } : {});
    setBody("");
    composer.current?.focus();
  };

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

      <section class="sb-thread" ref={thread} aria-label="Conversation">
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
            <div class="sb-bubble">{item.body}</div>
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
            <div class="sb-bubble">{p.body}</div>
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
        <div class="sb-row">
          <textarea
            ref={composer}
            rows={1}
            value={body}
            disabled={disabled}
            placeholder={preview ? "Preview — messages aren't sent" : "Type your message…"}
            aria-label="Message"
            data-testid="widget-composer"
            onInput={(e) => {
              const el = e.currentTarget;
              setBody(el.value);
              el.style.height = "auto";
              el.style.height = `${Math.min(el.scrollHeight, 120)}px`;
            }}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
                e.preventDefault();
                send();
              }
            }}
          />
          <button
            type="submit"
            class="sb-send"
            aria-label="Send"
            disabled={disabled || !body.trim()}
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
