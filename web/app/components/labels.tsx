/** How priority and tags look everywhere: names, colours, the priority signal icon and the tag chip. */
import type { ComponentChildren } from "preact";
import type { Priority, Tag } from "../../../worker/contract";

export const PRIORITIES: { id: Priority; label: string; color: string }[] = [
  { id: "none", label: "No priority", color: "#9aa1ae" },
  { id: "low", label: "Low", color: "#5b7fd6" },
  { id: "medium", label: "Medium", color: "#c98a06" },
  { id: "high", label: "High", color: "#e2621b" },
  { id: "urgent", label: "Urgent", color: "#d92d20" },
];

export const priorityMeta = (p: Priority) => PRIORITIES.find((x) => x.id === p) ?? PRIORITIES[0]!;

/** Signal bars (one to three filled) for low to high; a red exclamation square for urgent. */
export function PriorityIcon({ priority, size = 16 }: { priority: Priority; size?: number }) {
  const { color } = priorityMeta(priority);
  if (priority === "urgent") {
    return (
      <svg class="priority-icon" width={size} height={size} viewBox="0 0 16 16" aria-hidden="true">
        <rect x="1.5" y="1.5" width="13" height="13" rx="3.5" fill={color} />
        <path d="M8 4.6v4.3M8 11.3v.1" stroke="#fff" stroke-width="1.9" stroke-linecap="round" />
      </svg>
    );
  }
  const filled = { none: 0, low: 1, medium: 2, high: 3 }[priority];
  return (
    <svg class="priority-icon" width={size} height={size} viewBox="0 0 16 16" aria-hidden="true">
      {[0, 1, 2].map((i) => (
        <rect
          key={i}
          x={2 + i * 4.5}
          y={10 - i * 3}
          width="3"
          height={4 + i * 3}
          rx="1"
          fill={i < filled ? color : "#d5d9e0"}
        />
      ))}
    </svg>
  );
}

/** A compact badge: icon and label, tinted with the priority's colour. Nothing for "none" unless `showNone`. */
export function PriorityBadge({ priority, showNone = false }: { priority: Priority; showNone?: boolean }) {
  if (priority === "none" && !showNone) return null;
  const meta = priorityMeta(priority);
  return (
    <span
      class={`priority-badge priority-${priority}`}
      style={{ "--p": meta.color }}
      data-testid="priority-badge"
      data-priority={priority}
    >
      <PriorityIcon priority={priority} size={14} />
      {meta.label}
    </span>
  );
}

/** A tag as a coloured chip; with `onRemove`, an × removes it. */
export function TagChip({
  name,
  color,
  onRemove,
  busy,
  children,
}: {
  name: string;
  color?: string;
  onRemove?: () => void;
  busy?: boolean;
  children?: ComponentChildren;
}) {
  return (
    <span
      class={`tag-chip${busy ? " is-busy" : ""}`}
      style={{ "--tag": color ?? "#6b7385" }}
      data-testid="tag-chip"
      data-tag={name}
    >
      <span class="tag-dot" aria-hidden="true" />
      <span class="tag-name">{name}</span>
      {children}
      {onRemove && (
        <button
          type="button"
          class="tag-x"
          onClick={onRemove}
          aria-label={`Remove tag ${name}`}
          title={`Remove ${name}`}
          data-testid="tag-remove"
        >
          ×
        </button>
      )}
    </span>
  );
}

/** The colour of a tag by name (case-insensitive), from the workspace's tag list. */
export function tagColor(tags: Tag[] | null, name: string): string | undefined {
  const lower = name.toLowerCase();
  return tags?.find((t) => t.name.toLowerCase() === lower)?.color;
}
