/*
 * Not a lesson: the load generator of the benchmarks. W threads emit N
 * events in all, as fast as they can, in triples: task_start, tls_write,
 * task_finish (and a few tls_writes when N / W is not a multiple of 3).
 * Each thread's start and exit and the process's start and exit come on
 * top of the N.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cotrace/cotrace.h>

#include "demo.h"

#define FLOOD_KEY "counter"
#define FLOOD_LABEL "flood_task"

struct flood_worker {
	pthread_t thread;
	uint64_t events; /* to emit */
};

static _Thread_local int64_t counter;

static void *
flood_worker_run(void *arg)
{
	const struct flood_worker *w = arg;
	uint64_t triples = w->events / 3, rest = w->events % 3;

	for (uint64_t i = 0; i < triples; i++) {
		cotrace_task_start(i, FLOOD_LABEL);
		counter = (int64_t)i;
		cotrace_tls_write_int(FLOOD_KEY, &counter, counter);
		cotrace_task_finish(i);
	}
	for (uint64_t i = 0; i < rest; i++) {
		counter = (int64_t)(triples + i);
		cotrace_tls_write_int(FLOOD_KEY, &counter, counter);
	}
	return NULL;
}

int
demo_flood(const struct demo_options *opts)
{
	struct flood_worker workers[DEMO_WORKERS_MAX];
	uint64_t per = opts->events / opts->workers;
	uint64_t extra = opts->events % opts->workers;
	unsigned int started = 0;
	uint64_t t0, emitted = 0;
	int status = DEMO_EXIT_OK;
	double s;

	t0 = demo_wall_ns();
	for (unsigned int i = 0; i < opts->workers; i++) {
		char name[32];
		int ret;

		snprintf(name, sizeof(name), "flood-%u", i + 1);
		workers[i].events = per + (i < extra ? 1 : 0);
		ret = cotrace_thread_create(&workers[i].thread, NULL,
				flood_worker_run, &workers[i], name);
		if (ret) {
			demo_error("cannot start thread %s: %s", name,
					strerror(ret));
			status = DEMO_EXIT_FAILURE;
			break;
		}
		started++;
	}
	for (unsigned int i = 0; i < started; i++) {
		pthread_join(workers[i].thread, NULL);
		emitted += workers[i].events;
	}
	s = demo_seconds(demo_wall_ns() - t0);
	printf("%u thread%s emitted %" PRIu64 " events in %.3f s (%.0f "
	       "events/s)\n",
			started, started == 1 ? "" : "s", emitted, s,
			s > 0 ? (double)emitted / s : 0.0);
	return status;
}
