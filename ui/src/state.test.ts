import { beforeEach, describe, expect, it, vi } from "vitest";
import type { DamagedRow, DataChange, Listing, Task } from "./api";

// The IPC boundary, counted: every call the window makes goes through `api`.
const calls: string[] = [];
const db = { tasks: [] as Task[], damaged: [] as DamagedRow[] };

vi.mock("./api", async (importOriginal) => {
  const listing = <T>(items: T[], damaged: DamagedRow[] = []): Listing<T> => ({ items, damaged }) as Listing<T>;
  return {
    ...(await importOriginal<typeof import("./api")>()),
    api: {
      epics: async () => (calls.push("list_epics"), listing([])),
      features: async () => (calls.push("list_features"), listing([])),
      tasks: async () => (calls.push("list_tasks"), listing([...db.tasks], db.damaged)),
      tasksByIds: async (ids: string[]) => {
        calls.push("tasks_by_ids");
        const want = new Set(ids);
        return listing(
          db.tasks.filter((t) => want.has(t.id)),
          db.damaged.filter((d) => d.id !== null && want.has(d.id)),
        );
      },
    },
  };
});

const { apply, reload, state } = await import("./state");
const { task } = await import("./fixtures.test-support");

const named = (over: Partial<DataChange>): DataChange => ({ everything: false, plans: true, tasks: [], removed: [], notes: [], ...over });

beforeEach(async () => {
  db.tasks = Array.from({ length: 10_000 }, (_, i) => task(i + 1));
  db.damaged = [];
  await reload();
  calls.length = 0;
});

describe("a data-changed event", () => {
  it("costs one task's fetch for one remote edit at 10,000 tasks", async () => {
    db.tasks[4_999] = task(5_000, { title: "edited elsewhere" });
    const touched = await apply(named({ tasks: ["id5000"] }));
    expect(calls.sort()).toEqual(["list_epics", "list_features", "tasks_by_ids"]);
    expect(calls).not.toContain("list_tasks");
    expect(state.tasks).toHaveLength(10_000);
    expect(state.tasks[4_999].title).toBe("edited elsewhere");
    expect([...touched]).toEqual(["id5000"]);
  });

  it("inserts a new task in key order and drops removed ones", async () => {
    db.tasks = db.tasks.filter((t) => t.id !== "id2");
    // A key collision (another machine numbered it too): the older sorts first.
    const fresh = task(10_001, { key: "T-E01-F01-1500", created_at: "2026-11-21T00:00:00Z" });
    db.tasks.push(fresh);
    await apply(named({ tasks: [fresh.id], removed: ["id2"] }));
    expect(state.tasks.find((t) => t.id === "id2")).toBeUndefined();
    const at = state.tasks.findIndex((t) => t.id === fresh.id);
    expect(state.tasks[at - 1].key).toBe("T-E01-F01-1499");
    expect(state.tasks[at + 1].id).toBe("id1500");
  });

  it("reads again the tasks whose dependencies show a removed or an arrived task", async () => {
    // id20 depends on id2 (shown by its key); id30 on a task not here yet (shown by its id).
    db.tasks[19] = task(20, { depends_on: ["T-E01-F01-002"] });
    db.tasks[29] = task(30, { depends_on: ["id10001"] });
    await reload();
    calls.length = 0;
    db.tasks = db.tasks.filter((t) => t.id !== "id2");
    db.tasks[18] = task(20, { depends_on: ["id2"] });
    const fresh = task(10_001);
    db.tasks.push(fresh);
    db.tasks[28] = task(30, { depends_on: [fresh.key] });
    await apply(named({ tasks: [fresh.id], removed: ["id2"] }));
    expect(calls.filter((c) => c === "tasks_by_ids")).toHaveLength(1);
    expect(state.tasks.find((t) => t.id === "id20")?.depends_on).toEqual(["id2"]);
    expect(state.tasks.find((t) => t.id === "id30")?.depends_on).toEqual([fresh.key]);
  });

  it("moves a task whose sort changed (a hand edit of its key's twin's created_at)", async () => {
    const twin = task(10_001, { key: "T-E01-F01-005", created_at: "2026-11-23T00:00:00Z" });
    db.tasks.splice(5, 0, twin); // the core lists in key order, the older first
    await reload();
    expect(state.tasks[5].id).toBe(twin.id);
    db.tasks.splice(5, 1);
    db.tasks.splice(4, 0, { ...twin, created_at: "2026-11-21T00:00:00Z" });
    await apply(named({ tasks: [twin.id] }));
    expect(state.tasks[4].id).toBe(twin.id);
    expect(state.tasks[5].id).toBe("id5");
    expect(state.tasks).toHaveLength(10_001);
  });

  it("moves a task that became unreadable to the damaged rows, and back", async () => {
    db.tasks = db.tasks.filter((t) => t.id !== "id7");
    db.damaged = [{ table: "tasks", id: "id7", key: "T-E01-F01-007", title: "Task 7", problems: [] }];
    await apply(named({ tasks: ["id7"] }));
    expect(state.tasks.some((t) => t.id === "id7")).toBe(false);
    expect(state.damaged.map((d) => d.id)).toEqual(["id7"]);
    db.damaged = [];
    db.tasks.push(task(7));
    await apply(named({ tasks: ["id7"] }));
    expect(state.damaged).toEqual([]);
    expect(state.tasks[6].id).toBe("id7");
  });

  it("reads only the plans when only they moved, nothing for a note", async () => {
    await apply(named({ plans: true }));
    expect(calls.sort()).toEqual(["list_epics", "list_features"]);
    calls.length = 0;
    const touched = await apply(named({ plans: false, notes: ["id3"] }));
    expect(calls).toEqual([]);
    expect([...touched]).toEqual(["id3"]);
  });

  it("reloads everything when told so, or given no payload", async () => {
    await apply(named({ everything: true }));
    expect(calls.sort()).toEqual(["list_epics", "list_features", "list_tasks"]);
    calls.length = 0;
    const touched = await apply(null);
    expect(calls).toContain("list_tasks");
    expect(touched.has("*")).toBe(true);
  });

  it("merges changes that arrive while one is applied", async () => {
    db.tasks[0] = task(1, { title: "one" });
    db.tasks[1] = task(2, { title: "two" });
    db.tasks[2] = task(3, { title: "three" });
    const first = apply(named({ tasks: ["id1"] }));
    const second = apply(named({ tasks: ["id2"] }));
    const third = apply(named({ tasks: ["id3"], plans: false }));
    expect(second).toBe(first);
    expect(third).toBe(first);
    await first;
    expect(calls.filter((c) => c === "tasks_by_ids")).toHaveLength(2);
    expect(state.tasks.slice(0, 3).map((t) => t.title)).toEqual(["one", "two", "three"]);
  });
});
