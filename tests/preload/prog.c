/*
 * preload-prog: an ordinary C program that has never heard of cotrace (it
 * is not linked with libcotrace), for the preload's integration tests.
 * Each mode prints what the trace must show (pids, fork return values,
 * pthread ids, TLS keys and values), so a test can compare the two.
 *
 *   tree          nested forks, named threads, pthread_setspecific, a fork
 *                 from a thread, exec, vfork + exec, posix_spawn
 *   leaf [STATUS] prints who it is and exits with STATUS (default 0)
 *   closefds      closes every descriptor (close() and close_range()),
 *                 then writes a file, marks it close-on-exec with
 *                 close_range(), closes all with closefrom(), forks and
 *                 execs
 *   handler-exit  leaves through exit(7) from a signal handler
 *   kill SIG      dies of signal SIG (its default action)
 *   children      a child killed by SIGTERM, one by SIGKILL, one exits 3
 *   sigquery      prints the dispositions it sees (preload must hide its own)
 *   forks         a child by _Fork() and one by clone(fn, stack, SIGCHLD),
 *                 which returns 5 from fn
 *   clone-newpid  a child by clone(fn, stack, CLONE_NEWPID | SIGCHLD): pid 1
 *                 of a new pid namespace (root only)
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *self_path;
static pthread_key_t key;
static pthread_barrier_t barrier;

static void
die(const char *what)
{
	fprintf(stderr, "preload-prog: %s: %s\n", what, strerror(errno));
	exit(99);
}

static int
wait_status(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			die("waitpid");
		}
	}
	return status;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line, flushed at once: a later fork must not copy unprinted text. */
static void
say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static void *
worker(void *arg)
{
	int i = (int)(intptr_t)arg;
	char name[16];
	static int values[2];

	snprintf(name, sizeof(name), "worker-%d", i);
	pthread_setname_np(pthread_self(), name);
	values[i - 1] = i * 100;
	if (pthread_setspecific(key, &values[i - 1]) != 0) {
		die("pthread_setspecific");
	}
	say("thread %s pthread %lu key %u value %p\n", name,
			(unsigned long)pthread_self(), (unsigned)key,
			(void *)&values[i - 1]);
	/* Both alive at once, so the fork below sees them. */
	pthread_barrier_wait(&barrier);
	pthread_barrier_wait(&barrier);
	return NULL;
}

/* A thread that forks: the child's only thread is a copy of this one. */
static void *
forking_thread(void *arg)
{
	pid_t pid;

	(void)arg;
	pid = fork();
	if (pid < 0) {
		die("fork");
	}
	if (pid == 0) {
		_exit(0);
	}
	say("thread-fork parent_ret %d\n", (int)pid);
	wait_status(pid);
	return NULL;
}

