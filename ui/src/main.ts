// The window: the epic/feature tree, the task list (virtualized) or board,
// the detail pane, the sync indicator and offline banner, and the keyboard.
import "./style.css";
import { api, errorMessage, events, type Task } from "./api";
import { showDetail, refreshDetail, focusStatus, shownKey } from "./detail";
import { $, clear, h } from "./dom";
import { formDialog } from "./forms";
import { EMPTY_LABELS, emptyState, type EmptyAction } from "./empty";
import { NO_FILTERS, STATUSES, STATUS_LABEL, agentsOf, damagedLine, statusLabel, buildTree, byStatus, filterTasks, followCoreClock, shortcutFor, syncFailure } from "./model";
import { openSettings } from "./settings";
import { openUsage } from "./usage";
import { apply, changed, onChange, reload, state } from "./state";
import { toast } from "./toast";
import { VList } from "./vlist";

const ROW = 40;
let visible: Task[] = [];

function taskRow(t: Task): HTMLElement {
  return h(
    "div",
    {
      class: `row${t.key === state.selected ? " selected" : ""}`,
      role: "option",
      "aria-selected": t.key === state.selected ? "true" : "false",
      "data-key": t.key,
      onclick: () => select(t.key),
    },
    h("span", { class: "key" }, t.key),
    h("span", { class: "title", title: t.title }, t.title),
    h("span", { class: `pill s-${t.status}` }, statusLabel(t.status)),
    h("span", { class: `prio p${t.priority <= 3 ? "h" : t.priority <= 6 ? "m" : "l"}`, title: "Priority" }, `P${t.priority}`),
    h("span", { class: "agent", title: t.assigned_agent ?? t.agent_type ?? "" }, t.assigned_agent ?? t.agent_type ?? ""),
  );
}

let list: VList<Task>;

function select(key: string | null): void {
  state.selected = key;
  const i = visible.findIndex((t) => t.key === key);
  if (i >= 0 && state.view === "list") list.reveal(i);
  for (const el of document.querySelectorAll(".row.selected, .card.selected")) {
    el.classList.remove("selected");
    el.setAttribute("aria-selected", "false");
  }
  for (const el of document.querySelectorAll(`[data-key="${CSS.escape(key ?? "")}"]`)) {
    if (el.classList.contains("row") || el.classList.contains("card")) {
      el.classList.add("selected");
      el.setAttribute("aria-selected", "true");
    }
  }
  void showDetail($("#detail"), key);
}

function move(step: number): void {
  if (!visible.length) return;
  const i = visible.findIndex((t) => t.key === state.selected);
  const next = i < 0 ? 0 : Math.min(visible.length - 1, Math.max(0, i + step));
  select(visible[next].key);
}

function renderTree(): void {
  const root = $("#tree");
  clear(root);
  const item = (label: string, scope: string, count: number, cls: string, extra?: HTMLElement) =>
    h(
      "li",
      { class: cls },
      h(
        "button",
        {
          class: `tree-item${state.filters.scope === scope ? " active" : ""}`,
          "data-scope": scope,
          onclick: () => {
            state.filters.scope = scope;
            changed();
          },
        },
        h("span", { class: "label", title: label }, label),
        h("span", { class: "count" }, String(count)),
      ),
      extra,
    );
  const tree = buildTree(state.epics, state.features, state.tasks);
  const openTotal = state.tasks.filter((t) => t.status !== "completed" && t.status !== "archived").length;
  root.append(
    h("div", { class: "tree-head" }, h("span", {}, "Plan"), h("button", { class: "link", id: "new-epic", onclick: newEpic }, "+ Epic")),
    h(
      "ul",
      {},
      item("All tasks", "", openTotal, "all"),
      ...tree.map((e) =>
        item(
          `${e.epic.key} ${e.epic.title}`,
          e.epic.key,
          e.open,
          "epic",
          h(
            "ul",
            {},
            ...e.features.map((f) => item(`${f.feature.key.split("-").pop()} ${f.feature.title}`, f.feature.key, f.open, "feature")),
            h("li", {}, h("button", { class: "link small", onclick: () => newFeature(e.epic.key) }, "+ Feature")),
          ),
        ),
      ),
    ),
  );
}

function renderAgents(): void {
  const sel = $("#f-agent") as HTMLSelectElement;
  const agents = agentsOf(state.tasks);
  const cur = sel.value;
  clear(sel);
  sel.append(h("option", { value: "" }, "Any agent"), ...agents.map((a) => h("option", { value: a }, a)));
  sel.value = agents.includes(cur) ? cur : "";
}

