#!/usr/bin/python3
"""The Python anchor of bench/report-speed.sh: what a user would write with
babeltrace2's Python bindings (python3-bt2) to get the per-thread intervals
`cotrace report` computes: each thread's first and last event, its tasks
(task_start to task_finish, wall and CPU time), and the sums per thread.

    bench/intervals.py TRACE...

Prints one line per thread and a total; exits 1 when no cotrace event was
read.
"""
import sys

import bt2


def main(paths):
    events = cotrace = 0
    threads = {}  # (vpid, vtid) -> [first_ns, last_ns, tasks, wall_ns, cpu_ns]
    open_tasks = {}  # (vpid, vtid, task_id) -> (start_ns, start_cpu_ns)
    for msg in bt2.TraceCollectionMessageIterator(paths):
        if type(msg) is not bt2._EventMessageConst:
            continue
        events += 1
        ev = msg.event
        name = ev.name
        if not name.startswith("cotrace:"):
            continue
        cotrace += 1
        ts = msg.default_clock_snapshot.ns_from_origin
        ctx = ev.common_context_field
        key = (int(ctx["vpid"]), int(ctx["vtid"]))
        t = threads.get(key)
        if t is None:
            t = threads[key] = [ts, ts, 0, 0, 0]
        t[1] = ts
        if name == "cotrace:task_start":
            p = ev.payload_field
            open_tasks[key + (int(p["task_id"]),)] = (ts, int(p["cpu_ns"]))
        elif name == "cotrace:task_finish":
            p = ev.payload_field
            start = open_tasks.pop(key + (int(p["task_id"]),), None)
            if start is not None:
                t[2] += 1
                t[3] += ts - start[0]
                t[4] += int(p["cpu_ns"]) - start[1]
    for (pid, tid), (first, last, tasks, wall, cpu) in sorted(threads.items()):
        print(f"pid {pid} tid {tid}: {(last - first) / 1e6:.3f} ms alive, "
              f"{tasks} tasks, {wall / 1e6:.3f} ms busy, {cpu / 1e6:.3f} ms CPU")
    print(f"{events} events, {cotrace} cotrace events, {len(threads)} threads, "
          f"{len(open_tasks)} tasks never finished")
    return 0 if cotrace else 1


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: bench/intervals.py TRACE...")
    sys.exit(main(sys.argv[1:]))
