#!/usr/bin/env bash
# Measures what issue 2 asks for: `shark task list --json` as a whole process
# with 1,000 and 10,000 tasks (median and 95th percentile of 30 runs, release
# build, via hyperfine) and the database size for 10,000 tasks.
# The full benchmark suite (issue 7) will supersede this.
source "$(dirname "$0")/common.sh"
need_rust
need_build_libs
need_apt hyperfine hyperfine
need_apt python3 python3
cd "$ROOT"
# SHARK_BIN=path measures an already built release binary.
if [ -z "${SHARK_BIN:-}" ]; then
  cargo build --release --locked -p shark-cli >&2
fi
SHARK="${SHARK_BIN:-$CARGO_TARGET_DIR/release/shark}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for n in 1000 10000; do
  home="$work/home-$n"
  python3 - "$n" > "$work/batch-$n.json" <<'PY'
import json, sys
n = int(sys.argv[1])
print(json.dumps([{"feature": "E01-F%02d" % (1 + i % 10), "title": "Task %d of the benchmark" % i,
                   "priority": 1 + i % 10, "agent": ["backend", "frontend", "testing"][i % 3]}
                  for i in range(n)]))
PY
  SHARK_HOME="$home" "$SHARK" epic create "Benchmark" >/dev/null
  for f in $(seq 10); do SHARK_HOME="$home" "$SHARK" feature create E01 "Feature $f" >/dev/null; done
  start=$(date +%s.%N)
  SHARK_HOME="$home" "$SHARK" task create --batch "$work/batch-$n.json" >/dev/null
  end=$(date +%s.%N)
  SHARK_HOME="$home" hyperfine -N --warmup 3 --runs 30 --export-json "$work/list-$n.json" \
    "$SHARK task list --json" >/dev/null 2>&1
  python3 - "$work/list-$n.json" "$n" "$start" "$end" "$home" <<'PY'
import json, math, os, statistics, sys
path, n, start, end, home = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
times = sorted(t * 1000 for t in json.load(open(path))["results"][0]["times"])
p95 = times[math.ceil(0.95 * len(times)) - 1]  # nearest rank
size = lambda f: os.path.getsize(os.path.join(home, f)) if os.path.exists(os.path.join(home, f)) else 0
print(f"{n} tasks: task list --json median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms "
      f"({len(times)} runs); batch create {end - start:.2f} s; "
      f"shark.db {size('shark.db') / 1e6:.1f} MB + WAL {size('shark.db-wal') / 1e6:.1f} MB")
PY
done
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB"
