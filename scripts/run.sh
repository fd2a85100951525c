#!/usr/bin/env bash
# Sets up and runs Shark: builds the UI and, in release mode, the desktop app
# and the `shark` CLI (./bin/shark-app, ./bin/shark), then starts the app on
# the local database (your data folder, or $SHARK_HOME). With no display (a
# server, CI), the app runs on a virtual one (Xvfb) so it still starts and
# its tray and CLI hand-off work; stop it with Ctrl-C.
source "$(dirname "$0")/common.sh"
need_rust
need_app_libs
need_apt dbus-run-session dbus
need_npm
cd "$ROOT"
build_ui
log "building the app and the CLI (release; the first build takes a while)"
cargo build --release --locked -p shark-app -p shark-cli
mkdir -p "$ROOT/bin"
ln -sf "$CARGO_TARGET_DIR/release/shark-app" "$ROOT/bin/shark-app"
ln -sf "$CARGO_TARGET_DIR/release/shark" "$ROOT/bin/shark"
log "the CLI is at $ROOT/bin/shark (commands are handed to the app while it runs)"
APP="$ROOT/bin/shark-app"
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  log "starting the Shark app"
  if [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then exec "$APP" "$@"; fi
  exec dbus-run-session -- "$APP" "$@"
fi
need_apt_pkgs xvfb xauth
log "no display here: starting the app on a virtual display (Xvfb); Ctrl-C stops it"
exec dbus-run-session -- bash -c '
  for n in $(seq 90 120); do [ -e /tmp/.X$n-lock ] || { d=":$n"; break; }; done
  Xvfb "$d" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
  x=$!; trap "kill $x" EXIT
  sleep 1
  DISPLAY="$d" "$0" "$@"' "$APP" "$@"
