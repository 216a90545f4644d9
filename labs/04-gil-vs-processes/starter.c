/*
 * Lab 04, threads behind one lock versus processes: the starter.
 *
 * The program has two CPU tasks to run and, like a notebook kernel, a
 * helper thread of its own: a heartbeat that ticks while the work goes on.
 * As given, the tasks run in two threads that may only compute while they
 * hold one global lock, as Python threads need the GIL: they take turns,
 * and two tasks take twice as long as one. Make them run in two processes
 * instead, and fork only while the program has no other thread (see
 * README.md, TODO 1 and 2).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cotrace/cotrace.h>

#define N_TASKS 2
#define WORK_MS 300
#define HEARTBEAT_MS 10
/*
 * How long a thread computes before it hands the GIL over: 5 ms, as
 * CPython's sys.getswitchinterval().
 */
#define SWITCH_INTERVAL_MS 5

/*
 * The "GIL": a lock served in ticket order, so that a thread that hands
 * it over queues behind the others, as CPython's GIL makes threads take
 * turns. A plain mutex would let the same thread take it back at once.
 */
struct gil {
	pthread_mutex_t lock;
	pthread_cond_t turn;
	uint64_t next_ticket;
	uint64_t serving;
};

static struct gil gil = {
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.turn = PTHREAD_COND_INITIALIZER,
};

struct heartbeat {
	pthread_t thread;
	atomic_bool stop;
	atomic_uint beats;
};

static uint64_t
clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The lecture's cpu_task: burns `ms` milliseconds of this thread's CPU. */
static void
cpu_task(unsigned int ms)
{
	uint64_t until = clock_ns(CLOCK_THREAD_CPUTIME_ID) +
			 (uint64_t)ms * 1000000u;
	volatile uint64_t x = 1;

	while (clock_ns(CLOCK_THREAD_CPUTIME_ID) < until) {
		for (int i = 0; i < 10000; i++) {
			x = x * 6364136223846793005u + 1442695040888963407u;
		}
	}
}

/* Ticks every HEARTBEAT_MS until told to stop. */
static void *
heartbeat_run(void *arg)
{
	struct heartbeat *hb = arg;
	struct timespec tick = {.tv_nsec = HEARTBEAT_MS * 1000000L};

	atomic_fetch_add(&hb->beats, 1); /* the first beat: it runs */
	while (!atomic_load(&hb->stop)) {
		nanosleep(&tick, NULL);
		atomic_fetch_add(&hb->beats, 1);
	}
	return NULL;
}

/*
 * Starts the heartbeat thread and waits for its first beat: the program
 * goes on once its heartbeat runs. Returns 0 or an error number.
 */
static int
heartbeat_start(struct heartbeat *hb)
{
	struct timespec pause = {.tv_nsec = 1000000L};
	int ret;

	atomic_init(&hb->stop, false);
	atomic_init(&hb->beats, 0);
	ret = cotrace_thread_create(
			&hb->thread, NULL, heartbeat_run, hb, "heartbeat");
	if (ret) {
		fprintf(stderr, "error: cannot start the heartbeat: %s\n",
				strerror(ret));
		return ret;
	}
	while (atomic_load(&hb->beats) == 0) {
		nanosleep(&pause, NULL);
	}
	return 0;
}

static void
heartbeat_stop(struct heartbeat *hb)
{
	atomic_store(&hb->stop, true);
	pthread_join(hb->thread, NULL);
}

static void
gil_acquire(void)
{
	uint64_t ticket;

	pthread_mutex_lock(&gil.lock);
	ticket = gil.next_ticket++;
	while (gil.serving != ticket) {
		pthread_cond_wait(&gil.turn, &gil.lock);
	}
	pthread_mutex_unlock(&gil.lock);
}

static void
gil_release(void)
{
	pthread_mutex_lock(&gil.lock);
	gil.serving++;
	pthread_cond_broadcast(&gil.turn);
	pthread_mutex_unlock(&gil.lock);
}

/*
 * Task i, the lecture's cpu_task. With `hold_gil`, the thread computes only
 * while it holds the GIL, handing it over every SWITCH_INTERVAL_MS.
 */
static void
run_task(unsigned int i, bool hold_gil)
{
	uint64_t work_ns = (uint64_t)WORK_MS * 1000000u;
	uint64_t cpu_start = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	uint64_t done = 0;

	cotrace_task_start(i, "cpu_task");
	while (done < work_ns) {
		if (hold_gil) {
			gil_acquire();
		}
		cpu_task(SWITCH_INTERVAL_MS);
		if (hold_gil) {
			gil_release();
		}
		done = clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu_start;
	}
	cotrace_task_finish(i);
}

/* Worker thread `arg`: its task, behind the GIL. */
static void *
thread_worker_run(void *arg)
{
	run_task((unsigned int)(uintptr_t)arg, true);
	return NULL;
}

int
main(void)
{
	struct heartbeat hb;
	pthread_t threads[N_TASKS];
	unsigned int started = 0;
	int status = 0, ret;
	uint64_t start;

	cotrace_proc_start();
	start = clock_ns(CLOCK_MONOTONIC);
	fflush(stdout);

	/*
	 * TODO 2: a fork() made now would copy a process that has another
	 * thread, the heartbeat, alive. Start the heartbeat only once the
	 * worker processes of TODO 1 are forked.
	 */
	ret = heartbeat_start(&hb);
	if (ret) {
		status = 1;
	}

	/*
	 * TODO 1: run task i in worker process i rather than in a thread:
	 * fork N_TASKS workers with cotrace_fork(); the child calls
	 * run_task(i, false) (processes share no memory: no GIL to hold) and
	 * exit(0). Then wait for every worker with waitpid() and set
	 * status = 1 if one did not exit with status 0.
	 */
	for (unsigned int i = 1; i <= N_TASKS; i++) {
		char name[16];
		int err;

		snprintf(name, sizeof(name), "worker-%u", i);
		err = cotrace_thread_create(&threads[started], NULL,
				thread_worker_run, (void *)(uintptr_t)i, name);
		if (err) {
			fprintf(stderr, "error: cannot start %s: %s\n", name,
					strerror(err));
			status = 1;
			break;
		}
		started++;
	}
	for (unsigned int i = 0; i < started; i++) {
		pthread_join(threads[i], NULL);
	}

	if (!ret) {
		heartbeat_stop(&hb);
	}

	printf("Total time: %.3f s for %u tasks of %u ms of CPU each "
	       "(%u heartbeats meanwhile)\n",
			(double)(clock_ns(CLOCK_MONOTONIC) - start) / 1e9,
			started, WORK_MS, atomic_load(&hb.beats));
	return status;
}
