/** Profile → API tokens: create one (its secret is shown once), see when each was last used, revoke. */
import { useState } from "preact/hooks";
import { MAX_NAME_CHARS } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { longAgo, useNow } from "../../../lib/time";
import { CopyField } from "../../components/copy-field";
import { ErrorNotice, Field, Spinner } from "../../components/ui";
import { useResource } from "../../hooks/resource";

export function TokensCard() {
  const tokens = useResource("me/tokens", () => api.tokens(), { keepPrevious: true });
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);

  const create = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const made = await api.createToken(name);
      setCreated({ name: made.name, token: made.token });
      setName("");
      await tokens.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (id: string) => {
    setError(null);
    try {
      await api.revokeToken(id);
      await tokens.reload();
    } catch (err) {
      setError(err);
    }
  };

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
              <span class="person-actions">
                <button
                  type="button"
                  class="btn btn-small btn-ghost btn-danger-text"
                  onClick={() => void revoke(t.id)}
                  data-testid="token-revoke"
                >
                  Revoke
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
      <form class="inline-form wrap" onSubmit={create}>
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
        <button type="submit" class="btn btn-primary" disabled={busy} data-testid="token-create">
          {busy ? <Spinner label="Creating…" /> : "Create token"}
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
      <ErrorNotice error={error} onDismiss={() => setError(null)} />
    </section>
  );
}
