#!/usr/bin/env bash
# `cotrace timeline --format chrome`, read back by a parser nobody here
# wrote: the trace engine of Chrome DevTools' Performance panel
# (@paulirish/trace_engine from the npm registry, tests/chrome). For each
# demo, the processes, threads, task slices and fork flows it finds must be
# the report's processes, threads, tasks and forks; the document itself is
# checked against the report too (ids, names, flows bound to slices,
# counters, warnings). Then the plugin, and a damaged trace.
. "$(dirname "$0")/lib.sh"
need_lttng

CONSUMER=$(cd "$(dirname "$0")/../chrome" && pwd)

# The consumer's packages: `npm ci` from the committed lock file, unless
# scripts/setup-debian.sh already did. Without Node or the registry a
# developer machine skips; CI never does.
need_consumer() {
	local why=""
	if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
		why="node and npm are not installed (apt install nodejs npm)"
	elif [ ! -f "$CONSUMER/node_modules/.package-lock.json" ] ||
		[ "$CONSUMER/package-lock.json" -nt "$CONSUMER/node_modules/.package-lock.json" ]; then
		if ! (cd "$CONSUMER" && npm ci --no-audit --no-fund --loglevel=error) >"$TMP/npm.log" 2>&1; then
			cat "$TMP/npm.log" >&2
			why="npm ci in tests/chrome failed (is the npm registry reachable?)"
		fi
	fi
	if [ -n "$why" ]; then
		[ "${CI:-}" = true ] && fail "$why"
		echo "SKIP: $why" >&2
		exit 77
	fi
}
need_consumer

