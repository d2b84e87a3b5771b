import { describe, expect, it } from "vitest";
import { identityOf, parseClientFrame, type SocketIdentity, withIdentity } from "./sockets";

const upgrade = () => new Request("http://x/api/live", { headers: { Upgrade: "websocket" } });

describe("the identity the worker hands an object", () => {
  it("survives the trip for every audience, names in any script included", () => {
    const identities: SocketIdentity[] = [
      { audience: "agent", conversationId: "cv_1", userId: "us_1", name: "Zoë “Ø” 山田 🚀", canWrite: true },
      { audience: "customer", conversationId: "cv_1", contactId: "ct_1" },
      { audience: "list", userId: "us_1", workspaceId: "ws_1", scope: ["ib_1", "ib_2"] },
      { audience: "list", userId: "us_2", workspaceId: "ws_1", scope: "*" },
    ];
    for (const identity of identities) expect(identityOf(withIdentity(upgrade(), identity))).toEqual(identity);
  });

  it("is refused when missing, malformed or not an upgrade", () => {
    expect(identityOf(upgrade())).toBeNull();
    const bad = upgrade();
    bad.headers.set("x-sb-identity", "%7Bnot json");
    expect(identityOf(bad)).toBeNull();
    const wrongShape = upgrade();
    wrongShape.headers.set("x-sb-identity", encodeURIComponent(JSON.stringify({ audience: "agent" })));
    expect(identityOf(wrongShape)).toBeNull();
    const plain = withIdentity(new Request("http://x/"), { audience: "customer", conversationId: "c", contactId: "k" });
    expect(identityOf(plain)).toBeNull();
  });
});

describe("client frames", () => {
  it("accepts the contract's frames and nothing else", () => {
    expect(parseClientFrame('{"type":"hello","lastSeq":3}')).toEqual({ type: "hello", lastSeq: 3 });
    expect(parseClientFrame('{"type":"draft","body":"Hi"}')).toEqual({ type: "draft", body: "Hi" });
    expect(parseClientFrame('{"type":"presence","state":"typing"}')).toEqual({ type: "presence", state: "typing" });
    expect(parseClientFrame('{"type":"presence","state":"asleep"}')).toBeNull();
    expect(parseClientFrame(`{"type":"draft","body":${JSON.stringify("x".repeat(20_001))}}`)).toBeNull();
    expect(parseClientFrame("not json")).toBeNull();
    expect(parseClientFrame(new ArrayBuffer(4))).toBeNull();
  });
});
