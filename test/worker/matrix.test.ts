/**
 * The permission matrix: every endpoint of the API, tried by every kind of
 * caller, against the status (and error code) the table below says.
 *
 * Roles: an admin; agents holding reply / note / view on the inbox, and one
 * with no access to it; a customer (their widget's contact token as a bearer
 * token); and an anonymous caller. Each role acts on its own conversation in
 * the inbox (the customer on the one they started), so one role's successes
 * never change what the next role is tried against.
 */
import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { app } from "../../worker/app";
import {
  agentWith,
  call,
  json,
  PASSWORD,
  signIn,
  startConversation,
  supportTeam,
  type As,
  type Person,
} from "./helpers";

const ROLES = ["admin", "reply", "note", "view", "none", "customer", "anonymous"] as const;
type Role = (typeof ROLES)[number];

/** A bare status stands for its usual code; other codes are spelt out. */
const USUAL_CODE: Record<number, string> = {
  400: "validation_failed",
  401: "unauthenticated",
  403: "forbidden",
  404: "not_found",
};

type Cell = number | `${number} ${string}`;

/**
 * What each role gets. 101 is a WebSocket upgrade accepted. A note in brackets
 * tells apart requests to the same route.
 */
// prettier-ignore
const MATRIX: Record<
  string,
  [admin: Cell, reply: Cell, note: Cell, view: Cell, none: Cell, customer: Cell, anonymous: Cell]
