/**
 * Merging conversations in the Workers runtime: the target's room copies the
 * source's items in order after a `merged` event; the source closes and
 * answers reads with `mergedInto`; followers, tags and links move; the
 * customer and their email continue in the target; racing writes are either
 * in the target or refused, never lost or doubled.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  agentWith,
  call,
  createInbox,
  customerSees,
  customerWrites,
  expectError,
  expectStatus,
  getConversation,
  grant,
  json,
  listIds,
  reply,
  setTags,
  supportTeam,
  timeline,
  type As,
} from "./helpers";
import { bytes } from "./files";
import { deliverEmail, emailInbox, mail, runSweep } from "./mail";
import { openWidget } from "./sockets";
import { addWebhook, receivedAtLeast, receiverPath, verified } from "./webhooks";

const merge = (as: As, id: string, intoConversationId: string) =>
  call(as, `/api/conversations/${id}/merge`, { body: { intoConversationId } });

/** One customer's two chats in one inbox: the second started with their token, so it is the same contact. */
async function twoChats() {
  const { admin, inbox } = await supportTeam();
  const ana = await agentWith(admin, inbox.id, "reply", "Ana Agent");
  const first = await json(
    null,
    `/api/widget/${inbox.widgetKey}/conversations`,
    { body: { name: "Cara Customer", email: "cara@example.com", body: "My parcel is late" } },
    201,
  );
  const second = await json(
    null,
    `/api/widget/${inbox.widgetKey}/conversations`,
    { body: { body: "Also, the invoice is wrong" }, headers: { authorization: `Bearer ${first.contactToken}` } },
    201,
  );
  return {
    admin,
    inbox,
    ana,
    token: first.contactToken as string,
    source: first.conversationId as string,
    target: second.conversationId as string,
  };
}

