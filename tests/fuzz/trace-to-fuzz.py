#!/usr/bin/python3
"""Turns recorded traces into an input of tests/fuzz/fuzz-model (the record
format of tests/fuzz/fuzz-input.h), for the seed corpus:

    tests/fuzz/trace-to-fuzz.py [--max-bytes N] OUT TRACE...

Every message the sinks see becomes a record: cotrace events (every field
the trace has), discarded events, foreign events, and the trace paths and
hosts. Reads the traces with babeltrace2's Python bindings (python3-bt2).
"""
import argparse
import struct
import sys

import bt2

EVENT_TYPES = [
    "cotrace:proc_start", "cotrace:proc_exit", "cotrace:fork",
    "cotrace:thread_start", "cotrace:thread_exit", "cotrace:task_start",
    "cotrace:task_finish", "cotrace:tls_write", "cotrace:tls_read",
    "cotrace:exec", "cotrace:exec_failed", "cotrace:vfork", "cotrace:spawn",
    "cotrace:thread_name", "cotrace:fatal_signal", "lttng_python:event",
]

# Field ids of fuzz-input.c (enum fuzz_field), by the trace's field names.
STR, INT, TIDS, CPU = range(4)
FIELDS = {
    "ppid": (1, INT), "fork_ret": (2, INT), "exe": (3, STR), "name": (3, STR),
    "label": (3, STR), "threadName": (3, STR), "cpu_ns": (4, CPU),
    "status": (5, INT), "child_pid": (6, INT), "threads_alive": (7, INT),
    "alive_tids": (8, TIDS), "alive_names": (9, STR), "task_id": (10, INT),
    "key": (11, STR), "value": (12, STR), "addr": (13, INT), "path": (14, STR),
    "error": (15, INT), "signal": (16, INT), "thread": (17, INT),
    "ret": (18, INT), "logger_name": (19, STR), "msg": (20, STR),
    "int_loglevel": (21, INT), "pthread_id": (22, INT), "procname": (23, STR),
}


def enc_int(v):
    v = int(v)
    if v >= 2**63:
        v -= 2**64
    if 0 <= v < 0x80:
        return bytes([v])
    if -64 <= v <= -1:
        return bytes([0x7F - v])
    if 0 <= v < 0x10000:
        return bytes([0xF0]) + struct.pack("<H", v)
    if -(2**31) <= v < 2**31:
        return bytes([0xF1]) + struct.pack("<i", v)
    return bytes([0xF2]) + struct.pack("<q", v)


def enc_str(s):
    if s is None:
        return b"\x00"
    b = str(s).encode("utf-8", "surrogateescape")[:191]
    if not b:
        return b"\x01"
    return bytes([0x40 + len(b)]) + b


class Writer:
    def __init__(self):
        self.out = bytearray()
        self.clock = None
        self.host = None

    def at(self, ns):
        """The delta (us) to reach ns, setting the clock when far."""
        if self.clock is None or abs(ns - self.clock) > 10**15:
            self.out += b"\xe4" + enc_int(ns)
            self.clock = ns
        delta = (ns - self.clock) // 1000
        self.clock += delta * 1000
        return enc_int(delta)

    def event(self, msg):
        ev = msg.event
        name = ev.name
        if name not in EVENT_TYPES:
            self.out += b"\xe1"
            return
        host = ev.stream.trace.environment.get("hostname")
        host = str(host) if host is not None else None
        if host != self.host:
            self.out += b"\xe5" + enc_str(host)
            self.host = host
        ns = msg.default_clock_snapshot.ns_from_origin
        rec = bytearray([EVENT_TYPES.index(name)])
        rec += self.at(ns)
        ctx = ev.common_context_field or {}
        rec += enc_int(ctx["vpid"] if "vpid" in ctx else -1)
        rec += enc_int(ctx["vtid"] if "vtid" in ctx else -1)
        fields = list(ctx.items()) + list((ev.payload_field or {}).items())
        for fname, value in fields:
            if fname not in FIELDS:
                continue
            fid, kind = FIELDS[fname]
            rec.append(fid)
            if kind == STR:
                rec += enc_str(value)
            elif kind == CPU:
                rec += enc_int(int(value) // 1000)
            elif kind == TIDS:
                tids = list(value)[:16]
                rec.append(len(tids))
                for t in tids:
                    rec += enc_int(t)
            else:
                rec += enc_int(value)
        rec.append(0)
        self.out += rec

    def lost(self, msg):
        count = msg.count if msg.count is not None else 0
        begin = self.at(msg.beginning_default_clock_snapshot.ns_from_origin)
        end = enc_int((msg.end_default_clock_snapshot.ns_from_origin - self.clock) // 1000)
        self.out += b"\xe0" + enc_int(count) + begin + end


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-bytes", type=int, default=4096)
    ap.add_argument("out")
    ap.add_argument("traces", nargs="+")
    args = ap.parse_args()
    w = Writer()
    for t in args.traces:
        w.out += b"\xe3" + enc_str(t)
    it = bt2.TraceCollectionMessageIterator(args.traces)
    for msg in it:
        if len(w.out) >= args.max_bytes:
            break
        if type(msg) is bt2._EventMessageConst:
            w.event(msg)
        elif type(msg) is bt2._DiscardedEventsMessageConst:
            w.lost(msg)
    open(args.out, "wb").write(bytes(w.out[:args.max_bytes]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