# check_demo NAME [ARGS...]: records NAME, writes its timeline as Chrome
# JSON, and compares the consumer's counts and the document to the report.
check_demo() {
	local name=$1
	shift
	record_demo "$name" "$TMP/$name.json" "$@"
	"$COTRACE" timeline --format chrome -o "$TMP/$name.chrome.json" "$TMP/$name" \
		2>"$TMP/$name.chrome-err" ||
		{ cat "$TMP/$name.chrome-err" >&2; fail "cotrace timeline --format chrome on $name failed"; }
	node "$CONSUMER/count-trace.mjs" "$TMP/$name.chrome.json" >"$TMP/$name.counts.json" ||
		fail "the DevTools trace engine could not load the $name timeline"
	"$PY" - "$TMP/$name.json" "$TMP/$name.chrome.json" "$TMP/$name.counts.json" <<'PYEOF' ||
import json, sys
report, doc, counts = (json.load(open(p)) for p in sys.argv[1:4])
procs, threads = report["processes"], report["threads"]
tasks, forks = report["tasks"], report["forks"]

def check(cond, what):
    if not cond:
        sys.exit("FAIL: " + what)

# What the DevTools engine found is what the report found.
check(counts["processes"] == len(procs), f"engine processes {counts['processes']} != report {len(procs)}")
check(counts["threads"] == len(threads), f"engine threads {counts['threads']} != report {len(threads)}")
check(counts["track_processes"] == len(procs), f"engine track processes {counts['track_processes']} != {len(procs)}")
check(counts["tracks"] == len(threads), f"engine thread tracks {counts['tracks']} != {len(threads)}")
check(counts["slices"].get("task", 0) == len(tasks), f"engine task slices {counts['slices'].get('task', 0)} != report tasks {len(tasks)}")
check(counts["flows"] == len(forks), f"engine flows {counts['flows']} != report forks {len(forks)}")

events = doc["traceEvents"]
check(doc.get("displayTimeUnit") == "ms", "displayTimeUnit")
meta = doc["metadata"]["cotrace"]
check(meta["processes"] == len(procs) and meta["threads"] == len(threads), "metadata counts")
check(meta["tasks"] == len(tasks) and meta["forks"] == len(forks) and meta["flows"] == len(forks), "metadata tasks/forks/flows")
check(meta["lost_events"] == report["trace"]["lost_events"], "lost events")
check(meta["cotrace_events"] <= meta["events"] == report["trace"]["events"], "event counts")

# Metadata events carry no ts; every other event a ts >= 0 in microseconds.
for e in events:
    if e["ph"] == "M":
        check("ts" not in e, f"metadata event with ts: {e}")
    else:
        check(isinstance(e["ts"], (int, float)) and e["ts"] >= 0, f"bad ts: {e}")
    if e["ph"] == "X":
        check(e["dur"] >= 0, f"negative dur: {e}")

# Small ids 1..N; the real ones in the names' args.
pids = {e["pid"] for e in events}
tids = {e["tid"] for e in events}
check(pids == set(range(1, len(procs) + 1)), f"pids {sorted(pids)}")
check(tids == set(range(1, len(threads) + 1)), f"tids {sorted(tids)}")
names = {e["pid"]: e["args"] for e in events if e["ph"] == "M" and e["name"] == "process_name"}
check(sorted(a["pid"] for a in names.values()) == sorted(p["pid"] for p in procs), "real pids")
tnames = [e["args"] for e in events if e["ph"] == "M" and e["name"] == "thread_name"]
check(sorted(a["tid"] for a in tnames) == sorted(t["tid"] for t in threads), "real tids")
for p in procs:
    label = [a for a in names.values() if a["pid"] == p["pid"]][0]
    check(label["completeness"] == ("complete" if p["complete"] else label["completeness"]), "completeness")
    check(f"pid {p['pid']}" in label["name"], "process name holds the real pid")

# Task slices: the report's tasks, durations to the nanosecond.
xs = [e for e in events if e["ph"] == "X" and e["cat"] == "task"]
got = sorted(round(e["dur"] * 1000) for e in xs)
want = sorted(t["end_ns"] - t["start_ns"] for t in tasks)
check(got == want, f"task durations {got} != {want}")

# Each flow starts on a fork slice and ends where a process slice begins.
def slice_at(ph_ts, pid, tid, name_prefix):
    return [x for x in events if x["ph"] == "X" and x["cat"] == "process" and x["pid"] == pid
            and x["tid"] == tid and x["ts"] == ph_ts and x["name"].startswith(name_prefix)]
flows = {}
for e in events:
    if e["ph"] in "sf":
        flows.setdefault(e["id"], {})[e["ph"]] = e
check(len(flows) == len(forks), f"{len(flows)} flows for {len(forks)} forks")
for fid, f in flows.items():
    check(set(f) == {"s", "f"}, f"flow {fid} is missing an end")
    check(slice_at(f["s"]["ts"], f["s"]["pid"], f["s"]["tid"], "fork pid "), f"flow {fid} start is on no fork slice")
    check(slice_at(f["f"]["ts"], f["f"]["pid"], f["f"]["tid"], "pid "), f"flow {fid} end is on no process slice")
    check(f["f"].get("bp") == "e", "flow end binds to its enclosing slice")

# Concurrency counters.
running = [e["args"]["running"] for e in events if e["ph"] == "C" and e["name"] == "tasks"]
if report["summary"]["unit"] in ("task", "tasks"):
    check(max(running) == report["summary"]["max_concurrency"], f"max tasks running {max(running)}")
procs_running = [(e["ts"], e["args"]["running"]) for e in events if e["ph"] == "C" and e["name"] == "processes"]
check(max(procs_running)[1] == 0 and max(r for _, r in procs_running) >= 1, "processes counter ends at 0")

# TLS accesses: one thread-scoped instant each, with key, value and address.
def tls_of(kind):
    return sorted((e["args"]["key"], e["args"]["value"], int(e["args"]["addr"], 16)) for e in events
                  if e["ph"] == "i" and e["cat"] == "tls" and e["name"].startswith(kind + " "))
def report_tls(field):
    return sorted((w["key"], w["value"], w["addr"]) for t in threads for w in t.get(field, []))
check(tls_of("tls_write") == report_tls("tls"), "TLS writes differ from the report's")
check(tls_of("tls_read") == report_tls("tls_reads"), "TLS reads differ from the report's")
check(all(e.get("s") == "t" for e in events if e["ph"] == "i" and e["cat"] == "tls"), "tls instants are thread-scoped")

# The report's warnings, as warning instants.
kinds = sorted({e["args"]["kind"] for e in events if e["ph"] == "i" and e["cat"] == "warning"})
check(kinds == sorted({w["kind"] for w in report["warnings"]}), f"warnings {kinds} != report's")
print(f"  {len(procs)} processes, {len(threads)} threads, {len(tasks)} tasks, {len(forks)} flows, warnings {kinds}")
PYEOF
		fail "the $name timeline does not match its report"
}

check_demo parallel --workers 2 --work-ms 100
check_demo fork
check_demo fork-threads
check_demo tls --workers 4

# The plugin writes the same document as the command.
bt2 "$TMP/parallel" -c sink.cotrace.chrome -p "path=\"$TMP/bt.chrome.json\"" ||
	fail "babeltrace2 with sink.cotrace.chrome failed"
node "$CONSUMER/count-trace.mjs" "$TMP/bt.chrome.json" >"$TMP/bt.counts.json" ||
	fail "the DevTools trace engine could not load the plugin's document"
