#!/usr/bin/env bash
# Sets up and runs every check: formatting, clippy with warnings denied, the
# Rust tests (core, CLI driven as a real binary, sync against the real Turso
# sync server from npm, the app's shell), the UI's unit tests (Vitest), the UI
# end to end in headless Chromium, the real app under Xvfb over WebDriver, the
# Debian package (built, installed, upgraded, removed with dpkg), and the
# benchmark suite in its quick mode (it must complete; timings unchecked).
# CI runs exactly this (.ci/run).
source "$(dirname "$0")/common.sh"
need_rust
need_app_libs
need_apt_pkgs sqlite3 dbus gnome-keyring xvfb xauth webkit2gtk-driver chromium python3-dbus systemd
need_npm
cd "$ROOT"
build_ui
log "cargo fmt --check"
cargo fmt --all --check
log "cargo clippy (warnings denied)"
cargo clippy --locked --workspace --all-targets -- -D warnings
log "building the shark CLI and the app (the tests drive both)"
cargo build --locked -p shark-cli -p shark-app
log "cargo test"
cargo test --locked --workspace
log "UI unit tests (vitest)"
npx --no-install vitest run
log "UI end to end (headless Chromium, IPC mocked)"
node ui/e2e/ui-e2e.mjs
need_tauri_driver
log "the app end to end (Xvfb, D-Bus, WebDriver)"
bash scripts/app-e2e.sh
log "the Debian package: built, installed, upgraded and removed (dpkg, throwaway root)"
bash scripts/package-test.sh
log "the benchmark suite, quick mode (tiny sizes: it must complete)"
bash scripts/bench.sh --quick
log "all checks passed"
