/** Boot (first run? signed in?), then route the signed-in agent between pages. */
import { useEffect, useMemo, useState } from "preact/hooks";
import type { Me } from "../../worker/contract";
import { ApiError, api, setUnauthenticatedHandler } from "../lib/api";
import { match, navigate, useLocation } from "../lib/router";
import { Shell } from "./components/shell";
import { EmptyState, ErrorNotice, Loading, toApiError } from "./components/ui";
import { InvitePage } from "./features/auth/invite-page";
import { LoginPage } from "./features/auth/login-page";
import { ResetPage } from "./features/auth/reset-page";
import { SetupPage } from "./features/auth/setup-page";
import { ContactPage } from "./features/contacts/contact-page";
import { ContactsPage } from "./features/contacts/contacts-page";
import { InboxRoute } from "./features/inbox/inbox-route";
import { ProfilePage } from "./features/profile/profile-page";
import { REPORTS_PATH, ReportsRoute } from "./features/reports/reports-route";
import { SearchPage } from "./features/search/search-page";
import { SEARCH_PATH } from "./features/search/search-state";
import { SettingsPage } from "./features/settings/settings-page";
import { SessionContext, type Session } from "./session";

type Boot =
  | { state: "loading" }
  | { state: "error"; error: ApiError }
  | { state: "setup" }
  | { state: "signed-out"; notice: string | null }
  | { state: "ready"; me: Me };

/** The pages a one-time link opens, signed in or not: `/invite/:token` and `/reset/:token`. */
function linkPage(path: string) {
  const invite = match("/invite/:token", path);
  if (invite) return { page: "invite" as const, token: invite.token! };
  const reset = match("/reset/:token", path);
  return reset ? { page: "reset" as const, token: reset.token! } : null;
}

/** Where to go after signing in: a same-site path from `?next=`, else the list. */
function nextPath(query: URLSearchParams): string {
  const next = query.get("next");
  return next?.startsWith("/") && !next.startsWith("//") && !next.startsWith("/login") && !next.startsWith("/setup")
    ? next
    : "/";
}

export function App() {
  const location = useLocation();
  const [boot, setBoot] = useState<Boot>({ state: "loading" });

  const start = async () => {
    setBoot({ state: "loading" });
    try {
      const { setUp } = await api.setupState();
      if (!setUp) return setBoot({ state: "setup" });
      const me = await api.me().catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      });
      setBoot(me ? { state: "ready", me } : { state: "signed-out", notice: null });
    } catch (error) {
      setBoot({ state: "error", error: toApiError(error) });
    }
  };

  useEffect(() => {
    void start();
    setUnauthenticatedHandler(() =>
      setBoot({ state: "signed-out", notice: "Your session has ended. Please sign in again." }),
    );
    return () => setUnauthenticatedHandler(null);
  }, []);

  // Keep the address bar in step with the boot state.
  useEffect(() => {
    const { path } = location;
    if (boot.state === "setup" && path !== "/setup") navigate("/setup", { replace: true });
    if (boot.state === "signed-out" && path !== "/login" && !linkPage(path)) {
      const next = path === "/" || path === "/setup" ? "" : `?next=${encodeURIComponent(location.href)}`;
      navigate(`/login${next}`, { replace: true });
    }
    if (boot.state === "ready" && (path === "/login" || path === "/setup"))
      navigate(nextPath(location.query), { replace: true });
  }, [boot.state, location.href]);

  const session = useMemo<Session | null>(() => {
    if (boot.state !== "ready") return null;
    return {
      me: boot.me,
      refresh: async () => {
        const me = await api.me();
        setBoot({ state: "ready", me });
      },
      signOut: async () => {
        await api.logout().catch(() => undefined);
        setBoot({ state: "signed-out", notice: null });
        navigate("/login", { replace: true });
      },
    };
  }, [boot]);

  const link = linkPage(location.path);
  if (link && (boot.state === "signed-out" || boot.state === "ready")) {
    return link.page === "invite" ? (
      <InvitePage
        token={link.token}
        onDone={(me) => {
          setBoot({ state: "ready", me });
          navigate("/", { replace: true });
        }}
      />
    ) : (
      <ResetPage
        token={link.token}
        onDone={() => {
          setBoot({ state: "signed-out", notice: "Your new password is set. Sign in with it." });
          navigate("/login", { replace: true });
        }}
      />
    );
  }

  switch (boot.state) {
    case "loading":
      return <Loading label="Loading Switchboard…" />;
    case "error":
      if (boot.error.code === "network") return <Offline onRetry={() => void start()} />;
      return (
        <div class="boot-error">
          <EmptyState title="Switchboard could not start" testid="boot-error" icon="alert">
            <ErrorNotice error={boot.error} onRetry={() => void start()} />
          </EmptyState>
        </div>
      );
    case "setup":
      return (
        <SetupPage
          onDone={(me) => setBoot({ state: "ready", me })}
          onAlreadySetUp={() =>
            setBoot({ state: "signed-out", notice: "This workspace is already set up. Sign in instead." })
          }
        />
      );
    case "signed-out":
      return <LoginPage notice={boot.notice} onDone={(me) => setBoot({ state: "ready", me })} />;
    case "ready":
      return (
        <SessionContext.Provider value={session}>
          <Routes path={location.path} />
        </SessionContext.Provider>
      );
  }
}

function Routes({ path }: { path: string }) {
  // About to be redirected to `?next=` by App's effect.
  if (path === "/login" || path === "/setup") return <Loading />;
  const conversation = match("/conversations/:id", path);
  if (path === "/" || conversation) {
    return (
      <Shell>
        <InboxRoute openId={conversation?.id ?? null} />
      </Shell>
    );
  }
  const contact = match("/contacts/:id", path);
  if (path === "/contacts" || contact) {
    return <Shell>{contact ? <ContactPage id={contact.id!} /> : <ContactsPage />}</Shell>;
  }
  if (path === SEARCH_PATH) {
    return (
      <Shell>
        <SearchPage />
      </Shell>
    );
  }
  if (path === REPORTS_PATH) {
    return (
      <Shell>
        <ReportsRoute />
      </Shell>
    );
  }
  if (path === "/profile") {
    return (
      <Shell>
        <ProfilePage />
      </Shell>
    );
  }
  if (path === "/settings") {
    return (
      <Shell>
        <SettingsPage />
      </Shell>
    );
  }
  return (
    <Shell>
      <EmptyState title="Page not found" testid="not-found" icon="search">
        <p>
          <a href="/">Go to your conversations</a>
        </p>
      </EmptyState>
    </Shell>
  );
}

/**
 * Started without a connection (the service worker's offline shell, or a
 * network that dropped): says so, and starts by itself when the browser is
 * back online.
 */
function Offline({ onRetry }: { onRetry: () => void }) {
  useEffect(() => {
    window.addEventListener("online", onRetry);
    return () => window.removeEventListener("online", onRetry);
  }, []);
  return (
    <div class="boot-error">
      <EmptyState title="You're offline" testid="offline" icon="alert">
        <p>Switchboard starts as soon as this device is back online.</p>
        <button type="button" class="btn btn-primary" onClick={onRetry}>
          Try again
        </button>
      </EmptyState>
    </div>
  );
}