> = {
  //                                                           admin reply note  view  none  customer anonymous
  "GET /api/openapi.json": [200, 200, 200, 200, 200, 200, 200],
  "GET /api/docs": [200, 200, 200, 200, 200, 200, 200],
  "GET /api/setup": [200, 200, 200, 200, 200, 200, 200],
  "POST /api/setup": [
    "409 already_set_up",
    "409 already_set_up",
    "409 already_set_up",
    "409 already_set_up",
    "409 already_set_up",
    "409 already_set_up",
    "409 already_set_up",
  ],
  "POST /api/auth/login": [200, 200, 200, 200, 200, 200, 200],
  "POST /api/auth/logout": [204, 204, 204, 204, 204, 204, 204],
  // Public: the link's secret is the key (each role redeems an invitation of its own; a reset link that is not one).
  "POST /api/auth/accept-invite": [201, 201, 201, 201, 201, 201, 201],
  "POST /api/auth/reset": [404, 404, 404, 404, 404, 404, 404],
  "GET /api/me": [200, 200, 200, 200, 200, 401, 401],
  "PATCH /api/me": [200, 200, 200, 200, 200, 401, 401],
  "POST /api/me/tokens": [201, 201, 201, 201, 201, 401, 401],
  "GET /api/me/tokens": [200, 200, 200, 200, 200, 401, 401],
  "DELETE /api/me/tokens/:id": [204, 204, 204, 204, 204, 401, 401],
  "GET /api/me/push-subscriptions": [200, 200, 200, 200, 200, 401, 401],
  "POST /api/me/push-subscriptions": [201, 201, 201, 201, 201, 401, 401],
  "DELETE /api/me/push-subscriptions/:id": [204, 204, 204, 204, 204, 401, 401],
  "POST /api/me/password": [204, 204, 204, 204, 204, 401, 401],
  "GET /api/users": [200, 200, 200, 200, 200, 401, 401],
  "POST /api/users": [201, 403, 403, 403, 403, 401, 401],
  "PATCH /api/users/:id": [200, 403, 403, 403, 403, 401, 401],
  "POST /api/users/:id/password-reset": [201, 403, 403, 403, 403, 401, 401],
  "GET /api/invitations": [200, 403, 403, 403, 403, 401, 401],
  "POST /api/invitations": [201, 403, 403, 403, 403, 401, 401],
  "DELETE /api/invitations/:id": [204, 403, 403, 403, 403, 401, 401],
  "GET /api/inboxes": [200, 200, 200, 200, 200, 401, 401],
  "POST /api/inboxes": [201, 403, 403, 403, 403, 401, 401],
  "PATCH /api/inboxes/:inboxId": [200, 403, 403, 403, 403, 401, 401],
  "POST /api/inboxes/:inboxId/widget-secret": [201, 403, 403, 403, 403, 401, 401],
  "PUT /api/inboxes/:inboxId/business-hours": [200, 403, 403, 403, 403, 401, 401],
  "DELETE /api/inboxes/:inboxId/business-hours": [200, 403, 403, 403, 403, 401, 401],
  "PUT /api/inboxes/:inboxId/sla": [200, 403, 403, 403, 403, 401, 401],
  "GET /api/inboxes/:inboxId/access": [200, 403, 403, 403, 403, 401, 401],
  "PUT /api/inboxes/:inboxId/access/:userId": [200, 403, 403, 403, 403, 401, 401],
  "DELETE /api/inboxes/:inboxId/access/:userId": [204, 403, 403, 403, 403, 401, 401],
  "GET /api/inboxes/:inboxId/rules": [200, 403, 403, 403, 403, 401, 401],
  "POST /api/inboxes/:inboxId/rules": [201, 403, 403, 403, 403, 401, 401],
  "PATCH /api/inboxes/:inboxId/rules/:ruleId": [200, 403, 403, 403, 403, 401, 401],
  "DELETE /api/inboxes/:inboxId/rules/:ruleId": [204, 403, 403, 403, 403, 401, 401],
  "GET /api/teams": [200, 200, 200, 200, 200, 401, 401],
  "POST /api/teams": [201, 403, 403, 403, 403, 401, 401],
  "PATCH /api/teams/:id": [200, 403, 403, 403, 403, 401, 401],
  "DELETE /api/teams/:id": [204, 403, 403, 403, 403, 401, 401],
  "GET /api/tags": [200, 200, 200, 200, 200, 401, 401],
  "PATCH /api/tags/:id": [200, 403, 403, 403, 403, 401, 401],
  "DELETE /api/tags/:id": [204, 403, 403, 403, 403, 401, 401],
  "GET /api/saved-replies": [200, 200, 200, 200, 200, 401, 401],
  "POST /api/saved-replies": [201, 403, 403, 403, 403, 401, 401],
  "PATCH /api/saved-replies/:id": [200, 403, 403, 403, 403, 401, 401],
  "DELETE /api/saved-replies/:id": [204, 403, 403, 403, 403, 401, 401],
  "GET /api/conversations": [200, 200, 200, 200, 200, 401, 401],
  // An inbox one cannot see is "no such inbox", as for one that does not exist.
  "POST /api/conversations": [201, 201, 403, 403, 400, 401, 401],
  "GET /api/conversations/:id": [200, 200, 200, 200, 404, 401, 401],
  "GET /api/conversations/:id/timeline": [200, 200, 200, 200, 404, 401, 401],
  "POST /api/conversations/:id/messages (reply)": [201, 201, 403, 403, 404, 401, 401],
  "POST /api/conversations/:id/messages (note)": [201, 201, 201, 403, 404, 401, 401],
  "GET /api/conversations/:id/email-deliveries": [200, 200, 200, 200, 404, 401, 401],
  "GET /api/conversations/forward-recipients": [200, 200, 200, 200, 200, 401, 401],
  "POST /api/conversations/:id/forward": [201, 201, 403, 403, 404, 401, 401],
  // A chat reply has no email to retry: 404 once the agent may reply.
  "POST /api/conversations/:id/messages/:seq/retry-email": [404, 404, 403, 403, 404, 401, 401],
  // Always 200 for agents: each id answers for itself (see bulk.test.ts).
  "POST /api/conversations/bulk": [200, 200, 200, 200, 200, 401, 401],
  "PATCH /api/conversations/:id (status)": [200, 200, 403, 403, 404, 401, 401],
  "PATCH /api/conversations/:id (assignee)": [200, 200, 403, 403, 404, 401, 401],
  "PATCH /api/conversations/:id (team)": [200, 200, 403, 403, 404, 401, 401],
  "PATCH /api/conversations/:id (priority)": [200, 200, 403, 403, 404, 401, 401],
  "PUT /api/conversations/:id/tags": [200, 200, 403, 403, 404, 401, 401],
  "POST /api/conversations/:id/followers (self)": [201, 201, 201, 201, 404, 401, 401],
  "POST /api/conversations/:id/followers (other)": [201, 201, 403, 403, 404, 401, 401],
  "DELETE /api/conversations/:id/followers/:userId (self)": [204, 204, 204, 204, 404, 401, 401],
  "DELETE /api/conversations/:id/followers/:userId (other)": [204, 204, 403, 403, 404, 401, 401],
  "POST /api/conversations/:id/links": [201, 201, 403, 403, 404, 401, 401],
  "POST /api/conversations/:id/merge": [200, 200, 403, 403, 404, 401, 401],
  "DELETE /api/conversations/:id/links/:linkId": [204, 204, 403, 403, 404, 401, 401],
  // Tickets are workspace-wide: everyone signed in reads them; changing them takes reply access somewhere.
  "GET /api/tickets": [200, 200, 200, 200, 200, 401, 401],
  "POST /api/tickets": [201, 201, 403, 403, 403, 401, 401],
  "GET /api/tickets/:id": [200, 200, 200, 200, 200, 401, 401],
  "PATCH /api/tickets/:id": [200, 200, 403, 403, 403, 401, 401],
  "GET /api/search": [200, 200, 200, 200, 200, 401, 401],
  // Reports: anyone signed in, over the inboxes they see.
  "GET /api/reports": [200, 200, 200, 200, 200, 401, 401],
  // Contacts: seen through a conversation one sees; changed with reply access where they have one.
  "GET /api/contacts": [200, 200, 200, 200, 200, 401, 401],
  "GET /api/contacts/:id": [200, 200, 200, 200, 404, 401, 401],
  "PATCH /api/contacts/:id": [200, 200, 403, 403, 404, 401, 401],
  "POST /api/contacts/:id/merge": [200, 200, 403, 403, 404, 401, 401],
  "GET /api/notifications": [200, 200, 200, 200, 200, 401, 401],
  "POST /api/notifications/read": [200, 200, 200, 200, 200, 401, 401],
  // Webhooks are the admins' alone.
  "GET /api/webhooks": [200, 403, 403, 403, 403, 401, 401],
  "POST /api/webhooks": [201, 403, 403, 403, 403, 401, 401],
  "PATCH /api/webhooks/:id": [200, 403, 403, 403, 403, 401, 401],
  "DELETE /api/webhooks/:id": [204, 403, 403, 403, 403, 401, 401],
  "POST /api/webhooks/:id/secret": [201, 403, 403, 403, 403, 401, 401],
  "POST /api/webhooks/:id/test": [202, 403, 403, 403, 403, 401, 401],
  "GET /api/webhooks/:id/deliveries": [200, 403, 403, 403, 403, 401, 401],
  "POST /api/webhooks/:id/deliveries/:deliveryId/retry": [202, 403, 403, 403, 403, 401, 401],
  // The widget is public; its conversation endpoints open with the contact token only (a session is no key).
  "POST /api/widget/:widgetKey/conversations": [201, 201, 201, 201, 201, 201, 201],
  "GET /api/widget/conversations/:id/messages": [401, 401, 401, 401, 401, 200, 401],
  "POST /api/widget/conversations/:id/messages": [401, 401, 401, 401, 401, 201, 401],
  "GET /api/widget/:widgetKey/config": [200, 200, 200, 200, 200, 200, 200],
  "POST /api/widget/conversations/:id/rating": [401, 401, 401, 401, 401, 201, 401],
  // Files: uploads need note access to the inbox (the widget's, the customer's own conversation);
  // a download is for the uploader and agents who see the inbox (the file here is the admin's).
  "POST /api/attachments": [201, 201, 201, 403, 404, 401, 401],
  "POST /api/widget/conversations/:id/attachments": [401, 401, 401, 401, 401, 201, 401],
  "GET /api/attachments/:id": [200, 200, 200, 200, 404, 404, 401],
  "GET /api/conversations/:id/live (socket)": [101, 101, 101, 101, 404, 401, 401],
  "GET /api/live (socket)": [101, 101, 101, 101, 101, 401, 401],
  "GET /api/widget/conversations/:id/live (socket)": [401, 401, 401, 401, 401, 101, 401],
};

