import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index";
import {
  addUser,
  call,
  createInbox,
  expectStatus,
  grant,
  json,
  postMessage,
  timeline,
  twoAgentsAndACustomer,
} from "./helpers";
import { connect, openRoom, type Socket } from "./sockets";

const names = (viewers: { name: string; state: string }[]) => viewers.map((v) => `${v.name}:${v.state}`);

function closed(socket: Socket<{ type: string }>): Promise<number> {
  return new Promise((resolve) => socket.ws.addEventListener("close", (e) => resolve(e.code)));
}

/** Waits for the next presence frame whose viewers read `expected` (earlier ones are skipped). */
async function presenceBecomes(socket: Socket, expected: string[]) {
  for (;;) {
    const viewers = names((await socket.next("presence")).viewers);
    if (JSON.stringify(viewers) === JSON.stringify(expected)) return;
  }
}

describe("an access change reaches every open socket of that agent", () => {
  it("removing the grant closes their conversation socket (4404) before another item reaches it", async () => {
    const { admin, inbox, ana, ben, conversationId } = await twoAgentsAndACustomer();
    const benRoom = await openRoom(conversationId, ben.as);
    const benClosed = closed(benRoom);
    await expectStatus(call(admin.as, `/api/inboxes/${inbox.id}/access/${ben.id}`, { method: "DELETE" }), 204);
    expect(await benClosed).toBe(4404);
    await expectStatus(postMessage(ana.as, conversationId, { kind: "note", body: "after Ben left" }), 201);
    expect(benRoom.frames.filter((f) => f.type === "item")).toEqual([]);
  });

  it("a downgrade below reply silences typing and drafts at once; an upgrade gives them back", async () => {
    const { admin, inbox, ana, ben, conversationId } = await twoAgentsAndACustomer();
    const anaRoom = await openRoom(conversationId, ana.as);
    const benRoom = await openRoom(conversationId, ben.as);
    benRoom.send({ type: "presence", state: "typing" });
    benRoom.send({ type: "draft", body: "Half an answer" });
    await presenceBecomes(anaRoom, ["Ana Agent:viewing", "Ben Agent:typing"]);
    expect((await anaRoom.next("draft")).body).toBe("Half an answer");

    await grant(admin, inbox.id, ben, "view");
    // Ben stays, no longer typing, and his draft is gone from Ana's screen.
    await presenceBecomes(anaRoom, ["Ana Agent:viewing", "Ben Agent:viewing"]);
    expect(await anaRoom.next("draft")).toEqual({ type: "draft", userId: ben.id, body: "" });
    benRoom.send({ type: "presence", state: "typing" });
    benRoom.send({ type: "draft", body: "still trying" });

    await grant(admin, inbox.id, ben, "reply");
    benRoom.send({ type: "draft", body: "Back again" });
    // The first draft Ana sees after the downgrade is the one sent after the upgrade.
    expect((await anaRoom.next("draft")).body).toBe("Back again");
  });

  it("a socket let in before its grant was removed replays nothing at hello", async () => {
    const { admin, inbox, ben, conversationId } = await twoAgentsAndACustomer();
    const socket = await connect(`/api/conversations/${conversationId}/live`, ben.as);
    const shut = closed(socket);
    await expectStatus(call(admin.as, `/api/inboxes/${inbox.id}/access/${ben.id}`, { method: "DELETE" }), 204);
    socket.send({ type: "hello", lastSeq: 0 });
    expect(await shut).toBe(4404);
    expect(socket.frames).toEqual([]);
  });

  it("the list stream follows too: no more rows from an inbox they lost", async () => {
    const { admin, inbox, ana, ben, conversationId } = await twoAgentsAndACustomer();
    const benList = await connect("/api/live", ben.as);
    const adminList = await connect("/api/live", admin.as);
    await expectStatus(call(admin.as, `/api/inboxes/${inbox.id}/access/${ben.id}`, { method: "DELETE" }), 204);
    const note = await expectStatus(postMessage(ana.as, conversationId, { kind: "note", body: "quiet" }), 201);
    while ((await adminList.next("conversation")).conversation.lastActivityAt !== note.createdAt);
    benList.send('{"type":"ping"}');
    await benList.next("pong");
    expect(benList.pending("conversation")).toEqual([]);
  });
});

describe("notifications only reach people who can open the conversation", () => {
  it("a follower and an assignee who lost the inbox are told nothing, not even a preview", async () => {
    const { admin, inbox, ana, ben, conversationId, contactToken } = await twoAgentsAndACustomer();
    const cy = await addUser(admin, "agent", "Cy Agent");
    await grant(admin, inbox.id, cy, "reply");
    await expectStatus(
      call(ana.as, `/api/conversations/${conversationId}/followers`, { body: { userId: ben.id } }),
      201,
    );
    await expectStatus(
      call(ana.as, `/api/conversations/${conversationId}`, { method: "PATCH", body: { assigneeId: cy.id } }),
      200,
    );
    const stored = async (userId: string) =>
      (await env.DB.prepare("SELECT count(*) AS n FROM notifications WHERE user_id = ?")
        .bind(userId)
        .first<{ n: number }>())!.n;
    const before = { ben: await stored(ben.id), cy: await stored(cy.id) };
    await expectStatus(call(admin.as, `/api/inboxes/${inbox.id}/access/${ben.id}`, { method: "DELETE" }), 204);
    await expectStatus(call(admin.as, `/api/inboxes/${inbox.id}/access/${cy.id}`, { method: "DELETE" }), 204);

    await expectStatus(
      call({ bearer: contactToken }, `/api/widget/conversations/${conversationId}/messages`, {
        body: { body: "My card number is 4111…" },
      }),
      201,
    );
    await expectStatus(postMessage(ana.as, conversationId, { kind: "note", body: "Internal: refund approved" }), 201);
    // Not one row was written for them: no preview is stored, pushed or emailed.
    expect({ ben: await stored(ben.id), cy: await stored(cy.id) }).toEqual(before);
  });
});

