// Merges the suite's two halves (Rust: bench/main.rs; app: app-bench.mjs)
// into results.json and a Markdown table, and (full runs) puts the table
// into the README between its bench markers.
// node bench/report.mjs --core FILE --app FILE --out DIR [--readme README.md] [--commit SHA]
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const arg = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const core = JSON.parse(readFileSync(arg("core"), "utf8"));
const app = JSON.parse(readFileSync(arg("app"), "utf8"));
const out = arg("out");
const results = {
  date: new Date().toISOString(),
  commit: arg("commit") ?? null,
  machine: core.machine,
  profile: core.profile,
  quick: core.quick,
  figures: [...core.figures, ...app.figures],
};

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
  lines.push("", missed.length ? `Targets missed: ${missed.map((f) => f.id).join(", ")} (see "Where targets are missed" below).` : "Every target is met.");
  return lines.join("\n");
}

const md = table(results);
writeFileSync(join(out, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(out, "results.md"), `${md}\n`);
const readme = arg("readme");
if (readme) {
  const text = readFileSync(readme, "utf8");
  const start = "<!-- bench:start (written by npm run bench) -->";
  const end = "<!-- bench:end -->";
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`${readme} has no ${start} ... ${end} section`);
  writeFileSync(readme, `${text.slice(0, a + start.length)}\n${md}\n${text.slice(b)}`);
}
console.log(`${results.figures.length} figures -> ${join(out, "results.json")}, ${join(out, "results.md")}${readme ? `, ${readme}` : ""}`);
