/*
 * Lesson "Multiprocessing: true parallelism": N processes each run cpu_task
 * at the same time; the total is about one task's time, not N times it.
 *
 * The workers start their task together, from a start line: a traced fork
 * child first re-registers with the session daemon, which takes from a few
 * to a few hundred milliseconds, and children that started their work as
 * they came would measure that registration rather than the parallelism.
 * The parent prints both the start-up time and the time of the work.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cotrace/cotrace.h>

#include "demo.h"

/* Tells the parent this worker is ready, then waits for the start signal. */
static int
wait_start_line(int ready_fd, int go_fd)
{
	char byte = 1;
	ssize_t n;

	do {
		n = write(ready_fd, &byte, 1);
	} while (n < 0 && errno == EINTR);
	if (n != 1) {
		return -1;
	}
	/* The parent closes its end of `go`: end of file is the start. */
	do {
		n = read(go_fd, &byte, 1);
	} while (n < 0 && errno == EINTR);
	return n == 0 ? 0 : -1;
}

static void __attribute__((noreturn))
run_worker(uint64_t task_id, unsigned int work_ms, int ready_fd, int go_fd)
{
	uint64_t start;

	if (wait_start_line(ready_fd, go_fd)) {
		demo_error("worker %u: lost its parent before the start",
				(unsigned int)task_id);
		_exit(DEMO_EXIT_FAILURE);
	}
	close(ready_fd);
	close(go_fd);
	start = demo_wall_ns();
	cotrace_task_start(task_id, "cpu_task");
	demo_burn_cpu_ms(work_ms);
	cotrace_task_finish(task_id);
	printf("Process finished in %.3f s (pid %d)\n",
			demo_seconds(demo_wall_ns() - start), (int)getpid());
	exit(fflush(stdout) == EOF ? DEMO_EXIT_FAILURE : DEMO_EXIT_OK);
}

/* Reads one byte per worker that got ready; returns how many did. */
static unsigned int
count_ready(int ready_fd, unsigned int expected)
{
	unsigned int ready = 0;
	char buf[64];

	while (ready < expected) {
		ssize_t n = read(ready_fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			break; /* every worker gone: EOF */
		}
		ready += (unsigned int)n;
	}
	return ready;
}

int
demo_parallel(const struct demo_options *opts)
{
	pid_t pids[DEMO_WORKERS_MAX];
	unsigned int started = 0;
	int status = DEMO_EXIT_OK;
	int ready[2], go[2];
	uint64_t start, go_time;

	if (demo_flush_stdout()) {
		return DEMO_EXIT_FAILURE;
	}
	if (pipe2(ready, O_CLOEXEC) || pipe2(go, O_CLOEXEC)) {
		demo_error("cannot make the start line: pipe: %s",
				strerror(errno));
		return DEMO_EXIT_FAILURE;
	}
	start = demo_wall_ns();
	for (unsigned int i = 0; i < opts->workers; i++) {
		pid_t pid = cotrace_fork();

		if (pid < 0) {
			demo_error("cannot start worker process %u: fork: %s",
					i + 1, strerror(errno));
			status = DEMO_EXIT_FAILURE;
			break;
		}
		if (pid == 0) {
			close(ready[0]);
			close(go[1]);
			run_worker(i + 1, opts->work_ms, ready[1], go[0]);
		}
		pids[started++] = pid;
	}
	close(ready[1]);
	close(go[0]);
	if (count_ready(ready[0], started) != started) {
		status = DEMO_EXIT_FAILURE;
	}
	go_time = demo_wall_ns();
	close(go[1]); /* the start signal, to every worker at once */
	close(ready[0]);
	/* Wait for every child started, even after a failure: no zombies. */
	for (unsigned int i = 0; i < started; i++) {
		if (demo_wait_child(pids[i])) {
			status = DEMO_EXIT_FAILURE;
		}
	}
	if (status == DEMO_EXIT_OK) {
		uint64_t end = demo_wall_ns();

		printf("Total time: %.3f s (%.3f s of work after %.3f s of "
		       "process start-up)\n",
				demo_seconds(end - start),
				demo_seconds(end - go_time),
				demo_seconds(go_time - start));
	}
	return status;
}
