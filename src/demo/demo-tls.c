/*
 * Lesson "Thread-local storage": every thread writes its own identity
 * (pthread_self(), what Python's threading.get_ident() returns) into one
 * thread-local variable, waits until all have written, and reads it back:
 * each finds its own value, because each has its own slot.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cotrace/cotrace.h>

#include "demo.h"

#define TLS_KEY "value"

static _Thread_local uint64_t slot;

/*
 * A barrier whose count can shrink: if a thread cannot be created, the
 * ones already waiting must still be let through.
 */
struct tls_gate {
	pthread_mutex_t lock;
	pthread_cond_t all_written;
	unsigned int expected; /* threads that will write */
	unsigned int written;
};

struct tls_worker {
	struct tls_gate *gate; /* borrowed */
	pthread_t thread;
	pid_t tid;
	const void *addr;
	uint64_t written;
	uint64_t read_back;
};

static void
gate_wait(struct tls_gate *gate)
{
	pthread_mutex_lock(&gate->lock);
	gate->written++;
	pthread_cond_broadcast(&gate->all_written);
	while (gate->written < gate->expected) {
		pthread_cond_wait(&gate->all_written, &gate->lock);
	}
	pthread_mutex_unlock(&gate->lock);
}

static void
gate_shrink(struct tls_gate *gate, unsigned int expected)
{
	pthread_mutex_lock(&gate->lock);
	gate->expected = expected;
	pthread_cond_broadcast(&gate->all_written);
	pthread_mutex_unlock(&gate->lock);
}

static void *
tls_worker_run(void *arg)
{
	struct tls_worker *w = arg;

	w->tid = gettid();
	w->addr = &slot;
	slot = (uint64_t)pthread_self();
	w->written = slot;
	cotrace_tls_write_int(TLS_KEY, &slot, (int64_t)slot);

	/* Every thread has written before any reads: a shared slot would show.
	 */
	gate_wait(w->gate);

	w->read_back = slot;
	cotrace_tls_read_int(TLS_KEY, &slot, (int64_t)w->read_back);
	return NULL;
}

int
demo_tls(const struct demo_options *opts)
{
	struct tls_worker workers[DEMO_WORKERS_MAX];
	struct tls_gate gate = {
			.lock = PTHREAD_MUTEX_INITIALIZER,
			.all_written = PTHREAD_COND_INITIALIZER,
			.expected = opts->workers,
	};
	unsigned int started = 0;
	int status = DEMO_EXIT_OK;

	for (unsigned int i = 0; i < opts->workers; i++) {
		char name[32];
		int ret;

		snprintf(name, sizeof(name), "worker-%u", i + 1);
		workers[i] = (struct tls_worker){.gate = &gate};
		ret = cotrace_thread_create(&workers[i].thread, NULL,
				tls_worker_run, &workers[i], name);
		if (ret) {
			demo_error("cannot start thread %s: %s", name,
					strerror(ret));
			status = DEMO_EXIT_FAILURE;
			gate_shrink(&gate, started);
			break;
		}
		started++;
	}
	for (unsigned int i = 0; i < started; i++) {
		pthread_join(workers[i].thread, NULL);
	}
	for (unsigned int i = 0; i < started; i++) {
		struct tls_worker *w = &workers[i];

		printf("worker-%u tid %d: slot at %p, value %" PRIu64 "\n",
				i + 1, (int)w->tid, w->addr, w->read_back);
		if (w->read_back != w->written) {
			demo_error("worker-%u wrote %" PRIu64
				   " but read back %" PRIu64,
					i + 1, w->written, w->read_back);
			status = DEMO_EXIT_FAILURE;
		}
	}
	if (status == DEMO_EXIT_OK) {
		printf("Each of the %u threads read back its own value "
		       "from its own slot.\n",
				started);
	}
	return status;
}
