/**
 * Webhooks end to end in the Workers runtime: a change's event is written in
 * its batch, carried by the real local queue, signed, and POSTed to a real
 * HTTP receiver; signatures are checked with the `standardwebhooks` package.
 */
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import worker from "../../worker/index";
import {
  addUser,
  call,
  createInbox,
  customerWrites,
  customerWritesIn,
  expectError,
  expectStatus,
  grant,
  json,
  note,
  reply,
  rowCounts,
  setTags,
  setUpWorkspace,
  updateConversation,
} from "./helpers";
import { addWebhook, ofType, received, receivedAtLeast, receiverPath, verified } from "./webhooks";

/** A workspace with a chat inbox and an agent who may reply there. */
async function team() {
  const { admin, workspaceId } = await setUpWorkspace();
  const inbox = await createInbox(admin);
  const ana = await addUser(admin, "agent", "Ana Agent");
  await grant(admin, inbox.id, ana, "reply");
  return { admin, workspaceId, inbox, ana };
}

async function runSweep(time: number) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: time, cron: "* * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
}

/** Long enough for a delivery's retries (WEBHOOK_RETRY_SECONDS "1,1,1") on a busy machine. */
const WAIT = { timeout: 20_000, interval: 100 };

const deliveries = (as: { cookie: string }, webhookId: string) =>
  json(as, `/api/webhooks/${webhookId}/deliveries`).then((page) => page.items);

