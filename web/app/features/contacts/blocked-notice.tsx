/** Why nothing new arrives from a blocked contact: shown on their profile and beside their conversations. */
export function BlockedNotice() {
  return (
    <div class="notice notice-error contact-blocked" role="status" data-testid="contact-blocked">
      <span>
        <strong>Blocked:</strong> their new messages and emails are refused.
      </span>
    </div>
  );
}
