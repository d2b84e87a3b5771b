/**
 * Sockets under abuse: a client that floods frames, says hello again and
 * again, or talks before hello cannot stall the room or leave ghosts; the
 * customer's typing indicator shows only a reply being typed.
 */
import { describe, expect, it, vi } from "vitest";
import { CloseCodes } from "../../worker/contract";
import { addUser, expectStatus, grant, postMessage, twoAgentsAndACustomer } from "./helpers";
import { connect, openRoom, openWidget } from "./sockets";

/** Condition waits return as soon as they hold; the limit only has to suit a loaded machine. */
const WAIT = { timeout: 15_000, interval: 100 };

/** The close code, or a failure if the server leaves the socket open. */
const closeCode = (socket: { closed: Promise<number> }, ms = 10_000) =>
  Promise.race([
    socket.closed,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms)),
  ]);

describe("a per-socket frame budget", () => {
  it("drops a burst's excess with one error frame, and the socket keeps working", async () => {
    const { ana, ben, conversationId } = await twoAgentsAndACustomer();
    const anaRoom = await openRoom(conversationId, ana.as);
    const benRoom = await openRoom(conversationId, ben.as);
    for (let i = 1; i <= 60; i++) anaRoom.send({ type: "draft", body: `d${i}` });
    expect(await anaRoom.next("error")).toMatchObject({ code: "rate_limited" });
    // Once the bucket refills, a draft goes through again: everything before it was handled.
    await vi.waitFor(async () => {
      anaRoom.send({ type: "draft", body: "final" });
      expect(benRoom.pending("draft").at(-1)?.body).toBe("final");
    }, WAIT);
    const seen = benRoom.pending("draft").map((d) => d.body);
    const burst = seen.slice(0, seen.indexOf("final"));
    // The burst's head went through in order (the hello spent one token, refills add a few), the excess did not.
    expect(burst.slice(0, 30)).toEqual(Array.from({ length: 30 }, (_, i) => `d${i + 1}`));
    const numbers = burst.map((b) => Number(b.slice(1)));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(burst.length).toBeLessThan(60);
    expect(anaRoom.frames.filter((f) => f.type === "error")).toHaveLength(1);
  });

  it("closes a customer flooding hellos, while the agents' writes go through", async () => {
    const { ana, conversationId, contactToken } = await twoAgentsAndACustomer();
    const customer = await openWidget(conversationId, contactToken);
    for (let i = 0; i < 400; i++) customer.send({ type: "hello", lastSeq: 0 });
    await expectStatus(postMessage(ana.as, conversationId, { kind: "reply", body: "still here" }), 201);
    expect(await closeCode(customer)).toBe(CloseCodes.rate_limited);
    // No hello after the first was answered with a welcome (and a replay).
    expect(customer.frames.filter((f) => f.type === "welcome")).toHaveLength(1);
  });

  it("closes a list stream that floods frames", async () => {
    const { ana } = await twoAgentsAndACustomer();
    const list = await connect("/api/live", ana.as);
    for (let i = 0; i < 400; i++) list.send({ type: "hello" });
    expect(await closeCode(list)).toBe(CloseCodes.rate_limited);
  });
});

describe("hello", () => {
  it("is answered once per socket; a second is refused", async () => {
    const { conversationId, contactToken } = await twoAgentsAndACustomer();
    const customer = await openWidget(conversationId, contactToken);
    customer.send({ type: "hello", lastSeq: 0 });
    expect(await customer.next("error")).toMatchObject({ code: "conflict" });
    expect(customer.frames.filter((f) => f.type === "welcome" || f.type === "item")).toHaveLength(1);
  });

  it("comes before drafts and typing: what a socket says earlier is ignored", async () => {
    const { admin, inbox, ana, ben, conversationId } = await twoAgentsAndACustomer();
    const vic = await addUser(admin, "agent", "Vic Agent");
    await grant(admin, inbox.id, vic, "reply");
    const anaRoom = await openRoom(conversationId, ana.as);
    const vicRoom = await connect(`/api/conversations/${conversationId}/live`, vic.as);
    vicRoom.send({ type: "draft", body: "ghost" });
    vicRoom.send({ type: "presence", state: "typing" });
    vicRoom.close();
    // Vic is gone; Ben joins after the room has handled Vic's frames (Ana's socket sees them in order).
    const benRoom = await openRoom(conversationId, ben.as);
    await anaRoom.next("presence");
    const welcome = benRoom.frames.find((f) => f.type === "welcome")!;
    expect(welcome.drafts.filter((d) => d.body)).toEqual([]);
    expect(welcome.viewers.map((v) => v.name)).toEqual(["Ana Agent", "Ben Agent"]);
    expect(anaRoom.pending("draft")).toEqual([]);
  });
});

describe("the customer's typing indicator", () => {
  it("changes only when an agent starts or stops typing a reply, never on a join or a note", async () => {
    const { ana, ben, conversationId, contactToken } = await twoAgentsAndACustomer();
    const customer = await openWidget(conversationId, contactToken);
    const benRoom = await openRoom(conversationId, ben.as);
    const anaRoom = await openRoom(conversationId, ana.as);
    await benRoom.next("presence");
    anaRoom.send({ type: "presence", state: "typing", kind: "note" });
    expect((await benRoom.next("presence")).viewers.find((v) => v.userId === ana.id)?.state).toBe("typing");
    anaRoom.send({ type: "presence", state: "typing", kind: "reply" });
    expect(await customer.next("typing")).toEqual({ type: "typing", active: true });
    anaRoom.send({ type: "presence", state: "typing", kind: "note" });
    expect(await customer.next("typing")).toEqual({ type: "typing", active: false });
    anaRoom.send({ type: "presence", state: "viewing" });
    await benRoom.next("presence");
    // The joins and the note typing told the customer nothing.
    expect(customer.frames.filter((f) => f.type === "typing")).toEqual([
      { type: "typing", active: true },
      { type: "typing", active: false },
    ]);
  });
});

describe("presence on the list views", () => {
  it("coalesces flapping presence into few publications that end on the latest", async () => {
    const { ana, ben, conversationId } = await twoAgentsAndACustomer();
    const anaList = await connect("/api/live", ana.as);
    const benRoom = await openRoom(conversationId, ben.as);
    await anaList.next("presence");
    for (let i = 0; i < 15; i++) {
      benRoom.send({ type: "presence", state: "typing" });
      benRoom.send({ type: "presence", state: "viewing" });
    }
    // Ana joins last: once the list shows her, Ben's flapping was published (in order) before.
    await openRoom(conversationId, ana.as);
    await vi.waitFor(
      () => expect(anaList.frames.filter((f) => f.type === "presence").at(-1)?.viewers).toHaveLength(2),
      WAIT,
    );
    const flaps = anaList.frames.filter((f) => f.type === "presence" && f.viewers.length === 1);
    expect(flaps.length).toBeLessThan(10);
  });
});
