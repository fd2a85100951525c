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

export const api = {
  status: () => invoke<AppStatus>("get_status"),
  retryOpen: () => invoke<AppStatus>("retry_open"),
  epics: () => invoke<Listing<Epic>>("list_epics"),
  features: () => invoke<Listing<Feature>>("list_features"),
  tasks: () => invoke<Listing<Task>>("list_tasks"),
  task: (key: string) => invoke<TaskDetail>("get_task", { key }),
  createEpic: (input: EpicInput) => invoke<Epic>("create_epic", { input }),
  createFeature: (input: FeatureInput) => invoke<Feature>("create_feature", { input }),
  /** Sets an epic's or feature's status by hand; "auto" follows its tasks again. */
  setPlanStatus: (key: string, status: PlanStatus | "auto") => invoke<void>("set_plan_status", { key, status }),
  createTask: (input: TaskInput) => invoke<Task>("create_task", { input }),
  updateTask: (key: string, patch: PatchInput) => invoke<Task>("update_task", { key, patch }),
  transition: (key: string, action: Action, reason?: string) =>
    invoke<Task>("transition_task", { key, action, reason: reason ?? null }),
  addNote: (key: string, noteType: NoteType, content: string) =>
    invoke<Note>("add_note", { key, noteType, content }),
  restore: (key: string, historyId: string) =>
    invoke<Task>("restore_value", { key, historyId }),
  syncNow: () => invoke<SyncOutcome>("sync_now"),
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
