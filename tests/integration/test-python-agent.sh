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