describe("a webhook's deliveries", () => {
  it("reach the receiver signed, one per event, notes only where subscribed", async () => {
    const { admin, workspaceId, inbox, ana } = await team();
    const everything = receiverPath("ok");
    const withNotes = await addWebhook(admin, everything, { includeNotes: true });
    const messagesOnly = receiverPath("ok");
    const plain = await addWebhook(admin, messagesOnly, { events: ["message.created"] });

    const { conversationId, contactToken } = await customerWritesIn(inbox.widgetKey, "My invoice is wrong");
    await expectStatus(reply(ana.as, conversationId, "Sorry! Fixing it now."), 201);
    await expectStatus(note(ana.as, conversationId, "Refund issued in Stripe"), 201);
    await expectStatus(updateConversation(ana.as, conversationId, { assigneeId: ana.id, priority: "high" }), 200);
    await expectStatus(setTags(ana.as, conversationId, ["billing"]), 200);
    await expectStatus(updateConversation(ana.as, conversationId, { status: "resolved" }), 200);
    await expectStatus(
      call({ bearer: contactToken }, `/api/widget/conversations/${conversationId}/rating`, { body: { score: 5 } }),
      201,
    );

    // created + 3 messages + 3 updates (assignee and priority together, tags, status) + the rating.
    const all = verified(withNotes.secret, await receivedAtLeast(everything, 8));
    expect(all.map((p) => p.type).sort()).toEqual(
      [
        "conversation.created",
        "conversation.updated",
        "conversation.updated",
        "conversation.updated",
        "message.created",
        "message.created",
        "message.created",
        "rating.created",
      ].sort(),
    );
    // One delivery per event: no id twice.
    expect(new Set(all.map((p) => p.id)).size).toBe(all.length);
    for (const p of all) {
      expect(p.data).toMatchObject({ version: 1, workspaceId, conversation: { id: conversationId } });
    }
    const messages = ofType(all, "message.created").sort((a, b) => a.data.conversation.seq - b.data.conversation.seq);
    expect(messages.map((p) => [p.data.message.kind, p.data.message.body])).toEqual([
      ["customer", "My invoice is wrong"],
      ["reply", "Sorry! Fixing it now."],
      ["note", "Refund issued in Stripe"],
    ]);
    expect(messages.map((p) => p.data.conversation.seq)).toEqual(messages.map((p) => p.data.message.seq));
    const updates = ofType(all, "conversation.updated");
    expect(updates.flatMap((p) => p.data.changes.map((c) => c.type)).sort()).toEqual(
      ["assigned", "priority_changed", "status_changed", "tag_added"].sort(),
    );
    const last = updates.reduce((a, b) => (a.data.conversation.seq > b.data.conversation.seq ? a : b));
    expect(last.data.conversation).toMatchObject({
      status: "resolved",
      assigneeId: ana.id,
      priority: "high",
      tags: ["billing"],
    });
    expect(ofType(all, "rating.created")[0]!.data.rating).toEqual({ score: 5, comment: null });

    // The second endpoint took messages only, and no note.
    const plainOnes = verified(plain.secret, await receivedAtLeast(messagesOnly, 2));
    expect(
      ofType(plainOnes, "message.created")
        .map((p) => p.data.message.kind)
        .sort(),
    ).toEqual(["customer", "reply"]);
    // Its signature does not verify with the other endpoint's secret.
    const first = (await received(messagesOnly)).slice(0, 1);
    expect(() => verified(withNotes.secret, first)).toThrow();

    // The log says delivered, with the receiver's status and the attempt count.
    await vi.waitFor(async () => {
      const log = await deliveries(admin.as, withNotes.id);
      expect(log).toHaveLength(8);
      expect(log.every((d) => d.status === "delivered" && d.attempts === 1 && d.responseStatus === 204)).toBe(true);
    }, WAIT);
    // Nothing came twice, even after the queue and the sweep had time to.
    await runSweep(Date.now() + 120_000);
    expect(await received(everything)).toHaveLength(8);
  });

  it("are retried after failures, and accepted exactly once", async () => {
    const { admin, inbox } = await team();
    const path = receiverPath("flaky");
    const hook = await addWebhook(admin, path, { events: ["conversation.created"] });
    await customerWritesIn(inbox.widgetKey);

    const requests = await receivedAtLeast(path, 3);
    expect(requests.map((r) => r.answered)).toEqual([500, 500, 200]);
    // Every attempt carries the same event id, freshly signed.
    expect(new Set(requests.map((r) => r.headers["webhook-id"])).size).toBe(1);
    verified(hook.secret, requests);
    await vi.waitFor(async () => {
      const [delivery] = await deliveries(admin.as, hook.id);
      expect(delivery).toMatchObject({ status: "delivered", attempts: 3, responseStatus: 200, responseBody: "thanks" });
    }, WAIT);
    expect(await received(path)).toHaveLength(3);
  });

  it("are not lost when the queue never got the event: the sweep sends it", async () => {
    const { admin, workspaceId, inbox } = await team();
    const path = receiverPath("ok");
    const hook = await addWebhook(admin, path, { events: ["message.created"] });
    const { conversationId, contactToken } = await customerWritesIn(inbox.widgetKey);
    const [first] = await receivedAtLeast(path, 1);
    // As if a commit landed and the queue send after it failed: an event row the queue never got.
    await env.DB.prepare(
      "INSERT INTO webhook_events (id, workspace_id, type, conversation_id, seq, note, payload, created_at) VALUES ('msg_lost', ?, 'message.created', ?, 1, 0, ?, ?)",
    )
      .bind(workspaceId, conversationId, first!.body, Date.now())
      .run();
    await runSweep(Date.now() + 120_000);
    const [delivered, lost] = verified(hook.secret, await receivedAtLeast(path, 2));
    expect(lost).toEqual({ ...delivered, id: "msg_lost" });
    // A customer message after that is delivered as usual.
    await expectStatus(customerWrites(contactToken, conversationId, "Any news?"), 201);
    const [, , next] = ofType(verified(hook.secret, await receivedAtLeast(path, 3)), "message.created");
    expect(next!.data.message.body).toBe("Any news?");
  });

  it("are written only when an enabled endpoint subscribes", async () => {
    const { admin, inbox, ana } = await team();
    const { conversationId } = await customerWritesIn(inbox.widgetKey);
    const before = await rowCounts("webhook_events");
    await expectStatus(reply(ana.as, conversationId, "Hi"), 201);
    const off = await addWebhook(admin, receiverPath("ok"), { enabled: false });
    await expectStatus(reply(ana.as, conversationId, "Hi again"), 201);
    await addWebhook(admin, receiverPath("ok"), { events: ["rating.created"] });
    await expectStatus(note(ana.as, conversationId, "a note"), 201);
    expect(await rowCounts("webhook_events")).toEqual(before);
    await json(admin.as, `/api/webhooks/${off.id}`, { method: "PATCH", body: { enabled: true } });
    await expectStatus(note(ana.as, conversationId, "a note, still not subscribed"), 201);
    await expectStatus(reply(ana.as, conversationId, "Now"), 201);
    expect((await rowCounts("webhook_events")).webhook_events).toBe(before.webhook_events! + 1);
  });
});

