// Merges the suite's two halves (Rust: tests/examples/bench; app:
// app-bench.mjs) into results.json and a Markdown table, and (full runs)
// writes docs/benchmarks.md from that one run: how the suite runs
// (bench/about.md), every figure, and why each missed target is missed
// (bench/notes.md, whose figures are filled in from the run).
// node bench/report.mjs --core FILE --app FILE --out DIR [--doc docs/benchmarks.md] [--commit SHA]
// node bench/report.mjs --from bench/results.json --doc docs/benchmarks.md   (the page again, from the last run)
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const arg = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const here = dirname(fileURLToPath(import.meta.url));
const out = arg("out");
const results = arg("from") ? JSON.parse(readFileSync(arg("from"), "utf8")) : merged();

function merged() {
  const core = JSON.parse(readFileSync(arg("core"), "utf8"));
  const app = JSON.parse(readFileSync(arg("app"), "utf8"));
  return {
    date: new Date().toISOString(),
    commit: arg("commit") ?? null,
    machine: core.machine,
    profile: core.profile,
    quick: core.quick,
    figures: [...core.figures, ...app.figures],
  };
}

/** A value in its unit, readable: ms below 10 s, else s; bytes with separators. */
export function show(v, unit) {
  if (unit === "ms") return v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${v.toFixed(v < 10 ? 2 : 1)} ms`;
  if (unit === "bytes") return `${Math.round(v).toLocaleString("en")} B`;
  if (unit === "x") return `${Math.round(v).toLocaleString("en")}x`;
  if (unit === "%") return `${v.toFixed(2)}%`;
  return `${v.toFixed(1)} ${unit}`;
}

function table(r) {
  const m = r.machine;
  const lines = [
    `Measured ${r.date.slice(0, 10)}${r.commit ? ` at ${r.commit.slice(0, 7)}` : ""}, ${r.profile} build, on ${m.cores} cores (${m.cpu || "unknown CPU"}), ${(m.memory_mb / 1024).toFixed(1)} GB of memory, Linux ${m.kernel}. Median and 95th percentile (nearest rank) of the runs shown; one run where the figure is a single measurement.`,
    "",
  ];
  let group = null;
  for (const f of r.figures) {
    if (f.group !== group) {
      group = f.group;
      lines.push("", `**${group}**`, "", "| Benchmark | Median | p95 | Runs | Target |", "| --- | ---: | ---: | ---: | --- |");
    }
    const target = f.target ? `${f.target.text}: ${f.met ? "met" : "**missed**"}` : "";
    const note = f.note ? ` (${f.note})` : "";
    lines.push(`| ${f.name}${note} | ${show(f.median, f.unit)} | ${show(f.p95, f.unit)} | ${f.runs} | ${target} |`);
  }
  const missed = r.figures.filter((f) => f.met === false);
  lines.push("", missed.length ? `Targets missed: ${missed.map((f) => f.id).join(", ")} (docs/benchmarks.md, "Where targets are missed", says why).` : "Every target is met.");
  return lines.join("\n");
}

/** bench/notes.md's note per figure id, its {{p95:ID}} and {{median:ID}} filled in from `r`. */
export function notes(r, text, known = new Set()) {
  const byId = new Map(r.figures.map((f) => [f.id, f]));
  // A quick run lacks some figures: an id is then checked against `known`
  // (the last full run's), so a typo fails the test command, not the hour-long run.
  const check = (id) => {
    if (!byId.has(id) && !(r.quick && known.has(id))) throw new Error(`bench/notes.md names ${id}, which the run does not have`);
  };
  const fill = (s) =>
    s.replace(/\{\{(p95|median):([a-z0-9_]+)\}\}/g, (_, stat, id) => {
      check(id);
      const f = byId.get(id);
      return f ? show(f[stat], f.unit) : "?";
    });
  const out = new Map();
  for (const part of text.replace(/<!--[\s\S]*?-->/g, "").split(/^## /m).slice(1)) {
    const [id, ...body] = part.split("\n");
    check(id.trim());
    out.set(id.trim(), fill(body.join("\n").trim()));
  }
  return out;
}

/** The whole page: how the suite runs, every figure of this run, the missed targets explained. */
function page(r) {
  const last = JSON.parse(readFileSync(join(here, "results.json"), "utf8"));
  const why = notes(r, readFileSync(join(here, "notes.md"), "utf8"), new Set(last.figures.map((f) => f.id)));
  const missed = r.figures.filter((f) => f.met === false);
  const lines = [readFileSync(join(here, "about.md"), "utf8").trim(), "", "## Figures", "", table(r), "", "## Where targets are missed", ""];
  if (!missed.length) lines.push("Nowhere: every target is met in this run.");
  for (const f of missed) {
    lines.push(`- **${f.name}**: p95 ${show(f.p95, f.unit)} (median ${show(f.median, f.unit)}); target ${f.target.text}.`, "");
    lines.push(`  ${(why.get(f.id) ?? "No note explains this one yet (bench/notes.md).").replace(/\n/g, "\n  ")}`, "");
  }
  return `<!-- Written by npm run bench (bench/report.mjs) from one run; edit bench/about.md and bench/notes.md instead. -->\n${lines.join("\n").trim()}\n`;
}

if (out) {
  writeFileSync(join(out, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(out, "results.md"), `${table(results)}\n`);
}
const doc = arg("doc");
if (doc) writeFileSync(doc, page(results));
// The quick run renders the page too (not kept), so a broken note fails the test command.
else page(results);
console.log(`${results.figures.length} figures${out ? ` -> ${join(out, "results.json")}, ${join(out, "results.md")}` : ""}${doc ? `, ${doc}` : ""}`);
