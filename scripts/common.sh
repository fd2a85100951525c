# Shared by scripts/run.sh and scripts/test.sh: where builds go and how the
# machine's prerequisites are installed (idempotently: each step is skipped
# when what it installs is already there).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Builds live outside the clone so reruns on one machine reuse them.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/shark/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

log() { printf '==> %s\n' "$*" >&2; }

# apt packages, installed only when a command they provide is missing.
need_apt() { # need_apt COMMAND PACKAGE
  command -v "$1" >/dev/null 2>&1 || need_apt_pkg "$2"
}

# Build libraries, checked with pkg-config (the keyring talks to D-Bus).
need_build_libs() {
  need_apt pkg-config pkg-config
  pkg-config --exists dbus-1 2>/dev/null || { need_apt_pkg libdbus-1-dev; }
}

need_apt_pkg() { # installs a package that provides no command
  log "installing $1 (apt)"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if [ ! -f /tmp/.shark-apt-updated ]; then
    $sudo apt-get update -qq && touch /tmp/.shark-apt-updated
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$1" >/dev/null
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
  if [ ! -f "$stamp" ] || [ "$ROOT/package.json" -nt "$stamp" ]; then
    log "installing npm packages (package.json)"
    (cd "$ROOT" && npm install --no-audit --no-fund --loglevel=error)
    touch "$stamp"
  fi
}
