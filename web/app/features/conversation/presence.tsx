/** Who else is in the conversation, what they are writing, and whether the page is live. */
import type { Draft, Viewer } from "../../../../worker/contract";
import type { LinkState } from "../../../lib/live";
import { Avatar } from "../../components/ui";

function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] || name;
}

/** "Bea", "Bea and Carl", "Bea, Carl and Dee". */
export function joinNames(names: string[]): string {
  if (names.length <= 1) return names[0] ?? "";
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** The other agents here, at the top of the thread; whoever types gets a red ring. */
export function PresenceBar({ others }: { others: Viewer[] }) {
  if (others.length === 0) return null;
  const typing = others.filter((v) => v.state === "typing");
  const viewing = others.filter((v) => v.state !== "typing");
  const names = (vs: Viewer[]) => joinNames(vs.map((v) => firstName(v.name)));
  const verb = (vs: Viewer[]) => (vs.length === 1 ? "is" : "are");
  return (
    <div class="presence-bar" data-testid="presence-bar" aria-live="polite">
      <div class="presence-avatars">
        {others.map((v) => (
          <span
            key={v.userId}
            class={`presence-avatar is-${v.state}`}
            title={`${v.name} is ${v.state === "typing" ? "typing" : "viewing"}`}
            data-testid="presence-avatar"
            data-user-id={v.userId}
            data-state={v.state}
          >
            <Avatar name={v.name} size={26} />
          </span>
        ))}
      </div>
      <span class="presence-text" data-testid="presence-text">
        {typing.length > 0 && <span class="is-typing">{`${names(typing)} ${verb(typing)} typing…`}</span>}
        {typing.length > 0 && viewing.length > 0 && <span class="presence-sep"> · </span>}
        {viewing.length > 0 && `${names(viewing)} ${verb(viewing)} ${typing.length ? "" : "also "}here`}
      </span>
    </div>
  );
}

/** The others' unsent drafts, under the thread: muted, labelled, never mistaken for a message. */
export function DraftPreviews({ drafts, others }: { drafts: Draft[]; others: Viewer[] }) {
  if (drafts.length === 0) return null;
  return (
    <div class="drafts">
      {drafts.map((d) => {
        const typing = others.some((v) => v.userId === d.userId && v.state === "typing");
        return (
          <section
            key={d.userId}
            class={`draft-preview${typing ? " is-typing" : ""}`}
            data-testid="draft-preview"
            data-user-id={d.userId}
            aria-label={`${d.name}'s draft`}
          >
            <header class="draft-head">
              <Avatar name={d.name} size={18} />
              <span data-testid="draft-label">
                {typing ? (
                  <>
                    <strong>{firstName(d.name)}</strong> is writing a reply
                    <span class="typing-dots" aria-hidden="true">
                      <i />
                      <i />
                      <i />
                    </span>
                  </>
                ) : (
                  <>
                    <strong>{firstName(d.name)}</strong> has an unsent draft
                  </>
                )}
              </span>
              <span class="draft-hint">Not sent yet</span>
            </header>
            <DraftBody body={d.body} />
          </section>
        );
      })}
    </div>
  );
}

/** Long drafts show their end, where the writing happens. */
function DraftBody({ body }: { body: string }) {
  return (
    <div
      class="draft-body"
      data-testid="draft-body"
      ref={(el) => {
        if (el) el.scrollTop = el.scrollHeight;
      }}
    >
      {body}
    </div>
  );
}

/** A quiet banner while the room's socket is down; changes catch up when it is back. */
export function OfflineBanner({ state }: { state: LinkState }) {
  if (state !== "offline") return null;
  return (
    <div class="offline-banner" role="status" data-testid="offline-banner">
      <span class="offline-dot" aria-hidden="true" />
      Reconnecting… changes will appear when you're back
    </div>
  );
}
