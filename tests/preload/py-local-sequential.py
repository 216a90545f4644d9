"""threading.local() in threads started and joined one after another: each
thread's copy may take the memory of the one before (CPython reuses it),
which is not sharing: every thread still had its own copy."""
import threading

import cotrace

data = cotrace.local()


def worker(n):
    data.value = n
    print("value", data.value, "slot", id(data.__dict__), flush=True)


for n in range(4):
    t = threading.Thread(target=worker, args=(n,))
    t.start()
    t.join()
