/*
 * libcotrace: instrumentation API of cotrace.
 *
 * Each call emits one event of the `cotrace` LTTng-UST provider (see
 * doc/event-schema.md). Without a tracing session the calls cost one
 * predictable branch each; the library never prints and never allocates on
 * the event path.
 */
#ifndef COTRACE_COTRACE_H
#define COTRACE_COTRACE_H

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Marks the start of this process (proc_start, fork_ret -1: not a fork
 * child of an instrumented parent) and arranges for proc_exit to be emitted
 * when the process calls exit() or returns from main(). Call it first in
 * main(). Calling it twice does nothing the second time.
 */
void cotrace_proc_start(void);

/*
 * Emits proc_exit with `status` now, for processes that leave through
 * _exit() or exec. Emitted at most once per process.
 */
void cotrace_proc_exit(int status);

/*
 * fork() through the lttng-ust fork hooks, so the child keeps tracing.
 * Emits `fork` in the parent (with the threads alive there) and proc_start
 * (fork_ret 0) in the child. Returns what fork() returned; errno is kept.
 */
pid_t cotrace_fork(void);

/*
 * pthread_create() whose thread is named `name` (copied; may be NULL) and
 * emits thread_start when it begins and thread_exit (with its CPU time) when
 * `start_routine` returns or the thread calls pthread_exit().
 * Returns 0 or an error number, as pthread_create().
 */
int cotrace_thread_create(pthread_t *thread, const pthread_attr_t *attr,
		void *(*start_routine)(void *), void *arg, const char *name);

/* Marks the start and finish of task `task_id` on the calling thread. */
void cotrace_task_start(uint64_t task_id, const char *label);
void cotrace_task_finish(uint64_t task_id);

/*
 * Reports that the calling thread wrote `value` to its thread-local slot
 * `key` at address `addr` (tls_write), or read `value` back (tls_read).
 */
void cotrace_tls_write(const char *key, const void *addr, const char *value);
void cotrace_tls_read(const char *key, const void *addr, const char *value);

/* The same with an integer value, formatted only when tracing is active. */
void cotrace_tls_write_int(const char *key, const void *addr, int64_t value);
void cotrace_tls_read_int(const char *key, const void *addr, int64_t value);

/* The recording this process belongs to (COTRACE_RUN_ID), 0 if none. */
uint64_t cotrace_run_id(void);

#ifdef __cplusplus
}
#endif

#endif /* COTRACE_COTRACE_H */
