import { render } from "preact";
import { useErrorBoundary } from "preact/hooks";
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
