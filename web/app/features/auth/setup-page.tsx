/** First run: name the workspace and create the first admin. */
import { useEffect, useState } from "preact/hooks";
import type { Me } from "../../../../worker/contract";
import { ApiError, api } from "../../../lib/api";
import { ErrorNotice, Field, Spinner } from "../../components/ui";
import { AuthCard } from "./auth-card";
import { MAX_NAME_CHARS, MIN_PASSWORD_CHARS } from "../../../../worker/contract";

export function SetupPage({ onDone, onAlreadySetUp }: { onDone: (me: Me) => void; onAlreadySetUp: () => void }) {
  const [form, setForm] = useState({ workspace: "", name: "", email: "", password: "" });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = (key: keyof typeof form) => (e: Event) =>
    setForm({ ...form, [key]: (e.currentTarget as HTMLInputElement).value });
  useEffect(() => {
    document.title = "Set up Switchboard";
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.setup(form);
      onDone(await api.me());
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && err.code === "already_set_up") onAlreadySetUp();
      else setError(err);
    }
  };

  return (
    <AuthCard
      title="Set up your workspace"
      subtitle="Create the workspace and your admin account. You can invite your team next."
      testid="setup-page"
    >
      <form class="form" onSubmit={submit}>
        <Field label="Workspace name">
          <input
            value={form.workspace}
            onInput={set("workspace")}
            placeholder="Acme Support"
            required
            maxLength={MAX_NAME_CHARS}
            autoFocus
            data-testid="setup-workspace"
          />
        </Field>
        <Field label="Your name">
          <input
            value={form.name}
            onInput={set("name")}
            placeholder="Ada Lovelace"
            required
            maxLength={MAX_NAME_CHARS}
            autoComplete="name"
            data-testid="setup-name"
          />
        </Field>
        <Field label="Email">
          <input
            type="email"
            value={form.email}
            onInput={set("email")}
            placeholder="ada@acme.com"
            required
            autoComplete="email"
            data-testid="setup-email"
          />
        </Field>
        <Field label="Password" hint={`At least ${MIN_PASSWORD_CHARS} characters.`}>
          <input
            type="password"
            value={form.password}
            onInput={set("password")}
            required
            minLength={MIN_PASSWORD_CHARS}
            autoComplete="new-password"
            data-testid="setup-password"
          />
        </Field>
        <ErrorNotice error={error} />
        <button type="submit" class="btn btn-primary btn-block btn-large" disabled={busy} data-testid="setup-submit">
          {busy ? <Spinner label="Creating workspace…" /> : "Create workspace"}
        </button>
      </form>
    </AuthCard>
  );
}
