#!/usr/bin/env bash
# cotrace record --live when things go wrong: the relay daemon or the
# program killed mid-run (nothing received is lost, cotrace says what
# happened and ends), a relay that cannot start, and cotrace live on a
# missing session, a closed port or a malformed URL. Every wait is bounded.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/live-lib.sh"
need_lttng
need_relayd

# start_live NAME WORK_MS: record --live of the parallel demo in the
# background ($rec its pid); returns once a frame with events was drawn.
start_live() {
	timeout -k 5 "$LIVE_TIMEOUT" "$COTRACE" record --live -o "$TMP/$1" --format json --interval 0.5 \
		-- "$COTRACE_DEMO" parallel --workers 2 --work-ms "$2" >"$TMP/$1.out" 2>"$TMP/$1.err" &
	rec=$!
	BG_PIDS="$BG_PIDS $rec"
	wait_for "$TMP/$1.out" "^--- live frame [0-9]+, [0-9.]+ s, [1-9][0-9]* events? ---" 60
}

# finish_live NAME WANT_RC: waits for it (bounded by its timeout).
finish_live() {
	local rc=0 t0=$SECONDS
	wait "$rec" || rc=$?
	[ "$rc" != 124 ] && [ "$rc" != 137 -o "$2" = 137 ] || { cat "$TMP/$1.err" >&2; fail "record --live hung: stopped by timeout after $((SECONDS - t0)) s"; }
	[ "$rc" = "$2" ] || { cat "$TMP/$1.err" >&2; fail "record --live exited $rc, expected $2"; }
}

# 1. The relay daemon is killed while the program runs.
start_live relay-killed 6000
relayd=$(relayd_pid_of "$TMP/relay-killed.err")
[ -n "$relayd" ] || fail "record --live did not name its relay daemon"
received=$(sed -n 's/^--- live frame [0-9]*, [0-9.]* s, \([0-9]*\) events* ---$/\1/p' "$TMP/relay-killed.out" | tail -n 1)
kill -9 "$relayd"
t0=$SECONDS
finish_live relay-killed 125
[ $((SECONDS - t0)) -lt 60 ] || fail "record --live took $((SECONDS - t0)) s to notice the relay's death"
err=$TMP/relay-killed.err
grep -q "lttng-relayd died (killed by signal 9)" "$err" || { cat "$err" >&2; fail "record --live did not say the relay died"; }
grep -q "the recording is incomplete" "$err" || { cat "$err" >&2; fail "record --live did not say the recording is incomplete"; }
grep -q "cannot destroy session" "$err" && { cat "$err" >&2; fail "a session destroyed without its relay is not left behind"; }
live_json_of "$TMP/relay-killed.out" "$TMP/relay-killed.json"
json_check "$TMP/relay-killed.json" 'any(w["kind"] == "trace-damaged" and "broke off" in w["message"] for w in r["warnings"])' "the partial report should say the stream broke off"
json_check "$TMP/relay-killed.json" "r['trace']['cotrace_events'] >= $received" "the report lost events the view had received"
# What the relay received before it died is on disk, readable.
rc=0
"$COTRACE" report --format json "$TMP/relay-killed" >"$TMP/relay-killed-offline.json" 2>"$TMP/rk.err" || rc=$?
[ "$rc" = 0 ] || [ "$rc" = 5 ] || { cat "$TMP/rk.err" >&2; fail "cotrace report of what the killed relay wrote exited $rc"; }
json_check "$TMP/relay-killed-offline.json" "r['trace']['cotrace_events'] >= $received" "the trace on disk lost events the relay had received"
lttng list 2>/dev/null | grep -q "$(basename "$(live_url_of "$err")")" && fail "the session of the killed relay was left behind"