/** Everything a cell's request may need: the people, their conversations, and things to act on. */
async function world() {
  const { admin, inbox } = await supportTeam();
  const [reply, note, view, none, fay, sam] = await Promise.all([
    agentWith(admin, inbox.id, "reply", "Rey Reply"),
    agentWith(admin, inbox.id, "note", "Nat Note"),
    agentWith(admin, inbox.id, "view", "Vic View"),
    agentWith(admin, inbox.id, "none", "Nia None"),
    // Someone others add as a follower, and someone whose access the admins change.
    agentWith(admin, inbox.id, "view", "Fay Follower"),
    agentWith(admin, inbox.id, "none", "Sam Spare"),
  ]);
  const customer = await startConversation(inbox.widgetKey, "Where is my parcel?");
  const agentStarted = async (label: string) =>
    (
      await json(
        admin.as,
        "/api/conversations",
        { body: { inboxId: inbox.id, contact: { name: `${label}'s customer` }, body: `Hi, ${label} here` } },
        201,
      )
    ).id as string;

  const people: Record<Role, Person | null> = { admin, reply, note, view, none, customer: null, anonymous: null };
  const as: Record<Role, As> = {
    admin: admin.as,
    reply: reply.as,
    note: note.as,
    view: view.as,
    none: none.as,
    customer: { bearer: customer.contactToken },
    anonymous: null,
  };
  const conversations = Object.fromEntries(
    await Promise.all(
      ROLES.map(async (role) => [role, role === "customer" ? customer.id : await agentStarted(role)] as const),
    ),
  ) as Record<Role, string>;

  // Two conversations of one customer per role (agents' conversations with one email are one contact's).
  const started = async (label: string, email: string) =>
    (
      await json(
        admin.as,
        "/api/conversations",
        { body: { inboxId: inbox.id, contact: { email }, body: `Hi, ${label} here` } },
        201,
      )
    ).id as string;
  const mergePairs = Object.fromEntries(
    await Promise.all(
      ROLES.map(async (role) => {
        const target = await started(`${role} first`, `${role}.pair@example.com`);
        return [role, { target, source: await started(`${role} second`, `${role}.pair@example.com`) }] as const;
      }),
    ),
  ) as Record<Role, { source: string; target: string }>;
  const contactOf = async (id: string) => (await json(admin.as, `/api/conversations/${id}`)).contact.id as string;
  const contacts = Object.fromEntries(
    await Promise.all(ROLES.map(async (role) => [role, await contactOf(conversations[role])] as const)),
  ) as Record<Role, string>;
  const contactTarget = await contactOf(await agentStarted("target"));

  // Things to rename (shared: only admins succeed, each role with its own new name) and to delete (one per role).
  const team = await json(admin.as, "/api/teams", { body: { name: "Billing", memberIds: [reply.id] } }, 201);
  const doomedTeams = Object.fromEntries(
    await Promise.all(
      ROLES.map(
        async (role) =>
          [role, (await json(admin.as, "/api/teams", { body: { name: `Doomed ${role}` } }, 201)).id] as const,
      ),
    ),
  ) as Record<Role, string>;
  const savedReply = await json(
    admin.as,
    "/api/saved-replies",
    { body: { name: "Greeting", body: "Hi {{contact.name}}" } },
    201,
  );
  const doomedReplies = Object.fromEntries(
    await Promise.all(
      ROLES.map(
        async (role) =>
          [
            role,
            (await json(admin.as, "/api/saved-replies", { body: { name: `Doomed ${role}`, body: "Bye" } }, 201)).id,
          ] as const,
      ),
    ),
  ) as Record<Role, string>;
  const side = await agentStarted("tagger");
  await json(admin.as, `/api/conversations/${side}/tags`, {
    method: "PUT",
    body: { tags: ["vip", ...ROLES.map((r) => `doomed-${r}`)] },
  });
  const tagIds = Object.fromEntries(
    (await json(admin.as, "/api/tags")).items.map((t: { id: string; name: string }) => [t.name, t.id]),
  );

  // Disabled rules: one to rename, one per role to delete (they never act on the conversations above).
  const ruleBody = (name: string) => ({
    body: { name, enabled: false, conditions: [], actions: [{ type: "set_priority", priority: "low" }] },
  });
  const rule = await json(admin.as, `/api/inboxes/${inbox.id}/rules`, ruleBody("Shared"), 201);
  const doomedRules: Record<string, string> = {};
  for (const role of ROLES)
    doomedRules[role] = (await json(admin.as, `/api/inboxes/${inbox.id}/rules`, ruleBody(`Doomed ${role}`), 201)).id;

  // A shared ticket each role links its own conversation to, and one link per role to remove.
  const ticket = await json(admin.as, "/api/tickets", { body: { title: "Carrier delays" } }, 201);
  const spare = await json(admin.as, "/api/tickets", { body: { title: "Spare" } }, 201);
  const doomedLinks = Object.fromEntries(
    await Promise.all(
      ROLES.map(async (role) => {
        const linked = await json(
          admin.as,
          `/api/conversations/${conversations[role]}/links`,
          { body: { ticketId: spare.id } },
          201,
        );
        return [role, linked.links.find((l: { ticket?: { id: string } }) => l.ticket?.id === spare.id)!.id] as const;
      }),
    ),
  ) as Record<Role, string>;

  // One invitation per role to redeem, and one per role to revoke.
  const invitationsFor = (label: string) =>
    Promise.all(
      ROLES.map(
        async (role) =>
          [
            role,
            await json(
              admin.as,
              "/api/invitations",
              { body: { email: `${label}-${role}@acme.test`, role: "agent" } },
              201,
            ),
          ] as const,
      ),
    ).then((entries) => Object.fromEntries(entries) as Record<Role, (typeof entries)[number][1]>);
  const [invites, doomedInvites] = await Promise.all([invitationsFor("invitee"), invitationsFor("doomed")]);

  // A second chat of the customer's, which the team resolved: theirs to rate.
  const resolvedChat = (
    await json(
      null,
      `/api/widget/${inbox.widgetKey}/conversations`,
      { body: { body: "One more thing" }, headers: { authorization: `Bearer ${customer.contactToken}` } },
      201,
    )
  ).conversationId;
  await json(admin.as, `/api/conversations/${resolvedChat}`, { method: "PATCH", body: { status: "resolved" } });

  const file = await json(
    admin.as,
    `/api/attachments?inboxId=${inbox.id}&name=guide.txt`,
    { body: new TextEncoder().encode("How to"), headers: { "content-type": "text/plain" } },
    201,
  );
  // On a note: the inbox ladder reads it, the customer never does.
  await json(
    admin.as,
    `/api/conversations/${resolvedChat}/messages`,
    { body: { kind: "note", body: "", attachmentIds: [file.id] } },
    201,
  );

  // A webhook (turned off: the other rows' messages stay quiet) with a delivered test event, and one per role to delete.
  const webhook = await json(admin.as, "/api/webhooks", hookBody("shared"), 201);
  const doomedHooks = Object.fromEntries(
    await Promise.all(
      ROLES.map(async (role) => [role, (await json(admin.as, "/api/webhooks", hookBody(role), 201)).id] as const),
    ),
  ) as Record<Role, string>;
  const { delivery } = await json(admin.as, `/api/webhooks/${webhook.id}/test`, { body: {} }, 202);
  const delivered = await vi.waitFor(
    async () => {
      const [d] = (await json(admin.as, `/api/webhooks/${webhook.id}/deliveries`)).items;
      expect(d).toMatchObject({ id: delivery.id, status: "delivered" });
      return d!;
    },
    { timeout: 20_000, interval: 50 },
  );

  return {
    mergePairs,
    webhook,
    doomedHooks,
    delivered,
    file,
    admin,
    inbox,
    invites,
    doomedInvites,
    fay,
    sam,
    customer,
    resolvedChat,
    people,
    as,
    conversations,
    contacts,
    contactTarget,
    team,
    doomedTeams,
    savedReply,
    doomedReplies,
    tagIds,
    ticket,
    doomedLinks,
    rule,
    doomedRules: doomedRules as Record<Role, string>,
  };
}

