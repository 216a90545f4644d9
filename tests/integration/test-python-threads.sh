#!/usr/bin/env bash
# The lecture's threads in an unmodified Python script: every thread the
# report shows has the identity threading.get_ident() printed (it is
# pthread_self(), the pthread_id context), with its own kernel tid.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/preload-lib.sh"
need_lttng

record_py threads py-threads.py
j=$TMP/threads.json
[ "$(rc_of threads)" = 0 ] || { show threads; fail "py-threads.py exited $(rc_of threads)"; }
idents=$(sed -n 's/^.*ident \([0-9]*\)$/\1/p' "$TMP/threads.out" | sort -n | tr '\n' ' ')
[ "$(echo $idents | wc -w)" = 3 ] || { show threads; fail "the script should print 3 identities"; }
json_check "$j" 'len(r["processes"]) == 1 and r["processes"][0]["complete"]' "one complete process expected"
json_check "$j" "sorted(t[\"pthread_id\"] for t in r[\"threads\"]) == sorted(int(x) for x in \"$idents\".split())" \
	"the threads' pthread ids should be the identities the script printed ($idents)"
json_check "$j" 'len({t["tid"] for t in r["threads"]}) == 3' "3 distinct kernel tids expected"
json_check "$j" 'sum(1 for t in r["threads"] if t["tid"] != t["pid"] and t["start_seen"] and t["exit_seen"] and t["cpu_ns"] is not None) == 2' \
	"both worker threads should have their start, their exit and their CPU time"
main=$(sed -n 's/^main ident \([0-9]*\)$/\1/p' "$TMP/threads.out")
json_check "$j" "[t for t in r[\"threads\"] if t[\"pthread_id\"] == $main][0][\"tid\"] == r[\"processes\"][0][\"pid\"]" \
	"the main thread's identity should be the main thread's (tid == pid)"
json_check "$j" 'not r["warnings"]' "no warning expected"
echo "ok: python threads: pthread ids = threading.get_ident() ($idents)"