function renderBoard(): void {
  const root = $("#board");
  clear(root);
  const groups = byStatus(visible);
  // A newer Shark's statuses (this build does not know them) get columns after the known ones.
  const newer = [...groups.keys()].filter((s) => !STATUSES.includes(s) && (groups.get(s)?.length ?? 0) > 0);
  const shown = state.filters.status === "" || state.filters.status === "open" ? [...STATUSES.filter((s) => s !== "archived"), ...newer] : [state.filters.status];
  for (const s of shown) {
    const items = groups.get(s) ?? [];
    const cards = items.slice(0, 200).map((t) =>
      h("div", { class: `card${t.key === state.selected ? " selected" : ""}`, "data-key": t.key, tabindex: 0, onclick: () => select(t.key) }, h("div", { class: "key" }, t.key), h("div", { class: "card-title", title: t.title }, t.title)),
    );
    root.append(
      h("section", { class: "column", "aria-label": statusLabel(s) }, h("h3", {}, `${statusLabel(s)} (${items.length})`), ...cards, items.length > 200 ? h("p", { class: "muted" }, `${items.length - 200} more: narrow the filters`) : null),
    );
  }
}

function render(): void {
  visible = filterTasks(state.tasks, state.filters);
  $("#count").textContent = `${visible.length} of ${state.tasks.length} tasks`;
  $("#list").hidden = state.view !== "list";
  $("#board").hidden = state.view !== "board";
  for (const b of document.querySelectorAll<HTMLButtonElement>("[data-view]")) b.setAttribute("aria-pressed", String(b.dataset.view === state.view));
  if (state.view === "list") list.setItems(visible);
  else renderBoard();
  $("#empty").hidden = visible.length > 0;
  renderEmpty();
  renderTree();
  renderAgents();
  renderScope();
  renderDamaged();
}

/** The empty pane: what is missing, and the next steps as buttons. */
function renderEmpty(): void {
  const el = $("#empty");
  if (state.loadError) {
    el.replaceChildren(state.loadError);
    return;
  }
  const connected = state.status?.mode === "replica" || state.status?.mode === "local_fallback";
  const e = emptyState({ epics: state.epics, features: state.features, tasks: state.tasks, filters: state.filters, connected });
  const run: Record<EmptyAction, () => void> = {
    epic: () => void newEpic(),
    feature: () => void newFeature(),
    task: () => void newTask(),
    import: () => void openSettings("data"),
    connect: () => void openSettings("cloud"),
    "clear-filters": () => clearFilters(),
  };
  el.replaceChildren(
    h("p", {}, e.text),
    h("div", { class: "empty-actions" }, ...e.actions.map((a, i) => h("button", { type: "button", class: i === 0 ? "primary" : undefined, "data-empty-action": a, onclick: run[a] }, EMPTY_LABELS[a]))),
  );
}

/** Back to the default filters (open tasks of every epic), in the controls too. */
function clearFilters(): void {
  state.filters = { ...NO_FILTERS };
  ($("#search") as HTMLInputElement).value = "";
  for (const [id, v] of [["#f-status", NO_FILTERS.status], ["#f-agent", ""], ["#f-priority", ""]] as const) ($(id) as HTMLSelectElement).value = v;
  changed();
}

/** Rows the app could not read: counted, each named with what it holds. */
function renderDamaged(): void {
  const n = state.damaged.length;
  const el = $("#damaged");
  el.hidden = n === 0;
  if (n === 0) return;
  $("#damaged-text").textContent = `${n} stored row${n === 1 ? "" : "s"} could not be read and ${n === 1 ? "is" : "are"} left out (written by another machine, a newer Shark or a hand edit). Everything else works; shark doctor --repair fixes what it safely can.`;
  const list = $("#damaged-list");
  list.replaceChildren(...state.damaged.slice(0, 50).map((d) => h("li", {}, damagedLine(d))));
  if (n > 50) list.append(h("li", { class: "muted" }, `… and ${n - 50} more (shark doctor --json lists every one)`));
}

