#!/usr/bin/env bash
# cotrace timeline: each demo recorded for real and drawn in the terminal;
# the chart's lanes, fork marks, child starts and concurrency strip are
# checked against the JSON report of the same trace (term-chart.py). Then
# colours and widths, the plugin's sink.cotrace.timeline, and bad input.
. "$(dirname "$0")/lib.sh"
need_lttng

CHART="$PY $(dirname "$0")/term-chart.py"

record_demo parallel "$TMP/parallel.json" --workers 2 --work-ms 200
record_demo gil "$TMP/gil.json" --workers 2 --work-ms 200
record_demo fork "$TMP/fork.json"
record_demo fork-threads "$TMP/fork-threads.json"
record_demo tls "$TMP/tls.json"

for demo in parallel gil fork fork-threads tls; do
	expect_exit 0 "$COTRACE" timeline --format term --width 100 --no-color "$TMP/$demo"
	cp "$TMP/out" "$TMP/$demo.chart"
	[ ! -s "$TMP/err" ] || { cat "$TMP/err"; fail "timeline of $demo wrote to stderr"; }
	summary=$($CHART "$TMP/$demo.chart" "$TMP/$demo.json" 100) ||
		fail "the timeline of $demo does not match its report"
	echo "ok: timeline $demo: $summary"
done

# What each lesson shows. (How much CPU a task got depends on the load of
# the machine; term-chart.py checks each bar's glyph against the report.)
grep -Eq '^running tasks +[.1]*2{10,}' "$TMP/parallel.chart" ||
	{ cat "$TMP/parallel.chart"; fail "parallel: the strip should show 2 tasks at once"; }
grep -Eq '^running tasks +[.1]*2{10,}' "$TMP/gil.chart" ||
	{ cat "$TMP/gil.chart"; fail "gil: the strip should show 2 tasks alive at once"; }
for tid in $(json_get "$TMP/tls.json" '" ".join(str(t["tid"]) for t in r["threads"] if t["tls"])'); do
	grep -Eq "^  tid $tid .*complete .*w" "$TMP/tls.chart" ||
		{ cat "$TMP/tls.chart"; fail "tls: no TLS write mark on tid $tid's lane"; }
done
grep -q '\[fork-with-threads\]' "$TMP/fork-threads.chart" ||
	fail "fork-threads: the warning should be listed under the chart"
grep -q '^time (ms) ' "$TMP/fork.chart" || fail "the axis should be in ms"

# -o FILE: the chart in the file, nothing on stdout; piped: never colours.
expect_exit 0 "$COTRACE" timeline -o "$TMP/o.chart" --width 100 "$TMP/fork"
[ ! -s "$TMP/out" ] || fail "-o should leave standard output empty"
cmp -s "$TMP/o.chart" "$TMP/fork.chart" || fail "-o FILE should hold the same chart"
expect_exit 0 "$COTRACE" timeline --width 100 "$TMP/fork"
cmp -s "$TMP/out" "$TMP/fork.chart" || fail "piped output should be plain"

# Width: --width, else $COLUMNS, else 100 when not on a terminal.
expect_exit 0 "$COTRACE" timeline --no-color --width 60 "$TMP/parallel"
$CHART "$TMP/out" "$TMP/parallel.json" 60 >/dev/null || fail "--width 60 is not honoured"
COLUMNS=130 expect_exit 0 "$COTRACE" timeline --no-color "$TMP/parallel"
$CHART "$TMP/out" "$TMP/parallel.json" 130 >/dev/null || fail "COLUMNS=130 is not honoured"
awk 'length($0) > 120 { found = 1 } END { exit !found }' "$TMP/out" ||
	fail "COLUMNS=130 should give rows wider than 120"
env -u COLUMNS "$COTRACE" timeline --no-color "$TMP/parallel" >"$TMP/out"
awk 'length($0) > 100 { exit 1 }' "$TMP/out" || fail "the default width should be 100"

# On a terminal: colours unless --no-color, TERM=dumb or NO_COLOR.
cat >"$TMP/run-on-pty.py" <<'PYEOF'
import os, pty, sys
sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))
PYEOF
on_tty() { "$PY" "$TMP/run-on-pty.py" "$@" </dev/null; }
TERM=xterm on_tty "$COTRACE" timeline --width 100 "$TMP/fork" >"$TMP/tty.out" ||
	fail "timeline on a terminal failed"
grep -q $'\033\\[' "$TMP/tty.out" || fail "no colours on a terminal"
TERM=xterm on_tty "$COTRACE" timeline --no-color --width 100 "$TMP/fork" >"$TMP/tty.out"
! grep -q $'\033\\[' "$TMP/tty.out" || fail "--no-color still wrote colours"
TERM=dumb on_tty "$COTRACE" timeline --width 100 "$TMP/fork" >"$TMP/tty.out"
! grep -q $'\033\\[' "$TMP/tty.out" || fail "TERM=dumb still got colours"
NO_COLOR=1 TERM=xterm on_tty "$COTRACE" timeline --width 100 "$TMP/fork" >"$TMP/tty.out"
! grep -q $'\033\\[' "$TMP/tty.out" || fail "NO_COLOR still got colours"
expect_exit 0 "$COTRACE" timeline --color --width 100 "$TMP/fork"
grep -q $'\033\\[' "$TMP/out" || fail "--color wrote no colours"

