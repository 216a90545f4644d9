#!/usr/bin/env bash
# The speed and memory of `cotrace report`, as ratios against anchors
# measured in the same run on the same traces:
#   - `babeltrace2 TRACE -c sink.utils.dummy`: decoding alone, the events
#     dropped (the floor for anything built on babeltrace2);
#   - `babeltrace2 TRACE > /dev/null`: babeltrace2's own text output;
#   - bench/intervals.py: a Python bt2 script computing the per-thread
#     intervals (tasks, wall, CPU) the report computes.
# And how the peak RSS of `cotrace report` grows with the events: the same
# commands on a trace of a tenth of the events (and with BIG=1, ten times
# as many).
# The traces are recorded with `cotrace-demo flood` (task_start, tls_write,
# task_finish triples from 2 threads), with buffers large enough that the
# tracer discards nothing (the discarded events are shown).
#
#   bench/report-speed.sh [BUILD_DIR]     (default: build)
#
# Environment: EVENTS (default 1000000), BIG=1 (also 10 x EVENTS: minutes,
# and about 0.7 GB of trace per 10M events), RUNS (runs of each command,
# default 3; medians), PY_RUNS (runs of the Python script, default 1: it
# takes ~40 s per million events). Not run in CI.
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=${1:-${BUILD_DIR:-build}}
COTRACE=$BUILD/src/cli/cotrace
DEMO=$BUILD/src/demo/cotrace-demo
EVENTS=${EVENTS:-1000000}
RUNS=${RUNS:-3}
PY_RUNS=${PY_RUNS:-1}
BIG=${BIG:-0}
PY=/usr/bin/python3

die() {
	echo "bench: $*" >&2
	exit 1
}

[ -x "$COTRACE" ] && [ -x "$DEMO" ] ||
	die "no build in '$BUILD': run scripts/build.sh (or meson setup $BUILD && ninja -C $BUILD) first"
! ldd "$COTRACE" | grep -q libasan || die "'$BUILD' is a sanitizer build: its timings say nothing"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing: apt install time (scripts/setup-debian.sh does)"
command -v babeltrace2 >/dev/null || die "babeltrace2 is missing: run scripts/setup-debian.sh"
"$PY" -c 'import bt2' 2>/dev/null || die "python3-bt2 is missing: run scripts/setup-debian.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cotrace-bench.XXXXXX")
if [ "${KEEP:-}" != 1 ]; then
	trap 'rm -rf "$WORK"' EXIT
fi

# record NAME N SUBBUF: a flood trace of N events in $WORK/NAME; appends
# "NAME events discarded" to $WORK/traces.
record() {
	local name=$1 n=$2 subbuf=$3
	"$COTRACE" record -q -o "$WORK/$name" --subbuf-size "$subbuf" --num-subbuf 8 -- \
		"$DEMO" flood --events "$n" --workers 2 >"$WORK/$name.demo" 2>"$WORK/$name.rec-err" ||
		{ cat "$WORK/$name.rec-err" >&2; die "recording $name failed"; }
	"$COTRACE" report --format json -o "$WORK/$name.json" "$WORK/$name" 2>/dev/null ||
		die "cotrace report on $name failed"
	"$PY" -c 'import json, sys
t = json.load(open(sys.argv[1]))["trace"]
print(sys.argv[2], t["events"], t["lost_events"])' "$WORK/$name.json" "$name" >>"$WORK/traces"
	rm -f "$WORK/$name.json"
}

# measure LABEL RUNS CMD...: runs CMD under /usr/bin/time -v, its output
# to /dev/null; appends "LABEL wall_s rss_kib" lines to $WORK/runs.
measure() {
	local label=$1 runs=$2
	shift 2
	for _ in $(seq "$runs"); do
		/usr/bin/time -v -o "$WORK/time.out" "$@" >/dev/null 2>"$WORK/cmd.err" ||
			{ cat "$WORK/cmd.err" >&2; die "'$*' failed"; }
		awk -v label="$label" '
			/Elapsed \(wall clock\)/ { n = split($NF, a, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + a[i] }
			/Maximum resident set size/ { m = $NF }
			/User time \(seconds\)|System time \(seconds\)/ { c += $NF }
			END { print label, w, m, c }' "$WORK/time.out" >>"$WORK/runs"
	done
}

echo "cotrace bench: report speed and memory"
echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)," \
	"$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr)," \
	"babeltrace2 $(babeltrace2 --version | grep -o '[0-9][0-9.]*' | head -n 1)," \
	"Python $("$PY" -c 'import platform; print(platform.python_version())')," \
	"load average $(cut -d' ' -f1-3 /proc/loadavg)"
