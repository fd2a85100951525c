#!/usr/bin/env bash
# The benchmark suite: `npm run bench` builds in release mode, starts its own
# sync servers, runs every benchmark (the Rust half: tests/examples/bench;
# the desktop app under Xvfb: bench/app-bench.mjs) and writes
# bench/results.json, bench/results.md and docs/benchmarks.md.
# `npm run bench -- --quick` uses tiny sizes on the debug build and writes
# to a temporary folder: the test command runs it so the suite never rots
# (it checks only that everything completes, not the timings).
source "$(dirname "$0")/common.sh"
quick=0
[ "${1:-}" = "--quick" ] && quick=1
need_rust
need_app_libs
need_apt_pkgs sqlite3 dbus xvfb xauth webkit2gtk-driver python3
need_npm
cd "$ROOT"
build_ui
# One cargo invocation: the binaries and the bench share one set of features
# (two invocations would build the core twice).
if [ "$quick" = 1 ]; then
  profile=debug
  log "benchmarks, quick: building (debug)"
  cargo build --locked -p shark-cli -p shark-app -p shark-tests --bins --example bench
else
  profile=release
  log "benchmarks: building in release mode (the first build takes a while)"
  cargo build --release --locked -p shark-cli -p shark-app -p shark-tests --bins --example bench
fi
need_tauri_driver
BIN="$CARGO_TARGET_DIR/$profile"
work="$(mktemp -d /tmp/shark-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
qflag=()
[ "$quick" = 1 ] && qflag=(--quick)
log "benchmarks: reads, writes, sync (own sync servers on loopback), import and export"
SHARK_BIN="$BIN/shark" "$BIN/examples/bench" "${qflag[@]}" --out "$work/core.json"
log "benchmarks: the desktop app under Xvfb"
SHARK_APP_BIN="$BIN/shark-app" SHARK_BIN="$BIN/shark" E2E_SCRIPT="$ROOT/bench/app-bench.mjs" \
  BENCH_QUICK="$quick" BENCH_APP_OUT="$work/app.json" bash "$ROOT/scripts/app-e2e.sh"
commit="$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || true)"
if [ "$quick" = 1 ]; then
  node bench/report.mjs --core "$work/core.json" --app "$work/app.json" --out "$work" --commit "$commit"
  log "benchmarks, quick: completed (figures not kept)"
else
  node bench/report.mjs --core "$work/core.json" --app "$work/app.json" --out "$ROOT/bench" --doc "$ROOT/docs/benchmarks.md" --commit "$commit"
  log "benchmarks: bench/results.json, bench/results.md and docs/benchmarks.md are updated"
fi