describe("a failing endpoint", () => {
  it("has each delivery failed after the last retry, with what the receiver said, kept to 4 KiB", async () => {
    const { admin, inbox } = await team();
    const path = receiverPath("fail");
    const hook = await addWebhook(admin, path, { events: ["conversation.created"] });
    await customerWritesIn(inbox.widgetKey);
    // 1 attempt and 3 retries (WEBHOOK_RETRY_SECONDS is "1,1,1" in the tests).
    await receivedAtLeast(path, 4);
    const delivery = await vi.waitFor(async () => {
      const [d] = await deliveries(admin.as, hook.id);
      expect(d!.status).toBe("failed");
      return d!;
    }, WAIT);
    expect(delivery).toMatchObject({ attempts: 4, responseStatus: 500, error: "HTTP 500", nextAttemptAt: null });
    expect(delivery.responseBody).toHaveLength(4096);
    expect(await received(path)).toHaveLength(4);
  });

  it("is turned off after failing for a whole retry window, and the admins are told", async () => {
    const { admin, inbox, ana } = await team();
    const other = await addUser(admin, "admin", "Oli Admin");
    const path = receiverPath("fail");
    const hook = await addWebhook(admin, path, { events: ["message.created"] });
    const { conversationId } = await customerWritesIn(inbox.widgetKey);
    await vi.waitFor(async () => {
      const [listed] = (await json(admin.as, "/api/webhooks")).items;
      expect(listed).toMatchObject({ enabled: false, disabledReason: expect.stringMatching(/^Every attempt failed/) });
    }, WAIT);
    for (const person of [admin, other]) {
      const { items } = await json(person.as, "/api/notifications");
      expect(items).toEqual([
        expect.objectContaining({ kind: "webhook", conversationId: null, preview: expect.stringContaining(path) }),
      ]);
    }
    expect((await json(ana.as, "/api/notifications")).items).toEqual([]);
    // Turned off, it gets nothing more.
    await expectStatus(reply(ana.as, conversationId, "Hello?"), 201);
    const count = (await received(path)).length;
    await json(admin.as, `/api/webhooks/${hook.id}/test`, { body: {} }, 202);
    expect((await deliveries(admin.as, hook.id)).filter((d) => d.type === "message.created")).toHaveLength(1);
    // The test event still goes to it (so an admin can check the receiver before turning it on).
    await receivedAtLeast(path, count + 1);
  });

  it("stops retrying once an admin turns the endpoint off", async () => {
    const { admin, inbox } = await team();
    const path = receiverPath("fail");
    const hook = await addWebhook(admin, path, { events: ["conversation.created"] });
    await customerWritesIn(inbox.widgetKey);
    await vi.waitFor(async () => expect((await deliveries(admin.as, hook.id))[0]!.status).toBe("retrying"), WAIT);
    await json(admin.as, `/api/webhooks/${hook.id}`, { method: "PATCH", body: { enabled: false } });
    const [delivery] = await vi.waitFor(async () => {
      const log = await deliveries(admin.as, hook.id);
      expect(log[0]!.status).toBe("failed");
      return log;
    }, WAIT);
    expect(delivery).toMatchObject({ attempts: 2, error: "The endpoint is turned off" });
    expect(await received(path)).toHaveLength(1);
    // Not a failure of the endpoint's: it is not marked failing on that account.
    expect((await json(admin.as, "/api/webhooks")).items[0]!.disabledReason).toBeNull();
  });

  it("does not follow redirects", async () => {
    const { admin, inbox } = await team();
    const path = receiverPath("redirect");
    const hook = await addWebhook(admin, path, { events: ["conversation.created"] });
    await customerWritesIn(inbox.widgetKey);
    await receivedAtLeast(path, 1);
    await vi.waitFor(async () => {
      const [d] = await deliveries(admin.as, hook.id);
      expect(d).toMatchObject({ responseStatus: 302, error: "Redirects are not followed" });
    }, WAIT);
    expect(await received(path.replace("/redirect/", "/ok/"))).toEqual([]);
  });
});

