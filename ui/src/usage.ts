// The usage page: a bar per quota (used, limit, percentage, projection,
// source and age), a 30-day chart, each machine's share, Turso's figures
// (organization, database, Platform API token) and the plan's limits.
import { api, errorMessage, events, type QuotaFigure, type UsageForm, type UsageReport, type UsageView } from "./api";
import { clear, h } from "./dom";
import { toast } from "./toast";
import { amount, barWidth, chartMax, chartSeries, projectionText, sourceText, usedText, worst } from "./usage-model";

const SVG = "http://www.w3.org/2000/svg";

function bar(q: QuotaFigure): HTMLElement {
  const fill = h("div", { class: `fill ${q.level}` });
  fill.style.width = `${barWidth(q)}%`;
  return h(
    "div",
    { class: `quota ${q.level}`, "data-quota": q.quota, "data-level": q.level },
    h("div", { class: "quota-head" }, h("strong", {}, q.label[0].toUpperCase() + q.label.slice(1)), h("span", { class: "quota-used" }, usedText(q))),
    h("div", { class: "bar", role: "meter", "aria-label": q.label, "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": Math.round(barWidth(q)) }, fill),
    h("div", { class: "muted small" }, [projectionText(q), sourceText(q)].filter(Boolean).join(" · ")),
  );
}

function chart(r: UsageReport): Element {
  const series = chartSeries(r, "rows_written");
  const max = chartMax(series.map((d) => d.value));
  const w = 600;
  const hgt = 90;
  const bw = w / series.length;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${w} ${hgt + 16}`);
  svg.setAttribute("class", "chart");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `Rows written per day, last ${series.length} days`);
  series.forEach((d, i) => {
    const barH = Math.round((d.value / max) * hgt);
    const rect = document.createElementNS(SVG, "rect");
    rect.setAttribute("x", String(i * bw + 1));
    rect.setAttribute("y", String(hgt - barH));
    rect.setAttribute("width", String(Math.max(1, bw - 2)));
    rect.setAttribute("height", String(Math.max(barH, d.value > 0 ? 1 : 0)));
    const title = document.createElementNS(SVG, "title");
    title.textContent = `${d.day}: ${amount("rows_written", d.value)}`;
    rect.append(title);
    svg.append(rect);
  });
  for (const [i, label] of [[0, series[0]?.day], [series.length - 1, series[series.length - 1]?.day]] as [number, string][]) {
    const t = document.createElementNS(SVG, "text");
    t.setAttribute("x", String(i === 0 ? 0 : w));
    t.setAttribute("y", String(hgt + 13));
    t.setAttribute("text-anchor", i === 0 ? "start" : "end");
    t.textContent = label ?? "";
    svg.append(t);
  }
  return svg;
}

function machines(r: UsageReport): HTMLElement {
  if (!r.machines.length) return h("p", { class: "muted" }, r.this_machine_syncs ? "No machine has synced this month yet." : "This machine is local only: its work uses no Turso quota.");
  const total = r.machines.reduce((n, m) => n + m.counters.rows_written, 0) || 1;
  return h(
    "table",
    { class: "machines" },
    h("thead", {}, h("tr", {}, h("th", {}, "Machine"), h("th", {}, "Rows written"), h("th", {}, "Share"), h("th", {}, "Synced"), h("th", {}, "Syncs"))),
    h(
      "tbody",
      {},
      ...r.machines.map((m) =>
        h(
          "tr",
          { "data-machine": m.name },
          h("td", {}, m.this_machine ? `${m.name} (this machine)` : m.name),
          h("td", {}, amount("rows_written", m.counters.rows_written)),
          h("td", {}, `${Math.round((m.counters.rows_written * 100) / total)}%`),
          h("td", {}, amount("bytes_synced", m.bytes_synced)),
          h("td", {}, String(m.counters.pushes + m.counters.pulls)),
        ),
      ),
    ),
  );
}

function settingsForm(view: UsageView, apply: (v: UsageView) => void): HTMLElement {
  const s = view.settings;
  const input = (id: string, value: string | number | null | undefined, attrs: Record<string, string | number> = {}) => {
    const el = h("input", { id, autocomplete: "off", spellcheck: "false", ...attrs });
    el.value = value === undefined || value === null ? "" : String(value);
    return el;
  };
  const org = input("u-org", s.organization, { placeholder: "my-org" });
  const db = input("u-db", s.database, { placeholder: "shark (optional)" });
  const token = input("u-token", undefined, { type: "password", placeholder: view.api_token_stored_in ? `Saved in ${view.api_token_stored_in}` : "Platform API token (turso auth api-tokens mint shark)" });
  const plan = h("select", { id: "u-plan" }, ...[["auto", "The plan Turso reports (else Free)"], ["free", "Free"], ["developer", "Developer"], ["custom", "Custom limits"]].map(([v, l]) => h("option", { value: v }, l)));
  plan.value = s.plan ?? "auto";
  const rowsW = input("u-rows-written", s.rows_written_limit, { type: "number", min: 0, placeholder: "plan's" });
  const rowsR = input("u-rows-read", s.rows_read_limit, { type: "number", min: 0, placeholder: "plan's" });
  const synced = input("u-synced", s.bytes_synced_limit, { type: "number", min: 0, placeholder: "plan's (bytes)" });
  const storage = input("u-storage", s.storage_bytes_limit, { type: "number", min: 0, placeholder: "plan's (bytes)" });
  const warn = input("u-warn", s.warn_percent ?? 80, { type: "number", min: 1, max: 100 });
  const result = h("p", { class: "probe", role: "status", "data-testid": "usage-save-result" });
  const num = (el: HTMLInputElement) => (el.value.trim() === "" ? 0 : Number(el.value));
  const save: HTMLButtonElement = h("button", {
    type: "button",
    class: "primary",
    onclick: async () => {
      save.disabled = true;
      result.textContent = "Saving…";
      result.className = "probe";
      const form: UsageForm = {
        change: { organization: org.value, database: db.value, plan: plan.value, rows_written_limit: num(rowsW), rows_read_limit: num(rowsR), bytes_synced_limit: num(synced), storage_bytes_limit: num(storage), warn_percent: num(warn) },
        api_token: token.value || null,
        forget_api_token: false,
      };
      try {
        const v = await api.saveUsage(form);
        token.value = "";
        result.textContent = v.report.api.error ? `Saved. Turso's figures: ${v.report.api.error}` : "Saved.";
        result.className = `probe ${v.report.api.error ? "bad" : "ok"}`;
        apply(v);
      } catch (e) {
        result.textContent = errorMessage(e);
        result.className = "probe bad";
      } finally {
        save.disabled = false;
      }
    },
  }, "Save usage settings");
  const field = (id: string, label: string, el: HTMLElement) => h("label", { class: "field", for: id }, h("span", {}, label), el);
  return h(
    "section",
    { id: "usage-settings" },
    h("h3", {}, "Turso's figures and limits"),
    h("p", { class: "muted" }, "Shark measures what your machines sync. Turso's Platform API adds rows read, storage and everything other clients do; its token is not the database token and is kept the same safe way."),
    h("div", { class: "grid2" }, field("u-org", "Organization", org), field("u-db", "Database", db)),
    field("u-token", "Platform API token (hidden)", token),
    h("div", { class: "grid2" }, field("u-plan", "Plan", plan), field("u-warn", "Warn at (% of a quota)", warn)),
    h("div", { class: "grid2" }, field("u-rows-written", "Rows written / month", rowsW), field("u-rows-read", "Rows read / month", rowsR), field("u-synced", "Bytes synced / month", synced), field("u-storage", "Storage (bytes)", storage)),
    h("div", { class: "actions" }, save),
    result,
  );
}

