/** Sign in with email and password. */
import { useEffect, useState } from "preact/hooks";
import type { Me } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { ErrorNotice, Field, Spinner } from "../../components/ui";
import { AuthCard } from "./auth-card";

export function LoginPage({ onDone, notice }: { onDone: (me: Me) => void; notice?: string | null }) {
  const [form, setForm] = useState({ email: "", password: "" });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = (key: keyof typeof form) => (e: Event) =>
    setForm({ ...form, [key]: (e.currentTarget as HTMLInputElement).value });
  useEffect(() => {
    document.title = "Sign in · Switchboard";
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.login(form);
      onDone(await api.me());
    } catch (err) {
      setBusy(false);
      setError(err);
    }
  };

  return (
    <AuthCard title="Sign in" subtitle="Welcome back. Your team's conversations are waiting." testid="login-page">
      {notice && (
        <p class="notice notice-info" data-testid="login-notice">
          {notice}
        </p>
      )}
      <form class="form" onSubmit={submit}>
        <Field label="Email">
          <input
            type="email"
            value={form.email}
            onInput={set("email")}
            required
            autoComplete="username"
            autoFocus
            data-testid="login-email"
          />
        </Field>
        <Field label="Password">
          <input
            type="password"
            value={form.password}
            onInput={set("password")}
            required
            autoComplete="current-password"
            data-testid="login-password"
          />
        </Field>
        <ErrorNotice error={error} />
        <button type="submit" class="btn btn-primary btn-block btn-large" disabled={busy} data-testid="login-submit">
          {busy ? <Spinner label="Signing in…" /> : "Sign in"}
        </button>
      </form>
    </AuthCard>
  );
}
