import { describe, expect, it } from "vitest";
import { emptyState } from "./empty";
import { NO_FILTERS } from "./model";

const epic = { key: "E01" };
const feature = { key: "E01-F01", title: "Login" };
const base = { epics: [epic], features: [feature], tasks: [{ feature_key: "E01-F01" }], filters: { ...NO_FILTERS }, connected: false };

describe("the empty task pane", () => {
  it("offers a first run its three ways in, and no connect button once connected", () => {
    const first = emptyState({ ...base, epics: [], features: [], tasks: [] });
    expect(first.actions).toEqual(["epic", "import", "connect"]);
    expect(first.text).toContain("Go Shark");
    expect(emptyState({ ...base, epics: [], features: [], tasks: [], connected: true }).actions).toEqual(["epic", "import"]);
  });
  it("asks for a feature, then a task", () => {
    expect(emptyState({ ...base, features: [], tasks: [] }).actions).toEqual(["feature"]);
    expect(emptyState({ ...base, tasks: [] }).actions).toEqual(["task"]);
  });
  it("asks a chosen epic with no features for one", () => {
    const e = emptyState({ ...base, epics: [epic, { key: "E02" }], filters: { ...NO_FILTERS, scope: "E02" } });
    expect(e.actions).toEqual(["feature"]);
    expect(e.text).toContain("E02 has no features");
  });
  it("names a chosen feature that has no tasks", () => {
    const e = emptyState({ ...base, features: [feature, { key: "E01-F02", title: "Signup" }], filters: { ...NO_FILTERS, scope: "E01-F02" } });
    expect(e).toEqual({ text: "E01-F02 Signup has no tasks yet.", actions: ["task"] });
  });
  it("offers to clear filters that match nothing, and says where finished tasks are", () => {
    expect(emptyState({ ...base, filters: { ...NO_FILTERS, text: "nothing" } }).actions).toEqual(["clear-filters"]);
    expect(emptyState({ ...base, filters: { ...NO_FILTERS, scope: "E01", agent: "codex" } }).actions).toEqual(["clear-filters"]);
    // A scope whose tasks are all done: the status filter is why, not the scope.
    expect(emptyState({ ...base, filters: { ...NO_FILTERS, scope: "E01-F01" } }).actions).toEqual(["task"]);
    const done = emptyState(base);
    expect(done.actions).toEqual(["task"]);
    expect(done.text).toContain("All statuses");
  });
});
