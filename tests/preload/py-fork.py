"""The lecture's fork(): the child sees 0, the parent the child's pid.

Nothing here knows about cotrace: `cotrace record` traces it unmodified.
"""
import os
import sys

pid = os.fork()
if pid == 0:
    print("Child process", flush=True)
    os._exit(0)
# (After the child, so that the two lines always come in the same order.)
_, status = os.waitpid(pid, 0)
print("Parent process, child PID:", pid, flush=True)
sys.exit(os.waitstatus_to_exitcode(status))
