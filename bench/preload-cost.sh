#!/usr/bin/env bash
# The cost of libcotrace-preload.so per intercepted call, as ratios against
# the anchors measured in the same run. Runs of each call, interleaved:
#   - plain:      bench/preload-cost.c, nothing preloaded (anchor 1);
#   - lttng-ust:  raw lttng-ust with its own fork wrapper preloaded
#                 (liblttng-ust-fork.so, no cotrace): what any process that
#                 traces with lttng-ust and forks pays (anchor 2);
#   - no session: the preload in LD_PRELOAD, a session daemon running, but
#                 no tracing session (the events disabled: what an unused
#                 preload costs);
#   - recording:  under `cotrace record` (the events enabled and written).
# The calls: pthread_create + join, fork + waitpid, pthread_setspecific,
# posix_spawn of /bin/true + waitpid, close() of a descriptor not open.
#
#   bench/preload-cost.sh [BUILD_DIR]     (default: build)
#
# Environment: RUNS (runs of each configuration, default 3; the table shows
# the medians). Not run in CI. Exit status 0 when every run worked.
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=${1:-${BUILD_DIR:-build}}
COTRACE=$BUILD/src/cli/cotrace
PRELOAD=$BUILD/src/preload/libcotrace-preload.so
RUNS=${RUNS:-3}

die() {
	echo "bench: $*" >&2
	exit 1
}

[ -x "$COTRACE" ] && [ -f "$PRELOAD" ] ||
	die "no build in '$BUILD': run scripts/build.sh (or meson setup $BUILD && ninja -C $BUILD) first"
! ldd "$PRELOAD" | grep -q libasan || die "'$BUILD' is a sanitizer build: its timings say nothing"
lttng list >/dev/null 2>&1 || die "no session daemon: run scripts/setup-debian.sh (it starts one)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cotrace-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cc -O2 -Wall -o "$WORK/preload-cost" bench/preload-cost.c -pthread ||
	die "cannot compile bench/preload-cost.c"
PROG=$WORK/preload-cost

# calls per round for each call: a round of each takes a fraction of a second
declare -A N=([create]=2000 [fork]=200 [setspecific]=1000000 [spawn]=200 [close]=1000000)
calls=(create fork setspecific spawn close)

# run CONFIG CALL: prints the ns per call of one run.
run() {
	local config=$1 call=$2 out
	case $config in
	plain) out=$("$PROG" "$call" "${N[$call]}") ;;
	ust) out=$(LD_PRELOAD=liblttng-ust.so.1:liblttng-ust-fork.so.1 "$PROG" "$call" "${N[$call]}") ;;
	nosession) out=$(LD_PRELOAD=$PRELOAD "$PROG" "$call" "${N[$call]}") ;;
	record)
		rm -rf "$WORK/trace"
		out=$("$COTRACE" record -q --subbuf-size 8M --num-subbuf 8 -o "$WORK/trace" -- \
			"$PROG" "$call" "${N[$call]}" 2>"$WORK/record.err") ||
			{ cat "$WORK/record.err" >&2; die "recording $call failed"; }
		;;
	esac
	echo "${out##* }"
}

median() {
	tr ' ' '\n' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# Other recordings on the same session daemon enable cotrace:* (with their
# own run_id filter): then "no session" is really "events enabled but
# filtered out", and every traced child gets their channels too.
active_sessions() {
	lttng list 2>/dev/null | grep -c '\[active\]' || true
}
echo "machine: $(nproc) CPUs, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "active tracing sessions of others at the start: $(active_sessions)"
echo "lttng-ust $(pkg-config --modversion lttng-ust 2>/dev/null || echo '?'), $RUNS runs of each, medians"
printf '%-12s %10s %10s %10s %10s | %8s %8s %8s | %8s %8s\n' call "plain" "lttng-ust" "no sess." "record" \
	"ust/pl" "nos/pl" "rec/pl" "nos/ust" "rec/ust"
declare -A res
configs=(plain ust nosession record)
for call in "${calls[@]}"; do
	for config in "${configs[@]}"; do
		res[$call.$config]=""
	done
	for ((r = 0; r < RUNS; r++)); do
		for config in "${configs[@]}"; do
			res[$call.$config]+="$(run "$config" "$call") "
		done
	done
	p=$(echo "${res[$call.plain]}" | median)
	u=$(echo "${res[$call.ust]}" | median)
	s=$(echo "${res[$call.nosession]}" | median)
	t=$(echo "${res[$call.record]}" | median)
	awk -v c="$call" -v p="$p" -v u="$u" -v s="$s" -v t="$t" 'BEGIN {
		ps = p > 0 ? p : 1; us = u > 0 ? u : 1
		printf "%-12s %10d %10d %10d %10d | %7.2fx %7.2fx %7.2fx | %7.2fx %7.2fx\n",
			c, p, u, s, t, u / ps, s / ps, t / ps, s / us, t / us
	}'
done
echo "(ns per call, medians; ratios against plain (pl) and raw lttng-ust (ust). A"
echo " setspecific or close call costs a few ns, so its ratio is large while its cost"
echo " stays small. fork and spawn: each child registers with the session daemon.)"
echo "active tracing sessions of others at the end: $(active_sessions)"
