/*
 * libcotrace's private interface for libcotrace-preload.so (src/preload).
 * Not installed: these symbols are exported only so that the preload
 * library, which must not hold a second copy of the `cotrace` probes, can
 * emit through libcotrace. Nothing here is part of the public API.
 *
 * Every function keeps errno, and emits nothing unless its event is
 * enabled.
 */
#ifndef COTRACE_INTERNAL_H
#define COTRACE_INTERNAL_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The real fork(), pthread_create() and pthread_setname_np() behind the
 * preload's interposers. Once set, libcotrace's own API calls these rather
 * than the interposed symbols, so an instrumented program run under the
 * preload emits each event once. NULL members keep the plain symbol.
 */
struct cotrace_real_calls {
	pid_t (*fork)(void);
	int (*pthread_create)(pthread_t *thread, const pthread_attr_t *attr,
			void *(*start_routine)(void *), void *arg);
	int (*pthread_setname_np)(pthread_t thread, const char *name);
};

void cotrace__set_real_calls(const struct cotrace_real_calls *real);

/*
 * cotrace_fork(), the child's side included; `vfork` emits the parent's
 * event as `vfork` rather than `fork`.
 */
pid_t cotrace__fork(bool vfork);

/* The fork event lists at most this many other threads... */
#define COTRACE_FORK_MAX_TIDS 64
/* ...and their names in at most this many bytes, NUL included. */
#define COTRACE_FORK_NAMES_LEN 1024

struct cotrace__alive_threads {
	int count;	     /* all threads, the caller included */
	unsigned int n_tids; /* listed in tids / names */
	bool truncated;
	int tids[COTRACE_FORK_MAX_TIDS];
	char names[COTRACE_FORK_NAMES_LEN]; /* "name(tid),name(tid)" */
};

/* One fork in progress, for a fork made by another call than fork(). */
struct cotrace__fork_ctx {
	bool vfork;
	bool enabled;	 /* the parent's event is enabled */
	bool new_pid_ns; /* the call puts the child in a new pid namespace */
	sigset_t sigset;
	struct cotrace__alive_threads alive;
};

/*
 * cotrace__fork() in three steps, for _Fork() and clone(), whose child
 * starts elsewhere: prepare (the threads alive, lttng-ust's fork hooks)
 * before the call, then child in the child (it re-registers with the
 * session daemon and emits proc_start with fork_ret 0) or parent in the
 * parent with what the call returned (the fork event). Each keeps errno.
 */
void cotrace__fork_prepare(struct cotrace__fork_ctx *ctx, bool vfork);
void cotrace__fork_child(struct cotrace__fork_ctx *ctx);
void cotrace__fork_parent(struct cotrace__fork_ctx *ctx, pid_t pid);

/*
 * Registers proc_exit's on_exit() handler again, from main()'s start: one
 * registered by a library constructor runs after lttng-ust is torn down.
 */
void cotrace__exit_handler_late(void);

/*
 * Whether an event of the kind is enabled: the preload checks before it
 * computes anything (a pid, a path) for one.
 */
bool cotrace__proc_exit_enabled(void);
bool cotrace__exec_enabled(void);
bool cotrace__thread_name_enabled(void);

/* exec (before the call) and exec_failed (after it returned). */
void cotrace__exec(const char *path, const char *exe);
void cotrace__exec_failed(const char *path, int error);

/* posix_spawn() returned `ret` and stored `child_pid` (-1 if it failed). */
void cotrace__spawn(
		pid_t child_pid, int ret, const char *path, const char *exe);

/* pthread_setname_np(thread, name) succeeded. */
void cotrace__thread_name(pthread_t thread, const char *name);

/*
 * Whether tls_write is enabled, so that the caller computes a slot address
 * only when it will be used; then tls_write with key = the pthread key
 * number and value = the pointer, both as text.
 */
bool cotrace__tls_write_enabled(void);
/* Where tls_write's enabled state is: non-zero when it is enabled. */
const int *cotrace__tls_write_state(void);
void cotrace__tls_write_key(
		unsigned int key, const void *value, const void *addr);

/*
 * fatal_signal, at most once per process and never after proc_exit.
 * Async-signal-safe. cotrace__fatal_signal_enabled() says whether it would
 * be recorded now.
 */
bool cotrace__fatal_signal_enabled(void);
void cotrace__fatal_signal(int signo);

#endif /* COTRACE_INTERNAL_H */
