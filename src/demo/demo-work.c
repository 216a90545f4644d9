/*
 * What the demo modes share: the CPU-bound task, clocks, waiting for
 * children, error messages.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "demo.h"

/*
 * Reading the clock costs a system call's worth of time on some machines;
 * the loop reads it every this many iterations (well under a millisecond).
 */
#define BURN_ITERATIONS_PER_CHECK 4096

void
demo_error(const char *fmt, ...)
{
	va_list ap;

	fputs("cotrace-demo: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static uint64_t
clock_ns(clockid_t clock)
{
	struct timespec ts;

	if (clock_gettime(clock, &ts)) {
		return 0;
	}
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t
demo_wall_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

uint64_t
demo_thread_cpu_ns(void)
{
	return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

double
demo_seconds(uint64_t ns)
{
	return (double)ns / 1e9;
}

void
demo_burn_cpu_until(uint64_t until_ns)
{
	/* volatile: the sums are the point, the compiler must not drop them. */
	static volatile uint64_t sink;
	uint64_t acc = sink;

	while (demo_thread_cpu_ns() < until_ns) {
		for (unsigned int i = 0; i < BURN_ITERATIONS_PER_CHECK; i++) {
			acc = acc * 6364136223846793005u + 1442695040888963407u;
			/* Keeps the loop from being folded into a formula. */
			__asm__ volatile("" : "+r"(acc));
		}
		sink = acc;
	}
}

void
demo_burn_cpu_ms(unsigned int ms)
{
	demo_burn_cpu_until(demo_thread_cpu_ns() + (uint64_t)ms * 1000000u);
}

int
demo_wait_child(int pid)
{
	int wstatus;
	pid_t ret;

	do {
		ret = waitpid(pid, &wstatus, 0);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0) {
		demo_error("cannot wait for process %d: %s", pid,
				strerror(errno));
		return -1;
	}
	if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) {
		return 0;
	}
	if (WIFEXITED(wstatus)) {
		demo_error("process %d exited with status %d", pid,
				WEXITSTATUS(wstatus));
	} else if (WIFSIGNALED(wstatus)) {
		demo_error("process %d was killed by signal %d (%s)", pid,
				WTERMSIG(wstatus),
				strsignal(WTERMSIG(wstatus)));
	} else {
		demo_error("process %d ended with wait status %#x", pid,
				(unsigned int)wstatus);
	}
	return -1;
}

int
demo_flush_stdout(void)
{
	if (fflush(stdout) == EOF) {
		demo_error("cannot write to standard output: %s",
				strerror(errno));
		return -1;
	}
	return 0;
}
