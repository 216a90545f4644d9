#!/usr/bin/env bash
# Outside `cotrace record` (no COTRACE_RUN_ID) libcotrace-preload.so is
# dormant: neither libcotrace nor lttng-ust is loaded into the program, and
# its output and exit status are exactly those it has without the preload.
# COTRACE_PRELOAD_ACTIVE=1 makes it active (a session of one's own); a
# preload that cannot find libcotrace then warns once and stays dormant.
# doc/preload.md, "Dormant and active".
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/preload-lib.sh"

unset COTRACE_RUN_ID COTRACE_PRELOAD_ACTIVE
if [ -n "$ASAN_RT" ]; then
	export ASAN_OPTIONS=detect_leaks=0
	PRE="$ASAN_RT:$COTRACE_PRELOAD"
	NONE="$ASAN_RT"
else
	PRE="$COTRACE_PRELOAD"
	NONE=
fi

# mapped PRELOAD [VAR=VALUE...]: the libraries of interest in the maps of
# a program started with PRELOAD and the variables (cat reads its own).
mapped() {
	local pre=$1
	shift
	env LD_PRELOAD="$pre" "$@" cat /proc/self/maps |
		awk '{ print $6 }' | grep -E 'liblttng-ust|libcotrace' | sort -u
}

maps=$(mapped "$PRE")
echo "$maps" | grep -q libcotrace-preload ||
	fail "the preload is not in the maps of a program it was preloaded into"
if echo "$maps" | grep -qE 'liblttng-ust|libcotrace\.so'; then
	echo "$maps" >&2
	fail "dormant, the preload loaded libcotrace or lttng-ust"
fi
echo "ok: dormant, neither libcotrace nor lttng-ust is mapped"

maps=$(mapped "$PRE" COTRACE_PRELOAD_ACTIVE=1)
for lib in libcotrace.so liblttng-ust.so liblttng-ust-common.so; do
	echo "$maps" | grep -q "/$lib" || { echo "$maps" >&2; fail "COTRACE_PRELOAD_ACTIVE=1: $lib is not mapped"; }
done
maps=$(mapped "$PRE" COTRACE_RUN_ID=7)
echo "$maps" | grep -q "/liblttng-ust.so" || { echo "$maps" >&2; fail "COTRACE_RUN_ID set: lttng-ust is not mapped"; }
maps=$(mapped "$PRE" COTRACE_PRELOAD_ACTIVE=0)
if echo "$maps" | grep -q "/liblttng-ust.so"; then
	fail "COTRACE_PRELOAD_ACTIVE=0: lttng-ust is mapped"
fi
echo "ok: active with COTRACE_PRELOAD_ACTIVE=1 or COTRACE_RUN_ID: libcotrace and lttng-ust are mapped"

n=0
# same [--pids] CMD...: CMD's stdout, stderr and exit status, with the
# dormant preload and without it, byte for byte; --pids masks addresses and
# numbers of 3 digits or more (pids, thread ids) and sorts the lines (threads print in
# any order).
same() {
	local rc1=0 rc2=0 mask='p;d' order=cat
	if [ "$1" = --pids ]; then
		mask='s/0x[0-9a-f]*/X/g; s/[0-9]\{3,\}/N/g'
		order=sort
		shift
	fi
	n=$((n + 1))
	env LD_PRELOAD="$NONE" "$@" >"$TMP/plain$n.out" 2>"$TMP/plain$n.err" || rc1=$?
	env LD_PRELOAD="$PRE" "$@" >"$TMP/dormant$n.out" 2>"$TMP/dormant$n.err" || rc2=$?
	[ "$rc1" = "$rc2" ] || fail "'$*' exited $rc1 alone but $rc2 with the dormant preload"
	for s in out err; do
		cmp -s <(sed -e "$mask" "$TMP/plain$n.$s" | $order) <(sed -e "$mask" "$TMP/dormant$n.$s" | $order) || {
			diff "$TMP/plain$n.$s" "$TMP/dormant$n.$s" >&2
			fail "'$*': its std$s differs with the dormant preload"
		}
	done
	[ -s "$TMP/plain$n.out" ] || [ -s "$TMP/plain$n.err" ] || [ "$rc1" != 0 ] ||
		fail "'$*' printed nothing: nothing was compared"
	echo "ok: same output and exit status $rc1: $*"
}

# (tree prints its pthread keys: the program's first is 0, as without the
# preload, where an active one makes it 2.)
same "$PROG" sigquery
same "$PROG" handler-exit
same "$PROG" kill 15
same "$PROG" kill 6
same --pids "$PROG" tree
same --pids "$PROG" closefds
same sh -c 'echo out; echo err >&2; exit 3'
same sh -c 'yes | head -n 3'
same env "$FOREIGN_ENV" "$PY" -c '
import os, signal, subprocess, sys, threading
for s in sorted(signal.valid_signals()):
    print(int(s), signal.getsignal(s))
t = threading.Thread(target=print, args=("thread",))
t.start()
t.join()
print(subprocess.run(["sh", "-c", "echo child; exit 4"]).returncode)
pid = os.fork()
if pid == 0:
    os._exit(9)
print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
raise SystemExit(5)'

# Active without a libcotrace to load: one warning, and the program runs
# as it does without the preload.
if ldconfig -p 2>/dev/null | grep -q 'libcotrace\.so\.0' ||
	[ -n "${LD_LIBRARY_PATH:-}" ]; then
	echo "skip: a libcotrace.so.0 can be found by soname here"
else
	mkdir "$TMP/alone"
	cp "$COTRACE_PRELOAD" "$TMP/alone/"
	alone=$TMP/alone/$(basename "$COTRACE_PRELOAD")
	[ -z "$ASAN_RT" ] || alone="$ASAN_RT:$alone"
	rc=0
	env LD_PRELOAD="$alone" COTRACE_PRELOAD_ACTIVE=1 "$PROG" sigquery >"$TMP/alone.out" 2>"$TMP/alone.err" || rc=$?
	env LD_PRELOAD="$NONE" "$PROG" sigquery >"$TMP/plain.out" 2>/dev/null || true
	[ "$rc" = 0 ] || fail "without libcotrace, the program exited $rc"
	cmp -s "$TMP/plain.out" "$TMP/alone.out" || fail "without libcotrace, the program's stdout differs"
	[ "$(grep -c 'cotrace: warning: .*cannot load libcotrace.so.0' "$TMP/alone.err")" = 1 ] ||
		{ cat "$TMP/alone.err" >&2; fail "without libcotrace: not one warning on stderr"; }
	[ "$(wc -l <"$TMP/alone.err")" = 1 ] || { cat "$TMP/alone.err" >&2; fail "without libcotrace: more than the warning on stderr"; }
	echo "ok: active without libcotrace: one warning, the program unchanged"
fi
echo "ok: the dormant preload changes nothing"
