#!/usr/bin/env bash
# As an ordinary user outside the tracing group, `cotrace record` starts a
# per-user session daemon and records.
. "$(dirname "$0")/lib.sh"
need_lttng

user=cotrace-ci
if [ "$(id -u)" -ne 0 ]; then
	# Already an ordinary user: test as we are.
	run_as() { "$@"; }
	home=$TMP/home
	mkdir -p "$home"
else
	id "$user" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$user" ||
		fail "cannot create the test user $user"
	! id -nG "$user" | grep -qw tracing || gpasswd -d "$user" tracing >/dev/null
	home=$TMP/home
	mkdir -p "$home"
	chown "$user" "$home"
	run_as() { runuser -u "$user" -- "$@"; }
fi
# The build tree must be readable by the user.
run_as test -x "$COTRACE" || { echo "SKIP: $COTRACE is not reachable by $user" >&2; [ "${CI:-}" = true ] && fail "build tree not readable by $user"; exit 77; }

cleanup_daemon() {
	if [ "$(id -u)" -eq 0 ]; then
		pkill -u "$user" -x lttng-sessiond 2>/dev/null || true
	fi
	rm -rf "$TMP"
}
trap cleanup_daemon EXIT

run_as env HOME="$home" LTTNG_HOME="$home" "$COTRACE" record -o "$home/trace" -- \
	"$COTRACE_DEMO" fork >"$TMP/out" 2>"$TMP/err" || { cat "$TMP/err"; fail "record as $user failed"; }
[ -d "$home/.lttng" ] || fail "no per-user session daemon directory in $home/.lttng"
run_as env HOME="$home" "$COTRACE" report --format json "$home/trace" >"$TMP/r.json" ||
	fail "report as $user failed"
json_check "$TMP/r.json" 'len(r["processes"]) == 2 and r["forks"][0]["child_ret"] == 0' "the user's trace should hold the fork demo"
uid=$(run_as id -u)
find "$home/trace" -path "*/uid/$uid/*" -name metadata | grep -q . || fail "the trace is not the user's per-UID trace"
echo "ok: recorded as $user (uid $uid) with a per-user session daemon"
