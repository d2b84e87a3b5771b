// @ts-check
// `npm run seed`: fill a demo workspace through the HTTP API, so the real code
// paths run (setup, users, inboxes, access, widget, replies, notes, assignment).
// Every call goes through the typed client (client/), so `npm run typecheck`
// fails when one no longer matches the API.
//
//   PORT       a Switchboard answering there is used (default 8787); when none
//              answers, one is started on a free port with STATE_DIR, and stopped after
//   STATE_DIR  state folder for that server (default .state at the project root)
//
// Does nothing when the workspace is already set up.

import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { ApiError, apiClient, ok, signIn } from "../client/index.mjs";
import { ROOT, assetsDir, freePort, startServer, stopAll } from "./lib/server.mjs";

const PASSWORD = "switchboard-demo";
const port = Number(process.env.PORT || 8787);
const stateDir = path.resolve(
  process.env.INIT_CWD || process.cwd(),
  process.env.STATE_DIR || path.join(ROOT, ".state"),
);

// ---------------------------------------------------------------- the demo data

const WORKSPACE = "Lumen Support";
const BILLING_EMAIL = "billing@example.com";
/** @typedef {{ key: string, name: string, email: string, role: "admin" | "agent" }} DemoUser */

/** @type {DemoUser} */
const ADMIN = { key: "maya", name: "Maya Lindqvist", email: "maya@example.com", role: "admin" };
/** @type {DemoUser[]} */
const AGENTS = [
  { key: "sam", name: "Sam Okafor", email: "sam@example.com", role: "agent" },
  { key: "lucia", name: "Lucía Fernández", email: "lucia@example.com", role: "agent" },
  { key: "jonas", name: "Jonas Weber", email: "jonas@example.com", role: "agent" },
];
/** @type {{ key: string, name: string, channel: "chat" | "email", emailAddress?: string }[]} */
const INBOXES = [
  { key: "web", name: "Website chat", channel: "chat" },
  { key: "app", name: "Mobile app", channel: "chat" },
  { key: "billing", name: "Billing email", channel: "email", emailAddress: BILLING_EMAIL },
];
/**
 * inbox → agent → access level (admins see everything anyway).
 * @type {Record<string, Record<string, "view" | "note" | "reply">>}
 */
const ACCESS = {
  web: { sam: "reply", lucia: "reply", jonas: "view" },
  app: { sam: "reply", lucia: "note", jonas: "reply" },
  billing: { sam: "view", lucia: "reply", jonas: "note" },
};

/** Business hours and SLA targets per inbox. */
const SERVICE_LEVELS = {
  web: {
    hours: null,
    sla: { firstResponseMinutes: 15, nextResponseMinutes: 30, resolutionMinutes: 24 * 60, businessHoursOnly: false },
  },
  billing: {
    hours: {
      timeZone: "Europe/Stockholm",
      weekly: [1, 2, 3, 4, 5].map((day) => ({ day, start: "09:00", end: "17:00" })),
      holidays: ["2026-12-24", "2026-12-25", "2026-12-26", "2027-01-01"],
    },
    sla: { firstResponseMinutes: 4 * 60, resolutionMinutes: 2 * 24 * 60, businessHoursOnly: true },
  },
};

/**
 * @typedef {{ customer?: string, reply?: string, note?: string, body?: string, mention?: string, assign?: string, resolve?: string, rate?: number }} FollowUp
 */

/**
 * Customer conversations started through the chat widget. `then` runs in order:
 * customer follow-ups, agent replies and notes (by who may write them), an
 * assignment, a resolve, and the customer's rating of it.
 * @type {{ inbox: string, customer: { name: string, email: string, language: string }, body: string, followUps: FollowUp[] }[]}
 */
