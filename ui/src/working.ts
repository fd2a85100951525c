// Long work in the window (import, export, connecting): a progress bar
// with what is happening and the seconds so far, in the place the result
// will show, until the work ends. The work runs in the app's core, which
// reports no counts on the way, so the bar is indeterminate and the clock
// is what moves.
import { h } from "./dom";

/** Shows `label` with a progress bar in `where`; call the result to stop. */
export function working(where: HTMLElement, label: string, now: () => number = Date.now): () => void {
  const started = now();
  // The seconds are not announced each time they change (`where` may be a live region).
  const seconds = h("span", { "aria-hidden": "true" });
  where.replaceChildren(h("span", { class: "working" }, h("progress", { "aria-label": label }), `${label}…`, seconds));
  where.className = "probe";
  const timer = setInterval(() => {
    seconds.textContent = ` ${Math.floor((now() - started) / 1000)} s`;
  }, 1000);
  return () => clearInterval(timer);
}
