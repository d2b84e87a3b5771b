/**
 * The widget's panel in preview mode (`/widget/?key=…&preview=1`: open, no
 * launcher, nothing sent), fed the unsaved settings: posted on every change and
 * whenever the frame (re)loads, same origin only.
 */
import { useEffect, useRef } from "preact/hooks";
import type { WidgetConfig } from "../../../../worker/contract";

/** The message the panel listens for in preview mode. */
export type PreviewMessage = { source: "switchboard"; type: "preview-config"; config: WidgetConfig };

export const previewUrl = (widgetKey: string) => `/widget/?key=${encodeURIComponent(widgetKey)}&preview=1`;

export function WidgetPreview({ widgetKey, config }: { widgetKey: string; config: WidgetConfig }) {
  const frame = useRef<HTMLIFrameElement>(null);
  const post = () => {
    const message: PreviewMessage = { source: "switchboard", type: "preview-config", config };
    frame.current?.contentWindow?.postMessage(message, location.origin);
  };
  const latest = useRef(post);
  latest.current = post;
  const settings = JSON.stringify(config);
  useEffect(() => latest.current(), [settings]);

  return (
    <aside class="widget-preview" aria-label="Preview">
      <p class="field-label" aria-hidden="true">
        Preview
      </p>
      <iframe
        ref={frame}
        src={previewUrl(widgetKey)}
        title="Widget preview (shows unsaved changes; nothing is sent)"
        onLoad={() => latest.current()}
        data-testid="widget-preview"
      />
      <p class="field-hint">Shows your changes before you save them. Messages typed here are not sent.</p>
    </aside>
  );
}
