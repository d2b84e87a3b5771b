import { beforeEach, describe, expect, it } from "vitest";
import { ErrorBody } from "../../worker/contract";
import {
  agentWith,
  call,
  countRows,
  expectError,
  getConversation,
  json,
  listIds,
  note,
  reply,
  startConversation,
  supportTeam,
  timeline,
  updateConversation,
  type As,
  type Person,
} from "./helpers";

const VIEWS = ["all", "mine", "unassigned", "mentioned", "following", "snoozed", "resolved", "spam"];

let admin: Person;
let inbox: { id: string; widgetKey: string };
let conversationId: string;

beforeEach(async () => {
  ({ admin, inbox } = await supportTeam());
  conversationId = (await startConversation(inbox.widgetKey, "My order never arrived")).id;
});

/** "200" or "403 forbidden": what each thing one can do to a conversation answers. */
async function outcome(res: Promise<Response>): Promise<string> {
  const r = await res;
  const body: unknown = await r.json();
  return r.ok ? String(r.status) : `${r.status} ${ErrorBody.parse(body).error.code}`;
}

/** Tries everything on the conversation, in an order where no success changes what the next one may do. */
async function tryEverything(as: As, id: string) {
  return {
    read: await outcome(call(as, `/api/conversations/${id}`)),
    timeline: await outcome(call(as, `/api/conversations/${id}/timeline`)),
    note: await outcome(note(as, id, "Checking with the warehouse")),
    reply: await outcome(reply(as, id, "Sorry about that, looking into it")),
    assign: await outcome(updateConversation(as, id, { assigneeId: admin.id })),
    setStatus: await outcome(updateConversation(as, id, { status: "resolved" })),
  };
}

/** Which list views show the conversation to `as` (with and without the inbox filter). */
async function viewsShowing(as: As, id: string) {
  const showing: string[] = [];
  for (const view of VIEWS) {
    const plain = await listIds(as, { view });
    const filtered = await listIds(as, { view, inboxId: inbox.id });
    expect(filtered.includes(id)).toBe(plain.includes(id));
    if (plain.includes(id)) showing.push(view);
  }
  return showing;
}

describe("what each access level may do to a conversation", () => {
  it("no access: every request is 404, as for a conversation that does not exist, and no list shows it", async () => {
    const outsider = await agentWith(admin, inbox.id, "none");
    const before = await countRows("timeline_items");
    const notFound = "404 not_found";
    expect(await tryEverything(outsider.as, conversationId)).toEqual({
      read: notFound,
      timeline: notFound,
      note: notFound,
      reply: notFound,
      assign: notFound,
      setStatus: notFound,
    });
    expect(await countRows("timeline_items")).toBe(before);
    expect(await tryEverything(outsider.as, "cv_doesnotexist")).toEqual(
      await tryEverything(outsider.as, conversationId),
    );
    const missing = await expectError(call(outsider.as, "/api/conversations/cv_doesnotexist"), 404, "not_found");
    const hidden = await expectError(call(outsider.as, `/api/conversations/${conversationId}`), 404, "not_found");
    expect(hidden).toEqual(missing);

    // Even once it is assigned, resolved, and so on, it shows in none of their views.
    await json(admin.as, `/api/conversations/${conversationId}`, { method: "PATCH", body: { assigneeId: admin.id } });
    expect(await viewsShowing(outsider.as, conversationId)).toEqual([]);
    await json(admin.as, `/api/conversations/${conversationId}`, { method: "PATCH", body: { status: "resolved" } });
    expect(await viewsShowing(outsider.as, conversationId)).toEqual([]);
    expect(await listIds(outsider.as, { view: "all", assigneeId: admin.id })).toEqual([]);
  });

  it("view: reads the conversation, its timeline and the lists, and is refused (403) every write", async () => {
    const viewer = await agentWith(admin, inbox.id, "view");
    const before = await countRows("timeline_items");
    expect(await tryEverything(viewer.as, conversationId)).toEqual({
      read: "200",
      timeline: "200",
      note: "403 forbidden",
      reply: "403 forbidden",
      assign: "403 forbidden",
      setStatus: "403 forbidden",
    });
    expect(await countRows("timeline_items")).toBe(before);
    const conversation = await getConversation(viewer.as, conversationId);
    expect(conversation).toMatchObject({ status: "open", assignee: null, preview: "My order never arrived" });
    expect((await timeline(viewer.as, conversationId)).items.map((i) => i.body)).toEqual(["My order never arrived"]);
    expect(await viewsShowing(viewer.as, conversationId)).toEqual(["all", "unassigned"]);
  });

  it("note: adds internal notes, and is refused (403) replies, assignment and status", async () => {
    const colleague = await agentWith(admin, inbox.id, "note");
    expect(await tryEverything(colleague.as, conversationId)).toEqual({
      read: "200",
      timeline: "200",
      note: "201",
      reply: "403 forbidden",
      assign: "403 forbidden",
      setStatus: "403 forbidden",
    });
    const { items } = await timeline(colleague.as, conversationId);
    expect(items.map((i) => [i.kind, i.body])).toEqual([
      ["customer", "My order never arrived"],
      ["note", "Checking with the warehouse"],
    ]);
    expect(items[1]!.author).toEqual({ type: "user", id: colleague.id, name: colleague.name });
    expect(await getConversation(colleague.as, conversationId)).toMatchObject({ status: "open", assignee: null });
    expect(await viewsShowing(colleague.as, conversationId)).toEqual(["all", "unassigned"]);
  });

  it("reply: notes, replies, assigns and resolves", async () => {
    const agent = await agentWith(admin, inbox.id, "reply");
    expect(await tryEverything(agent.as, conversationId)).toEqual({
      read: "200",
      timeline: "200",
      note: "201",
      reply: "201",
      assign: "200",
      setStatus: "200",
    });
    const conversation = await getConversation(agent.as, conversationId);
    expect(conversation).toMatchObject({ status: "resolved", assignee: { id: admin.id, name: admin.name } });
    const kinds = (await timeline(agent.as, conversationId)).items.map((i) => i.event?.type ?? i.kind);
    expect(kinds).toEqual(["customer", "note", "reply", "assigned", "status_changed"]);
    expect(await viewsShowing(agent.as, conversationId)).toEqual(["resolved"]);
  });

  it("admin: may do everything in every inbox without a grant", async () => {
    expect(await countRows("inbox_access")).toBe(0);
    expect(await tryEverything(admin.as, conversationId)).toEqual({
      read: "200",
      timeline: "200",
      note: "201",
      reply: "201",
      assign: "200",
      setStatus: "200",
    });
    expect(await viewsShowing(admin.as, conversationId)).toEqual(["resolved"]);
  });

  it("changing an agent's level changes what they may do at once", async () => {
    const agent = await agentWith(admin, inbox.id, "view");
    await expectError(note(agent.as, conversationId, "hm"), 403, "forbidden");
    await json(admin.as, `/api/inboxes/${inbox.id}/access/${agent.id}`, { method: "PUT", body: { access: "note" } });
    expect((await note(agent.as, conversationId, "hm")).status).toBe(201);
    await call(admin.as, `/api/inboxes/${inbox.id}/access/${agent.id}`, { method: "DELETE" });
    await expectError(call(agent.as, `/api/conversations/${conversationId}`), 404, "not_found");
    expect(await listIds(agent.as)).toEqual([]);
  });
});