static int
run_tree(void)
{
	pthread_t threads[2], forker;
	char *leaf_argv[] = {"leaf-image", "leaf", "0", NULL};
	char *spawn_argv[] = {"spawned-leaf", "leaf", "0", NULL};
	static int main_value = 7;
	pid_t pid, spawned;
	int status;

	say("root pid %d\n", (int)getpid());
	if (pthread_key_create(&key, NULL) != 0) {
		die("pthread_key_create");
	}
	if (pthread_setspecific(key, &main_value) != 0) {
		die("pthread_setspecific");
	}
	say("thread main pthread %lu key %u value %p\n",
			(unsigned long)pthread_self(), (unsigned)key,
			(void *)&main_value);

	/* Two named threads; a fork while they are alive. */
	pthread_barrier_init(&barrier, NULL, 3);
	for (int i = 0; i < 2; i++) {
		if (pthread_create(&threads[i], NULL, worker,
				    (void *)(intptr_t)(i + 1)) != 0) {
			die("pthread_create");
		}
	}
	pthread_barrier_wait(&barrier);
	pid = fork();
	if (pid < 0) {
		die("fork");
	}
	if (pid == 0) {
		_exit(0);
	}
	say("fork-with-threads parent_ret %d\n", (int)pid);
	wait_status(pid);
	pthread_barrier_wait(&barrier);
	for (int i = 0; i < 2; i++) {
		pthread_join(threads[i], NULL);
	}

	/* root -> child -> grandchild, which execs itself as leaf-image. */
	pid = fork();
	if (pid < 0) {
		die("fork");
	}
	if (pid == 0) {
		pid_t grandchild = fork();

		if (grandchild < 0) {
			die("fork");
		}
		if (grandchild == 0) {
			say("grandchild fork_ret 0 pid %d\n", (int)getpid());
			execv(self_path, leaf_argv);
			die("execv");
		}
		/* Printed once the child is done: one order of lines. */
		status = wait_status(grandchild);
		say("child fork_ret 0 pid %d parent_ret %d\n", (int)getpid(),
				(int)grandchild);
		exit(WIFEXITED(status) ? WEXITSTATUS(status) : 98);
	}
	status = wait_status(pid);
	say("root parent_ret %d\n", (int)pid);

	/* A fork made by a thread other than main. */
	if (pthread_create(&forker, NULL, forking_thread, NULL) != 0) {
		die("pthread_create");
	}
	pthread_join(forker, NULL);

	/* vfork + exec, the way shells and CPython's subprocess start programs.
	 */
	pid = vfork();
	if (pid < 0) {
		die("vfork");
	}
	if (pid == 0) {
		execv(self_path, (char *[]){"vfork-leaf", "leaf", "0", NULL});
		_exit(127);
	}
	wait_status(pid);
	say("vfork parent_ret %d\n", (int)pid);

	/* posix_spawn: the child runs no code of the parent's image. */
	status = posix_spawn(
			&spawned, self_path, NULL, NULL, spawn_argv, environ);
	if (status != 0) {
		errno = status;
		die("posix_spawn");
	}
	wait_status(spawned);
	say("spawn ret %d pid %d\n", status, (int)spawned);
	/* A failed exec: the process goes on under its own name. */
	execv("/nonexistent/program", (char *[]){"nothing", NULL});
	say("exec failed as expected: %s\n", strerror(errno));
	return 0;
}

static int
run_leaf(int argc, char **argv)
{
	int status = argc > 2 ? atoi(argv[2]) : 0;

	say("leaf %s pid %d ppid %d status %d\n", argv[0], (int)getpid(),
			(int)getppid(), status);
	return status;
}

/* Everything from 3 up goes, as daemons and some shells do. */
static int
run_closefds(void)
{
	char path[] = "/tmp/preload-prog-XXXXXX";
	char buf[64] = "";
	int fd, status;
	pid_t pid;

	for (int i = 3; i < 1024; i++) {
		close(i);
	}
	close_range(3, ~0U, 0);
	fd = mkstemp(path);
	if (fd < 0) {
		die("mkstemp");
	}
	if (write(fd, "written after closing all\n", 26) != 26) {
		die("write");
	}
	close(fd);
	fd = open(path, O_RDONLY);
	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) < 0) {
		die("read back");
	}
	/* close_range(CLOSE_RANGE_CLOEXEC) marks, closefrom() closes. */
	if (close_range((unsigned int)fd, (unsigned int)fd,
			    CLOSE_RANGE_CLOEXEC) != 0 ||
			!(fcntl(fd, F_GETFD) & FD_CLOEXEC)) {
		die("close_range(CLOSE_RANGE_CLOEXEC)");
	}
	say("cloexec set\n");
	closefrom(3);
	if (fcntl(fd, F_GETFD) != -1) {
		die("closefrom left a descriptor open");
	}
	unlink(path);
	say("%s", buf);
	pid = fork();
	if (pid < 0) {
		die("fork");
	}
	if (pid == 0) {
		execl(self_path, "closefds-leaf", "leaf", "0", (char *)NULL);
		_exit(127);
	}
	status = WEXITSTATUS(wait_status(pid));
	say("closefds parent_ret %d\n", (int)pid);
	return status;
}

static void
exit_from_handler(int signo)
{
	(void)signo;
	exit(7);
}

static int
run_handler_exit(void)
{
	signal(SIGUSR1, exit_from_handler);
	say("raising SIGUSR1\n");
	raise(SIGUSR1);
	return 1;
}

static int
run_kill(const char *sig)
{
	int signo = atoi(sig);

	say("dying of signal %d\n", signo);
	fprintf(stderr, "preload-prog: about to die\n");
	if (signo == SIGABRT) {
		abort();
	}
	if (signo == SIGSEGV) {
		*(volatile int *)NULL = 1;
	}
	raise(signo);
	return 1;
}

