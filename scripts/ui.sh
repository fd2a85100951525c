#!/usr/bin/env bash
# Builds the web front end into dist/ (tsc + vite), leaving an unchanged
# dist/ untouched so cargo does not rebuild the app. The Tauri CLI runs this
# before `tauri build` (tauri.conf.json's beforeBuildCommand).
source "$(dirname "$0")/common.sh"
build_ui
