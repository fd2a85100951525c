// The IPC boundary: typed wrappers over the app's Tauri commands and events.
// Every call fails with {code, message}; messages are written for people.
// The types are generated from the Rust ones (bindings.ts, `npm run
// bindings`); only the command names and argument names are written here.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type {
  Action,
  AppInfo,
  AppStatus,
  Connected,
  DataChange,
  DiagnosticsReport,
  Epic,
  EpicInput,
  ExportSummary,
  Feature,
  FeatureInput,
  ImportSummary,
  IpcError,
  Listing,
  Note,
  NoteType,
  PatchInput,
  PlanStatus,
  ProbeOutcome,
  SyncOutcome,
  Task,
  TaskDetail,
  TaskInput,
  UpdateCheck,
  UsageForm,
  UsageReport,
  UsageView,
} from "./bindings";

export type * from "./bindings";
export { NOTE_TYPES, PLAN_STATUSES, TASK_STATUSES } from "./bindings";

/** The message of anything a command threw. */
export function errorMessage(e: unknown): string {
  if (e && typeof e === "object" && "message" in e) {
    return String((e as IpcError).message);
  }
  return String(e);
}

/**
 * The commands this window invoked so far, by name: what a change costs in
 * IPC, read by the benchmark (`bench/app-bench.mjs`) as
 * `window.__sharkIpcCalls`.
 */
export const ipcCalls: Record<string, number> = {};
(globalThis as { __sharkIpcCalls?: Record<string, number> }).__sharkIpcCalls = ipcCalls;

function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  ipcCalls[cmd] = (ipcCalls[cmd] ?? 0) + 1;
  return invoke<T>(cmd, args);
}

export const api = {
  status: () => call<AppStatus>("get_status"),
  retryOpen: () => call<AppStatus>("retry_open"),
  epics: () => call<Listing<Epic>>("list_epics"),
  features: () => call<Listing<Feature>>("list_features"),
  tasks: () => call<Listing<Task>>("list_tasks"),
  /** The tasks with these ids (at most 500); ids with no task are left out. */
  tasksByIds: (ids: string[]) => call<Listing<Task>>("tasks_by_ids", { ids }),
  task: (key: string) => call<TaskDetail>("get_task", { key }),
  createEpic: (input: EpicInput) => call<Epic>("create_epic", { input }),
  createFeature: (input: FeatureInput) => call<Feature>("create_feature", { input }),
  /** Sets an epic's or feature's status by hand; "auto" follows its tasks again. */
  setPlanStatus: (key: string, status: PlanStatus | "auto") => call<void>("set_plan_status", { key, status }),
  createTask: (input: TaskInput) => call<Task>("create_task", { input }),
  updateTask: (key: string, patch: PatchInput) => call<Task>("update_task", { key, patch }),
  transition: (key: string, action: Action, reason?: string) =>
    call<Task>("transition_task", { key, action, reason: reason ?? null }),
  addNote: (key: string, noteType: NoteType, content: string) =>
    call<Note>("add_note", { key, noteType, content }),
  restore: (key: string, historyId: string) =>
    call<Task>("restore_value", { key, historyId }),
  syncNow: () => call<SyncOutcome>("sync_now"),
  setPaused: (paused: boolean) => call<AppStatus>("set_paused", { paused }),
  testConnection: (url: string, token: string | null) =>
    call<ProbeOutcome>("test_connection", { url, token }),
  connect: (url: string, token: string | null) =>
    call<Connected>("connect_cloud", { url, token }),
  disconnect: () => call<number>("disconnect_cloud"),
  setInterval: (secs: number) => call<AppStatus>("set_sync_interval", { secs }),
  appInfo: () => call<AppInfo>("app_info"),
  setStartAtLogin: (enabled: boolean) => call<boolean>("set_start_at_login", { enabled }),
  checkUpdate: () => call<UpdateCheck>("check_update"),
  importDatabase: (path: string) => call<ImportSummary>("import_database", { path }),
  exportData: (format: string, path: string, force: boolean) => call<ExportSummary>("export_data", { format, path, force }),
  diagnostics: () => call<DiagnosticsReport>("get_diagnostics"),
  usage: (fetch: boolean) => call<UsageView>("get_usage", { fetch }),
  saveUsage: (form: UsageForm) => call<UsageView>("save_usage_settings", { form }),
  openDashboard: () => call<null>("open_dashboard"),
};

export const events = {
  /** What changed; null (no payload) means read everything. */
  onDataChanged: (f: (c: DataChange | null) => void): Promise<UnlistenFn> =>
    listen<DataChange | null>("data-changed", (e) => f(e.payload ?? null)),
  onStatus: (f: (s: AppStatus) => void): Promise<UnlistenFn> =>
    listen<AppStatus>("sync-status", (e) => f(e.payload)),
  onNavigate: (f: (where: string) => void): Promise<UnlistenFn> =>
    listen<string>("navigate", (e) => f(e.payload)),
  onUsage: (f: (r: UsageReport) => void): Promise<UnlistenFn> =>
    listen<UsageReport>("usage", (e) => f(e.payload)),
  onSyncError: (f: (e: IpcError) => void): Promise<UnlistenFn> =>
    listen<IpcError>("sync-error", (e) => f(e.payload)),
};
