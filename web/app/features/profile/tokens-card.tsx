/** Profile → API tokens: create one (its secret is shown once), see when each was last used, revoke. */
import { useState } from "preact/hooks";
import { MAX_NAME_CHARS } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { longAgo, useNow } from "../../../lib/time";
import { CopyField } from "../../components/copy-field";
import { RevokeButton } from "../../components/revoke-button";
import { ErrorNotice, Field, Spinner } from "../../components/ui";
import { useAction, useResource } from "../../hooks/resource";

export function TokensCard() {
  const tokens = useResource("me/tokens", () => api.tokens(), { keepPrevious: true });
  const [name, setName] = useState("");
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const create = useAction(() => api.createToken(name), {
    onDone: (made) => {
      setCreated({ name: made.name, token: made.token });
      setName("");
      void tokens.reload();
    },
  });
  const revoke = useAction((id: string) => api.revokeToken(id), { onDone: () => void tokens.reload() });

  const now = useNow();
  const items = tokens.data?.items ?? [];
  return (
    <section class="card profile-card" data-testid="profile-tokens">
      <div class="card-head">
        <h2>API tokens</h2>
        <p>
          For scripts and integrations: send <span class="key">Authorization: Bearer …</span>. A token acts as you.
        </p>
      </div>
      {tokens.error ? (
        <ErrorNotice error={tokens.error} onRetry={() => void tokens.reload()} />
      ) : !tokens.data ? (
        <Spinner label="Loading tokens…" />
      ) : items.length === 0 ? (
        <p class="card-empty">No tokens yet.</p>
      ) : (
        <ul class="people">
          {items.map((t) => (
            <li key={t.id} data-testid="token-row" data-token-id={t.id}>
              <span class="strong">{t.name}</span>
              <span class="muted">
                created {longAgo(t.createdAt, now)} ·{" "}
                {t.lastUsedAt ? `last used ${longAgo(t.lastUsedAt, now)}` : "never used"}
              </span>
              <RevokeButton busy={revoke.busy} onRevoke={() => void revoke.run(t.id)} testid="token-revoke" />
            </li>
          ))}
        </ul>
      )}
      <form
        class="inline-form wrap"
        onSubmit={(e) => {
          e.preventDefault();
          void create.run();
        }}
      >
        <Field label="Token name">
          <input
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
            placeholder="Zapier"
            required
            maxLength={MAX_NAME_CHARS}
            data-testid="token-name"
          />
        </Field>
        <button type="submit" class="btn btn-primary" disabled={create.busy} data-testid="token-create">
          {create.busy ? <Spinner label="Creating…" /> : "Create token"}
        </button>
      </form>
      {created && (
        <div class="link-panel" data-testid="token-created">
          <p>
            <strong>{created.name}</strong>: copy it now. It won't be shown again.
          </p>
          <CopyField value={created.token} label={`API token ${created.name}`} testid="token-secret" />
        </div>
      )}
      <ErrorNotice
        error={create.error ?? revoke.error}
        onDismiss={() => {
          create.clearError();
          revoke.clearError();
        }}
      />
    </section>
  );
}
