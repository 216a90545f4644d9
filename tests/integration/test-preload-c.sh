#!/usr/bin/env bash
# An uninstrumented C program (tests/preload/prog.c, not linked with
# libcotrace) recorded through libcotrace-preload.so: nested forks, named
# threads, pthread_setspecific, a fork from a thread, exec, vfork + exec,
# posix_spawn; a program closing every descriptor; exits from a signal
# handler and deaths by signal. What the program printed is what the
# trace must hold.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/preload-lib.sh"
need_lttng

# ---- tree: the whole family.
record tree "$PROG" tree
j=$TMP/tree.json
[ "$(rc_of tree)" = 0 ] || { show tree; fail "preload-prog tree exited $(rc_of tree)"; }
out=$TMP/tree.out
root=$(sed -n 's/^root pid \([0-9]*\)/\1/p' "$out")
fwt=$(sed -n 's/^fork-with-threads parent_ret \([0-9]*\)/\1/p' "$out")
child=$(sed -n 's/^root parent_ret \([0-9]*\)/\1/p' "$out")
grandchild=$(sed -n 's/^child fork_ret 0 pid [0-9]* parent_ret \([0-9]*\)/\1/p' "$out")
tfork=$(sed -n 's/^thread-fork parent_ret \([0-9]*\)/\1/p' "$out")
vchild=$(sed -n 's/^vfork parent_ret \([0-9]*\)/\1/p' "$out")
spawned=$(sed -n 's/^spawn ret 0 pid \([0-9]*\)/\1/p' "$out")
for v in root fwt child grandchild tfork vchild spawned; do
	[ -n "${!v}" ] || { show tree; fail "preload-prog did not print $v"; }
done

json_check "$j" 'len(r["processes"]) == 7' "7 processes expected (root, 5 forks, 1 spawn)"
json_check "$j" 'all(p["complete"] for p in r["processes"])' "every process should have its start and its exit"
json_check "$j" 'all(p["exit_status"] == 0 for p in r["processes"])' "every process exited 0"
json_check "$j" 'r["trace"]["lost_events"] == 0' "no event may be lost"
proc() { echo "[p for p in r[\"processes\"] if p[\"pid\"] == $1]"; }
fork_to() { echo "[f for f in r[\"forks\"] if f[\"child_pid\"] == $1]"; }
# fork() returned the child's pid in the parent, 0 in the child.
for c in "$fwt" "$child" "$tfork" "$vchild"; do
	json_check "$j" "len($(fork_to "$c")) == 1 and $(fork_to "$c")[0][\"parent_pid\"] == $root and $(fork_to "$c")[0][\"parent_ret\"] == $c and $(fork_to "$c")[0][\"child_ret\"] == 0" \
		"a fork from $root to $c with parent_ret $c and child_ret 0"
done
json_check "$j" "len($(fork_to "$grandchild")) == 1 and $(fork_to "$grandchild")[0][\"parent_pid\"] == $child and $(fork_to "$grandchild")[0][\"child_ret\"] == 0" \
	"the grandchild $grandchild is forked by the child $child"
json_check "$j" "$(fork_to "$fwt")[0][\"threads_alive\"] == 3" "the fork made while worker-1 and worker-2 lived sees 3 threads"
# exec: the same process (one pid, one process), renamed; not pid reuse.
json_check "$j" "len($(proc "$grandchild")) == 1 and $(proc "$grandchild")[0][\"name\"] == \"leaf-image\"" \
	"the grandchild exec'd: one process $grandchild, renamed leaf-image"
json_check "$j" "len($(proc "$vchild")) == 1 and $(proc "$vchild")[0][\"name\"] == \"vfork-leaf\"" \
	"the vfork child exec'd: one process $vchild, renamed vfork-leaf"
json_check "$j" 'not any(w["kind"] == "pid-reused" for w in r["warnings"])' "an exec is not a pid reuse"
json_check "$j" "$(proc "$root")[0][\"name\"] == \"preload-prog\"" "a failed exec leaves the root's name alone"
# posix_spawn: the child, under its parent.
json_check "$j" "len($(proc "$spawned")) == 1 and $(proc "$spawned")[0][\"name\"] == \"spawned-leaf\" and $(proc "$spawned")[0][\"parent_pid\"] == $root" \
	"the posix_spawn child $spawned should be under $root"
