#!/usr/bin/env bash
# Peak memory and time of `cotrace timeline --format chrome` on a
# 1,000,000-event trace, as ratios against anchors measured in the same
# run:
#   - `babeltrace2 TRACE -c sink.utils.dummy`: babeltrace2 decoding the same
#     trace and dropping the events (what reading costs without cotrace);
#   - the same commands on a 100,000-event trace: the Chrome writer streams,
#     so 10x the events must not make ~10x the memory.
# The traces are recorded with `cotrace-demo flood`, with buffers large
# enough that the tracer discards nothing (discarded events are reported).
#
# Not run in CI (it records and converts a million events, a minute or so).
#
#   bench/timeline-chrome-memory.sh [BUILD_DIR]     (default: build)
#
# Environment: EVENTS (default 1000000; the small trace has EVENTS/10),
# WORKERS (flood threads, default 2), RUNS (runs of each command, default 3;
# the table shows the medians), KEEP=1 keeps the traces in the work folder.
# Exit status: 0 done and the 10x-events RSS ratio is below 2; 1 otherwise.
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=${1:-${BUILD_DIR:-build}}
COTRACE=$BUILD/src/cli/cotrace
DEMO=$BUILD/src/demo/cotrace-demo
EVENTS=${EVENTS:-1000000}
SMALL=$((EVENTS / 10))
WORKERS=${WORKERS:-2}
RUNS=${RUNS:-3}
# 8 sub-buffers of 8 MiB per CPU: a million flood events fit without loss.
SUBBUF=8M
NUM_SUBBUF=8

die() {
	echo "bench: $*" >&2
	exit 1
}

[ -x "$COTRACE" ] && [ -x "$DEMO" ] ||
	die "no build in '$BUILD': run scripts/build.sh (or meson setup $BUILD && ninja -C $BUILD) first"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing: apt install time (scripts/setup-debian.sh does)"
command -v babeltrace2 >/dev/null || die "babeltrace2 is missing: run scripts/setup-debian.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cotrace-bench.XXXXXX")
if [ "${KEEP:-}" != 1 ]; then
	trap 'rm -rf "$WORK"' EXIT
fi

# record NAME N: a flood trace of N events in $WORK/NAME; prints what the
# trace holds and what the tracer discarded.
record() {
	local name=$1 n=$2
	"$COTRACE" record -q -o "$WORK/$name" --subbuf-size "$SUBBUF" --num-subbuf "$NUM_SUBBUF" -- \
		"$DEMO" flood --events "$n" --workers "$WORKERS" >"$WORK/$name.demo" 2>"$WORK/$name.rec-err" ||
		{ cat "$WORK/$name.rec-err" >&2; die "recording $name failed"; }
	"$COTRACE" report --format json -o "$WORK/$name.report.json" "$WORK/$name" 2>/dev/null ||
		die "cotrace report on $name failed"
	/usr/bin/python3 - "$WORK/$name.report.json" "$name" <<'PYEOF'
import json, sys
t = json.load(open(sys.argv[1]))["trace"]
print(f"{sys.argv[2]}: {t['events']} events in the trace, {t['lost_events']} discarded by the tracer"
      + ("" if t["lost_events"] == 0 else "  <- buffers too small: raise --subbuf-size"))
PYEOF
}

