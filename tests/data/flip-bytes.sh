#!/usr/bin/env bash
# Random damage, for finding what the fixed corpus does not: N copies of a
# real recording, each with 1 to 32 random bytes of one data stream file
# changed (seeded: iteration I always makes the same copy), and every
# command that reads traces run over each copy under a time limit. Any
# crash, sanitizer report or hang is kept (OUTDIR/crash-I) and printed.
# Not run in CI (random by design); doc/hardening.md says when to use it.
#
#   tests/data/flip-bytes.sh TRACE [N] [OUTDIR]     (N: 200)
#
# Environment: COTRACE (default build/src/cli/cotrace), FIRST (the first
# iteration, default 1). Outside a sanitizer build the commands run with
# 2 GiB of address space: babeltrace2 2.0 trusts sequence lengths, so one
# changed byte can make it allocate gigabytes (doc/hardening.md).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
COTRACE=${COTRACE:-$here/../../build/src/cli/cotrace}
src=${1:?usage: flip-bytes.sh TRACE [N] [OUTDIR]}
n=${2:-200}
out=${3:-$(mktemp -d "${TMPDIR:-/tmp}/cotrace-flips.XXXXXX")}
first=${FIRST:-1}
mkdir -p "$out"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$here/../integration/lsan.supp
limit=()
if ! ldd "$COTRACE" | grep -q libasan; then
	limit=(prlimit --as=$((2 << 30)) --)
fi

found=0
for i in $(seq "$first" $((first + n - 1))); do
	rm -rf "$out/t"
	cp -r "$src" "$out/t"
	/usr/bin/python3 - "$out/t" "$i" <<'PYEOF'
import glob, os, random, sys
rnd = random.Random(int(sys.argv[2]))
files = sorted(f for f in glob.glob(sys.argv[1] + "/**/*", recursive=True)
               if os.path.isfile(f) and "/index/" not in f
               and os.path.basename(f) != "metadata" and os.path.getsize(f) > 0)
f = rnd.choice(files)
data = bytearray(open(f, "rb").read())
for _ in range(rnd.choice([1, 2, 4, 8, 32])):
    # Mostly past the packet header and context, in the first 4 KiB.
    lo = 84 if len(data) > 200 else 0
    pos = rnd.randrange(lo, min(len(data), 4096 if rnd.random() < 0.8 else len(data)))
    data[pos] = rnd.randrange(256) if rnd.random() < 0.7 else data[pos] ^ (1 << rnd.randrange(8))
open(f, "wb").write(bytes(data))
PYEOF
	for cmd in "report" "report --format json" "story" "timeline --no-color" \
		"timeline --format chrome" "check -e processes>=0"; do
		rc=0
		# shellcheck disable=SC2086
		timeout -k 5 30 "${limit[@]}" "$COTRACE" $cmd "$out/t" >/dev/null 2>"$out/err" || rc=$?
		if [ "$rc" -ge 124 ] || grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:' "$out/err"; then
			echo "flip-bytes: iteration $i: 'cotrace $cmd' exited $rc; kept in $out/crash-$i" >&2
			sed -n 1,20p "$out/err" >&2
			rm -rf "$out/crash-$i"
			cp -r "$out/t" "$out/crash-$i"
			found=$((found + 1))
			break
		fi
	done
done
rm -rf "$out/t" "$out/err"
echo "flip-bytes: $n copies, $found went wrong (in $out)" >&2
[ "$found" = 0 ]
