#!/usr/bin/env bash
# The README's first command: install what is missing, build, then record
# the parallel demo and print its report.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh
scripts/build.sh
exec meson devenv -C build cotrace demo parallel --workers 2 --work-ms 500 "$@"
