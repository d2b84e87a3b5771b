import { describe, expect, it } from "vitest";
import { addUser, call, createInbox, customerWritesIn, expectStatus, grant, json, setUpWorkspace } from "./helpers";
import { openRoom } from "./sockets";

const SECRET = "Severance for Eve in Billing";

/** Ana works Support; a Billing conversation she cannot see carries a subject that must not reach her. */
async function hiddenSubject() {
  const { admin } = await setUpWorkspace();
  const support = await createInbox(admin, "Support");
  const billing = await createInbox(admin, "Billing");
  const ana = await addUser(admin, "agent", "Ana Agent");
  await grant(admin, support.id, ana, "reply");
  const mine = (await customerWritesIn(support.widgetKey, "Charged twice", { name: "Cara", email: "cara@x.test" }))
    .conversationId;
  const hidden = await json(
    admin.as,
    "/api/conversations",
    { body: { inboxId: billing.id, contact: { name: "Eve" }, subject: SECRET, body: "We are sorry to see you go" } },
    201,
  );
  return { admin, ana, mine, hidden: hidden.id };
}

const timelineText = async (as: { cookie: string }, id: string) =>
  JSON.stringify(await json(as, `/api/conversations/${id}/timeline`));

describe("link events never reveal a conversation the reader cannot see", () => {
  it("leaves a hidden conversation out of linked and unlinked events, for her only", async () => {
    const { admin, ana, mine, hidden } = await hiddenSubject();
    const linked = await json(admin.as, `/api/conversations/${hidden}/links`, { body: { conversationId: mine } }, 201);
    await expectStatus(
      call(admin.as, `/api/conversations/${hidden}/links/${linked.links[0]!.id}`, { method: "DELETE" }),
      204,
    );
    await json(admin.as, `/api/conversations/${mine}/links`, { body: { conversationId: hidden } }, 201);

    const anaSees = await json(ana.as, `/api/conversations/${mine}/timeline`);
    const events = anaSees.items.filter((i) => i.kind === "event").map((i) => i.event);
    expect(events.map((e) => e?.type)).toEqual(["linked", "unlinked", "linked"]);
    expect(JSON.stringify(anaSees)).not.toContain(SECRET);
    expect(JSON.stringify(anaSees)).not.toContain(hidden);

    // The admin, who sees Billing, still reads what was linked.
    expect(await timelineText(admin.as, mine)).toContain(SECRET);
  });

  it("sends her open conversation socket a link event without the hidden subject", async () => {
    const { admin, ana, mine, hidden } = await hiddenSubject();
    const room = await openRoom(mine, ana.as);
    await json(admin.as, `/api/conversations/${hidden}/links`, { body: { conversationId: mine } }, 201);
    const frame = await room.next("item");
    expect(frame.item.event?.type).toBe("linked");
    expect(JSON.stringify(frame)).not.toContain(SECRET);
    room.ws.close();
  });
});
