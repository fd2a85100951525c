// Generated from the Rust types by `npm run bindings` (src-tauri/src/bindings.rs).
// Do not edit: change the Rust type and run it again.

/**
 * A status change a user or agent asks for.
 */
export type Action = "start" | "complete" | "approve" | "block" | "unblock" | "reopen" | "archive";

/**
 * Whether a change was made by a person or by an AI agent.
 */
export type ActorKind = "user" | "agent" | string;

/**
 * Usage figures as Turso reports them.
 */
export type ApiFigures = { rows_read: number, rows_written: number, storage_bytes: number, bytes_synced: number, };

/**
 * What the Platform API part of the report says.
 */
export type ApiState = { 
/**
 * Organization set (the database name is optional).
 */
configured: boolean, organization: string | null, database: string | null, 
/**
 * When the figures shown were fetched.
 */
fetched_at: string | null, 
/**
 * The last attempt's failure, for people.
 */
error: string | null, error_kind: string | null, 
/**
 * The database's own figures (the quotas show the organization's).
 */
database_usage: ApiFigures | null, };

/**
 * The About / Diagnostics facts.
 */
export type AppInfo = { version: string, data_dir: string, log_dir: string, 
/**
 * Where the database token is kept, if there is one.
 */
token_stored_in: string | null, start_at_login: boolean, };

/**
 * Everything the UI shows about the connection.
 */
export type AppStatus = { 
/**
 * What the user is told about this machine's database and sync.
 */
phase: MachineState, mode: Mode | null, pending_changes: number, last_success: string | null, last_error: Failure | null, paused: boolean, url: string | null, token_source: string | null, 
/**
 * Seconds between pulls set in Settings; 0: live pulls (the default).
 */
interval_secs: number, device_name: string, 
/**
 * The status line, also the tray menu's first item.
 */
line: string, 
/**
 * Whether the work is safe locally but cannot reach the cloud now.
 */
offline: boolean, 
/**
 * The worst usage warning, when a quota is past the threshold.
 */
usage: UsageSummary | null, 
/**
 * Stored rows the window's lists could not read (shown as a banner).
 */
damaged_rows: number, 
/**
 * "This database is used by Shark X on <machine>; update this machine".
 */
newer_shark: string | null, 
/**
 * The core's clock when this status was made: the window words "synced
 * 2 min ago" against it, so the app and its tests see one clock.
 */
now: string, };

/**
 * How one check came out.
 */
export type CheckStatus = "pass" | "warn" | "fail" | "info";

/**
 * The limits in force and why.
 */
export type ChosenPlan = { id: string, name: string, limits: Limits, source: PlanSource, 
/**
 * Set when a plan name could not be used.
 */
note: string | null, };

/**
 * Where the token went, for the settings page.
 */
export type Connected = { status: AppStatus, token_stored_in: string | null, keyring_unavailable: string | null, notices: Array<string>, };

/**
 * One machine's sync figures for one period.
 */
export type Counters = { 
/**
 * Change records pushed to the cloud (each is a row written there).
 */
rows_written: number, bytes_sent: number, bytes_received: number, pushes: number, pulls: number, };

/**
 * One column of a row that this build cannot read.
 */
export type Damage = { column: string, 
/**
 * The stored value, shortened and with control characters escaped.
 */
value: string, 
/**
 * Why it cannot be read.
 */
problem: string, };

/**
 * A stored row that cannot be read whole: what could be read of it, and
 * what could not. Shown by lists and doctor, kept as stored by exports.
 */
export type DamagedRow = { table: string, 
/**
 * The row's id, when it can be read.
 */
id: string | null, 
/**
 * Its key (`T-E01-F01-003`), when its numbers can be read.
 */
key: string | null, title: string | null, problems: Array<Damage>, };

/**
 * What a data-changed event tells the window.
 */
export type DataChange = { 
/**
 * Read everything again: after a reopen, more than [`MAX_NAMED`]
 * tasks, a renumbered task (its key shows in other tasks' dependencies)
 * or a row that has no id to name it by.
 */
everything: boolean, 
/**
 * Tasks added or changed (ids).
 */
tasks: Array<string>, 
/**
 * Tasks gone (ids).
 */
removed: Array<string>, 
/**
 * Tasks whose notes changed while their rows did not (ids): an open
 * detail shows them; lists do not.
 */
notes: Array<string>, 
/**
 * Epics or features changed, or tasks did (their progress is derived).
 */
plans: boolean, };

