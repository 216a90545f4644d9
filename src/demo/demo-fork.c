/*
 * Lesson "fork(): creating a child process": one fork(); the child sees 0,
 * the parent sees the child's pid.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cotrace/cotrace.h>

#include "demo.h"

int
demo_fork(const struct demo_options *opts)
{
	pid_t pid;

	if (demo_flush_stdout()) {
		return DEMO_EXIT_FAILURE;
	}
	pid = cotrace_fork();
	if (pid < 0) {
		demo_error("cannot fork: %s", strerror(errno));
		return DEMO_EXIT_FAILURE;
	}
	if (pid == 0) {
		printf("Child process: fork() returned 0 (pid %d, parent %d)\n",
				(int)getpid(), (int)getppid());
		exit(fflush(stdout) == EOF ? DEMO_EXIT_FAILURE : DEMO_EXIT_OK);
	}
	printf("Parent process: fork() returned %d\n", (int)pid);
	/* Before waiting, so the lines come out in the order they happened. */
	if (demo_flush_stdout()) {
		demo_wait_child(pid);
		return DEMO_EXIT_FAILURE;
	}
	return demo_wait_child(pid) ? DEMO_EXIT_FAILURE : DEMO_EXIT_OK;
}
