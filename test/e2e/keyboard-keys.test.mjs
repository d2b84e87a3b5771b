// Unit tests (no browser, no server) for the shortcut table and how a key press
// is read against it. Node runs the TypeScript source directly (type stripping).

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SHORTCUTS, keyCaps, keyToken, matchShortcut } from "../../web/app/features/keyboard/shortcuts.ts";

const press = (key, mods = {}) =>
  keyToken({ key, shiftKey: false, ctrlKey: false, metaKey: false, altKey: false, ...mods });

describe("keyToken", () => {
  test("spells a press as the table does", () => {
    assert.equal(press("j"), "j");
    assert.equal(press("E", { shiftKey: true }), "shift+e");
    assert.equal(press("E"), "e", "Caps Lock is not Shift");
    assert.equal(press("k", { ctrlKey: true }), "mod+k");
    assert.equal(press("k", { metaKey: true }), "mod+k");
    assert.equal(press("?", { shiftKey: true }), "?");
    assert.equal(press("Enter"), "Enter");
  });

  test("a lone modifier, Alt, or Ctrl with a non-letter is never a shortcut", () => {
    assert.equal(press("Shift", { shiftKey: true }), null);
    assert.equal(press("e", { altKey: true }), null);
    assert.equal(press("Enter", { ctrlKey: true }), null);
  });
});

describe("matchShortcut", () => {
  test("single keys, and two-key sequences", () => {
    assert.equal(matchShortcut("e", null).shortcut?.command, "resolve");
    assert.equal(matchShortcut("shift+e", null).shortcut?.command, "reopen");
    assert.deepEqual(matchShortcut("g", null), { shortcut: null, starts: true });
    assert.equal(matchShortcut("u", "g").shortcut?.command, "view-unassigned");
    assert.equal(matchShortcut("s", "g").shortcut?.command, "view-snoozed");
    assert.equal(matchShortcut("s", null).shortcut?.command, "snooze");
    // After a "g" that led nowhere, the key counts on its own.
    assert.equal(matchShortcut("j", "g").shortcut?.command, "next");
  });

  test("a new shortcut is one row of the table", () => {
    const table = [...SHORTCUTS, { keys: ["shift+m"], command: "merge", label: "Merge twice", group: "Conversation" }];
    assert.equal(matchShortcut("shift+m", null, table).shortcut?.label, "Merge twice");
    // `m` and `x` were added just so: one row each.
    assert.equal(matchShortcut("m", null).shortcut?.command, "merge");
    assert.equal(matchShortcut("x", null).shortcut?.command, "select");
  });
});

describe("the table", () => {
  test("no key runs two things", () => {
    const keys = SHORTCUTS.flatMap((s) => s.keys);
    assert.equal(new Set(keys).size, keys.length);
  });

  test("only ⌘K / Ctrl-K works while typing", () => {
    assert.deepEqual(
      SHORTCUTS.filter((s) => s.inFields).map((s) => s.command),
      ["palette"],
    );
  });

  test("the sheet spells sequences and chords as key caps", () => {
    assert.deepEqual(keyCaps("g i"), [["g"], ["i"]]);
    assert.deepEqual(keyCaps("shift+e"), [["Shift", "e"]]);
    assert.deepEqual(keyCaps("Escape"), [["Esc"]]);
  });
});
