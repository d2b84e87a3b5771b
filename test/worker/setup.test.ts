import { describe, expect, it } from "vitest";
import { call, expectStatus, json, ORIGIN, setUpWorkspace, signIn, PASSWORD } from "./helpers";

describe("first run and sign-in", () => {
  it("sets up once, then refuses with already_set_up", async () => {
    expect(await json(null, "/api/setup")).toEqual({ setUp: false });
    const { admin } = await setUpWorkspace();
    expect(admin.email).toMatch(/@acme.test$/);
    expect(await json(null, "/api/setup")).toEqual({ setUp: true });
    const again = await expectStatus(
      call(null, "/api/setup", {
        body: { workspace: "Other", name: "Eve", email: "eve@x.test", password: PASSWORD },
        headers: { origin: ORIGIN },
      }),
      409,
    );
    expect(again.error.code).toBe("already_set_up");
    const me = await json(admin.as, "/api/me");
    expect(me.user).toMatchObject({ id: admin.id, role: "admin" });
    expect(me.workspace.name).toBe("Acme Support");
    await signIn(admin.email);
  });
});
