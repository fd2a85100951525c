// Short messages at the bottom of the window (errors stay until dismissed).
import { h } from "./dom";

export function toast(message: string, kind: "info" | "error" = "info"): void {
  const host = document.getElementById("toasts");
  if (!host) return;
  const el = h(
    "div",
    { class: `toast ${kind}`, role: kind === "error" ? "alert" : "status" },
    h("span", {}, message),
    h("button", { class: "link", "aria-label": "Dismiss", onclick: () => el.remove() }, "×"),
  );
  host.append(el);
  // Keep the newest few; information fades, errors stay until dismissed.
  while (host.children.length > 3) host.firstElementChild?.remove();
  if (kind === "info") setTimeout(() => el.remove(), 2500);
}
