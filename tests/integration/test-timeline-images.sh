#!/usr/bin/env bash
# The timeline as pictures (cotrace timeline --format svg|png|pdf): each
# demo recorded and drawn; the SVG checked against the JSON report (a label
# for every process and thread, one arrow per fork, the figures in the
# title, each task's bar with its CPU share, each thread's TLS write), the
# PNG's size and content, and the SVG opened in a real browser (headless
# Debian chromium) to see that it renders.
. "$(dirname "$0")/lib.sh"
need_lttng

CHECK=$(dirname "$0")/timeline-img-check.py

# Outside CI a missing piece skips; in CI it fails (setup-debian.sh
# installs libcairo2-dev, fonts-dejavu-core and chromium).
missing() {
	if [ "${CI:-}" = true ]; then
		fail "$1"
	fi
	echo "SKIP: $1" >&2
	exit 77
}

CHROMIUM=$(command -v chromium || true)
if [ -z "$CHROMIUM" ]; then
	missing "chromium is not installed (apt-get install chromium)"
fi

# screenshot SVG PNG: the SVG as headless chromium draws it, 1920x1080.
screenshot() {
	local profile
	profile=$(mktemp -d "$TMP/chromium.XXXXXX")
	# ASan's options are not chromium's business.
	env -u ASAN_OPTIONS -u LSAN_OPTIONS -u UBSAN_OPTIONS -u LD_PRELOAD \
		timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync --hide-scrollbars \
		--user-data-dir="$profile" --window-size=1920,1080 \
		--screenshot="$2" "file://$1" >"$TMP/chromium.log" 2>&1 ||
		{ tail -20 "$TMP/chromium.log" >&2; fail "chromium could not open $1"; }
	[ -s "$2" ] || { tail -20 "$TMP/chromium.log" >&2; fail "chromium wrote no screenshot of $1"; }
}

check() {
	"$PY" "$CHECK" "$@" || fail "picture check failed: $*"
}

draw() {
	local name=$1
	"$COTRACE" timeline --format svg -o "$TMP/$name.svg" "$TMP/$name" 2>"$TMP/err" || {
		cat "$TMP/err" >&2
		if grep -q "not built into" "$TMP/err"; then
			missing "cotrace was built without cairo (apt-get install libcairo2-dev, then rebuild)"
		fi
		fail "cotrace timeline --format svg $name failed"
	}
	expect_exit 0 "$COTRACE" timeline --format png -o "$TMP/$name.png" "$TMP/$name"
}

demos=(
	"parallel --workers 2 --work-ms 300"
	"gil --workers 2 --work-ms 300"
	"fork"
	"fork-threads"
	"tls --workers 4"
)
for d in "${demos[@]}"; do
	set -- $d
	name=$1
	shift
	record_demo "$name" "$TMP/$name.json" "$@"
	draw "$name"
	check svg "$TMP/$name.svg" "$TMP/$name.json"
	# 1920 px wide; a few lanes make a picture a screen can show.
	check png "$TMP/$name.png" 1920 300 1600
	screenshot "$TMP/$name.svg" "$TMP/$name-chromium.png"
	check screenshot "$TMP/$name-chromium.png" 1920 1080
done

# Standard output when it is not a terminal; the width; PDF.
expect_exit 0 "$COTRACE" timeline --format svg "$TMP/fork"
grep -q '<title>cotrace timeline' "$TMP/out" || fail "no SVG on standard output"
expect_exit 0 "$COTRACE" timeline --format png --width 3840 -o "$TMP/wide.png" "$TMP/parallel"
check png "$TMP/wide.png" 3840 600 3200
expect_exit 0 "$COTRACE" timeline --format png -o "$TMP/stdout.png" "$TMP/gil"
cmp -s "$TMP/stdout.png" <("$COTRACE" timeline --format png "$TMP/gil") ||
	fail "the PNG on standard output differs from the one written with -o"
expect_exit 0 "$COTRACE" timeline --format pdf -o "$TMP/fork.pdf" "$TMP/fork"
[ "$(head -c 5 "$TMP/fork.pdf")" = "%PDF-" ] || fail "the PDF does not start with %PDF-"
tail -c 8 "$TMP/fork.pdf" | grep -q '%%EOF' || fail "the PDF is not complete"

echo "ok: timeline images of 5 demos: SVG content, PNG size and pixels, chromium renders"
