"""fork() while another thread is alive: the hazard the lecture warns about
(CPython 3.12 prints a DeprecationWarning; 3.11 does not)."""
import os
import threading

stop = threading.Event()
helper = threading.Thread(target=stop.wait, name="helper")
helper.start()
pid = os.fork()
if pid == 0:
    os._exit(0)
print("forked", pid, "while", threading.active_count(), "threads were alive",
      flush=True)
os.waitpid(pid, 0)
stop.set()
helper.join()
