/** Mail in tests: inbound email as Email Routing hands it over, and the minute sweep fired at a chosen time. */
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../worker/index";
import { json, type Person, setUpWorkspace } from "./helpers";

/** Delivers a raw message to the worker's email() handler; returns the reasons it was rejected (bounced) with. */
export async function deliverEmail(raw: string, to = "help@acme.test"): Promise<string[]> {
  const rejected: string[] = [];
  const message = {
    from: raw.match(/^From:.*<(.+)>/m)?.[1] ?? "someone@example.com",
    to,
    headers: new Headers(),
    raw: new Response(raw).body!,
    rawSize: raw.length,
    setReject: (reason: string) => rejected.push(reason),
    forward: async () => ({ messageId: "" }),
    reply: async () => ({ messageId: "" }),
  } as unknown as ForwardableEmailMessage;
  const ctx = createExecutionContext();
  await worker.email(message, env, ctx);
  await waitOnExecutionContext(ctx);
  return rejected;
}

/** A plain-text message with these headers. */
export const mail = (headers: Record<string, string>, body: string) =>
  [
    ...Object.entries({ "MIME-Version": "1.0", "Content-Type": "text/plain; charset=utf-8", ...headers }).map(
      ([k, v]) => `${k}: ${v}`,
    ),
    "",
    body,
  ].join("\r\n");

/** Fires the minute sweep as if it ran at `time`, optionally with a changed environment. */
export async function runSweep(time: number, on: Env = env) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: time, cron: "* * * * *" }), on, ctx);
  await waitOnExecutionContext(ctx);
}

let mailboxes = 0;
/** A new workspace with an email inbox at a fresh address. */
export async function emailInbox(): Promise<{ admin: Person; inboxId: string; address: string }> {
  const { admin } = await setUpWorkspace();
  const address = `help${++mailboxes}@acme.test`;
  const inbox = await json(
    admin.as,
    "/api/inboxes",
    { body: { name: "Mail", channel: "email", emailAddress: address } },
    201,
  );
  return { admin, inboxId: inbox.id, address };
}

/** The environment with the real EMAIL binding, noting each message it is handed on the way through. */
export function recordingEmail(on: Env = env) {
  const handed: EmailMessageBuilder[] = [];
  const recording = {
    ...on,
    EMAIL: {
      send: (m: EmailMessageBuilder) => {
        handed.push(m);
        return on.EMAIL.send(m);
      },
    },
  } as unknown as Env;
  return { handed, recording };
}
