#!/usr/bin/env bash
# Makes the damaged-trace corpus from real recordings:
#
#   tests/data/make-damaged.sh OUTDIR
#
# Records cotrace-demo runs with `cotrace record` (and one foreign program
# with the lttng CLI), then derives one folder per case under OUTDIR, each a
# folder `cotrace report` takes. OUTDIR/CASES lists them, one per line:
# the case's name and what was done to it. tests/integration/test-damaged.sh
# runs every cotrace command over them and checks the outcome.
#
# Environment: COTRACE, COTRACE_DEMO (default: build/src/cli/cotrace and
# build/src/demo/cotrace-demo), CC (default cc) for the foreign program.
# Needs a session daemon (cotrace record starts one), python3, and root for
# the pid-reuse cases (a pid namespace; they are skipped otherwise, and
# OUTDIR/SKIPPED says which).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
COTRACE=${COTRACE:-$top/build/src/cli/cotrace}
COTRACE_DEMO=${COTRACE_DEMO:-$top/build/src/demo/cotrace-demo}
CC=${CC:-cc}
PY=/usr/bin/python3

if [ $# -ne 1 ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi
out=$1
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$out/.work
rm -rf "$work"
mkdir -p "$work"
: >"$out/CASES"
: >"$out/SKIPPED"

die() {
	echo "make-damaged: error: $*" >&2
	exit 1
}

# case NAME DESCRIPTION: registers OUTDIR/NAME (made by the caller).
case_done() {
	[ -d "$out/$1" ] || die "case $1 was not made"
	printf '%s\t%s\n' "$1" "$2" >>"$out/CASES"
}

# record NAME ARGS...: a real recording of PROGRAM ARGS into $work/NAME.
record() {
	local name=$1
	shift
	"$COTRACE" record -q -o "$work/$name" "$@" >"$work/$name.log" 2>&1 ||
		{ cat "$work/$name.log" >&2; die "recording $name failed"; }
}

# The CTF trace folder (the one holding `metadata`) under a recording.
trace_of() {
	local m
	m=$(find "$1" -name metadata -type f | sort | head -n 1)
	[ -n "$m" ] || die "no metadata under $1"
	dirname "$m"
}

# Data stream files of a trace folder, non-empty ones, sorted.
streams_of() {
	find "$1" -maxdepth 1 -type f -name 'cotrace_[0-9]*' -size +0 | sort
}

# copy_case SRC NAME: OUTDIR/NAME as a copy of recording SRC; prints the
# path of the copy's trace folder.
copy_case() {
	rm -rf "${out:?}/$2"
	cp -r "$work/$1" "$out/$2"
	trace_of "$out/$2"
}

# Metadata helpers (python3): LTTng writes packetized metadata; `unpack`
# rewrites it as the equivalent plain-text TSDL, so it can be edited.
meta() {
	"$PY" - "$@" <<'PYEOF'
import re, struct, sys

def unpack(path):
    data = open(path, "rb").read()
    if data[:4] != struct.pack("<I", 0x75D11D57):
        return data.decode()
    text, pos = [], 0
    while pos + 37 <= len(data):
        content, size = struct.unpack_from("<II", data, pos + 24)
        text.append(data[pos + 37:pos + content // 8])
        pos += size // 8
    return b"".join(text).decode()

op, path = sys.argv[1], sys.argv[2]
text = unpack(path)
if op == "unpack":
    pass
elif op == "clock-offset":
    # Adds sys.argv[3] ns to the clock's offset (or sets it with "=N").
    arg = sys.argv[3]
    def repl(m):
        v = int(arg[1:]) if arg.startswith("=") else int(m.group(2)) + int(arg)
        return m.group(1) + str(v) + ";"
    text, n = re.subn(r"(\boffset\s*=\s*)(-?\d+);", repl, text, count=1)
    assert n == 1, "no clock offset in the metadata"
elif op == "cut":
    # Keeps the first sys.argv[3] bytes of the TSDL text.
    text = text[:int(sys.argv[3])]
else:
    sys.exit("unknown op " + op)
open(path, "w").write(text)
PYEOF
}

command -v lttng >/dev/null 2>&1 || die "the lttng CLI is missing (lttng-tools)"
[ -x "$COTRACE" ] || die "no cotrace at $COTRACE"
[ -x "$COTRACE_DEMO" ] || die "no cotrace-demo at $COTRACE_DEMO"

# ---- the real recordings ----
# `spread`: two fork demos, one pinned to CPU 0 and one to CPU 1, so each
# per-CPU stream file holds one demo's events (2 processes, 1 fork each):
# damaging one stream file leaves the other demo to report.
ncpu=$(nproc)
[ "$ncpu" -ge 2 ] || die "needs 2 CPUs (one stream file per CPU)"
record spread --no-preload -- sh -c \
	'taskset -c 0 "$1" fork >/dev/null && taskset -c 1 "$1" fork >/dev/null' sh "$COTRACE_DEMO"
record parallel -- "$COTRACE_DEMO" parallel --workers 2 --work-ms 60
record parallel2 -- "$COTRACE_DEMO" parallel --workers 2 --work-ms 30
# `cpu0`: every event in stream file cotrace_0.
record cpu0 --no-preload -- taskset -c 0 "$COTRACE_DEMO" parallel --workers 2 --work-ms 20
for r in spread cpu0; do
	t=$(trace_of "$work/$r")
	[ -s "$t/cotrace_0" ] && [ -s "$t/cotrace_1" ] || die "recording $r lacks stream files cotrace_0 and cotrace_1"
done

copy_case spread intact >/dev/null
case_done intact "the undamaged recording the stream cases start from: two fork demos, one per CPU"

# ---- truncated data streams ----
t=$(copy_case spread trunc-stream-one)
truncate -s 2000 "$t/cotrace_1"
case_done trunc-stream-one "stream file cotrace_1 (one of the two demos) cut to 2000 bytes, inside its first packet"

t=$(copy_case spread trunc-stream-header)
truncate -s 10 "$t/cotrace_1"
case_done trunc-stream-header "stream file cotrace_1 cut to 10 bytes, inside its packet header"

t=$(copy_case cpu0 trunc-stream-only)
truncate -s 3000 "$t/cotrace_0"
case_done trunc-stream-only "the one stream file with events (cotrace_0) cut to 3000 bytes: nothing is left to read"

t=$(copy_case parallel trunc-stream-all)
for f in $(streams_of "$t"); do
	truncate -s $(( $(stat -c %s "$f") / 2 + 7 )) "$f"
done
case_done trunc-stream-all "every data stream file cut in the middle of a packet"

# Bytes of a packet overwritten, from the second event on: decoding goes
# astray there (the first demo, in cotrace_0, is intact).
t=$(copy_case spread garbage-stream)
"$PY" - "$t/cotrace_1" <<'PYEOF'
import random, sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
rnd = random.Random(1234)
for i in range(160, min(len(data), 2000)):
    data[i] = rnd.randrange(256)
open(path, "wb").write(bytes(data))
PYEOF
case_done garbage-stream "stream file cotrace_1: bytes 160-2000 (its events after the first) overwritten with random bytes"

# A sequence length corrupted: the fork event of cotrace_1 claims 22528
# alive threads (0x5800: one byte changed), so its array runs past the end
# of the packet after the stream's first events were decoded.
t=$(copy_case spread long-sequence)
# (babeltrace2 without our plugin: a sanitizer build of it cannot load there)
pids=$(env -u BABELTRACE_PLUGIN_PATH babeltrace2 "$work/spread" 2>"$work/bt2.err" |
	sed -n 's/.*cotrace:fork:.* child_pid = \([0-9]*\),.*/\1/p') ||
	{ cat "$work/bt2.err" >&2; die "babeltrace2 cannot read the recording 'spread'"; }
"$PY" - "$t/cotrace_1" $pids <<'PYEOF'
import struct, sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
for pid in sys.argv[2:]:
    # child_pid, threads_alive = 1, _alive_tids_length = 0
    at = data.find(struct.pack("<iiI", int(pid), 1, 0))
    if at >= 0:
        struct.pack_into("<I", data, at + 8, 0x5800)
        open(path, "wb").write(bytes(data))
        sys.exit(0)
sys.exit("no fork event with threads_alive 1 in " + path)
PYEOF
case_done long-sequence "the fork event of cotrace_1 claims 22528 alive threads (its sequence length): its array runs past the packet's end"

# ---- zero-length and missing stream files ----
t=$(copy_case spread zero-stream)
: >"$t/cotrace_1"
case_done zero-stream "stream file cotrace_1 (one of the two demos) emptied (zero length)"

t=$(copy_case spread missing-stream)
rm -f "$t/cotrace_1"
case_done missing-stream "stream file cotrace_1 (one of the two demos) deleted, its index file left behind"

t=$(copy_case spread garbage-index)
for f in "$t"/index/*.idx; do
	head -c "$(stat -c %s "$f")" /dev/urandom >"$f"
done
case_done garbage-index "the index files (index/*.idx) overwritten with random bytes"

# ---- truncated, empty, garbage and missing metadata ----
t=$(copy_case parallel trunc-metadata)
truncate -s $(( $(stat -c %s "$t/metadata") / 2 )) "$t/metadata"
case_done trunc-metadata "the (packetized) metadata file cut in half"

t=$(copy_case parallel cut-metadata-text)
meta cut "$t/metadata" 1500
case_done cut-metadata-text "the metadata rewritten as plain text, then cut to its first 1500 characters"

t=$(copy_case parallel garbage-metadata)
head -c 4096 /dev/urandom >"$t/metadata"
case_done garbage-metadata "the metadata file replaced by 4096 random bytes"

t=$(copy_case parallel zero-metadata)
: >"$t/metadata"
case_done zero-metadata "the metadata file emptied (zero length)"

t=$(copy_case parallel missing-metadata)
rm -f "$t/metadata"
case_done missing-metadata "the metadata file deleted: the stream files remain"

# ---- foreign events only ----
"$CC" -O1 -o "$work/foreign-tracef" "$here/foreign-tracef.c" -llttng-ust -ldl ||
	die "cannot build the foreign program (needs liblttng-ust-dev)"
sess=cotrace-damaged-foreign-$$
rm -rf "${out:?}/foreign-only"
{
	lttng create "$sess" --output="$out/foreign-only" &&
	lttng enable-channel -u --buffers-uid -s "$sess" foreign &&
	lttng enable-event -u -s "$sess" -c foreign 'lttng_ust_tracef:*' &&
	lttng add-context -u -s "$sess" -c foreign -t vpid -t vtid -t procname &&
	lttng start "$sess" &&
	"$work/foreign-tracef" 50 &&
	lttng stop "$sess"
} >"$work/foreign.log" 2>&1 || {
	lttng destroy "$sess" >/dev/null 2>&1 || true
	cat "$work/foreign.log" >&2
	die "recording the foreign program failed"
}
lttng destroy "$sess" >>"$work/foreign.log" 2>&1 || true
[ -n "$(find "$out/foreign-only" -name metadata)" ] || die "the foreign trace has no metadata"
case_done foreign-only "a trace of lttng_ust_tracef events of a non-cotrace program, recorded with the lttng CLI"

# The foreign trace next to a good one: both read together.
rm -rf "${out:?}/foreign-mixed"
mkdir -p "$out/foreign-mixed"
cp -r "$out/foreign-only" "$out/foreign-mixed/foreign"
cp -r "$work/parallel" "$out/foreign-mixed/cotrace"
case_done foreign-mixed "the foreign trace and a cotrace trace in one folder"

# ---- pids reused ----
# In a new pid namespace (root only), the same pids come back: within one
# recording (ns_last_pid set back), and across two recordings.
if unshare --pid --fork --mount-proc true 2>/dev/null; then
	record reuse-one --no-preload -- unshare --pid --fork --mount-proc sh -c \
		'"$1" fork >/dev/null & p=$!; wait $p;
		 echo $((p - 1)) >/proc/sys/kernel/ns_last_pid; "$1" fork' sh "$COTRACE_DEMO"
	copy_case reuse-one pid-reuse >/dev/null
	case_done pid-reuse "one recording in which a later process got the pid of an earlier one (a pid namespace, ns_last_pid set back)"

	record reuse-a --no-preload -- unshare --pid --fork --mount-proc "$COTRACE_DEMO" fork
	record reuse-b --no-preload -- unshare --pid --fork --mount-proc "$COTRACE_DEMO" fork
	rm -rf "${out:?}/pid-reuse-merged"
	mkdir -p "$out/pid-reuse-merged"
	cp -r "$work/reuse-a" "$out/pid-reuse-merged/a"
	cp -r "$work/reuse-b" "$out/pid-reuse-merged/b"
	case_done pid-reuse-merged "two recordings, each of a program that ran as pid 1 in its own pid namespace, read together"
else
	echo "pid-reuse pid-reuse-merged: no pid namespace here (needs root)" >>"$out/SKIPPED"
fi

# ---- a process without exit: a worker killed with SIGKILL ----
"$COTRACE" record -q -o "$work/killed" -- "$COTRACE_DEMO" parallel --workers 2 --work-ms 3000 \
	>"$work/killed.log" 2>&1 &
rec=$!
victim=
for _ in $(seq 200); do
	demo=$(ps -o pid=,comm= --ppid "$rec" 2>/dev/null | awk '$2 == "cotrace-demo" { print $1; exit }' || true)
	if [ -n "$demo" ]; then
		kids=$(ps -o pid= --ppid "$demo" 2>/dev/null | sort -n || true)
		if [ "$(echo "$kids" | grep -c .)" -ge 2 ]; then
			victim=$(echo "$kids" | head -n 1 | tr -d ' ')
			break
		fi
	fi
	sleep 0.05
done
if [ -n "$victim" ]; then
	# Inside its task once it has used 0.2 s of CPU (the start line passed).
	for _ in $(seq 200); do
		ticks=$(awk '{ print $14 + $15 }' "/proc/$victim/stat" 2>/dev/null || echo 0)
		[ "$ticks" -lt $(( $(getconf CLK_TCK) / 5 )) ] || break
		sleep 0.05
	done
	kill -9 "$victim"
fi
wait "$rec" || true
[ -n "$victim" ] || { cat "$work/killed.log" >&2; die "the parallel demo's workers never appeared"; }
copy_case killed no-exit >/dev/null
case_done no-exit "a parallel worker killed with SIGKILL inside its task: no proc_exit, no task_finish"

# ---- discarded events: tiny buffers and a flood ----
record lost --subbuf-size 4k --num-subbuf 2 -- "$COTRACE_DEMO" flood --events 300000
copy_case lost discarded >/dev/null
case_done discarded "300000 events through 2 sub-buffers of 4 KiB: the tracer discarded most of them"

# A stream file cut at a packet boundary: it decodes cleanly, one packet
# short; only its index (index/NAME.idx) shows what is missing.
t=$(copy_case lost short-stream)
victim=$(streams_of "$t" | xargs ls -S | head -n 1)
"$PY" - "$victim" "$(dirname "$victim")/index/$(basename "$victim").idx" <<'PYEOF' || die "cannot cut $victim at a packet boundary"
import os, struct, sys
stream, idx = sys.argv[1:3]
data = open(idx, "rb").read()
magic, _, _, entry_len = struct.unpack_from(">IIII", data, 0)
assert magic == 0xC1F1DCC1, "not an LTTng index"
offsets = [struct.unpack_from(">Q", data, at)[0] for at in range(16, len(data) - entry_len + 1, entry_len)]
assert len(offsets) >= 2, "fewer than 2 packets"
os.truncate(stream, offsets[-1])
PYEOF
case_done short-stream "the largest stream file of 'discarded' cut at the start of its last packet: it decodes, a packet short"

# ---- clocks far apart ----
# Two recordings read together, the second's clock offset moved 20 years
# back (as if recorded on a machine whose clock was wrong).
rm -rf "${out:?}/clock-far"
mkdir -p "$out/clock-far"
cp -r "$work/parallel" "$out/clock-far/now"
cp -r "$work/parallel2" "$out/clock-far/past"
meta clock-offset "$(trace_of "$out/clock-far/past")/metadata" -631152000000000000
case_done clock-far "two recordings read together, one with its clock offset moved 20 years back"

# A clock offset so large that event times leave the 64-bit range.
t=$(copy_case parallel clock-overflow)
meta clock-offset "$t/metadata" =9223372036854775000
case_done clock-overflow "the clock offset set to 2^63 - 808 ns: event times overflow 64 bits"

rm -rf "$work"
echo "make-damaged: $(wc -l <"$out/CASES") cases in $out" >&2
