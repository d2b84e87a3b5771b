/** Profile → Password: change it; every other session of this user is signed out. */
import { useState } from "preact/hooks";
import { api } from "../../../lib/api";
import { ErrorNotice, Field, Spinner } from "../../components/ui";
import { useAction } from "../../hooks/resource";
import { PasswordField } from "../auth/invite-page";

export function PasswordCard() {
  const empty = { currentPassword: "", newPassword: "" };
  const [form, setForm] = useState(empty);
  const [done, setDone] = useState(false);
  const change = useAction(() => api.changePassword(form), {
    onDone: () => {
      setForm(empty);
      setDone(true);
    },
  });
  const submit = (e: Event) => {
    e.preventDefault();
    setDone(false);
    void change.run();
  };

  return (
    <form class="card profile-card" onSubmit={submit} data-testid="profile-password">
      <div class="card-head">
        <h2>Password</h2>
        <p>Changing it signs you out on every other device and browser.</p>
      </div>
      <div class="form">
        <Field label="Current password">
          <input
            type="password"
            value={form.currentPassword}
            onInput={(e) => setForm({ ...form, currentPassword: e.currentTarget.value })}
            required
            autoComplete="current-password"
            data-testid="password-current"
          />
        </Field>
        <PasswordField
          label="New password"
          value={form.newPassword}
          onInput={(newPassword) => setForm({ ...form, newPassword })}
          testid="password-new"
        />
      </div>
      <ErrorNotice error={change.error} />
      <div class="form-actions profile-actions">
        {done && (
          <span class="saved-mark" data-testid="password-changed">
            ✓ Password changed
          </span>
        )}
        <button type="submit" class="btn btn-primary" disabled={change.busy} data-testid="password-submit">
          {change.busy ? <Spinner label="Saving…" /> : "Change password"}
        </button>
      </div>
    </form>
  );
}
