#!/usr/bin/env bash
# What goes wrong with a relay: unreachable at the start (PROGRAM is not
# run), killed mid-run (record says so and ends; what the relay received
# stays readable), the recorded program killed mid-run (its trace on the
# relay still reports what happened), a busy port, no lttng-relayd. Every
# wait is bounded.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/relay-lib.sh"
need_lttng
command -v lttng-relayd >/dev/null || fail "lttng-relayd is not installed (lttng-tools)"

# ---- bad usage and an unreachable relay: nothing runs ----
expect_exit 125 "$COTRACE" record --relay ftp://example.org -- true
expect_message "relay.*net://HOST"
expect_exit 125 "$COTRACE" record --relay net://127.0.0.1:70000 -- true
expect_message "not a relay address"
expect_exit 125 "$COTRACE" record -o "$TMP/x" --relay net://127.0.0.1 -- true
expect_message "-o and --relay do not go together"
set -- $(free_ports 2)
start=$(date +%s)
expect_exit 125 timeout 60 "$COTRACE" record --relay "net://127.0.0.1:$1:$2" -- \
	sh -c "touch '$TMP/ran'"
expect_message "cannot reach the relay net://127.0.0.1:$1:$2: nothing listens on port $1"
expect_message "cotrace relay"
[ ! -e "$TMP/ran" ] || fail "PROGRAM ran although the relay was unreachable"
[ $(($(date +%s) - start)) -lt 30 ] || fail "an unreachable relay took more than 30 s to report"

# ---- cotrace relay: usage, no lttng-relayd ----
expect_exit 2 "$COTRACE" relay --control-port 0
expect_message "not a port"
expect_exit 2 "$COTRACE" relay --control-port 7000 --data-port 7000
expect_message "must differ"
touch "$TMP/a-file"
set -- $(free_ports 3)
expect_exit 1 "$COTRACE" relay -o "$TMP/a-file" --control-port "$1" --data-port "$2" --live-port "$3"
expect_message "'$TMP/a-file' exists and is not a folder"
expect_exit 127 env PATH=/nonexistent "$COTRACE" relay -o "$TMP/none"
expect_message "lttng-relayd.*not installed.*lttng-tools"

# ---- the relay killed mid-run ----
# $rec is timeout(1); its child is cotrace, whose child is the demo.
demo_root() {
	local cotrace
	cotrace=$(pgrep -P "$rec" | head -1)
	[ -n "$cotrace" ] || return 1
	root=$(pgrep -P "$cotrace" -x cotrace-demo | head -1)
	[ -n "$root" ] && [ "$(pgrep -P "$root" -x cotrace-demo | wc -l)" = 2 ]
}
start_relay "$TMP/relay"
# A busy port: a second relay on the same control port.
expect_exit 6 timeout 60 "$COTRACE" relay -o "$TMP/relay2" --control-port "$CONTROL_PORT" \
	--data-port "$LIVE_PORT" --live-port "$DATA_PORT"
expect_message "port $CONTROL_PORT .* already in use.*--control-port"

timeout 120 "$COTRACE" record --relay "$RELAY_URL" -- \
	"$COTRACE_DEMO" parallel --workers 2 --work-ms 8000 >"$TMP/rec.out" 2>"$TMP/rec.err" &
rec=$!
CLEANUP_PIDS="$rec"
# Sub-buffers reach the relay once a second: wait until the workers'
# starts are there (a stream file with data), then kill the relay.
has_data() {
	find "$TMP/relay" -path '*/64-bit/*' -name 'cotrace_*' -size +0 2>/dev/null | grep -q .
}
wait_for 60 demo_root || { cat "$TMP/rec.err" >&2; ps -ef --forest >&2; fail "the demo did not start its 2 workers within 60 s"; }
wait_for 60 has_data || { cat "$TMP/rec.err" >&2; fail "no event reached the relay within 60 s"; }
# Kill it once what it received holds the 3 processes and 2 forks (a
# loaded machine may take several flushes to get there).
has_forks() {
	"$COTRACE" report --format json "$TMP/relay" >"$TMP/poll.json" 2>/dev/null
	"$PY" -c 'import json,sys
try:
    r = json.load(open(sys.argv[1]))
except ValueError:
    sys.exit(1)
sys.exit(0 if len(r["processes"]) == 3 and len(r["forks"]) == 2 else 1)' "$TMP/poll.json"
}
wait_for 60 has_forks || { cat "$TMP/rec.err" >&2; fail "the relay did not receive the 3 processes and 2 forks within 60 s"; }
kill -KILL "$RELAYD_PID"
start=$(date +%s)
rc=0
wait "$rec" || rc=$?
CLEANUP_PIDS=
[ "$rc" = 125 ] || { cat "$TMP/rec.err" >&2; fail "record exited $rc after its relay died, expected 125"; }
grep -q "lost the connection to the relay $RELAY_URL" "$TMP/rec.err" ||
	{ cat "$TMP/rec.err" >&2; fail "record does not say it lost the relay"; }
