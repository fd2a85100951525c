// The IPC boundary: typed wrappers over the app's Tauri commands and events.
// Every call fails with {code, message}; messages are written for people.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";

export type TaskStatus =
  | "todo"
  | "in_progress"
  | "blocked"
  | "ready_for_review"
  | "completed"
  | "archived";

export interface Epic {
  id: string;
  key: string;
  title: string;
  description: string | null;
  status: string;
  priority: string;
  created_at: string;
  updated_at: string;
}

export interface Feature {
  id: string;
  epic_id: string;
  epic_key: string;
  key: string;
  title: string;
  description: string | null;
  status: string;
  progress_pct: number;
  task_count: number;
}

export interface Task {
  id: string;
  feature_id: string;
  epic_key: string;
  feature_key: string;
  key: string;
  title: string;
  description: string | null;
  status: TaskStatus;
  priority: number;
  agent_type: string | null;
  assigned_agent: string | null;
  depends_on: string[];
  blocked_reason: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  updated_at: string;
}

export interface Note {
  id: string;
  note_type: string;
  content: string;
  actor_kind: string;
  created_by: string;
  device_id: string;
  device_name: string;
  created_at: string;
}

export interface HistoryEntry {
  id: string;
  field: string;
  old_value: string | null;
  new_value: string | null;
  reason: string | null;
  forced: boolean;
  actor_kind: string;
  actor: string;
  device_id: string;
  device_name: string;
  created_at: string;
}

export interface TaskDetail {
  task: Task;
  notes: Note[];
  history: HistoryEntry[];
  actions: string[];
  device_id: string;
}

export interface Failure {
  at: string;
  problem: string;
  message: string;
}

export interface AppStatus {
  phase: string;
  mode: "local" | "replica" | "local_fallback" | null;
  pending_changes: number;
  last_success: string | null;
  last_error: Failure | null;
  paused: boolean;
  url: string | null;
  token_source: string | null;
  interval_secs: number;
  device_name: string;
  line: string;
  offline: boolean;
}

export interface ProbeOutcome {
  ok: boolean;
  problem: string | null;
  message: string;
  elapsed_ms: number;
}

export interface Connected {
  status: AppStatus;
  token_stored_in: string | null;
  keyring_unavailable: string | null;
  notices: string[];
}

export interface AppInfo {
  version: string;
  data_dir: string;
  log_dir: string;
  token_stored_in: string | null;
  start_at_login: boolean;
}

export interface UpdateCheck {
  available: boolean;
  version: string | null;
  current: string;
  problem: string | null;
}

export interface IpcError {
  code: string;
  message: string;
}

/** The message of anything a command threw. */
export function errorMessage(e: unknown): string {
  if (e && typeof e === "object" && "message" in e) {
    return String((e as IpcError).message);
  }
  return String(e);
}

export const api = {
  status: () => invoke<AppStatus>("get_status"),
  retryOpen: () => invoke<AppStatus>("retry_open"),
  epics: () => invoke<Epic[]>("list_epics"),
  features: () => invoke<Feature[]>("list_features"),
  tasks: () => invoke<Task[]>("list_tasks"),
  task: (key: string) => invoke<TaskDetail>("get_task", { key }),
  createEpic: (input: { title: string; description?: string; priority?: string }) =>
    invoke<Epic>("create_epic", { input }),
  createFeature: (input: { epic: string; title: string; description?: string }) =>
    invoke<Feature>("create_feature", { input }),
  createTask: (input: {
    feature: string;
    title: string;
    description?: string;
    priority?: number;
    agent_type?: string;
    depends_on?: string[];
  }) => invoke<Task>("create_task", { input }),
  updateTask: (key: string, patch: Record<string, unknown>) =>
    invoke<Task>("update_task", { key, patch }),
  transition: (key: string, action: string, reason?: string) =>
    invoke<Task>("transition_task", { key, action, reason: reason ?? null }),
  addNote: (key: string, noteType: string, content: string) =>
    invoke<Note>("add_note", { key, noteType, content }),
  restore: (key: string, historyId: string) =>
    invoke<Task>("restore_value", { key, historyId }),
  syncNow: () => invoke<{ pulled: boolean; renumbered: string[] }>("sync_now"),
  setPaused: (paused: boolean) => invoke<AppStatus>("set_paused", { paused }),
  testConnection: (url: string, token: string | null) =>
    invoke<ProbeOutcome>("test_connection", { url, token }),
  connect: (url: string, token: string | null) =>
    invoke<Connected>("connect_cloud", { url, token }),
  disconnect: () => invoke<number>("disconnect_cloud"),
  setInterval: (secs: number) => invoke<AppStatus>("set_sync_interval", { secs }),
  appInfo: () => invoke<AppInfo>("app_info"),
  setStartAtLogin: (enabled: boolean) => invoke<boolean>("set_start_at_login", { enabled }),
  checkUpdate: () => invoke<UpdateCheck>("check_update"),
};

export const events = {
  onDataChanged: (f: () => void): Promise<UnlistenFn> => listen("data-changed", () => f()),
  onStatus: (f: (s: AppStatus) => void): Promise<UnlistenFn> =>
    listen<AppStatus>("sync-status", (e) => f(e.payload)),
  onNavigate: (f: (where: string) => void): Promise<UnlistenFn> =>
    listen<string>("navigate", (e) => f(e.payload)),
  onSyncError: (f: (e: IpcError) => void): Promise<UnlistenFn> =>
    listen<IpcError>("sync-error", (e) => f(e.payload)),
};
