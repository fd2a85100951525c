// Layout and accessibility checks for the UI end-to-end run: every control
// (and what rows, fields and checks show) of the view on screen lies inside
// the viewport, or inside a pane that lies
// inside it (only the board scrolls sideways, by design); and axe-core finds
// no serious or critical violation.
import { createRequire } from "node:module";

const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/** What lies outside the viewport or its pane, as sentences (empty: none). */
export async function outside(page) {
  return page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const vh = document.documentElement.clientHeight;
    const bad = [];
    if (document.documentElement.scrollWidth > vw + 1) bad.push(`the page scrolls sideways (${document.documentElement.scrollWidth} > ${vw} px)`);
    const scrolls = (el) => {
      const s = getComputedStyle(el);
      return /(auto|scroll)/.test(`${s.overflowX} ${s.overflowY}`);
    };
    const name = (el) => (el.id ? `#${el.id}` : `${el.tagName.toLowerCase()} "${(el.getAttribute("aria-label") || el.textContent || "").trim().slice(0, 30)}"`);
    const scope = document.querySelector("dialog[open]") ?? document;
    const panes = new Set();
    // Controls, and what a row, tree item, field or check shows (cut off by
    // a pane's edge it would be lost, even where it is not a control).
    const shown = "button, input, select, textarea, summary, a[href], [tabindex], .row > *, .tree-item > *, .detail-head > *, .field > *, .check > *, .quota-head > *";
    for (const el of scope.querySelectorAll(shown)) {
      const r = el.getBoundingClientRect();
      if ((r.width === 0 && r.height === 0) || getComputedStyle(el).visibility === "hidden") continue;
      let pane = el.parentElement;
      while (pane && pane !== document.body && !scrolls(pane)) pane = pane.parentElement;
      if (pane && pane !== document.body) {
        panes.add(pane);
        const p = pane.getBoundingClientRect();
        const sideways = pane.classList.contains("board");
        if (!sideways && (r.left < p.left - 1 || r.right > p.right + 1)) {
          bad.push(`${name(el)} runs past its pane's edge (${Math.round(r.left)}..${Math.round(r.right)} px in ${name(pane)} at ${Math.round(p.left)}..${Math.round(p.right)})`);
        }
      } else if (r.left < -1 || r.right > vw + 1 || r.top < -1 || r.bottom > vh + 1) {
        bad.push(`${name(el)} lies outside the ${vw}x${vh} viewport (${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}x${Math.round(r.height)})`);
      }
    }
    for (const pane of panes) {
      const p = pane.getBoundingClientRect();
      if (p.left < -1 || p.right > vw + 1 || p.top < -1 || p.bottom > vh + 1) {
        bad.push(`${name(pane)} lies outside the ${vw}x${vh} viewport (${Math.round(p.left)},${Math.round(p.top)} ${Math.round(p.width)}x${Math.round(p.height)})`);
      }
      if (!pane.classList.contains("board") && pane.scrollWidth > pane.clientWidth + 1) {
        bad.push(`${name(pane)} scrolls sideways (${pane.scrollWidth} > ${pane.clientWidth} px): something in it is cut off`);
      }
    }
    return bad;
  });
}

/** axe-core's serious and critical violations on the page, as sentences. */
export async function seriousViolations(page) {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: axePath });
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.help}, at ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join("; ")}`);
  });
}
