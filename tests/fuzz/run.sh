#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each one for
# a bounded time from its seed corpus; a crash, a leak, undefined behaviour,
# a timeout or running out of memory fails (exit 1), with the input that
# did it kept and printed. scripts/test.sh runs it in CI; doc/hardening.md
# says more.
#
#   tests/fuzz/run.sh [SECONDS_PER_TARGET] [BUILD_DIR]   (60, build-fuzz)
#
# The seed corpora in the repository are read, never written: what the run
# learns stays in a temporary folder (FUZZ_KEEP=DIR keeps it there).
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:-60}
build=${2:-build-fuzz}
CC=${FUZZ_CC:-clang-14}

command -v "$CC" >/dev/null 2>&1 ||
	{ echo "fuzz: $CC is missing: apt install clang-14 libclang-rt-14-dev (scripts/setup-debian.sh)" >&2; exit 1; }
if [ ! -f "$build/build.ninja" ]; then
	werror=()
	[ "${CI:-}" != true ] || werror=(--werror)
	CC=$CC meson setup "$build" "${werror[@]}" -Dfuzz=enabled \
		-Db_sanitize=address,undefined -Db_lundef=false -Dintegration_tests=false >/dev/null
fi
ninja -C "$build" tests/fuzz/fuzz-model tests/fuzz/fuzz-check-expr >/dev/null

if [ -n "${FUZZ_KEEP:-}" ]; then
	work=$FUZZ_KEEP
	mkdir -p "$work"
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/cotrace-fuzz.XXXXXX")
	trap 'rm -rf "$work"' EXIT
fi

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1

# fuzz TARGET CORPUS MAX_LEN [OPTIONS...]
fuzz() {
	local target=$1 corpus=$2 max_len=$3
	shift 3
	mkdir -p "$work/$target/corpus" "$work/$target/artifacts"
	echo "fuzz: $target for ${seconds} s from $(ls "$corpus" | wc -l) seeds" >&2
	if ! "$build/tests/fuzz/$target" "$work/$target/corpus" "$corpus" \
		-max_total_time="$seconds" -max_len="$max_len" -timeout=25 \
		-rss_limit_mb=2048 -malloc_limit_mb=1024 -print_final_stats=1 \
		-artifact_prefix="$work/$target/artifacts/" "$@" >"$work/$target/log" 2>&1; then
		grep -v '^#\|^INFO:\|^    "' "$work/$target/log" | tail -n 60 >&2
		for a in "$work/$target/artifacts"/*; do
			[ -e "$a" ] || continue
			echo "fuzz: $target failed on $a (base64: $(base64 -w0 "$a"))" >&2
			echo "fuzz: reproduce with: $build/tests/fuzz/$target $a" >&2
		done
		return 1
	fi
	grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$work/$target/log" |
		tr '\n' ' ' | sed "s/^/fuzz: $target ok: /; s/ $/\n/" >&2
}

status=0
# libFuzzer's entropic schedule spends most of its time on the many
# features this target has: without it, 6x the executions.
fuzz fuzz-model tests/fuzz/corpus-model 4096 -entropic=0 || status=1
fuzz fuzz-check-expr tests/fuzz/corpus-check-expr 512 -dict=tests/fuzz/check-expr.dict || status=1
exit $status
