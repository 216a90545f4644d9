#!/usr/bin/env bash
# The lecture's os.fork() in an unmodified Python script: the report shows
# fork() returning 0 in the child and, in the parent, the pid the script
# printed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/preload-lib.sh"
need_lttng

record_py fork py-fork.py
j=$TMP/fork.json
[ "$(rc_of fork)" = 0 ] || { show fork; fail "py-fork.py exited $(rc_of fork)"; }
child=$(sed -n 's/^Parent process, child PID: \([0-9]*\)$/\1/p' "$TMP/fork.out")
[ -n "$child" ] || { show fork; fail "the script did not print the child's pid"; }
grep -qx "Child process" "$TMP/fork.out" || { show fork; fail "the child did not print"; }
json_check "$j" 'len(r["forks"]) == 1' "one fork expected"
json_check "$j" "r[\"forks\"][0][\"parent_ret\"] == $child" "parent_ret should be the pid the script printed ($child)"
json_check "$j" 'r["forks"][0]["child_ret"] == 0' "child_ret should be 0"
json_check "$j" "len(r[\"processes\"]) == 2 and all(p[\"complete\"] and p[\"name\"] == \"python3\" for p in r[\"processes\"])" \
	"two complete python3 processes expected"
json_check "$j" "any(p[\"pid\"] == $child and p[\"parent_pid\"] == r[\"forks\"][0][\"parent_pid\"] for p in r[\"processes\"])" \
	"the child should be under its parent in the tree"
json_check "$j" 'not r["warnings"]' "no warning expected"
grep -q "fork() returned $child in the parent, 0 in the child" "$TMP/fork.txt" ||
	{ show fork; fail "the text fork tree should show both return values"; }
echo "ok: python fork: parent_ret $child (as printed), child_ret 0"
