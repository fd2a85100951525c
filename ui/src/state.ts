// The window's state: data loaded from the app, the filters, the selection,
// a tiny change notification so views redraw what depends on it, and the
// updates a data-changed event names (one remote edit: one task fetched).
import { api, type AppStatus, type DamagedRow, type DataChange, type Epic, type Feature, type Task } from "./api";
import { NO_FILTERS, compareTasks, type Filters } from "./model";

type Listener = () => void;

export const state = {
  epics: [] as Epic[],
  features: [] as Feature[],
  tasks: [] as Task[],
  /** Rows the app could not read (another machine's, a newer Shark's, a hand edit's). */
  damaged: [] as DamagedRow[],
  filters: { ...NO_FILTERS } as Filters,
  selected: null as string | null,
  view: "list" as "list" | "board",
  status: null as AppStatus | null,
  loadError: null as string | null,
};

const listeners = new Set<Listener>();

export function onChange(f: Listener): void {
  listeners.add(f);
}

export function changed(): void {
  for (const f of listeners) f();
}

let loading: Promise<void> | null = null;
let again = false;

/** Reloads everything from the app; calls made during a load coalesce. */
export async function reload(): Promise<void> {
  if (loading) {
    again = true;
    return loading;
  }
  loading = (async () => {
    do {
      again = false;
      try {
        const [epics, features, tasks] = await Promise.all([api.epics(), api.features(), api.tasks()]);
        state.epics = epics.items;
        state.features = features.items;
        state.tasks = tasks.items;
        state.damaged = [...epics.damaged, ...features.damaged, ...tasks.damaged];
        state.loadError = null;
      } catch (e) {
        state.loadError = (e as { message?: string }).message ?? String(e);
      }
      changed();
    } while (again);
  })();
  try {
    await loading;
  } finally {
    loading = null;
  }
}

let queued: DataChange | null = null;
let applying: Promise<Set<string>> | null = null;

/** Two changes as one (ids united). */
export function merge(a: DataChange | null, b: DataChange): DataChange {
  if (!a) return { ...b, tasks: [...b.tasks], removed: [...b.removed], notes: [...b.notes] };
  const u = (x: string[], y: string[]) => [...new Set([...x, ...y])];
  return {
    everything: a.everything || b.everything,
    plans: a.plans || b.plans,
    tasks: u(a.tasks, b.tasks),
    removed: u(a.removed, b.removed),
    notes: u(a.notes, b.notes),
  };
}

/**
 * Brings the model up to date with what a data-changed event named: the
 * named tasks are fetched and replaced, inserted or dropped; the epics and
 * features are read again when they moved. "Everything" (or an event with
 * no payload) reloads. Changes arriving meanwhile are merged and applied
 * next. Resolves to the ids of the tasks touched (for the open detail).
 */
export function apply(change: DataChange | null): Promise<Set<string>> {
  const c = change ?? { everything: true, plans: true, tasks: [], removed: [], notes: [] };
  queued = merge(queued, c);
  if (!applying) {
    applying = (async () => {
      const touched = new Set<string>();
      try {
        while (queued) {
          const next: DataChange = queued;
          queued = null;
          if (next.everything) {
            await reload();
            touched.add("*");
          } else {
            for (const id of await applyNamed(next)) touched.add(id);
          }
        }
      } finally {
        applying = null;
      }
      return touched;
    })();
  }
  return applying;
}

/** Tasks whose dependencies show a named task: by its key when it is gone
 * (it shows as its id now), by its id when it arrived (it shows as its key
 * now). Their own rows did not change, so the event does not name them. */
function dependents(c: DataChange): string[] {
  const gone = new Set(c.removed);
  const goneKeys = new Set(state.tasks.filter((t) => gone.has(t.id)).map((t) => t.key));
  const arrived = new Set(c.tasks);
  return state.tasks
    .filter((t) => !gone.has(t.id) && !arrived.has(t.id))
    .filter((t) => t.depends_on.some((d) => goneKeys.has(d) || arrived.has(d)))
    .map((t) => t.id);
}

async function applyNamed(change: DataChange): Promise<string[]> {
  if (loading) await loading;
  // More than the core reads by id (rare: hundreds of dependents) fails
  // the read below, and the window reads everything.
  const c = { ...change, tasks: [...change.tasks, ...dependents(change)] };
  let plans: [Awaited<ReturnType<typeof api.epics>>, Awaited<ReturnType<typeof api.features>>] | null = null;
  let got: Awaited<ReturnType<typeof api.tasksByIds>> | null = null;
  try {
    [plans, got] = await Promise.all([
      c.plans ? Promise.all([api.epics(), api.features()]) : Promise.resolve(null),
      c.tasks.length ? api.tasksByIds(c.tasks) : Promise.resolve(null),
    ]);
  } catch (e) {
    // Whatever failed, a whole read says where things stand (or why not).
    console.warn("reading the changed rows failed; reading everything", e);
    await reload();
    return ["*"];
  }
  const named = new Set([...c.tasks, ...c.removed]);
  let damaged = state.damaged;
  if (plans) {
    const [epics, features] = plans;
    state.epics = epics.items;
    state.features = features.items;
    damaged = [...epics.damaged, ...features.damaged, ...damaged.filter((d) => d.table !== "epics" && d.table !== "features")];
  }
  if (named.size) {
    const fresh = new Map((got?.items ?? []).map((t) => [t.id, t]));
    const kept: Task[] = [];
    for (const t of state.tasks) {
      const now = fresh.get(t.id);
      if (now && compareTasks(now, t) === 0) {
        // In place, unless what it sorts by changed (a hand edit).
        kept.push(now);
        fresh.delete(t.id);
      } else if (!named.has(t.id)) kept.push(t);
    }
    for (const t of fresh.values()) insertSorted(kept, t);
    state.tasks = kept;
    damaged = [
      ...damaged.filter((d) => !(d.table === "tasks" && d.id !== null && named.has(d.id))),
      ...(got?.damaged ?? []),
    ];
  }
  state.damaged = damaged;
  changed();
  return [...named, ...c.notes];
}

function insertSorted(tasks: Task[], t: Task): void {
  let lo = 0;
  let hi = tasks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareTasks(tasks[mid], t) <= 0) lo = mid + 1;
    else hi = mid;
  }
  tasks.splice(lo, 0, t);
}
