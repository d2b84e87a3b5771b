/** The frame around every signed-in page: top bar and the views/inboxes sidebar. */
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { View } from "../../../worker/contract";
import { Link, match, useLocation } from "../../lib/router";
import { NewConversationDialog } from "../features/inbox/new-conversation";
import { SearchBox } from "../features/search/search-box";
import { NotificationCenter } from "../features/notifications/notification-center";
import { lastListHref, listHref, parseList, views } from "../list-state";
import { replyInboxes, useSession } from "../session";
import { Avatar } from "./ui";
import { BrandMark, ChannelIcon, InboxIcon, LineIcon, PlusIcon } from "./icons";
import { canAdminister, seesEveryInbox } from "../../../worker/domain/access";
import { KeyboardLayer } from "../features/keyboard/keyboard";
import { usePhone, useSplitView } from "../hooks/split-view";
import { Drawer } from "./drawer";

export function Shell({ children, sidebar = true }: { children: ComponentChildren; sidebar?: boolean }) {
  const phone = usePhone();
  const [menu, setMenu] = useState(false);
  const location = useLocation();
  // A link followed in the menu closes it; so does growing past a phone's width.
  useEffect(() => setMenu(false), [location.href, phone]);
  return (
    <div class={`app${match("/conversations/:id", location.path) ? " on-conversation" : ""}`}>
      <TopBar menu={phone ? { open: menu, toggle: () => setMenu(!menu) } : null} />
      <div class="app-body">
        {!phone && sidebar && <Sidebar />}
        <main class="content">{children}</main>
      </div>
      {phone && menu && (
        <Drawer label="Menu" side="left" onClose={() => setMenu(false)} testid="menu-drawer">
          <Sidebar phone />
        </Drawer>
      )}
      <KeyboardLayer />
    </div>
  );
}

/** Signs out; `busy` while the request is under way. */
function useLogout() {
  const { signOut } = useSession();
  const [busy, setBusy] = useState(false);
  const logout = async () => {
    setBusy(true);
    try {
      await signOut();
    } finally {
      setBusy(false);
    }
  };
  return { busy, logout };
}

/** On a phone, `menu` is the sidebar drawer's state: a menu button opens it, and Settings and Log out move into it. */
function TopBar({ menu }: { menu: { open: boolean; toggle: () => void } | null }) {
  const { me } = useSession();
  const location = useLocation();
  const { busy, logout } = useLogout();
  return (
    <header class="topbar">
      {menu && (
        <button
          type="button"
          class="icon-btn menu-button"
          aria-label="Menu"
          aria-haspopup="dialog"
          aria-expanded={menu.open}
          onClick={menu.toggle}
          data-testid="menu-open"
        >
          <LineIcon d="M2.5 4.5h11M2.5 8h11M2.5 11.5h11" />
        </button>
      )}
      <Link href="/" class="brand" aria-label="Switchboard home">
        <span class="brand-mark" aria-hidden="true">
          <BrandMark />
        </span>
        <span class="brand-name">Switchboard</span>
        <span class="brand-sep" aria-hidden="true">
          /
        </span>
        <span class="workspace-name" data-testid="workspace-name">
          {me.workspace.name}
        </span>
      </Link>
      <SearchBox />
      <nav class="topbar-right">
        {!menu && canAdminister(me.user.role) && (
          <Link
            href="/settings"
            class={`topbar-link${location.path === "/settings" ? " active" : ""}`}
            data-testid="nav-settings"
          >
            Settings
          </Link>
        )}
        <NotificationCenter />
        <Link
          href="/profile"
          class={`whoami${location.path === "/profile" ? " active" : ""}`}
          data-testid="current-user"
          title={`${me.user.email} · Your profile`}
        >
          <Avatar name={me.user.name} size={26} />
          <span>{me.user.name}</span>
        </Link>
        {!menu && (
          <button type="button" class="btn btn-ghost btn-small" onClick={logout} disabled={busy} data-testid="logout">
            Log out
          </button>
        )}
      </nav>
    </header>
  );
}