# Threads: names from pthread_setname_np, pthread ids and TLS as printed.
# (glibc reuses a joined thread's descriptor, so a later thread may have
# the same pthread id: the name tells them apart.)
while read -r _ name _ pthread _ key _ value; do
	if [ "$name" = main ]; then
		th="[t for t in r[\"threads\"] if t[\"tid\"] == $root]"
	else
		th="[t for t in r[\"threads\"] if t[\"pid\"] == $root and t[\"name\"] == \"$name\"]"
	fi
	json_check "$j" "len($th) == 1 and $th[0][\"pthread_id\"] == $pthread" \
		"thread $name should be in the trace with pthread id $pthread"
	json_check "$j" "any(w[\"key\"] == \"$key\" and w[\"value\"] == \"$value\" for w in $th[0][\"tls\"])" \
		"thread $name should have written key $key = $value"
done < <(grep '^thread .* pthread ' "$out")
key=$(sed -n 's/^thread main pthread [0-9]* key \([0-9]*\) .*/\1/p' "$out")
json_check "$j" "len({w[\"addr\"] for t in r[\"threads\"] if t[\"pid\"] == $root for w in t[\"tls\"] if w[\"key\"] == \"$key\"}) == 3" \
	"the 3 threads of the root wrote key $key in 3 distinct slots"
json_check "$j" 'not any(w["kind"].startswith("tls-") for w in r["warnings"])' "no TLS warning expected"
# Warned: the fork with worker-1 and worker-2 alive, and the fork from a
# thread while main was alive; nothing else.
json_check "$j" "any(w[\"kind\"] == \"fork-with-threads\" and \"worker-1\" in w[\"message\"] and \"worker-2\" in w[\"message\"] and w[\"pid\"] == $root for w in r[\"warnings\"])" \
	"a fork-with-threads warning should name worker-1 and worker-2"
json_check "$j" 'sorted(w["kind"] for w in r["warnings"]) == ["fork-with-threads", "fork-with-threads"]' \
	"only the two fork-with-threads warnings expected"
echo "ok: tree: 7 processes, forks, exec, vfork, spawn, threads and TLS as printed"

# ---- closefds: lttng-ust's descriptors survive the program closing all.
record closefds "$PROG" closefds
[ "$(rc_of closefds)" = 0 ] || { show closefds; fail "closefds exited $(rc_of closefds)"; }
grep -q "written after closing all" "$TMP/closefds.out" || { show closefds; fail "closefds did not read its file back"; }
grep -q "^cloexec set$" "$TMP/closefds.out" || { show closefds; fail "close_range(CLOSE_RANGE_CLOEXEC) should mark the program's descriptor"; }
j=$TMP/closefds.json
json_check "$j" 'len(r["processes"]) == 2 and all(p["complete"] for p in r["processes"])' \
	"after closing every descriptor the program and its child are still traced"
json_check "$j" 'any(p["name"] == "closefds-leaf" and p["exit_status"] == 0 for p in r["processes"])' \
	"the exec'd child (closefds-leaf) is traced"
echo "ok: closefds: still traced after close(), close_range() and closefrom() of everything"

# ---- exit(7) from a signal handler.
record handler "$PROG" handler-exit
[ "$(rc_of handler)" = 7 ] || { show handler; fail "handler-exit exited $(rc_of handler), expected 7"; }
json_check "$TMP/handler.json" 'len(r["processes"]) == 1 and r["processes"][0]["exit_status"] == 7 and r["processes"][0]["complete"]' \
	"exit(7) from a signal handler is the process's exit"
echo "ok: handler-exit: exit status 7 recorded"

# ---- deaths by signal: the status is the signal's, the trace says so.
for sig in 15 6; do
	record "kill$sig" "$PROG" kill "$sig"
	[ "$(rc_of "kill$sig")" = $((128 + sig)) ] ||
		{ show "kill$sig"; fail "kill $sig: record exited $(rc_of "kill$sig"), expected $((128 + sig))"; }
	json_check "$TMP/kill$sig.json" "r[\"processes\"][0][\"exit_status\"] == $((128 + sig)) and r[\"processes\"][0][\"complete\"]" \
		"the death by signal $sig should end the process with status $((128 + sig))"
