#!/usr/bin/env bash
# The LTTng-UST Python agent: `cotrace record` enables the python domain
# (for python programs, or with --python-agent), and the logging records of a script importing lttngust are read into the
# same model as the preload's events: the threads get the names threading
# gave them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/preload-lib.sh"
need_lttng
if ! "$PY" -c 'import lttngust' 2>/dev/null; then
	[ "${CI:-}" = true ] && fail "python3-lttngust is not installed (scripts/setup-debian.sh installs it)"
	echo "SKIP: python3-lttngust is not installed" >&2
	exit 77
fi

# (The program is `env`, so --python-agent: a python program is detected.)
RECORD_OPTS=--python-agent
record_py agent py-agent.py
j=$TMP/agent.json
[ "$(rc_of agent)" = 0 ] || { show agent; fail "py-agent.py exited $(rc_of agent)"; }
# The records are in the trace, with our contexts.
pid=$(json_get "$j" 'r["processes"][0]["pid"]')
n=$(bt2 "$TMP/agent" 2>/dev/null | grep -c "lttng_python:event.*vpid = $pid,")
[ "$n" = 3 ] || { bt2 "$TMP/agent" | grep lttng_python >&2; fail "3 logging records of pid $pid expected in the trace, found $n"; }
# And in the model: each worker thread named as threading named it.
while read -r name ident; do
	json_check "$j" "any(t[\"name\"] == \"$name\" and t[\"pthread_id\"] == $ident and t[\"pid\"] == $pid for t in r[\"threads\"])" \
		"thread $name ($ident) should carry its threading name"
done <"$TMP/agent.out"
json_check "$j" 'len(r["processes"]) == 1 and r["processes"][0]["complete"]' "one complete process expected"
echo "ok: python agent: 3 logging records read, threads named $(tr '\n' ' ' <"$TMP/agent.out")"

# The records themselves, listed per process and thread: logger, level,
# message, time, the thread that logged.
json_check "$j" 'r["logs"]["total"] == 3 and len(r["logs"]["records"]) == 3' "3 logging records listed in the JSON report"
while read -r name ident; do
	json_check "$j" "any(l[\"logger\"] == \"lecture\" and l[\"level\"] == 30 and l[\"level_name\"] == \"WARNING\" and l[\"msg\"] == \"hello from $name\" and l[\"thread\"] == \"$name\" and l[\"pid\"] == $pid and [t[\"pthread_id\"] for t in r[\"threads\"] if t[\"tid\"] == l[\"tid\"]] == [$ident] for l in r[\"logs\"][\"records\"])" \
		"the warning of $name should be listed with its logger, level, message and thread"
done <"$TMP/agent.out"
json_check "$j" "r[\"logs\"][\"records\"][-1][\"msg\"] == \"main done\" and r[\"logs\"][\"records\"][-1][\"level_name\"] == \"ERROR\" and r[\"logs\"][\"records\"][-1][\"tid\"] == $pid" \
	"the main thread's error should come last, from the main thread"
json_check "$j" 'all(r["processes"][0]["start_ns"] <= l["ts_ns"] <= r["processes"][0]["end_ns"] for l in r["logs"]["records"])' \
	"the records' times should fall within the process's life"
json_check "$j" 'sorted(l["ts_ns"] for l in r["logs"]["records"]) == [l["ts_ns"] for l in r["logs"]["records"]]' \
	"the records should be listed in time order"
grep -q "^Python logging records (3, LTTng-UST agent)" "$TMP/agent.txt" ||
	{ show agent; fail "the text report should have a section of the 3 logging records"; }
grep -Eq "^  pid $pid [^:]*: 3 records$" "$TMP/agent.txt" ||
	{ show agent; fail "the text report should group the records under pid $pid"; }
grep -Eq "^ +\+[0-9.]+ m?s  tid [0-9]+ worker-1  WARNING lecture: hello from worker-1$" "$TMP/agent.txt" ||
	{ show agent; fail "the text report should list worker-1's warning with its time, tid, level and logger"; }
grep -Eq "  tid $pid [^ ]+  ERROR lecture: main done$" "$TMP/agent.txt" ||
	{ show agent; fail "the text report should list the main thread's error"; }
echo "ok: python agent: the records are listed (logger, level, message, time, thread)"

# A bounded listing: each process's first records, the others counted.
record_py many py-agent.py 40
j=$TMP/many.json
[ "$(rc_of many)" = 0 ] || { show many; fail "py-agent.py 40 exited $(rc_of many)"; }
json_check "$j" 'r["logs"]["total"] == 43 and r["logs"]["processes"][0]["records"] == 43' "43 records counted"
json_check "$j" 'r["logs"]["processes"][0]["listed"] == r["logs"]["kept_per_process"] == len(r["logs"]["records"]) == 16' \
	"the first 16 records listed, no more"
json_check "$j" '[l["msg"] for l in r["logs"]["records"]][2:] == ["extra record %d" % i for i in range(14)]' \
	"the records listed are the first ones, in order"
grep -q "^    ... and 27 more records of pid [0-9]* (counted, not kept)$" "$TMP/many.txt" ||
	{ show many; fail "the text report should say how many records were not listed"; }
echo "ok: python agent: 43 records, the first 16 listed and 27 counted"

# Detected without the option when PROGRAM is python itself.
# (A sanitizer build: python is not ours to check for leaks.)
${ASAN_RT:+env ASAN_OPTIONS=detect_leaks=0} "$COTRACE" record -q -o "$TMP/auto" -- "$PY" "$SRC/py-agent.py" >/dev/null 2>"$TMP/auto.err" ||
	{ cat "$TMP/auto.err" >&2; fail "recording python directly failed"; }
bt2 "$TMP/auto" 2>/dev/null | grep -q "lttng_python:event" ||
	fail "recording python itself should enable the Python agent's domain"
# And a C program's trace has the cotrace channel only.
"$COTRACE" record -q -o "$TMP/c" -- "$PROG" leaf >/dev/null 2>&1 || fail "recording preload-prog failed"
! find "$TMP/c" -name 'lttng_python_channel*' | grep -q . ||
	fail "a program that is not python should not get the Python agent's channel"
echo "ok: python agent: on for python, off for a C program"