/** The epic or feature chosen in the tree: its progress and status (editable). */
function renderScope(): void {
  const root = $("#scope");
  clear(root);
  const scope = state.filters.scope;
  const plan = state.features.find((f) => f.key === scope) ?? state.epics.find((e) => e.key === scope);
  if (!plan) return;
  const sel = h(
    "select",
    { id: "scope-status", "aria-label": `Status of ${plan.key}` },
    ...(["auto", "active", "completed", "archived"] as const).map((v) =>
      h("option", { value: v }, v === "auto" ? `Follows its tasks${plan.status_source === "calculated" ? ` (${plan.status})` : ""}` : v[0].toUpperCase() + v.slice(1).replace("_", " ")),
    ),
  ) as HTMLSelectElement;
  sel.value = plan.status_source === "calculated" ? "auto" : plan.status === "draft" ? "auto" : plan.status;
  sel.addEventListener("change", async () => {
    try {
      await api.setPlanStatus(plan.key, sel.value as "auto");
      toast(`${plan.key}: ${sel.value === "auto" ? "follows its tasks" : sel.value}`);
      await reload();
    } catch (e) {
      toast(errorMessage(e), "error");
      render();
    }
  });
  root.append(h("span", { class: "scope-key" }, `${plan.key} · ${plan.progress_pct}% of ${plan.task_count} tasks · Status `), sel);
}

function renderStatus(): void {
  const s = state.status;
  if (!s) return;
  const el = $("#sync");
  el.dataset.phase = s.phase;
  // The core's words for the state (the tray shows the same line).
  $("#sync-text").textContent = s.line;
  // The full text when it is cut short; the technical chain is in Diagnostics.
  $("#sync-text").title = s.line;
  if (s.phase === "up_to_date") announced = null;
  $("#banner").hidden = !s.offline;
  $("#newer").hidden = !s.newer_shark;
  $("#newer").textContent = s.newer_shark ? s.newer_shark.charAt(0).toUpperCase() + s.newer_shark.slice(1) + "." : "";
  $("#quota").hidden = s.phase !== "quota_blocked";
  const usage = $("#usage-btn");
  usage.className = s.usage ? s.usage.level : "";
  usage.textContent = s.usage ? `⚠ Usage` : "Usage";
  usage.title = s.usage ? `${s.usage.text} (U)` : "Usage against your Turso plan (U)";
  $("#failed").hidden = s.phase !== "failed";
  $("#failed-text").textContent = s.line;
}

async function newEpic(): Promise<void> {
  await formDialog("New epic", [{ name: "title", label: "Title", required: true }, { name: "description", label: "Description", type: "textarea" }, { name: "priority", label: "Priority", type: "select", options: [["medium", "Medium"], ["high", "High"], ["low", "Low"]] }], "Create epic", async (v) => {
    const e = await api.createEpic({ title: v.title, description: v.description, priority: v.priority });
    toast(`Created ${e.key}`);
  });
}

async function newFeature(epic?: string): Promise<void> {
  if (!state.epics.length) {
    toast("Create an epic first.", "error");
    return;
  }
  await formDialog("New feature", [{ name: "epic", label: "Epic", type: "select", options: state.epics.map((e) => [e.key, `${e.key} ${e.title}`]), value: epic ?? state.epics[0].key }, { name: "title", label: "Title", required: true }, { name: "description", label: "Description", type: "textarea" }], "Create feature", async (v) => {
    const f = await api.createFeature({ epic: v.epic, title: v.title, description: v.description });
    toast(`Created ${f.key}`);
  });
}

async function newTask(): Promise<void> {
  if (!state.features.length) {
    toast("Create an epic and a feature first (+ Epic, + Feature on the left).", "error");
    return;
  }
  const scope = state.filters.scope;
  const preferred = state.features.find((f) => f.key === scope) ?? state.features.find((f) => f.epic_key === scope) ?? state.features[0];
  let created = "";
  const ok = await formDialog(
    "New task",
    [
      { name: "feature", label: "Feature", type: "select", options: state.features.map((f) => [f.key, `${f.key} ${f.title}`]), value: preferred.key },
      { name: "title", label: "Title", required: true },
      { name: "description", label: "Description", type: "textarea" },
      { name: "priority", label: "Priority (1 high – 10 low)", type: "number", value: "5" },
      { name: "agent_type", label: "Agent type", placeholder: "backend, frontend, claude…" },
    ],
    "Create task",
    async (v) => {
      const t = await api.createTask({ feature: v.feature, title: v.title, description: v.description, priority: v.priority ? Number(v.priority) : undefined, agent_type: v.agent_type, depends_on: [] });
      created = t.key;
    },
  );
  if (ok && created) {
    toast(`Created ${created}`);
    await reload();
    select(created);
  }
}

