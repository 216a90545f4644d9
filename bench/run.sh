#!/usr/bin/env bash
# Runs the benchmarks, one after the other. Each prints the machine, its
# anchors measured in the same run, and a table of ratios with the targets
# of DESIGN.md; README.md ("Benchmarks") shows one run. Not run in CI: they
# take minutes (about 5 with the defaults, 15 more with --big).
#
#   bench/run.sh [--big] [BUILD_DIR]     (default: build, a non-sanitizer build)
#
#   tracepoint-cost.sh        a cotrace event against a raw lttng-ust one
#   report-speed.sh           cotrace report against babeltrace2's sinks and
#                             a Python bt2 script; its memory as events grow
#                             (--big: also 10 million events)
#   record-overhead.sh        a program untraced, under cotrace record, under
#                             strace -f
#   timeline-chrome-memory.sh cotrace timeline --format chrome (if present)
#   preload-cost.sh           libcotrace-preload.so per call (if present)
#
# Exit status: 0 when every benchmark ran (a target not met is reported in
# its table, not as a failure, except where a benchmark says otherwise).
set -euo pipefail
cd "$(dirname "$0")"

if [ "${1:-}" = --big ]; then
	export BIG=1
	shift
fi
if [ $# -gt 1 ] || [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; then
	echo "usage: bench/run.sh [--big] [BUILD_DIR]" >&2
	exit 2
fi
# The benchmarks run from the top folder: a relative BUILD_DIR is taken from
# where this was started.
if [ $# -eq 1 ] && [ -d "$OLDPWD/$1" ] && [ "${1#/}" = "$1" ]; then
	set -- "$(cd "$OLDPWD/$1" && pwd)"
fi

benches=(
	tracepoint-cost.sh
	report-speed.sh
	record-overhead.sh
	timeline-chrome-memory.sh
	preload-cost.sh
)
status=0
for b in "${benches[@]}"; do
	[ -f "$b" ] || continue
	echo "== $b"
	bash "./$b" "$@" || status=1
	echo
done
exit $status