/** Fires the minute sweep now. */
async function runSweep() {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
}

describe("followers and assignees who lose access", () => {
  it("are dropped by the next sweep, each with an event saying why; a re-granted follower stays", async () => {
    const { admin, inbox, ana, ben, conversationId } = await twoAgentsAndACustomer();
    const cy = await addUser(admin, "agent", "Cy Agent");
    await grant(admin, inbox.id, cy, "reply");
    for (const who of [ben, cy]) {
      await expectStatus(
        call(ana.as, `/api/conversations/${conversationId}/followers`, { body: { userId: who.id } }),
        201,
      );
    }
    await expectStatus(
      call(ana.as, `/api/conversations/${conversationId}`, { method: "PATCH", body: { assigneeId: ben.id } }),
      200,
    );
    await expectStatus(call(admin.as, `/api/inboxes/${inbox.id}/access/${ben.id}`, { method: "DELETE" }), 204);
    await grant(admin, inbox.id, cy, "view");
    await runSweep();

    const conversation = await json(admin.as, `/api/conversations/${conversationId}`);
    expect(conversation.followers.map((f) => f.name)).toEqual(["Cy Agent"]);
    expect(conversation.assignee).toBeNull();
    const events = (await timeline(admin.as, conversationId)).items.slice(-2).map((i) => i.event);
    expect(events).toEqual([
      { type: "follower_removed", user: { id: ben.id, name: "Ben Agent" }, reason: "access" },
      { type: "assigned", assignee: null, unassigned: { id: ben.id, name: "Ben Agent" } },
    ]);
    // Nothing left to do: the next sweep writes nothing.
    const { lastSeq } = await timeline(admin.as, conversationId);
    await runSweep();
    expect((await timeline(admin.as, conversationId)).lastSeq).toBe(lastSeq);
  });

  it("a move drops the followers who cannot see the new inbox, in the same change", async () => {
    const { admin, ana, ben, conversationId } = await twoAgentsAndACustomer();
    const billing = await createInbox(admin, "Billing");
    await grant(admin, billing.id, ana, "reply");
    await expectStatus(
      call(ana.as, `/api/conversations/${conversationId}/followers`, { body: { userId: ben.id } }),
      201,
    );
    const moved = await json(ana.as, `/api/conversations/${conversationId}`, {
      method: "PATCH",
      body: { inboxId: billing.id },
    });
    expect(moved.followers).toEqual([]);
    const events = (await timeline(ana.as, conversationId)).items.slice(-2).map((i) => i.event?.type);
    expect(events).toEqual(["moved", "follower_removed"]);
  });

  it("old notifications from an inbox someone lost are no longer listed or counted", async () => {
    const { admin, inbox, ana, ben, conversationId } = await twoAgentsAndACustomer();
    await expectStatus(
      postMessage(ana.as, conversationId, { kind: "note", body: "@Ben Agent look", mentions: [ben.id] }),
      201,
    );
    expect((await json(ben.as, "/api/notifications")).unreadCount).toBe(1);
    await expectStatus(call(admin.as, `/api/inboxes/${inbox.id}/access/${ben.id}`, { method: "DELETE" }), 204);
    const after = await json(ben.as, "/api/notifications");
    expect(after).toMatchObject({ items: [], unreadCount: 0 });
  });
});

describe("notification email", () => {
  it("is never sent about a conversation the agent can no longer open", async () => {
    const { admin, inbox, ana, ben, conversationId } = await twoAgentsAndACustomer();
    await json(ben.as, "/api/me", { method: "PATCH", body: { emailNotifications: true } });
    await expectStatus(
      postMessage(ana.as, conversationId, { kind: "note", body: "@Ben Agent secret plan", mentions: [ben.id] }),
      201,
    );
    await expectStatus(call(admin.as, `/api/inboxes/${inbox.id}/access/${ben.id}`, { method: "DELETE" }), 204);
    // Mail is broken here (no sender): a notification that were sent would fail and wait for a retry.
    const noSender = { ...env, EMAIL_FROM: "" } as unknown as Env;
    const ctx = createExecutionContext();
    const later = Date.now() + 10 * 60_000;
    await worker.scheduled(createScheduledController({ scheduledTime: later, cron: "* * * * *" }), noSender, ctx);
    await waitOnExecutionContext(ctx);
    const row = await env.DB.prepare("SELECT emailed_at, email_attempts FROM notifications WHERE user_id = ?")
      .bind(ben.id)
      .first<{ emailed_at: number | null; email_attempts: number }>();
    // Handled without a send: set aside at once, not failed and waiting to be tried again.
    expect(row?.emailed_at).not.toBeNull();
  });
});

describe("deactivation", () => {
  it("signs the agent out of every open socket at once (4401), and they hear of nothing after", async () => {
    const { admin, ana, ben, conversationId } = await twoAgentsAndACustomer();
    const benRoom = await openRoom(conversationId, ben.as);
    const benList = await connect("/api/live", ben.as);
    const [roomClosed, listClosed] = [closed(benRoom), closed(benList)];
    await expectStatus(call(admin.as, `/api/users/${ben.id}`, { method: "PATCH", body: { active: false } }), 200);
    expect(await roomClosed).toBe(4401);
    expect(await listClosed).toBe(4401);
    await expectStatus(postMessage(ana.as, conversationId, { kind: "reply", body: "after Ben left" }), 201);
    expect(benRoom.frames.filter((f) => f.type === "item")).toEqual([]);
  });
});
