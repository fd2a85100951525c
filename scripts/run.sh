#!/usr/bin/env bash
# Sets up and runs Shark: builds the `shark` CLI (release), puts it at
# ./bin/shark, and shows it working on the local database (your data folder,
# or $SHARK_HOME). Until the desktop app lands, the CLI is the main job.
source "$(dirname "$0")/common.sh"
need_rust
need_build_libs
cd "$ROOT"
log "building shark (release; the first build takes a few minutes)"
cargo build --release --locked -p shark-cli
mkdir -p "$ROOT/bin"
ln -sf "$CARGO_TARGET_DIR/release/shark" "$ROOT/bin/shark"
SHARK="$ROOT/bin/shark"
"$SHARK" --help
echo
log "your tasks (shark task list):"
"$SHARK" task list
echo
log "shark is at $SHARK; add $ROOT/bin to PATH, then try: shark epic create \"My first epic\""
if [ "$#" -gt 0 ]; then
  exec "$SHARK" "$@"
fi
