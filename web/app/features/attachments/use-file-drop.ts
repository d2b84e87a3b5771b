/**
 * Files dragged over an element: it shows itself as the drop target while they
 * hover, and takes them when dropped. While it is on the page, files dropped
 * just beside it are ignored instead of the browser leaving the app to open them.
 */
import { useEffect, useState } from "preact/hooks";
import { dragHasFiles } from "./files";

/** Outside every drop target (none has taken the event), files may not be dropped. */
const ignoreFiles = (e: DragEvent) => {
  if (!dragHasFiles(e) || e.defaultPrevented) return;
  e.preventDefault();
  if (e.dataTransfer) e.dataTransfer.dropEffect = "none";
};

export function useFileDrop(onFiles: (files: File[]) => void) {
  const [dropping, setDropping] = useState(false);
  useEffect(() => {
    window.addEventListener("dragover", ignoreFiles);
    window.addEventListener("drop", ignoreFiles);
    return () => {
      window.removeEventListener("dragover", ignoreFiles);
      window.removeEventListener("drop", ignoreFiles);
    };
  }, []);
  const over = (e: DragEvent) => {
    if (!dragHasFiles(e)) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = "copy";
    setDropping(true);
  };
  return {
    dropping,
    handlers: {
      onDragEnter: over,
      onDragOver: over,
      onDragLeave: (e: DragEvent) => {
        // Moving onto a child is not leaving.
        if (!(e.currentTarget as HTMLElement).contains(e.relatedTarget as Node | null)) setDropping(false);
      },
      onDrop: (e: DragEvent) => {
        if (!dragHasFiles(e)) return;
        e.preventDefault();
        setDropping(false);
        onFiles([...(e.dataTransfer?.files ?? [])]);
      },
    },
  };
}
