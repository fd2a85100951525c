// The task detail: every field editable, status through the allowed actions,
// notes, and the history with device names; a value another machine (or
// anyone) overwrote is restorable in one click.
import { NOTE_TYPES, api, errorMessage, type HistoryEntry, type NoteType, type TaskDetail } from "./api";
import { clear, h } from "./dom";
import { formDialog } from "./forms";
import { ACTION_LABEL, NEEDS_REASON, RESTORABLE, ago, parseKeys, statusLabel } from "./model";
import { toast } from "./toast";

let current: string | null = null;
let token = 0;

/** Shows the task `key` (or the empty state) in `root`. */
export async function showDetail(root: HTMLElement, key: string | null): Promise<void> {
  current = key;
  const mine = ++token;
  if (!key) {
    clear(root);
    root.append(h("div", { class: "empty" }, h("p", {}, "Select a task to see and edit it."), h("p", { class: "muted" }, "Press N for a new task, / to search, ? for shortcuts.")));
    return;
  }
  let d: TaskDetail;
  try {
    d = await api.task(key);
  } catch (e) {
    if (mine !== token) return;
    clear(root);
    root.append(h("p", { class: "form-error" }, errorMessage(e)));
    return;
  }
  if (mine !== token) return;
  const focused = document.activeElement?.id;
  clear(root);
  root.append(render(d));
  if (focused) document.getElementById(focused)?.focus();
}

/** The key of the task shown, if any. */
export function shownKey(): string | null {
  return current;
}

/** Redraws the open task (after a change from anywhere). */
export function refreshDetail(root: HTMLElement): void {
  const a = document.activeElement;
  const typing = a && root.contains(a) && (a.tagName === "INPUT" || a.tagName === "TEXTAREA");
  if (current && !typing) void showDetail(root, current);
}

/** Focuses the first status action (the "change status" shortcut). */
export function focusStatus(root: HTMLElement): void {
  root.querySelector<HTMLButtonElement>(".actions-row button")?.focus();
}