# The picture formats: a binary one is refused on a terminal without -o.
if "$COTRACE" timeline --format png -o "$TMP/t.png" "$TMP/fork" 2>"$TMP/png.err"; then
	head -c 8 "$TMP/t.png" | od -c | grep -q 'P   N   G' || fail "-o t.png is not a PNG"
	code=0
	TERM=xterm on_tty "$COTRACE" timeline --format png "$TMP/fork" >"$TMP/tty.out" || code=$?
	[ "$code" = 2 ] || fail "png to a terminal exited $code, expected 2"
	grep -q "refusing to write png to a terminal" "$TMP/tty.out" ||
		{ cat "$TMP/tty.out"; fail "png to a terminal: no clear refusal"; }
	echo "ok: timeline png written with -o, refused on a terminal"
else
	grep -q "not built into this cotrace" "$TMP/png.err" ||
		{ cat "$TMP/png.err"; fail "png without cairo should say it is not built"; }
	expect_exit 1 "$COTRACE" timeline --format svg "$TMP/fork"
	expect_message "svg format is not built into this cotrace"
	echo "ok: timeline png/svg: not built here, said so"
fi

# chrome: t3's streaming writer (test-chrome.sh checks its content).
expect_exit 0 "$COTRACE" timeline --format chrome "$TMP/fork"
json_check "$TMP/out" 'len(r["traceEvents"]) > 0' "--format chrome should write Chrome trace JSON"

# The plugin draws the same chart (its title has no trace path).
bt2 "$TMP/fork-threads" -c sink.cotrace.timeline -p 'width=100,color="never"' >"$TMP/bt.chart" ||
	fail "babeltrace2 with sink.cotrace.timeline failed"
diff <(tail -n +2 "$TMP/bt.chart") <(tail -n +2 "$TMP/fork-threads.chart") >/dev/null ||
	{ diff "$TMP/bt.chart" "$TMP/fork-threads.chart"; fail "the plugin's chart differs from cotrace timeline's"; }
! bt2 "$TMP/fork" -c sink.cotrace.timeline -p 'format="yaml"' >/dev/null 2>"$TMP/bt.err" ||
	fail "the plugin accepted format=yaml"
grep -q 'format="yaml"' "$TMP/bt.err" || fail "the plugin's error should name the bad format"
! bt2 "$TMP/fork" -c sink.cotrace.timeline -p 'width=-3' >/dev/null 2>"$TMP/bt.err" ||
	fail "the plugin accepted width=-3"
echo "ok: timeline plugin draws the same chart"

one_error_line() {
	[ "$(grep -c '^cotrace: error:' "$TMP/err")" = 1 ] ||
		{ cat "$TMP/err"; fail "expected exactly one 'cotrace: error:' line"; }
	! grep -Eqi 'AddressSanitizer|runtime error|Segmentation|core dumped' "$TMP/err" ||
		{ cat "$TMP/err"; fail "crash or sanitizer report"; }
}

# Bad input: one message, the documented exit code.
expect_exit 3 "$COTRACE" timeline "$TMP/does-not-exist"
expect_message "does-not-exist"; one_error_line
expect_exit 2 "$COTRACE" timeline --format yaml "$TMP/fork"
expect_message "unknown format 'yaml'"; one_error_line
expect_exit 2 "$COTRACE" timeline --frobnicate "$TMP/fork"
expect_message "frobnicate"; one_error_line
expect_exit 2 "$COTRACE" timeline
one_error_line
expect_exit 2 "$COTRACE" timeline --width 10 "$TMP/fork"
expect_message "too narrow"; one_error_line
expect_exit 2 "$COTRACE" timeline --width abc "$TMP/fork"
expect_message "invalid width 'abc'"; one_error_line
expect_exit 2 "$COTRACE" timeline --width
one_error_line
expect_exit 1 "$COTRACE" timeline -o "$TMP/no/such/dir/x" "$TMP/fork"
one_error_line
"$COTRACE" record -q --no-preload -o "$TMP/empty-run" -- sh -c 'exit 0' >/dev/null 2>&1
expect_exit 4 "$COTRACE" timeline "$TMP/empty-run"
expect_message "no cotrace events"; one_error_line
expect_exit 4 "$COTRACE" timeline -o "$TMP/nochart" "$TMP/empty-run"
[ ! -e "$TMP/nochart" ] || fail "-o left an empty file behind after a failure"
expect_exit 0 "$COTRACE" timeline --help
grep -q "usage: cotrace timeline" "$TMP/out" || fail "--help prints no usage"

# A damaged trace still gets its chart, with the warning (exit 5).
cp -r "$TMP/parallel" "$TMP/trunc"
first=$(find "$TMP/trunc" -type f -name 'cotrace_[0-9]*' -size +0 | sort | head -n 1)
truncate -s 2000 "$first"
expect_exit 5 "$COTRACE" timeline --no-color --width 100 "$TMP/trunc"
grep -q '^pid [0-9]' "$TMP/out" || { cat "$TMP/out"; fail "no chart for a damaged trace"; }
grep -q '\[trace-damaged\]' "$TMP/out" || fail "the damaged trace's warning should be listed"
echo "ok: timeline bad input"
