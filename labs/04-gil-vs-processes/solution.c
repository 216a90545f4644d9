/*
 * Lab 04, threads behind one lock versus processes: the reference solution.
 *
 * The program has two CPU tasks to run and, like a notebook kernel, a
 * helper thread of its own: a heartbeat that ticks while the work goes on.
 * The tasks run in two worker processes, which share no lock and so use
 * two cores at once. The workers are forked first, while the program has
 * only its main thread; the heartbeat starts after the forks, so no child
 * is made while another thread is alive.
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

/* Task i, the lecture's cpu_task. */
static void
run_task(unsigned int i)
{
	cotrace_task_start(i, "cpu_task");
	cpu_task(WORK_MS);
	cotrace_task_finish(i);
}

int
main(void)
{
	struct heartbeat hb;
	pid_t pids[N_TASKS];
	unsigned int started = 0;
	int status = 0, ret;
	uint64_t start;

	cotrace_proc_start();
	start = clock_ns(CLOCK_MONOTONIC);
	fflush(stdout);

	/* Fork while this process has one thread: nothing else to copy. */
	for (unsigned int i = 1; i <= N_TASKS; i++) {
		pid_t pid = cotrace_fork();

		if (pid < 0) {
			fprintf(stderr, "error: fork: %s\n", strerror(errno));
			status = 1;
			break;
		}
		if (pid == 0) {
			run_task(i);
			exit(0);
		}
		pids[started++] = pid;
	}

	/* Only now the helper thread: no fork() comes after this. */
	ret = heartbeat_start(&hb);
	if (ret) {
		status = 1;
	}

	for (unsigned int i = 0; i < started; i++) {
		int wstatus;

		if (waitpid(pids[i], &wstatus, 0) < 0 || !WIFEXITED(wstatus) ||
				WEXITSTATUS(wstatus) != 0) {
			fprintf(stderr, "error: worker %d failed\n",
					(int)pids[i]);
			status = 1;
		}
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