# 2. The recorded program is killed while it runs: its status is passed
# through, the view ends, the report warns of a process without exit.
start_live program-killed 6000
# $rec is timeout(1); cotrace is its child, the demo cotrace's.
cotrace_pid=$(pgrep -P "$rec" | head -n 1)
demo=$(pgrep -P "$cotrace_pid" -x cotrace-demo | head -n 1)
[ -n "$demo" ] || fail "cannot find the demo under record --live"
relayd=$(relayd_pid_of "$TMP/program-killed.err")
kill -9 "$demo"
finish_live program-killed 137
not_running "$relayd" "the private relay outlived record --live"
live_json_of "$TMP/program-killed.out" "$TMP/program-killed.json"
json_check "$TMP/program-killed.json" "any(w['kind'] == 'process-no-exit' and w['pid'] == $demo for w in r['warnings'])" "the report should warn that the killed process has no exit"
"$COTRACE" report --format json "$TMP/program-killed" >"$TMP/program-killed-offline.json" 2>/dev/null ||
	fail "cotrace report of the killed program's trace failed"
same_report "$TMP/program-killed.json" "$TMP/program-killed-offline.json" "the report of record --live differs from the trace on disk" "$TMP/program-killed.err"

# 3. cotrace live: a missing session, --list, a closed port, a bad URL
# (while a live recording runs, so a relay is there to ask).
start_live listed 4000
url=$(live_url_of "$TMP/listed.err")
relay=${url%%/host/*}
host_part=${url#*/host/}
target=${host_part%%/*}
expect_exit 3 timeout -k 5 30 "$COTRACE" live "$relay/host/$target/no-such-session"
expect_message "no live session 'no-such-session' of host '$target' at $relay.*cotrace live --list $relay"
# record --live is its session's one viewer: a second is refused.
expect_exit 1 timeout -k 5 30 "$COTRACE" live "$url"
expect_message "already has a viewer, and lttng-relayd allows one"
expect_exit 0 timeout -k 5 30 "$COTRACE" live --list "$relay"
grep -q "^$url  (host $target, session " "$TMP/out" || { cat "$TMP/out" >&2; fail "cotrace live --list does not list the running session"; }
finish_live listed 0
closed=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
expect_exit 1 timeout -k 5 30 "$COTRACE" live --list "net://127.0.0.1:$closed"
expect_message "cannot reach a relay daemon's live port at net://127.0.0.1:$closed"
expect_exit 1 timeout -k 5 30 "$COTRACE" live "net://127.0.0.1:$closed/host/h/s"
expect_message "cannot reach a relay daemon"
expect_exit 2 "$COTRACE" live "http://127.0.0.1/host/h/s"
expect_message "is not a live URL: expected net://HOST\[:PORT\]/host/TARGET/SESSION"
expect_exit 2 "$COTRACE" live "net://127.0.0.1:99999/host/h/s"
expect_message "is not a live URL"
expect_exit 2 "$COTRACE" live "net://127.0.0.1/host/h"
expect_exit 2 "$COTRACE" live --list "net://127.0.0.1/host/h/s"
expect_message "is a session's URL; --list takes the relay daemon's"
expect_exit 2 "$COTRACE" live
expect_message "no URL given"

# 4. The relay daemon cannot start: no binary, a live port taken.
expect_exit 125 env COTRACE_RELAYD=/nonexistent/lttng-relayd timeout -k 5 60 "$COTRACE" record --live -o "$TMP/norelay" -- "$COTRACE_DEMO" parallel --workers 1 --work-ms 10
expect_message "cannot run /nonexistent/lttng-relayd: No such file or directory; install lttng-tools"
[ ! -e "$TMP/norelay" ] || fail "a recording whose relay did not start left $TMP/norelay"
"$PY" -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print(s.getsockname()[1], flush=True); time.sleep(120)' >"$TMP/port" &
holder=$!
BG_PIDS="$BG_PIDS $holder"
wait_for "$TMP/port" "^[0-9]+$" 20
busy=$(cat "$TMP/port")
expect_exit 125 timeout -k 5 60 "$COTRACE" record --live --live-port "$busy" -o "$TMP/busy" -- "$COTRACE_DEMO" parallel --workers 1 --work-ms 10
expect_message "live port $busy on 127.0.0.1 is already in use; choose another with --live-port"
[ ! -e "$TMP/busy" ] || fail "a recording whose relay did not start left $TMP/busy"
kill "$holder"
echo "ok: live-kill: relay killed after $received events (all kept), program killed (status 137 passed through), errors"