grep -q "recording into the relay $RELAY_URL is incomplete" "$TMP/rec.err" ||
	{ cat "$TMP/rec.err" >&2; fail "record does not say the recording is incomplete"; }
stop_relay 1
grep -q "lttng-relayd stopped on its own (killed by signal 9)" "$TMP/relay.err" ||
	{ cat "$TMP/relay.err" >&2; fail "cotrace relay does not say its lttng-relayd died"; }
# What the relay received before it died: the processes and the tasks'
# starts, their ends missing, each said.
rc=0
"$COTRACE" report --format json "$TMP/relay" >"$TMP/k.json" 2>"$TMP/k.err" || rc=$?
[ "$rc" = 0 ] || [ "$rc" = 5 ] || { cat "$TMP/k.err" >&2; fail "report over a killed relay's output exited $rc"; }
json_check "$TMP/k.json" "len(r['processes']) == 3 and len(r['forks']) == 2" \
	"the relay should have kept the 3 processes and 2 forks it received"
json_check "$TMP/k.json" "len(r['tasks']) == 2 and all(t['end_ns'] is None for t in r['tasks'])" \
	"the 2 tasks should be there, started and not finished"
json_check "$TMP/k.json" "'process-no-exit' in [w['kind'] for w in r['warnings']]" \
	"the missing exits should be warned about"

# ---- the recorded program killed mid-run ----
start_relay "$TMP/relay3"
timeout 120 "$COTRACE" record --relay "$RELAY_URL" -- \
	"$COTRACE_DEMO" parallel --workers 2 --work-ms 6000 >"$TMP/rec3.out" 2>"$TMP/rec3.err" &
rec=$!
CLEANUP_PIDS="$rec"
wait_for 60 demo_root || { cat "$TMP/rec3.err" >&2; ps -ef --forest >&2; fail "the demo did not start its 2 workers within 60 s"; }
has_data3() {
	find "$TMP/relay3" -path '*/64-bit/*' -name 'cotrace_*' -size +0 2>/dev/null | grep -q .
}
wait_for 60 has_data3 || fail "no event reached the relay within 60 s"
# The workers' tasks have started (they wait for each other first).
sleep 3
# The demo and its workers, started by this test's recording, only.
kill -KILL $(pgrep -P "$root" -x cotrace-demo) "$root"
rc=0
wait "$rec" || rc=$?
CLEANUP_PIDS=
[ "$rc" = 137 ] || { cat "$TMP/rec3.err" >&2; fail "record exited $rc for a program killed by SIGKILL, expected 137"; }
! grep -q "lost the connection" "$TMP/rec3.err" ||
	{ cat "$TMP/rec3.err" >&2; fail "record says it lost a relay that ran all along"; }
grep -q "sent to the relay $RELAY_URL" "$TMP/rec3.err" ||
	{ cat "$TMP/rec3.err" >&2; fail "record does not say where the relay keeps the trace"; }
stop_relay 0
"$COTRACE" report --format json "$TMP/relay3" >"$TMP/p.json" 2>"$TMP/p.err" ||
	{ cat "$TMP/p.err" >&2; fail "report over the killed program's trace failed"; }
json_check "$TMP/p.json" "len(r['processes']) == 3 and not any(p['exit_seen'] for p in r['processes'])" \
	"the 3 killed processes should be there, none with an exit"
json_check "$TMP/p.json" "len(r['tasks']) == 2" "the 2 tasks' starts should be there"

# ---- Ctrl-C: the terminal's SIGINT reaches cotrace relay and its
# lttng-relayd (one process group of their own here): a clean stop ----
set -- $(free_ports 3)
setsid "$COTRACE" relay -o "$TMP/relay4" --control-port "$1" --data-port "$2" \
	--live-port "$3" >"$TMP/relay4.out" 2>"$TMP/relay4.err" &
RELAY_PID=$!
wait_for 60 grep -q "Ctrl-C stops the relay" "$TMP/relay4.err" ||
	{ cat "$TMP/relay4.err" >&2; fail "cotrace relay did not start within 60 s"; }
kill -INT -- "-$RELAY_PID"
wait_for 30 eval "! kill -0 $RELAY_PID 2>/dev/null" || fail "cotrace relay did not stop within 30 s of Ctrl-C"
rc=0
wait "$RELAY_PID" || rc=$?
RELAY_PID=
[ "$rc" = 0 ] || { cat "$TMP/relay4.err" >&2; fail "cotrace relay exited $rc on Ctrl-C, expected 0"; }
grep -q "relay stopped (signal 2)" "$TMP/relay4.err" || fail "cotrace relay does not say it stopped"

echo "ok: unreachable relay refused at once, relay killed mid-run and program killed mid-run both reported, data kept"
