import { describe, expect, it } from "vitest";
import {
  ACTION_LEVEL,
  atLeast,
  canAdminister,
  canBeAssigned,
  canWorkOnTickets,
  decide,
  effectiveAccess,
  seesEveryInbox,
  type Action,
} from "./access";

const actions = Object.keys(ACTION_LEVEL) as Action[];

describe("access policy", () => {
  it("gives admins every action in every inbox, granted or not", () => {
    for (const action of actions) {
      expect(decide("admin", null, action)).toBe("allow");
      expect(decide("admin", "view", action)).toBe("allow");
    }
    expect(effectiveAccess("admin", undefined)).toBe("reply");
  });

  it("hides inboxes an agent holds no level on (404, not 403)", () => {
    for (const action of actions) expect(decide("agent", null, action)).toBe("not_found");
  });

  it("climbs the ladder view < note < reply", () => {
    expect(decide("agent", "view", "read")).toBe("allow");
    expect(decide("agent", "view", "follow_self")).toBe("allow");
    expect(decide("agent", "view", "note")).toBe("forbidden");
    expect(decide("agent", "view", "reply")).toBe("forbidden");

    expect(decide("agent", "note", "note")).toBe("allow");
    expect(decide("agent", "note", "reply")).toBe("forbidden");
    expect(decide("agent", "note", "assign")).toBe("forbidden");
    expect(decide("agent", "note", "set_status")).toBe("forbidden");

    for (const action of actions) expect(decide("agent", "reply", action)).toBe("allow");
  });

  it("lets only those who may reply own a conversation", () => {
    expect(canBeAssigned("agent", "reply")).toBe(true);
    expect(canBeAssigned("agent", "note")).toBe(false);
    expect(canBeAssigned("agent", "view")).toBe(false);
    expect(canBeAssigned("agent", null)).toBe(false);
    expect(canBeAssigned("admin", null)).toBe(true);
  });

  it("keeps workspace administration for admins", () => {
    expect(canAdminister("admin")).toBe(true);
    expect(canAdminister("agent")).toBe(false);
  });

  it("lets admins see every inbox, agents only their granted ones", () => {
    expect(seesEveryInbox("admin")).toBe(true);
    expect(seesEveryInbox("agent")).toBe(false);
    expect(effectiveAccess("agent", undefined)).toBe(null);
    expect(effectiveAccess("agent", "note")).toBe("note");
    expect(atLeast(null, "view")).toBe(false);
  });

  it("lets those who can reply somewhere work on tickets; everyone else reads them", () => {
    expect(canWorkOnTickets("admin", [])).toBe(true);
    expect(canWorkOnTickets("agent", ["view", "reply"])).toBe(true);
    expect(canWorkOnTickets("agent", ["view", "note"])).toBe(false);
    expect(canWorkOnTickets("agent", [])).toBe(false);
  });
});
