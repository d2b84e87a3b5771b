import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { getDb } from "../../worker/db/client";
import { claimOutbox } from "../../worker/db/queries/outbox";
import { LEASE_MS, MAX_ATTEMPTS } from "../../worker/email/deliver";
import { call, expectError, expectStatus, json, type Person, reply, setUpWorkspace } from "./helpers";
import { deliverEmail, emailInbox, mail, runSweep } from "./mail";

/** An email inbox with one conversation that a customer started by email. */
async function emailConversation() {
  const { admin, inboxId, address } = await emailInbox();
  const firstId = `first.${address}`;
  await deliverEmail(
    mail(
      { From: "Jo Doe <jo@example.com>", To: address, Subject: "Invoice 42", "Message-ID": `<${firstId}>` },
      "Charged twice.",
    ),
    address,
  );
  const { items } = await json(admin.as, `/api/conversations?inboxId=${inboxId}`);
  return { admin, inbox: { id: inboxId }, address, firstId, id: items[0]!.id as string };
}

const deliveries = (as: Person["as"], id: string) => json(as, `/api/conversations/${id}/email-deliveries`);
const setAddress = (admin: Person, inboxId: string, emailAddress: string | null) =>
  json(admin.as, `/api/inboxes/${inboxId}`, { method: "PATCH", body: { emailAddress } });

