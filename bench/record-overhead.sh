#!/usr/bin/env bash
# What recording costs the recorded program, as ratios against the anchor
# measured in the same run: `cotrace-demo parallel` (2 workers, 500 ms of
# CPU each) run untraced, under `cotrace record`, and under `strace -f`
# (the everyday tool that also follows forks), runs interleaved.
# Two times per run:
#   - program: the demo's own "Total time" (first fork to last child
#     reaped), what recording perturbs;
#   - command: the whole command's wall time (for cotrace record: session
#     set-up, the program, flushing and writing the trace, the summary).
#
#   bench/record-overhead.sh [BUILD_DIR]     (default: build)
#
# Environment: RUNS (default 7; medians), WORKERS (2), WORK_MS (500).
# Not run in CI.
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=${1:-${BUILD_DIR:-build}}
COTRACE=$BUILD/src/cli/cotrace
DEMO=$BUILD/src/demo/cotrace-demo
RUNS=${RUNS:-7}
WORKERS=${WORKERS:-2}
WORK_MS=${WORK_MS:-500}
PY=/usr/bin/python3

die() {
	echo "bench: $*" >&2
	exit 1
}

[ -x "$COTRACE" ] && [ -x "$DEMO" ] ||
	die "no build in '$BUILD': run scripts/build.sh (or meson setup $BUILD && ninja -C $BUILD) first"
! ldd "$COTRACE" | grep -q libasan || die "'$BUILD' is a sanitizer build: its timings say nothing"
command -v strace >/dev/null || die "strace is missing: apt install strace"
lttng list >/dev/null 2>&1 || die "no session daemon: run scripts/setup-debian.sh (it starts one)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cotrace-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
demo=("$DEMO" parallel --workers "$WORKERS" --work-ms "$WORK_MS")

now() { date +%s%N; }

# run CONFIG: one run; appends "CONFIG program_s command_s" to $WORK/runs.
run() {
	local config=$1 t0 t1
	rm -rf "$WORK/trace"
	t0=$(now)
	case $config in
	untraced) "${demo[@]}" >"$WORK/out" 2>"$WORK/err" ;;
	record) "$COTRACE" record -q -o "$WORK/trace" -- "${demo[@]}" >"$WORK/out" 2>"$WORK/err" ;;
	strace) strace -f -o /dev/null "${demo[@]}" >"$WORK/out" 2>"$WORK/err" ;;
	esac || { cat "$WORK/err" >&2; die "the $config run failed"; }
	t1=$(now)
	awk -v c="$config" -v cmd=$(((t1 - t0) / 1000)) \
		'/^Total time:/ { print c, $3, cmd / 1e6; found = 1 } END { exit !found }' \
		"$WORK/out" >>"$WORK/runs" || die "no 'Total time' line in the demo's output"
}

: >"$WORK/runs"
run untraced # warm-up, not counted
: >"$WORK/runs"
for _ in $(seq "$RUNS"); do
	for c in untraced record strace; do
		run "$c"
	done
done

echo "cotrace bench: recording overhead"
echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)," \
	"$(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "program: cotrace-demo parallel --workers $WORKERS --work-ms $WORK_MS; $RUNS interleaved runs of each, medians"
"$PY" - "$WORK/runs" <<'PYEOF'
import statistics, sys
by = {}
for line in open(sys.argv[1]):
    c, prog, cmd = line.split()
    by.setdefault(c, []).append((float(prog), float(cmd)))
med = {c: (statistics.median(p for p, _ in v), statistics.median(q for _, q in v)) for c, v in by.items()}
base = med["untraced"]
print()
print("| run | program s | command s | program / untraced | command / untraced |")
print("| --- | ---: | ---: | ---: | ---: |")
for c, what in (("untraced", "untraced"), ("record", "cotrace record"), ("strace", "strace -f")):
    p, q = med[c]
    print(f"| {what} | {p:.3f} | {q:.3f} | {p / base[0]:.3f} | {q / base[1]:.3f} |")
over = med["record"][0] / base[0] - 1
print()
print(f"recording overhead on the program: {over * 100:+.1f} %; target within 5 %: "
      + ("met" if over <= 0.05 else "NOT met"))
PYEOF
