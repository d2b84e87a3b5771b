/**
 * What a push says. The service worker shows exactly this JSON:
 * `{title, body, url, tag}`. Nothing else travels, and the body is the
 * notification's own preview (access-safe when it was written; not sent at
 * all to someone who lost the conversation since).
 */

/** The longest body a push carries; a phone shows two lines or so anyway. */
export const PUSH_BODY_CHARS = 120;

const TITLES: Record<string, (actor: string) => string> = {
  mention: (a) => `${a} mentioned you`,
  assigned: (a) => `${a} assigned you a conversation`,
  forward: (a) => `${a} answered a forwarded conversation`,
  update: (a) => `${a} updated a conversation you follow`,
  sla: () => "A conversation missed its SLA",
  webhook: () => "A failing webhook was turned off",
};

export interface PushNotice {
  id: string;
  kind: string;
  actorName: string;
  preview: string;
  conversationId: string | null;
}

export interface PushPayload {
  title: string;
  body: string;
  url: string;
  tag: string;
}

export function pushPayload(n: PushNotice): PushPayload {
  const title = (TITLES[n.kind] ?? ((a: string) => `${a} notified you`))(n.actorName);
  const preview = n.preview.replace(/\s+/g, " ").trim();
  const body = preview.length > PUSH_BODY_CHARS ? `${preview.slice(0, PUSH_BODY_CHARS - 1)}…` : preview;
  return n.conversationId
    ? { title, body, url: `/conversations/${n.conversationId}`, tag: `conversation-${n.conversationId}` }
    : { title, body, url: "/settings?tab=webhooks", tag: `${n.kind}-${n.id}` };
}

/** Mentions and assignments ask for someone now; the rest can wait for the phone's next wake-up. */
export const urgencyOf = (kind: string) => (kind === "mention" || kind === "assigned" ? "high" : "normal");
