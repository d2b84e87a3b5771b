/** `/reset/:token`: a one-time link from an admin sets a new password; then the user signs in. */
import { useEffect, useState } from "preact/hooks";
import { ApiError, api } from "../../../lib/api";
import { ErrorNotice, Spinner } from "../../components/ui";
import { AuthCard } from "./auth-card";
import { LinkGone, PasswordField } from "./invite-page";

export function ResetPage({ token, onDone }: { token: string; onDone: () => void }) {
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = "Choose a new password · Switchboard";
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.resetPassword({ token, password });
      onDone();
    } catch (err) {
      setBusy(false);
      setError(err);
    }
  };

  const gone = error instanceof ApiError && error.code === "not_found";
  return (
    <AuthCard
      title="Choose a new password"
      subtitle="You'll be signed out everywhere, then sign in with the new password."
      testid="reset-page"
    >
      {gone ? (
        <LinkGone error={error} testid="reset-sign-in" />
      ) : (
        <form class="form" onSubmit={submit}>
          <PasswordField value={password} onInput={setPassword} label="New password" testid="reset-password" />
          <ErrorNotice error={error} />
          <button type="submit" class="btn btn-primary btn-block btn-large" disabled={busy} data-testid="reset-submit">
            {busy ? <Spinner label="Saving…" /> : "Set password"}
          </button>
        </form>
      )}
    </AuthCard>
  );
}
