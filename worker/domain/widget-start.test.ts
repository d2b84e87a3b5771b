import { describe, expect, it } from "vitest";
import { startRefusal } from "./widget-start";

const open = { preChat: "optional", requireIdentity: false } as const;
const identity = { userId: "u1", hash: "ab" };

describe("startRefusal", () => {
  it("lets anyone start where nothing is required", () => {
    expect(startRefusal(open, {})).toBeNull();
    expect(startRefusal({ ...open, preChat: "off" }, {})).toBeNull();
  });

  it("asks for both name and email when pre-chat is required, naming what is missing", () => {
    const required = { ...open, preChat: "required" } as const;
    expect(startRefusal(required, { name: "Cara", email: "cara@example.com" })).toBeNull();
    expect(startRefusal(required, { name: "Cara" })).toMatchObject({
      code: "validation_failed",
      details: [{ path: ["email"] }],
    });
    expect(startRefusal(required, {})).toMatchObject({ details: [{ path: ["name"] }, { path: ["email"] }] });
  });

  it("refuses a start without identity where the inbox requires it, before asking for fields", () => {
    const strict = { preChat: "required", requireIdentity: true } as const;
    expect(startRefusal(strict, {})).toMatchObject({ code: "forbidden" });
    expect(startRefusal(strict, { identity, name: "Cara", email: "cara@example.com" })).toBeNull();
    expect(startRefusal(strict, { identity })).toMatchObject({ code: "validation_failed" });
  });
});
