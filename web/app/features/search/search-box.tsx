/**
 * The top bar's search box: `/` anywhere jumps into it, Enter opens the
 * results, ↓ moves on to them, Escape clears and leaves.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { useCommands } from "../keyboard/commands";
import { useLocation } from "../../../lib/router";
import { SEARCH_PATH, runSearch } from "./search-state";
import { focusHit } from "./search-results";
import { MAX_SEARCH_CHARS } from "../../../../worker/contract";
import { SearchIcon } from "../../components/icons";

export function SearchBox() {
  const location = useLocation();
  const input = useRef<HTMLInputElement>(null);
  const onSearchPage = location.path === SEARCH_PATH;
  const shownQuery = onSearchPage ? (location.query.get("q") ?? "") : "";
  const [value, setValue] = useState(shownQuery);

  // The box shows the query on screen; leaving the results empties it.
  useEffect(() => setValue(shownQuery), [location.href]);

  useCommands({
    search: () => {
      input.current?.focus();
      input.current?.select();
    },
  });

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Enter") {
      e.preventDefault();
      if (value.trim()) runSearch(value);
    } else if (e.key === "Escape") {
      e.preventDefault();
      if (value) setValue("");
      else input.current?.blur();
    } else if (e.key === "ArrowDown" && onSearchPage && value.trim() === shownQuery.trim()) {
      if (focusHit(0)) e.preventDefault();
    }
  };

  return (
    // biome-ignore lint/a11y/useSemanticElements: a form with role="search" is the landmark every screen reader knows
    <form class="topbar-search" role="search" onSubmit={(e) => e.preventDefault()}>
      <SearchIcon class="icon topbar-search-icon" />
      <input
        ref={input}
        type="search"
        value={value}
        onInput={(e) => setValue(e.currentTarget.value)}
        onKeyDown={onKeyDown}
        placeholder="Search conversations"
        aria-label="Search conversations, messages, notes and contacts"
        maxLength={MAX_SEARCH_CHARS}
        autoComplete="off"
        spellcheck={false}
        data-testid="search-box"
      />
      {!value && (
        <kbd class="topbar-search-key" title="Press / to search">
          /
        </kbd>
      )}
    </form>
  );
}