function render(d: TaskDetail): HTMLElement {
  const t = d.task;
  const save = async (patch: Record<string, unknown>) => {
    try {
      await api.updateTask(t.key, patch);
      toast(`${t.key} saved`);
    } catch (e) {
      toast(errorMessage(e), "error");
    }
  };
  const field = (id: string, label: string, value: string, onCommit: (v: string) => void, multiline = false) => {
    const input = multiline
      ? h("textarea", { id, rows: 5 })
      : h("input", { id, type: "text", autocomplete: "off" });
    input.value = value;
    const commit = () => {
      if (input.value !== value) onCommit(input.value);
    };
    input.addEventListener("change", commit);
    input.addEventListener("keydown", (e) => {
      const k = e as KeyboardEvent;
      if (k.key === "Enter" && (!multiline || k.ctrlKey)) {
        e.preventDefault();
        commit();
        (input as HTMLElement).blur();
      }
      if (k.key === "Escape") {
        input.value = value;
        (input as HTMLElement).blur();
      }
    });
    return h("label", { for: id, class: "field" }, h("span", {}, label), input);
  };
  const actions = d.actions.map((a) => {
    const label = (ACTION_LABEL[a] ?? a).replace("…", "");
    return h(
      "button",
      {
        class: a === "archive" ? "" : "primary-soft",
        "data-action": a,
        onclick: async () => {
          if (NEEDS_REASON.has(a)) {
            const ok = await formDialog(`${label} ${t.key}`, [{ name: "reason", label: "Reason", required: true, type: "textarea" }], label, async (v) => {
              await api.transition(t.key, a, v.reason);
            });
            if (ok) toast(`${t.key}: ${label}`);
            return;
          }
          try {
            await api.transition(t.key, a);
            toast(`${t.key}: ${label}`);
          } catch (e) {
            toast(errorMessage(e), "error");
          }
        },
      },
      ACTION_LABEL[a] ?? a,
    );
  });
  const noteText = h("textarea", { id: "note-text", rows: 2, placeholder: "Add a note (Ctrl+Enter)" });
  const noteType = h("select", { id: "note-type", "aria-label": "Note type" }, ...NOTE_TYPES.map((n) => h("option", { value: n }, n)));
  const addNote = async () => {
    try {
      await api.addNote(t.key, noteType.value as NoteType, noteText.value);
      noteText.value = "";
      noteText.blur();
      refreshDetail(noteText.closest("aside") ?? document.body);
    } catch (e) {
      toast(errorMessage(e), "error");
    }
  };
  noteText.addEventListener("keydown", (e) => {
    if ((e as KeyboardEvent).key === "Enter" && (e as KeyboardEvent).ctrlKey) {
      e.preventDefault();
      void addNote();
    }
  });
  return h(
    "div",
    { class: "detail", "data-key": t.key },
    h("div", { class: "detail-head" }, h("span", { class: "key" }, t.key), h("span", { class: `pill s-${t.status}`, "data-testid": "detail-status" }, statusLabel(t.status))),
    field("d-title", "Title", t.title, (v) => save({ title: v })),
    h("div", { class: "actions-row", role: "group", "aria-label": "Change status" }, ...actions),
    t.blocked_reason ? h("p", { class: "blocked" }, `Blocked: ${t.blocked_reason}`) : null,
    field("d-description", "Description", t.description ?? "", (v) => save({ description: v }), true),
    h(
      "div",
      { class: "grid2" },
      field("d-priority", "Priority (1 high – 10 low)", String(t.priority), (v) => save({ priority: Number(v) })),
      field("d-agent-type", "Agent type", t.agent_type ?? "", (v) => save({ agent_type: v })),
      field("d-assigned", "Assigned agent", t.assigned_agent ?? "", (v) => save({ assigned_agent: v })),
      field("d-deps", "Depends on", t.depends_on.join(", "), (v) => save({ depends_on: parseKeys(v) })),
    ),
    h("p", { class: "muted small" }, `Created ${ago(t.created_at)} · updated ${ago(t.updated_at)}${t.started_at ? ` · started ${ago(t.started_at)}` : ""}${t.completed_at ? ` · completed ${ago(t.completed_at)}` : ""}`),
    h("h3", {}, `Notes (${d.notes.length})`),
    h(
      "ul",
      { class: "notes" },
      ...d.notes.map((n) => h("li", {}, h("div", { class: "meta" }, `${n.note_type} · ${n.created_by} on ${n.device_name} · ${ago(n.created_at)}`), h("div", { class: "content" }, n.content))),
    ),
    h("div", { class: "note-form" }, noteType, noteText, h("button", { onclick: () => void addNote() }, "Add note")),
    h("h3", {}, "History"),
    h("ul", { class: "history", "data-testid": "history" }, ...d.history.slice().reverse().map((e) => historyRow(e, d))),
  );
}

function historyRow(e: HistoryEntry, d: TaskDetail): HTMLElement {
  const other = e.device_id !== d.device_id;
  const value = (v: string | null) => (v === null || v === "" ? "∅" : v);
  const restorable = RESTORABLE.has(e.field) && e.old_value !== currentValue(d, e.field);
  return h(
    "li",
    { class: other ? "other-device" : "" },
    h("div", { class: "meta" }, `${ago(e.created_at)} · ${e.actor} on ${e.device_name}${other ? " (another machine)" : ""}${e.forced ? " · forced" : ""}`),
    h("div", {}, h("b", {}, e.field), ": ", h("s", {}, value(e.old_value)), " → ", value(e.new_value), e.reason ? ` (${e.reason})` : ""),
    restorable
      ? h(
          "button",
          {
            class: "link",
            title: `Set ${e.field} back to ${value(e.old_value)}`,
            onclick: async () => {
              try {
                await api.restore(d.task.key, e.id);
                toast(`${e.field} restored`);
              } catch (err) {
                toast(errorMessage(err), "error");
              }
            },
          },
          "Restore",
        )
      : null,
  );
}

function currentValue(d: TaskDetail, field: string): string | null {
  const t = d.task;
  switch (field) {
    case "title":
      return t.title;
    case "description":
      return t.description;
    case "priority":
      return String(t.priority);
    case "agent_type":
      return t.agent_type;
    case "assigned_agent":
      return t.assigned_agent;
    case "depends_on":
      return t.depends_on.length ? t.depends_on.join(",") : null;
    default:
      return null;
  }
}
