import { describe, expect, it } from "vitest";
import { collides } from "./collision";

describe("the reply-collision guard", () => {
  it("stops a reply written before a newer customer message or reply", () => {
    expect(collides({ kind: "reply", lastPublicSeq: 5, lastSeenSeq: 4 })).toBe(true);
  });

  it("lets a reply through when the author saw the latest public message", () => {
    expect(collides({ kind: "reply", lastPublicSeq: 5, lastSeenSeq: 5 })).toBe(false);
    // Notes after the last public message (seq 6, 7) do not count: lastSeenSeq may run ahead.
    expect(collides({ kind: "reply", lastPublicSeq: 5, lastSeenSeq: 7 })).toBe(false);
  });

  it("lets a forced reply through", () => {
    expect(collides({ kind: "reply", lastPublicSeq: 9, lastSeenSeq: 1, force: true })).toBe(false);
  });

  it("does not guard a reply that names no lastSeenSeq", () => {
    expect(collides({ kind: "reply", lastPublicSeq: 9 })).toBe(false);
  });

  it("never stops notes or customer messages", () => {
    expect(collides({ kind: "note", lastPublicSeq: 9, lastSeenSeq: 1 })).toBe(false);
    expect(collides({ kind: "customer", lastPublicSeq: 9, lastSeenSeq: 1 })).toBe(false);
  });
});
