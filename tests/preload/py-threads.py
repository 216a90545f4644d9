"""The lecture's thread-local storage: each thread its own data.value.

Each thread prints threading.get_ident(), which is pthread_self(): the
trace's pthread_id of that thread.
"""
import threading

data = threading.local()
lock = threading.Lock()


def worker():
    data.value = threading.get_ident()
    with lock:
        print("thread", threading.current_thread().name, "ident", data.value,
              flush=True)


threads = [threading.Thread(target=worker, name=f"worker-{i}")
           for i in (1, 2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("main ident", threading.get_ident(), flush=True)