"$PY" - "$TMP/parallel.counts.json" "$TMP/bt.counts.json" <<'PYEOF' || fail "the plugin's timeline differs from the command's"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for k in ("processes", "threads", "tracks", "slices", "flows", "process_names", "thread_names"):
    assert a[k] == b[k], (k, a[k], b[k])
PYEOF

# Buffers too small for a flood: the tracer discards events; each span it
# reports is a "lost events" slice and an events-lost warning, the tasks
# whose finish was lost are drawn unfinished, as the report counts them.
"$COTRACE" record -q -o "$TMP/lost" --subbuf-size 4k --num-subbuf 2 -- \
	"$COTRACE_DEMO" flood --events 200000 --workers 2 >/dev/null 2>&1 ||
	fail "recording the flood failed"
"$COTRACE" report --format json "$TMP/lost" >"$TMP/lost.json" 2>/dev/null || fail "report of the flood failed"
"$COTRACE" timeline --format chrome -o "$TMP/lost.chrome.json" "$TMP/lost" 2>/dev/null ||
	fail "cotrace timeline --format chrome on the flood failed"
node "$CONSUMER/count-trace.mjs" "$TMP/lost.chrome.json" >"$TMP/lost.counts.json" ||
	fail "the DevTools trace engine could not load the flood's timeline"
"$PY" - "$TMP/lost.json" "$TMP/lost.chrome.json" "$TMP/lost.counts.json" <<'PYEOF' || fail "the flood's timeline does not match its report"
import json, sys
report, doc, counts = (json.load(open(p)) for p in sys.argv[1:4])
events, meta, trace = doc["traceEvents"], doc["metadata"]["cotrace"], report["trace"]
spans = [e for e in events if e["ph"] == "b" and e["cat"] == "lost"]
ends = [e for e in events if e["ph"] == "e" and e["cat"] == "lost"]
warned = [e for e in events if e["ph"] == "i" and e["args"].get("kind") == "events-lost"]
assert len(spans) == len(ends) == len(warned) == len(trace["lost"]), (len(spans), len(trace["lost"]))
# A span whose count the tracer did not give is null in the report, 0 here.
known = [l["count"] or 0 for l in trace["lost"]]
assert sorted(e["args"]["count"] for e in spans) == sorted(known)
assert meta["lost_events"] == (trace["lost_events"] if trace["lost_events"] is not None else sum(known)), (meta["lost_events"], trace["lost_events"])
assert all(e["s"] == "g" for e in warned)
# The report lists the first tasks only (listing), and counts them all.
unfinished = report["summary"]["tasks_unfinished"]
tasks = report["summary"]["units"]
assert report["summary"]["unit"] == "task"
assert len(report["tasks"]) == report["listing"]["tasks_listed"] == tasks - report["listing"]["tasks_omitted"]
if report["listing"]["tasks_omitted"] == 0:
    assert unfinished == sum(1 for t in report["tasks"] if t["end_ns"] is None)
assert meta["tasks"] == counts["slices"].get("task", 0) == tasks, (meta["tasks"], tasks)
assert meta["unfinished_tasks"] == unfinished, (meta["unfinished_tasks"], unfinished)
assert counts["processes"] == len(report["processes"]) and counts["threads"] == len(report["threads"])
print(f"  flood: {trace['lost_events']} events discarded in {len(spans)} spans, "
      f"{tasks} tasks ({unfinished} unfinished)")
PYEOF

# A damaged trace: exit 5, and still a document that opens, saying so.
cp -r "$TMP/parallel" "$TMP/trunc"
first=$(find "$TMP/trunc" -type f -name 'cotrace_[0-9]*' -size +0 | sort | head -n 1)
[ -n "$first" ] || fail "the parallel trace has no data stream file"
truncate -s 2000 "$first"
expect_exit 5 "$COTRACE" timeline --format chrome "$TMP/trunc"
! grep -Eqi 'AddressSanitizer|runtime error|Segmentation' "$TMP/err" || fail "crash on a truncated trace"
json_check "$TMP/out" 'any(e["ph"] == "i" and e["args"].get("kind") == "trace-damaged" for e in r["traceEvents"])' \
	"the partial timeline should carry a trace-damaged warning"
# No trace at the path: exit 3 and no output.
mkdir -p "$TMP/empty"
expect_exit 3 "$COTRACE" timeline --format chrome "$TMP/empty"
[ ! -s "$TMP/out" ] || fail "nothing should be written for a folder without a trace"

echo "ok: chrome timelines read by the DevTools trace engine match the reports"
