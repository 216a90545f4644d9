#!/usr/bin/env bash
# Installs what cotrace needs on Debian 12 and makes sure a session daemon
# can run. Idempotent; uses sudo for what needs root when run as a user.
set -euo pipefail

packages=(
	build-essential meson ninja-build pkg-config
	lttng-tools liblttng-ust-dev liblttng-ctl-dev
	babeltrace2 libbabeltrace2-dev python3 python3-bt2
	libcmocka-dev util-linux procps valgrind
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

# A session daemon for the tests and the demos: the global one as root, the
# per-user one otherwise (cotrace record would start it too, on demand).
if ! lttng list >/dev/null 2>&1; then
	echo "setup: starting lttng-sessiond" >&2
	lttng-sessiond --daemonize --no-kernel
fi