type World = Awaited<ReturnType<typeof world>>;

/** One role, seen from a cell: how it calls, who it is (if anyone), and its conversation. */
interface Caller {
  role: Role;
  as: As;
  person: Person | null;
  conversationId: string;
}

const hookBody = (label: string) => ({
  body: { url: `${env.WEBHOOK_RECEIVER}/ok/matrix-${label}`, events: ["message.created"], enabled: false },
});

const upgrade = (as: As, path: string) => call(as, path, { headers: { Upgrade: "websocket" } });

/** The request each row sends, as `who`. */
const REQUESTS: Record<string, (who: Caller, w: World) => Promise<Response>> = {
  "GET /api/openapi.json": (who) => call(who.as, "/api/openapi.json"),
  "GET /api/docs": (who) => call(who.as, "/api/docs"),
  "GET /api/setup": (who) => call(who.as, "/api/setup"),
  "POST /api/setup": (who) =>
    call(who.as, "/api/setup", {
      body: { workspace: "Takeover", name: "Mal Lory", email: `mal-${who.role}@evil.test`, password: PASSWORD },
    }),
  "POST /api/auth/login": (who, w) =>
    call(who.as, "/api/auth/login", { body: { email: w.fay.email, password: PASSWORD } }),
  // A session of its own, so signing out does not end the one the other rows use.
  "POST /api/auth/logout": async (who) =>
    call(who.person ? await signIn(who.person.email) : who.as, "/api/auth/logout", { method: "POST" }),
  "POST /api/auth/accept-invite": (who, w) =>
    call(who.as, "/api/auth/accept-invite", {
      body: {
        token: decodeURIComponent(w.invites[who.role].inviteUrl.split("/").pop()!),
        name: `Invitee of ${who.role}`,
        password: PASSWORD,
      },
    }),
  "POST /api/auth/reset": (who) =>
    call(who.as, "/api/auth/reset", { body: { token: `sbr_not-a-link-${who.role}`, password: PASSWORD } }),
  "GET /api/me": (who) => call(who.as, "/api/me"),
  "PATCH /api/me": (who) => call(who.as, "/api/me", { method: "PATCH", body: { timeZone: "Europe/Paris" } }),
  "POST /api/me/tokens": (who) => call(who.as, "/api/me/tokens", { body: { name: `CI ${who.role}` } }),
  "GET /api/me/tokens": (who) => call(who.as, "/api/me/tokens"),
  // Each person revokes a token of their own; the others try a token id that is not theirs to see.
  "DELETE /api/me/tokens/:id": async (who) => {
    const id = who.person
      ? (await json(who.as, "/api/me/tokens", { body: { name: "Doomed" } }, 201)).id
      : "tok_someone-elses";
    return call(who.as, `/api/me/tokens/${id}`, { method: "DELETE" });
  },
  "GET /api/me/push-subscriptions": (who) => call(who.as, "/api/me/push-subscriptions"),
  "POST /api/me/push-subscriptions": (who) =>
    call(who.as, "/api/me/push-subscriptions", {
      body: {
        endpoint: `${env.PUSH_RECEIVER}/ok/matrix-${who.role}`,
        keys: { p256dh: env.VAPID_PUBLIC_KEY, auth: "c2VjcmV0LWF1dGgtMTZiIQ" },
      },
    }),
  // Each person removes a device of their own; the others try an id that is not theirs to see.
  "DELETE /api/me/push-subscriptions/:id": async (who) => {
    const id = who.person
      ? (
          await json(
            who.as,
            "/api/me/push-subscriptions",
            {
              body: {
                endpoint: `${env.PUSH_RECEIVER}/ok/matrix-doomed-${who.role}`,
                keys: { p256dh: env.VAPID_PUBLIC_KEY, auth: "c2VjcmV0LWF1dGgtMTZiIQ" },
              },
            },
            201,
          )
        ).id
      : "ps_someone-elses";
    return call(who.as, `/api/me/push-subscriptions/${id}`, { method: "DELETE" });
  },
  // The same password again: allowed, and it keeps the caller's session (only the others end).
  "POST /api/me/password": (who) =>
    call(who.as, "/api/me/password", { body: { currentPassword: PASSWORD, newPassword: PASSWORD } }),
  "GET /api/users": (who) => call(who.as, "/api/users"),
  "POST /api/users": (who) =>
    call(who.as, "/api/users", {
      body: { name: "New Hire", email: `hire-${who.role}@acme.test`, password: PASSWORD, role: "agent" },
    }),
  "PATCH /api/users/:id": (who, w) =>
    call(who.as, `/api/users/${w.sam.id}`, { method: "PATCH", body: { name: `Sam (${who.role})` } }),
  "POST /api/users/:id/password-reset": (who, w) =>
    call(who.as, `/api/users/${w.sam.id}/password-reset`, { method: "POST" }),
  "GET /api/invitations": (who) => call(who.as, "/api/invitations"),
  "POST /api/invitations": (who) =>
    call(who.as, "/api/invitations", { body: { email: `guest-${who.role}@acme.test`, role: "agent" } }),
  "DELETE /api/invitations/:id": (who, w) =>
    call(who.as, `/api/invitations/${w.doomedInvites[who.role].id}`, { method: "DELETE" }),
  "GET /api/inboxes": (who) => call(who.as, "/api/inboxes"),
  "POST /api/inboxes": (who) =>
    call(who.as, "/api/inboxes", { body: { name: `Sales by ${who.role}`, channel: "chat" } }),
  "PATCH /api/inboxes/:inboxId": (who, w) =>
    call(who.as, `/api/inboxes/${w.inbox.id}`, { method: "PATCH", body: { name: `Support (${who.role})` } }),
  "POST /api/inboxes/:inboxId/widget-secret": (who, w) =>
    call(who.as, `/api/inboxes/${w.inbox.id}/widget-secret`, { method: "POST" }),
  "PUT /api/inboxes/:inboxId/business-hours": (who, w) =>
    call(who.as, `/api/inboxes/${w.inbox.id}/business-hours`, {
      method: "PUT",
      body: { timeZone: "Europe/Berlin", weekly: [{ day: 1, start: "09:00", end: "17:00" }], holidays: [] },
    }),
  "DELETE /api/inboxes/:inboxId/business-hours": (who, w) =>
    call(who.as, `/api/inboxes/${w.inbox.id}/business-hours`, { method: "DELETE" }),
  "PUT /api/inboxes/:inboxId/sla": (who, w) =>
    call(who.as, `/api/inboxes/${w.inbox.id}/sla`, {
      method: "PUT",
      body: { firstResponseMinutes: 60, businessHoursOnly: false },
    }),
  "GET /api/inboxes/:inboxId/access": (who, w) => call(who.as, `/api/inboxes/${w.inbox.id}/access`),
  "PUT /api/inboxes/:inboxId/access/:userId": (who, w) =>
    call(who.as, `/api/inboxes/${w.inbox.id}/access/${w.sam.id}`, { method: "PUT", body: { access: "view" } }),
  "DELETE /api/inboxes/:inboxId/access/:userId": (who, w) =>
    call(who.as, `/api/inboxes/${w.inbox.id}/access/${w.sam.id}`, { method: "DELETE" }),
  "GET /api/inboxes/:inboxId/rules": (who, w) => call(who.as, `/api/inboxes/${w.inbox.id}/rules`),
  "POST /api/inboxes/:inboxId/rules": (who, w) =>
    call(who.as, `/api/inboxes/${w.inbox.id}/rules`, {
      body: {
        name: `Quiet (${who.role})`,
        enabled: false,
        conditions: [],
        actions: [{ type: "set_priority", priority: "low" }],
      },
    }),
  "PATCH /api/inboxes/:inboxId/rules/:ruleId": (who, w) =>
    call(who.as, `/api/inboxes/${w.inbox.id}/rules/${w.rule.id}`, {
      method: "PATCH",
      body: { name: `Renamed by ${who.role}` },
    }),
  "DELETE /api/inboxes/:inboxId/rules/:ruleId": (who, w) =>
    call(who.as, `/api/inboxes/${w.inbox.id}/rules/${w.doomedRules[who.role]}`, { method: "DELETE" }),
  "GET /api/teams": (who) => call(who.as, "/api/teams"),
  "POST /api/teams": (who, w) =>
    call(who.as, "/api/teams", { body: { name: `Team of ${who.role}`, memberIds: [w.fay.id] } }),
  "PATCH /api/teams/:id": (who, w) =>
    call(who.as, `/api/teams/${w.team.id}`, { method: "PATCH", body: { name: `Billing (${who.role})` } }),
  "DELETE /api/teams/:id": (who, w) => call(who.as, `/api/teams/${w.doomedTeams[who.role]}`, { method: "DELETE" }),
  "GET /api/tags": (who) => call(who.as, "/api/tags"),
  "PATCH /api/tags/:id": (who, w) =>
    call(who.as, `/api/tags/${w.tagIds.vip}`, { method: "PATCH", body: { name: `vip-${who.role}`, color: "#112233" } }),
  "DELETE /api/tags/:id": (who, w) => call(who.as, `/api/tags/${w.tagIds[`doomed-${who.role}`]}`, { method: "DELETE" }),
  "GET /api/saved-replies": (who) => call(who.as, "/api/saved-replies"),
  "POST /api/saved-replies": (who) =>
    call(who.as, "/api/saved-replies", { body: { name: `Thanks from ${who.role}`, body: "Thanks!" } }),
  "PATCH /api/saved-replies/:id": (who, w) =>
    call(who.as, `/api/saved-replies/${w.savedReply.id}`, { method: "PATCH", body: { body: `Hello (${who.role})` } }),
  "DELETE /api/saved-replies/:id": (who, w) =>
    call(who.as, `/api/saved-replies/${w.doomedReplies[who.role]}`, { method: "DELETE" }),
  "GET /api/conversations": (who) => call(who.as, "/api/conversations?view=all"),
  "POST /api/conversations": (who, w) =>
    call(who.as, "/api/conversations", {
      body: { inboxId: w.inbox.id, contact: { name: "Walk-in" }, subject: "Phone call", body: `Noted by ${who.role}` },
    }),
  "GET /api/conversations/:id": (who) => call(who.as, `/api/conversations/${who.conversationId}`),
  "GET /api/conversations/:id/timeline": (who) => call(who.as, `/api/conversations/${who.conversationId}/timeline`),
  "POST /api/conversations/:id/messages (reply)": (who) =>
    call(who.as, `/api/conversations/${who.conversationId}/messages`, { body: { kind: "reply", body: "On it" } }),
  "POST /api/conversations/:id/messages (note)": (who) =>
    call(who.as, `/api/conversations/${who.conversationId}/messages`, {
      body: { kind: "note", body: "Checking the warehouse" },
    }),
  "GET /api/conversations/:id/email-deliveries": (who) =>
    call(who.as, `/api/conversations/${who.conversationId}/email-deliveries`),
  "GET /api/conversations/forward-recipients": (who) => call(who.as, "/api/conversations/forward-recipients?q=fin"),
  "POST /api/conversations/:id/forward": (who) =>
    call(who.as, `/api/conversations/${who.conversationId}/forward`, { body: { to: ["alex@finance.example"] } }),
  "POST /api/conversations/:id/messages/:seq/retry-email": (who) =>
    call(who.as, `/api/conversations/${who.conversationId}/messages/1/retry-email`, { body: {} }),
  "POST /api/conversations/bulk": (who) =>
    call(who.as, "/api/conversations/bulk", { body: { ids: [who.conversationId], priority: "high" } }),
  "PATCH /api/conversations/:id (status)": (who) =>
    call(who.as, `/api/conversations/${who.conversationId}`, { method: "PATCH", body: { status: "resolved" } }),
  "PATCH /api/conversations/:id (assignee)": (who, w) =>
    call(who.as, `/api/conversations/${who.conversationId}`, {
      method: "PATCH",
      body: { assigneeId: w.people.reply!.id },
    }),
  "PATCH /api/conversations/:id (team)": (who, w) =>
    call(who.as, `/api/conversations/${who.conversationId}`, { method: "PATCH", body: { teamId: w.team.id } }),
  "PATCH /api/conversations/:id (priority)": (who) =>
    call(who.as, `/api/conversations/${who.conversationId}`, { method: "PATCH", body: { priority: "urgent" } }),
  "PUT /api/conversations/:id/tags": (who) =>
    call(who.as, `/api/conversations/${who.conversationId}/tags`, { method: "PUT", body: { tags: ["refund"] } }),
  "POST /api/conversations/:id/followers (self)": (who, w) =>
    call(who.as, `/api/conversations/${who.conversationId}/followers`, {
      body: { userId: who.person?.id ?? w.fay.id },
    }),
  "POST /api/conversations/:id/followers (other)": (who, w) =>
    call(who.as, `/api/conversations/${who.conversationId}/followers`, { body: { userId: w.fay.id } }),
  "DELETE /api/conversations/:id/followers/:userId (self)": (who, w) =>
    call(who.as, `/api/conversations/${who.conversationId}/followers/${who.person?.id ?? w.fay.id}`, {
      method: "DELETE",
    }),
  "DELETE /api/conversations/:id/followers/:userId (other)": (who, w) =>
    call(who.as, `/api/conversations/${who.conversationId}/followers/${w.fay.id}`, { method: "DELETE" }),
  "POST /api/conversations/:id/links": (who, w) =>
    call(who.as, `/api/conversations/${who.conversationId}/links`, { body: { ticketId: w.ticket.id } }),
  // Each role merges the second of a pair of one customer's conversations into the first.
  "POST /api/conversations/:id/merge": (who, w) =>
    call(who.as, `/api/conversations/${w.mergePairs[who.role].source}/merge`, {
      body: { intoConversationId: w.mergePairs[who.role].target },
    }),
  "DELETE /api/conversations/:id/links/:linkId": (who, w) =>
    call(who.as, `/api/conversations/${who.conversationId}/links/${w.doomedLinks[who.role]}`, { method: "DELETE" }),
  "GET /api/tickets": (who) => call(who.as, "/api/tickets"),
  "POST /api/tickets": (who) => call(who.as, "/api/tickets", { body: { title: `Investigate (${who.role})` } }),
  "GET /api/tickets/:id": (who, w) => call(who.as, `/api/tickets/${w.ticket.id}`),
  "PATCH /api/tickets/:id": (who, w) =>
    call(who.as, `/api/tickets/${w.ticket.id}`, { method: "PATCH", body: { description: `Noted by ${who.role}` } }),
  "GET /api/search": (who) => call(who.as, "/api/search?q=parcel"),
  "GET /api/reports": (who) => call(who.as, "/api/reports?groupBy=agent"),
  "GET /api/contacts": (who) => call(who.as, "/api/contacts?q=a"),
  "GET /api/contacts/:id": (who, w) => call(who.as, `/api/contacts/${w.contacts.admin}`),
  "PATCH /api/contacts/:id": (who, w) =>
    call(who.as, `/api/contacts/${w.contacts.admin}`, { method: "PATCH", body: { attributes: { by: who.role } } }),
  // Each role merges its own conversation's contact into one shared target.
  "POST /api/contacts/:id/merge": (who, w) =>
    call(who.as, `/api/contacts/${w.contacts[who.role]}/merge`, { body: { intoContactId: w.contactTarget } }),
  "GET /api/notifications": (who) => call(who.as, "/api/notifications"),
  "POST /api/notifications/read": (who) => call(who.as, "/api/notifications/read", { body: { all: true } }),
  "GET /api/webhooks": (who) => call(who.as, "/api/webhooks"),
  "POST /api/webhooks": (who) => call(who.as, "/api/webhooks", hookBody(who.role)),
  "PATCH /api/webhooks/:id": (who, w) =>
    call(who.as, `/api/webhooks/${w.webhook.id}`, { method: "PATCH", body: { description: `By ${who.role}` } }),
  "DELETE /api/webhooks/:id": (who, w) =>
    call(who.as, `/api/webhooks/${w.doomedHooks[who.role]}`, { method: "DELETE" }),
  "POST /api/webhooks/:id/secret": (who, w) => call(who.as, `/api/webhooks/${w.webhook.id}/secret`, { body: {} }),
  "POST /api/webhooks/:id/test": (who, w) => call(who.as, `/api/webhooks/${w.webhook.id}/test`, { body: {} }),
  "GET /api/webhooks/:id/deliveries": (who, w) => call(who.as, `/api/webhooks/${w.webhook.id}/deliveries`),
  "POST /api/webhooks/:id/deliveries/:deliveryId/retry": (who, w) =>
    call(who.as, `/api/webhooks/${w.webhook.id}/deliveries/${w.delivered.id}/retry`, { body: {} }),
  "POST /api/widget/:widgetKey/conversations": (who, w) =>
    call(who.as, `/api/widget/${w.inbox.widgetKey}/conversations`, { body: { body: "Hello?" } }),
  "GET /api/widget/conversations/:id/messages": (who, w) =>
    call(who.as, `/api/widget/conversations/${w.customer.id}/messages`),
  "POST /api/widget/conversations/:id/messages": (who, w) =>
    call(who.as, `/api/widget/conversations/${w.customer.id}/messages`, { body: { body: "Any news?" } }),
  "GET /api/widget/:widgetKey/config": (who, w) => call(who.as, `/api/widget/${w.inbox.widgetKey}/config`),
  "POST /api/widget/conversations/:id/rating": (who, w) =>
    call(who.as, `/api/widget/conversations/${w.resolvedChat}/rating`, { body: { score: 5 } }),
  "POST /api/attachments": (who, w) =>
    call(who.as, `/api/attachments?inboxId=${w.inbox.id}&name=${who.role}.txt`, {
      body: new TextEncoder().encode(`from ${who.role}`),
      headers: { "content-type": "text/plain" },
    }),
  "POST /api/widget/conversations/:id/attachments": (who, w) =>
    call(who.as, `/api/widget/conversations/${w.customer.id}/attachments?name=photo.txt`, {
      body: new TextEncoder().encode("a photo"),
      headers: { "content-type": "text/plain" },
    }),
  "GET /api/attachments/:id": (who, w) => call(who.as, w.file.url),
  "GET /api/conversations/:id/live (socket)": (who) => upgrade(who.as, `/api/conversations/${who.conversationId}/live`),
  "GET /api/live (socket)": (who) => upgrade(who.as, "/api/live"),
  // The socket takes the contact token in the query (browsers cannot set headers on a WebSocket).
  "GET /api/widget/conversations/:id/live (socket)": (who, w) =>
    upgrade(
      who.as,
      `/api/widget/conversations/${w.customer.id}/live?token=${who.role === "customer" ? encodeURIComponent(w.customer.contactToken) : ""}`,
    ),
};

