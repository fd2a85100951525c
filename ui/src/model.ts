// Pure view logic (no DOM, no IPC), unit-tested with Vitest: filtering and
// sorting tasks, the epic/feature tree, status names, relative times.
import { TASK_STATUSES, type Action, type DamagedRow, type Epic, type Feature, type Task, type TaskStatus } from "./api";

/** Task statuses in workflow order (from the Rust enum). */
export const STATUSES: TaskStatus[] = TASK_STATUSES;

export const STATUS_LABEL: Record<TaskStatus, string> = {
  todo: "To do",
  in_progress: "In progress",
  blocked: "Blocked",
  ready_for_review: "Ready for review",
  completed: "Completed",
  archived: "Archived",
};

/** A status as shown: a newer Shark's (one this build does not know) by its stored name. */
export function statusLabel(s: TaskStatus): string {
  return STATUS_LABEL[s] ?? `${s} (from a newer Shark)`;
}

/** One line per damaged row: where it is and which column holds what. */
export function damagedLine(d: DamagedRow): string {
  const where = d.key ?? (d.id ? `id ${d.id}` : "a row without a readable id");
  const what = d.problems.map((p) => `${p.column} holds ${p.value} (${p.problem})`).join("; ");
  return `${d.table} ${where}${d.title ? ` “${d.title}”` : ""}: ${what}`;
}

export const ACTION_LABEL: Record<Action, string> = {
  start: "Start",
  complete: "Ready for review",
  approve: "Approve",
  block: "Block…",
  unblock: "Unblock",
  reopen: "Reopen…",
  archive: "Archive",
};

/** Actions the window asks a reason for (the core requires one to block; a reopen is better with one). */
export const NEEDS_REASON = new Set<Action>(["block", "reopen"]);

export type PriorityBand = "" | "high" | "medium" | "low";

export interface Filters {
  text: string;
  status: "" | "open" | TaskStatus;
  agent: string;
  priority: PriorityBand;
  /** Epic key or feature key from the tree ("" for all). */
  scope: string;
}

export const NO_FILTERS: Filters = { text: "", status: "open", agent: "", priority: "", scope: "" };

export function band(p: number): Exclude<PriorityBand, ""> {
  return p <= 3 ? "high" : p <= 6 ? "medium" : "low";
}

/** Lower-cased text a search matches against, computed once per task. */
const haystacks = new WeakMap<Task, string>();
function haystack(t: Task): string {
  let h = haystacks.get(t);
  if (h === undefined) {
    h = [t.key, t.title, t.description ?? "", t.agent_type ?? "", t.assigned_agent ?? ""]
      .join("\n")
      .toLowerCase();
    haystacks.set(t, h);
  }
  return h;
}

/** The tasks the filters let through, in list order. */
export function filterTasks(tasks: Task[], f: Filters): Task[] {
  const words = f.text.toLowerCase().split(/\s+/).filter(Boolean);
  const out: Task[] = [];
  for (const t of tasks) {
    if (f.status === "open") {
      if (t.status === "completed" || t.status === "archived") continue;
    } else if (f.status === "") {
      if (t.status === "archived") continue;
    } else if (t.status !== f.status) continue;
    if (f.agent && t.agent_type !== f.agent && t.assigned_agent !== f.agent) continue;
    if (f.priority && band(t.priority) !== f.priority) continue;
    if (f.scope && t.epic_key !== f.scope && t.feature_key !== f.scope) continue;
    if (words.length) {
      const h = haystack(t);
      if (!words.every((w) => h.includes(w))) continue;
    }
    out.push(t);
  }
  return out;
}

