# Shared by the relay tests (sourced after lib.sh): free ports, a `cotrace
# relay` of the test's own, bounded waits, cleanup by pid only (other tests
# and other people's recordings use this machine's daemons meanwhile).

RELAY_PID=
RELAYD_PID=
RELAY_DIR=
CLEANUP_PIDS=

# free_ports N: N TCP ports nothing listens on (the kernel's choice), one a line.
free_ports() {
	"$PY" - "$1" <<'PYEOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
for s in socks:
    print(s.getsockname()[1])
PYEOF
}

# wait_for SECONDS CMD...: runs CMD every 0.1 s until it succeeds; fails after SECONDS.
wait_for() {
	local limit=$(($1 * 10)) i=0
	shift
	until "$@"; do
		i=$((i + 1))
		[ "$i" -lt "$limit" ] || return 1
		sleep 0.1
	done
}

# stop_pid PID [SIGNAL]: signals PID (default TERM) and waits for it at most
# 15 s, then kills it. Only for processes this test started.
stop_pid() {
	local pid=$1 sig=${2:-TERM}
	[ -n "$pid" ] || return 0
	kill -0 "$pid" 2>/dev/null || return 0
	kill -"$sig" "$pid" 2>/dev/null || return 0
	wait_for 15 eval "! kill -0 $pid 2>/dev/null" || kill -KILL "$pid" 2>/dev/null || true
}

relay_cleanup() {
	local p
	for p in $CLEANUP_PIDS; do
		stop_pid "$p"
	done
	stop_pid "$RELAY_PID"
	stop_pid "$RELAYD_PID" KILL
	rm -rf "$TMP"
}
trap relay_cleanup EXIT

# start_relay DIR: runs `cotrace relay` on free ports into DIR; sets
# RELAY_PID, RELAYD_PID (its lttng-relayd), RELAY_URL, and keeps its
# stderr in $TMP/relay.err.
start_relay() {
	local ports
	RELAY_DIR=$1
	ports=$(free_ports 3 | tr '\n' ' ')
	set -- $ports
	CONTROL_PORT=$1 DATA_PORT=$2 LIVE_PORT=$3
	"$COTRACE" relay -o "$RELAY_DIR" --control-port "$CONTROL_PORT" \
		--data-port "$DATA_PORT" --live-port "$LIVE_PORT" \
		>"$TMP/relay.out" 2>"$TMP/relay.err" &
	RELAY_PID=$!
	wait_for 60 grep -q "Ctrl-C stops the relay" "$TMP/relay.err" || {
		cat "$TMP/relay.err" >&2
		fail "cotrace relay did not start listening within 60 s"
	}
	RELAYD_PID=$(sed -n 's/.*lttng-relayd running (pid \([0-9]*\)).*/\1/p' "$TMP/relay.err")
	[ -n "$RELAYD_PID" ] || fail "cotrace relay did not say its lttng-relayd's pid"
	RELAY_URL=net://127.0.0.1:$CONTROL_PORT:$DATA_PORT
}

# stop_relay CODE: stops `cotrace relay` with SIGTERM, checks its exit code.
stop_relay() {
	local want=$1 got=0 i=0
	kill -TERM "$RELAY_PID" 2>/dev/null || true
	while kill -0 "$RELAY_PID" 2>/dev/null && [ "$i" -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -0 "$RELAY_PID" 2>/dev/null && fail "cotrace relay did not stop within 30 s of SIGTERM"
	wait "$RELAY_PID" || got=$?
	# Its lttng-relayd is gone with it: never signal that pid again.
	RELAY_PID=
	RELAYD_PID=
	[ "$got" = "$want" ] || { cat "$TMP/relay.err" >&2; fail "cotrace relay exited $got, expected $want"; }
}