/**
 * One day of the chart (all machines).
 */
export type DayFigure = { day: string, rows_written: number, bytes_synced: number, };

/**
 * One line of the report.
 */
export type DiagnosticCheck = { 
/**
 * Stable name for scripts (`token`, `files`, `server`, ...).
 */
id: string, title: string, status: CheckStatus, 
/**
 * What was found.
 */
detail: string, 
/**
 * The exact fix, for a warning or a failure.
 */
fix?: string, };

/**
 * The whole report.
 */
export type DiagnosticsReport = { checks: Array<DiagnosticCheck>, 
/**
 * Checks that failed.
 */
failed: number, warnings: number, 
/**
 * The read pool's figures, when the database is open.
 */
pool?: PoolStats, 
/**
 * Stored rows this build cannot read (table, key or id, column, value).
 */
damaged_rows: Array<DamagedRow>, };

/**
 * An epic: the top of the plan (`E01`).
 */
export type Epic = { id: string, key: string, title: string, description: string | null, 
/**
 * As shown: derived from the features unless set by hand (`status_source`).
 */
status: PlanStatus, status_source: StatusSource, priority: PriorityLevel, business_value: PriorityLevel | null, 
/**
 * Completed tasks as a share of the epic's non-archived tasks, 0-100.
 */
progress_pct: number, feature_count: number, task_count: number, created_at: string, updated_at: string, };

export type EpicInput = { title: string, description?: string | null, priority?: string | null, };

/**
 * What an export wrote.
 */
export type ExportSummary = { path: string, format: string, epics: number, features: number, tasks: number, notes: number, history: number, completions: number, bytes: number, };

/**
 * The last failure, as shown in status.
 */
export type Failure = { at: string, problem: Problem, message: string, };

/**
 * A feature inside an epic (`E01-F01`).
 */
export type Feature = { id: string, epic_id: string, epic_key: string, key: string, title: string, description: string | null, 
/**
 * As shown: derived from the tasks unless set by hand (`status_source`).
 */
status: PlanStatus, status_source: StatusSource, execution_order: number | null, 
/**
 * Completed tasks as a share of the feature's non-archived tasks, 0-100.
 */
progress_pct: number, task_count: number, created_at: string, updated_at: string, };

export type FeatureInput = { epic: string, title: string, description?: string | null, };

/**
 * One insert-only history row: a status change or a field edit.
 */
export type HistoryEntry = { id: string, task_key: string, 
/**
 * `status` for status changes, otherwise the edited field's name.
 */
field: string, old_value: string | null, new_value: string | null, reason: string | null, forced: boolean, actor_kind: ActorKind, actor: string, device_id: string, device_name: string, created_at: string, };

/**
 * What happened to one kind of row.
 */
export type ImportCounts = { 
/**
 * New here.
 */
imported: number, 
/**
 * Here already; some fields changed in the file.
 */
updated: number, 
/**
 * Here already, the same.
 */
unchanged: number, 
/**
 * Not imported (see the remarks).
 */
skipped: number, };

/**
 * The import's summary.
 */
export type ImportSummary = { file: string, epics: ImportCounts, features: ImportCounts, tasks: ImportCounts, notes: ImportCounts, history: ImportCounts, 
/**
 * Completion reports (Shark's own exports carry them).
 */
completions: ImportCounts, 
/**
 * Mapped values, renumbered keys, skipped rows and why, ignored tables.
 */
remarks: Array<string>, };

/**
 * An error the UI shows.
 */
export type IpcError = { code: string, message: string, };

/**
 * A plan's limits.
 */
export type Limits = { rows_read: number, rows_written: number, storage_bytes: number, bytes_synced: number, };

/**
 * Rows as read: those that parse, and those that do not.
 */
export type Listing<T> = { items: Array<T>, damaged: Array<DamagedRow>, };

/**
 * One machine's share this month.
 */
export type MachineShare = { device_id: string, name: string, this_machine: boolean, counters: Counters, bytes_synced: number, };

/**
 * A machine's state as people see it.
 */