/** A task key's numbers (`T-E01-F02-003` -> [1, 2, 3]), or null. */
function keyNumbers(key: string): number[] | null {
  const m = /^T-E(\d+)-F(\d+)-(\d+)$/.exec(key);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

/** The order lists come in from the app: by key, then oldest, then id. */
export function compareTasks(a: Task, b: Task): number {
  const ka = keyNumbers(a.key);
  const kb = keyNumbers(b.key);
  if (!ka || !kb) {
    if (ka !== kb) return ka ? 1 : -1;
  } else {
    for (let i = 0; i < 3; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
  }
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Agents seen on tasks (agent types and assigned agents), sorted. */
export function agentsOf(tasks: Task[]): string[] {
  const s = new Set<string>();
  for (const t of tasks) {
    if (t.agent_type) s.add(t.agent_type);
    if (t.assigned_agent) s.add(t.assigned_agent);
  }
  return [...s].sort((a, b) => a.localeCompare(b));
}

export interface TreeEpic {
  epic: Epic;
  open: number;
  features: { feature: Feature; open: number }[];
}

/** Epics with their features and the count of open tasks in each. */
export function buildTree(epics: Epic[], features: Feature[], tasks: Task[]): TreeEpic[] {
  const openByFeature = new Map<string, number>();
  const openByEpic = new Map<string, number>();
  for (const t of tasks) {
    if (t.status === "completed" || t.status === "archived") continue;
    openByFeature.set(t.feature_key, (openByFeature.get(t.feature_key) ?? 0) + 1);
    openByEpic.set(t.epic_key, (openByEpic.get(t.epic_key) ?? 0) + 1);
  }
  return epics.map((epic) => ({
    epic,
    open: openByEpic.get(epic.key) ?? 0,
    features: features
      .filter((f) => f.epic_key === epic.key)
      .map((feature) => ({ feature, open: openByFeature.get(feature.key) ?? 0 })),
  }));
}

/** Tasks grouped by status for the board; a newer Shark's statuses get
 * columns of their own, after the known ones. */
export function byStatus(tasks: Task[]): Map<TaskStatus, Task[]> {
  const m = new Map<TaskStatus, Task[]>(STATUSES.map((s) => [s, []]));
  for (const t of tasks) {
    const column = m.get(t.status);
    if (column) column.push(t);
    else m.set(t.status, [t]);
  }
  return m;
}

let coreOffsetMs = 0;

/** Follows the core's clock (`now` in each status): relative times are
 *  worded against the clock that stamped what they describe. */
export function followCoreClock(iso: string | undefined): void {
  const t = iso ? Date.parse(iso) : Number.NaN;
  if (!Number.isNaN(t)) coreOffsetMs = t - Date.now();
}

/** The core's clock, in milliseconds since the epoch. */
export function coreNow(): number {
  return Date.now() + coreOffsetMs;
}

/** "just now", "2 min ago", "3 h ago", "4 days ago". */
export function ago(iso: string | null, now: number = coreNow()): string {
  if (!iso) return "never";
  const secs = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (secs < 45) return "just now";
  if (secs < 3600) return `${Math.round(secs / 60)} min ago`;
  if (secs < 86400) return `${Math.floor(secs / 3600)} h ago`;
  const d = Math.floor(secs / 86400);
  return `${d} day${d === 1 ? "" : "s"} ago`;
}

/** History fields a click can restore (status goes through the workflow). */
export const RESTORABLE = new Set([
  "title",
  "description",
  "priority",
  "agent_type",
  "assigned_agent",
  "depends_on",
]);

/** Parses "T-E01-F01-001, T-E01-F01-002" into keys. */
export function parseKeys(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((k) => k.trim())
    .filter(Boolean);
}

/** Keyboard shortcuts: key → command name. */
export const SHORTCUTS: Record<string, string> = {
  n: "new-task",
  "/": "search",
  j: "next",
  ArrowDown: "next",
  k: "previous",
  ArrowUp: "previous",
  s: "status",
  b: "toggle-board",
  r: "sync",
  u: "usage",
  "?": "help",
  Escape: "escape",
};

/** The command for a key press, unless the user is typing in a field. */
export function shortcutFor(key: string, inField: boolean, mod: boolean): string | null {
  if (mod) return null;
  if (inField && key !== "Escape") return null;
  return SHORTCUTS[key] ?? null;
}

/** One line per kind of row an import touched ("tasks: 5 imported, 1 updated"). */
export function importLines(s: { epics: Counts; features: Counts; tasks: Counts; notes: Counts; history: Counts }): string[] {
  return (["epics", "features", "tasks", "notes", "history"] as const).map((k) => {
    const c = s[k];
    const parts = [[c.imported, "imported"], [c.updated, "updated"], [c.unchanged, "unchanged"], [c.skipped, "skipped"]].filter(([n]) => n).map(([n, w]) => `${n} ${w}`);
    return `${k}: ${parts.length ? parts.join(", ") : "none"}`;
  });
}

interface Counts {
  imported: number;
  updated: number;
  unchanged: number;
  skipped: number;
}

/** How a failed sync is shown. Offline and an unreachable or failing server
 *  are states: the banner and the indicator already say so and the work is
 *  safe, so they never raise an error. Everything else is a problem the user
 *  must act on: one message with its fix. The technical chain goes to the
 *  log and to Settings > Diagnostics, never here. */
export type SyncFailure = { kind: "state"; message: string } | { kind: "problem"; message: string };

export function syncFailure(code: string, message: string): SyncFailure {
  switch (code) {
    case "offline":
    case "sync_offline":
      return { kind: "state", message: "Turso cannot be reached now. Your work is saved on this machine and syncs when the connection is back." };
    case "sync_server":
      return { kind: "state", message: "The Turso server had an error. Your work is saved on this machine; Shark retries by itself." };
    case "sync_busy":
      return { kind: "state", message: "The database was busy applying changes. Your work is saved; Shark retries by itself." };
    case "sync_local":
      return { kind: "problem", message: "Sync stopped on an error of the database on this machine. Settings > Diagnostics shows it, with the fix." };
    case "sync_auth":
      return { kind: "problem", message: "Turso refused the token (invalid, expired, or for another database). Enter a new token in Settings > Cloud." };
    case "sync_quota":
      return { kind: "problem", message: "Turso blocked syncing: the plan's quota is used up. Your work is saved here and syncs once the quota allows; see Usage." };
    case "sync_rejected":
      return { kind: "problem", message: "Turso rejected a change. Settings > Diagnostics shows which, with the fix." };
    case "sync_redirect":
      return { kind: "problem", message: "The server answered with a redirect, which Shark never follows. Check the database URL in Settings > Cloud." };
    case "sync":
      return { kind: "problem", message: "Sync failed. Settings > Diagnostics shows the details." };
    default:
      return { kind: "problem", message };
  }
}
