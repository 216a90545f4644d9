/*
 * The `cotrace` LTTng-UST tracepoint provider: the event schema of cotrace.
 * doc/event-schema.md documents every event and field; keep the two in step.
 *
 * Every event starts with `run_id`: the recording it belongs to (from the
 * COTRACE_RUN_ID environment variable that `cotrace record` sets, 0 when
 * unset). `cotrace record` enables the events with the filter
 * `run_id == N`, so two recordings on one machine never mix their events.
 *
 * The recorder adds the contexts vpid, vtid, procname and pthread_id.
 */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER cotrace

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "cotrace-tp.h"

#if !defined(COTRACE_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define COTRACE_TP_H

#include <lttng/tracepoint.h>
#include <stdint.h>

/*
 * A process starts: a fork child of cotrace_fork() (fork_ret 0), or any
 * other process that called cotrace_proc_start() (fork_ret -1). exe is
 * argv[0] as started; cpu_ns the process CPU clock.
 */
LTTNG_UST_TRACEPOINT_EVENT(cotrace, proc_start,
	LTTNG_UST_TP_ARGS(uint64_t, run_id, int, ppid, int, fork_ret,
		const char *, exe, uint64_t, cpu_ns),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(uint64_t, run_id, run_id)
		lttng_ust_field_integer(int, ppid, ppid)
		lttng_ust_field_integer(int, fork_ret, fork_ret)
		lttng_ust_field_string(exe, exe)
		lttng_ust_field_integer(uint64_t, cpu_ns, cpu_ns)
	)
)

/* A process exits; status as passed to exit(), cpu_ns the process CPU clock. */
LTTNG_UST_TRACEPOINT_EVENT(cotrace, proc_exit,
	LTTNG_UST_TP_ARGS(uint64_t, run_id, int, status, uint64_t, cpu_ns),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(uint64_t, run_id, run_id)
		lttng_ust_field_integer(int, status, status)
		lttng_ust_field_integer(uint64_t, cpu_ns, cpu_ns)
	)
)

/*
 * The parent side of a fork: child_pid is what fork() returned here.
 * threads_alive counts the parent's threads just before the fork, the
 * caller included, lttng-ust's own listener threads ("*-ust") excluded;
 * alive_tids and alive_names ("name(tid),name(tid)") list the other ones,
 * in the same order, at most 64 of them and 1023 bytes of names (a cut
 * list's names end with ",..."). child_vpid is the child's pid in its own
 * pid namespace (its vpid context): child_pid unless the child went to
 * another one (unshare -p -f, clone() with CLONE_NEWPID).
 */
LTTNG_UST_TRACEPOINT_EVENT(cotrace, fork,
	LTTNG_UST_TP_ARGS(uint64_t, run_id, int, child_pid, int, threads_alive,
		const int *, alive_tids, unsigned int, n_alive_tids,
		const char *, alive_names, int, child_vpid),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(uint64_t, run_id, run_id)
		lttng_ust_field_integer(int, child_pid, child_pid)
		lttng_ust_field_integer(int, threads_alive, threads_alive)
		lttng_ust_field_sequence(int, alive_tids, alive_tids,
			unsigned int, n_alive_tids)
		lttng_ust_field_string(alive_names, alive_names)
		lttng_ust_field_integer(int, child_vpid, child_vpid)
	)
)

/* A thread starts (emitted by the new thread itself). */
LTTNG_UST_TRACEPOINT_EVENT(cotrace, thread_start,
	LTTNG_UST_TP_ARGS(uint64_t, run_id, const char *, name),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(uint64_t, run_id, run_id)
		lttng_ust_field_string(name, name)
	)
)

/* A thread ends; cpu_ns is its thread CPU clock. */
LTTNG_UST_TRACEPOINT_EVENT(cotrace, thread_exit,
	LTTNG_UST_TP_ARGS(uint64_t, run_id, uint64_t, cpu_ns),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(uint64_t, run_id, run_id)
		lttng_ust_field_integer(uint64_t, cpu_ns, cpu_ns)
	)
)

/*
 * A task starts / finishes on the calling thread. cpu_ns is the thread CPU
 * clock read at that moment: the task's CPU time is the difference, so the
 * library keeps no state between the two calls.
 */
LTTNG_UST_TRACEPOINT_EVENT(cotrace, task_start,
	LTTNG_UST_TP_ARGS(uint64_t, run_id, uint64_t, task_id,
		const char *, label, uint64_t, cpu_ns),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(uint64_t, run_id, run_id)
		lttng_ust_field_integer(uint64_t, task_id, task_id)
		lttng_ust_field_string(label, label)
		lttng_ust_field_integer(uint64_t, cpu_ns, cpu_ns)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(cotrace, task_finish,
	LTTNG_UST_TP_ARGS(uint64_t, run_id, uint64_t, task_id, uint64_t, cpu_ns),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(uint64_t, run_id, run_id)
		lttng_ust_field_integer(uint64_t, task_id, task_id)
		lttng_ust_field_integer(uint64_t, cpu_ns, cpu_ns)
	)
)

