import { describe, expect, it } from "vitest";
import { htmlToText, newText } from "../../worker/email/threading";
import { json, type Person, updateConversation } from "./helpers";
import { deliverEmail as deliver, emailInbox, mail } from "./mail";

const conversationsIn = async (admin: Person, inboxId: string) =>
  (await json(admin.as, `/api/conversations?inboxId=${inboxId}`)).items;

/** Milliseconds `work` takes. */
function timed(work: () => unknown): number {
  const start = performance.now();
  work();
  return performance.now() - start;
}

describe("inbound email that would hurt", () => {
  it("strips quotes and HTML in linear time: 40,000 quoted lines and a 1 MB unclosed <script> each under a second", () => {
    const quoted = `Thanks!\n${"> quoted line\n".repeat(40_000)}not quoted after all`;
    expect(timed(() => newText(quoted))).toBeLessThan(1000);
    expect(newText(quoted).startsWith("Thanks!")).toBe(true);
    const allQuoted = `Thanks!\n${"> old\n".repeat(40_000)}`;
    expect(timed(() => newText(allQuoted))).toBeLessThan(1000);
    expect(newText(allQuoted)).toBe("Thanks!");

    const script = `<p>Hello</p><script>${"a<b ".repeat(256 * 1024)}`;
    expect(timed(() => htmlToText(script))).toBeLessThan(1000);
    expect(htmlToText(script)).toBe("Hello");
    const tags = `<div>${"<".repeat(1024 * 1024)}`;
    expect(timed(() => htmlToText(tags))).toBeLessThan(1000);
    expect(htmlToText("<p>A &amp;lt; B</p><style>x{}</style><br>C")).toBe("A &lt; B\n\nC");
  });

  it("drops oversized mail with a log line, no bounce and no conversation", async () => {
    const { admin, inboxId, address } = await emailInbox();
    const huge = mail(
      { From: "Jo <jo@example.com>", To: address, Subject: "big", "Message-ID": "<big@x>" },
      "x".repeat(11 * 1024 * 1024),
    );
    expect(await deliver(huge, address)).toEqual([]);
    const longBody = mail(
      { From: "Jo <jo@example.com>", To: address, Subject: "long", "Message-ID": "<long@x>" },
      "word ".repeat(600 * 1024),
    );
    expect(await deliver(longBody, address)).toEqual([]);
    expect(await conversationsIn(admin, inboxId)).toEqual([]);
  });

  it("records auto-replies, list mail and bounces without reopening the conversation", async () => {
    const { admin, inboxId, address } = await emailInbox();
    await deliver(
      mail({ From: "Jo <jo@example.com>", To: address, Subject: "Help", "Message-ID": "<q1@example.com>" }, "Help me"),
      address,
    );
    const conversation = (await conversationsIn(admin, inboxId))[0]!;
    await updateConversation(admin.as, conversation.id, { status: "resolved" });
    const automatic: Record<string, string>[] = [
      { From: "Jo <jo@example.com>", "Auto-Submitted": "auto-replied", Subject: "Out of office" },
      { From: "Jo <jo@example.com>", Precedence: "bulk", Subject: "Newsletter" },
      { From: "Mail Delivery System <MAILER-DAEMON@example.com>", Subject: "Undelivered" },
      {
        From: "Postmaster <postmaster@example.com>",
        Subject: "Report",
        "Content-Type": 'multipart/report; report-type=delivery-status; boundary="b1"',
      },
    ];
    for (const [i, headers] of automatic.entries()) {
      const body = headers["Content-Type"]
        ? "--b1\r\nContent-Type: text/plain\r\n\r\nDelivery failed\r\n--b1\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--b1--"
        : `Automatic ${i}`;
      await deliver(
        mail(
          { To: address, "Message-ID": `<auto${i}@example.com>`, "In-Reply-To": "<q1@example.com>", ...headers },
          body,
        ),
        address,
      );
    }
    const { items } = await json(admin.as, `/api/conversations/${conversation.id}/timeline`);
    expect(items.filter((i: { kind: string }) => i.kind === "customer")).toHaveLength(5);
    expect((await json(admin.as, `/api/conversations/${conversation.id}`)).status).toBe("resolved");

    // A person's answer still reopens it.
    await deliver(
      mail(
        {
          From: "Jo <jo@example.com>",
          To: address,
          "Message-ID": "<q2@example.com>",
          "In-Reply-To": "<q1@example.com>",
          "Auto-Submitted": "no",
        },
        "Still broken",
      ),
      address,
    );
    expect((await json(admin.as, `/api/conversations/${conversation.id}`)).status).toBe("open");
  });

  it("strips control characters from names and subjects", async () => {
    const { admin, inboxId, address } = await emailInbox();
    await deliver(
      mail(
        {
          From: `=?utf-8?B?${btoa("Jo\r\nBcc: x\u0007Doe")}?= <jo@example.com>`,
          To: address,
          Subject: "=?utf-8?Q?Invoice=0D=0AX-Evil:_1=00?=",
          "Message-ID": "<cc@example.com>",
        },
        "hi",
      ),
      address,
    );
    const conversation = (await conversationsIn(admin, inboxId))[0]!;
    expect(conversation.subject).toBe("Invoice X-Evil: 1");
    expect(conversation.contact.name).toBe("Jo Bcc: x Doe");
  });
});
