// Test data shared by the UI's unit tests (not shipped: only tests import it).
import type { Task } from "./api";

/** Task n of feature E01-F01, key T-E01-F01-00n, with `over` applied. */
export function task(n: number, over: Partial<Task> = {}): Task {
  const key = `T-E01-F01-${String(n).padStart(3, "0")}`;
  return {
    id: `id${n}`,
    feature_id: "f1",
    epic_key: "E01",
    feature_key: "E01-F01",
    key,
    title: `Task ${n}`,
    description: null,
    status: "todo",
    priority: 5,
    agent_type: null,
    assigned_agent: null,
    depends_on: [],
    blocked_reason: null,
    created_at: "2026-11-22T00:00:00Z",
    started_at: null,
    completed_at: null,
    blocked_at: null,
    updated_at: "2026-11-22T00:00:00Z",
    ...over,
  };
}