function showHelp(): void {
  const rows: [string, string][] = [["N", "New task"], ["/", "Search"], ["J / ↓", "Next task"], ["K / ↑", "Previous task"], ["S", "Change status"], ["B", "List / board"], ["R", "Sync now"], ["U", "Usage"], ["Esc", "Close, leave a field"], ["?", "This help"]];
  const d = h("dialog", { class: "modal", "aria-label": "Keyboard shortcuts" }, h("h2", {}, "Keyboard shortcuts"), h("table", {}, ...rows.map(([k, v]) => h("tr", {}, h("td", {}, h("kbd", {}, k)), h("td", {}, v)))), h("div", { class: "actions" }, h("button", { class: "primary", onclick: () => d.close() }, "Close")));
  d.addEventListener("close", () => d.remove());
  document.body.append(d);
  d.showModal();
}

async function syncNow(): Promise<void> {
  try {
    const r = await api.syncNow();
    const sent = r.sent === 0 ? "nothing to send" : r.sent === 1 ? "sent 1 change" : `sent ${r.sent} changes`;
    toast(`Synced: ${sent}; ${r.pulled ? "changes arrived" : "the server had nothing new"}.`);
    for (const m of r.renumbered) toast(m);
  } catch (e) {
    syncFailed(e, true);
  }
}

/** The problem announced since the last successful sync (once per cause). */
let announced: string | null = null;

/** Shows a failed sync by kind (see syncFailure). `asked`: the user asked for
 *  this sync, so a state gets a short note and a problem is said again. */
function syncFailed(e: unknown, asked: boolean): void {
  const code = e && typeof e === "object" && "code" in e ? String((e as { code: unknown }).code) : "";
  const f = syncFailure(code, errorMessage(e));
  if (f.kind === "state") {
    if (asked) toast(f.message);
    return;
  }
  if (!asked && announced === code) return;
  announced = code;
  toast(f.message, "error");
}

function onKey(e: KeyboardEvent): void {
  const target = e.target as HTMLElement;
  const inField = ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName) || target.isContentEditable;
  if (document.querySelector("dialog[open]") && e.key !== "Escape") return;
  if ((e.ctrlKey || e.metaKey) && e.key === ",") {
    e.preventDefault();
    void openSettings();
    return;
  }
  const cmd = shortcutFor(e.key, inField, e.ctrlKey || e.metaKey || e.altKey);
  if (!cmd) return;
  switch (cmd) {
    case "new-task":
      e.preventDefault();
      void newTask();
      break;
    case "search":
      e.preventDefault();
      ($("#search") as HTMLInputElement).focus();
      break;
    case "next":
      e.preventDefault();
      move(1);
      break;
    case "previous":
      e.preventDefault();
      move(-1);
      break;
    case "status":
      focusStatus($("#detail"));
      break;
    case "toggle-board":
      state.view = state.view === "list" ? "board" : "list";
      changed();
      break;
    case "sync":
      void syncNow();
      break;
    case "usage":
      void openUsage();
      break;
    case "help":
      showHelp();
      break;
    case "escape":
      if (inField) target.blur();
      break;
  }
}

