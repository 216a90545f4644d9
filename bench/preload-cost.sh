#!/usr/bin/env bash
# The cost of libcotrace-preload.so per intercepted call, against anchors
# measured in the same run, with a verdict per call. Each configuration
# runs bench/preload-cost.c in its own process (which prints the median of
# 5 rounds of N calls); the configurations of one call alternate, RUNS
# times:
#   - plain:      nothing preloaded (anchor 1);
#   - lttng-ust:  libcotrace (the cotrace provider, lttng-ust) with
#                 lttng-ust's own fork wrapper preloaded (libcotrace.so +
#                 liblttng-ust-fork.so, no interposer of cotrace's): what a
#                 process instrumented with lttng-ust that forks pays
#                 (anchor 2: it registers the same provider);
#   - preload:    libcotrace-preload.so in LD_PRELOAD as a program gets it
#                 outside `cotrace record` (no COTRACE_RUN_ID): dormant,
#                 libcotrace and lttng-ust not loaded;
#   - active:     the same with COTRACE_PRELOAD_ACTIVE=1 (the opt-in for a
#                 session of one's own), no tracing session: libcotrace and
#                 lttng-ust loaded, every event disabled;
# in two phases: "no daemon" (no session daemon at all: lttng-ust finds
# nobody to register with) and "no session" (a session daemon runs, no
# session: every new process that loads lttng-ust registers with it); then
#   - recording:  under `cotrace record` (active, the events enabled and
#                 written).
#
# Within noise: the difference between the preload's median and the plain
# median is at most the plain call's own run-to-run spread over the
# interleaved runs (max - min of its RUNS medians, the highest and the
# lowest left out when RUNS >= 5). The verdict line judges the dormant
# preload against the plain call, every call; the table also compares the
# active preload with lttng-ust (for fork and spawn, lttng-ust's cost:
# each new process registers with the session daemon).
#
# As root everything runs in a private mount namespace with its own session
# daemon (/var/run/lttng, /dev/shm and LTTNG_HOME private), so recordings of
# other users of the machine cannot enable the cotrace events in the
# processes measured (their filter would run there); otherwise the
# machine's daemon is used and the "no daemon" phase is skipped.
#
#   bench/preload-cost.sh [BUILD_DIR]     (default: build)
#
# Environment: RUNS (runs of each configuration, default 7), CALLS (the
# calls to measure, default all). Not run in CI. Exit status 0 when every
# run worked.
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=${1:-${BUILD_DIR:-build}}
RUNS=${RUNS:-7}
CALLS=${CALLS:-setspecific close closerange fclose setname sigaction create fork spawn}

die() {
	echo "bench: $*" >&2
	exit 1
}

[ -x "$BUILD/src/cli/cotrace" ] && [ -f "$BUILD/src/preload/libcotrace-preload.so" ] ||
	die "no build in '$BUILD': run scripts/build.sh (or meson setup $BUILD && ninja -C $BUILD) first"
COTRACE=$(cd "$BUILD/src/cli" && pwd)/cotrace
PRELOAD=$(cd "$BUILD/src/preload" && pwd)/libcotrace-preload.so
LIBCOTRACE=$(cd "$BUILD/src/lib" && pwd)/libcotrace.so.0
! ldd "$PRELOAD" | grep -q libasan || die "'$BUILD' is a sanitizer build: its timings say nothing"
command -v lttng-sessiond >/dev/null || die "lttng-tools is missing: run scripts/setup-debian.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cotrace-bench.XXXXXX")
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
cc -O2 -Wall -o "$WORK/preload-cost" bench/preload-cost.c -pthread ||
	die "cannot compile bench/preload-cost.c"

# The measurement: OUT gets "PHASE CALL CONFIG NS" lines.
inner=$(cat <<'INNER'
set -euo pipefail
work=$1 runs=$2 private=$3 cotrace=$4 preload=$5 calls=$6 libcotrace=$7
prog=$work/preload-cost
sd=
cleanup() {
	if [ -n "$sd" ]; then
		kill "$sd" 2>/dev/null || true
		wait "$sd" 2>/dev/null || true
	fi
}
trap cleanup EXIT
# Outside a recording: the preload is dormant unless these are set.
unset COTRACE_RUN_ID COTRACE_PRELOAD_ACTIVE
# calls per round: a round of each takes a fraction of a second
declare -A N=([create]=2000 [fork]=40 [setspecific]=1000000 [spawn]=40
	[close]=500000 [closerange]=500000 [fclose]=100000 [setname]=200000
	[sigaction]=500000)
one() {
	local phase=$1 call=$2 config=$3 out
	case $config in
	plain) out=$("$prog" "$call" "${N[$call]}") ;;
	ust) out=$(LD_PRELOAD=$libcotrace:liblttng-ust-fork.so.1 "$prog" "$call" "${N[$call]}") ;;
	preload) out=$(LD_PRELOAD=$preload "$prog" "$call" "${N[$call]}") ;;
	active) out=$(LD_PRELOAD=$preload COTRACE_PRELOAD_ACTIVE=1 "$prog" "$call" "${N[$call]}") ;;
	record)
		rm -rf "$work/trace"
		out=$("$cotrace" record -q --subbuf-size 8M --num-subbuf 8 -o "$work/trace" -- \
			"$prog" "$call" "${N[$call]}" 2>"$work/record.err") ||
			{ cat "$work/record.err" >&2; echo "recording $call failed" >&2; exit 1; }
		;;
	esac
	echo "$phase $call $config ${out##* }" >>"$work/out"
}
phase() {
	local phase=$1
	shift
	for call in $calls; do
		for ((r = 0; r < runs; r++)); do
			for config in "$@"; do
				one "$phase" "$call" "$config"
			done
		done
	done
}
: >"$work/out"
if [ "$private" = 1 ]; then
	mount -t tmpfs tmpfs /var/run/lttng
	mount -t tmpfs tmpfs /dev/shm
	export LTTNG_HOME=$work/home HOME=$work/home
	mkdir -p "$LTTNG_HOME"
	phase no-daemon plain ust preload active
	lttng-sessiond --no-kernel >"$work/sessiond.log" 2>&1 &
	sd=$!
	for _ in $(seq 100); do
		lttng list >/dev/null 2>&1 && break
		sleep 0.1
	done