static pid_t
child_doing(int what)
{
	pid_t pid = fork();

	if (pid < 0) {
		die("fork");
	}
	if (pid == 0) {
		if (what == 0) {
			raise(SIGTERM);
		} else if (what == 1) {
			raise(SIGKILL);
		}
		exit(3);
	}
	return pid;
}

static int
run_children(void)
{
	for (int what = 0; what < 3; what++) {
		pid_t pid = child_doing(what);
		int status = wait_status(pid);

		if (WIFSIGNALED(status)) {
			say("child %d killed by signal %d\n", (int)pid,
					WTERMSIG(status));
		} else {
			say("child %d exited %d\n", (int)pid,
					WEXITSTATUS(status));
		}
	}
	return 0;
}

static int
run_sigquery(void)
{
	static const int sigs[] = {SIGTERM, SIGINT, SIGSEGV, SIGPIPE, SIGUSR1};
	struct sigaction old;

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sigaction(sigs[i], NULL, &old);
		say("signal %d: %s flags %#x\n", sigs[i],
				old.sa_handler == SIG_DFL   ? "default"
				: old.sa_handler == SIG_IGN ? "ignored"
							    : "handled",
				(unsigned)old.sa_flags);
	}
	/* Set to default and read back: still default. */
	signal(SIGTERM, SIG_DFL);
	old.sa_handler = signal(SIGTERM, SIG_DFL);
	say("after signal(): %s\n",
			old.sa_handler == SIG_DFL ? "default" : "not default");
	return 0;
}

static int
clone_fn(void *arg)
{
	say("clone child pid %d arg %s\n", (int)getpid(), (const char *)arg);
	return 5;
}

/* Forks made without fork(): _Fork() and the clone() wrapper. */
static int
run_forks(void)
{
	static char stack[256 * 1024] __attribute__((aligned(16)));
	int status;
	pid_t pid;

	pid = _Fork();
	if (pid < 0) {
		die("_Fork");
	}
	if (pid == 0) {
		say("_Fork child pid %d\n", (int)getpid());
		_exit(0);
	}
	status = wait_status(pid);
	say("_Fork parent_ret %d status %d\n", (int)pid,
			WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	pid = clone(clone_fn, stack + sizeof(stack), SIGCHLD, "hello");
	if (pid < 0) {
		die("clone");
	}
	status = wait_status(pid);
	say("clone parent_ret %d status %d\n", (int)pid,
			WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 0;
}

/* A child in a new pid namespace: it is pid 1 there. */
static int
run_clone_newpid(void)
{
	static char stack[256 * 1024] __attribute__((aligned(16)));
	int status;
	pid_t pid;

	pid = clone(clone_fn, stack + sizeof(stack), CLONE_NEWPID | SIGCHLD,
			"newpid");
	if (pid < 0) {
		die("clone(CLONE_NEWPID)");
	}
	status = wait_status(pid);
	say("clone-newpid parent_ret %d status %d\n", (int)pid,
			WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	/* /proc/self/exe: argv[0] is a name of our choosing after exec. */
	self_path = realpath("/proc/self/exe", NULL);
	if (!self_path) {
		die("realpath");
	}
	if (!strcmp(mode, "tree")) {
		return run_tree();
	}
	if (!strcmp(mode, "leaf")) {
		return run_leaf(argc, argv);
	}
	if (!strcmp(mode, "closefds")) {
		return run_closefds();
	}
	if (!strcmp(mode, "handler-exit")) {
		return run_handler_exit();
	}
	if (!strcmp(mode, "kill") && argc > 2) {
		return run_kill(argv[2]);
	}
	if (!strcmp(mode, "children")) {
		return run_children();
	}
	if (!strcmp(mode, "sigquery")) {
		return run_sigquery();
	}
	if (!strcmp(mode, "forks")) {
		return run_forks();
	}
	if (!strcmp(mode, "clone-newpid")) {
		return run_clone_newpid();
	}
	fprintf(stderr, "usage: preload-prog tree|leaf [STATUS]|closefds|"
			"handler-exit|kill SIG|children|sigquery|forks|"
			"clone-newpid\n");
	return 2;
}
