#!/usr/bin/env bash
# The GIL lesson: 2 threads behind one lock are alive together (parallelism
# ~2) but take turns on the CPU (cpu_parallelism ~1).
. "$(dirname "$0")/lib.sh"
need_lttng

j=$TMP/gil.json
record_demo gil "$j" --workers 2 --work-ms 500

json_check "$j" 'r["summary"]["units"] == 2' "expected 2 tasks"
json_check "$j" 'len({t["pid"] for t in r["tasks"]}) == 1 and len({t["tid"] for t in r["tasks"]}) == 2' "the tasks should be 2 threads of one process"
json_check "$j" 'all(450e6 <= t["cpu_ns"] <= 650e6 for t in r["tasks"])' "each task should use ~0.5 s of CPU"
json_check "$j" 'r["summary"]["parallelism"] > 1.6' "parallelism should be near 2"
json_check "$j" 'r["summary"]["cpu_parallelism"] < 1.25' "cpu_parallelism should be near 1"
json_check "$j" 'r["summary"]["span_ns"] > 0.9e9' "the span should be the sum of the work"
grep -q "took turns" "$j.txt" || { cat "$j.txt"; fail "the text report should say the threads took turns"; }
echo "ok: gil: $(json_get "$j" '"parallelism %.2f cpu_parallelism %.2f" % (r["summary"]["parallelism"], r["summary"]["cpu_parallelism"])')"