options=$(meson introspect --buildoptions "$BUILD" 2>/dev/null | "$PY" -c '
import json, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
print("buildtype", o.get("buildtype") + ", sanitizers", o.get("b_sanitize"))' || echo "options unknown")
echo "build: $BUILD ($options); $RUNS runs of each command ($PY_RUNS of the Python script), medians"

: >"$WORK/traces"
: >"$WORK/runs"
record small $((EVENTS / 10)) 8M
record main "$EVENTS" 8M
if [ "$BIG" = 1 ]; then
	record big $((EVENTS * 10)) 64M
fi

for t in small main; do
	measure "report-$t" "$RUNS" "$COTRACE" report "$WORK/$t"
	measure "dummy-$t" "$RUNS" babeltrace2 "$WORK/$t" -c sink.utils.dummy
done
measure pretty-main "$RUNS" babeltrace2 "$WORK/main"
measure python-main "$PY_RUNS" "$PY" bench/intervals.py "$WORK/main"
if [ "$BIG" = 1 ]; then
	measure report-big 1 "$COTRACE" report "$WORK/big"
	measure dummy-big 1 babeltrace2 "$WORK/big" -c sink.utils.dummy
fi

"$PY" - "$WORK/traces" "$WORK/runs" <<'PYEOF'
import statistics, sys

traces = {}
for line in open(sys.argv[1]):
    name, events, lost = line.split()
    traces[name] = (int(events), int(lost))
by = {}
for line in open(sys.argv[2]):
    label, wall, rss, cpu = line.split()
    by.setdefault(label, []).append((float(wall), int(rss), float(cpu)))
med = {k: (statistics.median(w for w, _, _ in v), statistics.median(r for _, r, _ in v))
       for k, v in by.items()}
# CPU time (user + system): what a run costs whatever else the machine runs.
cpu = {k: statistics.median(c for _, _, c in v) for k, v in by.items()}

for name, (events, lost) in traces.items():
    print(f"trace {name}: {events:,} events"
          + (f", {lost:,} DISCARDED by the tracer" if lost else ", none discarded"))

def rate(key, trace):
    return traces[trace][0] / med[key][0] if med[key][0] > 0 else float("inf")

ev = traces["main"][0]
print()
print(f"| on {ev:,} events | wall s | CPU s | events/s | peak RSS MiB |")
print("| --- | ---: | ---: | ---: | ---: |")
for key, what in (("report-main", "cotrace report"),
                  ("dummy-main", "babeltrace2 -c sink.utils.dummy"),
                  ("pretty-main", "babeltrace2 (text) > /dev/null"),
                  ("python-main", "Python bt2 script (bench/intervals.py)")):
    w, r = med[key]
    print(f"| {what} | {w:.2f} | {cpu[key]:.2f} | {rate(key, 'main'):,.0f} | {r / 1024:.1f} |")

r_dummy = rate("report-main", "main") / rate("dummy-main", "main")
r_pretty = rate("report-main", "main") / rate("pretty-main", "main")
r_py = rate("report-main", "main") / rate("python-main", "main")
print()
print("| ratio (events/s of cotrace report over the anchor's) | measured | target |")
print("| --- | ---: | --- |")
print(f"| over babeltrace2 -c sink.utils.dummy | {r_dummy:.2f} | >= 0.8: {'met' if r_dummy >= 0.8 else 'NOT met'} |")
print(f"| over babeltrace2 text output | {r_pretty:.2f} | |")
print(f"| over the Python bt2 script | {r_py:.1f} | >= 30: {'met' if r_py >= 30 else 'NOT met'} |")
c_dummy = cpu["dummy-main"] / cpu["report-main"] if cpu["report-main"] > 0 else float("inf")
c_py = cpu["python-main"] / cpu["report-main"] if cpu["report-main"] > 0 else float("inf")
print()
print(f"by CPU time (user + system, steadier on a shared machine): {c_dummy:.2f}x the dummy sink's rate, "
      f"{c_py:.1f}x the Python script's; the dummy sink's rate is {traces['main'][0] / cpu['dummy-main']:,.0f} "
      f"events per CPU second, the Python script's x30 would be {30 * traces['main'][0] / cpu['python-main']:,.0f}")

print()
print("| peak RSS MiB | " + " | ".join(f"{traces[t][0]:,} events" for t in traces) + " |")
print("| --- |" + " ---: |" * len(traces))
for tool, what in (("report", "cotrace report"), ("dummy", "babeltrace2 -c sink.utils.dummy")):
    print(f"| {what} | " + " | ".join(f"{med[f'{tool}-{t}'][1] / 1024:.1f}" for t in traces) + " |")
# What the report adds to babeltrace2's own reading of the same trace.
print("| cotrace report minus the dummy sink | " + " | ".join(
    f"{(med[f'report-{t}'][1] - med[f'dummy-{t}'][1]) / 1024:.1f}" for t in traces) + " |")
growth = med["report-main"][1] / med["report-small"][1]
anchor = med["dummy-main"][1] / med["dummy-small"][1]
print()
print(f"peak RSS with 10x the events ({traces['small'][0]:,} -> {traces['main'][0]:,}): "
      f"cotrace report {growth:.2f}x, babeltrace2's own reading (the dummy sink) {anchor:.2f}x")
if "report-big" in med:
    g = med["report-big"][1] / med["report-main"][1]
    a = med["dummy-big"][1] / med["dummy-main"][1]
    print(f"peak RSS {traces['main'][0]:,} -> {traces['big'][0]:,} events: cotrace report {g:.2f}x, "
          f"the dummy sink {a:.2f}x")
# Target: memory not growing with the events. babeltrace2's own reading is
# the anchor; what cotrace adds to it must stay flat.
own = [(med[f"report-{t}"][1] - med[f"dummy-{t}"][1]) / 1024 for t in traces]
spread = max(own) / min(own) if min(own) > 0 else float("inf")
print(f"cotrace report's own memory (its peak RSS minus the dummy sink's) from {traces['small'][0]:,} "
      f"to {list(traces.values())[-1][0]:,} events: " + ", ".join(f"{x:.1f}" for x in own)
      + f" MiB ({spread:.2f}x); target: not growing with the events (< 1.5x): "
      + ("met" if spread < 1.5 else "NOT met"))
PYEOF