describe("merging a conversation", () => {
  it("copies the source's items in order after a merged event, with their times, files, followers and tags", async () => {
    const { admin, inbox, ana, source, target } = await twoChats();
    const file = await json(ana.as, ...uploadArgs(inbox.id), 201);
    await expectStatus(reply(ana.as, source, "Looking into the parcel"), 201);
    await expectStatus(
      call(ana.as, `/api/conversations/${source}/messages`, {
        body: { kind: "note", body: "Carrier ticket attached", attachmentIds: [file.id] },
      }),
      201,
    );
    await expectStatus(setTags(ana.as, source, ["shipping"]), 200);
    await expectStatus(call(ana.as, `/api/conversations/${source}/followers`, { body: { userId: ana.id } }), 201);
    await expectStatus(reply(ana.as, target, "Checking the invoice"), 201);
    const before = (await timeline(ana.as, source)).items;
    const targetBefore = (await timeline(ana.as, target)).items;

    const merged = await json(ana.as, `/api/conversations/${source}/merge`, { body: { intoConversationId: target } });
    expect(merged).toMatchObject({ id: target, mergedInto: null, tags: ["shipping"] });
    expect(merged.followers.map((f) => f.id)).toContain(ana.id);

    const after = (await timeline(ana.as, target)).items;
    // Gapless seqs; the target's own items first, untouched.
    expect(after.map((i) => i.seq)).toEqual(after.map((_, i) => i + 1));
    expect(after.slice(0, targetBefore.length)).toEqual(targetBefore);
    const [event, ...copies] = after.slice(targetBefore.length);
    expect(event!.event).toMatchObject({ type: "merged", from: { id: source, contact: "Cara Customer" } });
    expect(
      copies.map(({ kind, body, author, event, createdAt }) => ({ kind, body, author, event, createdAt })),
    ).toEqual(before.map(({ kind, body, author, event, createdAt }) => ({ kind, body, author, event, createdAt })));
    // The note's file moved with it: readable through the target.
    const noteCopy = copies.find((i) => i.kind === "note")!;
    expect(noteCopy.attachments).toEqual([expect.objectContaining({ id: file.id })]);
    expect(await (await call(ana.as, noteCopy.attachments![0]!.url)).text()).toBe("carrier ticket");

    // The source: read-only, closed, out of every list, and it says where it went.
    const closed = await getConversation(ana.as, source);
    expect(closed).toMatchObject({ status: "merged", mergedInto: target, followers: [], tags: [] });
    expect((await timeline(ana.as, source)).items.at(-1)!.event).toMatchObject({
      type: "merged_into",
      into: { id: target },
    });
    for (const view of ["all", "mine", "unassigned", "following", "resolved"]) {
      expect(await listIds(ana.as, { view }), view).not.toContain(source);
    }
    expect(await listIds(ana.as, { view: "following" })).toContain(target);
    expect(await listIds(ana.as, { tag: "shipping" })).toEqual([target]);
    expect((await expectError(reply(ana.as, source, "Too late"), 409, "conflict")).message).toMatch(/merged/);
    // Search finds the source's words under the target only.
    const hits = await json(ana.as, "/api/search?q=parcel");
    expect(hits.items.map((h) => h.id)).toEqual([target]);
    // Asking again answers the same, and copies nothing twice.
    await expectStatus(merge(ana.as, source, target), 200);
    expect((await timeline(admin.as, target)).items).toHaveLength(after.length);
  });

  it("lets the customer go on in the target: their token, their socket, their email thread", async () => {
    const { ana, token, source, target } = await twoChats();
    const widget = await openWidget(source, token);
    await expectStatus(merge(ana.as, source, target), 200);
    expect(await widget.next("merged")).toEqual({ type: "merged", conversationId: target });
    expect(await widget.closed).toBe(4410);

    // Writing to the source's id lands in the target; reading it shows the whole thread.
    await expectStatus(customerWrites(token, source, "Any news on both?"), 201);
    const seen = await customerSees(token, target);
    expect(seen.items.map((i) => i.body)).toEqual([
      "Also, the invoice is wrong",
      "My parcel is late",
      "Any news on both?",
    ]);
    expect((await customerSees(token, source)).items).toEqual(seen.items);
    expect((await timeline(ana.as, source)).items.map((i) => i.body)).not.toContain("Any news on both?");
  });

  it("threads an email reply to the source into the target", async () => {
    const { admin, address } = await emailInbox();
    const from = "Jo Doe <jo@example.com>";
    await deliverEmail(
      mail({ From: from, To: address, Subject: "Parcel", "Message-ID": "<p1@example.com>" }, "Where is it?"),
      address,
    );
    await deliverEmail(
      mail({ From: from, To: address, Subject: "Invoice", "Message-ID": "<i1@example.com>" }, "Wrong total"),
      address,
    );
    const list = await json(admin.as, "/api/conversations");
    const source = list.items.find((c) => c.subject === "Parcel")!.id;
    const target = list.items.find((c) => c.subject === "Invoice")!.id;
    await expectStatus(merge(admin.as, source, target), 200);

    const answer = mail(
      {
        From: from,
        To: address,
        Subject: "Re: Parcel",
        "Message-ID": "<p2@example.com>",
        "In-Reply-To": "<p1@example.com>",
      },
      "Found it, thanks",
    );
    expect(await deliverEmail(answer, address)).toEqual([]);
    expect(await deliverEmail(answer, address)).toEqual([]); // redelivered: recorded once
    const bodies = (await timeline(admin.as, target)).items.map((i) => i.body);
    expect(bodies.filter((b) => b === "Found it, thanks")).toHaveLength(1);
    expect((await json(admin.as, "/api/conversations")).items.map((c) => c.id)).toEqual([target]);
  });

  it("loses and doubles nothing when replies race the merge on both sides", async () => {
    const { ana, source, target } = await twoChats();
    const writes = [
      ...Array.from({ length: 6 }, (_, i) => ({ to: source, body: `source ${i}` })),
      ...Array.from({ length: 6 }, (_, i) => ({ to: target, body: `target ${i}` })),
    ];
    const [merged, ...answers] = await Promise.all([
      merge(ana.as, source, target),
      ...writes.map((w) => reply(ana.as, w.to, w.body)),
    ]);
    expect(merged.status).toBe(200);
    const statuses = answers.map((r) => r.status);
    const bodies = (await timeline(ana.as, target)).items.map((i) => i.body);
    for (const [i, w] of writes.entries()) {
      if (statuses[i] === 201)
        expect(
          bodies.filter((b) => b === w.body),
          w.body,
        ).toHaveLength(1);
      else {
        // Only a write to the source after it closed is refused, and it says where to go.
        expect([w.to, statuses[i]]).toEqual([source, 409]);
        expect(bodies).not.toContain(w.body);
      }
    }
    expect(statuses.slice(6)).toEqual([201, 201, 201, 201, 201, 201]);
    const seqs = (await timeline(ana.as, target)).items.map((i) => i.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });

  it("merges one way when two agents merge the pair into each other at once", async () => {
    const { admin, ana, source, target } = await twoChats();
    const [a, b] = await Promise.all([merge(ana.as, source, target), merge(admin.as, target, source)]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const [s, t] = await Promise.all([getConversation(ana.as, source), getConversation(ana.as, target)]);
    expect([s.mergedInto, t.mergedInto].filter(Boolean)).toHaveLength(1);
  });

  it("needs reply access to both, and never tells what lies on a side the agent cannot see", async () => {
    const { admin, inbox, source, target, token } = await twoChats();
    const other = await createInbox(admin, "VIP");
    const elsewhere = await json(
      null,
      `/api/widget/${other.widgetKey}/conversations`,
      { body: { body: "VIP question" }, headers: { authorization: `Bearer ${token}` } },
      201,
    );
    const sam = await agentWith(admin, inbox.id, "reply", "Sam Support");
    const nell = await agentWith(admin, inbox.id, "note", "Nell Notes");
    // Sam cannot see the VIP inbox: the same 404 as a conversation that does not exist.
    await expectError(merge(sam.as, source, elsewhere.conversationId), 404, "not_found");
    await expectError(merge(sam.as, source, "cv_nonexistent"), 404, "not_found");
    await expectError(merge(nell.as, source, target), 403, "forbidden");
    await grant(admin, other.id, sam, "view");
    await expectError(merge(sam.as, source, elsewhere.conversationId), 403, "forbidden");
    await expectError(merge(sam.as, source, source), 400, "validation_failed");
    await expectError(call(sam.as, `/api/conversations/${source}/merge`, { body: {} }), 400, "validation_failed");
    expect((await getConversation(sam.as, source)).mergedInto).toBeNull();
  });

  it("refuses another customer's conversation and an already merged one", async () => {
    const { admin, inbox, ana, source, target } = await twoChats();
    const stranger = await json(
      null,
      `/api/widget/${inbox.widgetKey}/conversations`,
      { body: { name: "Sid Stranger", body: "Hello" } },
      201,
    );
    const refused = await expectError(merge(ana.as, source, stranger.conversationId), 409, "conflict");
    expect(refused.message).toMatch(/different customers/);
    await expectStatus(merge(ana.as, source, target), 200);
    await expectError(merge(admin.as, target, source), 409, "conflict");
    await expectError(merge(admin.as, source, stranger.conversationId), 409, "conflict");
  });

  it("tells webhooks once, with conversation.merged, and not item by item", async () => {
    const { admin, ana, source, target } = await twoChats();
    const path = receiverPath("ok");
    const hook = await addWebhook(admin, path, { events: ["conversation.merged", "message.created"] });
    await expectStatus(merge(ana.as, source, target), 200);
    const [event] = verified(hook.secret, await receivedAtLeast(path, 1));
    expect(event).toMatchObject({
      type: "conversation.merged",
      data: { conversation: { id: target }, from: { id: source, contact: "Cara Customer" }, items: 1 },
    });
    await expectStatus(reply(ana.as, target, "Both sorted"), 201);
    const all = verified(hook.secret, await receivedAtLeast(path, 2));
    expect(all.map((p) => p.type)).toEqual(["conversation.merged", "message.created"]);
  });

  it("is finished by the sweep when it stopped after the source closed", async () => {
    const { ana, source, target } = await twoChats();
    const now = Date.now();
    // As if the request died after its claim: the source marked, the merge pending, nothing copied.
    await env.DB.batch([
      env.DB.prepare("UPDATE conversations SET merged_into = ? WHERE id = ?").bind(target, source),
      env.DB.prepare(
        "INSERT INTO merges (source_id, target_id, status, actor_id, actor_name, created_at) VALUES (?, ?, 'pending', ?, ?, ?)",
      ).bind(source, target, ana.id, ana.name, now),
    ]);
    await runSweep(now + 120_000);
    expect(await getConversation(ana.as, source)).toMatchObject({ status: "merged", mergedInto: target });
    const bodies = (await timeline(ana.as, target)).items.map((i) => i.body);
    expect(bodies).toContain("My parcel is late");
    expect((await env.DB.prepare("SELECT status FROM merges").first<{ status: string }>())!.status).toBe("done");
  });
});

function uploadArgs(inboxId: string) {
  return [
    `/api/attachments?inboxId=${inboxId}&name=carrier.txt`,
    { body: bytes("carrier ticket"), headers: { "content-type": "text/plain" } },
  ] as const;
}
