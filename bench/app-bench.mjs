// The benchmark suite's app half, inside the private X and D-Bus session of
// scripts/app-e2e.sh (E2E_SCRIPT points here): the real app over WebDriver.
// Measures launch to first paint (empty database), launch to N tasks shown,
// filtering N tasks, idle RSS and PSS of all the app's processes, and idle
// CPU. Writes its figures as JSON to $BENCH_APP_OUT for bench/report.mjs.
// BENCH_QUICK=1: tiny sizes and short waits (checks only that it completes).
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const quick = process.env.BENCH_QUICK === "1";
const TASKS = quick ? 50 : 10_000;
const LAUNCHES = quick ? 1 : 5;
const FILTERS = quick ? 2 : 10;
const IDLE_SETTLE_MS = quick ? 1_000 : 5_000;
const CPU_WINDOW_MS = quick ? 2_000 : 30_000;
const driver = `http://127.0.0.1:${process.env.DRIVER_PORT}`;
const app = process.env.SHARK_APP_BIN;
const shark = process.env.SHARK_BIN;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function wd(method, path, body) {
  const r = await fetch(`${driver}${path}`, { method, headers: { "content-type": "application/json" }, body: body ? JSON.stringify(body) : undefined });
  const json = await r.json();
  if (!r.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json.value)}`);
  return json.value;
}

/** Starts the app; returns the session id and the ms from launch until `ready` holds. */
async function launch(ready) {
  const t0 = performance.now();
  const s = await wd("POST", "/session", { capabilities: { alwaysMatch: { browserName: "wry", "tauri:options": { application: app } } } });
  const sid = s.sessionId;
  for (;;) {
    if (await wd("POST", `/session/${sid}/execute/sync`, { script: ready, args: [] })) break;
    if (performance.now() - t0 > 120_000) throw new Error("the app never became ready");
    await sleep(5);
  }
  return { sid, ms: performance.now() - t0 };
}
const quit = async (sid) => {
  await wd("DELETE", `/session/${sid}`).catch(() => {});
  await sleep(500);
};

function stats(samples) {
  const v = [...samples].sort((a, b) => a - b);
  const median = v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  const p95 = v[Math.max(1, Math.ceil(v.length * 0.95)) - 1];
  return { median, p95, runs: v.length };
}
const figures = [];
function figure(id, name, unit, samples, extra = {}) {
  const f = { id, group: "Desktop app", name, unit, ...stats(samples), ...extra };
  if (f.target) {
    const v = f.target.stat === "p95" ? f.p95 : f.median;
    f.met = f.target.op === "<" ? v < f.target.value : v >= f.target.value;
  }
  figures.push(f);
  console.log(`${id.padEnd(28)} median ${f.median.toFixed(1)} ${unit}  p95 ${f.p95.toFixed(1)} ${unit}  runs ${f.runs}${f.met === false ? " (TARGET MISSED)" : f.met ? " (target met)" : ""}`);
}

/** The app's process and every descendant (WebKit's web and network processes). */
function appProcesses() {
  const procs = readdirSync("/proc").filter((d) => /^\d+$/.test(d)).map((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return { pid, ppid: rest[1], exe: readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0] };
    } catch {
      return null;
    }
  }).filter(Boolean);
  const root = procs.find((p) => p.exe === app);
  if (!root) throw new Error("the app's process was not found");
  const out = [root];
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) {
      if (!out.includes(p) && out.some((o) => o.pid === p.ppid)) {
        out.push(p);
        grew = true;
      }
    }
  }
  return out;
}
const rollup = (pid, key) => Number(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8").match(new RegExp(`^${key}:\\s+(\\d+) kB`, "m"))?.[1] ?? 0);
const cpuTicks = (pid) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(rest[11]) + Number(rest[12]);
};

// 1. Launch to first paint on an empty database.
const firstPaint = [];
for (let i = 0; i < LAUNCHES; i++) {
  const { sid, ms } = await launch("return document.querySelector('#sync-text')?.textContent.startsWith('Local only')");
  firstPaint.push(ms);
  await quit(sid);
}
figure("app_first_paint", "launch to first paint, empty database (includes WebDriver's start-up)", "ms", firstPaint);

// 2. N tasks, made with the CLI while the app is closed.
const run = (args) => execFileSync(shark, args, { encoding: "utf8" });
run(["epic", "create", "Benchmark"]);
for (let f = 1; f <= 10; f++) run(["feature", "create", "E01", `Feature ${f}`]);
const batchDir = mkdtempSync(join(tmpdir(), "shark-bench-"));
const batch = Array.from({ length: TASKS }, (_, i) => ({ feature: `E01-F${String(1 + (i % 10)).padStart(2, "0")}`, title: `Task ${i} ${i % 10 === 0 ? "needle" : "hay"}`, priority: 1 + (i % 10) }));
writeFileSync(join(batchDir, "batch.json"), JSON.stringify(batch));
run(["task", "create", "--batch", join(batchDir, "batch.json")]);

const shown = [];
let sid = null;
for (let i = 0; i < LAUNCHES; i++) {
  const s = await launch(`return document.querySelector('#count')?.textContent === '${TASKS} of ${TASKS} tasks'`);
  shown.push(s.ms);
  if (i < LAUNCHES - 1) await quit(s.sid);
  else sid = s.sid;
}
figure(`app_show_${TASKS}`, `launch to ${TASKS.toLocaleString("en")} tasks shown`, "ms", shown);

// 3. Filtering: from the keystroke to the list and count redrawn, in the page.
const filterScript = `
  const [term, done] = [arguments[0], arguments[arguments.length - 1]];
  const search = document.querySelector('#search');
  const before = document.querySelector('#count').textContent;
  const t0 = performance.now();
  search.value = term;
  search.dispatchEvent(new Event('input'));
  // Polled with timers: WebKit under Xvfb may not run animation frames.
  const wait = () => document.querySelector('#count').textContent !== before
    ? done(performance.now() - t0)
    : performance.now() - t0 > 10000 ? done(null) : setTimeout(wait, 0);
  wait();`;
const filtered = [];
for (let i = 0; i < FILTERS; i++) {
  const took = await wd("POST", `/session/${sid}/execute/async`, { script: filterScript, args: [i % 2 ? "needle" : "hay"] });
  if (took === null) {
    const seen = await wd("POST", `/session/${sid}/execute/sync`, { script: "return [document.querySelector('#count').textContent, document.querySelector('#search').value, document.activeElement?.id]", args: [] });
    throw new Error(`the filter never changed the list: ${JSON.stringify(seen)}`);
  }
  filtered.push(took);
  await wd("POST", `/session/${sid}/execute/async`, { script: filterScript, args: [""] });
}
figure(`app_filter_${TASKS}`, `filter ${TASKS.toLocaleString("en")} tasks by text (input event to the list and count redrawn)`, "ms", filtered);

// 4. Idle: memory of every process, then CPU over a window.
await sleep(IDLE_SETTLE_MS);
const procs = appProcesses();
const names = procs.map((p) => p.exe.split("/").pop()).join(", ");
figure("app_idle_rss", `idle RSS of all the app's processes (${procs.length}: ${names}), ${TASKS.toLocaleString("en")} tasks loaded`, "MB", [procs.reduce((s, p) => s + rollup(p.pid, "Rss"), 0) / 1024]);
figure("app_idle_pss", "idle PSS of the same processes (shared pages split)", "MB", [procs.reduce((s, p) => s + rollup(p.pid, "Pss"), 0) / 1024]);
const hz = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
const t0 = procs.reduce((s, p) => s + cpuTicks(p.pid), 0);
const w0 = performance.now();
await sleep(CPU_WINDOW_MS);
const ticks = procs.reduce((s, p) => s + cpuTicks(p.pid), 0) - t0;
const pct = (ticks / hz) / ((performance.now() - w0) / 1000) * 100;
figure("app_idle_cpu", `idle CPU over ${CPU_WINDOW_MS / 1000} s, all the app's processes (% of one core)`, "%", [pct], { target: { stat: "median", op: "<", value: 1, text: "< 1%" } });
await quit(sid);

writeFileSync(process.env.BENCH_APP_OUT, JSON.stringify({ figures }, null, 2));
console.log(`# ${figures.length} app figures -> ${process.env.BENCH_APP_OUT}`);
