/*
 * The GIL lesson (why the lecture uses processes): N threads each run
 * cpu_task, but only while holding one global lock, handed over every ~5 ms
 * as CPython's switch interval does. Every task's wall interval spans nearly
 * the whole run, yet only one burns CPU at a time.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <cotrace/cotrace.h>

#include "demo.h"

/* CPython's default sys.getswitchinterval(). */
#define GIL_SLICE_NS 5000000u

/*
 * A FIFO ticket lock: a thread that releases and asks again queues behind
 * the ones already waiting, so the threads take turns. A plain mutex would
 * let the releasing thread win again and again.
 */
struct gil {
	pthread_mutex_t lock;
	pthread_cond_t turn;
	uint64_t next_ticket;
	uint64_t serving;
};

struct gil_worker {
	struct gil *gil; /* borrowed */
	pthread_t thread;
	uint64_t task_id;
	unsigned int work_ms;
	uint64_t wall_ns;
	uint64_t cpu_ns;
};

static void
gil_acquire(struct gil *gil)
{
	uint64_t ticket;

	pthread_mutex_lock(&gil->lock);
	ticket = gil->next_ticket++;
	while (gil->serving != ticket) {
		pthread_cond_wait(&gil->turn, &gil->lock);
	}
	pthread_mutex_unlock(&gil->lock);
}

static void
gil_release(struct gil *gil)
{
	pthread_mutex_lock(&gil->lock);
	gil->serving++;
	pthread_cond_broadcast(&gil->turn);
	pthread_mutex_unlock(&gil->lock);
}

static void *
gil_worker_run(void *arg)
{
	struct gil_worker *w = arg;
	uint64_t work_ns = (uint64_t)w->work_ms * 1000000u;
	uint64_t wall_start = demo_wall_ns();
	uint64_t cpu_start = demo_thread_cpu_ns();
	uint64_t done = 0;

	cotrace_task_start(w->task_id, "cpu_task");
	while (done < work_ns) {
		uint64_t slice = work_ns - done;

		if (slice > GIL_SLICE_NS) {
			slice = GIL_SLICE_NS;
		}
		gil_acquire(w->gil);
		demo_burn_cpu_until(demo_thread_cpu_ns() + slice);
		gil_release(w->gil);
		done = demo_thread_cpu_ns() - cpu_start;
	}
	cotrace_task_finish(w->task_id);
	w->wall_ns = demo_wall_ns() - wall_start;
	w->cpu_ns = demo_thread_cpu_ns() - cpu_start;
	return NULL;
}

int
demo_gil(const struct demo_options *opts)
{
	struct gil_worker workers[DEMO_WORKERS_MAX];
	struct gil gil = {
			.lock = PTHREAD_MUTEX_INITIALIZER,
			.turn = PTHREAD_COND_INITIALIZER,
	};
	unsigned int started = 0;
	int status = DEMO_EXIT_OK;
	uint64_t start = demo_wall_ns();

	for (unsigned int i = 0; i < opts->workers; i++) {
		char name[32];
		int ret;

		snprintf(name, sizeof(name), "worker-%u", i + 1);
		workers[i] = (struct gil_worker){
				.gil = &gil,
				.task_id = i + 1,
				.work_ms = opts->work_ms,
		};
		ret = cotrace_thread_create(&workers[i].thread, NULL,
				gil_worker_run, &workers[i], name);
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
	}
	for (unsigned int i = 0; i < started; i++) {
		printf("Thread worker-%u finished in %.3f s (CPU %.3f s)\n",
				i + 1, demo_seconds(workers[i].wall_ns),
				demo_seconds(workers[i].cpu_ns));
	}
	if (status == DEMO_EXIT_OK) {
		printf("Total time: %.3f s\n",
				demo_seconds(demo_wall_ns() - start));
	}
	return status;
}
