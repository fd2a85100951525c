# Shared by scripts/run.sh and scripts/test.sh: where builds go and how the
# machine's prerequisites are installed (idempotently: each step is skipped
# when what it installs is already there).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Builds live outside the clone so reruns on one machine reuse them.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/shark/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

log() { printf '==> [%s] %s\n' "$(date +%T)" "$*" >&2; }

# apt packages, installed only when a command they provide is missing.
need_apt() { # need_apt COMMAND PACKAGE
  command -v "$1" >/dev/null 2>&1 || need_apt_pkgs "$2"
}

# Build libraries, checked with pkg-config (the keyring talks to D-Bus).
need_build_libs() {
  need_apt_pkgs pkg-config libdbus-1-dev
}

# What the desktop app (Tauri: WebKitGTK, GTK, the tray) builds against.
need_app_libs() {
  need_apt_pkgs pkg-config libdbus-1-dev build-essential file libssl-dev \
    libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev
}

# Installs the packages of the list that are not installed yet, in one go.
need_apt_pkgs() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  log "installing ${missing[*]} (apt)"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if [ ! -f /tmp/.shark-apt-updated ]; then
    $sudo apt-get update -qq && touch /tmp/.shark-apt-updated
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The web front end, built into dist/ (the app embeds it at compile time).
# Built aside and moved in only when it differs: an unchanged dist/ keeps its
# file times, so cargo does not rebuild (and, in release, relink) the app.
build_ui() {
  log "building the UI (tsc + vite -> dist/)"
  local out
  out="$(mktemp -d /tmp/shark-dist.XXXXXX)"
  (cd "$ROOT" && npx --no-install tsc -p . && npx --no-install vite build --outDir "$out" --emptyOutDir >/dev/null)
  if diff -rq "$out" "$ROOT/dist" >/dev/null 2>&1; then
    rm -rf "$out"
  else
    rm -rf "$ROOT/dist"
    mv "$out" "$ROOT/dist"
    chmod 755 "$ROOT/dist"
  fi
}

need_rust() {
  command -v cargo >/dev/null 2>&1 || { echo "Rust is required: https://rustup.rs" >&2; exit 1; }
  cargo fmt --version >/dev/null 2>&1 || { log "installing rustfmt (rustup)"; rustup component add rustfmt; }
  cargo clippy --version >/dev/null 2>&1 || { log "installing clippy (rustup)"; rustup component add clippy; }
}

# npm packages from package.json (the Turso sync server the tests start),
# installed when missing or when package.json changed since the last install.
need_npm() {
  command -v npm >/dev/null 2>&1 || need_apt npm npm
  local stamp="$ROOT/node_modules/.shark-installed"
  if [ ! -f "$stamp" ] || [ "$ROOT/package-lock.json" -nt "$stamp" ]; then
    log "installing npm packages (package-lock.json)"
    # `npm install` with the lock file (`npm ci` refuses this lock: npm leaves
    # other platforms' optional packages out of it).
    (cd "$ROOT" && npm install --no-audit --no-fund --loglevel=error)
    touch "$stamp"
  fi
}

# tauri-driver, the WebDriver server for the app's end-to-end test.
need_tauri_driver() {
  command -v tauri-driver >/dev/null 2>&1 && return 0
  log "installing tauri-driver (cargo install, about a minute)"
  cargo install tauri-driver --locked --version "^2" --quiet
}
