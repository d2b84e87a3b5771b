/**
 * Identity verification for a chat inbox's widget: whether it is required, and
 * the secret the site's backend signs user ids with. The secret is only ever
 * seen right after a rotation, which first asks for confirmation (the hashes
 * made with the old secret stop working at once).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../../../lib/api";
import { CopyField } from "../../components/copy-field";
import { ErrorNotice, Spinner } from "../../components/ui";
import { useAction } from "../../hooks/resource";
import { FieldIssue } from "../../components/field-issue";

/** What the site's backend and page do with the secret. */
const EXAMPLE = `// Your server (Node.js) signs the signed-in user's id:
import { createHmac } from "node:crypto";
const hash = createHmac("sha256", process.env.SWITCHBOARD_SECRET)
  .update(String(user.id))
  .digest("hex");

<!-- Your page passes both on (before or after widget.js): -->
<script>
  window.Switchboard = window.Switchboard || function () {
    (Switchboard.q = Switchboard.q || []).push(arguments);
  };
  Switchboard("identify", { userId: "USER_ID", hash: "HASH" });
</script>`;

export function WidgetIdentity({
  inboxId,
  required,
  onRequiredChange,
  issue,
}: {
  inboxId: string;
  required: boolean;
  onRequiredChange: (required: boolean) => void;
  issue?: string[];
}) {
  const [confirming, setConfirming] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const rotate = useAction(() => api.rotateWidgetSecret(inboxId), {
    key: inboxId,
    onDone: (answer) => {
      setSecret(answer.secret);
      setConfirming(false);
    },
  });
  const rotateButton = useRef<HTMLButtonElement>(null);
  const cancelButton = useRef<HTMLButtonElement>(null);
  const secretBox = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (confirming) cancelButton.current?.focus();
  }, [confirming]);
  useEffect(() => {
    if (secret) secretBox.current?.querySelector("input")?.focus();
  }, [secret]);
  const cancel = () => {
    setConfirming(false);
    rotate.clearError();
    // The button is back on the next render.
    requestAnimationFrame(() => rotateButton.current?.focus());
  };

  return (
    <fieldset class="widget-choices" data-testid="widget-identity">
      <legend class="field-label">Identity verification</legend>
      <label class="widget-choice">
        <input
          type="checkbox"
          checked={required}
          onChange={(e) => onRequiredChange(e.currentTarget.checked)}
          aria-invalid={issue?.length ? true : undefined}
          aria-describedby="widget-identity-hint widget-identity-issue"
          data-testid="widget-require-identity"
        />
        <span>
          <span class="widget-choice-label">Require identity verification</span>
          <span class="field-hint" id="widget-identity-hint">
            Only visitors your site has signed in can chat: your backend signs their user id with the secret below, and
            the page passes it on with <code>Switchboard('identify', {"{ userId, hash }"})</code>. Nobody can pose as
            one of your users.
          </span>
        </span>
      </label>
      <FieldIssue id="widget-identity-issue" lines={issue} />

      {secret ? (
        <div class="widget-secret" ref={secretBox} data-testid="widget-secret-shown">
          <p class="field-hint">
            <strong>The new secret, shown only this once.</strong> Store it on your server (never in the page): hashes
            made with the old one no longer work.
          </p>
          <CopyField value={secret} label="Identity secret" testid="widget-secret" />
          <CopyField value={EXAMPLE} label="Example: computing the hash" testid="widget-hmac-example" multiline />
        </div>
      ) : confirming ? (
        <fieldset class="widget-confirm" aria-describedby="widget-rotate-why" data-testid="widget-rotate-confirm">
          <legend>Rotate the secret?</legend>
          <p id="widget-rotate-why">
            The hashes your site makes with the current secret stop working at once: signed-in visitors can't chat until
            your backend uses the new one.
          </p>
          <ErrorNotice error={rotate.error} />
          <div class="form-actions">
            <button type="button" class="btn btn-small" ref={cancelButton} onClick={cancel}>
              Cancel
            </button>
            <button
              type="button"
              class="btn btn-small btn-danger"
              disabled={rotate.busy}
              onClick={() => void rotate.run()}
              data-testid="widget-rotate-confirm-button"
            >
              {rotate.busy ? <Spinner label="Rotating…" /> : "Rotate secret"}
            </button>
          </div>
        </fieldset>
      ) : (
        <div class="widget-secret-row">
          <span class="field-hint">The secret is shown once, when you make a new one.</span>
          <button
            type="button"
            class="btn btn-small"
            ref={rotateButton}
            onClick={() => setConfirming(true)}
            data-testid="widget-rotate"
          >
            Rotate secret…
          </button>
        </div>
      )}
    </fieldset>
  );
}
