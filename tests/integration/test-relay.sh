#!/usr/bin/env bash
# Many machines through one relay: two "hosts" on this machine (root's
# global session daemon, and an ordinary user's own daemon in a UTS
# namespace whose hostname is cotrace-b) stream their recordings into one
# `cotrace relay`; the merged report, timeline and story show both hosts'
# processes, one group each.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/relay-lib.sh"
need_lttng

if [ "$(id -u)" -ne 0 ]; then
	[ "${CI:-}" = true ] && fail "the relay test needs root (a second user and a UTS namespace)"
	echo "SKIP: the relay test needs root (a second user and a UTS namespace)" >&2
	exit 77
fi
for tool in unshare nsenter setpriv lttng-relayd; do
	command -v "$tool" >/dev/null || fail "$tool is not installed"
done

# Not test-nonroot.sh's user: its cleanup stops that user's daemons.
user=cotrace-relay
host_b=cotrace-b
host_a=$(hostname)
[ "$host_a" != "$host_b" ] || fail "this machine is already called $host_b"
id "$user" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$user" ||
	fail "cannot create the test user $user"
# Outside the tracing group, its recordings go to its own daemon.
! id -nG "$user" | grep -qw tracing || gpasswd -d "$user" tracing >/dev/null
uid=$(id -u "$user")
gid=$(id -g "$user")
home=$TMP/home
mkdir -p "$home"
chown "$user" "$home"
as_user() {
	setpriv --reuid="$uid" --regid="$gid" --init-groups \
		env HOME="$home" LTTNG_HOME="$home" "$@"
}
as_user test -x "$COTRACE" || { [ "${CI:-}" = true ] && fail "build tree not readable by $user"; echo "SKIP: $COTRACE is not reachable by $user" >&2; exit 77; }

start_relay "$TMP/relay"
grep -q "listening on 127.0.0.1 only (loopback)" "$TMP/relay.err" ||
	fail "cotrace relay does not say that it listens on loopback only"
grep -q "cotrace record --relay net://127.0.0.1:$CONTROL_PORT:$DATA_PORT -- PROGRAM" "$TMP/relay.err" ||
	fail "cotrace relay does not say what to type on the recording machines"

# Host B: the user's own session daemon, in its own UTS namespace. Its pid
# is the daemon's (unshare, sh and setpriv exec).
unshare --uts sh -c "hostname $host_b && exec setpriv --reuid=$uid --regid=$gid --init-groups env HOME='$home' LTTNG_HOME='$home' lttng-sessiond --no-kernel" \
	>"$TMP/sessiond-b.log" 2>&1 &
sessiond_b=$!
CLEANUP_PIDS="$sessiond_b"
wait_for 60 test -S "$home/.lttng/client-lttng-sessiond" ||
	{ cat "$TMP/sessiond-b.log" >&2; fail "the second session daemon did not start within 60 s"; }

# Both at once, as in a lab: A's workers run 2.5 s, B's fork demo runs
# inside that time (so their clocks agree: no clocks-disagree warning).
timeout 120 "$COTRACE" record --relay "$RELAY_URL" -- \
	"$COTRACE_DEMO" parallel --workers 2 --work-ms 2500 >"$TMP/a.out" 2>"$TMP/a.err" &
rec_a=$!
sleep 0.5
(cd "$home" && timeout 120 nsenter --uts --target "$sessiond_b" \
	setpriv --reuid="$uid" --regid="$gid" --init-groups \
	env HOME="$home" LTTNG_HOME="$home" \
	"$COTRACE" record --relay "$RELAY_URL" -- "$COTRACE_DEMO" fork) >"$TMP/b.out" 2>"$TMP/b.err"
rc_b=$?
rc_a=0
wait "$rec_a" || rc_a=$?
[ "$rc_a" = 0 ] || { cat "$TMP/a.err" >&2; fail "recording host A into the relay exited $rc_a"; }
[ "$rc_b" = 0 ] || { cat "$TMP/b.err" >&2; fail "recording host B into the relay exited $rc_b"; }

# Each recording says where the relay keeps it, and it is there.
for side in a b; do
	! grep -q "lost the connection" "$TMP/$side.err" ||
		{ cat "$TMP/$side.err" >&2; fail "recording $side says it lost a relay that ran all along"; }
	folder=$(sed -n 's/.*keeps it in its output folder as \(.*\)$/\1/p' "$TMP/$side.err")
	[ -n "$folder" ] || { cat "$TMP/$side.err" >&2; fail "recording $side does not say where the relay keeps it"; }
	[ -d "$TMP/relay/$folder" ] || fail "recording $side says the relay keeps it as $folder, which is not in $TMP/relay"
	grep -q "cotrace report RELAY_DIR/$folder" "$TMP/$side.err" ||
		fail "recording $side does not say how to read its trace on the relay's machine"
done
[ -d "$TMP/relay/$host_a" ] || fail "no folder for host $host_a in the relay's output"
[ -d "$TMP/relay/$host_b" ] || fail "no folder for host $host_b in the relay's output"

stop_relay 0
grep -q "relay holds 2 recordings from 2 machines" "$TMP/relay.err" ||
	{ cat "$TMP/relay.err" >&2; fail "cotrace relay does not count what it received"; }
stop_pid "$sessiond_b"
CLEANUP_PIDS=

