#!/usr/bin/env bash
# `cotrace report` reads into a bounded model (doc/metrics.md): on a trace
# with more tasks and TLS accesses than it lists, it says what it left out,
# and its figures are the ones the full model (`cotrace check`, which keeps
# every task) computes from every task, to the nanosecond.
. "$(dirname "$0")/lib.sh"
need_lttng

# 60,000 events: about 20,000 tasks (the lists hold 10,000) and 20,000 TLS
# writes from 2 threads (32 listed each); buffers large enough to lose none.
"$COTRACE" record -q -o "$TMP/flood" --subbuf-size 4M --num-subbuf 8 -- \
	"$COTRACE_DEMO" flood --events 60000 --workers 2 >/dev/null 2>"$TMP/rec.err" ||
	{ cat "$TMP/rec.err" >&2; fail "recording the flood failed"; }
j=$TMP/flood.json
expect_exit 0 "$COTRACE" report --format json "$TMP/flood"
cp "$TMP/out" "$j"
expect_exit 0 "$COTRACE" report "$TMP/flood"
cp "$TMP/out" "$TMP/flood.txt"

json_check "$j" 'r["trace"]["lost_events"] == 0' "the flood should lose no event"
json_check "$j" 'r["summary"]["unit"] == "task" and r["summary"]["units"] > 10000' "more tasks than the lists hold"
json_check "$j" 'r["listing"]["complete"] is False and r["listing"]["tasks_listed"] == len(r["tasks"]) == 10000' \
	"the JSON lists the first 10000 tasks"
json_check "$j" 'r["listing"]["tasks_omitted"] == r["summary"]["units"] - 10000' "it counts the tasks left out"
json_check "$j" 'all(len(t["tls"]) + len(t["tls_reads"]) <= 32 for t in r["threads"])' "at most 32 TLS accesses per thread"
json_check "$j" 'r["listing"]["tls_omitted"] + r["listing"]["tls_listed"] == r["tls_check"]["writes"] + r["tls_check"]["reads"]' \
	"the TLS accesses left out are counted"
json_check "$j" 'sum(k["writes"] for k in r["tls_keys"]) == r["tls_check"]["writes"] and all(k["last_value"] is not None for k in r["tls_keys"])' \
	"each (thread, key) summary counts its writes and keeps its last value"
json_check "$j" 'r["tls_check"]["own_slots"] is True' "the flood's threads each have their own slot"
json_check "$j" '[w["kind"] for w in r["warnings"]] == ["listing-truncated"]' "one warning: the lists were cut"
grep -q -- '--format json lists the first 10000' "$TMP/flood.txt" || fail "the text report should say how many tasks JSON lists"
grep -q '^  TLS key counter: [0-9]* writes, 0 reads, last ' "$TMP/flood.txt" ||
	fail "the text report should summarise each thread's TLS keys"

# The full model, every task kept, agrees to the nanosecond.
units=$(json_get "$j" 'r["summary"]["units"]')
span=$(json_get "$j" 'r["summary"]["span_ns"]')
busy=$(json_get "$j" 'r["summary"]["busy_ns"]')
cpu=$(json_get "$j" 'r["summary"]["cpu_ns"]')
maxc=$(json_get "$j" 'r["summary"]["max_concurrency"]')
expect_exit 0 "$COTRACE" check -e "units == $units" -e "tasks == $units" -e "span == ${span}ns" \
	-e "busy == ${busy}ns" -e "cpu == ${cpu}ns" -e "max_concurrency == $maxc" "$TMP/flood"
# ...and a check that cannot hold fails (the comparison is exact).
expect_exit 1 "$COTRACE" check -e "span == $((span + 1))ns" "$TMP/flood"

echo "ok: the bounded report lists 10000 of $units tasks, and its figures are the full model's"
