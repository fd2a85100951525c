// A stand-in for the Rust side in browser tests: the Tauri IPC internals
// (as @tauri-apps/api/mocks sets them up) over an in-memory task store with
// the same workflow and history rules, so the built UI runs in Chromium.
(() => {
  const now = () => new Date().toISOString();
  const db = { epics: [], features: [], tasks: [], notes: [], history: [], damaged: [], device: "dev-this" };
  const callbacks = new Map();
  const listeners = new Map();
  let nextId = 1;
  const id = () => `id-${nextId++}`;
  const emit = (event, payload) => {
    for (const h of listeners.get(event) ?? []) callbacks.get(h)?.({ event, id: h, payload });
  };
  const err = (code, message) => Promise.reject({ code, message });
  const ALLOWED = {
    todo: ["start", "block", "archive"],
    in_progress: ["complete", "block", "archive"],
    blocked: ["unblock", "archive"],
    ready_for_review: ["approve", "reopen", "archive"],
    completed: ["reopen", "archive"],
    archived: [],
  };
  const TARGET = { start: "in_progress", complete: "ready_for_review", approve: "completed", block: "blocked", reopen: "in_progress", archive: "archived" };
  const record = (task, field, oldValue, newValue, reason = null, device = db.device, deviceName = "this-machine") =>
    db.history.push({ id: id(), task_key: task.key, field, old_value: oldValue, new_value: newValue, reason, forced: false, actor_kind: "user", actor: "tester", device_id: device, device_name: deviceName, created_at: now() });
  const status = { phase: "up_to_date", mode: "replica", pending_changes: 0, last_success: now(), last_error: null, paused: false, url: "libsql://demo-org.turso.io", token_source: "the system keyring", interval_secs: 30, device_name: "this-machine", line: "Synced just now - 0 pending", offline: false, usage: null, damaged_rows: 0, newer_shark: null, now: now() };
  // Like the app: no payload reads everything; a named change, those tasks.
  const changed = (change = null) => setTimeout(() => emit("data-changed", change), 0);
  // Commands the window invoked (the test counts what a change costs).
  const calls = [];
  // Diagnostics: extra checks the test sets (a broken setup).
  const fake = { diagnostics: [], syncFailure: null };
  // Usage: figures the test sets; levels as the core computes them.
  const usage = { rows_written: 1_200_000, settings: { warn_percent: 80 }, token: null };
  const usageReport = () => {
    const warn = usage.settings.warn_percent ?? 80;
    const limits = { rows_read: 500e6, rows_written: usage.settings.rows_written_limit || 10e6, storage: 5e9, bytes_synced: 3e9 };
    const used = { rows_read: null, rows_written: usage.rows_written, storage: 40e6, bytes_synced: 250e6 };
    const labels = { rows_read: "rows read", rows_written: "rows written", storage: "storage", bytes_synced: "bytes synced" };
    const quotas = Object.keys(limits).map((k) => {
      const percent = used[k] === null ? null : (used[k] * 100) / limits[k];
      const level = percent === null ? "ok" : percent >= 100 ? "over" : percent >= warn ? "warning" : "ok";
      return { quota: k, label: labels[k], used: used[k], limit: limits[k], percent, projected: used[k] === null || k === "storage" ? null : used[k] * 1.4, limit_date: level === "ok" ? null : "2026-11-27", level, source: used[k] === null ? "unknown" : k === "storage" ? "local_estimate" : "local", age_secs: 60 };
    });
    const warnings = quotas.filter((q) => q.level !== "ok").map((q) => ({ quota: q.quota, level: q.level, percent: q.percent, threshold: q.level === "over" ? 100 : warn, limit_date: q.limit_date, message: `${q.label}: ${Math.floor(q.percent)}% of the Free plan's 10.0M rows` }));
    const days = Array.from({ length: 30 }, (_, i) => ({ day: `2026-11-${String(i + 1).padStart(2, "0")}`, rows_written: i * 1000, bytes_synced: i * 5000 }));
    return {
      month: "2026-11", period_start: "2026-11-01T00:00:00Z", period_end: "2026-12-01T00:00:00Z", generated_at: now(),
      plan: { id: "free", name: "Free", source: "default", note: null, limits }, warn_percent: warn, quotas, warnings,
      machines: [
        { device_id: "dev-this", name: "this-machine", this_machine: true, counters: { rows_written: usage.rows_written * 0.75, bytes_sent: 1, bytes_received: 1, pushes: 40, pulls: 90 }, bytes_synced: 200e6 },
        { device_id: "dev-other", name: "laptop-2", this_machine: false, counters: { rows_written: usage.rows_written * 0.25, bytes_sent: 1, bytes_received: 1, pushes: 10, pulls: 30 }, bytes_synced: 50e6 },
      ],
      days, api: { configured: !!usage.settings.organization, organization: usage.settings.organization ?? null, database: null, fetched_at: null, error: null, error_kind: null },
      dashboard_url: "https://app.turso.tech/", this_machine_syncs: true,
    };
  };
  const usageView = () => ({ report: usageReport(), settings: usage.settings, api_token_stored_in: usage.token });
  const find = (key) => db.tasks.find((t) => t.key === key);
  const handlers = {
    get_status: () => status,
    list_epics: () => ({ items: db.epics, damaged: db.damaged.filter((d) => d.table === "epics") }),
    list_features: () => ({ items: db.features.map((f) => ({ ...f, task_count: db.tasks.filter((t) => t.feature_key === f.key).length })), damaged: db.damaged.filter((d) => d.table === "features") }),
    list_tasks: () => ({ items: db.tasks, damaged: db.damaged.filter((d) => d.table === "tasks") }),
    tasks_by_ids: ({ ids }) => ({ items: db.tasks.filter((t) => ids.includes(t.id)), damaged: db.damaged.filter((d) => d.table === "tasks" && ids.includes(d.id)) }),
    get_task: ({ key }) => {
      const task = find(key);
      if (!task) return err("not_found", `task ${key} not found`);
      return { task, notes: db.notes.filter((n) => n.task_key === key), history: db.history.filter((h) => h.task_key === key), damaged: [], actions: ALLOWED[task.status] ?? [], device_id: db.device };
    },
    create_epic: ({ input }) => {
      if (!input.title.trim()) return err("invalid", "the title is empty");
      const e = { id: id(), key: `E${String(db.epics.length + 1).padStart(2, "0")}`, title: input.title, description: input.description || null, status: "draft", status_source: "calculated", priority: input.priority || "medium", progress_pct: 0, feature_count: 0, task_count: 0, created_at: now(), updated_at: now() };
      db.epics.push(e);
      changed();
      return e;
    },
    create_feature: ({ input }) => {
      const n = db.features.filter((f) => f.epic_key === input.epic).length + 1;
      const f = { id: id(), epic_id: "", epic_key: input.epic, key: `${input.epic}-F${String(n).padStart(2, "0")}`, title: input.title, description: input.description || null, status: "draft", status_source: "calculated", progress_pct: 0, task_count: 0 };
      db.features.push(f);
      changed();
      return f;
    },
    set_plan_status: ({ key, status }) => {
      const p = db.features.find((f) => f.key === key) ?? db.epics.find((e) => e.key === key);
      if (!p) return err("not_found", `${key} not found`);
      if (!["auto", "draft", "active", "completed", "archived"].includes(status)) return err("invalid", `unknown status '${status}'`);
      p.status = status === "auto" ? "draft" : status;
      p.status_source = status === "auto" || status === "draft" ? "calculated" : "manual";
      changed();
      return null;
    },
    create_task: ({ input }) => {
      if (!input.title.trim()) return err("invalid", "the title is empty");
      const f = db.features.find((x) => x.key === input.feature);
      const n = db.tasks.filter((t) => t.feature_key === f.key).length + 1;
      const t = { id: id(), feature_id: f.id, epic_key: f.epic_key, feature_key: f.key, key: `T-${f.key}-${String(n).padStart(3, "0")}`, title: input.title, description: input.description || null, status: "todo", priority: input.priority ?? 5, agent_type: input.agent_type || null, assigned_agent: null, depends_on: [], blocked_reason: null, created_at: now(), started_at: null, completed_at: null, updated_at: now() };
      db.tasks.push(t);
      changed();
      return t;
    },
    update_task: ({ key, patch }) => {
      const t = find(key);
      for (const [k, v] of Object.entries(patch)) {
        const old = t[k] === null ? null : String(t[k]);
        t[k] = k === "priority" ? Number(v) : v;
        record(t, k, old, String(v));
      }
      t.updated_at = now();
      changed();
      return t;
    },
    transition_task: ({ key, action, reason }) => {
      const t = find(key);
      if (!ALLOWED[t.status].includes(action)) return err("illegal_transition", `cannot ${action} a ${t.status} task`);
      const to = action === "unblock" ? (t.started_at ? "in_progress" : "todo") : TARGET[action];
      record(t, "status", t.status, to, reason);
      t.status = to;
      if (to === "in_progress" && !t.started_at) t.started_at = now();
      t.updated_at = now();
      changed();
      return t;
    },
    add_note: ({ key, noteType, content }) => {
      const n = { id: id(), task_key: key, note_type: noteType, content, actor_kind: "user", created_by: "tester", device_id: db.device, device_name: "this-machine", created_at: now() };
      db.notes.push(n);
      changed();
      return n;
    },
    restore_value: ({ key, historyId }) => {
      const h = db.history.find((x) => x.id === historyId);
      return handlers.update_task({ key, patch: { [h.field]: h.old_value } });
    },
    sync_now: () => (fake.syncFailure ? err(fake.syncFailure.code, fake.syncFailure.message) : { pulled: false, sent: 0, renumbered: [] }),
    get_usage: () => usageView(),
    save_usage_settings: ({ form }) => {
      const c = form.change;
      if (c.warn_percent !== undefined && (c.warn_percent < 1 || c.warn_percent > 100)) return err("invalid", `the warning threshold must be a percentage from 1 to 100, not ${c.warn_percent}`);
      for (const [k, v] of Object.entries(c)) {
        if (v === "" || v === 0 || v === "auto") delete usage.settings[k];
        else usage.settings[k] = v;
      }
      if (form.api_token) usage.token = "the system keyring";
      return usageView();
    },
    open_dashboard: () => null,
    import_database: ({ path }) => {
      if (!path.startsWith("/")) return err("invalid", "give the file's full path (for example /home/you/shark-tasks.db)");
      if (!path.endsWith(".db")) return err("invalid", `${path} is not an SQLite database; give a Shark database file (shark-tasks.db)`);
      const c = (imported) => ({ imported, updated: 0, unchanged: 0, skipped: 0 });
      return { file: path, epics: c(1), features: c(1), tasks: c(3), notes: c(0), history: c(0), completions: c(0), remarks: ["task status 'in_development' imported as in_progress"] };
    },
    export_data: ({ format, path }) => ({ path, format, epics: db.epics.length, features: db.features.length, tasks: db.tasks.length, notes: db.notes.length, history: db.history.length, completions: 0, bytes: 4096 }),
    get_diagnostics: () => {
      const checks = [
        { id: "config", title: "Settings", status: "pass", detail: "/tmp/shark/config.toml" },
        { id: "url", title: "Database URL", status: "pass", detail: "local only (default (local only))" },
        { id: "files", title: "File permissions", status: "pass", detail: "9 files and folders, all readable only by you" },
        ...fake.diagnostics,
        { id: "pool", title: "Read pool", status: "info", detail: "1 open of 10 (1 idle, 0 in use, 0 waiting); 12 reads, 0 waited (longest 0.0 ms); idle ones close after 300 s" },
      ];
      const count = (s) => checks.filter((c) => c.status === s).length;
      return { checks, failed: count("fail"), warnings: count("warn"), damaged_rows: db.damaged, pool: { size: 10, open: 1, idle: 1, in_use: 0, waiting: 0, checkouts: 12, waited: 0, wait_total_ms: 0, wait_max_ms: 0, idle_timeout_secs: 300, opened: 1, closed_idle: 0 } };
    },
    app_info: () => ({ version: "0.1.0", data_dir: "/tmp/shark", log_dir: "/tmp/shark/logs", token_stored_in: null, start_at_login: false }),
    check_update: () => ({ available: false, version: null, current: "0.1.0", problem: "Could not check for updates (offline, or the release server did not answer)." }),
  };
  // Test hooks: a change "from another machine", and status changes.
  window.__fake = {
    db,
    emit,
    calls,
    remoteEdit(key, field, value) {
      const t = find(key);
      const old = t[field] === null ? null : String(t[field]);
      t[field] = value;
      record(t, field, old, String(value), null, "dev-other", "laptop-2");
      t.updated_at = now();
      changed({ everything: false, tasks: [t.id], removed: [], notes: [], plans: true });
    },
    setUsage(rowsWritten) {
      usage.rows_written = rowsWritten;
      const r = usageReport();
      const w = r.warnings[0];
      Object.assign(status, { usage: w ? { level: w.level, text: `Rows written at ${Math.floor(w.percent)}% of the Free plan` } : null });
      emit("usage", r);
      emit("sync-status", status);
    },
    /** Rows "another machine" wrote that cannot be read, and a newer Shark's status on a task. */
    foreignData(damaged, key, status) {
      db.damaged = damaged;
      const t = find(key);
      const old = t?.status;
      if (t) t.status = status;
      changed();
      return old;
    },
    setDiagnostics(checks) {
      fake.diagnostics = checks;
    },
    /** The next syncs fail with this IPC error (null: they succeed). */
    setSyncFailure(failure) {
      fake.syncFailure = failure;
    },
    /** What the tray's Sync now reports when it fails. */
    trayFailure(failure) {
      emit("sync-error", failure);
    },
    setStatus(patch) {
      Object.assign(status, patch);
      emit("sync-status", status);
    },
  };
  window.__TAURI_INTERNALS__ = {
    invoke: async (cmd, args) => {
      if (cmd === "plugin:event|listen") {
        if (!listeners.has(args.event)) listeners.set(args.event, []);
        listeners.get(args.event).push(args.handler);
        return args.handler;
      }
      if (cmd === "plugin:event|unlisten") return null;
      const f = handlers[cmd];
      calls.push(cmd);
      if (!f) return err("unknown", `no fake for ${cmd}`);
      return f(args ?? {});
    },
    transformCallback: (cb, once = false) => {
      const n = window.crypto.getRandomValues(new Uint32Array(1))[0];
      callbacks.set(n, (data) => {
        if (once) callbacks.delete(n);
        return cb && cb(data);
      });
      return n;
    },
    unregisterCallback: (n) => callbacks.delete(n),
    runCallback: (n, data) => callbacks.get(n)?.(data),
    callbacks,
  };
  window.__TAURI_EVENT_PLUGIN_INTERNALS__ = { unregisterListener: () => {} };
})();
