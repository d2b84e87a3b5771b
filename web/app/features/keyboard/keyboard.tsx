/**
 * The app-wide keyboard layer, mounted once in the shell: reads key presses
 * against the shortcut table and runs the command the screen offers; owns the
 * shortcut sheet (`?`), the command palette (⌘K / Ctrl-K, loaded on first use)
 * and the "go to a view" commands.
 */
import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { View } from "../../../../worker/contract";
import { navigate } from "../../../lib/router";
import { Dialog } from "../../components/ui";
import { lastListHref, listHref, parseList } from "../../list-state";
import { isTyping } from "../search/search-state";
import { commandHandler, useCommands } from "./commands";
import { SHORTCUTS, type ShortcutGroup, keyCaps, keyToken, matchShortcut } from "./shortcuts";
import type { PaletteProps } from "./command-palette";

/** How long the first key of a sequence ("g") waits for the second (ms). */
const SEQUENCE_MS = 1500;

function goToView(view: View) {
  navigate(listHref(view, parseList(lastListHref()).inboxId));
}

/** Runs shortcuts from the table while no dialog is open; in a field, only those marked `inFields` (and Escape leaves the field). */
function useShortcutKeys() {
  useEffect(() => {
    let previous: { token: string; at: number } | null = null;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.isComposing) return;
      const token = keyToken(e);
      if (!token) return;
      const target = e.target as HTMLElement | null;
      const typing = isTyping(target);
      if (typing && token === "Escape" && target && target.tagName !== "SELECT") {
        target.blur();
        return;
      }
      // Enter belongs to the button or link that has focus.
      if (token === "Enter" && target && target !== document.body) return;
      // A dialog (the palette too) handles its own keys.
      if (document.querySelector("[aria-modal='true']")) return;
      const before = previous && e.timeStamp - previous.at < SEQUENCE_MS ? previous.token : null;
      const { shortcut, starts } = matchShortcut(token, before);
      previous = starts && !typing ? { token, at: e.timeStamp } : null;
      if (!shortcut || (typing && !shortcut.inFields)) return;
      const run = commandHandler(shortcut.command);
      if (!run) return;
      e.preventDefault();
      run();
    };
    // On window, so a popover or dialog that stops Escape at the document keeps it.
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}

export function KeyboardLayer() {
  const [sheet, setSheet] = useState(false);
  const [palette, setPalette] = useState(false);
  const [Palette, setPaletteComponent] = useState<ComponentType<PaletteProps> | null>(null);
  useShortcutKeys();
  useCommands({
    help: () => setSheet(true),
    palette: () => {
      setPalette(true);
      if (!Palette) void import("./command-palette").then((m) => setPaletteComponent(() => m.CommandPalette));
    },
    "view-all": () => goToView("all"),
    "view-mine": () => goToView("mine"),
    "view-unassigned": () => goToView("unassigned"),
    "view-snoozed": () => goToView("snoozed"),
    "view-breaching": () => goToView("breaching"),
  });
  return (
    <>
      {sheet && <ShortcutSheet onClose={() => setSheet(false)} />}
      {palette && Palette && <Palette onClose={() => setPalette(false)} />}
    </>
  );
}

const GROUPS: ShortcutGroup[] = ["List", "Conversation", "Go to", "General"];

/** Every shortcut in the table, grouped; what the keys do now is what this lists. */
function ShortcutSheet({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose} testid="shortcut-sheet" wide>
      <div class="kb-sheet">
        {GROUPS.map((group) => (
          <section key={group} class="kb-group" aria-label={group}>
            <h3>{group}</h3>
            <dl>
              {SHORTCUTS.filter((s) => s.group === group).map((s) => (
                <div key={s.command} class="kb-row" data-testid="shortcut" data-command={s.command}>
                  <dt>{s.label}</dt>
                  <dd>
                    {s.keys.map((keys, i) => (
                      <span key={keys} class="kb-keys">
                        {i > 0 && <span class="kb-or">or</span>}
                        {keyCaps(keys).map((caps, j) => (
                          <span key={caps.join("+")} class="kb-step">
                            {j > 0 && <span class="kb-then">then</span>}
                            {caps.map((cap) => (
                              <kbd key={cap}>{cap}</kbd>
                            ))}
                          </span>
                        ))}
                      </span>
                    ))}
                  </dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
      </div>
      <p class="kb-note">Shortcuts pause while you type in a field; press Esc to leave it.</p>
    </Dialog>
  );
}
