#!/usr/bin/env bash
# cotrace record --live: the view draws frames while the program runs, the
# final report is the offline report of the trace left on disk, and cotrace
# live attached from another terminal draws the same run.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/live-lib.sh"
need_lttng
need_relayd

# 1. record --live, frames not on a terminal: one after another.
out=$TMP/live.out
err=$TMP/live.err
rc=0
timeout -k 5 "$LIVE_TIMEOUT" "$COTRACE" record --live -o "$TMP/live" --format json \
	-- "$COTRACE_DEMO" parallel --workers 2 --work-ms 3000 >"$out" 2>"$err" || rc=$?
[ "$rc" = 0 ] || { cat "$err" >&2; fail "record --live exited $rc"; }
grep -q "listens on 127.0.0.1 only (loopback" "$err" || { cat "$err" >&2; fail "record --live should say its relay is on loopback only"; }
url=$(live_url_of "$err")
case "$url" in
net://127.0.0.1:*/host/*/cotrace-*) ;;
*) cat "$err" >&2; fail "record --live printed no live URL for cotrace live" ;;
esac
relayd=$(relayd_pid_of "$err")
[ -n "$relayd" ] || fail "record --live did not name its relay daemon"
not_running "$relayd" "the private lttng-relayd outlived the recording"

# The demo prints "Total time" when it ends (its stdout is the same file,
# flushed at its exit): frames above it were drawn while it ran.
"$PY" - "$out" <<'PYEOF' || { cat "$out" >&2; fail "the live view did not draw 2 frames with events while the program ran"; }
import re, sys
lines = open(sys.argv[1]).read().split("\n")
end = next(i for i, l in enumerate(lines) if l.startswith("Total time:"))
frames = [(i, float(m.group(2)), int(m.group(3))) for i, l in enumerate(lines)
          for m in [re.match(r"--- live frame (\d+), ([\d.]+) s, (\d+) events? ---$", l)] if m]
before = [f for f in frames if f[0] < end and f[2] > 0]
print("frames: %d in all, %d with events before the program ended" % (len(frames), len(before)), file=sys.stderr)
if len(before) < 2:
    sys.exit(1)
# Each such frame draws the lanes and the running tasks of that moment.
for i, _, _ in before:
    nxt = min([f[0] for f in frames if f[0] > i] + [end])
    body = "\n".join(lines[i:nxt])
    if "pid " not in body or not re.search(r"^running tasks +.*2", body, re.M):
        print("frame at line %d has no lanes or no 2 running tasks:\n%s" % (i, body), file=sys.stderr)
        sys.exit(1)
# About once a second: no gap over 2.5 s, the mean between 0.7 and 1.6 s.
times = [t for _, t, _ in frames]
gaps = [b - a for a, b in zip(times, times[1:])]
if not gaps or max(gaps) > 2.5 or not 0.7 <= sum(gaps) / len(gaps) <= 1.6:
    print("frame times %s" % times, file=sys.stderr)
    sys.exit(1)
PYEOF
grep -q "^--- live view ended after" "$out" || fail "no end line after the frames"
# babeltrace2's live source sometimes breaks off at the end of a run: then
# the report comes from the trace on disk, and record --live says so.
if grep -q "the live view .* the report below is read from the trace" "$err"; then
	echo "note: the live stream broke off; the report was read from disk:" >&2
	cat "$err" >&2
fi

live_json_of "$out" "$TMP/live.json"
"$COTRACE" report --format json "$TMP/live" >"$TMP/offline.json" 2>"$TMP/offline.err" ||
	{ cat "$TMP/offline.err" >&2; fail "cotrace report of the live recording's folder failed"; }
same_report "$TMP/live.json" "$TMP/offline.json" "the final report of record --live differs from cotrace report of its trace" "$err"
json_check "$TMP/live.json" 'r["trace"]["paths"][0].startswith("net://127.0.0.1:")' "the live report should name the live URL"
json_check "$TMP/offline.json" '"/live/" in r["trace"]["paths"][0]' "the trace should be under the -o folder"
json_check "$TMP/live.json" 'len(r["tasks"]) == 2 and len(r["processes"]) == 3 and all(p["complete"] for p in r["processes"])' "the live report should hold the whole run"
json_check "$TMP/live.json" 'not r["warnings"]' "a complete live run has no warning"
[ ! -e "$TMP/live/ust" ] || fail "record --live left an empty ust folder beside the relay's trace"

