#!/usr/bin/env bash
# The preload changes nothing a program can see in its output: stdout,
# stderr and exit status are the same with and without `cotrace record`
# (pids and addresses aside), deaths by signal included, and so are the
# signal dispositions a program reads (the preload's own handlers hide as
# SIG_DFL).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/preload-lib.sh"
need_lttng

# A sanitizer build: leak checking is test-preload-c.sh's job; here its
# "thread was not suspended" notes (lttng-ust's threads in fork children)
# would be differences that are not the program's.
if [ -n "$ASAN_RT" ]; then
	export ASAN_OPTIONS=detect_leaks=0
fi

n=0
# same [--raw|--digits] CMD...: runs CMD alone and under `cotrace record
# -q`, and compares. Numbers of 3 digits or more (pids, addresses) are
# masked; --raw masks nothing, --digits every number.
same() {
	local mask='s/[0-9a-fx]*[0-9][0-9][0-9][0-9a-fx]*/N/g' rc1=0 rc2=0
	if [ "$1" = --raw ]; then
		mask='p;d'
		shift
	elif [ "$1" = --digits ]; then
		mask='s/[0-9a-fx]*[0-9][0-9a-fx]*/N/g'
		shift
	fi
	n=$((n + 1))
	# (In a sanitizer build the recorded run has the runtime preloaded,
	# with its own handlers: so has the plain one. A simple command, not a
	# function, so that the shell's own "Terminated" is not captured.)
	local plain=("$@")
	[ -z "$ASAN_RT" ] || plain=(env LD_PRELOAD="$ASAN_RT" "$@")
	"${plain[@]}" >"$TMP/plain$n.out" 2>"$TMP/plain$n.err" || rc1=$?
	"$COTRACE" record -q -o "$TMP/same$n" -- "$@" >"$TMP/rec$n.out" 2>"$TMP/rec$n.err" || rc2=$?
	[ "$rc1" = "$rc2" ] || { cat "$TMP/rec$n.err" >&2; fail "'$*' exited $rc1 alone but $rc2 under cotrace record"; }
	for s in out err; do
		if ! diff <(sed -e "$mask" "$TMP/plain$n.$s") <(sed -e "$mask" "$TMP/rec$n.$s") >"$TMP/diff$n.$s"; then
			cat "$TMP/diff$n.$s" >&2
			fail "'$*': its std$s differs under cotrace record"
		fi
	done
	[ -s "$TMP/plain$n.out" ] || [ -s "$TMP/plain$n.err" ] || [ "$rc1" != 0 ] ||
		fail "'$*' printed nothing: nothing was compared"
	echo "ok: same output and exit status $rc1: $*"
}

# C, not linked with libcotrace.
same --raw "$PROG" sigquery
same --raw "$PROG" handler-exit
same --raw "$PROG" kill 15
same --raw "$PROG" kill 6
same "$PROG" leaf 5
same "$PROG" children
# (--digits: lttng-ust holds two pthread keys of its own, so the program's
# first key is 2 rather than 0 under any LTTng-UST tracing; doc/preload.md.)
same --digits "$PROG" tree
same "$PROG" closefds
# Shell: output on both streams, a status, a pipe closed early (SIGPIPE),
# a shell killing itself.
same --raw sh -c 'echo out; echo err >&2; exit 3'
same --raw sh -c 'yes | head -n 3'
same --raw sh -c 'echo before; kill -TERM $$; echo after'
# Python: the dispositions it reads at start-up, a fork, a death by signal.
same --raw env "$FOREIGN_ENV" "$PY" -c '
import signal
for s in sorted(signal.valid_signals()):
    print(int(s), signal.getsignal(s))
raise SystemExit(5)'
same env "$FOREIGN_ENV" "$PY" "$SRC/py-fork.py"
same --raw env "$FOREIGN_ENV" "$PY" -c '
import os, signal, sys
print("dying", flush=True)
print("to stderr", file=sys.stderr, flush=True)
os.kill(os.getpid(), signal.SIGTERM)'
# And the traces are not empty: the preload did trace these programs.
json=$TMP/last.json
"$COTRACE" report --format json "$TMP/same$n" >"$json" || fail "no report of the last recording"
json_check "$json" 'len(r["processes"]) == 1 and r["processes"][0]["exit_status"] == 143' \
	"the python killed by SIGTERM should be in its trace, status 143"
echo "ok: $n programs gave the same output with and without cotrace record"
