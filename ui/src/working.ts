// Long work in the window (import, export, connecting): a progress bar
// with what is happening and the seconds so far, in the place the result
// will show, until the work ends. The work runs in the app's core, which
// reports no counts on the way, so the bar is indeterminate and the clock
// is what moves.
import { h } from "./dom";

/** Shows `label` with a progress bar in `where`; call the result to stop. */
export function working(where: HTMLElement, label: string, now: () => number = Date.now): () => void {
  const started = now();
  const text = h("span", {}, `${label}…`);
  where.replaceChildren(h("span", { class: "working" }, h("progress", { "aria-label": label }), text));
  where.className = "probe";
  const timer = setInterval(() => {
    text.textContent = `${label}… ${Math.floor((now() - started) / 1000)} s`;
  }, 1000);
  return () => clearInterval(timer);
}