const CONVERSATIONS = [
  {
    inbox: "web",
    customer: { name: "Priya Shah", email: "priya.shah@example.org", language: "en" },
    body: "Hi! I was charged twice for my March invoice (INV-2041). Could you refund the duplicate charge?",
    followUps: [
      { customer: "The card ends in 4417, in case you need it." },
      {
        note: "lucia",
        body: "Checked the payment provider: two charges of $49 on March 3. Safe to refund the second one.",
      },
      {
        reply: "sam",
        body: "Sorry about that, Priya! I've refunded the duplicate charge; it will show on your statement within 5–10 business days.",
      },
      { customer: "Perfect, thank you for the quick help!" },
      { assign: "sam" },
      { resolve: "sam" },
      { rate: 5 },
    ],
  },
  {
    inbox: "web",
    customer: { name: "Tom Becker", email: "tom.becker@example.net", language: "de" },
    body: "Hallo, seit dem letzten Update kann ich mich nicht mehr einloggen. Beim Passwort-Zurücksetzen kommt keine E-Mail an.",
    followUps: [
      { customer: "Meine Adresse ist tom.becker@example.net, falls das hilft." },
      {
        reply: "lucia",
        body: "Hallo Tom, danke für die Nachricht! Ich habe dir den Link gerade noch einmal geschickt – schau bitte auch im Spam-Ordner nach.",
      },
      { assign: "lucia" },
      { resolve: "lucia" },
      { rate: 4 },
    ],
  },
  {
    inbox: "web",
    customer: { name: "Aiko Tanaka", email: "aiko@example.org", language: "en" },
    body: "Is there a way to export all of our conversations to CSV? Our auditor needs them by the end of the month.",
    followUps: [
      {
        note: "sam",
        body: "@Lucía Fernández do we have a CSV export yet? I think it's on the roadmap.",
        mention: "lucia",
      },
      { note: "lucia", body: "Not self-serve yet – engineering can run a one-off export. I'll ask them today." },
    ],
  },
  {
    inbox: "web",
    customer: { name: "Carlos Ruiz", email: "carlos.ruiz@example.net", language: "es" },
    body: "Hola, ¿tienen descuento para ONG? Somos una asociación sin ánimo de lucro con 12 usuarios.",
    followUps: [
      {
        reply: "lucia",
        body: "¡Hola Carlos! Sí, ofrecemos un 50 % de descuento para ONG. Envíanos el certificado de registro y lo activamos en tu cuenta.",
      },
      { customer: "¡Genial! Os lo mando esta tarde." },
      { assign: "lucia" },
    ],
  },
  {
    inbox: "web",
    customer: { name: "Emma Wilson", email: "emma.wilson@example.org", language: "en" },
    body: "Bug report: the dashboard chart shows last week's numbers twice when I switch to the 'Week' view. Chrome 131 on macOS.",
    followUps: [
      { customer: "Same thing on Firefox, I just checked." },
      { note: "sam", body: "Reproduced on staging. Filed as ENG-5521 for the dashboard team." },
      {
        reply: "sam",
        body: "Thanks for the detailed report, Emma! We reproduced it and a fix is on its way – I'll update you here.",
      },
      { assign: "sam" },
    ],
  },
  {
    inbox: "web",
    customer: { name: "Noah Martin", email: "noah.martin@example.net", language: "fr" },
    body: "Bonjour, je voudrais annuler mon abonnement et obtenir un remboursement au prorata pour les mois restants. Merci.",
    followUps: [],
  },
  {
    inbox: "web",
    customer: { name: "Olivia Brown", email: "olivia@example.org", language: "en" },
    body: "How do I add a teammate? The Invite button is greyed out for me.",
    followUps: [
      {
        reply: "sam",
        body: "Hi Olivia! Only workspace owners can invite people. Ask your owner to open Settings → Team, or they can make you an owner too.",
      },
      { customer: "Ah, that explains it. Thanks!" },
    ],
  },
  {
    inbox: "web",
    customer: { name: "Liam Johnson", email: "liam.johnson@example.net", language: "en" },
    body: "Your API starts returning 429 after about 50 requests per minute. Is that the documented limit? We're on the Business plan.",
    followUps: [],
  },
  {
    inbox: "app",
    customer: { name: "Sofia Rossi", email: "sofia.rossi@example.org", language: "it" },
    body: "The app crashes every time I open a photo attachment. Android 15 on a Pixel 8.",
    followUps: [
      { reply: "jonas", body: "Hi Sofia, sorry about that! Which app version do you have? (Settings → About)" },
      { customer: "It says 4.12.0." },
      { note: "jonas", body: "Matches the crash report for 4.12.0 – hotfix 4.12.1 is in review." },
      { assign: "jonas" },
      { resolve: "jonas" },
      { rate: 3 },
    ],
  },
  {
    inbox: "app",
    customer: { name: "Lukas Schmidt", email: "lukas.schmidt@example.net", language: "de" },
    body: "Die Push-Benachrichtigungen kommen bei mir erst Stunden später an. iPhone 15, iOS 18.",
    followUps: [{ note: "lucia", body: "Probably Focus mode or background refresh. Jonas knows the iOS side best." }],
  },
  {
    inbox: "app",
    customer: { name: "Mia Anderson", email: "mia.anderson@example.org", language: "en" },
    body: "Can I use the app offline? I travel a lot and often have no signal.",
    followUps: [
      {
        reply: "jonas",
        body: "Yes! Drafts and the last 30 days of data are available offline, and everything syncs when you're back online.",
      },
    ],
  },
  {
    inbox: "app",
    customer: { name: "Ethan Clark", email: "ethan.clark@example.net", language: "en" },
    body: "I forgot my password and no longer have access to the email address on the account. How can I get back in?",
    followUps: [
      {
        note: "jonas",
        body: "Needs identity verification before we change the login email – see the account recovery checklist.",
      },
      {
        reply: "sam",
        body: "Hi Ethan, we can help. Please reply with the last four digits of the card on file and roughly when you signed up.",
      },
      { assign: "sam" },
    ],
  },
];