done
echo "ok: kill: deaths by SIGTERM and SIGABRT recorded, statuses 143 and 134"

# ---- children: killed by SIGTERM, by SIGKILL, exit 3: each one warned.
record children "$PROG" children
j=$TMP/children.json
[ "$(rc_of children)" = 0 ] || { show children; fail "children exited $(rc_of children)"; }
term=$(sed -n 's/^child \([0-9]*\) killed by signal 15/\1/p' "$TMP/children.out")
kill9=$(sed -n 's/^child \([0-9]*\) killed by signal 9/\1/p' "$TMP/children.out")
three=$(sed -n 's/^child \([0-9]*\) exited 3/\1/p' "$TMP/children.out")
json_check "$j" "any(w[\"kind\"] == \"child-abnormal-exit\" and w[\"pid\"] == $term and \"signal 15\" in w[\"message\"] for w in r[\"warnings\"])" \
	"the child killed by SIGTERM should be warned about"
json_check "$j" "any(w[\"kind\"] == \"process-no-exit\" and w[\"pid\"] == $kill9 for w in r[\"warnings\"])" \
	"the child killed by SIGKILL (no event possible) should be warned about"
json_check "$j" "any(w[\"kind\"] == \"child-abnormal-exit\" and w[\"pid\"] == $three and \"status 3\" in w[\"message\"] for w in r[\"warnings\"])" \
	"the child that exited 3 should be warned about"
echo "ok: children: SIGTERM, SIGKILL and exit 3 children warned"

# ---- the user's own LD_PRELOAD is kept, after the preload.
# (A sanitizer build of cotrace itself needs its runtime first.)
LD_PRELOAD="${ASAN_RT:+$ASAN_RT:}libm.so.6" ${ASAN_RT:+env ASAN_OPTIONS=detect_leaks=0} \
	"$COTRACE" record -q -o "$TMP/env" -- sh -c 'echo "$LD_PRELOAD"' >"$TMP/env.out" 2>"$TMP/env.err" ||
	{ cat "$TMP/env.err" >&2; fail "recording with a user LD_PRELOAD failed"; }
grep -Eq '/libcotrace-preload\.so:(.*:)?libm\.so\.6$' "$TMP/env.out" ||
	{ cat "$TMP/env.out" >&2; fail "LD_PRELOAD should be the preload, then the user's libm.so.6"; }
"$COTRACE" record -q --no-preload -o "$TMP/env2" -- sh -c 'echo "${LD_PRELOAD:-none}"' >"$TMP/env2.out" 2>&1 ||
	fail "recording with --no-preload failed"
[ "$(cat "$TMP/env2.out")" = none ] || fail "--no-preload should leave LD_PRELOAD alone, got '$(cat "$TMP/env2.out")'"
echo "ok: LD_PRELOAD: the preload first, the user's kept after it; --no-preload adds nothing"

# ---- forks made without fork(): _Fork() and clone(fn, stack, SIGCHLD).
record forks "$PROG" forks
j=$TMP/forks.json
[ "$(rc_of forks)" = 0 ] || { show forks; fail "forks exited $(rc_of forks)"; }
root=$(json_get "$j" '[p["pid"] for p in r["processes"] if p["parent_pid"] is None][0]')
fchild=$(sed -n 's/^_Fork parent_ret \([0-9]*\) status 0$/\1/p' "$TMP/forks.out")
cchild=$(sed -n 's/^clone parent_ret \([0-9]*\) status 5$/\1/p' "$TMP/forks.out")
[ -n "$fchild" ] && [ -n "$cchild" ] || { show forks; fail "preload-prog forks did not print its children"; }
grep -q "^_Fork child pid $fchild$" "$TMP/forks.out" || { show forks; fail "the _Fork child did not run"; }
grep -q "^clone child pid $cchild arg hello$" "$TMP/forks.out" || { show forks; fail "the clone child did not run fn(arg)"; }
for c in "$fchild" "$cchild"; do
	json_check "$j" "[(f[\"parent_pid\"], f[\"parent_ret\"], f[\"child_ret\"]) for f in r[\"forks\"] if f[\"child_pid\"] == $c] == [($root, $c, 0)]" \
		"one fork from $root to $c expected, returning $c in the parent and 0 in the child"
