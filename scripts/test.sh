#!/usr/bin/env bash
# The README's second command: install what is missing, build, and run every
# test: the unit and integration tests, then the same again under
# AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh

werror=()
if [ "${CI:-}" = true ]; then
	werror=(--werror)
fi

BUILD_DIR=build MESON_SETUP_ARGS="${werror[*]}" scripts/build.sh
meson test -C build --print-errorlogs
meson test -C build --setup valgrind --suite unit --print-errorlogs --logbase valgrind
BUILD_DIR=build scripts/check-install.sh

BUILD_DIR=build-asan MESON_SETUP_ARGS="${werror[*]} -Db_sanitize=address,undefined -Db_lundef=false" scripts/build.sh
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	meson test -C build-asan --print-errorlogs

# Fuzzing (doc/hardening.md): each libFuzzer target for a bounded time from
# its seed corpus, in a clang ASan+UBSan build; a crash fails.
tests/fuzz/run.sh "${FUZZ_SECONDS:-60}" build-fuzz

# One closing line over both runs, counted from meson's test logs.
/usr/bin/python3 - build/meson-logs/testlog.json build/meson-logs/valgrind-valgrind.json build-asan/meson-logs/testlog.json <<'PYEOF'
import json, os, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    for line in open(path):
        result = json.loads(line)["result"]
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
if os.environ.get("CI") == "true" and skipped:
    print("CI: integration tests must run, never skip", file=sys.stderr)
    failed += 1
sys.exit(1 if failed else 0)
PYEOF
