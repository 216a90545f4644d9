#!/usr/bin/env bash
# python/cotrace.py (ctypes over libcotrace.so.0, found through COTRACE_LIB
# that `cotrace record` sets): tasks, and the lecture's threading.local()
# through cotrace.local(): each thread wrote and read back its own value
# (its get_ident()) in its own slot.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/preload-lib.sh"
need_lttng

record mod env "$FOREIGN_ENV" PYTHONPATH="$COTRACE_PYTHON_DIR" "$PY" "$SRC/py-module.py"
j=$TMP/mod.json
[ "$(rc_of mod)" = 0 ] || { show mod; fail "py-module.py exited $(rc_of mod)"; }
values=$(sed -n 's/^value \([0-9]*\)$/\1/p' "$TMP/mod.out" | sort -n | tr '\n' ' ')
[ "$(echo $values | wc -w)" = 2 ] || { show mod; fail "the script should print 2 values"; }
run_id=$(sed -n 's/^run_id \([0-9]*\)$/\1/p' "$TMP/mod.out")
[ -n "$run_id" ] && [ "$run_id" != 0 ] || { show mod; fail "cotrace.run_id() should be the recording's run id"; }

json_check "$j" 'r["summary"]["unit"] == "task" and sorted(t["id"] for t in r["tasks"]) == [1, 2]' "tasks 1 and 2 expected"
json_check "$j" 'all(t["label"] == "tls_worker" and t["cpu_ns"] is not None and t["end_ns"] > t["start_ns"] for t in r["tasks"])' \
	"each task should be labelled, finished and have its CPU time"
json_check "$j" 'len({t["tid"] for t in r["tasks"]}) == 2' "the tasks ran on 2 threads"
# threading.local: each thread's own value (its get_ident()), own slot.
json_check "$j" "sorted(int(w[\"value\"]) for t in r[\"threads\"] for w in t[\"tls\"] if w[\"key\"] == \"value\") == sorted(int(x) for x in \"$values\".split())" \
	"the values written should be the ones printed ($values)"
json_check "$j" 'all(int(w["value"]) == t["pthread_id"] for t in r["threads"] for w in t["tls"] if w["key"] == "value")' \
	"each thread wrote its own get_ident(), its pthread_id"
json_check "$j" 'len({w["addr"] for t in r["threads"] for w in t["tls"] if w["key"] == "value"}) == 2' \
	"2 distinct slots: each thread its own copy"
json_check "$j" 'all(x["value"] == w["value"] for t in r["threads"] for w in t["tls"] if w["key"] == "value" for x in t["tls_reads"] if x["key"] == "value")' \
	"each thread read back its own value"
json_check "$j" 'sum(1 for t in r["threads"] for x in t["tls_reads"] if x["key"] == "value") == 2' "2 reads expected"
json_check "$j" 'not any(w["kind"].startswith("tls-") for w in r["warnings"])' "no TLS warning expected"
grep -qi "own slot" "$TMP/mod.txt" || { show mod; fail "the text report should say each thread had its own slot"; }

# Threads one after another: a copy on the memory of the one before is no
# sharing (the threads were never alive at once).
record seq env "$FOREIGN_ENV" PYTHONPATH="$COTRACE_PYTHON_DIR" "$PY" "$SRC/py-local-sequential.py"
[ "$(rc_of seq)" = 0 ] || { show seq; fail "py-local-sequential.py exited $(rc_of seq)"; }
j=$TMP/seq.json
json_check "$j" 'sum(1 for t in r["threads"] for w in t["tls"] if w["key"] == "value") == 4' "4 writes of value expected"
json_check "$j" 'not any(w["kind"] == "tls-shared-slot" for w in r["warnings"])' "threads one after another share no slot"
json_check "$j" 'r["tls_check"]["own_slots"] is True' "tls_check: every thread its own slot"
grep -q "Every thread had its own slot: " "$TMP/seq.txt" ||
	{ show seq; grep -i slot "$TMP/seq.txt" >&2; fail "the text report should say each thread had its own slot"; }
# The preload also records pthread_setspecific(): a thread descriptor (and
# its specific-data block) reused by the next thread shows as one address
# written by two threads that were never alive at once.
reused=$("$PY" -c 'import json,sys,collections
r=json.load(open(sys.argv[1])); c=collections.defaultdict(set)
for t in r["threads"]:
    for w in t["tls"]: c[(w["key"],w["addr"])].add(t["tid"])
print(sum(1 for v in c.values() if len(v) > 1))' "$j")
echo "note: $reused slot address(es) passed from one thread to the next"

# Without a session the module does nothing, quietly.
out=$(PYTHONPATH="$COTRACE_PYTHON_DIR" COTRACE_LIB="$(dirname "$COTRACE_PRELOAD")/../lib/libcotrace.so.0" foreign "$PY" -c '
import cotrace
with cotrace.task(1, "x"):
    cotrace.tls_write("k", 1)
print("quiet", cotrace.run_id(), cotrace.enabled())' 2>&1) || fail "the module failed outside a recording: $out"
[ "$out" = "quiet 0 True" ] || fail "outside a recording: expected 'quiet 0 True', got '$out'"
echo "ok: python module: 2 tasks, each thread its own threading.local value and slot ($values)"
