/** The conversation page's live room: items and changes as they happen, who else is here, their drafts. */
import { useEffect, useRef, useState } from "preact/hooks";
import type { Conversation, Draft, Item, Viewer } from "../../../../worker/contract";
import { openRoom, type LinkState, type Room } from "../../../lib/live";
import { LiveDraft } from "./live-draft";

export type RoomView = {
  /** `open` once the room has welcomed this page (caught up and live), not merely connected. */
  state: LinkState;
  /** The other agents here, by name; the agent's own tabs are left out. */
  others: Viewer[];
  /** The others' unsent drafts (only of agents still here). */
  drafts: Draft[];
  /** What the composer streams to the room. */
  live: LiveDraft | null;
};

type Handlers = {
  /** The last seq the page holds: a (re)connect replays everything after it. */
  lastSeq: () => number;
  onItem: (item: Item) => void;
  onConversation: (conversation: Conversation) => void;
  /** Back after a lost connection: items are replayed, but field changes made meanwhile are not. */
  onRejoin: () => void;
};

/** Joins the conversation's room once the page has loaded it (`ready`), and leaves it on unmount. */
export function useRoom(conversationId: string, meId: string, ready: boolean, handlers: Handlers): RoomView {
  const [state, setState] = useState<LinkState>("connecting");
  const [viewers, setViewers] = useState<Viewer[]>([]);
  const [drafts, setDrafts] = useState<Map<string, string>>(new Map());
  const [live, setLive] = useState<LiveDraft | null>(null);
  const on = useRef(handlers);
  on.current = handlers;

  useEffect(() => {
    if (!ready) return;
    let room: Room | null = null;
    let welcomes = 0;
    const draft = new LiveDraft((frame) => room?.send(frame));
    room = openRoom(conversationId, {
      lastSeq: () => on.current.lastSeq(),
      onState: (next) => {
        if (next === "open") return; // live once welcomed
        setState(next);
        // Who is here is unknown while the link is down; the welcome tells again.
        setViewers([]);
        setDrafts(new Map());
      },
      onFrame: (frame) => {
        switch (frame.type) {
          case "welcome":
            if (welcomes++ > 0) on.current.onRejoin();
            setState("open");
            setViewers(frame.viewers);
            setDrafts(new Map(frame.drafts.filter((d) => d.body).map((d) => [d.userId, d.body])));
            draft.resync();
            return;
          case "item":
            on.current.onItem(frame.item);
            return;
          case "presence":
            setViewers(frame.viewers);
            return;
          case "draft":
            setDrafts((current) => {
              const next = new Map(current);
              if (frame.body) next.set(frame.userId, frame.body);
              else next.delete(frame.userId);
              return next;
            });
            return;
          case "conversation":
            on.current.onConversation(frame.conversation);
            return;
          case "error":
            console.warn(`Conversation room: ${frame.code}: ${frame.message}`);
        }
      },
    });
    setLive(draft);
    return () => {
      draft.dispose();
      room?.close();
      room = null;
      setLive(null);
      setViewers([]);
      setDrafts(new Map());
      setState("connecting");
    };
  }, [conversationId, ready]);

  const others = viewers.filter((v) => v.userId !== meId);
  const present = new Map(others.map((v) => [v.userId, v.name]));
  return {
    state,
    others,
    drafts: [...drafts]
      .filter(([userId]) => present.has(userId))
      .map(([userId, body]) => ({ userId, name: present.get(userId)!, body })),
    live,
  };
}