describe("the webhooks API", () => {
  it("shows the secret once, stores it so the database alone cannot sign", async () => {
    const { admin } = await team();
    const hook = await addWebhook(admin, receiverPath("ok"));
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const listed = (await json(admin.as, "/api/webhooks")).items;
    expect(listed).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(hook.secret);
    const stored = await env.DB.prepare("SELECT secret FROM webhooks WHERE id = ?")
      .bind(hook.id)
      .first<{ secret: string }>();
    expect(stored!.secret).not.toContain(hook.secret.slice(6));
    expect(stored!.secret).toMatch(/^v1\./);
    // Rotating gives a new one, shown once again.
    const rotated = await json(admin.as, `/api/webhooks/${hook.id}/secret`, { body: {} }, 201);
    expect(rotated.secret).not.toBe(hook.secret);
  });

  it("sends a test event, and a delivery again", async () => {
    const { admin } = await team();
    const path = receiverPath("ok");
    const hook = await addWebhook(admin, path);
    const { delivery } = await json(admin.as, `/api/webhooks/${hook.id}/test`, { body: {} }, 202);
    expect(delivery).toMatchObject({ type: "webhook.test", status: "pending" });
    const [test] = verified(hook.secret, await receivedAtLeast(path, 1));
    expect(test).toMatchObject({ type: "webhook.test", data: { webhookId: hook.id } });
    await vi.waitFor(async () => expect((await deliveries(admin.as, hook.id))[0]!.status).toBe("delivered"), WAIT);
    const again = await json(admin.as, `/api/webhooks/${hook.id}/deliveries/${delivery.id}/retry`, { body: {} }, 202);
    expect(again.delivery.status).toBe("pending");
    const both = verified(hook.secret, await receivedAtLeast(path, 2));
    // Sent again, it is the same event: same id, same body.
    expect(both[1]).toEqual(both[0]);
    await expectError(
      call(admin.as, `/api/webhooks/${hook.id}/deliveries/whd_nope/retry`, { body: {} }),
      404,
      "not_found",
    );
  });

  it("refuses agents, bad input and foreign ids, writing nothing", async () => {
    const { admin, ana } = await team();
    const hook = await addWebhook(admin, receiverPath("ok"));
    const before = await rowCounts("webhooks", "webhook_events", "webhook_deliveries");
    await expectError(call(ana.as, "/api/webhooks"), 403, "forbidden");
    await expectError(call(ana.as, `/api/webhooks/${hook.id}/test`, { body: {} }), 403, "forbidden");
    const url = `${env.WEBHOOK_RECEIVER}/ok/x`;
    for (const body of [
      { url, events: [] },
      { url, events: ["conversation.deleted"] },
      { url, events: ["message.created", "message.created"] },
      { url: "ftp://example.com/hook", events: ["message.created"] },
      { url: "https://user:pw@example.com/hook", events: ["message.created"] },
      { url: "not a url", events: ["message.created"] },
      { url, events: ["message.created"], secret: "whsec_mine" },
    ]) {
      const error = await expectError(call(admin.as, "/api/webhooks", { body }), 400, "validation_failed");
      expect(error.details.length).toBeGreaterThan(0);
    }
    await expectError(
      call(admin.as, `/api/webhooks/${hook.id}`, { method: "PATCH", body: {} }),
      400,
      "validation_failed",
    );
    for (const [method, path] of [
      ["PATCH", "/api/webhooks/wh_unknown"],
      ["DELETE", "/api/webhooks/wh_unknown"],
      ["POST", "/api/webhooks/wh_unknown/test"],
      ["GET", "/api/webhooks/wh_unknown/deliveries"],
      ["POST", `/api/webhooks/${hook.id}/deliveries/whd_unknown/retry`],
    ] as const) {
      const body = method === "GET" || method === "DELETE" ? undefined : { enabled: false };
      await expectError(call(admin.as, path, { method, body }), 404, "not_found");
    }
    expect(await rowCounts("webhooks", "webhook_events", "webhook_deliveries")).toEqual(before);
  });
});

// Last: the held request keeps the local queue's consumer busy for 10 s after the test.
describe("a hanging endpoint", () => {
  it("never holds up the reply that causes its deliveries", async () => {
    const { admin, inbox, ana } = await team();
    const path = receiverPath("hang");
    await addWebhook(admin, path, { events: ["message.created"] });
    const { conversationId } = await customerWritesIn(inbox.widgetKey);
    // The receiver holds the customer's message's delivery (15 s, past the 10 s limit)…
    await receivedAtLeast(path, 1);
    // …and the reply is answered while it does.
    await expectStatus(reply(ana.as, conversationId, "On it"), 201);
    const held = await received(path);
    expect(held[0]!.answered).toBeNull();
  });
});