/** "200", "101", or "403 forbidden": the status, and the code of an error in the contract's shape. */
async function outcome(res: Response): Promise<string> {
  if (res.status === 101) {
    res.webSocket!.accept();
    res.webSocket!.close(1000, "probe done");
    return "101";
  }
  const text = await res.text();
  if (res.status < 400) return String(res.status);
  try {
    const body = JSON.parse(text);
    const keys = Object.keys(body.error ?? {}).filter((k) => !["code", "message", "details"].includes(k));
    const wellFormed =
      Object.keys(body).length === 1 &&
      typeof body.error.code === "string" &&
      typeof body.error.message === "string" &&
      !keys.length;
    return wellFormed ? `${res.status} ${body.error.code}` : `${res.status} (malformed error: ${text.slice(0, 80)})`;
  } catch {
    return `${res.status} (not JSON: ${text.slice(0, 80)})`;
  }
}

const spell = (cell: Cell) =>
  typeof cell === "number" ? (USUAL_CODE[cell] ? `${cell} ${USUAL_CODE[cell]}` : String(cell)) : cell;

/** The table as Markdown, with bare statuses: for the README, or to read a failure. */
function renderMatrix(table: Record<string, Record<Role, string>>): string {
  const rows = Object.entries(table).map(([endpoint, cells]) => [
    endpoint,
    ...ROLES.map((r) => cells[r].replace(/ (unauthenticated|forbidden|not_found|validation_failed)$/, "")),
  ]);
  const header = ["endpoint", ...ROLES];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

describe("permission matrix", () => {
  it("has one request per row, and a row for every route of the API", () => {
    expect(Object.keys(REQUESTS)).toEqual(Object.keys(MATRIX));
    const routes = new Set(app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path}`));
    const covered = new Set(Object.keys(MATRIX).map((endpoint) => endpoint.replace(/ \(.*\)$/, "")));
    expect(
      [...routes].filter((r) => !covered.has(r)),
      "routes without a row in MATRIX",
    ).toEqual([]);
    expect(
      [...covered].filter((r) => !routes.has(r)),
      "rows for routes the API does not have",
    ).toEqual([]);
  });

  it("is what the OpenAPI document says: each answer in the table is documented for its route", async () => {
    type Responses = Record<string, { content?: { "application/json"?: { schema?: ErrorSchema } } }>;
    type ErrorSchema = { properties?: { error?: { properties?: { code?: { enum?: string[] } } } } };
    const doc = (await (await call(null, "/api/openapi.json")).json()) as {
      paths: Record<string, Record<string, { responses: Responses }>>;
    };
    const undocumented = Object.entries(MATRIX).flatMap(([endpoint, cells]) => {
      const [method, path] = endpoint.replace(/ \(.*\)$/, "").split(" ") as [string, string];
      const responses = doc.paths[path.replace(/:(\w+)/g, "{$1}")]?.[method.toLowerCase()]?.responses ?? {};
      return cells
        .map(spell)
        .filter((cell) => {
          const [status, code] = cell.split(" ") as [string, string | undefined];
          const response = responses[status];
          const codes = response?.content?.["application/json"]?.schema?.properties?.error?.properties?.code?.enum;
          return !response || (code !== undefined && !codes?.includes(code));
        })
        .map((cell) => `${endpoint}: ${cell}`);
    });
    expect(undocumented, "answers missing from worker/openapi/operations.ts").toEqual([]);
  });

  it("answers every endpoint, for every role, as the table says", async () => {
    const w = await world();
    const expected: Record<string, Record<Role, string>> = {};
    const actual: Record<string, Record<Role, string>> = {};
    // Row by row (a row may depend on an earlier one, e.g. remove a follower after adding); the roles of a row at once.
    for (const [endpoint, cells] of Object.entries(MATRIX)) {
      expected[endpoint] = Object.fromEntries(ROLES.map((role, i) => [role, spell(cells[i]!)])) as Record<Role, string>;
      const got = await Promise.all(
        ROLES.map(async (role) => {
          const who: Caller = { role, as: w.as[role], person: w.people[role], conversationId: w.conversations[role] };
          return [role, await outcome(await REQUESTS[endpoint]!(who, w))] as const;
        }),
      );
      actual[endpoint] = Object.fromEntries(got) as Record<Role, string>;
    }
    const mismatches = Object.keys(MATRIX).flatMap((endpoint) =>
      ROLES.filter((role) => actual[endpoint]![role] !== expected[endpoint]![role]).map(
        (role) => `${endpoint} as ${role}: expected ${expected[endpoint]![role]}, got ${actual[endpoint]![role]}`,
      ),
    );
    if (mismatches.length) console.log(`What the API answered:\n${renderMatrix(actual)}`);
    expect(mismatches).toEqual([]);

    // The successes did what they said, and the refusals left their conversation as it was.
    const state = async (role: Role) => {
      const c = await json(w.admin.as, `/api/conversations/${w.conversations[role]}`);
      const { items } = await json(w.admin.as, `/api/conversations/${w.conversations[role]}/timeline?limit=100`);
      return {
        status: c.status,
        assignee: c.assignee?.id ?? null,
        teamId: c.teamId,
        priority: c.priority,
        tags: c.tags,
        followers: c.followers,
        kinds: items.map((i) => i.event?.type ?? i.kind),
      };
    };
    const untouched = { status: "open", assignee: null, teamId: null, priority: "none", tags: [], followers: [] };
    const handled = {
      status: "resolved",
      assignee: w.people.reply!.id,
      teamId: w.team.id,
      priority: "urgent",
      tags: ["refund"],
      followers: [],
    };
    const handledKinds = [
      "reply",
      "reply",
      "note",
      "status_changed",
      "assigned",
      "team_assigned",
      "priority_changed",
      "tag_added",
    ];
    expect(await state("admin")).toMatchObject({ ...handled, kinds: expect.arrayContaining(handledKinds) });
    expect(await state("reply")).toMatchObject({ ...handled, kinds: expect.arrayContaining(handledKinds) });
    // Following oneself needs only sight of the conversation.
    // Every conversation starts with the admin's link to the spare ticket (the link rows remove).
    expect(await state("note")).toEqual({
      ...untouched,
      kinds: ["reply", "linked", "note", "follower_added", "follower_removed"],
    });
    expect(await state("view")).toEqual({
      ...untouched,
      kinds: ["reply", "linked", "follower_added", "follower_removed"],
    });
    expect(await state("none")).toEqual({ ...untouched, kinds: ["reply", "linked"] });
    expect(await state("anonymous")).toEqual({ ...untouched, kinds: ["reply", "linked"] });
    expect(await state("customer")).toEqual({ ...untouched, kinds: ["customer", "linked", "customer"] });
  }, 60_000);
});
