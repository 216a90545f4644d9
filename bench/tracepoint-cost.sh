#!/usr/bin/env bash
# The cost of one cotrace event, as a ratio against the anchor measured in
# the same run: the same event (same fields, same payload computed the same
# way) emitted through a raw LTTng-UST tracepoint of bench/tp-bench-tp.h.
# Both are timed in one process (bench/tp-bench.c), in rounds that
# interleave them:
#   - no session: nothing enables the events (what instrumentation costs
#     when nobody records);
#   - tracing:    one session enables both providers in one per-UID channel
#                 with the contexts and the run_id filter `cotrace record`
#                 uses (vpid, vtid, procname, pthread_id), and records them.
#
#   bench/tracepoint-cost.sh [BUILD_DIR]     (default: build)
#
# As root, everything runs in a private mount namespace with its own session
# daemon (/var/run/lttng and /dev/shm private), so recordings of other
# users of the machine cannot enable the cotrace events in the benchmark
# (their filter would run in it); otherwise the machine's daemon is used.
# Environment: N (calls per round, default 200000), ROUNDS (default 11;
# the table shows medians). Not run in CI.
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=${1:-${BUILD_DIR:-build}}
N=${N:-200000}
ROUNDS=${ROUNDS:-11}

die() {
	echo "bench: $*" >&2
	exit 1
}

[ -f "$BUILD/src/lib/libcotrace.so" ] ||
	die "no build in '$BUILD': run scripts/build.sh (or meson setup $BUILD && ninja -C $BUILD) first"
! ldd "$BUILD/src/lib/libcotrace.so" | grep -q libasan ||
	die "'$BUILD' is a sanitizer build: its timings say nothing"
command -v lttng-sessiond >/dev/null || die "lttng-tools is missing: run scripts/setup-debian.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cotrace-bench.XXXXXX")
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
lib=$(cd "$BUILD/src/lib" && pwd)
cc -O2 -Wall -Wextra -DLTTNG_UST_COMPAT_API_VERSION=1 -I include -I bench \
	-o "$WORK/tp-bench" bench/tp-bench.c -L"$lib" -lcotrace -llttng-ust -ldl \
	-Wl,-rpath,"$lib" || die "cannot compile bench/tp-bench.c"

# The measurement itself: OUT gets "no-session NAME ns min max" and
# "tracing NAME ns min max" lines, and "discarded N".
inner=$(cat <<'INNER'
set -euo pipefail
work=$1 n=$2 rounds=$3 private=$4
sd=
cleanup() {
	lttng destroy cotrace-tp-bench >/dev/null 2>&1 || true
	if [ -n "$sd" ]; then
		kill "$sd" 2>/dev/null || true
		wait "$sd" 2>/dev/null || true
	fi
}
trap cleanup EXIT
if [ "$private" = 1 ]; then
	mount -t tmpfs tmpfs /var/run/lttng
	mount -t tmpfs tmpfs /dev/shm
	export LTTNG_HOME=$work/home
	mkdir -p "$LTTNG_HOME"
fi
"$work/tp-bench" "$n" "$rounds" | sed 's/^/no-session /' >"$work/out"
if [ "$private" = 1 ]; then
	lttng-sessiond --no-kernel >"$work/sessiond.log" 2>&1 &
	sd=$!
	for _ in $(seq 100); do
		lttng list >/dev/null 2>&1 && break
		sleep 0.1
	done
fi
lttng list >/dev/null 2>&1 || { echo "no session daemon" >&2; exit 1; }
{
	lttng create cotrace-tp-bench --output="$work/trace"
	lttng enable-channel -u --buffers-uid --subbuf-size 8M --num-subbuf 8 c
	lttng enable-event -u -c c 'cotrace:*' --filter 'run_id == 42'
	lttng enable-event -u -c c 'cotrace_bench:*' --filter 'run_id == 42'
	lttng add-context -u -c c -t vpid -t vtid -t procname -t pthread_id
	lttng start
} >"$work/lttng.log"
COTRACE_RUN_ID=42 "$work/tp-bench" "$n" "$rounds" | sed 's/^/tracing /' >>"$work/out"
lttng stop cotrace-tp-bench >/dev/null
lttng list cotrace-tp-bench | awk '/Discarded events:/ { d += $NF } END { print "discarded", d + 0 }' >>"$work/out"
INNER
)

private=0
if [ "$(id -u)" = 0 ] && unshare --mount --propagation private true 2>/dev/null; then
	private=1
	unshare --mount --propagation private bash -c "$inner" inner "$WORK" "$N" "$ROUNDS" 1 ||
		die "the measurement failed"
else
	lttng list >/dev/null 2>&1 || die "no session daemon: run scripts/setup-debian.sh (it starts one)"
	bash -c "$inner" inner "$WORK" "$N" "$ROUNDS" 0 || die "the measurement failed"
fi

echo "cotrace bench: tracepoint cost"
echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)," \
	"$(uname -sr), lttng-ust $(pkg-config --modversion lttng-ust 2>/dev/null || echo '?')," \
	"load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$private" = 1 ]; then
	echo "session daemon: a private one (own mount namespace)"
else
	echo "session daemon: the machine's (other recordings running now may enable cotrace:* here)"
fi
echo "$ROUNDS rounds of $N calls of each variant, interleaved; medians (min-max)"
/usr/bin/python3 - "$WORK/out" <<'PYEOF'
import sys
res, discarded = {}, 0
for line in open(sys.argv[1]):
    f = line.split()
    if f[0] == "discarded":
        discarded = int(f[1])
        continue
    res[(f[0], f[1])] = tuple(float(x) for x in f[2:5])

def cell(mode, name):
    m, lo, hi = res[(mode, name)]
    return f"{m:.1f} ({lo:.1f}-{hi:.1f})"

print()
print("| event | emitted by | no session ns | tracing ns |")
print("| --- | --- | ---: | ---: |")
rows = [("task_start", "cotrace_task_start()", "cotrace_task_start"),
        ("task_start", "raw lttng-ust, thread CPU clock read (anchor)", "raw_task_start"),
        ("task_start", "raw lttng-ust, cpu_ns = 0 (no clock read)", "raw_task_start_noclk"),
        ("tls_write", "cotrace_tls_write_int()", "cotrace_tls_write"),
        ("tls_write", "raw lttng-ust, value formatted (anchor)", "raw_tls_write")]
for ev, who, key in rows:
    print(f"| {ev} | {who} | {cell('no-session', key)} | {cell('tracing', key)} |")
print()
print("| ratio cotrace / raw lttng-ust | no session | tracing | target (tracing) |")
print("| --- | ---: | ---: | --- |")
ok = True
for ev, c, r in (("task_start", "cotrace_task_start", "raw_task_start"),
                 ("tls_write", "cotrace_tls_write", "raw_tls_write")):
    ns = res[("no-session", c)][0] / res[("no-session", r)][0]
    tr = res[("tracing", c)][0] / res[("tracing", r)][0]
    met = tr <= 1.1
    ok &= met
    print(f"| {ev} | {ns:.2f} | {tr:.2f} | <= 1.1: {'met' if met else 'NOT met'} |")
print()
print(f"events discarded by the tracer during the run: {discarded}"
      + ("" if discarded == 0 else "  <- buffers too small: the tracing figures are too low"))
PYEOF
