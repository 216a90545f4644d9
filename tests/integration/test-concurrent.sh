#!/usr/bin/env bash
# Two recordings at once on one machine do not mix their events.
. "$(dirname "$0")/lib.sh"
need_lttng

"$COTRACE" record -q -o "$TMP/a" -- "$COTRACE_DEMO" parallel --workers 2 --work-ms 300 \
	>"$TMP/a.out" 2>"$TMP/a.err" &
a=$!
"$COTRACE" record -q -o "$TMP/b" -- "$COTRACE_DEMO" gil --workers 3 --work-ms 100 \
	>"$TMP/b.out" 2>"$TMP/b.err" &
b=$!
wait "$a" || { cat "$TMP/a.err"; fail "recording a failed"; }
wait "$b" || { cat "$TMP/b.err"; fail "recording b failed"; }

"$COTRACE" report --format json "$TMP/a" >"$TMP/a.json" || fail "report a failed"
"$COTRACE" report --format json "$TMP/b" >"$TMP/b.json" || fail "report b failed"
json_check "$TMP/a.json" 'len(r["processes"]) == 3 and len(r["tasks"]) == 2' "trace a should hold only the parallel demo (3 processes, 2 tasks)"
json_check "$TMP/b.json" 'len(r["processes"]) == 1 and len(r["tasks"]) == 3' "trace b should hold only the gil demo (1 process, 3 tasks)"
pa=$(json_get "$TMP/a.json" '" ".join(str(p["pid"]) for p in r["processes"])')
pb=$(json_get "$TMP/b.json" '" ".join(str(p["pid"]) for p in r["processes"])')
for p in $pa; do
	case " $pb " in *" $p "*) fail "pid $p is in both traces";; esac
done
echo "ok: two concurrent recordings kept apart ($pa | $pb)"
