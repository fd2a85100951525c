#!/usr/bin/env bash
# The Debian package as a user meets it: builds it (`scripts/package.sh
# --debug`, the release recipe on the test command's debug build), checks
# its files and declared dependencies, installs it with dpkg into a
# throwaway root that knows this machine's installed packages, runs the
# installed `shark` and the installed app (Xvfb, private D-Bus) on a local
# database in a private HOME, turns that database back into the previous
# schema, installs the next version over it and checks nothing was lost,
# then removes and purges the package and checks the user's data is intact.
# Every process it starts is stopped by pid on exit.
source "$(dirname "$0")/common.sh"
need_apt_pkgs dpkg-dev desktop-file-utils binutils sqlite3 xvfb xauth dbus man-db
cd "$ROOT"

deb="$(bash scripts/package.sh --debug | tail -n 1)"
work="$(mktemp -d /tmp/shark-package-test.XXXXXX)"
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "package test: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }

# 1. What the package holds.
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./||' >"$work/files"
for f in usr/bin/shark usr/bin/shark-app usr/share/applications/Shark.desktop \
  usr/share/icons/hicolor/32x32/apps/shark-app.png usr/share/icons/hicolor/128x128/apps/shark-app.png \
  usr/share/icons/hicolor/512x512/apps/shark-app.png; do
  grep -qx "$f" "$work/files" || fail "the package lacks $f (it has: $(tr '\n' ' ' <"$work/files"))"
done
mkdir "$work/x"
dpkg-deb -x "$deb" "$work/x"
desktop-file-validate "$work/x/usr/share/applications/Shark.desktop"
grep -qx 'Exec=shark-app' "$work/x/usr/share/applications/Shark.desktop" || fail "the desktop entry does not start shark-app"
for f in usr/share/man/man1/shark.1.gz usr/share/man/man1/shark-task-create.1.gz \
  usr/share/bash-completion/completions/shark usr/share/zsh/vendor-completions/_shark \
  usr/share/fish/vendor_completions.d/shark.fish; do
  grep -qx "$f" "$work/files" || fail "the package lacks $f"
done
ok "the package holds the app, the shark CLI in /usr/bin, a valid desktop entry, the icons, the man pages and the completions"

# 2. Every library the two programs link, and the tray library the app
# loads at run time, comes from a package the .deb depends on (directly or
# through those packages' own dependencies, or an essential package).
dpkg-deb -f "$deb" Depends >"$work/depends"
python3 "$ROOT/scripts/deb-deps.py" "$work/depends" \
  "$work/x/usr/bin/shark" "$work/x/usr/bin/shark-app" -- libayatana-appindicator3.so.1
ok "declared dependencies: $(cat "$work/depends")"

