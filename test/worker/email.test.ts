import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { newText, threadIds } from "../../worker/email/threading";
import { json, setUpWorkspace } from "./helpers";
import { deliverEmail as deliver, mail } from "./mail";

describe("email channel", () => {
  it("turns mail into conversations, threads replies by In-Reply-To/References, and ignores redelivery", async () => {
    const { admin } = await setUpWorkspace();
    const inbox = await json(
      admin.as,
      "/api/inboxes",
      { body: { name: "Billing email", channel: "email", emailAddress: "help@acme.test" } },
      201,
    );
    const first = mail(
      {
        From: "Jo Doe <jo@example.com>",
        To: "help@acme.test",
        Subject: "Invoice 42 is wrong",
        "Message-ID": "<m1@example.com>",
      },
      "Hello, invoice 42 charges me twice.",
    );
    expect(await deliver(first)).toEqual([]);
    expect(await deliver(first)).toEqual([]); // redelivered: no second conversation
    const { items } = await json(admin.as, `/api/conversations?inboxId=${inbox.id}`);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      subject: "Invoice 42 is wrong",
      channel: "email",
      contact: { name: "Jo Doe", email: "jo@example.com" },
    });
    const id = items[0]!.id;

    // The agent's reply goes out by email; its Message-ID is the one Email Service's send() returned.
    const sent = await json(
      admin.as,
      `/api/conversations/${id}/messages`,
      { body: { kind: "reply", body: "Sorry Jo, fixed." } },
      201,
    );
    const stored = await vi.waitFor(async () => {
      const row = await env.DB.prepare("SELECT message_id FROM outbox WHERE conversation_id = ? AND seq = ?")
        .bind(id, sent.seq)
        .first<{ message_id: string | null }>();
      expect(row?.message_id).toEqual(expect.any(String));
      return row!;
    });
    const answer = mail(
      {
        From: "Jo Doe <jo@example.com>",
        To: "help@acme.test",
        Subject: "Re: Invoice 42 is wrong",
        "Message-ID": "<m2@example.com>",
        "In-Reply-To": `<${stored!.message_id}>`,
        References: `<m1@example.com> <${stored!.message_id}>`,
      },
      "Thanks!\r\n\r\nOn Mon, Support wrote:\r\n> Sorry Jo, fixed.",
    );
    await deliver(answer);
    await deliver(answer);
    const thread = await json(admin.as, `/api/conversations/${id}/timeline`);
    expect(
      thread.items
        .filter((i: { kind: string }) => i.kind !== "event")
        .map((i: { kind: string; body: string }) => `${i.kind}: ${i.body}`),
    ).toEqual(["customer: Hello, invoice 42 charges me twice.", "reply: Sorry Jo, fixed.", "customer: Thanks!"]);
    expect((await json(admin.as, `/api/conversations?inboxId=${inbox.id}`)).items).toHaveLength(1);
  });

  it("rejects mail to an address no inbox receives", async () => {
    await setUpWorkspace();
    const rejected = await deliver(
      mail({ From: "x <x@example.com>", To: "nobody@acme.test", Subject: "hi", "Message-ID": "<z@x>" }, "hi"),
      "nobody@acme.test",
    );
    expect(rejected).toEqual(["No inbox receives mail at this address"]);
  });

  it("reads threading headers and strips the quoted part of a reply", () => {
    expect(threadIds("<B@x>", "<a@x> <b@x>")).toEqual(["b@x", "a@x"]);
    expect(newText("Great, thanks\n\nOn Tue, Ada wrote:\n> old text\n> more")).toBe("Great, thanks");
    expect(newText("Reply\n-- \nJo, Acme Ltd")).toBe("Reply");
    expect(newText("> only quoted")).toBe("> only quoted");
  });
});