export type MachineState = "opening" | "failed" | "local" | "not_connected" | "up_to_date" | "syncing" | "pending" | "offline" | "auth_error" | "quota_blocked" | "error" | "paused";

/**
 * How this machine is connected.
 */
export type Mode = "local" | "replica" | "local_fallback";

/**
 * A typed note on a task.
 */
export type Note = { id: string, task_key: string, note_type: NoteType, content: string, actor_kind: ActorKind, created_by: string, device_id: string, device_name: string, created_at: string, };

/**
 * What a task note records.
 */
export type NoteType = "comment" | "decision" | "blocker" | "solution" | "reference" | "implementation" | "testing" | "future" | "question" | "rejection" | string;

/**
 * Field edits; absent fields stay as they are, an empty text clears one.
 */
export type PatchInput = { title?: string | null, description?: string | null, priority?: number | null, agent_type?: string | null, assigned_agent?: string | null, depends_on?: Array<string> | null, };

/**
 * Where the limits came from.
 */
export type PlanSource = "default" | "settings" | "turso";

/**
 * Lifecycle of an epic or a feature.
 */
export type PlanStatus = "draft" | "active" | "completed" | "archived" | string;

/**
 * The pool's figures, as `shark doctor` and the Diagnostics panel show them.
 */
export type PoolStats = { 
/**
 * Configured maximum of open read connections.
 */
size: number, idle_timeout_secs: number, 
/**
 * Read connections open now (idle plus in use).
 */
open: number, idle: number, in_use: number, 
/**
 * Readers waiting for a connection right now.
 */
waiting: number, 
/**
 * Reads served since the store opened.
 */
checkouts: number, 
/**
 * Reads that had to wait because every connection was in use.
 */
waited: number, 
/**
 * Total and longest time reads spent waiting for a connection.
 */
wait_total_ms: number, wait_max_ms: number, 
/**
 * Connections opened, and closed for being idle, since the store opened.
 */
opened: number, closed_idle: number, };

/**
 * An epic's priority and business value.
 */
export type PriorityLevel = "high" | "medium" | "low" | string;

/**
 * What a connection test found, classified for people.
 */
export type ProbeOutcome = { ok: boolean, 
/**
 * The classified problem when it failed.
 */
problem: Problem | null, 
/**
 * One sentence for the user (never contains the token).
 */
message: string, elapsed_ms: number, };

/**
 * The kind of a sync failure.
 */
export type Problem = "offline" | "auth" | "quota" | "server" | "rejected" | "redirect" | "busy" | "local" | "other";

/**
 * One quota's bar.
 */
export type QuotaFigure = { quota: QuotaKey, label: string, used: number | null, limit: number, percent: number | null, 
/**
 * At the current pace, the figure at the end of the period.
 */
projected: number | null, 
/**
 * At the current pace, the day the limit is reached (within the period).
 */
limit_date: string | null, level: UsageLevel, source: QuotaSource, 
/**
 * Seconds since the figure was measured or fetched.
 */
age_secs: number | null, };

/**
 * One monthly quota of a Turso plan.
 */
export type QuotaKey = "rows_read" | "rows_written" | "storage" | "bytes_synced";

/**
 * Where a figure comes from.
 */
export type QuotaSource = "local" | "local_estimate" | "turso" | "unknown";

/**
 * Where an epic's or feature's status as shown comes from (see
 * [`crate::plan_status`]).
 */
export type StatusSource = "calculated" | "manual";

/**
 * What a sync run did, for the UI.
 */
export type SyncOutcome = { 
/**
 * Whether the server had changes for this machine.
 */
pulled: boolean, 
/**
 * Change records sent to the server.
 */
sent: number, renumbered: Array<string>, };

/**
 * A task inside a feature (`T-E01-F01-001`).
 */
export type Task = { id: string, feature_id: string, epic_key: string, feature_key: string, key: string, title: string, description: string | null, status: TaskStatus, priority: TaskPriority, agent_type: string | null, assigned_agent: string | null, 
/**
 * Keys of the tasks this one waits for.
 */
depends_on: Array<string>, blocked_reason: string | null, created_at: string, started_at: string | null, completed_at: string | null, blocked_at: string | null, updated_at: string, };

/**
 * A task with what its detail view shows.
 */