/** The figures (everything above the settings form). */
function render(body: HTMLElement, view: UsageView): void {
  const r = view.report;
  clear(body);
  const level = worst(r);
  body.dataset.level = level;
  const month = new Date(`${r.month}-01T00:00:00Z`).toLocaleDateString(undefined, { month: "long", year: "numeric", timeZone: "UTC" });
  const parts: (Node | null)[] = [
    h("h2", {}, `Usage · ${month}`),
    h("p", { class: "muted", "data-testid": "usage-plan" }, `${r.plan.name} plan${r.plan.source === "turso" ? " (reported by Turso)" : r.plan.source === "settings" ? " (from your settings)" : ""} · warnings at ${r.warn_percent}% and 100%`),
    r.plan.note ? h("p", { class: "probe bad" }, r.plan.note) : null,
    ...r.warnings.map((w) => h("p", { class: `usage-warning ${w.level}`, role: "alert", "data-testid": "usage-warning" }, w.message)),
    r.api.error ? h("p", { class: "probe bad", "data-testid": "usage-api-error" }, `Turso's figures: ${r.api.error}`) : null,
    h("section", { class: "quotas" }, ...r.quotas.map(bar)),
    h("h3", {}, "Rows written per day (all machines)"),
    chart(r),
    h("h3", {}, "Machines this month"),
    machines(r),
  ];
  body.append(...parts.filter((p): p is Node => p !== null));
}

/** Opens the usage page (a dialog over the task list). */
export async function openUsage(): Promise<void> {
  const body = h("div", { class: "usage", "data-testid": "usage" }, h("p", { class: "muted" }, "Loading usage…"));
  const fetchBtn: HTMLButtonElement = h("button", { type: "button", onclick: () => void load(true) }, "Fetch Turso's figures now");
  const dashboard = h("button", { type: "button", class: "link", onclick: () => api.openDashboard().catch((e) => toast(errorMessage(e), "error")) }, "Open the Turso dashboard ↗");
  const dialog = h(
    "dialog",
    { class: "modal wide", "aria-label": "Usage" },
    body,
    h("div", { class: "actions" }, dashboard, fetchBtn, h("button", { type: "button", class: "primary", onclick: () => dialog.close() }, "Close")),
  );
  let current: UsageView | null = null;
  // Figures and the settings form live apart: new figures never reset what
  // is being typed (or chosen) in the form.
  const figures = h("div", {});
  const formSlot = h("div", {});
  // Figures only (a refresh while the page is open), or the form too (a load or a save).
  const apply = (v: UsageView, figuresOnly = false) => {
    current = v;
    if (!body.contains(figures)) clear(body);
    body.append(figures, formSlot);
    render(figures, v);
    if (!figuresOnly || !formSlot.firstChild) formSlot.replaceChildren(settingsForm(v, apply));
    fetchBtn.hidden = !v.report.api.configured;
  };
  const load = async (fetch: boolean) => {
    fetchBtn.disabled = true;
    try {
      apply(await api.usage(fetch));
    } catch (e) {
      clear(body);
      body.append(h("p", { class: "probe bad" }, errorMessage(e)));
    } finally {
      fetchBtn.disabled = false;
    }
  };
  const unlisten = await events.onUsage((r) => {
    // Only figures move while the page is open; the form keeps what is typed.
    if (current) apply({ ...current, report: r }, true);
  });
  dialog.addEventListener("close", () => {
    unlisten();
    dialog.remove();
  });
  document.body.append(dialog);
  dialog.showModal();
  await load(false);
}
