#!/usr/bin/env bash
# The babeltrace2 plugin: `babeltrace2 TRACE -c sink.cotrace.report` prints
# the same report as `cotrace report`.
. "$(dirname "$0")/lib.sh"
need_lttng

bt2 list-plugins 2>/dev/null | grep -q "cotrace" ||
	fail "babeltrace2 list-plugins does not list the cotrace plugin (BABELTRACE_PLUGIN_PATH=$BABELTRACE_PLUGIN_PATH)"

"$COTRACE" record -q -o "$TMP/t" -- "$COTRACE_DEMO" fork >/dev/null 2>"$TMP/rec.err" ||
	{ cat "$TMP/rec.err"; fail "recording failed"; }
bt2 "$TMP/t" -c sink.cotrace.report -p 'format="json"' >"$TMP/bt.json" ||
	fail "babeltrace2 with sink.cotrace.report failed"
"$COTRACE" report --format json "$TMP/t" >"$TMP/cli.json" || fail "cotrace report failed"
"$PY" - "$TMP/bt.json" "$TMP/cli.json" <<'PYEOF' || fail "the plugin's report differs from cotrace report's"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for k in ("summary", "processes", "threads", "tasks", "forks", "warnings"):
    assert a[k] == b[k], k
assert a["trace"]["events"] == b["trace"]["events"]
PYEOF
bt2 "$TMP/t" -c sink.cotrace.report >"$TMP/bt.txt" || fail "text report through babeltrace2 failed"
grep -q "fork() returned" "$TMP/bt.txt" || fail "the plugin's text report lacks the fork tree"
echo "ok: plugin report equals the CLI's"
