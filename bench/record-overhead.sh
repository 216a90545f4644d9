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
# The demo also prints its start-up (fork to every worker at the start
# line), shown apart: that is where recording costs (each traced fork child
# registers with the session daemon before its first event).
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
	# "Total time: T s (W s of work after S s of process start-up)"
	awk -v c="$config" -v cmd=$(((t1 - t0) / 1000)) \
		'/^Total time:/ { s = $3; if (match($0, /after [0-9.]+ s/)) s = substr($0, RSTART + 6, RLENGTH - 8); print c, $3, cmd / 1e6, s; found = 1 } END { exit !found }' \
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
    c, prog, cmd, start = line.split()
    by.setdefault(c, []).append((float(prog), float(cmd), float(start)))
med = {c: tuple(statistics.median(x[i] for x in v) for i in range(3)) for c, v in by.items()}
base = med["untraced"]
print()
print("| run | program s | of which start-up s | command s | program / untraced | command / untraced |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
for c, what in (("untraced", "untraced"), ("record", "cotrace record"), ("strace", "strace -f")):
    p, q, s = med[c]
    print(f"| {what} | {p:.3f} | {s:.3f} | {q:.3f} | {p / base[0]:.3f} | {q / base[1]:.3f} |")
over = med["record"][0] / base[0] - 1
# Where it goes: the workers' start-up (each fork child registers with the
# session daemon before its first event) against the rest.
start = med["record"][2] - base[2]
print()
print(f"recording overhead on the program: {over * 100:+.1f} %; target within 5 %: "
      + ("met" if over <= 0.05 else "NOT met"))
print(f"start-up (fork to every worker ready): {base[2] * 1000:.1f} ms untraced, "
      f"{med['record'][2] * 1000:.1f} ms recorded ({start * 1000:+.1f} ms, "
      f"{start / base[0] * 100:+.1f} % of the untraced program); "
      f"start-up under record, runs: " + ", ".join(f"{x[2] * 1000:.0f}" for x in by["record"]) + " ms")
PYEOF
