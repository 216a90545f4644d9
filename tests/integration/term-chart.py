#!/usr/bin/env python3
"""Checks a `cotrace timeline --format term --no-color` chart against the
JSON report of the same trace (test-timeline.sh).

usage: term-chart.py CHART REPORT_JSON WIDTH

The chart's lanes must be the report's processes and the threads the
timeline shows (every thread but a main thread with no task and no TLS
access), each process row must carry its completeness, the fork marks on the
process rows must add up to the forks, each fork child seen must start with
'>', the concurrency strip must reach the report's max concurrency, and no
line may be wider than WIDTH. Prints a one-line summary; exits 1 with a
message on the first mismatch.
"""
import json
import sys

STATES = ("complete", "started only", "finished only", "seen only")


def fail(msg, chart):
    sys.stderr.write("FAIL: %s\n--- chart\n%s" % (msg, chart))
    sys.exit(1)


def main():
    chart_path, json_path, width = sys.argv[1], sys.argv[2], int(sys.argv[3])
    chart = open(chart_path, encoding="utf-8", errors="replace").read()
    r = json.load(open(json_path))
    lines = chart.split("\n")

    for line in lines:
        if len(line) > width:
            fail("a line is %d characters wide, more than %d: %r" % (len(line), width, line), chart)
        if "\033" in line:
            fail("escape sequences with --no-color", chart)

    axis = next((i for i, l in enumerate(lines) if l.startswith("time (")), None)
    if axis is None:
        fail("no time axis", chart)
    ruler = lines[axis + 1]
    start = len(ruler) - len(ruler.lstrip(" "))
    if not ruler[start:].startswith("|"):
        fail("the ruler under the axis does not start with a tick", chart)

    lanes = []
    for line in lines[axis + 2:]:
        if not line or line.startswith("events lost") or line.startswith("running "):
            break
        head, body = line[:start].rstrip(), line[start:]
        state = next((s for s in STATES if head.endswith(s)), None)
        if state is None:
            fail("lane row without a state: %r" % line, chart)
        label = head[: -len(state)].rstrip()
        lanes.append((label, state, body))

    procs = {p["pid"]: p for p in r["processes"]}
    busy_main = {t["tid"] for t in r["tasks"]}
    shown = [t for t in r["threads"]
             if t["tid"] != t["pid"] or t["tid"] in busy_main or t["tls"]]
    want = len(procs) + len(shown)
    if len(lanes) != want:
        fail("%d lanes, expected %d (%d processes + %d threads shown)"
             % (len(lanes), want, len(procs), len(shown)), chart)

    rows = {}
    for label, state, body in lanes:
        words = label.split()
        if len(words) < 2 or words[0] not in ("pid", "tid"):
            fail("lane label %r is not 'pid N ...' or 'tid N ...'" % label, chart)
        rows[(words[0], int(words[1]))] = (label, state, body)
    if lanes[0][0] != lanes[0][0].lstrip():
        fail("the first lane should be a root, not indented", chart)

    forks = 0
    starts = 0
    for pid, p in procs.items():
        row = rows.get(("pid", pid))
        if not row:
            fail("no lane for pid %d" % pid, chart)
        want_state = "complete" if p["complete"] else None
        if want_state and row[1] != want_state:
            fail("pid %d is %r, expected %r" % (pid, row[1], want_state), chart)
        for c in row[2]:
            if c == "F":
                forks += 1
            elif c.isdigit():
                forks += int(c)
            elif c == "*":
                forks += 10
        starts += row[2].lstrip().startswith(">")
    for t in shown:
        if ("tid", t["tid"]) not in rows:
            fail("no lane for tid %d" % t["tid"], chart)
    if forks != len(r["forks"]):
        fail("%d fork marks, expected %d forks" % (forks, len(r["forks"])), chart)
    children = sum(1 for f in r["forks"] if ("pid", f["child_pid"]) in rows
                   and rows[("pid", f["child_pid"])][1] in ("complete", "started only"))
    if starts != children:
        fail("%d child starts ('>'), expected %d" % (starts, children), chart)

    # Each task's bar, on its thread's lane, in the glyph of its CPU share.
    glyphs = 0
    for task in r["tasks"]:
        row = rows.get(("tid", task["tid"]))
        if not row:
            fail("no lane for tid %d, which ran task %d" % (task["tid"], task["id"]), chart)
        wall = (task["end_ns"] or 0) - task["start_ns"]
        if task["end_ns"] is None or task["cpu_ns"] is None or wall <= 0:
            continue
        share = task["cpu_ns"] / wall
        glyph = "#" if share >= 0.75 else "+" if share >= 0.25 else ":"
        if glyph not in row[2]:
            fail("task %d was on a CPU %.0f %% of its time, but its lane has no '%s'"
                 % (task["id"], 100 * share, glyph), chart)
        glyphs += 1

    strip = next((l for l in lines if l.startswith("running ")), None)
    if strip is None:
        fail("no concurrency strip", chart)
    digits = [int(c) for c in strip[start:] if c.isdigit()]
    most = max(digits) if digits else 0
    if most != r["summary"]["max_concurrency"]:
        fail("the strip reaches %d, the report's max concurrency is %d"
             % (most, r["summary"]["max_concurrency"]), chart)
    if "legend: " not in chart:
        fail("no legend", chart)
    n_warn = len(r["warnings"])
    if n_warn and "warnings (%d):" % n_warn not in chart:
        fail("the %d warnings are not listed" % n_warn, chart)
    if not n_warn and "warnings: none" not in chart:
        fail("'warnings: none' missing", chart)
    for w in r["warnings"]:
        if "[%s]" % w["kind"] not in chart:
            fail("warning %s not listed" % w["kind"], chart)
    print("%d lanes (%d processes, %d threads), %d fork marks, %d task bars, max %d running"
          % (len(lanes), len(procs), len(shown), forks, glyphs, most))


main()
