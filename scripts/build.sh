#!/usr/bin/env bash
# Configures (once) and builds cotrace in BUILD_DIR (default: build).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
if [ ! -f "$build_dir/build.ninja" ]; then
	meson setup "$build_dir" ${MESON_SETUP_ARGS:-} >/dev/null
fi
ninja -C "$build_dir" >/dev/null
