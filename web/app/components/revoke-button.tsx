/** The quiet red "Revoke" at the end of a row (a token, an invitation). */
export function RevokeButton({ busy, onRevoke, testid }: { busy: boolean; onRevoke: () => void; testid: string }) {
  return (
    <span class="person-actions">
      <button
        type="button"
        class="btn btn-small btn-ghost btn-danger-text"
        disabled={busy}
        onClick={onRevoke}
        data-testid={testid}
      >
        Revoke
      </button>
    </span>
  );
}
