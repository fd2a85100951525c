// The benchmark suite's app half, inside the private X and D-Bus session of
// scripts/app-e2e.sh (E2E_SCRIPT points here): the real app over WebDriver.
// Measures launch to first paint (empty database), launch to N tasks shown,
// filtering N tasks, idle RSS and PSS of all the app's processes, idle CPU
// local-only and connected to a sync server with no news (started here, on
// loopback), and a remote edit of one task: IPC calls and time until the
// window shows it. Writes its figures as JSON to $BENCH_APP_OUT for
// bench/report.mjs.
// BENCH_QUICK=1: tiny sizes and short waits (checks only that it completes).
import { execFileSync, spawn } from "node:child_process";
import { createServer, connect } from "node:net";
import { readFileSync, readdirSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const quick = process.env.BENCH_QUICK === "1";
const TASKS = quick ? 50 : 10_000;
const LAUNCHES = quick ? 1 : 5;
const FILTERS = quick ? 2 : 10;
const IDLE_SETTLE_MS = quick ? 1_000 : 5_000;
const CPU_WINDOW_MS = quick ? 2_000 : 60_000;
const REMOTE_EDITS = quick ? 1 : 5;
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
/** CPU of all the app's processes over the window, % of one core. */
async function idleCpu() {
  const procs = appProcesses();
  const t0 = procs.reduce((s, p) => s + cpuTicks(p.pid), 0);
  const w0 = performance.now();
  await sleep(CPU_WINDOW_MS);
  const ticks = procs.reduce((s, p) => s + cpuTicks(p.pid), 0) - t0;
  return (ticks / hz) / ((performance.now() - w0) / 1000) * 100;
}
const localPct = await idleCpu();
figure("app_idle_cpu", `idle CPU over ${CPU_WINDOW_MS / 1000} s, local-only, all the app's processes (% of one core)`, "%", [localPct], { target: { stat: "median", op: "<", value: 1, text: "< 1%" } });
await quit(sid);

// 5. Connected to a sync server with no news (the local one answers pulls at
// once: the owner pulls every 500 ms), idle; then one task edited on
// another machine.
const freePort = () => new Promise((resolve) => {
  const s = createServer().listen(0, "127.0.0.1", () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});
const port = await freePort();
const serverDir = mkdtempSync(join(tmpdir(), "shark-bench-server-"));
const tursodb = join(process.env.ROOT, "node_modules/@tursodatabase/cli-linux-x64-gnu/tursodb");
const server = spawn(tursodb, [join(serverDir, "server.db"), "--sync-server", `127.0.0.1:${port}`], { stdio: "ignore" });
// Stopped by pid whatever the outcome.
process.on("exit", () => server.kill("SIGKILL"));
for (let up = false, t = performance.now(); !up; ) {
  up = await new Promise((r) => connect(port, "127.0.0.1").on("connect", function () { this.destroy(); r(true); }).on("error", () => r(false)));
  if (!up && performance.now() - t > 15_000) throw new Error("the sync server did not start");
  if (!up) await sleep(50);
}
const url = `http://127.0.0.1:${port}`;
run(["cloud", "init", "--url", url]);
const connected = await launch(`return document.querySelector('#count')?.textContent === '${TASKS} of ${TASKS} tasks' && document.querySelector('#sync-text')?.textContent.startsWith('Synced')`);
sid = connected.sid;
await sleep(IDLE_SETTLE_MS);
const connectedPct = await idleCpu();
const ratio = localPct > 0 ? connectedPct / localPct : null;
figure("app_idle_cpu_connected", `idle CPU over ${CPU_WINDOW_MS / 1000} s, connected to a sync server with no news (pulls every 500 ms), all the app's processes (% of one core)`, "%", [connectedPct], {
  target: { stat: "median", op: "<", value: Math.min(1, 2 * localPct), text: "< 1% and at most 2x local-only" },
  note: `local-only: ${localPct.toFixed(2)}%${ratio === null ? "" : ` (connected is ${ratio.toFixed(1)}x)`}`,
});

// Another machine joins, edits one task and pushes; the window shows it.
const other = { ...process.env, SHARK_HOME: mkdtempSync(join(tmpdir(), "shark-bench-other-")) };
const runOther = (args) => execFileSync(shark, args, { encoding: "utf8", env: other });
runOther(["cloud", "init", "--url", url]);
const edits = [];
const ipc = [];
for (let i = 0; i < REMOTE_EDITS; i++) {
  const title = `Edited on the other machine ${i}`;
  await wd("POST", `/session/${sid}/execute/sync`, {
    script: `const calls = window.__sharkIpcCalls; for (const k of Object.keys(calls)) delete calls[k];
      window.__seenAt = null;
      const want = arguments[0];
      const look = () => [...document.querySelectorAll('.row')].some((r) => r.textContent.includes(want)) ? (window.__seenAt = Date.now()) : setTimeout(look, 2);
      look();
      return true;`,
    args: [title],
  });
  runOther(["task", "update", "T-E01-F01-001", "--title", title]);
  runOther(["cloud", "sync"]);
  const pushedAt = Date.now();
  let seenAt = null;
  for (const t = performance.now(); seenAt === null; await sleep(5)) {
    seenAt = await wd("POST", `/session/${sid}/execute/sync`, { script: "return window.__seenAt", args: [] });
    if (performance.now() - t > 60_000) throw new Error("the window never showed the remote edit");
  }
  await sleep(300);
  const calls = await wd("POST", `/session/${sid}/execute/sync`, { script: "return { ...window.__sharkIpcCalls }", args: [] });
  edits.push(Math.max(0, seenAt - pushedAt));
  ipc.push(Object.values(calls).reduce((a, b) => a + b, 0));
  if (i === 0) console.log(`# a remote edit invoked: ${JSON.stringify(calls)}`);
}
figure(`app_remote_edit_${TASKS}`, `a task edited on another machine, ${TASKS.toLocaleString("en")} tasks: its push done to the window showing it`, "ms", edits);
figure(`app_remote_edit_ipc_${TASKS}`, `IPC calls the window makes for that edit (the whole list is not read again)`, "calls", ipc, { target: { stat: "median", op: "<", value: 5, text: "< 5 calls" } });
await quit(sid);
server.kill("SIGKILL");

writeFileSync(process.env.BENCH_APP_OUT, JSON.stringify({ figures }, null, 2));
console.log(`# ${figures.length} app figures -> ${process.env.BENCH_APP_OUT}`);
