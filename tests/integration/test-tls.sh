#!/usr/bin/env bash
# Thread-local storage: 4 threads, 4 slots at distinct addresses, each thread
# reads back its own value.
. "$(dirname "$0")/lib.sh"
need_lttng

j=$TMP/tls.json
record_demo tls "$j" --workers 4

json_check "$j" 'len([t for t in r["threads"] if t["tls"]]) == 4' "4 threads should have written TLS"
json_check "$j" 'len({w["addr"] for t in r["threads"] for w in t["tls"]}) == 4' "4 distinct slot addresses expected"
json_check "$j" 'len({w["value"] for t in r["threads"] for w in t["tls"]}) == 4' "each thread should have its own value"
json_check "$j" 'len({t["tid"] for t in r["threads"] if t["tls"]}) == 4 and len({t["pthread_id"] for t in r["threads"] if t["tls"]}) == 4' "4 distinct tids and pthread ids"
json_check "$j" 'not any(w["kind"].startswith("tls-") for w in r["warnings"])' "no TLS warning expected"
grep -qi "own slot" "$j.txt" || { cat "$j.txt"; fail "the text report should say every thread had its own slot"; }
# What each thread printed is what the trace holds.
for v in $(json_get "$j" '" ".join(w["value"] for t in r["threads"] for w in t["tls"])'); do
	grep -q "value $v" "$TMP/tls.stdout" || fail "value $v of the trace was not printed by the demo"
done
echo "ok: tls: 4 threads, 4 slots"
