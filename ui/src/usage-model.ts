// Pure helpers for the usage page: amounts for people, the text under each
// bar (projection, source and age), and the chart's scale. Tested in Vitest.
import type { QuotaFigure, QuotaKey, UsageReport } from "./api";

const isBytes = (q: QuotaKey) => q === "storage" || q === "bytes_synced";

/** "2.40 GB", "8.5M rows". */
export function amount(q: QuotaKey, n: number): string {
  if (isBytes(q)) {
    if (n < 1e3) return `${n} B`;
    if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
    if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
    return `${(n / 1e9).toFixed(2)} GB`;
  }
  if (n < 1e4) return `${n} rows`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)}k rows`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)}M rows`;
  return `${(n / 1e9).toFixed(2)}B rows`;
}

/** "3 min ago" from seconds. */
export function age(secs: number | null): string {
  if (secs === null) return "";
  if (secs < 90) return "just now";
  if (secs < 5400) return `${Math.round(secs / 60)} min ago`;
  if (secs < 172800) return `${Math.round(secs / 3600)} h ago`;
  return `${Math.round(secs / 86400)} days ago`;
}

/** Where the figure comes from, for people. */
export function sourceText(q: QuotaFigure): string {
  switch (q.source) {
    case "local":
      return `Measured by Shark on your machines${q.age_secs !== null ? `, ${age(q.age_secs)}` : ""}`;
    case "local_estimate":
      return "Estimate: the size of this machine's copy";
    case "turso":
      return `From Turso, ${age(q.age_secs)}`;
    default:
      return "Only Turso knows: add your organization and a Platform API token below";
  }
}

/** "1.2M rows of 10.0M rows (12%)". */
export function usedText(q: QuotaFigure): string {
  if (q.used === null) return `? of ${amount(q.quota, q.limit)}`;
  // Like the warnings: 89.9% is "89%", never rounded up to a threshold.
  const p = q.percent ?? 0;
  const shown = p < 10 ? (Math.floor(p * 10) / 10).toFixed(1) : String(Math.floor(p));
  return `${amount(q.quota, q.used)} of ${amount(q.quota, q.limit)} (${shown}%)`;
}

/** The projection line under a bar. */
export function projectionText(q: QuotaFigure): string {
  if (q.used === null) return "";
  if (q.level === "over") return "Over the limit: Turso may block syncing; local work continues.";
  if (q.quota === "storage") return q.limit_date ? "At the limit." : "";
  const end = q.projected !== null ? `Month-end at this pace: ${amount(q.quota, q.projected)}` : "";
  const hit = q.limit_date ? `; the limit is reached on ${q.limit_date}` : "; within the limit";
  return end ? `${end}${hit}.` : "";
}

/** The bar's width in percent (0-100). */
export function barWidth(q: QuotaFigure): number {
  return Math.max(0, Math.min(100, q.percent ?? 0));
}

/** The chart's series and its top value (never 0, so bars have a scale). */
export function chartSeries(r: UsageReport, what: "rows_written" | "bytes_synced"): { day: string; value: number }[] {
  return r.days.map((d) => ({ day: d.day, value: d[what] }));
}

export function chartMax(values: number[]): number {
  return Math.max(1, ...values);
}

/** The worst level in the report. */
export function worst(r: UsageReport): "ok" | "warning" | "over" {
  if (r.quotas.some((q) => q.level === "over")) return "over";
  if (r.quotas.some((q) => q.level === "warning")) return "warning";
  return "ok";
}
