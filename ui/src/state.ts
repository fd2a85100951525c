// The window's state: data loaded from the app, the filters, the selection,
// and a tiny change notification so views redraw what depends on it.
import { api, type AppStatus, type DamagedRow, type Epic, type Feature, type Task } from "./api";
import { NO_FILTERS, type Filters } from "./model";

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
