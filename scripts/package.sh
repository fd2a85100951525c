#!/usr/bin/env bash
# Builds Shark's Debian package (`npm run package`): the desktop app, the
# `shark` CLI in /usr/bin, the desktop entry and the icons, with the
# libraries they need at run time as the package's dependencies. Installs
# what the build needs first, like the README's two commands.
#
#   npm run package               the release package
#   npm run package -- --debug    the same package from the debug build
#                                 (what the packaging test installs: it
#                                 reuses the test command's build)
#
# Updates: with SHARK_SIGNING_KEY set to a key file made by
# `npx tauri signer generate -w <file>` (its public half, <file>.pub, beside
# it; TAURI_SIGNING_PRIVATE_KEY_PASSWORD its password, if it has one) the
# build also writes the signed updater artifacts and the app checks
# SHARK_UPDATE_URL (default: the project's latest GitHub release) for
# updates. Without a key the package is built all the same, and the app's
# "Check for updates" says updates are not configured for this build.
# The key never goes into the repository (docs/development.md, "Updates and signing").
source "$(dirname "$0")/common.sh"

profile=release
case "${1:-}" in
  "") ;;
  --debug) profile=debug ;;
  *) echo "usage: npm run package [-- --debug]" >&2; exit 2 ;;
esac

if [ -n "${SHARK_SIGNING_KEY:-}" ]; then
  [ -f "$SHARK_SIGNING_KEY" ] || { echo "SHARK_SIGNING_KEY: no file at $SHARK_SIGNING_KEY" >&2; exit 2; }
  [ -f "$SHARK_SIGNING_KEY.pub" ] || { echo "SHARK_SIGNING_KEY: its public key $SHARK_SIGNING_KEY.pub is missing (npx tauri signer generate writes both)" >&2; exit 2; }
fi

need_rust
need_app_libs
need_apt_pkgs dpkg-dev
need_npm
cd "$ROOT"

release_flag=()
[ "$profile" = release ] && release_flag=(--release)
# The CLI and the app are built together, as the test command and
# scripts/run.sh build them, so every build here shares one set of features
# (and tauri's own cargo run below finds everything built).
log "building the shark CLI and the app ($profile)"
cargo build --locked "${release_flag[@]}" -p shark-cli -p shark-app
# tauri.conf.json maps /usr/bin/shark to this copy (the bundler takes paths
# relative to the config, and the build folder lives outside the clone).
mkdir -p .package/bin
install -m 0755 "$CARGO_TARGET_DIR/$profile/shark" .package/bin/shark
# The man pages and the shells' completion scripts, written by that binary
# (from its own command definition, so they match it exactly).
rm -rf .package/man .package/completions
mkdir -p .package/man .package/completions
.package/bin/shark man-pages .package/man >/dev/null
gzip -9n .package/man/*.1
.package/bin/shark completion bash >.package/completions/shark.bash
.package/bin/shark completion zsh >.package/completions/_shark
.package/bin/shark completion fish >.package/completions/shark.fish
chmod 0644 .package/man/* .package/completions/*

args=(build --bundles deb --ci)
[ "$profile" = debug ] && args+=(--debug)
if [ -n "${SHARK_SIGNING_KEY:-}" ]; then
  TAURI_SIGNING_PRIVATE_KEY="$(cat "$SHARK_SIGNING_KEY")"
  export TAURI_SIGNING_PRIVATE_KEY
  overlay="$(mktemp /tmp/shark-package-config.XXXXXX.json)"
  trap 'rm -f "$overlay"' EXIT
  python3 - "$overlay" "$(cat "$SHARK_SIGNING_KEY.pub")" \
    "${SHARK_UPDATE_URL:-https://github.com/shark-tasks/shark/releases/latest/download/latest.json}" <<'EOF'
import json, sys
out, pubkey, url = sys.argv[1:4]
json.dump({"bundle": {"createUpdaterArtifacts": True},
           "plugins": {"updater": {"pubkey": pubkey, "endpoints": [url]}}}, open(out, "w"))
EOF
  args+=(--config "$overlay")
  log "signing the updater artifacts with $SHARK_SIGNING_KEY; updates from ${SHARK_UPDATE_URL:-the latest GitHub release}"
else
  log "no SHARK_SIGNING_KEY: building without updater artifacts (the app will say updates are not configured)"
fi

log "building the app and the package ($profile)"
# No earlier package or signature is left beside the new one.
rm -rf "$CARGO_TARGET_DIR/$profile/bundle/deb"
npx --no-install tauri "${args[@]}" -- --locked -p shark-app -p shark-cli
deb="$(ls -t "$CARGO_TARGET_DIR/$profile/bundle/deb/"*.deb | head -n 1)"
log "package: $deb"
echo "$deb"