describe("outgoing reply email goes through the outbox", () => {
  it("sends a reply once, with the Message-ID Email Service returns", async () => {
    const { admin, id } = await emailConversation();
    const sent = await expectStatus(reply(admin.as, id, "Fixed."), 201);
    await vi.waitFor(async () =>
      expect((await deliveries(admin.as, id)).items).toEqual([
        { seq: sent.seq, status: "sent", attempts: 1, error: null },
      ]),
    );
    // A later sweep finds nothing left to send.
    await runSweep(Date.now() + 10 * 60_000);
    expect((await deliveries(admin.as, id)).items).toEqual([
      { seq: sent.seq, status: "sent", attempts: 1, error: null },
    ]);
    const row = await env.DB.prepare("SELECT message_id FROM outbox WHERE conversation_id = ?")
      .bind(id)
      .first<{ message_id: string }>();
    const item = await env.DB.prepare("SELECT message_id FROM timeline_items WHERE conversation_id = ? AND seq = ?")
      .bind(id, sent.seq)
      .first<{ message_id: string | null }>();
    expect(row!.message_id).toMatch(/.+/);
    expect(item!.message_id).toBeNull(); // no id of our own making
  });

  it("queues a reply's email with the reply itself: a replay queues nothing more, a refused reply nothing at all", async () => {
    const { admin, address, firstId, id } = await emailConversation();
    const headers = { "Idempotency-Key": "reply-once" };
    const post = (body: Record<string, unknown>) =>
      call(admin.as, `/api/conversations/${id}/messages`, { body: { kind: "reply", ...body }, headers });
    const first = await expectStatus(post({ body: "Once." }), 201);
    expect((await expectStatus(post({ body: "Once." }), 201)).seq).toBe(first.seq);
    // The customer writes again; a reply that did not see it collides (409) and queues no email.
    await deliverEmail(
      mail(
        {
          From: "Jo Doe <jo@example.com>",
          To: address,
          Subject: "more",
          "Message-ID": "<more@example.com>",
          "In-Reply-To": `<${firstId}>`,
        },
        "More",
      ),
      address,
    );
    await expectError(
      call(admin.as, `/api/conversations/${id}/messages`, {
        body: { kind: "reply", body: "Stale", lastSeenSeq: first.seq },
      }),
      409,
      "collision",
    );
    await vi.waitFor(async () =>
      expect((await deliveries(admin.as, id)).items).toEqual([
        { seq: first.seq, status: "sent", attempts: 1, error: null },
      ]),
    );
  });

  it("retries a failing reply with back-off, marks it failed after the last try, and sends it on retry", async () => {
    const { admin, inbox, address, id } = await emailConversation();
    await setAddress(admin, inbox.id, null); // mail is not set up: every send fails
    const sent = await expectStatus(reply(admin.as, id, "Fixed."), 201);
    await vi.waitFor(async () =>
      expect((await deliveries(admin.as, id)).items[0]).toMatchObject({ attempts: 1, status: "pending" }),
    );
    // The reply itself stands in the timeline whatever happens to its email.
    expect(
      (await json(admin.as, `/api/conversations/${id}/timeline`)).items.map((i: { seq: number }) => i.seq),
    ).toContain(sent.seq);

    let clock = Date.now();
    await runSweep(clock + 30_000); // back-off: not yet due
    expect((await deliveries(admin.as, id)).items[0]).toMatchObject({ attempts: 1, status: "pending" });
    for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
      clock += 60 * 60_000;
      await runSweep(clock);
      expect((await deliveries(admin.as, id)).items[0]).toMatchObject({ attempts: attempt });
    }
    const failed = (await deliveries(admin.as, id)).items[0];
    expect(failed).toMatchObject({ seq: sent.seq, status: "failed", error: expect.stringMatching(/no email address/) });
    await runSweep(clock + 24 * 60 * 60_000); // failed stays failed: no more tries on its own
    expect((await deliveries(admin.as, id)).items[0]).toMatchObject({ status: "failed", attempts: MAX_ATTEMPTS });

    // Mail set up again, the agent retries and it goes out.
    await setAddress(admin, inbox.id, address);
    const retried = await json(admin.as, `/api/conversations/${id}/messages/${sent.seq}/retry-email`, { body: {} });
    expect(retried).toMatchObject({ seq: sent.seq, status: "pending", attempts: 0 });
    await vi.waitFor(async () =>
      expect((await deliveries(admin.as, id)).items[0]).toMatchObject({ status: "sent", error: null }),
    );
    // Nothing failed left to retry: 404, and a customer message has no email to retry.
    await expectError(
      call(admin.as, `/api/conversations/${id}/messages/${sent.seq}/retry-email`, { body: {} }),
      404,
      "not_found",
    );
    await expectError(
      call(admin.as, `/api/conversations/${id}/messages/1/retry-email`, { body: {} }),
      404,
      "not_found",
    );
  });

  it("lets overlapping sweeps claim disjoint rows, never the same one twice", async () => {
    const { admin, inbox, id } = await emailConversation();
    await setAddress(admin, inbox.id, null);
    for (let i = 0; i < 6; i++) await expectStatus(reply(admin.as, id, `Reply ${i}`, { force: true }), 201);
    await vi.waitFor(async () =>
      expect((await deliveries(admin.as, id)).items.every((d: { attempts: number }) => d.attempts === 1)).toBe(true),
    );
    const db = getDb(env.DB);
    const later = Date.now() + 60 * 60_000;
    const [a, b] = await Promise.all([claimOutbox(db, later, 4, LEASE_MS), claimOutbox(db, later, 4, LEASE_MS)]);
    const ids = [...a, ...b].map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(6);
    // Leased: a third run inside the lease gets nothing.
    expect(await claimOutbox(db, later + 1000, 10, LEASE_MS)).toEqual([]);
  });

  it("emails the opening reply of a conversation an agent starts in an email inbox", async () => {
    const { admin } = await setUpWorkspace();
    const inbox = await json(
      admin.as,
      "/api/inboxes",
      { body: { name: "Out", channel: "email", emailAddress: "out@acme.test" } },
      201,
    );
    const started = await json(
      admin.as,
      "/api/conversations",
      {
        body: {
          inboxId: inbox.id,
          contact: { name: "Kim", email: "kim@example.com" },
          subject: "Your order",
          body: "It shipped.",
        },
      },
      201,
    );
    await vi.waitFor(async () =>
      expect((await deliveries(admin.as, started.id)).items).toEqual([
        { seq: 1, status: "sent", attempts: 1, error: null },
      ]),
    );
  });
});
