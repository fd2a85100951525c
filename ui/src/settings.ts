// Settings: connect to Turso (URL, masked token, Test connection with the
// classified result), disconnect, sync interval, pause/resume, where the
// token is stored; start at login, updates, and where Shark keeps its files.
import { api, errorMessage, type AppStatus } from "./api";
import { diagnosticsSection } from "./diagnostics";
import { h } from "./dom";
import { importLines } from "./model";
import { working } from "./working";
import { formDialog } from "./forms";
import { state } from "./state";
import { toast } from "./toast";

export async function openSettings(focus: "cloud" | "sync" | "data" | "diagnostics" | "app" = "cloud"): Promise<void> {
  const status: AppStatus = state.status ?? (await api.status());
  const info = await api.appInfo().catch(() => null);
  const result = h("p", { class: "probe", role: "status", "data-testid": "probe-result" });
  const url = h("input", { id: "s-url", type: "url", placeholder: "libsql://NAME-ORG.turso.io", autocomplete: "off", spellcheck: "false" });
  const token = h("input", { id: "s-token", type: "password", placeholder: "Database token (turso db tokens create DB)", autocomplete: "off" });
  const show = (ok: boolean, text: string) => {
    result.textContent = text;
    result.className = `probe ${ok ? "ok" : "bad"}`;
  };
  const busy = async (btn: HTMLButtonElement, f: () => Promise<void>) => {
    btn.disabled = true;
    try {
      await f();
    } catch (e) {
      show(false, errorMessage(e));
    } finally {
      btn.disabled = false;
    }
  };
  const testBtn: HTMLButtonElement = h("button", {
    type: "button",
    onclick: () =>
      busy(testBtn, async () => {
        show(true, "Testing…");
        const r = await api.testConnection(url.value, token.value || null);
        show(r.ok, r.ok ? `${r.message} (${r.elapsed_ms} ms)` : `${r.problem ?? "problem"}: ${r.message}`);
      }),
  }, "Test connection");
  const connectBtn: HTMLButtonElement = h("button", {
    type: "button",
    class: "primary",
    onclick: () =>
      busy(connectBtn, async () => {
        const stop = working(result, "Connecting (a new machine downloads the database first)");
        const c = await api.connect(url.value, token.value || null).finally(stop);
        token.value = "";
        state.status = c.status;
        const where = c.token_stored_in ? ` Token saved in ${c.token_stored_in}.` : "";
        const why = c.keyring_unavailable ? ` (No usable keyring: ${c.keyring_unavailable}.)` : "";
        show(c.status.mode === "replica", `${c.status.line}.${where}${why} ${c.notices.join(" ")}`);
      }),
  }, "Connect");
  const disconnectBtn: HTMLButtonElement = h("button", {
    type: "button",
    class: "danger",
    onclick: () =>
      busy(disconnectBtn, async () => {
        await formDialog("Disconnect from Turso?", [], "Disconnect", async () => {
          const n = await api.disconnect();
          show(true, `Local only now; ${n} records kept on this machine.`);
        }, "This machine stops syncing. Every task stays here, in a local database; other machines keep theirs.");
      }),
  }, "Disconnect");
  // Empty: live pulls (the default); a number spaces pulls out (fewer requests).
  const interval = h("input", { id: "s-interval", type: "number", min: 5, max: 86400, placeholder: "live" });
  interval.value = status.interval_secs ? String(status.interval_secs) : "";
  const intervalBtn: HTMLButtonElement = h("button", {
    type: "button",
    onclick: () =>
      busy(intervalBtn, async () => {
        const secs = interval.value.trim() === "" ? 0 : Number(interval.value);
        state.status = await api.setInterval(secs);
        show(true, secs ? `Pulls at most every ${secs} s.` : "Live: changes from other machines arrive within a second or two.");
      }),
  }, "Save interval");
  const pauseBtn: HTMLButtonElement = h("button", {
    type: "button",
    "data-testid": "pause",
    onclick: () =>
      busy(pauseBtn, async () => {
        state.status = await api.setPaused(!(state.status?.paused ?? false));
        pauseBtn.textContent = state.status.paused ? "Resume sync" : "Pause sync";
      }),
  }, status.paused ? "Resume sync" : "Pause sync");
  const connected = status.mode === "replica" || status.mode === "local_fallback";
  const autostart = h("input", { id: "s-autostart", type: "checkbox" });
  autostart.checked = info?.start_at_login ?? false;
  autostart.addEventListener("change", async () => {
    try {
      autostart.checked = await api.setStartAtLogin(autostart.checked);
    } catch (e) {
      autostart.checked = !autostart.checked;
      toast(errorMessage(e), "error");
    }
  });
  const updateResult = h("span", { class: "muted", role: "status", "data-testid": "update-result" });
  const updateBtn: HTMLButtonElement = h("button", {
    type: "button",
    id: "s-update-btn",
    onclick: async () => {
      updateBtn.disabled = true;
      updateResult.textContent = "Checking…";
      const u = await api.checkUpdate().catch((e) => ({ available: false, version: null, current: "", problem: errorMessage(e) }));
      updateResult.textContent = u.problem ?? (u.available ? `Version ${u.version} is available.` : `Shark ${u.current} is up to date.`);
      updateBtn.disabled = false;
    },
  }, "Check for updates");
  // Data: import a Go Shark database (or an export), export everything.
  const importPath = h("input", { id: "s-import", placeholder: "/home/you/project/shark-tasks.db", autocomplete: "off", spellcheck: "false" });
  const exportPath = h("input", { id: "s-export", placeholder: "/home/you/shark-export.db", autocomplete: "off", spellcheck: "false" });
  const exportFormat = h("select", { id: "s-export-format" }, h("option", { value: "sqlite" }, "SQLite file"), h("option", { value: "json" }, "JSON document"));
  const exportForce = h("input", { id: "s-export-force", type: "checkbox" });
  const dataResult = h("div", { class: "probe", role: "status", "data-testid": "data-result" });
  const showData = (ok: boolean, lines: string[]) => {
    dataResult.replaceChildren(...lines.map((l) => h("div", {}, l)));
    dataResult.className = `probe ${ok ? "ok" : "bad"}`;
  };
  const importBtn: HTMLButtonElement = h("button", {
    type: "button",
    id: "s-import-btn",
    onclick: async () => {
      importBtn.disabled = true;
      const stop = working(dataResult, `Importing ${importPath.value}`);
      try {
        const r = await api.importDatabase(importPath.value).finally(stop);
        showData(true, [`Imported ${r.file} (the file was only read):`, ...importLines(r), ...r.remarks]);
      } catch (e) {
        showData(false, [errorMessage(e)]);
      } finally {
        importBtn.disabled = false;
      }
    },
  }, "Import");
  const exportBtn: HTMLButtonElement = h("button", {
    type: "button",
    id: "s-export-btn",
    onclick: async () => {
      exportBtn.disabled = true;
      const stop = working(dataResult, `Exporting to ${exportPath.value}`);
      try {
        const r = await api.exportData(exportFormat.value, exportPath.value, exportForce.checked).finally(stop);
        showData(true, [`Exported ${r.tasks} tasks, ${r.notes} notes and ${r.history} history rows to ${r.path} (${r.bytes} bytes).`]);
      } catch (e) {
        showData(false, [errorMessage(e)]);
      } finally {
        exportBtn.disabled = false;
      }
    },
  }, "Export");
  const dialog = h(
    "dialog",
    { class: "modal wide", "aria-label": "Settings" },
    h(
      "div",
      { class: "settings" },
      h("h2", {}, "Settings"),
      h(
        "section",
        { id: "settings-cloud" },
        h("h3", {}, "Cloud sync (Turso)"),
        h("p", { "data-testid": "settings-status" }, `${status.line}${status.url ? ` · ${status.url}` : ""}`),
        status.token_source ? h("p", { class: "muted" }, `Token stored in ${status.token_source}.`) : null,
        h("p", { class: "muted" }, connected ? "Connect to another database below, or disconnect to keep working locally." : "Shark works locally. Connect a Turso database to sync your machines; your tasks are carried over once."),
        h("label", { class: "field", for: "s-url" }, h("span", {}, "Database URL"), url),
        status.token_source ? h("p", { class: "muted", "data-testid": "token-host-note" }, "The saved token is sent only to the database it was saved for: to connect to another one, paste its token too.") : null,
        h("label", { class: "field", for: "s-token" }, h("span", {}, "Token (hidden; stored in the system keyring when there is one, else a file only you can read)"), token),
        h("div", { class: "actions" }, testBtn, connectBtn, connected ? disconnectBtn : null),
        result,
      ),
      h(
        "section",
        { id: "settings-sync" },
        h("h3", {}, "Sync"),
        h("label", { class: "field inline", for: "s-interval" }, h("span", {}, "Pull at most every (seconds; empty: live)"), interval, intervalBtn),
        h("div", { class: "actions" }, connected ? pauseBtn : h("span", { class: "muted" }, "Pause and resume apply once a cloud database is connected.")),
      ),
      h(
        "section",
        { id: "settings-data" },
        h("h3", {}, "Data"),
        h("p", { class: "muted" }, "Bring in a Go Shark database (shark-tasks.db) or a Shark export; importing again updates what changed and duplicates nothing. Export everything as a plain SQLite file or one JSON document."),
        h("label", { class: "field inline", for: "s-import" }, h("span", {}, "Import from"), importPath, importBtn),
        h("label", { class: "field inline", for: "s-export" }, h("span", {}, "Export to"), exportPath, exportFormat, exportBtn),
        h("label", { class: "field inline", for: "s-export-force" }, exportForce, h("span", {}, "Replace the file if it exists")),
        dataResult,
      ),
      diagnosticsSection(),
      h(
        "section",
        { id: "settings-app" },
        h("h3", {}, "App"),
        h("label", { class: "field inline", for: "s-autostart" }, autostart, h("span", {}, "Start Shark at login (in the tray)")),
        h("div", { class: "actions" }, updateBtn, updateResult),
        info ? h("p", { class: "muted small" }, `Shark ${info.version} · data in ${info.data_dir} · logs in ${info.log_dir}`) : null,
      ),
      h("div", { class: "actions" }, h("button", { type: "button", class: "primary", onclick: () => dialog.close() }, "Close")),
    ),
  );
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  document.getElementById(`settings-${focus}`)?.scrollIntoView();
  (focus === "cloud" ? url : interval).focus();
}