// ---------------------------------------------------------------- HTTP

/**
 * What answers on `base`: "switchboard" (with setUp), "other", or null (nothing).
 * A plain fetch, not the typed client: whatever answers there may not be Switchboard or JSON.
 * @param {string} base
 */
async function probe(base) {
  try {
    const res = await fetch(`${base}/api/setup`, { signal: AbortSignal.timeout(3000) });
    const body = await res.json().catch(() => null);
    return body && typeof body.setUp === "boolean" ? { kind: "switchboard", setUp: body.setUp } : { kind: "other" };
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- seeding

/** @param {string} base */
async function seed(base) {
  const admin = apiClient(base);
  const step = (/** @type {string} */ text) => process.stdout.write(`  ${text}\n`);

  try {
    await ok(
      admin.POST("/api/setup", {
        body: { workspace: WORKSPACE, name: ADMIN.name, email: ADMIN.email, password: PASSWORD },
      }),
    );
  } catch (e) {
    if (e instanceof ApiError && e.code === "already_set_up") return { alreadySetUp: /** @type {const} */ (true) };
    throw e;
  }
  step(`workspace "${WORKSPACE}" with admin ${ADMIN.email}`);

  const me = await ok(admin.GET("/api/me"));
  /** @type {Record<string, { key: string, name: string, email: string, role: string, id: string }>} */
  const users = { [ADMIN.key]: { ...ADMIN, id: me.user.id } };
  for (const a of AGENTS) {
    const body = { name: a.name, email: a.email, password: PASSWORD, role: a.role };
    const u = await ok(admin.POST("/api/users", { body }));
    users[a.key] = { ...a, id: u.id };
  }
  step(`${AGENTS.length} agents: ${AGENTS.map((a) => a.name).join(", ")}`);

  /** @type {Record<string, { id: string, widgetKey?: string | null }>} */
  const inboxes = {};
  for (const i of INBOXES) {
    const { key, ...body } = i;
    inboxes[key] = await ok(admin.POST("/api/inboxes", { body }));
  }
  step(`${INBOXES.length} inboxes: ${INBOXES.map((i) => `${i.name} (${i.channel})`).join(", ")}`);

  for (const [inboxKey, grants] of Object.entries(ACCESS)) {
    for (const [userKey, access] of Object.entries(grants)) {
      const params = { path: { inboxId: inboxes[inboxKey].id, userId: users[userKey].id } };
      await ok(admin.PUT("/api/inboxes/{inboxId}/access/{userId}", { params, body: { access } }));
    }
  }
  step("access levels per inbox (view / note / reply)");

  // Service levels: round-the-clock chat answers quickly; billing mail in office hours.
  for (const [key, terms] of Object.entries(SERVICE_LEVELS)) {
    const params = { path: { inboxId: inboxes[key].id } };
    if (terms.hours) await ok(admin.PUT("/api/inboxes/{inboxId}/business-hours", { params, body: terms.hours }));
    await ok(admin.PUT("/api/inboxes/{inboxId}/sla", { params, body: terms.sla }));
  }
  step(
    "business hours and SLA targets: Website chat 24/7 (first reply 15 min), Billing email Mon–Fri 9–17 (first reply 4 h)",
  );

  // Each agent writes as themselves (the client keeps the session cookie of their login).
  /** @type {Record<string, import("../client/index.mjs").ApiClient>} */
  const sessions = { [ADMIN.key]: admin };
  for (const a of AGENTS) sessions[a.key] = await signIn(base, { email: a.email, password: PASSWORD });

  let messages = 0;
  let notes = 0;
  let replies = 0;
  let assigned = 0;
  let resolved = 0;
  let rated = 0;
  for (const conv of CONVERSATIONS) {
    const { name, email, language } = conv.customer;
    const started = await ok(
      apiClient(base).POST("/api/widget/{widgetKey}/conversations", {
        params: { path: { widgetKey: inboxes[conv.inbox].widgetKey ?? "" } },
        body: { name, email, body: conv.body, attributes: { language } },
      }),
    );
    const path = { id: started.conversationId };
    const customer = apiClient(base, { bearer: started.contactToken });
    for (const action of conv.followUps) {
      if (action.customer) {
        await ok(
          customer.POST("/api/widget/conversations/{id}/messages", {
            params: { path },
            body: { body: action.customer },
          }),
        );
        messages++;
      } else if (action.reply || action.note) {
        const kind = action.reply ? "reply" : "note";
        const mentions = action.mention ? [users[action.mention].id] : undefined;
        await ok(
          sessions[/** @type {string} */ (action.reply ?? action.note)].POST("/api/conversations/{id}/messages", {
            params: { path, header: { "Idempotency-Key": randomUUID() } },
            body: { kind, body: action.body, mentions },
          }),
        );
        if (kind === "reply") replies++;
        else notes++;
      } else if (action.assign) {
        await ok(
          admin.PATCH("/api/conversations/{id}", { params: { path }, body: { assigneeId: users[action.assign].id } }),
        );
        assigned++;
      } else if (action.resolve) {
        await ok(
          sessions[action.resolve].PATCH("/api/conversations/{id}", { params: { path }, body: { status: "resolved" } }),
        );
        resolved++;
      } else if (action.rate) {
        await ok(
          customer.POST("/api/widget/conversations/{id}/rating", { params: { path }, body: { score: action.rate } }),
        );
        rated++;
      }
    }
  }
  step(
    `${CONVERSATIONS.length} widget conversations, ${messages} customer follow-ups, ${replies} replies, ${notes} internal notes, ${assigned} assigned, ${resolved} resolved, ${rated} rated`,
  );

  // Inbound mail for the email inbox, through the local email() handler, when the worker has one.
  const mails = [
    {
      from: "Grace Lee <grace.lee@example.org>",
      subject: "VAT number missing on invoice",
      text: "Hello,\n\nour invoice INV-2107 does not show our VAT number (GB123456789). Could you send a corrected copy?\n\nThanks,\nGrace",
    },
    {
      from: "Henrik Larsen <henrik@example.net>",
      subject: "Switch to annual billing",
      text: "Hi there,\n\nwe'd like to move from monthly to annual billing. Do we get the annual discount straight away?\n\nBest,\nHenrik",
    },
  ];
  let mailed = 0;
  let mailError = "";
  for (const m of mails) {
    const address = m.from.match(/<(.+)>/)?.[1] ?? m.from;
    const eml = [
      `From: ${m.from}`,
      `To: ${BILLING_EMAIL}`,
      `Subject: ${m.subject}`,
      `Message-ID: <${randomUUID()}@example.org>`,
      `Date: ${new Date().toUTCString()}`,
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=utf-8",
      "",
      m.text,
      "",
    ].join("\r\n");
    const q = new URLSearchParams({ from: address, to: BILLING_EMAIL });
    try {
      const res = await fetch(`${base}/cdn-cgi/handler/email?${q}`, {
        method: "POST",
        body: eml,
        signal: AbortSignal.timeout(30_000),
      });
      if (!res.ok) {
        mailError = `${res.status} ${(await res.text()).slice(0, 200)}`;
        break;
      }
      mailed++;
    } catch (e) {
      mailError = e.message;
      break;
    }
  }
  if (mailed) step(`${mailed} inbound emails to ${BILLING_EMAIL}`);
  else step(`(no inbound email seeded: the worker's email() handler did not take it: ${mailError.split("\n")[0]})`);

  return { users };
}

// ---------------------------------------------------------------- main

/** @type {Awaited<ReturnType<typeof startServer>> | null} */
let ownServer = null;
let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, async () => {
    if (interrupted) return;
    interrupted = true;
    console.error("\nInterrupted: stopping…");
    await stopAll();
    process.exit(130);
  });
}