describe("assignment", () => {
  it("refuses an assignee who cannot reply in the inbox, naming them, and writes nothing", async () => {
    const [viewer, noter, outsider] = await Promise.all([
      agentWith(admin, inbox.id, "view", "Vera Viewer"),
      agentWith(admin, inbox.id, "note", "Nora Noter"),
      agentWith(admin, inbox.id, "none", "Otto Outsider"),
    ]);
    const before = await countRows("timeline_items");
    for (const who of [viewer, noter, outsider]) {
      const error = await expectError(
        updateConversation(admin.as, conversationId, { assigneeId: who.id }),
        400,
        "validation_failed",
      );
      expect(error.message).toMatch(/reply/);
      expect(error.details).toEqual([
        expect.objectContaining({ path: ["assigneeId"], message: expect.stringContaining(who.name) }),
      ]);
    }
    const unknown = await expectError(
      updateConversation(admin.as, conversationId, { assigneeId: "us_nobody" }),
      400,
      "validation_failed",
    );
    expect(unknown.details[0]!.path).toEqual(["assigneeId"]);
    expect(await countRows("timeline_items")).toBe(before);
    expect((await getConversation(admin.as, conversationId)).assignee).toBeNull();
  });

  it("assigns a reply agent: it shows under their Mine, leaves Unassigned, and records an event", async () => {
    const [rita, sam] = await Promise.all([
      agentWith(admin, inbox.id, "reply", "Rita Replier"),
      agentWith(admin, inbox.id, "reply", "Sam Second"),
    ]);
    expect(await listIds(rita.as, { view: "mine" })).toEqual([]);

    const assigned = await json(sam.as, `/api/conversations/${conversationId}`, {
      method: "PATCH",
      body: { assigneeId: rita.id },
    });
    expect(assigned).toMatchObject({ id: conversationId, assignee: { id: rita.id, name: "Rita Replier" } });
    expect(await listIds(rita.as, { view: "mine" })).toEqual([conversationId]);
    expect(await listIds(sam.as, { view: "mine" })).toEqual([]);
    expect(await listIds(sam.as, { view: "unassigned" })).toEqual([]);
    expect(await listIds(sam.as, { view: "all", assigneeId: rita.id })).toEqual([conversationId]);
    expect(await listIds(sam.as, { view: "all", assigneeId: sam.id })).toEqual([]);
    const events = (await timeline(rita.as, conversationId)).items.filter((i) => i.kind === "event");
    expect(events).toEqual([
      expect.objectContaining({
        author: { type: "user", id: sam.id, name: "Sam Second" },
        event: { type: "assigned", assignee: { id: rita.id, name: "Rita Replier" } },
      }),
    ]);

    // An admin can be assigned without a grant; null unassigns.
    await json(sam.as, `/api/conversations/${conversationId}`, { method: "PATCH", body: { assigneeId: admin.id } });
    expect(await listIds(rita.as, { view: "mine" })).toEqual([]);
    expect(await listIds(admin.as, { view: "mine" })).toEqual([conversationId]);
    const unassigned = await json(sam.as, `/api/conversations/${conversationId}`, {
      method: "PATCH",
      body: { assigneeId: null },
    });
    expect(unassigned.assignee).toBeNull();
    expect(await listIds(sam.as, { view: "unassigned" })).toEqual([conversationId]);
  });
});
