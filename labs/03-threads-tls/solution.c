/*
 * Lab 03, threads and thread-local storage: the reference solution.
 *
 * Starts 4 threads, worker-1..worker-4. Each writes its own identity,
 * pthread_self() (what Python's threading.get_ident() returns), into the
 * thread-local variable `slot`; once every thread has written (a barrier),
 * each reads `slot` back. _Thread_local gives every thread its own copy at
 * its own address, so each finds the value it wrote, whatever the others
 * did meanwhile.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* gettid() */
#endif
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cotrace/cotrace.h>

#define N_THREADS 4

/* One copy per thread, like the attributes of Python's threading.local(). */
static _Thread_local uint64_t slot;

/* Nobody reads before everybody has written. */
static pthread_barrier_t all_written;

struct worker {
	pthread_t thread;
	char name[16];
	pid_t tid;	    /* the kernel's thread id */
	const void *addr;   /* where this thread's `slot` is */
	uint64_t written;   /* what it wrote: its pthread id */
	uint64_t read_back; /* what it found there after the barrier */
};

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	uint64_t mine = (uint64_t)pthread_self();

	w->tid = gettid();
	w->addr = &slot;
	slot = mine;
	w->written = mine;
	/* Tells cotrace which thread wrote what, at which address. */
	cotrace_tls_write_int("slot", &slot, (int64_t)mine);

	pthread_barrier_wait(&all_written);

	w->read_back = slot;
	cotrace_tls_read_int("slot", &slot, (int64_t)w->read_back);
	return NULL;
}

int
main(void)
{
	struct worker workers[N_THREADS];
	unsigned int started = 0;
	int status = 0;

	cotrace_proc_start();
	printf("main thread: tid %d, pthread id %#" PRIx64 "\n", (int)gettid(),
			(uint64_t)pthread_self());

	pthread_barrier_init(&all_written, NULL, N_THREADS);
	for (unsigned int i = 0; i < N_THREADS; i++) {
		struct worker *w = &workers[i];
		int ret;

		memset(w, 0, sizeof(*w));
		snprintf(w->name, sizeof(w->name), "worker-%u", i + 1);
		/* pthread_create() that names the thread and tells cotrace. */
		ret = cotrace_thread_create(
				&w->thread, NULL, worker_run, w, w->name);
		if (ret) {
			fprintf(stderr, "error: cannot start %s: %s\n", w->name,
					strerror(ret));
			return 1; /* the others wait at the barrier forever */
		}
		started++;
	}
	for (unsigned int i = 0; i < started; i++) {
		pthread_join(workers[i].thread, NULL);
	}
	pthread_barrier_destroy(&all_written);

	for (unsigned int i = 0; i < started; i++) {
		const struct worker *w = &workers[i];
		int own = w->read_back == w->written;

		printf("%s: tid %d, pthread id %#" PRIx64 ", slot at %p: "
		       "wrote %" PRIu64 ", read back %" PRIu64 "%s\n",
				w->name, (int)w->tid, w->written, w->addr,
				w->written, w->read_back,
				own ? "" : "  <- not its own!");
		if (!own) {
			status = 1;
		}
	}
	printf(status ? "Some threads did not read back their own value.\n"
		      : "Each thread read back its own value.\n");
	return status;
}
