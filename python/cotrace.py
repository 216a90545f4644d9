"""cotrace for Python: tasks and thread-local storage as cotrace events.

A thin ctypes binding of libcotrace (no build step): run the program under
`cotrace record`, which traces processes, forks and threads by itself
(libcotrace-preload.so), and use this module for what only the program
knows: its tasks and its thread-local values.

    import threading
    import cotrace

    with cotrace.task(1, "cpu_task"):
        work()

    data = cotrace.local()          # a threading.local() whose accesses
    data.value = 42                 # are recorded: tls_write / tls_read
    print(data.value)

    cotrace.tls_write("value", 42, slot=some_object)   # by hand

libcotrace.so.0 is found through $COTRACE_LIB (`cotrace record` sets it),
else the copy already loaded by the preload, else the installed one.
Without a tracing session every call returns at once.
"""

import ctypes
import ctypes.util
import os
import threading

__all__ = ["task", "task_start", "task_finish", "tls_write", "tls_read",
           "local", "run_id", "enabled", "LIBRARY"]

# Replaced by `meson install` with the installed library's path.
_INSTALLED_LIB = "@COTRACE_LIB_PATH@"


def _candidates():
    env = os.environ.get("COTRACE_LIB")
    if env:
        yield env
    # The preload has loaded it already: dlopen() by soname returns it.
    yield "libcotrace.so.0"
    if not _INSTALLED_LIB.startswith("@"):
        yield _INSTALLED_LIB
    found = ctypes.util.find_library("cotrace")
    if found:
        yield found


def _load():
    errors = []
    for name in _candidates():
        try:
            return ctypes.CDLL(name), name
        except OSError as e:
            errors.append(str(e))
    return None, "; ".join(errors)


_lib, LIBRARY = _load()
_pid = os.getpid()

if _lib is not None:
    _lib.cotrace_proc_start.restype = None
    _lib.cotrace_proc_start.argtypes = []
    _lib.cotrace_task_start.restype = None
    _lib.cotrace_task_start.argtypes = [ctypes.c_uint64, ctypes.c_char_p]
    _lib.cotrace_task_finish.restype = None
    _lib.cotrace_task_finish.argtypes = [ctypes.c_uint64]
    for _f in (_lib.cotrace_tls_write, _lib.cotrace_tls_read):
        _f.restype = None
        _f.argtypes = [ctypes.c_char_p, ctypes.c_void_p, ctypes.c_char_p]
    _lib.cotrace_run_id.restype = ctypes.c_uint64
    _lib.cotrace_run_id.argtypes = []
    # A no-op under the preload, which marked the start already; otherwise
    # this process's proc_start (and proc_exit at exit).
    _lib.cotrace_proc_start()


def _preloaded():
    return "libcotrace-preload" in os.environ.get("LD_PRELOAD", "")


def enabled():
    """Whether calls reach libcotrace in this process.

    Without the preload, a child made by os.fork() still holds its parent's
    tracer state, so the module stays silent there rather than emit in its
    parent's name (under `cotrace record` the preload handles forks).
    """
    return _lib is not None and (_preloaded() or os.getpid() == _pid)


def _text(value):
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8", "replace")


def run_id():
    """The recording this process belongs to (COTRACE_RUN_ID), 0 if none."""
    return _lib.cotrace_run_id() if _lib is not None else 0


def task_start(task_id, label=""):
    """Marks the start of task `task_id` on the calling thread."""
    if enabled():
        _lib.cotrace_task_start(task_id, _text(label))


def task_finish(task_id):
    """Marks the finish of task `task_id` on the calling thread."""
    if enabled():
        _lib.cotrace_task_finish(task_id)


class task:
    """`with cotrace.task(1, "cpu_task"):` brackets a task (also as a
    decorator: `@cotrace.task(1, "cpu_task")`)."""

    def __init__(self, task_id, label=""):
        self.task_id = task_id
        self.label = label

    def __enter__(self):
        task_start(self.task_id, self.label)
        return self

    def __exit__(self, *exc):
        task_finish(self.task_id)
        return False

    def __call__(self, fn):
        def wrapper(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)
        wrapper.__name__ = getattr(fn, "__name__", "task")
        wrapper.__doc__ = getattr(fn, "__doc__", None)
        return wrapper


def _slot(slot):
    # A thread's own copy: its object identity (CPython: its address).
    return id(slot) if slot is not None else 0


def tls_write(key, value, slot=None):
    """The calling thread wrote `value` to its thread-local `key`, kept in
    the object `slot` (e.g. the thread's threading.local().__dict__)."""
    if enabled():
        _lib.cotrace_tls_write(_text(key), _slot(slot), _text(value))


def tls_read(key, value, slot=None):
    """The calling thread read `value` back from its thread-local `key`."""
    if enabled():
        _lib.cotrace_tls_read(_text(key), _slot(slot), _text(value))


class local(threading.local):
    """threading.local() whose attribute writes and reads are recorded.

    Each thread has its own attribute dictionary, whose identity is the
    slot address the report shows: distinct per thread, as the lecture
    says.
    """

    def __setattr__(self, name, value):
        threading.local.__setattr__(self, name, value)
        if not name.startswith("_"):
            tls_write(name, value, threading.local.__getattribute__(
                self, "__dict__"))

    def __getattribute__(self, name):
        value = threading.local.__getattribute__(self, name)
        if not name.startswith("_"):
            tls_read(name, value, threading.local.__getattribute__(
                self, "__dict__"))
        return value
