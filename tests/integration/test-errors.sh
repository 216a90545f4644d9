#!/usr/bin/env bash
# Bad input: one clear message on stderr, the documented exit code, no crash.
# Exit codes (cotrace(1)): 2 usage, 3 no trace, 4 no cotrace events,
# 5 damaged trace; record: 125 own failure, 126 cannot run, 127 not found.
. "$(dirname "$0")/lib.sh"
need_lttng

one_error_line() {
	[ "$(grep -c '^cotrace: error:' "$TMP/err")" = 1 ] ||
		{ cat "$TMP/err"; fail "expected exactly one 'cotrace: error:' line"; }
	! grep -Eqi 'AddressSanitizer|runtime error|Segmentation|core dumped' "$TMP/err" ||
		{ cat "$TMP/err"; fail "crash or sanitizer report"; }
}

# Usage errors.
expect_exit 2 "$COTRACE"
expect_exit 2 "$COTRACE" frobnicate
expect_message "not a cotrace command"; one_error_line
expect_exit 2 "$COTRACE" --frobnicate
one_error_line
expect_exit 2 "$COTRACE" report --frobnicate "$TMP"
one_error_line
expect_exit 2 "$COTRACE" report
one_error_line
expect_exit 2 "$COTRACE" report --format yaml "$TMP"
one_error_line
expect_exit 2 "$COTRACE" demo no-such-demo
expect_message "parallel"; one_error_line
expect_exit 2 "$COTRACE" demo parallel --workers many
expect_exit 125 "$COTRACE" record --frobnicate -- /bin/true
one_error_line
expect_exit 125 "$COTRACE" record
one_error_line
expect_exit 2 "$COTRACE_DEMO" parallel --workers 0
expect_exit 2 "$COTRACE_DEMO" nonsense

# Helps exit 0 on stdout.
for c in record report demo doctor; do
	expect_exit 0 "$COTRACE" "$c" --help
	grep -q "usage" "$TMP/out" || fail "cotrace $c --help prints no usage"
done

# A program that does not exist, or cannot run: no trace is left behind.
expect_exit 127 "$COTRACE" record -o "$TMP/nx" -- /no/such/program
expect_message "no/such/program"; one_error_line
[ ! -e "$TMP/nx" ] || [ -z "$(ls -A "$TMP/nx")" ] || fail "a trace was left for a missing program"
expect_exit 127 "$COTRACE" record -o "$TMP/nx2" -- no-such-program-in-path
one_error_line
printf 'not a program\n' >"$TMP/noexec"; chmod 644 "$TMP/noexec"
expect_exit 126 "$COTRACE" record -o "$TMP/nx3" -- "$TMP/noexec"
one_error_line

# The program's own status passes through.
# --no-preload: sh is then not traced at all, which gives the trace with no
# cotrace events that `report` is checked on below.
expect_exit 3 "$COTRACE" record -q --no-preload -o "$TMP/st3" -- sh -c 'exit 3'
expect_exit 137 "$COTRACE" record -q -o "$TMP/st9" -- sh -c 'kill -9 $$'

# A recording never overwrites another.
expect_exit 125 "$COTRACE" record -o "$TMP/st3" -- /bin/true
expect_message "not empty"; one_error_line

# Missing path, not a trace, a trace with no cotrace events.
expect_exit 3 "$COTRACE" report "$TMP/does-not-exist"
expect_message "does-not-exist"; one_error_line
mkdir -p "$TMP/empty"
expect_exit 3 "$COTRACE" report "$TMP/empty"
one_error_line
mkdir -p "$TMP/junk"; echo hello >"$TMP/junk/notes.txt"
expect_exit 3 "$COTRACE" report "$TMP/junk"
one_error_line
expect_exit 4 "$COTRACE" report "$TMP/st3"
expect_message "no cotrace events"; one_error_line

# Damaged traces: a truncated data stream, garbage metadata.
"$COTRACE" record -q -o "$TMP/good" -- "$COTRACE_DEMO" parallel --workers 2 --work-ms 50 >/dev/null 2>&1 ||
	fail "recording the reference trace failed"
streams=$(find "$TMP/good" -type f -name 'cotrace_[0-9]*' -size +0 | sort)
[ -n "$streams" ] || fail "the reference trace has no data stream file"
# One stream file cut short: the rest is still reported, with a warning.
# Two traces in one folder, each stream file one packet here (lost whole
# when cut): whichever CPUs the events went to, the second trace holds some.
mkdir "$TMP/trunc1"
cp -r "$TMP/good" "$TMP/trunc1/a"
"$COTRACE" record -q -o "$TMP/trunc1/b" -- "$COTRACE_DEMO" fork >/dev/null 2>&1 ||
	fail "recording the second reference trace failed"
first=$(find "$TMP/trunc1/a" -type f -name 'cotrace_[0-9]*' -size +0 | sort | head -n 1)
truncate -s 2000 "$first"
expect_exit 5 "$COTRACE" report "$TMP/trunc1"
grep -q "\[trace-damaged\]" "$TMP/out" || { cat "$TMP/out"; fail "the partial report should carry a trace-damaged warning"; }
grep -q "$(basename "$first")" "$TMP/out" || fail "the warning should name the damaged stream file"
grep -q "fork() returned" "$TMP/out" || { cat "$TMP/out"; fail "the partial report should still show the intact trace's fork"; }
! grep -Eqi 'AddressSanitizer|runtime error|Segmentation' "$TMP/err" || fail "crash on a truncated trace"
# Every stream file cut short: nothing can be read, one error.
cp -r "$TMP/good" "$TMP/trunc"
for f in $(find "$TMP/trunc" -type f -name 'cotrace_[0-9]*' -size +0); do
	truncate -s $(( $(stat -c %s "$f") / 2 + 7 )) "$f"
done
expect_exit 5 "$COTRACE" report "$TMP/trunc"
one_error_line
cp -r "$TMP/good" "$TMP/garbage"
meta=$(find "$TMP/garbage" -name metadata | head -n 1)
head -c 4096 /dev/urandom >"$meta"
expect_exit 5 "$COTRACE" report "$TMP/garbage"
one_error_line
echo "ok: every bad input got one message and its exit code"