# 2. cotrace live from another terminal. The relay daemon takes one viewer
# per session and hands it only what comes after it attached, so: the
# viewer waits for the session (--wait), and record --live --no-view
# --wait-viewer starts the program once it is attached.
watch_from_another_terminal() {
	local attempt=$1 port name url2 out2 err2 watcher rec rc watch_rc
	port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	name=cotrace-live-test-$$-$attempt
	url2=net://127.0.0.1:$port/host/$(hostname)/$name
	timeout -k 5 "$LIVE_TIMEOUT" "$COTRACE" live --wait --format json --interval 0.5 --width 80 "$url2" \
		>"$TMP/watch-$attempt.out" 2>"$TMP/watch-$attempt.err" &
	watcher=$!
	BG_PIDS="$BG_PIDS $watcher"
	wait_for "$TMP/watch-$attempt.err" "waiting for session '$name'" 30
	out2=$TMP/rec2-$attempt.out
	err2=$TMP/rec2-$attempt.err
	timeout -k 5 "$LIVE_TIMEOUT" "$COTRACE" record --live --no-view --wait-viewer 60 --live-port "$port" \
		--session "$name" -o "$TMP/rec2-$attempt" --format json \
		-- "$COTRACE_DEMO" parallel --workers 2 --work-ms 3000 >"$out2" 2>"$err2" &
	rec=$!
	BG_PIDS="$BG_PIDS $rec"
	wait_for "$err2" "a viewer is attached" 60
	[ "$(live_url_of "$err2")" = "$url2" ] || { cat "$err2" >&2; fail "record --live --session printed another URL than $url2"; }
	timeout -k 5 30 "$COTRACE" live --list "net://127.0.0.1:$port" >"$TMP/list.out" 2>"$TMP/list.err" ||
		{ cat "$TMP/list.err" >&2; fail "cotrace live --list failed"; }
	grep -q "^$url2  (host $(hostname), session $name, [0-9]* streams, 1 viewers" "$TMP/list.out" ||
		{ cat "$TMP/list.out" >&2; fail "cotrace live --list does not list $url2 with its viewer"; }
	rc=0
	wait "$watcher" || rc=$?
	watch_rc=$rc
	rc=0
	wait "$rec" || rc=$?
	[ "$rc" = 0 ] || { cat "$err2" >&2; fail "the watched record --live exited $rc"; }
	# babeltrace2 2.0's live source now and then breaks off at the end of a
	# run ("Error preparing the next batch of messages", no other cause; see
	# cotrace-live(1) NOTES): exit 5 with a partial report. That, and only
	# that, is tried again, 3 times at most.
	if [ "$watch_rc" = 5 ] && grep -q "live stream from .* broke off" "$TMP/watch-$attempt.err" &&
		grep -q "Error preparing the next batch of messages" "$TMP/watch-$attempt.err"; then
		echo "note: attempt $attempt: babeltrace2's live source broke off at the end of the run:" >&2
		cat "$TMP/watch-$attempt.err" >&2
		return 1
	fi
	[ "$watch_rc" = 0 ] || { cat "$TMP/watch-$attempt.err" >&2; fail "cotrace live exited $watch_rc"; }
	grep -q '^--- live frame' "$out2" && fail "record --live --no-view drew frames"
	[ "$(grep -c '^--- live frame' "$TMP/watch-$attempt.out")" -ge 2 ] || { cat "$TMP/watch-$attempt.out" >&2; fail "cotrace live drew fewer than 2 frames"; }
	"$PY" -c 'import re, sys; rows = [l.rstrip("\n") for l in open(sys.argv[1]) if re.match(r" *(pid|tid) \d|running tasks|time \(ms\)", l)]; sys.exit(0 if rows and all(len(l) <= 80 for l in rows) else 1)' "$TMP/watch-$attempt.out" ||
		fail "cotrace live --width 80 drew lines over 80 columns"
	live_json_of "$TMP/watch-$attempt.out" "$TMP/watch-$attempt.json"
	live_json_of "$out2" "$TMP/rec2-$attempt.json"
	json_check "$TMP/watch-$attempt.json" 'len(r["tasks"]) == 2 and all(p["complete"] for p in r["processes"]) and not r["warnings"]' "cotrace live should have received the whole run"
	same_report "$TMP/watch-$attempt.json" "$TMP/rec2-$attempt.json" "cotrace live and record --live --no-view reported the same run differently" "$TMP/watch-$attempt.err"
	frames_watched=$(grep -c '^--- live frame' "$TMP/watch-$attempt.out")
	return 0
}
for attempt in 1 2 3; do
	watch_from_another_terminal "$attempt" && break
	[ "$attempt" != 3 ] || fail "cotrace live broke off in 3 attempts out of 3"