function layout(): void {
  const statusOptions: [string, string][] = [["open", "Open"], ["", "All but archived"], ...STATUSES.map((s) => [s, STATUS_LABEL[s]] as [string, string])];
  document.body.append(
    h(
      "div",
      { id: "app" },
      h(
        "header",
        { class: "topbar" },
        h("h1", { class: "brand" }, "Shark"),
        h("input", { id: "search", type: "search", placeholder: "Search tasks  ( / )", "aria-label": "Search tasks", autocomplete: "off" }),
        h("select", { id: "f-status", "aria-label": "Status filter" }, ...statusOptions.map(([v, l]) => h("option", { value: v }, l))),
        h("select", { id: "f-agent", "aria-label": "Agent filter" }),
        h("select", { id: "f-priority", "aria-label": "Priority filter" }, h("option", { value: "" }, "Any priority"), h("option", { value: "high" }, "High (1–3)"), h("option", { value: "medium" }, "Medium (4–6)"), h("option", { value: "low" }, "Low (7–10)")),
        h("div", { class: "seg", role: "group", "aria-label": "View" }, h("button", { "data-view": "list" }, "List"), h("button", { "data-view": "board" }, "Board")),
        h("button", { id: "new-task", class: "primary", title: "New task (N)" }, "New task"),
        h("div", { id: "sync", class: "sync", "aria-live": "polite" }, h("span", { class: "dot", "aria-hidden": "true" }), h("span", { id: "sync-text" }, "Opening…"), h("button", { id: "sync-now", title: "Sync now (R)" }, "Sync now"), h("button", { id: "usage-btn", title: "Usage against your Turso plan (U)" }, "Usage"), h("button", { id: "open-settings", title: "Settings (Ctrl+,)", "aria-label": "Settings" }, "⚙")),
      ),
      h("div", { id: "newer", class: "banner", role: "status", hidden: true, "data-testid": "newer" }),
      h("div", { id: "damaged", class: "banner", role: "status", hidden: true, "data-testid": "damaged" }, h("span", { id: "damaged-text" }), h("details", {}, h("summary", {}, "Which rows"), h("ul", { id: "damaged-list" }))),
      h("div", { id: "banner", class: "banner", role: "status", hidden: true }, "You are offline. Your work is saved on this machine and will sync when the connection is back."),
      h("div", { id: "quota", class: "banner bad", role: "alert", hidden: true }, "Turso blocked syncing: your plan's quota is used up. Your work is saved on this machine and syncs once the quota allows (next month, or after an upgrade). ", h("button", { class: "link", onclick: () => void openUsage() }, "See usage"), h("button", { class: "link", onclick: () => api.openDashboard().catch((e) => toast(errorMessage(e), "error")) }, "Open the Turso dashboard ↗")),
      h("div", { id: "failed", class: "banner bad", role: "alert", hidden: true }, h("span", { id: "failed-text" }), h("button", { id: "retry", onclick: async () => { try { state.status = await api.retryOpen(); renderStatus(); await reload(); } catch (e) { toast(errorMessage(e), "error"); } } }, "Retry")),
      h(
        "main",
        {},
        h("nav", { id: "tree", "aria-label": "Epics and features" }),
        h("section", { class: "center" }, h("div", { class: "listhead" }, h("span", { id: "count" }), h("span", { id: "scope", class: "scope" })), h("div", { id: "list", role: "listbox", "aria-label": "Tasks", tabindex: 0 }), h("div", { id: "board", class: "board", hidden: true }), h("div", { id: "empty", class: "empty", hidden: true })),
        h("aside", { id: "detail", "aria-label": "Task detail" }),
      ),
      h("div", { id: "toasts", "aria-live": "polite" }),
    ),
  );
  list = new VList<Task>($("#list"), { rowHeight: ROW, render: taskRow, key: (t) => t.key });
  const search = $("#search") as HTMLInputElement;
  search.addEventListener("input", () => {
    state.filters.text = search.value;
    changed();
  });
  search.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && visible.length) select(visible[0].key);
  });
  const bindSelect = (id: string, f: (v: string) => void) => $(id).addEventListener("change", (e) => {
    f((e.target as HTMLSelectElement).value);
    changed();
  });
  bindSelect("#f-status", (v) => (state.filters.status = v as typeof state.filters.status));
  bindSelect("#f-agent", (v) => (state.filters.agent = v));
  bindSelect("#f-priority", (v) => (state.filters.priority = v as typeof state.filters.priority));
  for (const b of document.querySelectorAll<HTMLButtonElement>("[data-view]")) {
    b.addEventListener("click", () => {
      state.view = b.dataset.view as "list" | "board";
      changed();
    });
  }
  $("#new-task").addEventListener("click", () => void newTask());
  $("#sync-now").addEventListener("click", () => void syncNow());
  $("#open-settings").addEventListener("click", () => void openSettings());
  $("#usage-btn").addEventListener("click", () => void openUsage());
  document.addEventListener("keydown", onKey);
}

/** Whether the open task, or one it links to, is among these ids ("*": all). */
function showsAny(touched: Set<string>): boolean {
  const key = shownKey();
  if (!key || touched.size === 0) return false;
  if (touched.has("*")) return true;
  const open = state.tasks.find((t) => t.key === key);
  if (!open || touched.has(open.id)) return true;
  return state.tasks.some((t) => touched.has(t.id) && (open.depends_on.includes(t.key) || t.depends_on.includes(key)));
}

async function start(): Promise<void> {
  layout();
  onChange(render);
  void showDetail($("#detail"), null);
  await events.onDataChanged(async (c) => {
    const touched = await apply(c);
    if (showsAny(touched)) refreshDetail($("#detail"));
  });
  await events.onStatus((s) => {
    state.status = s;
    followCoreClock(s.now);
    renderStatus();
  });
  await events.onNavigate((where) => void (where === "usage" ? openUsage() : openSettings(where === "sync" ? "sync" : "cloud")));
  await events.onSyncError((e) => syncFailed(e, false));
  state.status = await api.status().catch(() => null);
  followCoreClock(state.status?.now);
  renderStatus();
  setInterval(renderStatus, 30_000);
  await reload();
}

void start();
