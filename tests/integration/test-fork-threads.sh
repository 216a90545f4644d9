#!/usr/bin/env bash
# Forking a multi-threaded process: the report warns and names the threads
# that were alive at the fork.
. "$(dirname "$0")/lib.sh"
need_lttng

j=$TMP/fork-threads.json
record_demo fork-threads "$j"

json_check "$j" 'len(r["forks"]) == 1 and r["forks"][0]["threads_alive"] == 3' "the fork should see 3 threads alive"
json_check "$j" 'any(w["kind"] == "fork-with-threads" and "helper-1" in w["message"] and "helper-2" in w["message"] for w in r["warnings"])' "a fork-with-threads warning should name helper-1 and helper-2"
json_check "$j" 'all(p["complete"] for p in r["processes"])' "the short-lived child's start and exit should both be in the trace"
grep -q "fork-with-threads" "$j.txt" || { cat "$j.txt"; fail "the text report should show the warning"; }
echo "ok: fork-threads warning names the helpers"
