/*
 * Lab 03, threads and thread-local storage: the starter.
 *
 * As given, one thread, worker-1, writes its own identity, pthread_self()
 * (what Python's threading.get_ident() returns), into the variable `slot`,
 * waits at a barrier and reads `slot` back. Make it 4 threads that each
 * keep their own value in `slot` (see README.md, TODO 1 and 2).
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

/*
 * TODO 2: every thread must have its own copy of `slot`, as each thread
 * has its own attributes of Python's threading.local(). As it is, there is
 * one copy for the whole process.
 */
static uint64_t slot;

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
	int status = 0, ret;

	cotrace_proc_start();
	printf("main thread: tid %d, pthread id %#" PRIx64 "\n", (int)gettid(),
			(uint64_t)pthread_self());

	/*
	 * TODO 1: start N_THREADS threads, worker-1 .. worker-N (one
	 * workers[] entry each), not just worker-1; then join them all. The
	 * barrier must wait for all of them: init it with N_THREADS.
	 */
	pthread_barrier_init(&all_written, NULL, 1);
	memset(&workers[0], 0, sizeof(workers[0]));
	snprintf(workers[0].name, sizeof(workers[0].name), "worker-1");
	/* pthread_create() that names the thread and tells cotrace. */
	ret = cotrace_thread_create(&workers[0].thread, NULL, worker_run,
			&workers[0], workers[0].name);
	if (ret) {
		fprintf(stderr, "error: cannot start %s: %s\n", workers[0].name,
				strerror(ret));
		return 1;
	}
	started++;
	pthread_join(workers[0].thread, NULL);
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