# measure LABEL CMD...: runs CMD $RUNS times under /usr/bin/time -v; appends
# "LABEL wall_s user_s rss_kib" lines to $WORK/runs.
measure() {
	local label=$1
	shift
	for _ in $(seq "$RUNS"); do
		/usr/bin/time -v -o "$WORK/time.out" "$@" >/dev/null 2>"$WORK/cmd.err" ||
			{ cat "$WORK/cmd.err" >&2; die "'$*' failed"; }
		awk -v label="$label" '
			/Elapsed \(wall clock\)/ { n = split($NF, a, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + a[i] }
			/User time \(seconds\)/ { u = $NF }
			/Maximum resident set size/ { m = $NF }
			END { print label, w, u, m }' "$WORK/time.out" >>"$WORK/runs"
		rm -f "$WORK/out.json"
	done
}

echo "cotrace bench: timeline --format chrome memory and time"
echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)," \
	"$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr)," \
	"babeltrace2 $(babeltrace2 --version | grep -o '[0-9][0-9.]*' | head -n 1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
options=$(meson introspect --buildoptions "$BUILD" 2>/dev/null | /usr/bin/python3 -c '
import json, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
print("buildtype", o.get("buildtype") + ", sanitizers", o.get("b_sanitize"))' || echo "options unknown")
echo "build: $BUILD ($options), $RUNS runs of each command, medians"
record big "$EVENTS"
record small "$SMALL"

: >"$WORK/runs"
measure chrome-big "$COTRACE" timeline --format chrome -o "$WORK/out.json" "$WORK/big"
measure dummy-big babeltrace2 "$WORK/big" -c sink.utils.dummy
measure chrome-small "$COTRACE" timeline --format chrome -o "$WORK/out.json" "$WORK/small"
measure dummy-small babeltrace2 "$WORK/small" -c sink.utils.dummy
# One more conversion, kept, to check the document's end and its counts.
"$COTRACE" timeline --format chrome -o "$WORK/big.chrome.json" "$WORK/big" 2>/dev/null ||
	die "cotrace timeline --format chrome failed"

/usr/bin/python3 - "$WORK/runs" "$WORK/big.chrome.json" "$EVENTS" "$SMALL" <<'PYEOF'
import json, os, statistics, sys

runs, doc, big, small = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
by = {}
for line in open(runs):
    label, wall, user, rss = line.split()
    by.setdefault(label, []).append((float(wall), float(user), int(rss)))
med = {k: tuple(statistics.median(r[i] for r in v) for i in range(3)) for k, v in by.items()}

# The document's last line holds the metadata: the writer closed it.
with open(doc, "rb") as f:
    f.seek(max(0, os.path.getsize(doc) - 4096))
    tail = f.read().decode()
meta = json.loads("{" + tail[tail.rindex('"metadata":'):].rstrip()[:-1] + "}")["metadata"]["cotrace"]
size = os.path.getsize(doc)

def row(name, events, key):
    w, u, m = med[key]
    print(f"| {name} | {events:,} | {w:.2f} | {u:.2f} | {m / 1024:.1f} |")

print()
print("| command | events | wall s | user s | peak RSS MiB |")
print("| --- | ---: | ---: | ---: | ---: |")
row("cotrace timeline --format chrome", big, "chrome-big")
row("babeltrace2 -c sink.utils.dummy", big, "dummy-big")
row("cotrace timeline --format chrome", small, "chrome-small")
row("babeltrace2 -c sink.utils.dummy", small, "dummy-small")
print()
cb, db, cs, ds = (med[k] for k in ("chrome-big", "dummy-big", "chrome-small", "dummy-small"))
print("| ratio | wall | peak RSS |")
print("| --- | ---: | ---: |")
print(f"| chrome / babeltrace2 dummy, {big:,} events | {cb[0] / db[0]:.2f} | {cb[2] / db[2]:.2f} |")
print(f"| chrome / babeltrace2 dummy, {small:,} events | {cs[0] / ds[0]:.2f} | {cs[2] / ds[2]:.2f} |")
print(f"| chrome {big:,} / chrome {small:,} events | {cb[0] / cs[0]:.2f} | {cb[2] / cs[2]:.2f} |")
print(f"| babeltrace2 dummy {big:,} / {small:,} events | {db[0] / ds[0]:.2f} | {db[2] / ds[2]:.2f} |")
print()
print(f"chrome document for {big:,} events: {size / 1e6:.0f} MB, {meta['cotrace_events']:,} events read, "
      f"{meta['tasks']:,} task slices, {meta['tls']:,} TLS instants, {meta['threads']} threads, "
      f"{meta['lost_events']} lost events")
ratio = cb[2] / cs[2]
if ratio >= 2:
    print(f"FAIL: peak RSS grew {ratio:.2f}x with 10x the events")
    sys.exit(1)
print(f"ok: 10x the events, {ratio:.2f}x the peak RSS")
PYEOF