# 3. A throwaway root whose package database is this machine's.
new_root() { # new_root DIR [PACKAGE-TO-LEAVE-OUT]
  mkdir -p "$1/var/lib/dpkg/info" "$1/var/lib/dpkg/updates" "$1/var/lib/dpkg/triggers" "$1/var/log"
  touch "$1/var/lib/dpkg/available"
  # The installed packages' file lists too (dpkg reads them for overlaps).
  cp /var/lib/dpkg/info/*.list "$1/var/lib/dpkg/info/"
  python3 - "$1/var/lib/dpkg/status" "${2:-}" <<'EOF'
import sys
out, leave_out = sys.argv[1], sys.argv[2]
paras = open("/var/lib/dpkg/status").read().split("\n\n")
keep = [p for p in paras if not (leave_out and p.startswith(f"Package: {leave_out}\n"))]
open(out, "w").write("\n\n".join(keep))
EOF
}
# Without WebKitGTK the package is refused, so the dependency is declared.
new_root "$work/bare" libwebkit2gtk-4.1-0
if dpkg --root="$work/bare" -i "$deb" >"$work/bare.log" 2>&1; then fail "installed without WebKitGTK"; fi
grep -q "depends on libwebkit2gtk-4.1-0" "$work/bare.log" || fail "$(cat "$work/bare.log")"
ok "a system without WebKitGTK refuses the package (dependency problems)"

R="$work/root"
new_root "$R"
dpkg --root="$R" -i "$deb" >/dev/null
[ -x "$R/usr/bin/shark" ] && [ -x "$R/usr/bin/shark-app" ] || fail "dpkg -i did not install the programs"
ok "dpkg -i installs $(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)"
# man finds the installed pages (the install root's man folder, the one
# /usr/share/man becomes on a real install). A system whose dpkg drops man
# pages (path-exclude, as slim images do) is said to be one.
if grep -qs '^path-exclude=/usr/share/man' /etc/dpkg/dpkg.cfg.d/*; then
  fail "this system's dpkg excludes /usr/share/man (/etc/dpkg/dpkg.cfg.d), so no package installs man pages here"
fi
page="$(MANPATH="$R/usr/share/man" man -w shark 2>"$work/man.err")" || fail "man -w shark finds no page in the install root: $(cat "$work/man.err")"
[ "$page" = "$R/usr/share/man/man1/shark.1.gz" ] || fail "man -w shark found '$page' ($(cat "$work/man.err"))"
MANPATH="$R/usr/share/man" MANPAGER=cat man shark-task-create 2>"$work/man.err" | grep -q "shark task create" ||
  fail "man shark-task-create does not show the command: $(cat "$work/man.err")"
ok "man -w shark finds $page; man shark-task-create shows the command"

# 4. The installed programs, as a user with a fresh home would run them.
mkdir -p "$work/home" "$work/run"
chmod 700 "$work/run"
run_env=(env -i "HOME=$work/home" "XDG_RUNTIME_DIR=$work/run" "PATH=$R/usr/bin:/usr/bin:/bin"
  SHARK_NO_KEYRING=1 NO_AT_BRIDGE=1 GTK_USE_PORTAL=0 "LANG=C.UTF-8")
shark() { "${run_env[@]}" "$R/usr/bin/shark" "$@"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }
shark init --non-interactive >/dev/null
data="$work/home/.local/share/shark"
[ -f "$data/shark.db" ] || fail "shark init made no database under $data"
shark epic create "Packaging" >/dev/null
shark feature create --epic E01 "Install" >/dev/null
for t in "Build the package" "Install it" "Upgrade it"; do shark task create E01-F01 "$t" >/dev/null; done
shark task start T-E01-F01-001 >/dev/null
shark task note add T-E01-F01-001 --type decision "dpkg into a throwaway root" >/dev/null
shark task complete T-E01-F01-001 --notes "built" >/dev/null
ok "the installed shark works on a local database ($data)"
# The installed bash completion, as bash-completion loads it.
got="$("${run_env[@]}" bash -c 'source "$1"; COMP_WORDS=(shark task get T-E01-F01-00); COMP_CWORD=3; COMP_TYPE=9
  _clap_complete_shark shark T-E01-F01-00 get; printf "%s " "${COMPREPLY[@]}"' _ "$R/usr/share/bash-completion/completions/shark")"
case "$got" in *T-E01-F01-003*) ;; *) fail "the installed bash completion offered '$got' for shark task get T-E01-F01-00" ;; esac
ok "the installed bash completion completes task keys ($got)"

# The installed app, on a virtual display with its own session bus.
for n in $(seq 90 140); do [ -e "/tmp/.X$n-lock" ] || { display=":$n"; break; }; done
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
bus="$(dbus-daemon --session --fork --print-address=1 --print-pid=1)"
pids+=("$(sed -n 2p <<<"$bus")")
run_env+=("DISPLAY=$display" "DBUS_SESSION_BUS_ADDRESS=$(sed -n 1p <<<"$bus")")
"${run_env[@]}" "$R/usr/bin/shark-app" >"$work/app.log" 2>&1 &
app=$!
pids+=("$app")
owner=""
for _ in $(seq 600); do
  kill -0 "$app" 2>/dev/null || fail "the installed app exited: $(tail -5 "$work/app.log")"
  owner="$(shark doctor --json 2>/dev/null | json '[c["detail"] for c in d["checks"] if c["id"]=="owner"][0]' || true)"
  case "$owner" in *"desktop app"*) break ;; esac
  sleep 0.1
done
case "$owner" in *"desktop app"*) ;; *) fail "the app did not take the database within 60 s: $owner; $(tail -5 "$work/app.log")" ;; esac
key="$(shark task create E01-F01 "Made while the app runs" --json | json 'd["key"]')"
[ "$key" = T-E01-F01-004 ] || fail "the app answered the hand-off with $key"
ok "the installed app starts on that database and answers the CLI ($owner)"
kill "$app"
for _ in $(seq 300); do kill -0 "$app" 2>/dev/null || break; sleep 0.1; done
kill -0 "$app" 2>/dev/null && fail "the app did not stop on SIGTERM within 30 s"

# 5. What the user has, read through the CLI (compared after the upgrade).
snapshot() {
  shark epic list --json --show-all
  shark feature list --json --show-all
  shark task list --json --show-all
  for k in 001 002 003 004; do
    shark task get "T-E01-F01-$k" --json
    shark task history "T-E01-F01-$k" --json
    shark task notes "T-E01-F01-$k" --json
  done
}
snapshot >"$work/before.json"
# The previous schema: schema 4 added only the machines' versions table.
[ "$(sqlite3 "$data/shark.db" 'PRAGMA user_version;')" = 4 ] || fail "expected schema 4"
sqlite3 "$data/shark.db" "DROP TABLE device_versions; PRAGMA user_version = 3;"

# The next version over it (this build, versioned as the one after).
mkdir "$work/next"
dpkg-deb -R "$deb" "$work/next/pkg"
version="$(dpkg-deb -f "$deb" Version)"
sed -i "s/^Version: .*/Version: $version+next/" "$work/next/pkg/DEBIAN/control"
dpkg-deb --root-owner-group -Zgzip -b "$work/next/pkg" "$work/next/shark-next.deb" >/dev/null
dpkg --root="$R" -i "$work/next/shark-next.deb" >"$work/upgrade.log"
grep -q "over ($version)" "$work/upgrade.log" || fail "not an upgrade: $(cat "$work/upgrade.log")"
[ "$(dpkg-query --admindir="$R/var/lib/dpkg" -W -f='${Version}' shark)" = "$version+next" ] || fail "the upgrade did not register"
snapshot >"$work/after.json"
cmp -s "$work/before.json" "$work/after.json" || { diff "$work/before.json" "$work/after.json" | head -20 >&2; fail "the data changed across the upgrade"; }
[ "$(sqlite3 "$data/shark.db" 'PRAGMA user_version;')" = 4 ] || fail "the upgraded shark did not migrate the database"
[ "$(sqlite3 "$data/shark.db" 'SELECT count(*) FROM device_versions;')" = 1 ] || fail "the upgraded shark did not record its version"
ok "$version+next installed over $version: a schema-3 database migrated to 4 (this machine's version recorded), every epic, feature, task, note and history row the same"

# 6. Removing the package leaves the user's data alone.
(cd "$work/home" && find . -type f ! -name '*.sock' -print0 | sort -z | xargs -0 sha256sum) >"$work/data.before"
dpkg --root="$R" -r shark >/dev/null
[ ! -e "$R/usr/bin/shark" ] && [ ! -e "$R/usr/bin/shark-app" ] || fail "dpkg -r left the programs"
# No configuration files in the package, so nothing is left for a purge.
left="$(dpkg-query --admindir="$R/var/lib/dpkg" -W -f='${Status}' shark 2>/dev/null || true)"
case "$left" in "" | *not-installed*) ;; *) fail "shark is still registered after dpkg -r: $left" ;; esac
(cd "$work/home" && find . -type f ! -name '*.sock' -print0 | sort -z | xargs -0 sha256sum) >"$work/data.after"
cmp -s "$work/data.before" "$work/data.after" || fail "removing the package changed the user's files"
ok "dpkg -r removes the programs and keeps the user's data ($(wc -l <"$work/data.after") files)"