try {
  let base = `http://127.0.0.1:${port}`;
  const found = await probe(base);
  if (found?.kind === "other") {
    throw new Error(
      `something that is not Switchboard answers on port ${port}: set PORT to the port of \`npm run dev\`, or to a free one`,
    );
  }
  if (found?.setUp) {
    console.log(`The Switchboard on http://localhost:${port} is already set up: nothing changed.`);
    console.log(
      `To start over: stop it, delete its state folder (STATE_DIR, default .state), then \`npm run dev\` and \`npm run seed\` again.`,
    );
    process.exit(0);
  }
  if (!found) {
    const build = !fs.existsSync(assetsDir());
    const p = await freePort();
    console.log(
      `No Switchboard on port ${port}: starting one on port ${p} with state in ${stateDir}${build ? " (building the web client first)" : ""}…`,
    );
    ownServer = await startServer({ port: p, stateDir, build });
    base = ownServer.url;
  }

  console.log(`Seeding a demo workspace through ${base}/api …`);
  const result = await seed(base);
  if (result.alreadySetUp) {
    console.log("This Switchboard is already set up (409 already_set_up): nothing changed.");
  } else {
    const url = `http://localhost:${port}`;
    const env = [
      process.env.PORT ? `PORT=${port}` : "",
      process.env.STATE_DIR ? `STATE_DIR=${process.env.STATE_DIR}` : "",
    ].filter(Boolean);
    const dev = [...env, "npm run dev"].join(" ");
    console.log("");
    console.log(
      ownServer ? `Done. Start the server with \`${dev}\`, then sign in at ${url}` : `Done. Sign in at ${url}`,
    );
    console.log(`Every demo user's password is: ${PASSWORD}`);
    const width = Math.max(...Object.values(result.users).map((u) => u.email.length));
    for (const u of Object.values(result.users)) {
      const grants =
        u.role === "admin"
          ? "every inbox"
          : INBOXES.map((i) => `${i.name}: ${ACCESS[i.key][u.key] ?? "none"}`).join(", ");
      console.log(`  ${u.email.padEnd(width)}  ${u.role.padEnd(5)}  ${u.name} (${grants})`);
    }
  }
} catch (e) {
  if (!interrupted) console.error(`\nnpm run seed failed: ${e.message}`);
  process.exitCode = 1;
} finally {
  if (ownServer) await ownServer.stop();
}
