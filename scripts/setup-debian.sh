#!/usr/bin/env bash
# Installs what cotrace needs on Debian 12 and makes sure a session daemon
# can run. Idempotent; uses sudo for what needs root when run as a user.
set -euo pipefail

packages=(
	build-essential meson ninja-build pkg-config
	lttng-tools liblttng-ust-dev liblttng-ctl-dev
	babeltrace2 libbabeltrace2-dev python3 python3-bt2
	libcmocka-dev util-linux procps valgrind
	# the fuzz targets (tests/fuzz): clang and its libFuzzer runtime
	clang-14 libclang-rt-14-dev
	# the LTTng-UST Python agent (import lttngust), read by the preload tests
	python3-lttngust
	# timeline pictures: cairo and a font to draw them, chromium to open the SVG
	libcairo2-dev fonts-dejavu-core chromium
	time
)

as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	else
		sudo "$@"
	fi
}

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
	echo "setup: installing ${missing[*]}" >&2
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node.js for tests/chrome, the consumer test of the Chrome trace format
# (a Node.js found on the PATH is kept), and its packages from the lock file.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "setup: installing nodejs npm" >&2
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
chrome_test=$(cd "$(dirname "$0")/../tests/chrome" && pwd)
if [ ! -f "$chrome_test/node_modules/.package-lock.json" ] ||
	[ "$chrome_test/package-lock.json" -nt "$chrome_test/node_modules/.package-lock.json" ]; then
	echo "setup: npm ci in tests/chrome" >&2
	(cd "$chrome_test" && npm ci --no-audit --no-fund --loglevel=error >&2) ||
		echo "setup: warning: npm ci in tests/chrome failed; the chrome test will retry" >&2
fi

# A session daemon for the tests and the demos: the global one as root, the
# per-user one otherwise (cotrace record would start it too, on demand).
if ! lttng list >/dev/null 2>&1; then
	echo "setup: starting lttng-sessiond" >&2
	lttng-sessiond --daemonize --no-kernel
fi
