/*
 * cotrace-demo: one mode per lesson of the concurrency lecture. Each mode
 * prints what the lecture's Python snippet printed and emits cotrace events
 * through libcotrace, so a recording shows what the prints claim.
 */
#ifndef COTRACE_DEMO_H
#define COTRACE_DEMO_H

#include <stdint.h>

/* Exit codes of cotrace-demo (documented in its --help). */
enum demo_exit {
	DEMO_EXIT_OK = 0,
	DEMO_EXIT_FAILURE = 1, /* fork, thread or wait failed; a check failed */
	DEMO_EXIT_USAGE = 2,   /* bad mode, flag or value */
};

#define DEMO_WORKERS_MIN 1
#define DEMO_WORKERS_MAX 256
#define DEMO_WORK_MS_MIN 1
#define DEMO_WORK_MS_MAX 600000
#define DEMO_EVENTS_MIN 1
#define DEMO_EVENTS_MAX 1000000000

struct demo_options {
	unsigned int workers;
	unsigned int work_ms;
	unsigned int events; /* flood: events in all */
};

/* The modes: each returns a demo_exit code. */
int demo_parallel(const struct demo_options *opts);
int demo_fork(const struct demo_options *opts);
int demo_tls(const struct demo_options *opts);
int demo_gil(const struct demo_options *opts);
int demo_fork_threads(const struct demo_options *opts);
int demo_flood(const struct demo_options *opts);

/* "cotrace-demo: error: ..." on stderr. */
void demo_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* CLOCK_MONOTONIC and CLOCK_THREAD_CPUTIME_ID in nanoseconds. */
uint64_t demo_wall_ns(void);
uint64_t demo_thread_cpu_ns(void);

/* Seconds from nanoseconds, for the "X.XXX s" prints. */
double demo_seconds(uint64_t ns);

/*
 * The lecture's cpu_task: burns `ms` milliseconds of the calling thread's
 * CPU time (not wall time, so a descheduled thread still does all its work).
 */
void demo_burn_cpu_ms(unsigned int ms);

/* Burns CPU until the thread CPU clock reaches `until_ns`. */
void demo_burn_cpu_until(uint64_t until_ns);

/*
 * Waits for child `pid`; returns 0 if it exited with status 0, else prints
 * why it did not and returns -1.
 */
int demo_wait_child(int pid);

/* Flushes stdout before a fork, so the child does not print it twice. */
int demo_flush_stdout(void);

#endif /* COTRACE_DEMO_H */