/** The views, people and inboxes; on a phone (in the menu drawer) also Settings and Log out, which the top bar has no room for. */
function Sidebar({ phone = false }: { phone?: boolean }) {
  const { me } = useSession();
  const { busy, logout } = useLogout();
  const location = useLocation();
  const [composing, setComposing] = useState(false);
  const split = useSplitView();
  // Beside an open conversation on a wide screen, the list is still on screen.
  const onList = location.path === "/" || (split && match("/conversations/:id", location.path) !== null);
  const current = parseList(location.path === "/" ? location.href : lastListHref());
  const canStart = replyInboxes(me).length > 0;
  return (
    <aside class="sidebar" data-testid="sidebar">
      {/* The top bar has no room for it on a phone. */}
      {phone && <p class="side-workspace">{me.workspace.name}</p>}
      {canStart && (
        <button
          type="button"
          class="btn btn-primary btn-block"
          onClick={() => setComposing(true)}
          data-testid="new-conversation"
        >
          <PlusIcon />
          New conversation
        </button>
      )}
      <nav class="side-section" aria-label="Views">
        <h3>Conversations</h3>
        {views.map((v) => (
          <Link
            key={v.id}
            href={listHref(v.id, current.inboxId)}
            class={`side-link${onList && current.view === v.id ? " active" : ""}`}
            data-testid={`view-${v.id}`}
          >
            <ViewIcon view={v.id} />
            {v.label}
          </Link>
        ))}
      </nav>
      <nav class="side-section" aria-label="People">
        <PageLink
          href="/contacts"
          active={location.path.startsWith("/contacts")}
          testid="nav-contacts"
          icon="M6 7.5a2.3 2.3 0 1 0 0-4.6 2.3 2.3 0 0 0 0 4.6zM1.8 13.2c.5-2.2 2.2-3.5 4.2-3.5s3.7 1.3 4.2 3.5M10.5 4h3.5M10.5 7h3.5M12 10h2"
          label="Contacts"
        />
        <PageLink
          href="/reports"
          active={location.path === "/reports"}
          testid="nav-reports"
          icon="M2.5 13.5h11M4.5 11V8M7.5 11V4.5M10.5 11V6.5M13.5 11V3"
          label="Reports"
        />
      </nav>
      <nav class="side-section" aria-label="Inboxes">
        <h3>Inboxes</h3>
        {me.inboxes.length === 0 ? (
          <p class="side-empty">
            {canAdminister(me.user.role) ? <Link href="/settings">Create an inbox</Link> : "No inboxes yet"}
          </p>
        ) : (
          <>
            <Link
              href={listHref(current.view, null)}
              class={`side-link${onList && !current.inboxId ? " active" : ""}`}
              data-testid="inbox-filter-all"
            >
              <InboxIcon />
              All inboxes
            </Link>
            {me.inboxes.map((inbox) => (
              <Link
                key={inbox.id}
                href={listHref(current.view, inbox.id)}
                class={`side-link${onList && current.inboxId === inbox.id ? " active" : ""}`}
                data-testid="inbox-filter"
                data-inbox-id={inbox.id}
                title={seesEveryInbox(me.user.role) ? undefined : `Your access: ${inbox.access}`}
              >
                <ChannelIcon channel={inbox.channel} />
                <span class="side-label">{inbox.name}</span>
                {!seesEveryInbox(me.user.role) && inbox.access !== "reply" && (
                  <span class="side-tag">{inbox.access}</span>
                )}
              </Link>
            ))}
          </>
        )}
      </nav>
      {phone && (
        <nav class="side-section" aria-label="Account">
          {canAdminister(me.user.role) && (
            <PageLink
              href="/settings"
              active={location.path === "/settings"}
              testid="nav-settings"
              icon="M8 10.2a2.2 2.2 0 1 0 0-4.4 2.2 2.2 0 0 0 0 4.4zM8 1.5v2M8 12.5v2M1.5 8h2M12.5 8h2M3.4 3.4l1.4 1.4M11.2 11.2l1.4 1.4M3.4 12.6l1.4-1.4M11.2 4.8l1.4-1.4"
              label="Settings"
            />
          )}
          <button type="button" class="side-link" onClick={logout} disabled={busy} data-testid="logout">
            <LineIcon d="M6 2.5H3.5v11H6M10 5l3 3-3 3M13 8H6" />
            Log out
          </button>
        </nav>
      )}
      {composing && <NewConversationDialog onClose={() => setComposing(false)} />}
    </aside>
  );
}

/** A sidebar link to a page of its own (not a list view). */
function PageLink(props: { href: string; active: boolean; testid: string; icon: string; label: string }) {
  return (
    <Link href={props.href} class={`side-link${props.active ? " active" : ""}`} data-testid={props.testid}>
      <LineIcon d={props.icon} />
      {props.label}
    </Link>
  );
}

function ViewIcon({ view }: { view: View }) {
  const paths: Record<View, string> = {
    all: "M2.5 4.5h11M2.5 8h11M2.5 11.5h7",
    mine: "M8 8a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5zM3 13.5c.6-2.4 2.6-3.8 5-3.8s4.4 1.4 5 3.8",
    unassigned: "M8 8a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5zM3 13.5c.6-2.4 2.6-3.8 5-3.8M11 10.5l3 3M14 10.5l-3 3",
    resolved: "M3 8.5 6.5 12 13 4.5",
    mentioned: "M10.5 8a2.5 2.5 0 1 1-5 0 2.5 2.5 0 0 1 5 0zM10.5 8v1.2a1.8 1.8 0 0 0 3.5.4A6 6 0 1 0 11 13.2",
    following: "M2 8s2.2-4 6-4 6 4 6 4-2.2 4-6 4-6-4-6-4zM8 9.8a1.8 1.8 0 1 0 0-3.6 1.8 1.8 0 0 0 0 3.6z",
    snoozed: "M8 14A6 6 0 1 0 8 2a6 6 0 0 0 0 12zM8 5v3.2l2 1.3",
    spam: "M8 2.5 14 13H2L8 2.5zM8 6.5v3M8 11.2v.1",
    breaching: "M8 14.5A5.5 5.5 0 1 0 8 3.5a5.5 5.5 0 0 0 0 11zM8 6v3l1.8 1.2M6.5 1.5h3",
  };
  return <LineIcon d={paths[view]} />;
}
