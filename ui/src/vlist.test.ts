import { beforeAll, describe, expect, it } from "vitest";
import { VList } from "./vlist";

beforeAll(() => {
  // jsdom has no layout: a resize observer that never fires is enough.
  (globalThis as unknown as { ResizeObserver: unknown }).ResizeObserver = class {
    observe() {}
    disconnect() {}
  };
});

function make(n: number) {
  const root = document.createElement("div");
  document.body.append(root);
  const list = new VList<number>(root, {
    rowHeight: 40,
    key: (i) => String(i),
    render: (i) => {
      const el = document.createElement("div");
      el.className = "row";
      el.textContent = `row ${i}`;
      return el;
    },
  });
  list.setItems(Array.from({ length: n }, (_, i) => i));
  return { root, list };
}

describe("VList", () => {
  it("creates only the rows in view for 10,000 items", () => {
    const { root } = make(10_000);
    const rows = root.querySelectorAll(".row");
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(60);
    expect((root.querySelector(".vlist-spacer") as HTMLElement).style.height).toBe("400000px");
  });

  it("reveals a far row and drops the ones out of view", () => {
    const { root, list } = make(10_000);
    list.reveal(5_000);
    const texts = [...root.querySelectorAll(".row")].map((r) => r.textContent);
    expect(texts).toContain("row 5000");
    expect(texts).not.toContain("row 0");
    const row = [...root.querySelectorAll<HTMLElement>(".row")].find((r) => r.textContent === "row 5000");
    expect(row?.style.top).toBe("200000px");
  });

  it("redraws when the items change", () => {
    const { root, list } = make(3);
    expect(root.querySelectorAll(".row")).toHaveLength(3);
    list.setItems([7]);
    expect([...root.querySelectorAll(".row")].map((r) => r.textContent)).toEqual(["row 7"]);
  });
});
