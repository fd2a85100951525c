#!/usr/bin/env bash
# Sets up and runs every check: formatting, clippy with warnings denied, and
# all tests (core unit tests, integration tests that drive the real `shark`
# binary, and sync tests against the real Turso sync server from npm).
# CI runs exactly this (.ci/run).
source "$(dirname "$0")/common.sh"
need_rust
need_build_libs
need_apt sqlite3 sqlite3
need_apt dbus-run-session dbus
need_apt gnome-keyring-daemon gnome-keyring
need_npm
cd "$ROOT"
log "cargo fmt --check"
cargo fmt --all --check
log "cargo clippy (warnings denied)"
cargo clippy --locked --workspace --all-targets -- -D warnings
log "building the shark binary the integration tests drive"
cargo build --locked -p shark-cli
log "cargo test"
cargo test --locked --workspace
