"""The lecture's multiprocessing lesson: two processes run cpu_task at once.

usage: py-multiprocessing.py [fork|forkserver|spawn] [SECONDS]
"""
import multiprocessing
import os
import sys
import time


def cpu_task(seconds):
    """Burns `seconds` of CPU time (process CPU clock), then reports."""
    start = time.time()
    end_cpu = time.process_time() + seconds
    n = 0
    while time.process_time() < end_cpu:
        n += 1
    print("Process finished in", round(time.time() - start, 3),
          "pid", os.getpid(), flush=True)


if __name__ == "__main__":
    method = sys.argv[1] if len(sys.argv) > 1 else "fork"
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    multiprocessing.set_start_method(method)
    p1 = multiprocessing.Process(target=cpu_task, args=(seconds,))
    p2 = multiprocessing.Process(target=cpu_task, args=(seconds,))
    start = time.time()
    p1.start()
    p2.start()
    p1.join()
    p2.join()
    print("Total time:", round(time.time() - start, 3), flush=True)
    print("workers", p1.pid, p2.pid, "main", os.getpid(), flush=True)
    sys.exit(p1.exitcode or p2.exitcode)
