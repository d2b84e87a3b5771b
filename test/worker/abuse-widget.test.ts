import { describe, expect, it } from "vitest";
import {
  call,
  customerSees,
  expectError,
  hmacHex,
  rowCounts,
  startConversation,
  supportTeam,
  widgetSecret,
} from "./helpers";

/** The customer's read of a conversation, answered as it comes (a 404 included). */
const peek = (contactToken: string, id: string) =>
  call({ bearer: contactToken }, `/api/widget/conversations/${id}/messages`);

const keyed = (key: string, contactToken?: string): Record<string, string> =>
  contactToken ? { "Idempotency-Key": key, authorization: `Bearer ${contactToken}` } : { "Idempotency-Key": key };

describe("a widget start's Idempotency-Key opens nothing without the token it returned", () => {
  it("refuses a tokenless replay of an anonymous start with 409 and writes nothing; the owner's retry works", async () => {
    const { inbox } = await supportTeam();
    const key = crypto.randomUUID();
    const about = { name: "Cara", email: "cara@example.com" };
    const victim = await startConversation(inbox.widgetKey, "My card number is…", about, keyed(key));
    const tables = ["contacts", "contact_tokens", "conversations", "timeline_items"];
    const before = await rowCounts(...tables);
    const replay = call(null, `/api/widget/${inbox.widgetKey}/conversations`, {
      body: { body: "Hi" },
      headers: keyed(key),
    });
    await expectError(replay, 409, "conflict");
    expect(await rowCounts(...tables)).toEqual(before);

    const retried = await startConversation(
      inbox.widgetKey,
      "My card number is…",
      about,
      keyed(key, victim.contactToken),
    );
    expect(retried).toEqual(victim);
  });

  it("gives a verified customer's key, replayed by someone else, only a fresh conversation of their own", async () => {
    const { inbox } = await supportTeam();
    const secret = await widgetSecret(inbox.id);
    const identity = { userId: "user-42", hash: await hmacHex(secret, "user-42") };
    const key = crypto.randomUUID();
    const victim = await startConversation(inbox.widgetKey, "Private matter", { name: "Cara", identity }, keyed(key));

    const stranger = await startConversation(inbox.widgetKey, "Hi", {}, keyed(key));
    expect(stranger.id).not.toBe(victim.id);
    await expectError(peek(stranger.contactToken, victim.id), 404, "not_found");
    expect((await customerSees(stranger.contactToken, stranger.id)).items.map((i) => i.body)).toEqual(["Hi"]);

    // The same verified identity (another device, no token) finds its conversation again.
    const sameUser = await startConversation(inbox.widgetKey, "Private matter", { identity }, keyed(key));
    expect(sameUser.id).toBe(victim.id);
  });

  it("gives another verified customer replaying an anonymous key a conversation of their own", async () => {
    const { inbox } = await supportTeam();
    const secret = await widgetSecret(inbox.id);
    const key = crypto.randomUUID();
    const victim = await startConversation(inbox.widgetKey, "Anonymous question", { name: "Cara" }, keyed(key));
    const identity = { userId: "user-77", hash: await hmacHex(secret, "user-77") };
    const other = await startConversation(inbox.widgetKey, "Verified question", { identity }, keyed(key));
    expect(other.id).not.toBe(victim.id);
    await expectError(peek(other.contactToken, victim.id), 404, "not_found");
  });
});