# The merged report: both hosts, each with its own processes.
"$COTRACE" report --format json "$TMP/relay" >"$TMP/r.json" 2>"$TMP/r.err" ||
	{ cat "$TMP/r.err" >&2; fail "report over the relay's output failed"; }
json_check "$TMP/r.json" "sorted(h['name'] for h in r['trace']['hosts']) == sorted(['$host_a', '$host_b'])" \
	"the report should list both hosts"
# Two sessions; the root daemon's may hold an empty per-UID trace of
# the user too (its programs register with every daemon; the run_id
# filter keeps their events out).
json_check "$TMP/r.json" "len(set(p.split('/ust/')[0] for p in r['trace']['paths'])) == 2" \
	"the report should read both recordings"
json_check "$TMP/r.json" "sum(p['host'] == '$host_a' for p in r['processes']) == 3" \
	"host A (parallel, 2 workers) should have 3 processes"
json_check "$TMP/r.json" "sum(p['host'] == '$host_b' for p in r['processes']) == 2" \
	"host B (fork) should have 2 processes"
json_check "$TMP/r.json" "[(h['processes'], h['tasks']) for h in r['trace']['hosts'] if h['name'] == '$host_a'] == [(3, 2)]" \
	"the hosts list should count host A's 3 processes and 2 tasks"
json_check "$TMP/r.json" "[h['processes'] for h in r['trace']['hosts'] if h['name'] == '$host_b'] == [2]" \
	"the hosts list should count host B's 2 processes"
json_check "$TMP/r.json" "all(p['complete'] for p in r['processes'])" "every process should be complete"
json_check "$TMP/r.json" "len(r['tasks']) == 2 and all(t['host'] == '$host_a' for t in r['tasks'])" \
	"the 2 tasks are host A's"
json_check "$TMP/r.json" "len(r['forks']) == 3 and all(f['child_ret'] == 0 for f in r['forks'])" \
	"3 forks (2 on A, 1 on B), each child seeing 0"
json_check "$TMP/r.json" "all(t['host'] in ('$host_a', '$host_b') for t in r['threads'])" \
	"every thread should name its host"
json_check "$TMP/r.json" "not any(w['kind'] == 'clocks-disagree' for w in r['warnings'])" \
	"two hosts recorded at the same time should not warn about their clocks"
uid_dir=$(find "$TMP/relay/$host_b" -type d -path "*/ust/uid/$uid/64-bit" | head -1)
[ -n "$uid_dir" ] || fail "host B's trace is not the user's per-UID trace"

# Text report, terminal timeline and story: one group per host.
"$COTRACE" report "$TMP/relay" >"$TMP/r.txt" 2>"$TMP/r.err" || fail "text report over the relay's output failed"
grep -q "^Hosts: 2 (" "$TMP/r.txt" || fail "the text report does not say it has 2 hosts"
grep -q "^host $host_a: 3 processes" "$TMP/r.txt" || { cat "$TMP/r.txt" >&2; fail "the fork tree has no group for host $host_a"; }
grep -q "^host $host_b: 2 processes" "$TMP/r.txt" || { cat "$TMP/r.txt" >&2; fail "the fork tree has no group for host $host_b"; }
"$COTRACE" timeline --no-color --width 100 "$TMP/relay" >"$TMP/t.txt" 2>"$TMP/t.err" ||
	{ cat "$TMP/t.err" >&2; fail "timeline over the relay's output failed"; }
grep -q "^host $host_a (3 processes)" "$TMP/t.txt" || { cat "$TMP/t.txt" >&2; fail "the timeline has no lanes group for host $host_a"; }
grep -q "^host $host_b (2 processes)" "$TMP/t.txt" || { cat "$TMP/t.txt" >&2; fail "the timeline has no lanes group for host $host_b"; }
[ "$(grep -c '^  *pid [0-9]' "$TMP/t.txt")" -ge 3 ] || fail "the timeline shows too few process lanes"
"$COTRACE" story "$TMP/relay" >"$TMP/s.txt" 2>"$TMP/s.err" || fail "story over the relay's output failed"
grep -q "^On host $host_a (3 processes):" "$TMP/s.txt" || { cat "$TMP/s.txt" >&2; fail "the story has no part for host $host_a"; }
grep -q "^On host $host_b (2 processes):" "$TMP/s.txt" || { cat "$TMP/s.txt" >&2; fail "the story has no part for host $host_b"; }
# A and B, given as two traces rather than the relay's folder, read the same.
"$COTRACE" report --format json "$TMP/relay/$host_a" "$TMP/relay/$host_b" >"$TMP/r2.json" ||
	fail "report over the two hosts' folders failed"
json_check "$TMP/r2.json" "len(r['processes']) == 5 and len(r['trace']['hosts']) == 2" \
	"two traces on the command line should merge as the relay's folder does"
# The picture (when built with cairo): a title row per host.
if "$COTRACE" timeline --help | grep -q svg; then
	"$COTRACE" timeline --format svg -o "$TMP/t.svg" "$TMP/relay" 2>"$TMP/p.err" ||
		{ cat "$TMP/p.err" >&2; fail "svg timeline over the relay's output failed"; }
	grep -q ">host $host_a (3 processes)</text>" "$TMP/t.svg" || fail "the svg timeline has no title for host $host_a"
	grep -q ">host $host_b (2 processes)</text>" "$TMP/t.svg" || fail "the svg timeline has no title for host $host_b"
fi

echo "ok: two hosts ($host_a, $host_b) streamed into one relay; the merged report has 3 + 2 processes in two groups"