export type TaskDetail = { task: Task, notes: Array<Note>, history: Array<HistoryEntry>, 
/**
 * Notes and history rows of this task that cannot be read.
 */
damaged: Array<DamagedRow>, 
/**
 * Workflow actions allowed from the current status (none from a newer
 * Shark's status).
 */
actions: Array<Action>, 
/**
 * This machine's device id (history rows from others are marked).
 */
device_id: string, };

export type TaskInput = { feature: string, title: string, description?: string | null, priority?: number | null, agent_type?: string | null, depends_on: Array<string>, };

/**
 * A task priority: 1 (highest) to 10 (lowest).
 */
export type TaskPriority = number;

/**
 * Lifecycle of a task (transitions are in `workflow`).
 */
export type TaskStatus = "todo" | "in_progress" | "blocked" | "ready_for_review" | "completed" | "archived" | string;

/**
 * The result of "Check for updates"; a failure is reported quietly.
 */
export type UpdateCheck = { available: boolean, version: string | null, current: string, 
/**
 * Set when the check could not be made (offline, no release server).
 */
problem: string | null, };

/**
 * A change to the usage settings: `None` keeps a value; an empty name,
 * plan `auto` and a limit of 0 remove it.
 */
export type UsageChange = { organization?: string | null, database?: string | null, plan?: string | null, rows_read_limit?: number | null, rows_written_limit?: number | null, storage_bytes_limit?: number | null, bytes_synced_limit?: number | null, warn_percent?: number | null, api_url?: string | null, };

/**
 * A change from the usage settings form (no `Debug`: it may hold a token).
 */
export type UsageForm = { change: UsageChange, 
/**
 * A new Platform API token (not the database token).
 */
api_token: string | null, forget_api_token: boolean, };

/**
 * How close a quota is to its limit.
 */
export type UsageLevel = "ok" | "warning" | "over";

/**
 * Everything the usage page shows.
 */
export type UsageReport = { 
/**
 * `YYYY-MM`: the calendar month (UTC) the figures are for.
 */
month: string, period_start: string, period_end: string, generated_at: string, plan: ChosenPlan, warn_percent: number, quotas: Array<QuotaFigure>, warnings: Array<UsageWarning>, machines: Array<MachineShare>, days: Array<DayFigure>, api: ApiState, dashboard_url: string, 
/**
 * Whether this machine syncs with Turso (a local-only one uses no quota).
 */
this_machine_syncs: boolean, };

/**
 * The `[usage]` table of `config.toml`: where Turso's own figures come from
 * and which limits to warn about.
 */
export type UsageSettings = { 
/**
 * Turso organization name (for the Platform API).
 */
organization?: string | null, 
/**
 * Turso database name (for the Platform API).
 */
database?: string | null, 
/**
 * `free`, `developer` or `custom`; unset: the plan Turso reports, else free.
 */
plan?: string | null, 
/**
 * Limits for the `custom` plan (any left out come from the free plan).
 */
rows_read_limit?: number | null, rows_written_limit?: number | null, storage_bytes_limit?: number | null, bytes_synced_limit?: number | null, 
/**
 * Warn at this percentage of a quota (default 80).
 */
warn_percent?: number | null, 
/**
 * The Platform API's base URL (default `https://api.turso.tech`).
 */
api_url?: string | null, };

/**
 * The worst usage warning in one line, for the status and the tray.
 */
export type UsageSummary = { 
/**
 * `warning` or `over`.
 */
level: UsageLevel, text: string, };

/**
 * The usage page: the report, the settings behind it, and where the
 * Platform API token is kept (never the token).
 */
export type UsageView = { report: UsageReport, settings: UsageSettings, api_token_stored_in: string | null, };

/**
 * A quota at or past the warning threshold.
 */
export type UsageWarning = { quota: QuotaKey, level: UsageLevel, percent: number, 
/**
 * The threshold crossed: the warning percentage, or 100.
 */
threshold: number, limit_date: string | null, message: string, };

export const NOTE_TYPES: NoteType[] = ["comment", "decision", "blocker", "solution", "reference", "implementation", "testing", "future", "question", "rejection"];
export const TASK_STATUSES: TaskStatus[] = ["todo", "in_progress", "blocked", "ready_for_review", "completed", "archived"];
export const PLAN_STATUSES: PlanStatus[] = ["draft", "active", "completed", "archived"];
