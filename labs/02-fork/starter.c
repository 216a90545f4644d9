/*
 * Lab 02, fork(): the starter.
 *
 * As given, the root forks one child and waits for it: two processes.
 * Make it a chain of three, root -> child -> grandchild, in which every
 * parent waits for its own child (see README.md, TODO 1 and 2).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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

/*
 * The process state letter in /proc/PID/stat: R running, S sleeping,
 * Z zombie; '?' when there is no such process any more.
 */
static char
proc_state(pid_t pid)
{
	char path[64], buf[512], state = '?';
	char *paren;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f) {
		return state;
	}
	if (fgets(buf, sizeof(buf), f)) {
		/* After the name, which may hold spaces and parentheses. */
		paren = strrchr(buf, ')');
		if (paren && paren[1] == ' ') {
			state = paren[2];
		}
	}
	fclose(f);
	return state;
}

/*
 * Waits for child `pid` to exit, shows it as a zombie, then reaps it.
 * Returns 0 if it exited with status 0.
 */
static int
wait_child(const char *who, pid_t pid)
{
	siginfo_t info;
	int wstatus, code;

	/* WNOWAIT: learn that it exited, but leave it unreaped. */
	if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) == 0) {
		say(who, "child %d exited: a zombie (state %c) until reaped",
				(int)pid, proc_state(pid));
	}
	if (waitpid(pid, &wstatus, 0) < 0) {
		say(who, "cannot wait for %d: %s", (int)pid, strerror(errno));
		return -1;
	}
	code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
	say(who, "reaped child %d (exit status %d): now gone (state %c)",
			(int)pid, code, proc_state(pid));
	return code == 0 ? 0 : -1;
}

/* The middle of the chain. */
static int
run_child(void)
{
	/*
	 * TODO 1: fork the grandchild with cotrace_fork() (a fork() that
	 * cotrace can see). In the grandchild (it returned 0), say what
	 * fork() returned, call work("grandchild") and exit(0). In the
	 * child, say what fork() returned there (the grandchild's pid).
	 * If fork() fails (-1), say so and return 1.
	 */
	work("child");
	/*
	 * TODO 2: wait for the grandchild with wait_child("child", pid), and
	 * return 1 if that fails, 0 if it succeeds.
	 */
	return 0;
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
	return wait_child("root", pid) ? 1 : 0;
}
