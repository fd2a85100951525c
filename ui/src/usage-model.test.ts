import { describe, expect, it } from "vitest";
import type { QuotaFigure, UsageReport } from "./api";
import { age, amount, barWidth, projectionText, sourceText, usedText, worst } from "./usage-model";

const q = (over: Partial<QuotaFigure>): QuotaFigure => ({
  quota: "rows_written", label: "rows written", used: 8_500_000, limit: 10_000_000, percent: 85, projected: 12_000_000,
  limit_date: "2026-11-27", level: "warning", source: "local", age_secs: 120, ...over,
});

describe("usage figures for people", () => {
  it("formats amounts like the CLI", () => {
    expect(amount("rows_written", 8_500_000)).toBe("8.5M rows");
    expect(amount("rows_read", 2_400_000_000)).toBe("2.40B rows");
    expect(amount("bytes_synced", 3_000_000_000)).toBe("3.00 GB");
    expect(amount("storage", 999)).toBe("999 B");
  });
  it("says used, limit, percentage, projection and source", () => {
    expect(usedText(q({}))).toBe("8.5M rows of 10.0M rows (85%)");
    expect(usedText(q({ used: 5, percent: 0.00005 }))).toBe("5 rows of 10.0M rows (0.0%)");
    expect(projectionText(q({}))).toBe("Month-end at this pace: 12.0M rows; the limit is reached on 2026-11-27.");
    expect(projectionText(q({ limit_date: null, projected: 9_000_000 }))).toContain("within the limit");
    expect(projectionText(q({ level: "over" }))).toContain("Over the limit");
    expect(sourceText(q({}))).toBe("Measured by Shark on your machines, 2 min ago");
    expect(sourceText(q({ source: "turso", age_secs: 30 }))).toBe("From Turso, just now");
    expect(sourceText(q({ source: "unknown", used: null }))).toContain("Only Turso knows");
    expect(usedText(q({ used: null, percent: null }))).toBe("? of 10.0M rows");
  });
  it("bars stay within 0-100 and the worst level wins", () => {
    expect(barWidth(q({ percent: 130 }))).toBe(100);
    expect(barWidth(q({ percent: null }))).toBe(0);
    const r = { quotas: [q({ level: "ok" }), q({ level: "over" })] } as UsageReport;
    expect(worst(r)).toBe("over");
    expect(age(7200)).toBe("2 h ago");
  });
});