done

# 3. --relay: a relay daemon already running (this test's own, on free
# loopback ports) receives the session and keeps the trace.
read -r c d l < <("$PY" -c 'import socket
ss = [socket.socket() for _ in range(3)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in ss))')
lttng-relayd -C "tcp://127.0.0.1:$c" -D "tcp://127.0.0.1:$d" -L "tcp://127.0.0.1:$l" \
	-o "$TMP/relay-out" >"$TMP/relayd.log" 2>&1 &
own_relayd=$!
BG_PIDS="$BG_PIDS $own_relayd"
i=0
until "$COTRACE" live --list "net://127.0.0.1:$l" >/dev/null 2>&1; do
	[ $i -lt 100 ] || { cat "$TMP/relayd.log" >&2; fail "lttng-relayd did not listen within 10 s"; }
	sleep 0.1
	i=$((i + 1))
done
mkdir "$TMP/cwd"
# babeltrace2's live source breaking off (see above) leaves a partial
# report here, with no trace on disk to fall back on: that alone is tried
# again, 3 times at most.
for attempt in 1 2 3; do
	rc=0
	(cd "$TMP/cwd" && timeout -k 5 "$LIVE_TIMEOUT" "$COTRACE" record --live --relay "net://127.0.0.1:$c:$d" \
		--live-port "$l" --session "relayed-$attempt" --format json \
		-- "$COTRACE_DEMO" parallel --workers 2 --work-ms 1500) \
		>"$TMP/relay.out" 2>"$TMP/relay.err" || rc=$?
	[ "$rc" = 0 ] || { cat "$TMP/relay.err" >&2; fail "record --live --relay exited $rc"; }
	grep -q "broke off" "$TMP/relay.err" || break
	echo "note: attempt $attempt: babeltrace2's live source broke off:" >&2
	cat "$TMP/relay.err" >&2
	[ "$attempt" != 3 ] || fail "the live stream broke off in 3 attempts out of 3"
done
grep -q "^--- live frame" "$TMP/relay.out" || fail "record --live --relay drew no frame"
[ -z "$(ls -A "$TMP/cwd")" ] || fail "record --live --relay left a folder here: $(ls "$TMP/cwd")"
kill "$own_relayd"
wait "$own_relayd" || :
live_json_of "$TMP/relay.out" "$TMP/relay.json"
relayed=$(ls -d "$TMP/relay-out/$(hostname)/relayed-$attempt-"*)
"$COTRACE" report --format json "$relayed" >"$TMP/relay-offline.json" 2>"$TMP/relay-offline.err" ||
	{ cat "$TMP/relay-offline.err" >&2; fail "cotrace report of the relay's output failed"; }
same_report "$TMP/relay.json" "$TMP/relay-offline.json" "record --live --relay and the relay's trace differ" "$TMP/relay.err"
expect_exit 125 "$COTRACE" record --live --relay "net://127.0.0.1:$c" -o "$TMP/x" -- true
expect_message "-o and --relay do not go together"

# 4. Usage errors of the live options.
expect_exit 125 "$COTRACE" record --interval 1 -- true
expect_message "--interval goes with --live"
expect_exit 125 "$COTRACE" record --live --interval 0 -- true
expect_message "invalid interval '0'"
expect_exit 125 "$COTRACE" record --live --relay http://x -- true
expect_message "--relay .http://x.: cotrace streams to an lttng-relayd only"
expect_exit 2 "$COTRACE" live --width 10 net://127.0.0.1/host/a/b
expect_message "invalid width '10'"
"$COTRACE" live --help | grep -q "net://HOST\[:PORT\]/host/TARGET/SESSION" || fail "cotrace live --help shows no URL form"
"$COTRACE" record --help | grep -q -- "--live" || fail "cotrace record --help does not describe --live"
echo "ok: live: $(grep -c '^--- live frame' "$out") frames, $(json_get "$TMP/live.json" 'r["trace"]["events"]') events, report equal to the offline one; cotrace live --wait drew $frames_watched frames of the whole run"
