// Settings > Diagnostics: `shark doctor` run by the app on its own database.
// Each check shows passed / warning / failed with its exact fix, then the
// read pool's figures. Nothing runs until asked (the server check sends a
// few requests).
import { api, errorMessage, type DiagnosticsReport } from "./api";
import { h } from "./dom";
import { damagedLine } from "./model";

const MARK: Record<string, string> = { pass: "OK", warn: "Warning", fail: "Failed", info: "Info" };

/** The summary line under the checks. */
export function diagnosticsSummary(r: DiagnosticsReport): string {
  if (r.failed === 0 && r.warnings === 0) return "All checks passed.";
  const n = (k: number, w: string) => `${k} ${w}${k === 1 ? "" : "s"}`;
  if (r.failed === 0) return `No failures; ${n(r.warnings, "warning")}.`;
  return `${n(r.failed, "check")} failed, ${n(r.warnings, "warning")}: apply the fixes shown.`;
}

function render(r: DiagnosticsReport): HTMLElement[] {
  const rows = r.checks.map((c) =>
    h(
      "li",
      { class: `check ${c.status}`, "data-check": c.id },
      h("span", { class: "check-mark" }, MARK[c.status] ?? c.status),
      h("span", { class: "check-title" }, c.title),
      c.id === "last_error" && c.status !== "pass"
        ? h("details", { class: "check-detail" }, h("summary", {}, "Details"), h("code", {}, c.detail))
        : h("span", { class: "check-detail" }, c.detail),
      c.fix ? h("div", { class: "check-fix" }, h("span", { class: "muted" }, "Fix: "), h("code", {}, c.fix)) : null,
    ),
  );
  const damaged = r.damaged_rows.length
    ? h(
        "details",
        { "data-testid": "diagnostics-damaged" },
        h("summary", {}, `Rows that cannot be read (${r.damaged_rows.length})`),
        h("ul", {}, ...r.damaged_rows.map((d) => h("li", {}, h("code", {}, damagedLine(d))))),
      )
    : null;
  return [
    h("ul", { class: "checks" }, ...rows),
    ...(damaged ? [damaged] : []),
    h("p", { "data-testid": "diagnostics-summary", class: r.failed ? "bad" : "ok" }, diagnosticsSummary(r)),
  ];
}

export function diagnosticsSection(): HTMLElement {
  const out = h("div", { "data-testid": "diagnostics", role: "status" });
  const run: HTMLButtonElement = h("button", {
    type: "button",
    id: "s-diag-btn",
    onclick: async () => {
      run.disabled = true;
      out.replaceChildren(h("p", { class: "muted" }, "Checking…"));
      try {
        out.replaceChildren(...render(await api.diagnostics()));
      } catch (e) {
        out.replaceChildren(h("p", { class: "bad" }, errorMessage(e)));
      } finally {
        run.disabled = false;
      }
    },
  }, "Run diagnostics");
  return h(
    "section",
    { id: "settings-diagnostics" },
    h("h3", {}, "Diagnostics"),
    h("p", { class: "muted" }, "Checks settings, token, file permissions, the database's integrity, the server and sync history, like shark doctor in a terminal."),
    h("div", { class: "actions" }, run),
    out,
  );
}
