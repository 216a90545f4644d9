#!/usr/bin/env bash
# cotrace compare: the GIL demo against the parallel demo, recorded for
# real. The speedup must be span_A / span_B from each run's own report, and
# the one-sentence verdict must agree with it and with the reports' kinds.
. "$(dirname "$0")/lib.sh"
need_lttng

record_demo gil "$TMP/gil.json" --workers 2 --work-ms 300
record_demo parallel "$TMP/parallel.json" --workers 2 --work-ms 300

expect_exit 0 "$COTRACE" compare "$TMP/gil" "$TMP/parallel"
cp "$TMP/out" "$TMP/cmp.txt"
[ ! -s "$TMP/err" ] || { cat "$TMP/err"; fail "compare wrote to stderr"; }
expect_exit 0 "$COTRACE" compare --format json "$TMP/gil" "$TMP/parallel"
cp "$TMP/out" "$TMP/cmp.json"

"$PY" - "$TMP/gil.json" "$TMP/parallel.json" "$TMP/cmp.json" "$TMP/cmp.txt" <<'PYEOF' || fail "the comparison does not match the two reports"
import json, re, sys
a, b, c = (json.load(open(p)) for p in sys.argv[1:4])
text = open(sys.argv[4]).read()
sa, sb = a["summary"], b["summary"]
# The figures are the reports' own.
for side, s, rep in (("a", sa, a), ("b", sb, b)):
    for k in ("span_ns", "busy_ns", "cpu_ns", "units", "max_concurrency", "parallelism", "cpu_parallelism"):
        assert c[side][k] == s[k], (side, k, c[side][k], s[k])
    assert c[side]["processes"] == len(rep["processes"]), side
    assert c[side]["threads"] == len(rep["threads"]), side
    assert c[side]["verdict"] == s["verdict"]["kind"], side
speedup = sa["span_ns"] / sb["span_ns"]
assert abs(c["speedup"] - speedup) <= 1e-5 * speedup, (c["speedup"], speedup)
m = re.search(r"^  speedup of B over A: ([0-9.]+)x \(span A / span B\)$", text, re.M)
assert m and abs(float(m.group(1)) - speedup) <= 0.005 + 1e-9, (m and m.group(1), speedup)
verdict = c["verdict"]["text"]
assert ("\nVerdict: " + verdict + "\n") in text
# One sentence, and it agrees with the speedup.
assert verdict.endswith(".") and verdict.count(". ") == 0, verdict
if speedup >= 1.05:
    assert c["verdict"]["kind"] == "b-faster" and verdict.startswith("B finished %.2fx faster than A" % speedup), verdict
elif speedup <= 1 / 1.05:
    assert c["verdict"]["kind"] == "a-faster" and verdict.startswith("A finished %.2fx faster than B" % (1 / speedup)), verdict
else:
    assert c["verdict"]["kind"] == "about-the-same", verdict
# The GIL run took turns (or, on a machine too busy to give it one CPU,
# mostly waited); the sentence says so when the kinds differ.
assert sa["verdict"]["kind"] in ("took-turns", "mostly-waiting"), sa["verdict"]
if sa["verdict"]["kind"] == "took-turns" and sb["verdict"]["kind"] == "parallel" and speedup >= 1.05:
    assert "its tasks ran in parallel (cpu_parallelism %.2f) where A's took turns (%.2f)" % (
        round(sb["cpu_parallelism"], 2), round(sa["cpu_parallelism"], 2)) in verdict, verdict
for row in ("span", "busy", "cpu", "parallelism", "cpu_parallelism", "max concurrency", "units", "processes", "threads"):
    assert re.search(r"^  %s +\S" % re.escape(row), text, re.M), row
print("speedup %.2f, %s" % (speedup, verdict))
PYEOF
echo "ok: compare gil parallel: $(json_get "$TMP/cmp.json" '"speedup %.2f (%s)" % (r["speedup"], r["verdict"]["kind"])')"

# Each side may be a folder holding the run's traces.
mkdir -p "$TMP/runs-a"
cp -r "$TMP/gil" "$TMP/runs-a/first"
expect_exit 0 "$COTRACE" compare --format json "$TMP/runs-a" "$TMP/parallel"
gil_span=$(json_get "$TMP/gil.json" 'r["summary"]["span_ns"]')
json_check "$TMP/out" "r['a']['span_ns'] == $gil_span and r['a']['path'].endswith('runs-a') and len(r['a']['traces']) == 1" \
	"a folder holding the run's trace should compare as the run itself"

# Bad input.
expect_exit 2 "$COTRACE" compare "$TMP/gil"
expect_message "expected two traces"
expect_exit 2 "$COTRACE" compare "$TMP/gil" "$TMP/parallel" "$TMP/gil"
expect_exit 2 "$COTRACE" compare --format yaml "$TMP/gil" "$TMP/parallel"
expect_message "unknown format 'yaml'"
expect_exit 2 "$COTRACE" compare --frobnicate "$TMP/gil" "$TMP/parallel"
expect_exit 3 "$COTRACE" compare "$TMP/gil" "$TMP/does-not-exist"
expect_message "does-not-exist"
[ "$(grep -c '^cotrace: error:' "$TMP/err")" = 1 ] || { cat "$TMP/err"; fail "expected one error line"; }
[ ! -s "$TMP/out" ] || fail "nothing should be printed when B is missing"
"$COTRACE" record -q --no-preload -o "$TMP/empty-run" -- sh -c 'exit 0' >/dev/null 2>&1
expect_exit 4 "$COTRACE" compare "$TMP/empty-run" "$TMP/gil"
expect_message "no cotrace events"
expect_exit 0 "$COTRACE" compare --help
grep -q "usage: cotrace compare" "$TMP/out" || fail "--help prints no usage"
! grep -Eqi 'AddressSanitizer|runtime error|Segmentation' "$TMP/err" || fail "crash"
echo "ok: compare bad input"
