#!/usr/bin/env bash
# cotrace story: each demo recorded for real and told in sentences; the
# sentences are checked against the JSON report of the same trace.
. "$(dirname "$0")/lib.sh"
need_lttng

record_demo fork "$TMP/fork.json"
record_demo tls "$TMP/tls.json"
record_demo fork-threads "$TMP/fork-threads.json"
record_demo parallel "$TMP/parallel.json" --workers 2 --work-ms 100

story() {
	expect_exit 0 "$COTRACE" story "$TMP/$1"
	cp "$TMP/out" "$TMP/$1.story"
	[ ! -s "$TMP/err" ] || { cat "$TMP/err"; fail "story of $1 wrote to stderr"; }
}

# Every line after the header starts with its offset, in time order, and
# the story ends with the report's verdict.
"$PY" - "$TMP" fork tls fork-threads parallel <<'PYEOF' || fail "a story is out of order or lacks its verdict"
import json, re, subprocess, sys, os
tmp = sys.argv[1]
cotrace = os.environ["COTRACE"]
unit = {"ns": 1e-6, "ms": 1.0, "s": 1000.0}
for demo in sys.argv[2:]:
    out = subprocess.run([cotrace, "story", os.path.join(tmp, demo)], check=True,
                         capture_output=True, text=True).stdout
    r = json.load(open(os.path.join(tmp, demo + ".json")))
    lines = out.rstrip("\n").split("\n")
    assert lines[0].startswith("The story of "), lines[0]
    assert lines[-1] == "Verdict: " + r["summary"]["verdict"]["text"], (lines[-1], r["summary"]["verdict"])
    prev, told = -1.0, 0
    for line in lines[1:-1]:
        if not line:
            continue
        m = re.match(r"^ *\+([0-9.]+) (ns|ms|s)  \S", line)
        if not m:
            assert line.startswith("at the end  "), line
            continue
        t = float(m.group(1)) * unit[m.group(2)]
        assert t >= prev, (demo, line)
        prev, told = t, told + 1
    # At least a start and an exit per process, a line per fork.
    assert told >= 2 * len(r["processes"]) + len(r["forks"]), (demo, told)
PYEOF

# fork: both return values, in the words of the lecture.
story fork
parent=$(json_get "$TMP/fork.json" 'r["forks"][0]["parent_pid"]')
child=$(json_get "$TMP/fork.json" 'r["forks"][0]["child_pid"]')
grep -Eq "^ +\+[0-9.]+ (ms|ns)  pid $parent forked pid $child; fork returned $child in the parent and 0 in the child\.$" "$TMP/fork.story" ||
	{ cat "$TMP/fork.story"; fail "fork: no sentence with both return values"; }
grep -q "  pid $child (cotrace-demo) started as a child of pid $parent\.$" "$TMP/fork.story" ||
	fail "fork: the child's start is not told"
for pid in $parent $child; do
	grep -q "  pid $pid (cotrace-demo) exited with status 0 after " "$TMP/fork.story" ||
		{ cat "$TMP/fork.story"; fail "fork: pid $pid's exit is not told"; }
done
echo "ok: story fork: pid $parent forked pid $child"

# tls: each write, by which thread, to its own slot.
story tls
"$PY" - "$TMP/tls.json" "$TMP/tls.story" <<'PYEOF' || fail "tls: a TLS write is not told as it happened"
import json, sys
r = json.load(open(sys.argv[1]))
story = open(sys.argv[2]).read()
writes = 0
for t in r["threads"]:
    if t["tid"] == t["pid"]:
        continue
    assert "  thread %s (tid %d) started in pid %d, pthread id 0x%x." % (t["name"], t["tid"], t["pid"], t["pthread_id"]) in story, t
    for a in t["tls"]:
        s = "  thread %s (tid %d) wrote %s=%s to its own slot at 0x%x." % (t["name"], t["tid"], a["key"], a["value"], a["addr"])
        assert s in story, s
        writes += 1
assert writes >= 2, writes
assert "read back" in story and "what it wrote" in story
PYEOF
echo "ok: story tls: every write told, each to its own slot"

# fork-threads: the hazard, at the moment of the fork.
story fork-threads
alive=$(json_get "$TMP/fork-threads.json" 'r["forks"][0]["threads_alive"] - 1')
grep -q "while $alive other threads were alive in the parent" "$TMP/fork-threads.story" ||
	{ cat "$TMP/fork-threads.story"; fail "fork-threads: the fork sentence should say $alive other threads were alive"; }
grep -q "  warning \[fork-with-threads\]: " "$TMP/fork-threads.story" ||
	fail "fork-threads: the warning should be told"
for name in $(json_get "$TMP/fork-threads.json" '" ".join(t["name"] for t in r["threads"] if t["tid"] != t["pid"])'); do
	grep -q "  thread $name (tid [0-9]*) started in pid " "$TMP/fork-threads.story" ||
		fail "fork-threads: thread $name's start is not told"
done
echo "ok: story fork-threads: the hazard told at the fork"

# parallel: each task's start and finish with its CPU time.
story parallel
n=$(json_get "$TMP/parallel.json" 'len(r["tasks"])')
[ "$(grep -c '  task [0-9]* "cpu_task" started on the main thread of pid ' "$TMP/parallel.story")" = "$n" ] ||
	{ cat "$TMP/parallel.story"; fail "parallel: $n task starts expected"; }
[ "$(grep -Ec '  task [0-9]+ "cpu_task" finished after [0-9.]+ ms with [0-9.]+ ms of CPU: on a CPU ' "$TMP/parallel.story")" = "$n" ] ||
	{ cat "$TMP/parallel.story"; fail "parallel: $n task finishes with their CPU expected"; }
echo "ok: story parallel: $n tasks started and finished"

# -o FILE, and bad input.
expect_exit 0 "$COTRACE" story -o "$TMP/s.txt" "$TMP/fork"
[ ! -s "$TMP/out" ] || fail "-o should leave standard output empty"
cmp -s "$TMP/s.txt" "$TMP/fork.story" || fail "-o FILE should hold the same story"
expect_exit 3 "$COTRACE" story "$TMP/does-not-exist"
expect_message "does-not-exist"
[ "$(grep -c '^cotrace: error:' "$TMP/err")" = 1 ] || fail "expected one error line"
expect_exit 2 "$COTRACE" story
expect_exit 2 "$COTRACE" story --frobnicate "$TMP/fork"
expect_message "frobnicate"
expect_exit 1 "$COTRACE" story -o "$TMP/no/such/dir/x" "$TMP/fork"
"$COTRACE" record -q --no-preload -o "$TMP/empty-run" -- sh -c 'exit 0' >/dev/null 2>&1
expect_exit 4 "$COTRACE" story "$TMP/empty-run"
expect_message "no cotrace events"
expect_exit 0 "$COTRACE" story --help
grep -q "usage: cotrace story" "$TMP/out" || fail "--help prints no usage"
! grep -Eqi 'AddressSanitizer|runtime error|Segmentation' "$TMP/err" || fail "crash"
echo "ok: story bad input"