fi
lttng list >/dev/null 2>&1 || { echo "no session daemon" >&2; exit 1; }
phase no-session plain ust preload active record
INNER
)

private=0
if [ "$(id -u)" = 0 ] && unshare --mount --propagation private true 2>/dev/null; then
	private=1
	unshare --mount --propagation private bash -c "$inner" inner "$WORK" "$RUNS" 1 \
		"$COTRACE" "$PRELOAD" "$CALLS" "$LIBCOTRACE" || die "the measurement failed"
else
	lttng list >/dev/null 2>&1 || die "no session daemon: run scripts/setup-debian.sh (it starts one)"
	bash -c "$inner" inner "$WORK" "$RUNS" 0 "$COTRACE" "$PRELOAD" "$CALLS" "$LIBCOTRACE" ||
		die "the measurement failed"
fi

echo "cotrace bench: preload cost per intercepted call"
echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)," \
	"$(uname -sr), lttng-ust $(pkg-config --modversion lttng-ust 2>/dev/null || echo '?')," \
	"load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$private" = 1 ]; then
	echo "session daemon: a private one (own mount namespace); none in the no-daemon phase"
else
	echo "session daemon: the machine's (other recordings running now may enable cotrace:* here)"
fi
echo "$RUNS interleaved runs of each configuration; ns per call, medians (min-max)"
/usr/bin/python3 - "$WORK/out" <<'PYEOF'
import statistics, sys
res = {}
for line in open(sys.argv[1]):
    phase, call, config, ns = line.split()
    res.setdefault((phase, call, config), []).append(float(ns))
calls = []
for (phase, call, config) in res:
    if call not in calls:
        calls.append(call)

def med(v):
    return statistics.median(v)

def cell(v):
    if not v:
        return "-"
    return f"{med(v):,.0f} ({min(v):,.0f}-{max(v):,.0f})" if med(v) >= 100 else \
        f"{med(v):.1f} ({min(v):.1f}-{max(v):.1f})"

def spread(v):
    # run-to-run spread: max - min, without the highest and the lowest run
    # when there are 5 or more (one disturbed run must not widen it)
    v = sorted(v)
    if len(v) >= 5:
        v = v[1:-1]
    return v[-1] - v[0]

def verdict(v, anchor):
    noise = spread(anchor)
    diff = med(v) - med(anchor)
    ratio = med(v) / med(anchor) if med(anchor) > 0 else float("inf")
    ok = diff <= noise
    return ok, f"{'within noise' if ok else 'NOT within noise'} ({diff:+,.1f} ns, {ratio:.2f}x; noise {noise:,.1f})"

for phase in ("no-daemon", "no-session"):
    if not any(k[0] == phase for k in res):
        continue
    print()
    print(f"## {phase}" + (": no session daemon at all" if phase == "no-daemon"
                           else ": a session daemon, no tracing session") +
          (", and recording" if phase == "no-session" else ""))
    print()
    rec = phase == "no-session"
    print("| call | plain | lttng-ust | preload (dormant) | active |" +
          (" recording |" if rec else "") +
          " dormant vs plain | active vs lttng-ust |")
    print("| --- | ---: | ---: | ---: | ---: |" + (" ---: |" if rec else "") + " --- | --- |")
    for call in calls:
        g = lambda c: res.get((phase, call, c), [])
        p, u, s, a, t = g("plain"), g("ust"), g("preload"), g("active"), g("record")
        if not p:
            continue
        _, vp = verdict(s, p)
        _, vu = verdict(a, u) if a and u else (None, "-")
        print(f"| {call} | {cell(p)} | {cell(u)} | {cell(s)} | {cell(a)} |" +
              (f" {cell(t)} |" if rec else "") + f" {vp} | {vu} |")
    print()
    bad = []
    for call in calls:
        p, s = (res.get((phase, call, c), []) for c in ("plain", "preload"))
        if not p:
            continue
        ok, _ = verdict(s, p)
        if not ok:
            bad.append(call)
    print(f"verdict ({phase}): the dormant preload: " +
          ("every call within noise of the plain call"
           if not bad else "NOT within noise of the plain call: " + ", ".join(bad)))
PYEOF
