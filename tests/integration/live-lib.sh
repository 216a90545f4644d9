# Shared by test-live.sh and test-live-kill.sh: cotrace record --live in the
# background, with bounded waits on what it prints. Sourced after lib.sh.

# babeltrace2's live source leaks on its error path (lsan-live.supp).
LSAN_OPTIONS="suppressions=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lsan-live.supp"
export LSAN_OPTIONS

need_relayd() {
	if ! command -v lttng-relayd >/dev/null 2>&1; then
		if [ "${CI:-}" = true ]; then
			fail "lttng-relayd is not installed (CI must install lttng-tools)"
		fi
		echo "SKIP: lttng-relayd is not installed" >&2
		exit 77
	fi
}

# Every command of these tests ends within this, or the test fails.
LIVE_TIMEOUT=${LIVE_TIMEOUT:-150}

# wait_for FILE PATTERN SECONDS: until FILE matches PATTERN (grep -E).
wait_for() {
	local file=$1 pattern=$2 limit=$(($3 * 10)) i=0
	while [ $i -lt $limit ]; do
		grep -Eq -- "$pattern" "$file" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "--- $file" >&2
	cat "$file" >&2 2>/dev/null
	fail "no '$pattern' in $file after $3 s"
}

# The private relay's pid and the live URL that record --live printed.
relayd_pid_of() { sed -n 's/.*lttng-relayd (pid \([0-9]*\)).*/\1/p' "$1" | head -n 1; }
live_url_of() { sed -n "s/.*'cotrace live \(net:[^']*\)'.*/\1/p" "$1" | head -n 1; }

# live_json_of OUT JSON: the final JSON report at the end of OUT.
live_json_of() {
	sed -n '/^{/,$p' "$1" >"$2"
	[ -s "$2" ] || { cat "$1" >&2; fail "no JSON report at the end of $1"; }
}

# same_report A B WHAT [STDERR]: two JSON reports equal but for trace.paths
# (STDERR, the command's, is shown when they differ).
same_report() {
	"$PY" - "$1" "$2" <<'PYEOF' || { [ -z "${4:-}" ] || cat "$4" >&2; fail "$3"; }
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for r in (a, b):
    r["trace"].pop("paths")
if a != b:
    for k in a:
        if a.get(k) != b.get(k):
            print("differs in %s:\n  %s\n  %s" % (k, a.get(k), b.get(k)), file=sys.stderr)
    sys.exit(1)
PYEOF
}

# not_running PID WHAT: PID (a relay daemon) is gone, within 10 s.
not_running() {
	local i=0
	while kill -0 "$1" 2>/dev/null; do
		[ $i -lt 100 ] || fail "$2 (pid $1) is still running"
		sleep 0.1
		i=$((i + 1))
	done
}

# A pid this test started, if still alive, is killed on exit.
BG_PIDS=""
cleanup_bg() {
	for p in $BG_PIDS; do
		kill -9 "$p" 2>/dev/null || :
	done
	rm -rf "$TMP"
}
trap cleanup_bg EXIT
