"""Logging through the LTTng-UST Python agent (`import lttngust`): each
record is an lttng_python:event, read into the same model as the preload's
events; threading's names come with them.

    py-agent.py [N]   N more warnings from the main thread (default 0), to
                      show the report's bounded listing."""
import logging
import sys
import threading

import lttngust  # noqa: F401  (registers the agent with the session daemon)

log = logging.getLogger("lecture")
lock = threading.Lock()


def worker():
    log.warning("hello from %s", threading.current_thread().name)
    with lock:
        print(threading.current_thread().name, threading.get_ident(),
              flush=True)


threads = [threading.Thread(target=worker, name=f"worker-{i}")
           for i in (1, 2)]
for t in threads:
    t.start()
    t.join()
for i in range(int(sys.argv[1]) if len(sys.argv) > 1 else 0):
    log.warning("extra record %d", i)
log.error("main done")
