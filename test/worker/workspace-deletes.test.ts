import { describe, expect, it } from "vitest";
import {
  call,
  createInbox,
  createTeam,
  customerWritesIn,
  expectStatus,
  json,
  setTags,
  setUpWorkspace,
  timeline,
} from "./helpers";
import { connect } from "./sockets";

describe("deleting a tag or a team", () => {
  it("takes it off its conversations and tells every list view at once", async () => {
    const { admin } = await setUpWorkspace();
    const inbox = await createInbox(admin);
    const { conversationId } = await customerWritesIn(inbox.widgetKey);
    const team = await createTeam(admin, "Billing", [admin]);
    await expectStatus(setTags(admin.as, conversationId, ["refund", "vip"]), 200);
    await expectStatus(
      call(admin.as, `/api/conversations/${conversationId}`, { method: "PATCH", body: { teamId: team.id } }),
      200,
    );
    const list = await connect("/api/live", admin.as);

    const tags = await json(admin.as, "/api/tags");
    const refund = tags.items.find((t) => t.name === "refund")!;
    await expectStatus(call(admin.as, `/api/tags/${refund.id}`, { method: "DELETE" }), 204);
    expect(await list.next("tag_deleted")).toEqual({ type: "tag_deleted", tag: "refund" });
    await expectStatus(call(admin.as, `/api/teams/${team.id}`, { method: "DELETE" }), 204);
    expect(await list.next("team_deleted")).toEqual({ type: "team_deleted", teamId: team.id });

    const conversation = await json(admin.as, `/api/conversations/${conversationId}`);
    expect(conversation).toMatchObject({ tags: ["vip"], teamId: null });
    // The room reads the conversation fresh on its next change: removing "vip" records just that.
    await expectStatus(setTags(admin.as, conversationId, []), 200);
    const { items } = await timeline(admin.as, conversationId);
    expect(items.at(-1)?.event).toEqual({ type: "tag_removed", tag: "vip" });
    list.close();
  });
});
