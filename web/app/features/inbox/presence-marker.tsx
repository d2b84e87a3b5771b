/** The list's presence markers: yellow while a teammate has the conversation open, red while they type. */
import { useEffect, useState } from "preact/hooks";
import type { Viewer } from "../../../../worker/contract";
import { listViewers, subscribeList } from "../../../lib/live";

/** Re-renders the caller whenever a presence marker changes; read markers with `othersIn`. */
export function useListPresence(): void {
  const [, setVersion] = useState(0);
  useEffect(() => subscribeList("presence", () => setVersion((n) => n + 1)), []);
}

/** The other agents in a conversation (the agent's own tabs don't count). */
export function othersIn(conversationId: string, meId: string): Viewer[] {
  return listViewers(conversationId).filter((v) => v.userId !== meId);
}

/** "Bea Wong is typing · Carl Diaz is viewing". */
function describe(viewers: Viewer[]): string {
  return viewers.map((v) => `${v.name} is ${v.state === "typing" ? "typing" : "viewing"}`).join(" · ");
}

/** "Bea", "Bea +2": whoever types first, then the rest. */
function label(viewers: Viewer[]): string {
  const [first] = [...viewers].sort((x, y) => Number(y.state === "typing") - Number(x.state === "typing"));
  const name = first!.name.trim().split(/\s+/)[0] || first!.name;
  return viewers.length > 1 ? `${name} +${viewers.length - 1}` : name;
}

export function PresenceMarker({ viewers }: { viewers: Viewer[] }) {
  if (viewers.length === 0) return null;
  const typing = viewers.some((v) => v.state === "typing");
  const text = describe(viewers);
  return (
    <span
      class={`presence-marker ${typing ? "is-typing" : "is-viewing"}`}
      title={text}
      role="img"
      aria-label={text}
      data-testid="presence-marker"
      data-state={typing ? "typing" : "viewing"}
    >
      <span class="presence-marker-dot" aria-hidden="true" />
      <span class="presence-marker-name" aria-hidden="true">
        {label(viewers)}
      </span>
      <span class="presence-marker-state" aria-hidden="true">
        {typing ? "typing…" : "viewing"}
      </span>
    </span>
  );
}
