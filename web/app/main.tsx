import { render } from "preact";
import { useErrorBoundary } from "preact/hooks";
import { navigate } from "../lib/router";
import { App } from "./app";
import { EmptyState } from "./components/ui";

/** A rendering bug shows a way out instead of a blank page. */
function Root() {
  const [error] = useErrorBoundary((e: unknown) => console.error(e));
  if (error) {
    return (
      <div class="boot-error">
        <EmptyState title="Something went wrong on this page" testid="crash" icon="alert">
          <p>{error instanceof Error ? error.message : String(error)}</p>
          <button type="button" class="btn btn-primary" onClick={() => window.location.reload()}>
            Reload Switchboard
          </button>
        </EmptyState>
      </div>
    );
  }
  return <App />;
}

render(<Root />, document.getElementById("app")!);

/**
 * The service worker (web/sw/sw.ts): the offline shell and Web Push. The app
 * works the same without it (an old browser, a failed registration, `vite`
 * in development); a tapped notification asks this window to open its
 * conversation.
 */
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.addEventListener("message", (event: MessageEvent<{ type?: unknown; url?: unknown }>) => {
    const { type, url } = event.data ?? {};
    if (type === "switchboard:open" && typeof url === "string" && url.startsWith("/") && !url.startsWith("//")) {
      navigate(url);
    }
  });
  navigator.serviceWorker.register("/sw.js").catch((e: unknown) => console.warn("Service worker not registered", e));
}
