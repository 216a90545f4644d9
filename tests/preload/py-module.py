"""python/cotrace.py on the lecture's examples: a task per worker, and
threading.local() through cotrace.local(), whose accesses are recorded.
The barrier keeps both threads (and so both copies) alive at once."""
import threading

import cotrace

data = cotrace.local()
lock = threading.Lock()
both = threading.Barrier(2)


def worker(n):
    with cotrace.task(n, "tls_worker"):
        data.value = threading.get_ident()
        both.wait()
        with lock:
            print("value", data.value, flush=True)


threads = [threading.Thread(target=worker, args=(n,)) for n in (1, 2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("run_id", cotrace.run_id(), flush=True)
