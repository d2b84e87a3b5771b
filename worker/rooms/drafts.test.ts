import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { conversationRoomStub } from "./conversation-room";
import { Drafts } from "./drafts";

/** Condition waits return as soon as they hold; the limit only has to suit a loaded machine. */
const WAIT = { timeout: 15_000, interval: 20 };

/** A room's real storage, with nothing else of the room involved. */
const inRoomStorage = (name: string, test: (storage: DurableObjectStorage) => Promise<void>) =>
  runInDurableObject(conversationRoomStub(env, name), (_room, state) => test(state.storage));

describe("drafts", () => {
  it("says whether a change is news, and clears with an empty body", async () => {
    await inRoomStorage("drafts-news", async (storage) => {
      const drafts = new Drafts(storage);
      expect(await drafts.set("us_1", "Ada", "Hel")).toBe(true);
      expect(await drafts.set("us_1", "Ada", "Hel")).toBe(false);
      expect(await drafts.set("us_2", "Bea", "Hi")).toBe(true);
      expect(await drafts.list()).toEqual([
        { userId: "us_1", name: "Ada", body: "Hel" },
        { userId: "us_2", name: "Bea", body: "Hi" },
      ]);
      expect(await drafts.set("us_1", "Ada", "")).toBe(true);
      expect(await drafts.set("us_1", "Ada", "")).toBe(false);
      expect(await drafts.list()).toEqual([{ userId: "us_2", name: "Bea", body: "Hi" }]);
    });
  });

  it("keeps every draft set while the room's first read of storage is still under way", async () => {
    await inRoomStorage("drafts-first-read", async (storage) => {
      const drafts = new Drafts(storage);
      await Promise.all([drafts.set("us_1", "Ada", "One"), drafts.set("us_2", "Bea", "Two")]);
      expect((await drafts.list()).map((d) => d.body).sort()).toEqual(["One", "Two"]);
    });
  });

  it("reach storage in one write after a burst of keystrokes, so a room woken later still has them", async () => {
    await inRoomStorage("drafts-saved", async (storage) => {
      const drafts = new Drafts(storage, 20);
      for (const body of ["H", "He", "Hel", "Hello"]) await drafts.set("us_1", "Ada", body);
      await vi.waitFor(
        async () => expect(await storage.get("draft:us_1")).toEqual({ name: "Ada", body: "Hello" }),
        WAIT,
      );
      // What a room rebuilt after hibernation reads.
      expect(await new Drafts(storage).list()).toEqual([{ userId: "us_1", name: "Ada", body: "Hello" }]);
      await drafts.set("us_1", "Ada", "");
      await vi.waitFor(async () => expect(await storage.get("draft:us_1")).toBeUndefined(), WAIT);
    });
  });
});
