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

/** draft, active, completed or archived. */
export type PlanStatus = "draft" | "active" | "completed" | "archived";

/** Whether a status follows the tasks or was set by hand. */
export type StatusSource = "calculated" | "manual";

export interface Epic {
  id: string;
  key: string;
  title: string;
  description: string | null;
  status: PlanStatus;
  status_source: StatusSource;
  priority: string;
  progress_pct: number;
  feature_count: number;
  task_count: number;
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
  status: PlanStatus;
  status_source: StatusSource;
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
  usage: { level: "warning" | "over"; text: string } | null;
  /** The core's clock when the status was made. */
  now: string;
}

export type QuotaKey = "rows_read" | "rows_written" | "storage" | "bytes_synced";
export type UsageLevel = "ok" | "warning" | "over";

export interface QuotaFigure {
  quota: QuotaKey;
  label: string;
  used: number | null;
  limit: number;
  percent: number | null;
  projected: number | null;
  limit_date: string | null;
  level: UsageLevel;
  source: "local" | "local_estimate" | "turso" | "unknown";
  age_secs: number | null;
}

export interface UsageWarning {
  quota: QuotaKey;
  level: UsageLevel;
  percent: number;
  threshold: number;
  limit_date: string | null;
  message: string;
}

export interface Counters {
  rows_written: number;
  bytes_sent: number;
  bytes_received: number;
  pushes: number;
  pulls: number;
}

export interface UsageReport {
  month: string;
  period_start: string;
  period_end: string;
  generated_at: string;
  plan: { id: string; name: string; source: "default" | "settings" | "turso"; note: string | null; limits: Record<string, number> };
  warn_percent: number;
  quotas: QuotaFigure[];
  warnings: UsageWarning[];
  machines: { device_id: string; name: string; this_machine: boolean; counters: Counters; bytes_synced: number }[];
  days: { day: string; rows_written: number; bytes_synced: number }[];
  api: { configured: boolean; organization: string | null; database: string | null; fetched_at: string | null; error: string | null; error_kind: string | null };
  dashboard_url: string;
  this_machine_syncs: boolean;
}

export interface UsageSettings {
  organization?: string;
  database?: string;
  plan?: string;
  rows_read_limit?: number;
  rows_written_limit?: number;
  storage_bytes_limit?: number;
  bytes_synced_limit?: number;
  warn_percent?: number;
}

export interface UsageView {
  report: UsageReport;
  settings: UsageSettings;
  api_token_stored_in: string | null;
}

export interface ImportCounts {
  imported: number;
  updated: number;
  unchanged: number;
  skipped: number;
}

export interface ImportSummary {
  file: string;
  epics: ImportCounts;
  features: ImportCounts;
  tasks: ImportCounts;
  notes: ImportCounts;
  history: ImportCounts;
  completions: ImportCounts;
  remarks: string[];
}

export interface ExportSummary {
  path: string;
  format: string;
  epics: number;
  features: number;
  tasks: number;
  notes: number;
  history: number;
  completions: number;
  bytes: number;
}

/** One line of `shark doctor` / the Diagnostics panel. */
export interface DiagnosticCheck {
  id: string;
  title: string;
  status: "pass" | "warn" | "fail" | "info";
  detail: string;
  fix?: string;
}

export interface PoolStats {
  size: number;
  open: number;
  idle: number;
  in_use: number;
  waiting: number;
  checkouts: number;
  waited: number;
  wait_total_ms: number;
  wait_max_ms: number;
  idle_timeout_secs: number;
  opened: number;
  closed_idle: number;
}

export interface DiagnosticsReport {
  checks: DiagnosticCheck[];
  failed: number;
  warnings: number;
  pool?: PoolStats;
}

export interface UsageForm {
  change: Partial<Record<keyof UsageSettings, string | number>>;
  api_token: string | null;
  forget_api_token: boolean;
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
  /** Sets an epic's or feature's status by hand; "auto" follows its tasks again. */
  setPlanStatus: (key: string, status: PlanStatus | "auto") => invoke<void>("set_plan_status", { key, status }),
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
  importDatabase: (path: string) => invoke<ImportSummary>("import_database", { path }),
  exportData: (format: string, path: string, force: boolean) => invoke<ExportSummary>("export_data", { format, path, force }),
  diagnostics: () => invoke<DiagnosticsReport>("get_diagnostics"),
  usage: (fetch: boolean) => invoke<UsageView>("get_usage", { fetch }),
  saveUsage: (form: UsageForm) => invoke<UsageView>("save_usage_settings", { form }),
  openDashboard: () => invoke<null>("open_dashboard"),
};

export const events = {
  onDataChanged: (f: () => void): Promise<UnlistenFn> => listen("data-changed", () => f()),
  onStatus: (f: (s: AppStatus) => void): Promise<UnlistenFn> =>
    listen<AppStatus>("sync-status", (e) => f(e.payload)),
  onNavigate: (f: (where: string) => void): Promise<UnlistenFn> =>
    listen<string>("navigate", (e) => f(e.payload)),
  onUsage: (f: (r: UsageReport) => void): Promise<UnlistenFn> =>
    listen<UsageReport>("usage", (e) => f(e.payload)),
  onSyncError: (f: (e: IpcError) => void): Promise<UnlistenFn> =>
    listen<IpcError>("sync-error", (e) => f(e.payload)),
};
