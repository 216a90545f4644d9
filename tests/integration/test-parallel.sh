#!/usr/bin/env bash
# The multiprocessing lesson: 2 processes x 500 ms of CPU on 2 cores overlap,
# so the span is about one task and cpu_parallelism is near 2.
. "$(dirname "$0")/lib.sh"
need_lttng

j=$TMP/parallel.json
# Two processes can only overlap on a CPU each: when the machine cannot give
# both CPUs at once (other load, a busy host), the trace shows it honestly,
# so record again, a bounded number of times, before judging.
for attempt in 1 2 3 4 5; do
	rm -rf "$TMP/parallel"
	record_demo parallel "$j" --workers 2 --work-ms 500
	if "$PY" -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if r["summary"]["cpu_parallelism"] > 1.6 and all(t["end_ns"] - t["start_ns"] <= 900e6 for t in r["tasks"]) else 1)' "$j"; then
		break
	fi
	echo "note: attempt $attempt: cpu_parallelism $(json_get "$j" 'round(r["summary"]["cpu_parallelism"], 2)'): both CPUs were not free at once; recording again" >&2
	sleep 2
done

# After 5 attempts the tasks may still have waited for a CPU (their wall time
# well over their CPU time): then the low figure is the truth, and only the
# parallel figures cannot be judged.
starved=$("$PY" -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["summary"]["cpu_parallelism"] <= 1.6 and any(t["end_ns"] - t["start_ns"] > 1.1 * t["cpu_ns"] for t in r["tasks"]))' "$j")
json_check "$j" 'r["summary"]["unit"] == "task"' "the unit is not task"
json_check "$j" 'r["summary"]["units"] == 2 and len(r["tasks"]) == 2' "expected 2 tasks"
json_check "$j" 'all(450e6 <= t["cpu_ns"] <= 650e6 for t in r["tasks"])' "each task should use ~0.5 s of CPU"
json_check "$j" 'len({t["pid"] for t in r["tasks"]}) == 2' "the tasks should run in 2 different processes"
json_check "$j" 'r["summary"]["parallelism"] > 1.6' "parallelism should be above 1.6"
json_check "$j" 'abs(r["summary"]["cpu_parallelism"] - r["summary"]["cpu_ns"] / r["summary"]["span_ns"]) < 1e-4 * r["summary"]["cpu_parallelism"]' "cpu_parallelism is cpu / span"
if [ "$starved" = True ]; then
	echo "note: in 5 attempts the 2 CPUs were never free at once (the tasks waited for a CPU); cpu_parallelism $(json_get "$j" 'round(r["summary"]["cpu_parallelism"], 2)') says so" >&2
else
	json_check "$j" 'all(450e6 <= t["end_ns"] - t["start_ns"] <= 900e6 for t in r["tasks"])' "each task should last ~0.5 s"
	json_check "$j" 'r["summary"]["cpu_parallelism"] > 1.6' "cpu_parallelism should be above 1.6 on 2 cores"
	json_check "$j" 'r["summary"]["span_ns"] < 0.8 * r["summary"]["busy_ns"]' "the span should be about one task, not the sum"
	grep -q "in parallel" "$j.txt" || { cat "$j.txt"; fail "the text report should say the tasks ran in parallel"; }
fi
json_check "$j" 'len(r["processes"]) == 3 and all(p["complete"] for p in r["processes"])' "3 complete processes expected"
json_check "$j" 'r["trace"]["lost_events"] == 0' "no event may be lost"
json_check "$j" 'not r["warnings"]' "no warning expected"
echo "ok: parallel: $(json_get "$j" '"cpu_parallelism %.2f parallelism %.2f span %.3f s" % (r["summary"]["cpu_parallelism"], r["summary"]["parallelism"], r["summary"]["span_ns"]/1e9)')"
