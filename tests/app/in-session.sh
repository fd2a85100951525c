#!/usr/bin/env bash
# Inside app-e2e.sh's private D-Bus session: a virtual display, tauri-driver,
# then the WebDriver test (or E2E_SCRIPT: the benchmark's app half).
# Everything started here is stopped on exit.
set -euo pipefail
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
display=""
for n in $(seq 90 120); do
  if [ ! -e "/tmp/.X$n-lock" ] && [ ! -e "/tmp/.X11-unix/X$n" ]; then display=":$n"; break; fi
done
[ -n "$display" ] || { echo "no free X display number" >&2; exit 1; }
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
export DISPLAY="$display"
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
export DRIVER_PORT="$(free_port)"
NATIVE_PORT="$(free_port)"
tauri-driver --port "$DRIVER_PORT" --native-port "$NATIVE_PORT" --native-driver /usr/bin/WebKitWebDriver >"$SHOTS_DIR/tauri-driver.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  (echo >"/dev/tcp/127.0.0.1/$DRIVER_PORT") 2>/dev/null && break
  sleep 0.1
done
node "${E2E_SCRIPT:-$ROOT/tests/app/app-e2e.mjs}"
