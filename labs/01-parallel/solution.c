/*
 * Lab 01, processes in parallel: the reference solution.
 *
 * Forks N worker processes, all of them before waiting for any: worker i
 * runs the lecture's cpu_task as task i, and the parent then waits for
 * every worker. On a machine with N free cores the tasks run at the same
 * time, so the total is about one task's time, not N times it.
 *
 * usage: ./solution [N [WORK_MS]]   (default: 2 workers, 300 ms each)
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

	/* Start every worker first... */
	for (unsigned int i = 1; i <= workers; i++) {
		pid_t pid = cotrace_fork();

		if (pid < 0) {
			fprintf(stderr, "error: fork: %s\n", strerror(errno));
			status = 1;
			break;
		}
		if (pid == 0) {
			run_task(i, work_ms);
			exit(0);
		}
		pids[started++] = pid;
	}

	/* ...then wait for them all: they run meanwhile. */
	for (unsigned int i = 0; i < started; i++) {
		int wstatus;

		if (waitpid(pids[i], &wstatus, 0) < 0) {
			fprintf(stderr, "error: waitpid: %s\n",
					strerror(errno));
			status = 1;
		} else if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
			fprintf(stderr, "error: worker %d failed\n",
					(int)pids[i]);
			status = 1;
		}
	}

	printf("Total time: %.3f s for %u tasks of %u ms of CPU each\n",
			(double)(clock_ns(CLOCK_MONOTONIC) - start) / 1e9,
			started, work_ms);
	return status;
}
