/*
 * Lab 02, fork(): a typical wrong solution.
 *
 * The chain root -> child -> grandchild is built and every fork() return
 * value is handled right, but no parent waits for its child: the root
 * exits at once, the child while the grandchild still works. The children
 * outlive their parents, become orphans and are adopted by another
 * process, which is the one that reaps them in the end.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cotrace/cotrace.h>

/* Each process's own work, in ms of sleep. */
#define WORK_MS 200

/* One line, prefixed with who is speaking, flushed at once. */
static void __attribute__((format(printf, 2, 3)))
say(const char *who, const char *fmt, ...)
{
	va_list ap;

	printf("[%-10s pid %d, parent %d] ", who, (int)getpid(),
			(int)getppid());
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	/* Unprinted text would be copied into a child by fork(). */
	fflush(stdout);
}

static void
work(const char *who)
{
	struct timespec ts = {
			.tv_sec = WORK_MS / 1000,
			.tv_nsec = (WORK_MS % 1000) * 1000000L,
	};

	say(who, "working for %d ms", WORK_MS);
	while (nanosleep(&ts, &ts) && errno == EINTR) {
	}
	/* getppid() again: has my parent changed meanwhile? */
	say(who, "done");
}

/* The middle of the chain: forks the grandchild and works. */
static int
run_child(void)
{
	pid_t pid = cotrace_fork();

	if (pid < 0) {
		say("child", "fork failed: %s", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		say("grandchild", "fork() returned 0: I am the new process");
		work("grandchild");
		exit(0);
	}
	say("child", "fork() returned %d: the pid of my new child", (int)pid);
	work("child");
	return 0; /* without waiting for the grandchild */
}

int
main(void)
{
	pid_t pid;

	cotrace_proc_start();
	say("root", "starting the chain root -> child -> grandchild");

	pid = cotrace_fork();
	if (pid < 0) {
		say("root", "fork failed: %s", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		say("child", "fork() returned 0: I am the new process");
		/* Not return: the rest of main() is the root's part. */
		exit(run_child());
	}
	say("root", "fork() returned %d: the pid of my new child", (int)pid);
	return 0; /* without waiting for the child */
}
