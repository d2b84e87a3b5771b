/**
 * A strip under the conversation header for the statuses that hide it from
 * the open views: "Snoozed until …" with Wake now, "Marked as spam" with Restore.
 */
import { useState } from "preact/hooks";
import type { Conversation } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { fullDate } from "../../../lib/time";
import { Spinner } from "../../components/ui";

import { wakeLabel } from "./zoned-time";
import { ClockIcon, SpamIcon } from "../../components/icons";

export function StatusBanner(props: {
  conversation: Conversation;
  timeZone: string;
  now: number;
  canAct: boolean;
  onChange: (c: Conversation) => void;
  onError: (error: unknown) => void;
}) {
  const c = props.conversation;
  const [busy, setBusy] = useState(false);
  if (c.status !== "snoozed" && c.status !== "spam") return null;

  const reopen = async () => {
    setBusy(true);
    props.onError(null);
    try {
      props.onChange(await api.setStatus(c.id, "open"));
    } catch (error) {
      props.onError(error);
    } finally {
      setBusy(false);
    }
  };

  const snoozed = c.status === "snoozed";
  const until = c.snoozedUntil ? Date.parse(c.snoozedUntil) : NaN;
  return (
    <div class={`lc-banner is-${c.status}`} role="status" data-testid="status-banner" data-status={c.status}>
      {snoozed ? <ClockIcon /> : <SpamIcon />}
      <span class="lc-banner-text" data-testid="status-banner-text">
        {snoozed ? (
          <>
            Snoozed until{" "}
            <strong title={c.snoozedUntil ? fullDate(c.snoozedUntil) : undefined}>
              {Number.isNaN(until) ? "later" : wakeLabel(until, props.now, props.timeZone)}
            </strong>
            <span class="lc-banner-aside"> · then it returns to the open views</span>
          </>
        ) : (
          <>
            <strong>Marked as spam</strong>
            <span class="lc-banner-aside"> · hidden from the open views</span>
          </>
        )}
      </span>
      {props.canAct && (
        <button
          type="button"
          class="btn btn-small lc-banner-action"
          onClick={() => void reopen()}
          disabled={busy}
          data-testid={snoozed ? "wake-button" : "restore-button"}
        >
          {busy ? <Spinner /> : snoozed ? "Wake now" : "Restore"}
        </button>
      )}
    </div>
  );
}
