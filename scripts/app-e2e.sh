#!/usr/bin/env bash
# The real desktop app end to end: under Xvfb in a private D-Bus session
# (dbus-run-session), with a private HOME, runtime dir and Shark home, driven
# over WebDriver by tests/app/app-e2e.mjs. Needs the app and CLI built (the
# test command builds them), tauri-driver and WebKitWebDriver.
# SHARK_APP_BIN / SHARK_BIN override the binaries; SHOTS_DIR keeps screenshots.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$HOME/.cache/shark/target}"
export SHARK_APP_BIN="${SHARK_APP_BIN:-$TARGET/debug/shark-app}"
export SHARK_BIN="${SHARK_BIN:-$TARGET/debug/shark}"
for b in "$SHARK_APP_BIN" "$SHARK_BIN"; do
  [ -x "$b" ] || { echo "missing $b: build first (cargo build -p shark-app -p shark-cli, after npm run ui:build)" >&2; exit 1; }
done
command -v tauri-driver >/dev/null || { echo "tauri-driver is missing: cargo install tauri-driver --locked" >&2; exit 1; }
work="$(mktemp -d /tmp/shark-app-e2e.XXXXXX)"
# D-Bus may have started xdg-document-portal, which mounts $XDG_RUNTIME_DIR/doc
# (FUSE): unmount it before removing the folder; cleaning never fails the run.
cleanup() {
  umount -l "$work/run/doc" 2>/dev/null || fusermount3 -uz "$work/run/doc" 2>/dev/null || true
  rm -rf "$work" 2>/dev/null || true
}
trap cleanup EXIT
export SHARK_LOG="${SHARK_LOG:-info}"
mkdir -p "$work/home" "$work/run" "$work/shark"
chmod 700 "$work/run" "$work/shark"
export SHOTS_DIR="${SHOTS_DIR:-$work}"
export HOME="$work/home" XDG_RUNTIME_DIR="$work/run" SHARK_HOME="$work/shark"
export XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share"
export SHARK_NO_KEYRING=1 NO_AT_BRIDGE=1 GTK_USE_PORTAL=0 ROOT
# The app owns the database here; a second machine's commands run in the
# foreground (the daemon has its own tests and stops what it starts).
export SHARK_DAEMON=off
# The app's and the CLI's clock start ten days into a month (time runs on from
# there), so the usage step's projected limit date is the same on every day.
export SHARK_TEST_NOW="${SHARK_TEST_NOW:-2026-11-10T12:00:00Z}"
# The session's daemons are chatty on stderr: keep their output for failures.
if dbus-run-session -- bash "$ROOT/tests/app/in-session.sh" 2>"$work/session.log"; then
  exit 0
fi
echo "--- the session's log (stderr of the app, WebKit and D-Bus):" >&2
tail -n 60 "$work/session.log" >&2
exit 1