/* A thread wrote (tls_write) or read back (tls_read) its TLS slot `key`. */
LTTNG_UST_TRACEPOINT_EVENT_CLASS(cotrace, tls_access,
	LTTNG_UST_TP_ARGS(uint64_t, run_id, const char *, key,
		const char *, value, const void *, addr),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(uint64_t, run_id, run_id)
		lttng_ust_field_string(key, key)
		lttng_ust_field_string(value, value)
		lttng_ust_field_integer_hex(uintptr_t, addr, (uintptr_t)addr)
	)
)

LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(cotrace, tls_access, cotrace, tls_write,
	LTTNG_UST_TP_ARGS(uint64_t, run_id, const char *, key,
		const char *, value, const void *, addr))

LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(cotrace, tls_access, cotrace, tls_read,
	LTTNG_UST_TP_ARGS(uint64_t, run_id, const char *, key,
		const char *, value, const void *, addr))

/*
 * Events of libcotrace-preload.so (src/preload), for programs that were
 * never instrumented; doc/preload.md says when each one is emitted.
 */

/*
 * The calling process is about to replace its image (execve() and the
 * other exec functions): path as given to the call, exe the new argv[0].
 * When the call fails, exec_failed follows. The new image, when traced,
 * emits proc_start under the same pid: the same process, renamed.
 */
LTTNG_UST_TRACEPOINT_EVENT(cotrace, exec,
	LTTNG_UST_TP_ARGS(uint64_t, run_id, const char *, path,
		const char *, exe),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(uint64_t, run_id, run_id)
		lttng_ust_field_string(path, path)
		lttng_ust_field_string(exe, exe)
	)
)

/* The exec call of the previous exec event returned: error is its errno. */
LTTNG_UST_TRACEPOINT_EVENT(cotrace, exec_failed,
	LTTNG_UST_TP_ARGS(uint64_t, run_id, const char *, path, int, error),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(uint64_t, run_id, run_id)
		lttng_ust_field_string(path, path)
		lttng_ust_field_integer(int, error, error)
	)
)

/*
 * The parent side of a vfork() that libcotrace-preload.so ran as a fork()
 * (the child may only exec or _exit, so the copy is invisible to it). The
 * fields are those of `fork`; the threads listed are not a hazard here.
 */
LTTNG_UST_TRACEPOINT_EVENT(cotrace, vfork,
	LTTNG_UST_TP_ARGS(uint64_t, run_id, int, child_pid, int, threads_alive,
		const int *, alive_tids, unsigned int, n_alive_tids,
		const char *, alive_names, int, child_vpid),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(uint64_t, run_id, run_id)
		lttng_ust_field_integer(int, child_pid, child_pid)
		lttng_ust_field_integer(int, threads_alive, threads_alive)
		lttng_ust_field_sequence(int, alive_tids, alive_tids,
			unsigned int, n_alive_tids)
		lttng_ust_field_string(alive_names, alive_names)
		lttng_ust_field_integer(int, child_vpid, child_vpid)
	)
)

/*
 * posix_spawn() or posix_spawnp() returned in the parent: ret is its return
 * value (0 or an error number), child_pid the pid it stored (-1 when it
 * failed), path the program, exe the new argv[0].
 */
LTTNG_UST_TRACEPOINT_EVENT(cotrace, spawn,
	LTTNG_UST_TP_ARGS(uint64_t, run_id, int, child_pid, int, ret,
		const char *, path, const char *, exe),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(uint64_t, run_id, run_id)
		lttng_ust_field_integer(int, child_pid, child_pid)
		lttng_ust_field_integer(int, ret, ret)
		lttng_ust_field_string(path, path)
		lttng_ust_field_string(exe, exe)
	)
)

/*
 * A thread was renamed (pthread_setname_np() succeeded): thread is the
 * pthread_t renamed (the caller's own when it equals its pthread_id
 * context), name the new name.
 */
LTTNG_UST_TRACEPOINT_EVENT(cotrace, thread_name,
	LTTNG_UST_TP_ARGS(uint64_t, run_id, uint64_t, thread,
		const char *, name),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(uint64_t, run_id, run_id)
		lttng_ust_field_integer(uint64_t, thread, thread)
		lttng_ust_field_string(name, name)
	)
)

/*
 * The process is being killed by `signal` (its default action): emitted by
 * the thread the signal was delivered to, instead of proc_exit. cpu_ns is
 * the process CPU clock.
 */
LTTNG_UST_TRACEPOINT_EVENT(cotrace, fatal_signal,
	LTTNG_UST_TP_ARGS(uint64_t, run_id, int, signo, uint64_t, cpu_ns),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(uint64_t, run_id, run_id)
		lttng_ust_field_integer(int, signal, signo)
		lttng_ust_field_integer(uint64_t, cpu_ns, cpu_ns)
	)
)

#endif /* COTRACE_TP_H */

#include <lttng/tracepoint-event.h>
