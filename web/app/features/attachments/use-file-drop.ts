/** Files dragged over an element: it shows itself as the drop target while they hover, and takes them when dropped. */
import { useState } from "preact/hooks";
import { dragHasFiles } from "./files";

export function useFileDrop(onFiles: (files: File[]) => void) {
  const [dropping, setDropping] = useState(false);
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
