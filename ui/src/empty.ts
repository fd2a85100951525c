// What the task pane says when it shows no task, and the next steps it
// offers as buttons: a first run (start a plan, import a Go Shark
// database, connect to Turso), a plan with no feature or no task yet, a
// feature with no task, and filters that match nothing.
import type { Filters } from "./model";
import { NO_FILTERS } from "./model";

export type EmptyAction = "epic" | "feature" | "task" | "import" | "connect" | "clear-filters";

export interface Empty {
  text: string;
  actions: EmptyAction[];
}

export interface EmptyInput {
  epics: { key: string }[];
  features: { key: string; title: string }[];
  /** Every task, before the filters. */
  tasks: { feature_key: string }[];
  filters: Filters;
  /** Whether this machine syncs with Turso already. */
  connected: boolean;
}

/** The empty pane's message and buttons (in order), given what exists. */
export function emptyState(s: EmptyInput): Empty {
  if (!s.epics.length) {
    return {
      text: "No tasks yet. Start a plan with an epic, import a Go Shark database, or connect to Turso to bring in your other machines' tasks.",
      actions: s.connected ? ["epic", "import"] : ["epic", "import", "connect"],
    };
  }
  if (!s.features.length) {
    return { text: "Your epics have no features yet. Add a feature, then its tasks.", actions: ["feature"] };
  }
  const epic = s.epics.find((e) => e.key === s.filters.scope);
  if (epic && !s.features.some((f) => f.key.startsWith(`${epic.key}-`))) {
    return { text: `${epic.key} has no features yet. Add one, then its tasks.`, actions: ["feature"] };
  }
  const feature = s.features.find((f) => f.key === s.filters.scope);
  if (feature && !s.tasks.some((t) => t.feature_key === feature.key)) {
    return { text: `${feature.key} ${feature.title} has no tasks yet.`, actions: ["task"] };
  }
  if (!s.tasks.length) {
    return { text: "No tasks yet. Add the first one (N).", actions: ["task"] };
  }
  const f = s.filters;
  const narrowed = f.text !== NO_FILTERS.text || f.status !== NO_FILTERS.status || f.agent !== NO_FILTERS.agent || f.priority !== NO_FILTERS.priority;
  return narrowed
    ? { text: "No task matches the filters. Clear them, or pick another epic or feature on the left.", actions: ["clear-filters"] }
    : { text: "Every task here is completed or archived: choose All statuses to see them, or add a task.", actions: ["task"] };
}

/** A button's label. */
export const EMPTY_LABELS: Record<EmptyAction, string> = {
  epic: "New epic",
  feature: "New feature",
  task: "New task",
  import: "Import a Go Shark database…",
  connect: "Connect to Turso…",
  "clear-filters": "Clear filters",
};
