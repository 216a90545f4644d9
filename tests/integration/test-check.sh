#!/usr/bin/env bash
# cotrace check: each demo recorded through `cotrace check --record`, true
# expectations pass (exit 0), false ones fail (exit 1) with the measured
# value in the message, a bad expression exits 2 with its column before
# anything is recorded, a damaged trace exits 5, and the JSON output has
# the keys graders read.
#
# Only figures that hold whatever the machine's load are asserted: counts,
# fork returns, TLS slots, "at least 2 at once"; cpu_parallelism thresholds
# only where load can only push the figure the asserted way (the gil demo
# never exceeds one CPU).
. "$(dirname "$0")/lib.sh"
need_lttng

# check_record NAME EXIT [check options...] -- DEMO ARGS: records the demo
# into $TMP/NAME through `cotrace check --record`; results in $TMP/out.
check_record() {
	local name=$1 want=$2
	shift 2
	local opts=()
	while [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	expect_exit "$want" "$COTRACE" check "${opts[@]}" --record -o "$TMP/$name" -- "$COTRACE_DEMO" "$@"
	[ -d "$TMP/$name/ust" ] || fail "$name: no trace kept in $TMP/$name"
	expect_message "trace kept in $TMP/$name"
}

# The text output on one line: messages wrap at 79 columns.
flat() {
	tr '\n' ' ' <"$TMP/out" | tr -s ' '
}

# line_of EXPR: EXPR's result line in the text output.
line_of() {
	grep -F -- "$1" "$TMP/out" | head -n 1
}

# ---- parallel: two processes, one task each, at the same time ----
cat >"$TMP/parallel.checks" <<'EOF'
# the parent and two children
processes == 3
forks == 2

forks.child_ret == 0                # fork() returned 0 in each child
forks.parent_ret == forks.child_pid # and the child's pid in the parent
processes.exit_status == 0
processes.complete
tasks == 2
tasks.cpu >= 200ms
count(tasks where cpu >= 200ms) == 2
max_concurrency == 2
overlap(process:child1, process:child2) >= 50%
overlap(task:1, task:2) >= 50%
no warning fork-with-threads
EOF
check_record parallel 0 --expect-file "$TMP/parallel.checks" -- parallel --workers 2 --work-ms 300
grep -q "PASSED: all 13 expectations hold" "$TMP/out" || { cat "$TMP/out"; fail "parallel: all 13 should hold"; }
line_of "processes == 3 " | grep -q "measured 3$" || fail "parallel: processes should measure 3"
line_of "forks.child_ret == 0" | grep -q "measured 0 (all 2 forks)" || fail "parallel: child_ret should measure 0 in both forks"
[ "$(grep -c '^PASS  ' "$TMP/out")" = 13 ] || fail "parallel: 13 PASS lines expected"
# The demo's own output went to stderr: stdout holds only results.
grep -q "^PASS\|^FAIL\|^$\|^PASSED\|^FAILED\|^Trace" "$TMP/out" || fail "parallel: unexpected stdout"
! grep -qv "^PASS\|^FAIL\|^ \|^$\|^PASSED\|^FAILED\|^Trace" "$TMP/out" || { cat "$TMP/out"; fail "parallel: stdout should hold only results"; }

# The kept trace, checked again: false expectations fail with the figure.
expect_exit 1 "$COTRACE" check -e 'max_concurrency <= 1' -e 'processes == 5' -e 'processes == 3' "$TMP/parallel"
grep -q "FAILED: 2 of 3 expectations failed" "$TMP/out" || { cat "$TMP/out"; fail "parallel: 2 of 3 should fail"; }
flat | grep -q "expected max_concurrency <= 1, measured 2: more workers ran at the same" ||
	{ cat "$TMP/out"; fail "parallel: max_concurrency's failure should say measured 2"; }
flat | grep -q "expected processes == 5, measured 3: fewer processes" ||
	{ cat "$TMP/out"; fail "parallel: processes' failure should say measured 3"; }

# JSON for graders: the keys, the file and line of each expectation.
expect_exit 0 "$COTRACE" check --format json --expect-file "$TMP/parallel.checks" "$TMP/parallel"
cp "$TMP/out" "$TMP/parallel.json"
j=$TMP/parallel.json
json_check "$j" 'r["passed"] is True and r["counts"] == {"expectations": 13, "held": 13, "failed": 0, "vacuous": 0}' "parallel: json counts"
json_check "$j" 'all(set(x) >= {"expect", "holds", "expected", "measured", "message", "file", "line"} for x in r["results"])' "parallel: json result keys"
json_check "$j" '[x["line"] for x in r["results"]][:3] == [2, 3, 5]' "parallel: json lines skip comments and blanks"
json_check "$j" 'r["results"][0] == {"expect": "processes == 3", "holds": True, "vacuous": False, "expected": "== 3", "measured": "3", "message": "holds", "file": "'"$TMP/parallel.checks"'", "line": 2}' "parallel: first json result"
json_check "$j" 'len(r["trace"]["paths"]) >= 1 and r["trace"]["inputs"] == ["'"$TMP/parallel"'"] and r["trace"]["damaged"] is False and r["trace"]["recorded"] is False' "parallel: json trace"

# ---- gil: threads alive together, but taking turns on one CPU ----
check_record gil 1 -e 'threads == 3' -e 'tasks == 2' -e 'forks == 0' -e 'cpu_parallelism < 1.4' \
	-e 'cpu_parallelism >= 1.6' --format json -- gil --workers 2 --work-ms 300
j=$TMP/gil.json
cp "$TMP/out" "$j"
json_check "$j" 'r["passed"] is False and [x["holds"] for x in r["results"]] == [True, True, True, True, False]' "gil: only cpu_parallelism >= 1.6 should fail"
json_check "$j" 'r["trace"]["recorded"] is True and r["trace"]["kept_in"] == "'"$TMP/gil"'" and r["trace"]["program_status"] == 0' "gil: json says where the trace is"
measured=$(json_get "$j" 'r["results"][4]["measured"]')
json_check "$j" 'r["results"][4]["message"].startswith("expected cpu_parallelism >= 1.6, measured '"$measured"': the work did not run at the same time")' "gil: the failure names the measured value"
json_check "$j" 'float(r["results"][4]["measured"]) < 1.4' "gil: measured below 1.4"
# An empty collection passes, visibly.
expect_exit 0 "$COTRACE" check --format json -e 'forks.child_ret == 0' "$TMP/gil"
json_check "$TMP/out" 'r["results"][0]["vacuous"] is True and "the trace has no forks" in r["results"][0]["message"]' "gil: a vacuous pass should say so"

# ---- fork: what fork() returned on each side ----
check_record fork 0 -e 'processes == 2' -e 'forks.child_ret == 0' -e 'forks.parent_ret == forks.child_pid' \
	-e 'exit_status(process:child1) == 0' -e 'any(processes.fork_child)' -- fork
expect_exit 1 "$COTRACE" check -e 'forks.child_ret != 0' "$TMP/fork"
flat | grep -q "expected forks.child_ret != 0 for every fork, but fork #1 (pid [0-9]* -> [0-9]*) has 0 (1 of 1 fork failed)" ||
	{ cat "$TMP/out"; fail "fork: the failure should name the fork and its child_ret"; }

# ---- tls: 4 threads, 4 slots of their own ----
check_record tls 0 -e 'threads.tls_distinct' -e 'threads.tls_own_value' -e 'no warning tls-shared-slot' \
	-e 'count(threads where tls_writes > 0) == 4' -- tls --workers 4
expect_exit 1 "$COTRACE" check -e 'count(threads where tls_writes > 0) == 3' "$TMP/tls"
flat | grep -q "expected count(threads where tls_writes > 0) == 3, measured 4" ||
	{ cat "$TMP/out"; fail "tls: the failure should say measured 4"; }

# ---- fork-threads: a fork while two other threads were alive ----
check_record fork-threads 1 -e 'warning fork-with-threads' -e 'threads_alive(fork:#1) == 3' \
	-e 'any(forks.threads_alive > 1)' -e 'no warning fork-with-threads' -- fork-threads
grep -q "FAILED: 1 of 4 expectations failed" "$TMP/out" || { cat "$TMP/out"; fail "fork-threads: only the last should fail"; }
grep -A3 "^FAIL  no warning fork-with-threads" "$TMP/out" | tr '\n' ' ' | grep -q "helper-1.*helper-2" ||
	{ cat "$TMP/out"; fail "fork-threads: the failure should quote the warning naming the helpers"; }

# ---- bad expectations: exit 2 with the column, nothing recorded ----
expect_exit 2 "$COTRACE" check -e 'processes == 3 and procesess > 1' "$TMP/fork"
expect_message "in --expect 'processes == 3 and procesess > 1', column 20: unknown name 'procesess' \(did you mean 'processes'\?\)"
grep -q '^                     \^~~~~~~~~$' "$TMP/err" || { cat "$TMP/err"; fail "the caret should sit under column 20"; }
[ ! -s "$TMP/out" ] || fail "a bad expectation should print no results"
printf '# ok\nprocesses == 2\n\nspan > 1.2.3s\n' >"$TMP/bad.checks"
expect_exit 2 "$COTRACE" check --expect-file "$TMP/bad.checks" --record -o "$TMP/never" -- "$COTRACE_DEMO" fork
expect_message "$TMP/bad.checks:4:8: bad number '1.2.3'"
[ ! -e "$TMP/never" ] || fail "a bad expectation must stop before recording"
expect_exit 2 "$COTRACE" check -e 'cpu_parallelism >=' "$TMP/fork"
expect_message "column 19: missing a value after '>='"
expect_exit 2 "$COTRACE" check "$TMP/fork"
expect_message "no expectation given"
expect_exit 2 "$COTRACE" check -e 'processes == 2' --format xml "$TMP/fork"
expect_message "unknown format 'xml'"

# ---- trace errors, as cotrace report ----
expect_exit 3 "$COTRACE" check -e 'processes == 2' "$TMP/does-not-exist"
expect_exit 3 "$COTRACE" check --format json -e 'processes == 2' "$TMP/does-not-exist"
json_check "$TMP/out" 'r["passed"] is False and r["error"]["exit_status"] == 3 and r["results"] == []' "json error object on exit 3"
expect_exit 127 "$COTRACE" check -e 'processes == 2' --record -- "$TMP/no-such-program"

# A damaged trace: results printed, exit 5 unless --accept-damaged.
# Cut the stream of the CPU with the fewest events, so that the other
# still holds some.
cp -r "$TMP/parallel" "$TMP/damaged"
bt2 "$TMP/parallel" >"$TMP/events.txt" || fail "babeltrace2 cannot read the parallel trace"
least=$(for f in $(find "$TMP/damaged" -type f -name 'cotrace_[0-9]*' ! -name '*.idx' -size +0); do
	echo "$(grep -c "{ cpu_id = ${f##*_} }" "$TMP/events.txt") $f"
done | sort -n | head -n 1 | cut -d' ' -f2)
[ -n "$least" ] || fail "the parallel trace has no data stream file"
truncate -s 100 "$least"
expect_exit 5 "$COTRACE" check -e 'processes >= 1' "$TMP/damaged"
grep -q "^PASS  processes >= 1" "$TMP/out" || { cat "$TMP/out"; fail "damaged: the results should still be printed"; }
grep -q "The trace is damaged" "$TMP/out" || fail "damaged: the output should say the trace is damaged"
expect_exit 0 "$COTRACE" check --accept-damaged -e 'processes >= 1' "$TMP/damaged"
! grep -Eqi 'AddressSanitizer|runtime error|Segmentation' "$TMP/err" || fail "crash on a damaged trace"

echo "ok: check: 5 demos recorded and checked, failures explained, errors with columns"
