#!/usr/bin/env bash
# An unmodified Python script forking while another thread is alive: the
# report warns, naming the thread (the hazard of the lecture).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/preload-lib.sh"
need_lttng

record_py ft py-fork-threads.py
j=$TMP/ft.json
[ "$(rc_of ft)" = 0 ] || { show ft; fail "py-fork-threads.py exited $(rc_of ft)"; }
child=$(sed -n 's/^forked \([0-9]*\) while 2 threads were alive$/\1/p' "$TMP/ft.out")
[ -n "$child" ] || { show ft; fail "the script should fork with 2 threads alive"; }
json_check "$j" "len(r[\"forks\"]) == 1 and r[\"forks\"][0][\"child_pid\"] == $child and r[\"forks\"][0][\"threads_alive\"] == 2" \
	"the fork should see 2 threads alive"
helper=$(json_get "$j" '[t["tid"] for t in r["threads"] if t["tid"] != t["pid"]][0]')
json_check "$j" "r[\"forks\"][0][\"alive_tids\"] == [$helper]" "the fork should list the helper thread ($helper)"
json_check "$j" "any(w[\"kind\"] == \"fork-with-threads\" and \"tid $helper\" in w[\"message\"] for w in r[\"warnings\"])" \
	"a fork-with-threads warning should name the helper thread"
json_check "$j" 'all(p["complete"] for p in r["processes"])' "both processes complete"
grep -q "fork-with-threads" "$TMP/ft.txt" || { show ft; fail "the text report should show the warning"; }
echo "ok: python fork with a thread alive: warned, helper tid $helper named"
