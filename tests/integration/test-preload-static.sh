#!/usr/bin/env bash
# A statically linked program cannot take LD_PRELOAD: `cotrace record`
# says so (a warning naming the program), still runs it with its own exit
# status, and the dynamic programs it starts are still traced.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/preload-lib.sh"
need_lttng
STATIC=$TMP/preload-static
if ! cc -static -O2 -o "$STATIC" "$SRC/static.c" 2>"$TMP/cc.err"; then
	cat "$TMP/cc.err" >&2
	[ "${CI:-}" = true ] && fail "cannot build a static program (libc6-dev has libc.a)"
	echo "SKIP: no static C library here" >&2
	exit 77
fi

# Alone: the warning, the status, a trace without cotrace events.
rc=0
"$COTRACE" record -q -o "$TMP/alone" -- "$STATIC" >"$TMP/alone.out" 2>"$TMP/alone.err" || rc=$?
echo "$rc" >"$TMP/alone.rc"
rc=0
"$COTRACE" report "$TMP/alone" >"$TMP/alone.txt" 2>&1 || rc=$?
[ "$rc" = 4 ] || { cat "$TMP/alone.txt" >&2; fail "the static program's trace should hold no cotrace event (report exit 4), got $rc"; }
[ "$(rc_of alone)" = 4 ] || { show alone; fail "the static program's status 4 should pass through, got $(rc_of alone)"; }
grep -q "^static program pid [0-9]*$" "$TMP/alone.out" || { show alone; fail "the static program did not run"; }
grep -q "^cotrace: warning: $STATIC is a statically linked executable: LD_PRELOAD cannot reach it, so its events cannot be recorded unless it is linked with libcotrace" "$TMP/alone.err" ||
	{ show alone; fail "cotrace record should warn that a static program cannot be traced"; }
echo "ok: static: warned, run, status 4 passed through"

# Starting a dynamic program: that one is traced.
record parent "$STATIC" "$PROG" leaf 0
[ "$(rc_of parent)" = 4 ] || { show parent; fail "static parent exited $(rc_of parent), expected 4"; }
spid=$(sed -n 's/^static program pid \([0-9]*\)$/\1/p' "$TMP/parent.out")
json_check "$TMP/parent.json" "len(r[\"processes\"]) == 1 and r[\"processes\"][0][\"name\"] == \"preload-prog\" and r[\"processes\"][0][\"ppid\"] == $spid and r[\"processes\"][0][\"complete\"]" \
	"the dynamic child of the static program should be traced, its ppid $spid"
echo "ok: static: its dynamic child is traced"

# No warning for a dynamic program, nor with --no-preload.
record dyn "$PROG" leaf 0
! grep -q "statically linked" "$TMP/dyn.err" || { show dyn; fail "a dynamic program should not be called static"; }
"$COTRACE" record -q --no-preload -o "$TMP/nopre" -- "$STATIC" >/dev/null 2>"$TMP/nopre.err" || true
! grep -q "statically linked" "$TMP/nopre.err" || { cat "$TMP/nopre.err" >&2; fail "--no-preload: nothing to warn about"; }
echo "ok: static: no warning for a dynamic program or with --no-preload"