done
json_check "$j" "[(p[\"complete\"], p[\"exit_status\"]) for p in r[\"processes\"] if p[\"pid\"] == $fchild] == [(True, 0)]" \
	"the _Fork child should have its start and its exit (0)"
json_check "$j" "[(p[\"complete\"], p[\"exit_status\"]) for p in r[\"processes\"] if p[\"pid\"] == $cchild] == [(True, 5)]" \
	"the clone child should have its start and its exit (5, what fn returned)"
json_check "$j" 'len(r["processes"]) == 3 and not any(w["kind"] in ("fork-child-missing", "process-no-exit") for w in r["warnings"])' \
	"3 processes, every fork child seen with its exit"
echo "ok: forks: _Fork() and clone() children traced, both return values recorded"

# ---- a fork child in a new pid namespace: fork() returns its pid in the
# parent's namespace, its events carry its pid in its own (1). The fork is
# linked by the latter: no fork-child-missing warning.
if unshare -p -f true 2>/dev/null; then
	# (A sanitizer build: LeakSanitizer cannot stop threads through the
	# parent namespace's /proc, so no leak checking in there.)
	record pidns env "$FOREIGN_ENV" unshare -p -f "$PROG" leaf 0
	j=$TMP/pidns.json
	[ "$(rc_of pidns)" = 0 ] || { show pidns; fail "unshare -p -f preload-prog leaf exited $(rc_of pidns)"; }
	grep -q "^leaf .* pid 1 ppid 0 status 0$" "$TMP/pidns.out" || { show pidns; fail "the leaf should be pid 1 of its namespace"; }
	upid=$(json_get "$j" '[p["pid"] for p in r["processes"] if p["name"] == "unshare"][0]')
	json_check "$j" "[(f[\"parent_pid\"], f[\"parent_ret\"] > 1, f[\"child_ret\"]) for f in r[\"forks\"]] == [($upid, True, 0)]" \
		"unshare's fork: its own pid for the child in the parent, 0 in the child"
	json_check "$j" "[(p[\"parent_pid\"], p[\"complete\"]) for p in r[\"processes\"] if p[\"pid\"] == 1] == [($upid, True)]" \
		"pid 1 of the new namespace is unshare's child, complete"
	json_check "$j" 'r["warnings"] == []' "no warning expected (no fork-child-missing)"
	record clonens "$PROG" clone-newpid
	j=$TMP/clonens.json
	[ "$(rc_of clonens)" = 0 ] || { show clonens; fail "preload-prog clone-newpid exited $(rc_of clonens)"; }
	cpid=$(sed -n 's/^clone-newpid parent_ret \([0-9]*\) status 5$/\1/p' "$TMP/clonens.out")
	grep -q "^clone child pid 1 arg newpid$" "$TMP/clonens.out" && [ -n "$cpid" ] ||
		{ show clonens; fail "the CLONE_NEWPID child should be pid 1 and return 5"; }
	json_check "$j" "[(f[\"parent_ret\"], f[\"child_ret\"]) for f in r[\"forks\"]] == [($cpid, 0)] and [(p[\"exit_status\"], p[\"complete\"]) for p in r[\"processes\"] if p[\"pid\"] == 1] == [(5, True)]" \
		"clone(CLONE_NEWPID): fork returned $cpid in the parent, 0 in the child, which exited 5"
	json_check "$j" 'r["warnings"] == [] or all(w["kind"] == "child-abnormal-exit" for w in r["warnings"])' \
		"no fork-child-missing warning for the CLONE_NEWPID child"
	echo "ok: pid namespaces: unshare -p -f and clone(CLONE_NEWPID) children linked to their forks"
elif [ "${CI:-}" = true ] && [ "$(id -u)" = 0 ]; then
	fail "unshare -p -f does not work as root here"
else
	echo "SKIP (part): unshare -p -f does not work here (not root?)"
fi
