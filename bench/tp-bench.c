/*
 * tp-bench: the cost of one cotrace event against the same event emitted
 * through a raw LTTng-UST tracepoint (bench/tp-bench-tp.h: same fields,
 * same payload computed the same way, in the same channel with the same
 * contexts and filter when bench/tracepoint-cost.sh records it).
 *
 *   tp-bench N ROUNDS
 *
 * Runs ROUNDS rounds; each round times N calls of every variant, one
 * variant after the other, so that load drifts hit them alike. Prints one
 * line per variant: "NAME <median ns per call> <min> <max>".
 *
 *   cotrace_task_start   cotrace_task_start(i, "cpu_task") (libcotrace)
 *   raw_task_start       the raw task_start, reading the thread CPU clock
 *                        as libcotrace does (the anchor)
 *   raw_task_start_noclk the raw task_start with cpu_ns = 0: the tracer
 *                        alone, without the clock read the payload needs
 *   cotrace_tls_write    cotrace_tls_write_int("counter", &slot, i)
 *   raw_tls_write        the raw tls_write, formatting i in decimal
 */
#define LTTNG_UST_TRACEPOINT_DEFINE
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#include "tp-bench-tp.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cotrace/cotrace.h>

#define VARIANTS 5
#define ROUNDS_MAX 101

static uint64_t run_id;
static _Thread_local int64_t slot;

static uint64_t
clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* libcotrace's own formatting of an int64 (src/lib/cotrace.c). */
static const char *
format_int64(int64_t value, char buf[static 21])
{
	uint64_t magnitude = value < 0 ? -(uint64_t)value : (uint64_t)value;
	char *p = buf + 20;

	*p = '\0';
	do {
		*--p = (char)('0' + magnitude % 10);
		magnitude /= 10;
	} while (magnitude);
	if (value < 0) {
		*--p = '-';
	}
	return p;
}

static void
cotrace_task(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		cotrace_task_start(i, "cpu_task");
	}
}

static void
raw_task(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		if (lttng_ust_tracepoint_enabled(cotrace_bench, task_start)) {
			lttng_ust_do_tracepoint(cotrace_bench, task_start,
					run_id, i, "cpu_task",
					clock_ns(CLOCK_THREAD_CPUTIME_ID));
		}
	}
}

static void
raw_task_noclock(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		lttng_ust_tracepoint(cotrace_bench, task_start, run_id, i,
				"cpu_task", 0);
	}
}

static void
cotrace_tls(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		slot = (int64_t)i;
		cotrace_tls_write_int("counter", &slot, slot);
	}
}

static void
raw_tls(uint64_t n)
{
	char buf[21];

	for (uint64_t i = 0; i < n; i++) {
		slot = (int64_t)i;
		if (lttng_ust_tracepoint_enabled(cotrace_bench, tls_write)) {
			lttng_ust_do_tracepoint(cotrace_bench, tls_write,
					run_id, "counter",
					format_int64(slot, buf), &slot);
		}
	}
}

static const struct {
	const char *name;
	void (*run)(uint64_t n);
} variants[VARIANTS] = {
		{"cotrace_task_start", cotrace_task},
		{"raw_task_start", raw_task},
		{"raw_task_start_noclk", raw_task_noclock},
		{"cotrace_tls_write", cotrace_tls},
		{"raw_tls_write", raw_tls},
};

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	static double ns[VARIANTS][ROUNDS_MAX];
	const char *env = getenv("COTRACE_RUN_ID");
	uint64_t n;
	int rounds;

	if (argc != 3 || (n = strtoull(argv[1], NULL, 10)) == 0 ||
			(rounds = atoi(argv[2])) < 1 || rounds > ROUNDS_MAX) {
		fprintf(stderr, "usage: tp-bench N ROUNDS (ROUNDS <= %d)\n",
				ROUNDS_MAX);
		return 2;
	}
	run_id = env ? strtoull(env, NULL, 10) : 0;
	/* Warm up: the first calls fault the buffers in. */
	for (int v = 0; v < VARIANTS; v++) {
		variants[v].run(n / 10 + 1);
	}
	for (int r = 0; r < rounds; r++) {
		for (int v = 0; v < VARIANTS; v++) {
			uint64_t t0 = clock_ns(CLOCK_MONOTONIC);

			variants[v].run(n);
			ns[v][r] = (double)(clock_ns(CLOCK_MONOTONIC) - t0) /
				   (double)n;
		}
	}
	for (int v = 0; v < VARIANTS; v++) {
		qsort(ns[v], (size_t)rounds, sizeof(double), cmp_double);
		printf("%s %.2f %.2f %.2f\n", variants[v].name,
				ns[v][rounds / 2], ns[v][0], ns[v][rounds - 1]);
	}
	return 0;
}
