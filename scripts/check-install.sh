#!/usr/bin/env bash
# `meson install` into a staging folder puts every part where its ecosystem
# looks: the CLI and demo in bindir, libcotrace + header + cotrace.pc, the
# babeltrace2 plugin in babeltrace2's plugin directory, the man pages.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

meson install -C "$build_dir" --destdir "$stage" >/dev/null
prefix=$(meson introspect "$build_dir" --buildoptions |
	/usr/bin/python3 -c 'import json,sys; print({o["name"]: o["value"] for o in json.load(sys.stdin)}["prefix"])')
plugin_dir=$(pkg-config --variable=libdir babeltrace2)/babeltrace2/plugins

status=0
check() {
	if compgen -G "$stage$1" >/dev/null; then
		echo "ok: installed $1"
	else
		echo "FAIL: not installed: $1" >&2
		status=1
	fi
}
check "$prefix/bin/cotrace"
check "$prefix/bin/cotrace-demo"
check "$prefix/lib/*/libcotrace.so*"
check "$prefix/include/cotrace/cotrace.h"
check "$prefix/lib/*/pkgconfig/cotrace.pc"
check "$plugin_dir/babeltrace-plugin-cotrace.so"
check "$prefix/lib/*/cotrace/libcotrace-preload.so"
check "$prefix/share/doc/cotrace/labs/01-parallel/lab.checks"
for page in cotrace cotrace-record cotrace-report cotrace-demo cotrace-doctor \
	cotrace-timeline cotrace-story cotrace-compare cotrace-check cotrace-relay cotrace-live; do
	check "$prefix/share/man/man1/$page.1*"
done

# The plugin as installed is one babeltrace2 accepts.
if ! babeltrace2 --omit-system-plugin-path --omit-home-plugin-path \
	--plugin-path="$stage$plugin_dir" list-plugins 2>/dev/null | grep -q "cotrace"; then
	echo "FAIL: babeltrace2 does not list the installed plugin" >&2
	status=1
fi
# The header compiles on its own against the installed pkg-config file.
pc_dir=$(dirname "$(compgen -G "$stage$prefix/lib/*/pkgconfig/cotrace.pc" | head -n 1)")
if ! cflags=$(PKG_CONFIG_PATH=$pc_dir PKG_CONFIG_SYSROOT_DIR=$stage pkg-config --cflags cotrace) ||
	! cc -fsyntax-only -Wall -Werror $cflags -x c - <<<'#include <cotrace/cotrace.h>
int main(void) { cotrace_task_start(1, "x"); return 0; }'; then
	echo "FAIL: cotrace.h does not compile on its own with pkg-config --cflags cotrace" >&2
	status=1
else
	echo "ok: cotrace.h compiles on its own (pkg-config --cflags cotrace: $cflags)"
fi
# The installed preload, active, loads the installed libcotrace next to it
# (LIBDIR/cotrace/../); dormant, neither libcotrace nor lttng-ust.
preload=$(compgen -G "$stage$prefix/lib/*/cotrace/libcotrace-preload.so" | head -n 1 || true)
if [ -n "$preload" ] && ! ldd "$preload" | grep -q libasan; then
	libdir=$(cd "$(dirname "$preload")/.." && pwd -P)
	if env -u COTRACE_RUN_ID LD_PRELOAD="$preload" COTRACE_PRELOAD_ACTIVE=1 cat /proc/self/maps |
		grep -q "$libdir/libcotrace\.so"; then
		echo "ok: the installed preload, active, loads the installed libcotrace"
	else
		echo "FAIL: the installed preload, active, does not load $libdir/libcotrace.so.0" >&2
		status=1
	fi
	if env -u COTRACE_RUN_ID -u COTRACE_PRELOAD_ACTIVE LD_PRELOAD="$preload" cat /proc/self/maps |
		grep -qE 'liblttng-ust|libcotrace\.so'; then
		echo "FAIL: the installed preload, dormant, loads libcotrace or lttng-ust" >&2
		status=1
	else
		echo "ok: the installed preload, dormant, loads neither libcotrace nor lttng-ust"
	fi
fi
exit $status
