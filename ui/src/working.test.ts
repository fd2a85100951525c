// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from "vitest";
import { working } from "./working";

afterEach(() => vi.useRealTimers());

describe("long work in the window", () => {
  it("shows a progress bar and the seconds so far until stopped", () => {
    vi.useFakeTimers();
    let now = 0;
    const where = document.createElement("p");
    const stop = working(where, "Importing /tmp/x.db", () => now);
    expect(where.querySelector("progress")?.getAttribute("aria-label")).toBe("Importing /tmp/x.db");
    expect(where.textContent).toBe("Importing /tmp/x.db…");
    now = 3_200;
    vi.advanceTimersByTime(1000);
    expect(where.textContent).toBe("Importing /tmp/x.db… 3 s");
    stop();
    now = 9_000;
    vi.advanceTimersByTime(5000);
    expect(where.textContent).toBe("Importing /tmp/x.db… 3 s");
  });
});
