#!/usr/bin/env bash
# The fork lesson: fork() returns 0 in the child and the child's pid in the
# parent; the report's fork tree shows both.
. "$(dirname "$0")/lib.sh"
need_lttng

j=$TMP/fork.json
record_demo fork "$j"

json_check "$j" 'len(r["forks"]) == 1' "expected one fork"
json_check "$j" 'r["forks"][0]["child_ret"] == 0' "child_ret should be 0"
json_check "$j" 'r["forks"][0]["parent_ret"] == r["forks"][0]["child_pid"]' "parent_ret should be the child pid"
json_check "$j" 'any(p["pid"] == r["forks"][0]["child_pid"] and p["ppid"] == r["forks"][0]["parent_pid"] for p in r["processes"])' "the child process should be in the tree under its parent"
child=$(json_get "$j" 'r["forks"][0]["child_pid"]')
grep -q "Parent process: fork() returned $child" "$TMP/fork.stdout" ||
	fail "the demo's parent did not print the child pid the trace shows ($child)"
grep -q "fork() returned $child in the parent, 0 in the child" "$j.txt" ||
	{ cat "$j.txt"; fail "the text fork tree should show both return values"; }
echo "ok: fork: parent_ret $child, child_ret 0"
