import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  agentWith,
  call,
  createInbox,
  customerSees,
  customerWrites,
  expectError,
  expectStatus,
  getConversation,
  hmacHex,
  json,
  note,
  ORIGIN,
  reply,
  rowCounts,
  send,
  startConversation,
  supportTeam,
  updateConversation,
  widgetSecret,
} from "./helpers";
import { deliverEmail, emailInbox, mail } from "./mail";

const SHOP = "https://shop.example";
const WRITES = ["contacts", "contact_tokens", "conversations", "timeline_items"];

const start = (widgetKey: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  call(null, `/api/widget/${widgetKey}/conversations`, { body, headers: { origin: SHOP, ...headers } });

describe("starting a conversation", () => {
  it("returns the conversation's id and a contact token, and the team sees it", async () => {
    const { admin, inbox } = await supportTeam();
    const started = await expectStatus(
      start(inbox.widgetKey, {
        name: "Cara Customer",
        email: "Cara@Example.com",
        body: "Hi, is anyone there?",
        attributes: { language: "de" },
      }),
      201,
    );
    expect(started).toEqual({ conversationId: expect.any(String), contactToken: expect.any(String) });
    const conversation = await getConversation(admin.as, started.conversationId);
    expect(conversation).toMatchObject({
      inboxId: inbox.id,
      channel: "chat",
      status: "open",
      contact: { name: "Cara Customer", email: "cara@example.com" },
      preview: "Hi, is anyone there?",
    });
    // Only a hash of the token is stored.
    const stored = await env.DB.prepare("SELECT * FROM contact_tokens").all();
    expect(stored.results).toHaveLength(1);
    expect(JSON.stringify(stored.results)).not.toContain(started.contactToken);
  });

  it("answers an unknown widget key with 404 and writes nothing", async () => {
    await supportTeam();
    const before = await rowCounts(...WRITES);
    await expectError(start("wk_doesnotexist", { body: "Hello" }), 404, "not_found");
    expect(await rowCounts(...WRITES)).toEqual(before);
  });

  it("keeps a returning visitor's contact and token; a new visitor is a new contact", async () => {
    const { admin, inbox } = await supportTeam();
    const first = await startConversation(inbox.widgetKey, "First question", { name: "Cara" });
    const second = await json(
      null,
      `/api/widget/${inbox.widgetKey}/conversations`,
      { body: { body: "Second question" }, headers: { authorization: `Bearer ${first.contactToken}` } },
      201,
    );
    expect(second.contactToken).toBe(first.contactToken);
    const [a, b] = await Promise.all([
      getConversation(admin.as, first.id),
      getConversation(admin.as, second.conversationId),
    ]);
    expect(b.contact.id).toBe(a.contact.id);
    expect((await customerSees(first.contactToken, second.conversationId)).items.map((i) => i.body)).toEqual([
      "Second question",
    ]);

    // Someone else giving the same email is not let into Cara's conversations.
    const stranger = await startConversation(inbox.widgetKey, "Me too", {
      name: "Cara",
      email: a.contact.email ?? "cara@example.com",
    });
    expect((await getConversation(admin.as, stranger.id)).contact.id).not.toBe(a.contact.id);
    await expectError(
      call({ bearer: stranger.contactToken }, `/api/widget/conversations/${first.id}/messages`),
      404,
      "not_found",
    );
  });

  it("is rate-limited per visitor address", async () => {
    const { inbox } = await supportTeam();
    const ip = { "cf-connecting-ip": "203.0.113.9" };
    for (let i = 0; i < 20; i++) await expectStatus(start(inbox.widgetKey, { body: `Message ${i}` }, ip), 201);
    const before = await rowCounts(...WRITES);
    await expectError(start(inbox.widgetKey, { body: "One more" }, ip), 429, "rate_limited");
    expect(await rowCounts(...WRITES)).toEqual(before);
    await expectStatus(start(inbox.widgetKey, { body: "From elsewhere" }, { "cf-connecting-ip": "203.0.113.10" }), 201);
  });
});

describe("the contact token", () => {
  it("opens only its own conversation", async () => {
    const { inbox } = await supportTeam();
    const cara = await startConversation(inbox.widgetKey, "Cara's question", { name: "Cara" });
    const dan = await startConversation(inbox.widgetKey, "Dan's question", { name: "Dan" });
    const path = (id: string) => `/api/widget/conversations/${id}/messages`;

    expect((await customerSees(cara.contactToken, cara.id)).items.map((i) => i.body)).toEqual(["Cara's question"]);
    await expectError(call({ bearer: dan.contactToken }, path(cara.id)), 404, "not_found");
    await expectError(call({ bearer: dan.contactToken }, path("cv_doesnotexist")), 404, "not_found");
    await expectError(call(null, path(cara.id)), 401, "unauthenticated");
    await expectError(call({ bearer: "sbc_made-up" }, path(cara.id)), 401, "unauthenticated");

    const before = await rowCounts(...WRITES);
    await expectError(customerWrites(dan.contactToken, cara.id, "Let me in"), 404, "not_found");
    await expectError(call(null, path(cara.id), { body: { body: "Let me in" } }), 401, "unauthenticated");
    expect(await rowCounts(...WRITES)).toEqual(before);
  });

  it("does not open conversations of the same contact in another inbox", async () => {
    const { admin, inbox } = await supportTeam();
    const other = await createInbox(admin, "Other brand");
    const here = await startConversation(inbox.widgetKey, "Here");
    const there = await startConversation(other.widgetKey, "There");
    await expectError(
      call({ bearer: here.contactToken }, `/api/widget/conversations/${there.id}/messages`),
      404,
      "not_found",
    );
  });

  it("is not an agent credential", async () => {
    const { inbox } = await supportTeam();
    const { id, contactToken } = await startConversation(inbox.widgetKey);
    await expectError(call({ bearer: contactToken }, "/api/me"), 401, "unauthenticated");
    await expectError(call({ bearer: contactToken }, `/api/conversations/${id}`), 401, "unauthenticated");
    await expectError(call({ bearer: contactToken }, `/api/conversations/${id}/timeline`), 401, "unauthenticated");
  });
});

describe("what the customer sees", () => {
  it("only their messages and public replies, with authors reduced to a name", async () => {
    const { admin, inbox } = await supportTeam();
    const agent = await agentWith(admin, inbox.id, "reply", "Rita Replier");
    const { id, contactToken } = await startConversation(inbox.widgetKey, "My invoice is wrong");

    await expectStatus(note(agent.as, id, "SECRET: they were charged twice, refund quietly"), 201);
    await expectStatus(updateConversation(agent.as, id, { assigneeId: agent.id }), 200);
    await expectStatus(reply(agent.as, id, "Sorry! Refund on its way."), 201);
    await expectStatus(updateConversation(agent.as, id, { status: "resolved" }), 200);
    const posted = await expectStatus(customerWrites(contactToken, id, "Thanks!"), 201);
    expect(posted).toEqual({
      seq: 6,
      kind: "customer",
      body: "Thanks!",
      author: { name: "Cara Customer" },
      createdAt: expect.any(String),
      conversationId: id,
    });

    const { items } = await customerSees(contactToken, id);
    expect(items).toEqual([
      {
        seq: 1,
        kind: "customer",
        body: "My invoice is wrong",
        author: { name: "Cara Customer" },
        createdAt: expect.any(String),
      },
      {
        seq: 4,
        kind: "reply",
        body: "Sorry! Refund on its way.",
        author: { name: "Rita Replier" },
        createdAt: expect.any(String),
      },
      { seq: 6, kind: "customer", body: "Thanks!", author: { name: "Cara Customer" }, createdAt: expect.any(String) },
    ]);
    const everything = JSON.stringify(items);
    expect(everything).not.toContain("SECRET");
    expect(everything).not.toContain(agent.id);
    expect(everything).not.toMatch(/status_changed|assigned|"event"|"note"/);
  });
});

describe("CORS", () => {
  it("answers preflights on the widget's paths and labels its answers for any site", async () => {
    const { inbox } = await supportTeam();
    for (const path of [`/api/widget/${inbox.widgetKey}/conversations`, "/api/widget/conversations/cv_x/messages"]) {
      const res = await send(
        new Request(`${ORIGIN}${path}`, {
          method: "OPTIONS",
          headers: {
            origin: SHOP,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type, authorization, idempotency-key",
          },
        }),
      );
      expect(res.status, path).toBeLessThan(300);
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
      expect(res.headers.get("access-control-allow-methods")).toMatch(/POST/);
      const allowed = res.headers.get("access-control-allow-headers")!.toLowerCase();
      for (const header of ["authorization", "content-type", "idempotency-key"]) expect(allowed).toContain(header);
    }

    const started = await start(inbox.widgetKey, { body: "Hi" });
    expect(started.status).toBe(201);
    expect(started.headers.get("access-control-allow-origin")).toBe("*");
    // Its errors too, so the widget can read them.
    const unknown = await start("wk_nope", { body: "Hi" });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("sends no CORS headers from the agent API", async () => {
    const { admin } = await supportTeam();
    const preflight = await send(
      new Request(`${ORIGIN}/api/conversations`, {
        method: "OPTIONS",
        headers: {
          origin: SHOP,
          "access-control-request-method": "GET",
          "access-control-request-headers": "authorization",
        },
      }),
    );
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    for (const path of ["/api/me", "/api/conversations", "/api/inboxes"]) {
      const res = await call(admin.as, path, { headers: { origin: SHOP } });
      expect(res.status).toBe(200);
      expect(res.headers.get("access-control-allow-origin"), path).toBeNull();
      expect(res.headers.get("access-control-allow-credentials"), path).toBeNull();
    }
    const login = await call(null, "/api/auth/login", {
      body: { email: admin.email, password: "x" },
      headers: { origin: SHOP },
    });
    expect(login.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("identity verification", () => {
  it("accepts the site's HMAC of the user id and maps that user to one contact", async () => {
    const { admin, inbox } = await supportTeam();
    const secret = await widgetSecret(inbox.id);
    const hash = await hmacHex(secret, "user-42");

    const first = await expectStatus(
      start(inbox.widgetKey, { name: "Cara", body: "From my laptop", identity: { userId: "user-42", hash } }),
      201,
    );
    // Another device, no token: the verified id still finds the same contact.
    const second = await expectStatus(
      start(inbox.widgetKey, { body: "From my phone", identity: { userId: "user-42", hash: hash.toUpperCase() } }),
      201,
    );
    const [a, b] = await Promise.all([
      getConversation(admin.as, first.conversationId),
      getConversation(admin.as, second.conversationId),
    ]);
    expect(b.contact).toEqual(a.contact);
    expect(a.contact.name).toBe("Cara");
    // Each device's token reads both of that user's conversations.
    expect((await customerSees(second.contactToken, first.conversationId)).items.map((i) => i.body)).toEqual([
      "From my laptop",
    ]);

    const otherUser = await expectStatus(
      start(inbox.widgetKey, {
        body: "Different person",
        identity: { userId: "user-43", hash: await hmacHex(secret, "user-43") },
      }),
      201,
    );
    expect((await getConversation(admin.as, otherUser.conversationId)).contact.id).not.toBe(a.contact.id);
  });

  it("refuses a wrong hash with 403 and writes nothing", async () => {
    const { admin, inbox } = await supportTeam();
    const other = await createInbox(admin, "Other brand");
    const secret = await widgetSecret(inbox.id);
    const wrong = [
      await hmacHex(secret, "user-43"), // another user's hash
      await hmacHex(await widgetSecret(other.id), "user-42"), // another inbox's secret
      await hmacHex("guessed-secret", "user-42"),
      (await hmacHex(secret, "user-42")).slice(0, 32),
      "0".repeat(64),
    ];
    const before = await rowCounts(...WRITES);
    for (const hash of wrong) {
      await expectError(
        start(inbox.widgetKey, { body: "It's me, honest", identity: { userId: "user-42", hash } }),
        403,
        "forbidden",
      );
    }
    expect(await rowCounts(...WRITES)).toEqual(before);
  });
});

describe("widget edges", () => {
  it("scopes Idempotency-Keys to their author: a customer reusing an agent's key gets no note back", async () => {
    const { admin, inbox } = await supportTeam();
    const { conversationId, contactToken } = await expectStatus(
      start(inbox.widgetKey, { name: "Cara", body: "Hi" }),
      201,
    );
    await expectStatus(note(admin.as, conversationId, "internal: refund approved", { "Idempotency-Key": "1" }), 201);
    const mine = await expectStatus(
      customerWrites(contactToken, conversationId, "Any news?", { "Idempotency-Key": "1" }),
      201,
    );
    expect(mine.body).toBe("Any news?");
    expect(JSON.stringify(mine)).not.toContain("refund");
    expect((await customerSees(contactToken, conversationId)).items.map((i: { body: string }) => i.body)).toEqual([
      "Hi",
      "Any news?",
    ]);
  });

  it("treats a widget start's Idempotency-Key as a secret: short keys are refused and write nothing", async () => {
    const { inbox } = await supportTeam();
    const before = await rowCounts(...WRITES);
    await expectError(
      start(inbox.widgetKey, { name: "Cara", body: "Hi" }, { "Idempotency-Key": "1" }),
      400,
      "validation_failed",
    );
    expect(await rowCounts(...WRITES)).toEqual(before);
    const key = crypto.randomUUID();
    const first = await expectStatus(
      start(inbox.widgetKey, { name: "Cara", body: "Hi" }, { "Idempotency-Key": key }),
      201,
    );
    const retry = await expectStatus(
      start(
        inbox.widgetKey,
        { name: "Cara", body: "Hi" },
        { "Idempotency-Key": key, authorization: `Bearer ${first.contactToken}` },
      ),
      201,
    );
    expect(retry.conversationId).toBe(first.conversationId);
  });

  it("lets the widget read a 413 (CORS headers on it) and answers unknown widget paths with 404", async () => {
    const { inbox } = await supportTeam();
    const tooBig = await call(null, `/api/widget/${inbox.widgetKey}/conversations`, {
      body: { body: "x".repeat(70 * 1024) },
      headers: { origin: SHOP },
    });
    expect(tooBig.status).toBe(413);
    expect(tooBig.headers.get("access-control-allow-origin")).toBe("*");
    await expectError(tooBig, 413, "payload_too_large");
    await expectError(call(null, "/api/widget/nope"), 404, "not_found");
  });
});

describe("the 24-hour chat rule", () => {
  const age = (conversationId: string, hours: number) =>
    env.DB.prepare("UPDATE conversations SET last_activity_at = last_activity_at - ? WHERE id = ?")
      .bind(hours * 3_600_000, conversationId)
      .run();

  it("keeps a chat going within 24 hours, and starts a new conversation after 24 quiet hours", async () => {
    const { admin, inbox } = await supportTeam();
    const { conversationId, contactToken } = await expectStatus(
      start(inbox.widgetKey, { name: "Cara", body: "Hi" }),
      201,
    );
    await age(conversationId, 23);
    const same = await expectStatus(customerWrites(contactToken, conversationId, "still there?"), 201);
    expect(same.conversationId).toBe(conversationId);

    await age(conversationId, 25);
    const key = crypto.randomUUID();
    const moved = await expectStatus(
      customerWrites(contactToken, conversationId, "new question", { "Idempotency-Key": key }),
      201,
    );
    expect(moved.conversationId).not.toBe(conversationId);
    expect(moved).toMatchObject({ seq: 1, kind: "customer", body: "new question" });
    // A retry lands in the same new conversation, once.
    const retry = await expectStatus(
      customerWrites(contactToken, conversationId, "new question", { "Idempotency-Key": key }),
      201,
    );
    expect(retry).toEqual(moved);
    expect((await customerSees(contactToken, moved.conversationId)).items.map((i: { body: string }) => i.body)).toEqual(
      ["new question"],
    );
    const fresh = await getConversation(admin.as, moved.conversationId);
    expect(fresh).toMatchObject({ status: "open", contact: { name: "Cara" } });
    expect((await customerSees(contactToken, conversationId)).items.map((i: { body: string }) => i.body)).toEqual([
      "Hi",
      "still there?",
    ]);
  });
});

describe("the identity secret", () => {
  it("is rotated by an admin and shown once; hashes made with the old one stop verifying at once", async () => {
    const { admin, inbox } = await supportTeam();
    const old = await widgetSecret(inbox.id);
    const { secret } = await expectStatus(
      call(admin.as, `/api/inboxes/${inbox.id}/widget-secret`, { method: "POST" }),
      201,
    );
    expect(secret).not.toBe(old);
    await expectError(
      start(inbox.widgetKey, { body: "Old key", identity: { userId: "u-1", hash: await hmacHex(old, "u-1") } }),
      403,
      "forbidden",
    );
    await expectStatus(
      start(inbox.widgetKey, { body: "New key", identity: { userId: "u-1", hash: await hmacHex(secret, "u-1") } }),
      201,
    );
  });
});

describe("a blocked contact", () => {
  it("is refused in the widget, starting or writing, and nothing is created", async () => {
    const { inbox } = await supportTeam();
    const started = await expectStatus(start(inbox.widgetKey, { name: "Spammy", body: "Buy now" }), 201);
    await env.DB.prepare(
      "UPDATE contacts SET blocked = 1 WHERE id = (SELECT contact_id FROM conversations WHERE id = ?)",
    )
      .bind(started.conversationId)
      .run();
    const before = await rowCounts(...WRITES);
    await expectError(customerWrites(started.contactToken, started.conversationId, "Buy more"), 403, "forbidden");
    await expectError(
      start(inbox.widgetKey, { body: "Again" }, { authorization: `Bearer ${started.contactToken}` }),
      403,
      "forbidden",
    );
    expect(await rowCounts(...WRITES)).toEqual(before);
  });
});

describe("a chat moved to another inbox", () => {
  it("stays the customer's: their widget still reads it and writes in it", async () => {
    const { admin, inbox } = await supportTeam();
    const other = await createInbox(admin, "Billing chat");
    const started = await expectStatus(start(inbox.widgetKey, { name: "Mo", body: "Where is my refund?" }), 201);
    await expectStatus(updateConversation(admin.as, started.conversationId, { inboxId: other.id }), 200);
    await expectStatus(reply(admin.as, started.conversationId, "Billing here: it's on its way."), 201);
    const seen = await customerSees(started.contactToken, started.conversationId);
    expect(seen.items.map((i) => i.body)).toEqual(["Where is my refund?", "Billing here: it's on its way."]);
    await expectStatus(customerWrites(started.contactToken, started.conversationId, "Thanks!"), 201);
  });
});

const readAs = (contactToken: string, id: string) =>
  call({ bearer: contactToken }, `/api/widget/conversations/${id}/messages`);

describe("an email address typed into the widget", () => {
  it("is only a claim: the real owner's mail and an agent's new conversation never join the claimant's contact", async () => {
    const { admin, inboxId: mailInbox, address } = await emailInbox();
    const chat = await createInbox(admin, "Chat");
    const claim = await expectStatus(
      start(chat.widgetKey, { name: "Mallory", email: "ceo@bigcorp.example", body: "I'm the CEO" }),
      201,
    );
    const claimed = await getConversation(admin.as, claim.conversationId);
    expect(claimed.contact).toMatchObject({ email: "ceo@bigcorp.example", emailVerified: false });

    await deliverEmail(
      mail(
        { From: "Cleo <ceo@bigcorp.example>", To: address, Subject: "Contract", "Message-ID": "<contract@bigcorp>" },
        "Please send the signed contract.",
      ),
      address,
    );
    const [fromMail] = (await json(admin.as, `/api/conversations?inboxId=${mailInbox}`)).items;
    expect(fromMail!.contact).toMatchObject({ name: "Cleo", email: "ceo@bigcorp.example", emailVerified: true });
    expect(fromMail!.contact.id).not.toBe(claimed.contact.id);

    // Moved into the chat inbox, the real customer's conversation still isn't the claimant's to read.
    await expectStatus(updateConversation(admin.as, fromMail!.id, { inboxId: chat.id }), 200);
    await expectError(readAs(claim.contactToken, fromMail!.id), 404, "not_found");

    // An agent writing to that address reaches the verified contact, not the claimant's widget.
    const started = await json(
      admin.as,
      "/api/conversations",
      { body: { inboxId: chat.id, contact: { email: "ceo@bigcorp.example" }, body: "Here is your contract" } },
      201,
    );
    const byAgent = await getConversation(admin.as, started.id);
    expect(byAgent.contact.id).toBe(fromMail!.contact.id);
    await expectError(readAs(claim.contactToken, started.id), 404, "not_found");
  });
});
