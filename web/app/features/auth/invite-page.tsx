/** `/invite/:token`: the invitee picks their name and password, and is signed in. */
import { useEffect, useState } from "preact/hooks";
import type { Me } from "../../../../worker/contract";
import { ApiError, api } from "../../../lib/api";
import { ErrorNotice, Field, Spinner } from "../../components/ui";
import { AuthCard } from "./auth-card";
import { MAX_NAME_CHARS, MIN_PASSWORD_CHARS } from "../../../../worker/contract";

export function InvitePage({ token, onDone }: { token: string; onDone: (me: Me) => void }) {
  const [form, setForm] = useState({ name: "", password: "" });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = "Join your team · Switchboard";
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.acceptInvite({ token, ...form });
      onDone(await api.me());
    } catch (err) {
      setBusy(false);
      setError(err);
    }
  };

  const gone = error instanceof ApiError && (error.code === "not_found" || error.code === "conflict");
  return (
    <AuthCard
      title="Join your team"
      subtitle="You've been invited to Switchboard. Choose the name your teammates and customers see, and a password."
      testid="invite-page"
    >
      {gone ? (
        <LinkGone error={error} testid="invite-sign-in" />
      ) : (
        <form class="form" onSubmit={submit}>
          <Field label="Your name">
            <input
              value={form.name}
              onInput={(e) => setForm({ ...form, name: e.currentTarget.value })}
              required
              maxLength={MAX_NAME_CHARS}
              autoComplete="name"
              autoFocus
              data-testid="invite-name"
            />
          </Field>
          <PasswordField
            value={form.password}
            onInput={(password) => setForm({ ...form, password })}
            testid="invite-password"
          />
          <ErrorNotice error={error} />
          <button type="submit" class="btn btn-primary btn-block btn-large" disabled={busy} data-testid="invite-accept">
            {busy ? <Spinner label="Joining…" /> : "Join"}
          </button>
        </form>
      )}
    </AuthCard>
  );
}

/** A one-time link that no longer works: why, and the way to the sign-in page. */
export function LinkGone({ error, testid }: { error: unknown; testid: string }) {
  return (
    <>
      <ErrorNotice error={error} />
      <a class="btn btn-block" href="/login" data-testid={testid}>
        Go to sign in
      </a>
    </>
  );
}

/** A new password, with the contract's minimum. */
export function PasswordField({
  value,
  onInput,
  testid,
  label = "Password",
}: {
  value: string;
  onInput: (value: string) => void;
  testid: string;
  label?: string;
}) {
  return (
    <Field label={label} hint={`At least ${MIN_PASSWORD_CHARS} characters.`}>
      <input
        type="password"
        value={value}
        onInput={(e) => onInput(e.currentTarget.value)}
        required
        minLength={MIN_PASSWORD_CHARS}
        autoComplete="new-password"
        data-testid={testid}
      />
    </Field>
  );
}
