#!/usr/bin/env bash
# The multiprocessing lesson: 2 processes x 500 ms of CPU on 2 cores overlap,
# so the span is about one task and cpu_parallelism is near 2.
. "$(dirname "$0")/lib.sh"
need_lttng

j=$TMP/parallel.json
record_demo parallel "$j" --workers 2 --work-ms 500

json_check "$j" 'r["summary"]["unit"] == "task"' "the unit is not task"
json_check "$j" 'r["summary"]["units"] == 2 and len(r["tasks"]) == 2' "expected 2 tasks"
json_check "$j" 'all(450e6 <= t["cpu_ns"] <= 650e6 for t in r["tasks"])' "each task should use ~0.5 s of CPU"
json_check "$j" 'all(450e6 <= t["end_ns"] - t["start_ns"] <= 900e6 for t in r["tasks"])' "each task should last ~0.5 s"
json_check "$j" 'len({t["pid"] for t in r["tasks"]}) == 2' "the tasks should run in 2 different processes"
json_check "$j" 'r["summary"]["cpu_parallelism"] > 1.6' "cpu_parallelism should be above 1.6 on 2 cores"
json_check "$j" 'r["summary"]["parallelism"] > 1.6' "parallelism should be above 1.6"
json_check "$j" 'r["summary"]["span_ns"] < 0.8 * r["summary"]["busy_ns"]' "the span should be about one task, not the sum"
json_check "$j" 'len(r["processes"]) == 3 and all(p["complete"] for p in r["processes"])' "3 complete processes expected"
json_check "$j" 'r["trace"]["lost_events"] == 0' "no event may be lost"
json_check "$j" 'not r["warnings"]' "no warning expected"
grep -q "in parallel" "$j.txt" || { cat "$j.txt"; fail "the text report should say the tasks ran in parallel"; }
echo "ok: parallel: $(json_get "$j" '"cpu_parallelism %.2f parallelism %.2f span %.3f s" % (r["summary"]["cpu_parallelism"], r["summary"]["parallelism"], r["summary"]["span_ns"]/1e9)')"
