# Shared by the preload tests (test-preload-*.sh, test-python-*.sh), after
# lib.sh: programs that never heard of cotrace, recorded through the
# preload that `cotrace record` injects. meson passes COTRACE_PRELOAD,
# COTRACE_PRELOAD_PROG (tests/preload/prog.c), COTRACE_PRELOAD_SRC (the
# Python scripts) and COTRACE_PYTHON_DIR (python/cotrace.py).

PROG=$COTRACE_PRELOAD_PROG
SRC=$COTRACE_PRELOAD_SRC

# A sanitizer build of the preload brings the AddressSanitizer runtime into
# every program it is preloaded into (`cotrace record` puts the runtime
# first, as it requires). Python and sh are not ours: their leaks at exit
# would change their exit status, so leak checking is off for them; our
# own programs (preload-prog) keep it, with lsan.supp for lttng-ust.
ASAN_RT=$(ldd "$COTRACE_PRELOAD" 2>/dev/null | awk '/libasan/ { print $3 }')
if [ -n "$ASAN_RT" ]; then
	FOREIGN_ENV="ASAN_OPTIONS=detect_leaks=0"
else
	FOREIGN_ENV="COTRACE_TEST_PLAIN=1"
fi

# foreign CMD...: runs a program that is not ours outside a recording; in a
# sanitizer build with the runtime first (libcotrace.so.0 is a sanitizer
# build too) and without leak checking.
foreign() {
	if [ -n "$ASAN_RT" ]; then
		env LD_PRELOAD="$ASAN_RT" ASAN_OPTIONS=detect_leaks=0 "$@"
	else
		"$@"
	fi
}

# record NAME CMD...: `cotrace record -q $RECORD_OPTS` of CMD into
# $TMP/NAME; CMD's stdout, stderr and exit status into
# $TMP/NAME.{out,err,rc}; the JSON and text reports into $TMP/NAME.json and
# $TMP/NAME.txt.
RECORD_OPTS=
record() {
	local name=$1 rc=0
	shift
	# shellcheck disable=SC2086
	"$COTRACE" record -q $RECORD_OPTS -o "$TMP/$name" -- "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" || rc=$?
	echo "$rc" >"$TMP/$name.rc"
	"$COTRACE" report --format json "$TMP/$name" >"$TMP/$name.json" 2>"$TMP/$name.report-err" ||
		{ cat "$TMP/$name.err" "$TMP/$name.report-err" >&2; fail "json report of $name failed"; }
	"$COTRACE" report "$TMP/$name" >"$TMP/$name.txt" 2>>"$TMP/$name.report-err" ||
		{ cat "$TMP/$name.report-err" >&2; fail "text report of $name failed"; }
}

# record_py NAME SCRIPT [ARGS...]: record of Debian's python3 running
# tests/preload/SCRIPT, unmodified.
record_py() {
	local name=$1
	shift
	record "$name" env "$FOREIGN_ENV" "$PY" "$SRC/$@"
}

# rc_of NAME: the recorded program's exit status.
rc_of() {
	cat "$TMP/$1.rc"
}

# show NAME: the reports and outputs, for a failure message.
show() {
	echo "--- $1 stdout" >&2; cat "$TMP/$1.out" >&2
	echo "--- $1 stderr" >&2; cat "$TMP/$1.err" >&2
	echo "--- $1 report" >&2; cat "$TMP/$1.txt" >&2
}
