#!/usr/bin/env bash
# No fork child's events are lost, also for children that live ~1 ms: every
# child's start and exit must be in the trace.
. "$(dirname "$0")/lib.sh"
need_lttng

j=$TMP/parallel.json
record_demo parallel "$j" --workers 20 --work-ms 1

json_check "$j" 'len(r["processes"]) == 21' "expected the parent and 20 children"
json_check "$j" 'all(p["complete"] for p in r["processes"])' "every process should have its start and its exit"
json_check "$j" 'len(r["forks"]) == 20 and all(f["child_ret"] == 0 for f in r["forks"])' "20 forks, each seen from the child"
json_check "$j" 'len(r["tasks"]) == 20 and all(t["end_ns"] is not None for t in r["tasks"])' "20 finished tasks"
json_check "$j" 'r["trace"]["lost_events"] == 0' "no event may be lost"
json_check "$j" 'not r["warnings"]' "no warning expected"
echo "ok: 20 short-lived children, all complete"
