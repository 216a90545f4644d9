/*
 * Lab 01, processes in parallel: the starter.
 *
 * As given, this program runs task 1, task 2, ... one after the other in
 * one process: the total is N times one task. Make it run each task in its
 * own worker process, all at the same time (see README.md, TODO 1 and 2).
 *
 * usage: ./lab [N [WORK_MS]]   (default: 2 workers, 300 ms each)
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cotrace/cotrace.h>

#define MAX_WORKERS 64
#define DEFAULT_WORKERS 2
#define DEFAULT_WORK_MS 300

static uint64_t
clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * The lecture's cpu_task: burns `ms` milliseconds of this thread's CPU
 * time. CPU time, not wall time: a worker that waits for a core still does
 * all of its work.
 */
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

/* Task `i`: cpu_task between the two marks cotrace reports on. */
static void
run_task(unsigned int i, unsigned int work_ms)
{
	uint64_t start = clock_ns(CLOCK_MONOTONIC);

	cotrace_task_start(i, "cpu_task");
	cpu_task(work_ms);
	cotrace_task_finish(i);
	printf("Task %u finished in %.3f s (pid %d)\n", i,
			(double)(clock_ns(CLOCK_MONOTONIC) - start) / 1e9,
			(int)getpid());
}

static unsigned int
parse_arg(const char *text, unsigned int min, unsigned int max,
		const char *what)
{
	char *end;
	unsigned long value;

	errno = 0;
	value = strtoul(text, &end, 10);
	if (errno || end == text || *end != '\0' || value < min ||
			value > max) {
		fprintf(stderr, "error: %s must be a number from %u to %u\n",
				what, min, max);
		exit(2);
	}
	return (unsigned int)value;
}

int
main(int argc, char **argv)
{
	unsigned int workers = DEFAULT_WORKERS, work_ms = DEFAULT_WORK_MS;
	pid_t pids[MAX_WORKERS];
	unsigned int started = 0;
	int status = 0;
	uint64_t start;

	cotrace_proc_start();
	if (argc > 3) {
		fprintf(stderr, "usage: %s [N [WORK_MS]]\n", argv[0]);
		return 2;
	}
	if (argc > 1) {
		workers = parse_arg(argv[1], 1, MAX_WORKERS, "N");
	}
	if (argc > 2) {
		work_ms = parse_arg(argv[2], 1, 60000, "WORK_MS");
	}

	start = clock_ns(CLOCK_MONOTONIC);
	/* Whatever is still buffered would be printed again by each child. */
	fflush(stdout);

	/*
	 * TODO 1: run each task in its own worker process. Fork every worker
	 * with cotrace_fork() (fork() that cotrace can see: a plain fork()
	 * leaves the child out of the trace); in the child (cotrace_fork()
	 * returned 0) call run_task(i, work_ms) and then exit(0), so the child
	 * does not go on running the parent's loop. In the parent, keep the
	 * child's pid in pids[started++].
	 *
	 * TODO 2: after the loop has forked every worker, wait for each of
	 * them with waitpid(); set status = 1 if one could not be waited for
	 * or did not exit with status 0 (WIFEXITED, WEXITSTATUS).
	 */
	for (unsigned int i = 1; i <= workers; i++) {
		run_task(i, work_ms);
		started++;
	}
	(void)pids; /* delete this line once TODO 1 uses pids */

	printf("Total time: %.3f s for %u tasks of %u ms of CPU each\n",
			(double)(clock_ns(CLOCK_MONOTONIC) - start) / 1e9,
			started, work_ms);
	return status;
}
