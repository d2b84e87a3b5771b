import { describe, expect, it } from "vitest";
import {
  call,
  customerSees,
  expectError,
  expectStatus,
  hmacHex,
  rowCounts,
  supportTeam,
  widgetSecret,
} from "./helpers";

const SHOP = "https://shop.example";
const WRITES = ["contacts", "contact_tokens", "conversations", "timeline_items"];

const start = (widgetKey: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  call(null, `/api/widget/${widgetKey}/conversations`, { body, headers: { origin: SHOP, ...headers } });

/** The customer's read of a conversation, answered as it comes (a 404 included). */
const peek = (contactToken: string, id: string) =>
  call({ bearer: contactToken }, `/api/widget/conversations/${id}/messages`);

describe("a widget start's Idempotency-Key opens nothing without the token it returned", () => {
  it("refuses a tokenless replay of an anonymous start with 409 and writes nothing; the owner's retry works", async () => {
    const { inbox } = await supportTeam();
    const key = crypto.randomUUID();
    const victim = await expectStatus(
      start(
        inbox.widgetKey,
        { name: "Cara", email: "cara@example.com", body: "My card number is…" },
        { "Idempotency-Key": key },
      ),
      201,
    );
    const before = await rowCounts(...WRITES);
    await expectError(start(inbox.widgetKey, { body: "Hi" }, { "Idempotency-Key": key }), 409, "conflict");
    expect(await rowCounts(...WRITES)).toEqual(before);

    const retried = await expectStatus(
      start(
        inbox.widgetKey,
        { name: "Cara", body: "My card number is…" },
        {
          "Idempotency-Key": key,
          authorization: `Bearer ${victim.contactToken}`,
        },
      ),
      201,
    );
    expect(retried).toEqual(victim);
  });

  it("gives a verified customer's key, replayed by someone else, only a fresh conversation of their own", async () => {
    const { inbox } = await supportTeam();
    const secret = await widgetSecret(inbox.id);
    const identity = { userId: "user-42", hash: await hmacHex(secret, "user-42") };
    const key = crypto.randomUUID();
    const victim = await expectStatus(
      start(inbox.widgetKey, { name: "Cara", body: "Private matter", identity }, { "Idempotency-Key": key }),
      201,
    );

    const stranger = await expectStatus(start(inbox.widgetKey, { body: "Hi" }, { "Idempotency-Key": key }), 201);
    expect(stranger.conversationId).not.toBe(victim.conversationId);
    await expectError(peek(stranger.contactToken, victim.conversationId), 404, "not_found");
    const theirs = await customerSees(stranger.contactToken, stranger.conversationId);
    expect(theirs.items.map((i) => i.body)).toEqual(["Hi"]);

    // The same verified identity (another device, no token) finds its conversation again.
    const sameUser = await expectStatus(
      start(inbox.widgetKey, { body: "Private matter", identity }, { "Idempotency-Key": key }),
      201,
    );
    expect(sameUser.conversationId).toBe(victim.conversationId);
  });

  it("gives another verified customer replaying an anonymous key a conversation of their own", async () => {
    const { inbox } = await supportTeam();
    const secret = await widgetSecret(inbox.id);
    const key = crypto.randomUUID();
    const victim = await expectStatus(
      start(inbox.widgetKey, { name: "Cara", body: "Anonymous question" }, { "Idempotency-Key": key }),
      201,
    );
    const identity = { userId: "user-77", hash: await hmacHex(secret, "user-77") };
    const other = await expectStatus(
      start(inbox.widgetKey, { body: "Verified question", identity }, { "Idempotency-Key": key }),
      201,
    );
    expect(other.conversationId).not.toBe(victim.conversationId);
    await expectError(peek(other.contactToken, victim.conversationId), 404, "not_found");
  });
});
