/*
 * The hazard of the fork lesson: fork() while other threads are alive. The
 * child gets only the forking thread; whatever the others held (locks, half
 * updated state) stays held forever in it. This child therefore touches
 * nothing the helpers share and exits at once, and the trace's fork event
 * names the helpers that were alive.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cotrace/cotrace.h>

#include "demo.h"

#define N_HELPERS 2

struct helper_gate {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	unsigned int ready; /* helpers running and waiting */
	bool released;
};

static void *
helper_run(void *arg)
{
	struct helper_gate *gate = arg;

	pthread_mutex_lock(&gate->lock);
	gate->ready++;
	pthread_cond_broadcast(&gate->changed);
	while (!gate->released) {
		pthread_cond_wait(&gate->changed, &gate->lock);
	}
	pthread_mutex_unlock(&gate->lock);
	return NULL;
}

static void
release_helpers(struct helper_gate *gate)
{
	pthread_mutex_lock(&gate->lock);
	gate->released = true;
	pthread_cond_broadcast(&gate->changed);
	pthread_mutex_unlock(&gate->lock);
}

int
demo_fork_threads(const struct demo_options *opts)
{
	struct helper_gate gate = {
			.lock = PTHREAD_MUTEX_INITIALIZER,
			.changed = PTHREAD_COND_INITIALIZER,
	};
	pthread_t helpers[N_HELPERS];
	unsigned int started = 0;
	int status = DEMO_EXIT_OK;
	pid_t pid = -1;

	for (unsigned int i = 0; i < N_HELPERS; i++) {
		char name[32];
		int ret;

		snprintf(name, sizeof(name), "helper-%u", i + 1);
		ret = cotrace_thread_create(
				&helpers[i], NULL, helper_run, &gate, name);
		if (ret) {
			demo_error("cannot start thread %s: %s", name,
					strerror(ret));
			status = DEMO_EXIT_FAILURE;
			goto release;
		}
		started++;
	}

	/* Fork only once both helpers are surely alive. */
	pthread_mutex_lock(&gate.lock);
	while (gate.ready < started) {
		pthread_cond_wait(&gate.changed, &gate.lock);
	}
	pthread_mutex_unlock(&gate.lock);

	if (demo_flush_stdout()) {
		status = DEMO_EXIT_FAILURE;
		goto release;
	}
	pid = cotrace_fork();
	if (pid < 0) {
		demo_error("cannot fork: %s", strerror(errno));
		status = DEMO_EXIT_FAILURE;
		goto release;
	}
	if (pid == 0) {
		/* The helpers do not exist here: leave before needing them. */
		printf("Child process: fork() returned 0 (pid %d); "
		       "the %d helper threads were not copied\n",
				(int)getpid(), N_HELPERS);
		exit(fflush(stdout) == EOF ? DEMO_EXIT_FAILURE : DEMO_EXIT_OK);
	}
	printf("Parent process: fork() returned %d "
	       "while helper-1 and helper-2 were alive\n",
			(int)pid);
	if (demo_flush_stdout()) {
		status = DEMO_EXIT_FAILURE;
	}

release:
	release_helpers(&gate);
	for (unsigned int i = 0; i < started; i++) {
		pthread_join(helpers[i], NULL);
	}
	if (pid > 0 && demo_wait_child(pid)) {
		status = DEMO_EXIT_FAILURE;
	}
	return status;
}
