# Shared by the integration tests: they record real traces through a real
# lttng-sessiond. Sourced; meson passes COTRACE, COTRACE_DEMO and the plugin
# path in the environment.
set -u

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# Without a session daemon a developer machine skips (77); CI never does.
need_lttng() {
	if ! command -v lttng-sessiond >/dev/null 2>&1; then
		if [ "${CI:-}" = true ]; then
			fail "lttng-sessiond is not installed (CI must install lttng-tools)"
		fi
		echo "SKIP: lttng-sessiond is not installed" >&2
		exit 77
	fi
}

PY=/usr/bin/python3
TMP=$(mktemp -d "${TMPDIR:-/tmp}/cotrace-test.XXXXXX")
chmod 755 "$TMP"
trap 'rm -rf "$TMP"' EXIT

# json_get FILE EXPR: evaluates a Python expression over the JSON object `r`.
json_get() {
	"$PY" -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# json_check FILE EXPR MESSAGE: fails with MESSAGE unless EXPR holds.
json_check() {
	local out
	out=$("$PY" -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2") ||
		fail "$3 (expression: $2)"
}

# expect_exit CODE CMD...: runs CMD, checks its exit code, keeps stderr in $TMP/err.
expect_exit() {
	local want=$1 got=0
	shift
	"$@" >"$TMP/out" 2>"$TMP/err" || got=$?
	if [ "$got" != "$want" ]; then
		echo "--- stdout" >&2; cat "$TMP/out" >&2
		echo "--- stderr" >&2; cat "$TMP/err" >&2
		fail "'$*' exited $got, expected $want"
	fi
}

# expect_message PATTERN: stderr of the last expect_exit matches PATTERN (grep -E).
expect_message() {
	grep -Eq -- "$1" "$TMP/err" || {
		cat "$TMP/err" >&2
		fail "stderr does not match '$1'"
	}
}

# record_demo NAME JSON [ARGS...]: records a demo into $TMP/NAME and writes
# the JSON report to JSON, the text report to JSON.txt.
record_demo() {
	local name=$1 json=$2
	shift 2
	"$COTRACE" record -q -o "$TMP/$name" -- "$COTRACE_DEMO" "$name" "$@" \
		>"$TMP/$name.stdout" 2>"$TMP/$name.stderr" ||
		{ cat "$TMP/$name.stderr" >&2; fail "recording demo $name failed"; }
	"$COTRACE" report --format json "$TMP/$name" >"$json" 2>"$TMP/$name.report-err" ||
		{ cat "$TMP/$name.report-err" >&2; fail "json report of $name failed"; }
	"$COTRACE" report "$TMP/$name" >"$json.txt" 2>>"$TMP/$name.report-err" ||
		{ cat "$TMP/$name.report-err" >&2; fail "text report of $name failed"; }
}

# babeltrace2 loading our plugin: a sanitizer build of the plugin needs the
# ASan runtime loaded first into the (uninstrumented) babeltrace2, and
# babeltrace2's own one-time allocations are not ours to call leaks.
bt2() {
	local plugin=$BABELTRACE_PLUGIN_PATH/babeltrace-plugin-cotrace.so asan
	asan=$(ldd "$plugin" 2>/dev/null | awk '/libasan/ { print $3 }')
	if [ -n "$asan" ]; then
		LD_PRELOAD=$asan ASAN_OPTIONS=detect_leaks=0 babeltrace2 "$@"
	else
		babeltrace2 "$@"
	fi
}
