/*
 * libcotrace-preload.so: the cotrace events of a program that was never
 * instrumented, by LD_PRELOAD (`cotrace record` injects it). doc/preload.md
 * describes what each interposed function emits and the decisions below.
 *
 * The events are emitted by libcotrace (the one holder of the `cotrace`
 * probes): this file only interposes libc functions, finds the real ones
 * once with dlsym(RTLD_NEXT), and tells libcotrace about them so that an
 * instrumented program run under the preload emits each event once.
 *
 * Rules every interposer follows:
 * - the real function is called with the caller's arguments and its result
 *   and errno are returned unchanged;
 * - nothing is computed for an event that is not enabled;
 * - calls made by lttng-ust itself (its listener threads, their names, its
 *   TLS keys) pass straight through: they are the tracer, not the program.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "cotrace-internal.h"
#include "cotrace/cotrace.h"

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/*
 * lttng-ust's fd tracker (liblttng-ust-common.so, as liblttng-ust-fd.so
 * uses it): closes `fd` through `close_cb` unless lttng-ust owns it, so a
 * program that closes every descriptor keeps its tracer working.
 */
int lttng_ust_safe_close_fd(int fd, int (*close_cb)(int fd));
int lttng_ust_safe_fclose_stream(FILE *stream, int (*fclose_cb)(FILE *stream));

typedef void (*exit_fn)(int) __attribute__((noreturn));
typedef int (*posix_spawn_fn)(pid_t *, const char *,
		const posix_spawn_file_actions_t *, const posix_spawnattr_t *,
		char *const[], char *const[]);

/* The next definitions in the lookup order: libc's, or another preload's. */
static struct {
	pid_t (*fork)(void);
	int (*pthread_create)(pthread_t *, const pthread_attr_t *,
			void *(*)(void *), void *);
	int (*pthread_setname_np)(pthread_t, const char *);
	int (*pthread_setspecific)(pthread_key_t, const void *);
	exit_fn exit_;
	exit_fn exit_upper;
	int (*execve)(const char *, char *const[], char *const[]);
	int (*execv)(const char *, char *const[]);
	int (*execvp)(const char *, char *const[]);
	int (*execvpe)(const char *, char *const[], char *const[]);
	int (*fexecve)(int, char *const[], char *const[]);
	int (*execveat)(int, const char *, char *const[], char *const[], int);
	posix_spawn_fn posix_spawn;
	posix_spawn_fn posix_spawnp;
	int (*sigaction)(int, const struct sigaction *, struct sigaction *);
	int (*close)(int);
	int (*fclose)(FILE *);
	int (*close_range)(unsigned int, unsigned int, int);
} real;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/* The process whose lttng-ust state is ours: see traced_here(). */
static pid_t self_pid;

/* Executable segments of lttng-ust's libraries: calls from there pass. */
#define MAX_UST_RANGES 16
static struct {
	uintptr_t lo, hi;
} ust_ranges[MAX_UST_RANGES];
static int n_ust_ranges;

/* glibc's per-thread key slots, found at start-up; -1: unknown. */
#define KEY_BLOCK 32		       /* PTHREAD_KEY_2NDLEVEL_SIZE */
static ptrdiff_t first_block_off = -1; /* struct pthread: specific_1stblock */
static ptrdiff_t specific_off = -1;    /* struct pthread: specific[] */

/* Fatal signals whose default action we turned into our handler. */
static bool fatal_handlers;
static const int fatal_signals[] = {
		SIGHUP,
		SIGINT,
		SIGQUIT,
		SIGILL,
		SIGABRT,
		SIGBUS,
		SIGFPE,
		SIGUSR1,
		SIGSEGV,
		SIGUSR2,
		SIGPIPE,
		SIGALRM,
		SIGTERM,
		SIGXCPU,
		SIGXFSZ,
		SIGVTALRM,
		SIGPROF,
		SIGSYS,
};

static void *
next_symbol(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

static int
note_ust_ranges(struct dl_phdr_info *info, size_t size, void *data)
{
	const char *name = info->dlpi_name ? info->dlpi_name : "";
	const char *base = strrchr(name, '/');

	(void)size;
	(void)data;
	base = base ? base + 1 : name;
	if (strncmp(base, "liblttng-ust", strlen("liblttng-ust")) != 0) {
		return 0;
	}
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X) ||
				n_ust_ranges == MAX_UST_RANGES) {
			continue;
		}
		ust_ranges[n_ust_ranges].lo = info->dlpi_addr + ph->p_vaddr;
		ust_ranges[n_ust_ranges].hi =
				info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
		n_ust_ranges++;
	}
	return 0;
}

static void
resolve(void)
{
	struct cotrace_real_calls calls;

	real.fork = next_symbol("fork");
	real.pthread_create = next_symbol("pthread_create");
	real.pthread_setname_np = next_symbol("pthread_setname_np");
	real.pthread_setspecific = next_symbol("pthread_setspecific");
	real.exit_ = (exit_fn)next_symbol("_exit");
	real.exit_upper = (exit_fn)next_symbol("_Exit");
	real.execve = next_symbol("execve");
	real.execv = next_symbol("execv");
	real.execvp = next_symbol("execvp");
	real.execvpe = next_symbol("execvpe");
	real.fexecve = next_symbol("fexecve");
	real.execveat = next_symbol("execveat");
	real.posix_spawn = (posix_spawn_fn)next_symbol("posix_spawn");
	real.posix_spawnp = (posix_spawn_fn)next_symbol("posix_spawnp");
	real.sigaction = next_symbol("sigaction");
	real.close = next_symbol("close");
	real.fclose = next_symbol("fclose");
	real.close_range = next_symbol("close_range");
	/* lttng-ust's libraries are all loaded: they are our dependencies. */
	dl_iterate_phdr(note_ust_ranges, NULL);

	calls.fork = real.fork;
	calls.pthread_create = real.pthread_create;
	calls.pthread_setname_np = real.pthread_setname_np;
	cotrace__set_real_calls(&calls);
}

/*
 * Every interposer starts here: interposers run before this library's
 * constructor when another library's constructor calls them (lttng-ust
 * starts its threads from its own).
 */
static void
ensure_init(void)
{
	pthread_once(&init_once, resolve);
}

static bool
from_ust(const void *addr)
{
	uintptr_t a = (uintptr_t)addr;

	for (int i = 0; i < n_ust_ranges; i++) {
		if (a >= ust_ranges[i].lo && a < ust_ranges[i].hi) {
			return true;
		}
	}
	return false;
}

/*
 * Whether this process's lttng-ust state is its own. A child made without
 * fork() (a raw clone(), _Fork()) still holds its parent's cached pid and
 * would emit in its parent's name: it stays silent.
 */
static bool
traced_here(void)
{
	return getpid() == __atomic_load_n(&self_pid, __ATOMIC_RELAXED);
}

static void
atfork_child(void)
{
	__atomic_store_n(&self_pid, getpid(), __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------------ */
/* Thread-local storage slots.                                         */

/*
 * glibc keeps a thread's first 32 key values in its struct pthread
 * (specific_1stblock, {seq, data} pairs) followed by the array of
 * second-level blocks (specific[], whose first entry points back to the
 * first block). Their offset is not public: it is found once by setting a
 * known value on a scratch key and looking for it, and accepted only if
 * specific[0] points back to the block found.
 */
static void
find_key_slots(void)
{
	static const char sentinel;
	const unsigned char *self = (const unsigned char *)pthread_self();
	pthread_key_t key;
	ptrdiff_t found = -1;

	if (!real.pthread_setspecific || pthread_key_create(&key, NULL) != 0) {
		return;
	}
	if (key >= KEY_BLOCK || real.pthread_setspecific(key, &sentinel) != 0) {
		goto end;
	}
	/* struct pthread is about 2.3 KiB; the block is in its first half. */
	for (ptrdiff_t off = 0; off + 8 <= 2048; off += 8) {
		const void *v;

		memcpy(&v, self + off, sizeof(v));
		if (v == &sentinel) {
			found = off;
			break;
		}
	}
	if (found >= 0) {
		ptrdiff_t first = found - 8 - (ptrdiff_t)key * 16;
		ptrdiff_t spec = first + KEY_BLOCK * 16;
		const void *head;

		memcpy(&head, self + spec, sizeof(head));
		if (first >= 0 && head == self + first) {
			first_block_off = first;
			specific_off = spec;
		}
	}
	real.pthread_setspecific(key, NULL);
end:
	pthread_key_delete(key);
}

/*
 * Where the calling thread keeps `key`'s value, checked against the value
 * just set; else the key number itself (documented as "no address").
 */
static const void *
key_slot(pthread_key_t key, const void *value)
{
	const unsigned char *self = (const unsigned char *)pthread_self();
	const unsigned char *slot = NULL;
	const void *held;

	if (first_block_off < 0) {
		goto unknown;
	}
	if (key < KEY_BLOCK) {
		slot = self + first_block_off + key * 16 + 8;
	} else {
		const unsigned char *block;

		if (key / KEY_BLOCK >= 32) { /* PTHREAD_KEY_1STLEVEL_SIZE */
			goto unknown;
		}
		memcpy(&block, self + specific_off + (key / KEY_BLOCK) * 8,
				sizeof(block));
		if (!block) {
			goto unknown;
		}
		slot = block + (key % KEY_BLOCK) * 16 + 8;
	}
	memcpy(&held, slot, sizeof(held));
	if (held == value) {
		return slot;
	}
unknown:
	return (const void *)(uintptr_t)key;
}

/* ------------------------------------------------------------------ */
/* Fatal signals.                                                      */

static bool
is_fatal_signal(int signo)
{
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]);
			i++) {
		if (fatal_signals[i] == signo) {
			return true;
		}
	}
	return false;
}

/*
 * Runs where the default action would have killed the process: records
 * the death, restores the default and sends the signal again to the same
 * thread. It is blocked until this handler returns, then kills the process
 * exactly as it would have (same signal, same core dump), and a fault's
 * context is the one the core shows.
 */
static void
fatal_handler(int signo, siginfo_t *info, void *context)
{
	int saved_errno = errno;
	struct sigaction dfl;

	(void)info;
	(void)context;
	cotrace__fatal_signal(signo);
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	real.sigaction(signo, &dfl, NULL);
	syscall(SYS_tgkill, getpid(), gettid(), signo);
	errno = saved_errno;
}

static void
fatal_action(struct sigaction *act)
{
	memset(act, 0, sizeof(*act));
	act->sa_sigaction = fatal_handler;
	sigemptyset(&act->sa_mask);
	act->sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
}

static bool
is_fatal_action(const struct sigaction *act)
{
	return (act->sa_flags & SA_SIGINFO) &&
	       act->sa_sigaction == fatal_handler;
}

/*
 * Only where the disposition is the default: a program's own handler, an
 * ignored signal (inherited SIG_IGN) and sanitizers' handlers are left
 * alone. Only when fatal_signal is enabled: without a session the program
 * keeps its dispositions untouched.
 */
static void
install_fatal_handlers(void)
{
	struct sigaction act, old;

	if (!real.sigaction || !cotrace__fatal_signal_enabled()) {
		return;
	}
	fatal_action(&act);
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]);
			i++) {
		if (real.sigaction(fatal_signals[i], NULL, &old) != 0 ||
				(old.sa_flags & SA_SIGINFO) ||
				old.sa_handler != SIG_DFL) {
			continue;
		}
		real.sigaction(fatal_signals[i], &act, NULL);
	}
	__atomic_store_n(&fatal_handlers, true, __ATOMIC_RELEASE);
}

/*
 * The program sees the dispositions it would have without us: our handler
 * reads as SIG_DFL, and setting SIG_DFL keeps our handler (which ends in
 * the default action).
 */
int
sigaction(int signo, const struct sigaction *act, struct sigaction *oact)
{
	struct sigaction mine;
	int ret;

	ensure_init();
	if (!real.sigaction) {
		errno = ENOSYS;
		return -1;
	}
	if (!__atomic_load_n(&fatal_handlers, __ATOMIC_ACQUIRE) ||
			!is_fatal_signal(signo)) {
		return real.sigaction(signo, act, oact);
	}
	if (act && !(act->sa_flags & SA_SIGINFO) &&
			act->sa_handler == SIG_DFL) {
		fatal_action(&mine);
		act = &mine;
	}
	ret = real.sigaction(signo, act, oact);
	if (ret == 0 && oact && is_fatal_action(oact)) {
		memset(oact, 0, sizeof(*oact));
		oact->sa_handler = SIG_DFL;
		sigemptyset(&oact->sa_mask);
	}
	return ret;
}

/* glibc's signal(): BSD semantics, through our sigaction(). */
sighandler_t
signal(int signo, sighandler_t handler)
{
	struct sigaction act, old;

	if (handler == SIG_ERR || signo < 1 || signo >= NSIG) {
		errno = EINVAL;
		return SIG_ERR;
	}
	memset(&act, 0, sizeof(act));
	act.sa_handler = handler;
	sigemptyset(&act.sa_mask);
	sigaddset(&act.sa_mask, signo);
	act.sa_flags = SA_RESTART;
	if (sigaction(signo, &act, &old) < 0) {
		return SIG_ERR;
	}
	return old.sa_handler;
}

/* ------------------------------------------------------------------ */
/* Processes.                                                          */

static void __attribute__((constructor)) preload_init(void)
{
	ensure_init();
	__atomic_store_n(&self_pid, getpid(), __ATOMIC_RELAXED);
	pthread_atfork(NULL, NULL, atfork_child);
	find_key_slots();
	cotrace_proc_start();
	install_fatal_handlers();
}

/*
 * main() runs through main_hook(), which registers proc_exit's exit
 * handler once the dynamic linker's teardown is registered (it runs in
 * reverse order, so ours runs first, while lttng-ust still works).
 */
typedef int (*main_fn)(int, char **, char **);
typedef int (*start_main_fn)(main_fn, int, char **, main_fn, void (*)(void),
		void (*)(void), void *);

int __libc_start_main(main_fn main, int argc, char **argv, main_fn init,
		void (*fini)(void), void (*rtld_fini)(void), void *stack_end);

static main_fn real_main;

static int
main_hook(int argc, char **argv, char **envp)
{
	cotrace__exit_handler_late();
	return real_main(argc, argv, envp);
}

int
__libc_start_main(main_fn main, int argc, char **argv, main_fn init,
		void (*fini)(void), void (*rtld_fini)(void), void *stack_end)
{
	start_main_fn start = (start_main_fn)next_symbol("__libc_start_main");

	if (!start) {
		/* No way on: this only happens with a broken libc. */
		syscall(SYS_exit_group, 127);
	}
	real_main = main;
	return start(main_hook, argc, argv, init, fini, rtld_fini, stack_end);
}

pid_t
fork(void)
{
	ensure_init();
	return cotrace__fork(false);
}

/*
 * vfork() runs as fork(): a vfork child may only exec or _exit (POSIX), so
 * it cannot tell a copy from a borrowed address space, and a child that
 * shares its parent's memory could not re-register with the session daemon
 * without corrupting the parent's tracer state. The parent's event is
 * `vfork`, so the threads it lists are not reported as a hazard.
 */
pid_t
vfork(void)
{
	ensure_init();
	return cotrace__fork(true);
}

void
_exit(int status)
{
	ensure_init();
	if (traced_here()) {
		cotrace_proc_exit(status);
	}
	if (real.exit_) {
		real.exit_(status);
	}
	for (;;) {
		syscall(SYS_exit_group, status);
	}
}

void
_Exit(int status)
{
	ensure_init();
	if (traced_here()) {
		cotrace_proc_exit(status);
	}
	if (real.exit_upper) {
		real.exit_upper(status);
	}
	for (;;) {
		syscall(SYS_exit_group, status);
	}
}

/* exec: the event before the call; exec_failed if it returns. */
static bool
exec_begin(const char *path, char *const argv[])
{
	if (!traced_here()) {
		return false;
	}
	cotrace__exec(path, argv && argv[0] ? argv[0] : path);
	return true;
}

static int
exec_end(bool traced, const char *path, int ret)
{
	int saved_errno = errno;

	if (traced) {
		cotrace__exec_failed(path, saved_errno);
	}
	errno = saved_errno;
	return ret;
}

static int
missing_real(void)
{
	errno = ENOSYS;
	return -1;
}

int
execve(const char *path, char *const argv[], char *const envp[])
{
	bool traced;

	ensure_init();
	if (!real.execve) {
		return missing_real();
	}
	traced = exec_begin(path, argv);
	return exec_end(traced, path, real.execve(path, argv, envp));
}

int
execv(const char *path, char *const argv[])
{
	bool traced;

	ensure_init();
	if (!real.execv) {
		return missing_real();
	}
	traced = exec_begin(path, argv);
	return exec_end(traced, path, real.execv(path, argv));
}

int
execvp(const char *file, char *const argv[])
{
	bool traced;

	ensure_init();
	if (!real.execvp) {
		return missing_real();
	}
	traced = exec_begin(file, argv);
	return exec_end(traced, file, real.execvp(file, argv));
}

int
execvpe(const char *file, char *const argv[], char *const envp[])
{
	bool traced;

	ensure_init();
	if (!real.execvpe) {
		return missing_real();
	}
	traced = exec_begin(file, argv);
	return exec_end(traced, file, real.execvpe(file, argv, envp));
}

int
execveat(int dirfd, const char *path, char *const argv[], char *const envp[],
		int flags)
{
	bool traced;

	ensure_init();
	if (!real.execveat) {
		return missing_real();
	}
	traced = exec_begin(path, argv);
	return exec_end(traced, path,
			real.execveat(dirfd, path, argv, envp, flags));
}

int
fexecve(int fd, char *const argv[], char *const envp[])
{
	char link[64], path[PATH_MAX];
	ssize_t n = -1;
	bool traced;

	ensure_init();
	if (!real.fexecve) {
		return missing_real();
	}
	/* The file's name, when the event wants one. */
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if (traced_here()) {
		n = readlink(link, path, sizeof(path) - 1);
	}
	if (n <= 0) {
		snprintf(path, sizeof(path), "%s", link);
	} else {
		path[n] = '\0';
	}
	traced = exec_begin(path, argv);
	return exec_end(traced, path, real.fexecve(fd, argv, envp));
}

/*
 * The execl() family gathers its arguments into an argv; the first 64 on
 * the stack (no allocation between fork and exec), more on the heap.
 */
#define EXECL_STACK_ARGS 64

enum execl_kind {
	EXECL_PATH,   /* execl: path, no search */
	EXECL_SEARCH, /* execlp: PATH search */
	EXECL_ENV,    /* execle: envp after the NULL */
};

static int
execl_common(enum execl_kind kind, const char *path, const char *arg,
		va_list ap)
{
	char *stack_argv[EXECL_STACK_ARGS];
	char **argv = stack_argv;
	char *const *envp = NULL;
	size_t n = 0, cap = EXECL_STACK_ARGS;
	int ret;

	argv[n++] = (char *)arg;
	while (argv[n - 1]) {
		if (n == cap) {
			char **grown = malloc(2 * cap * sizeof(*grown));

			if (!grown) {
				if (argv != stack_argv) {
					free(argv);
				}
				errno = ENOMEM;
				return -1;
			}
			memcpy(grown, argv, n * sizeof(*grown));
			if (argv != stack_argv) {
				free(argv);
			}
			argv = grown;
			cap *= 2;
		}
		argv[n++] = va_arg(ap, char *);
	}
	if (kind == EXECL_ENV) {
		envp = va_arg(ap, char *const *);
	}
	switch (kind) {
	case EXECL_PATH:
		ret = execv(path, argv);
		break;
	case EXECL_SEARCH:
		ret = execvp(path, argv);
		break;
	default:
		ret = execve(path, argv, envp);
		break;
	}
	if (argv != stack_argv) {
		int saved_errno = errno;

		free(argv);
		errno = saved_errno;
	}
	return ret;
}

int
execl(const char *path, const char *arg, ...)
{
	va_list ap;
	int ret;

	va_start(ap, arg);
	ret = execl_common(EXECL_PATH, path, arg, ap);
	va_end(ap);
	return ret;
}

int
execlp(const char *file, const char *arg, ...)
{
	va_list ap;
	int ret;

	va_start(ap, arg);
	ret = execl_common(EXECL_SEARCH, file, arg, ap);
	va_end(ap);
	return ret;
}

int
execle(const char *path, const char *arg, ...)
{
	va_list ap;
	int ret;

	va_start(ap, arg);
	ret = execl_common(EXECL_ENV, path, arg, ap);
	va_end(ap);
	return ret;
}

/*
 * posix_spawn(): glibc's child shares the parent's memory until it execs
 * and runs no code of ours, so only the parent reports (spawn); the child
 * shows up through the new image's proc_start.
 */
static int
spawn_common(posix_spawn_fn fn, pid_t *pid, const char *path,
		const posix_spawn_file_actions_t *actions,
		const posix_spawnattr_t *attr, char *const argv[],
		char *const envp[])
{
	pid_t child = -1;
	int ret;

	if (!fn) {
		return ENOSYS;
	}
	ret = fn(&child, path, actions, attr, argv, envp);
	if (ret == 0 && pid) {
		*pid = child;
	}
	cotrace__spawn(ret == 0 ? child : -1, ret, path,
			argv && argv[0] ? argv[0] : path);
	return ret;
}

int
posix_spawn(pid_t *pid, const char *path,
		const posix_spawn_file_actions_t *actions,
		const posix_spawnattr_t *attr, char *const argv[],
		char *const envp[])
{
	ensure_init();
	return spawn_common(
			real.posix_spawn, pid, path, actions, attr, argv, envp);
}

int
posix_spawnp(pid_t *pid, const char *file,
		const posix_spawn_file_actions_t *actions,
		const posix_spawnattr_t *attr, char *const argv[],
		char *const envp[])
{
	ensure_init();
	return spawn_common(real.posix_spawnp, pid, file, actions, attr, argv,
			envp);
}

/* ------------------------------------------------------------------ */
/* Threads.                                                            */

/*
 * Every thread of the program goes through cotrace_thread_create()'s
 * trampoline: thread_start with the name it inherited, thread_exit with
 * its CPU time when it returns or calls pthread_exit().
 */
int
pthread_create(pthread_t *thread, const pthread_attr_t *attr,
		void *(*start_routine)(void *), void *arg)
{
	ensure_init();
	if (!real.pthread_create) {
		return EAGAIN;
	}
	if (from_ust((const void *)(uintptr_t)start_routine)) {
		return real.pthread_create(thread, attr, start_routine, arg);
	}
	return cotrace_thread_create(thread, attr, start_routine, arg, NULL);
}

int
pthread_setname_np(pthread_t thread, const char *name)
{
	int ret;

	ensure_init();
	if (!real.pthread_setname_np) {
		return ENOSYS;
	}
	ret = real.pthread_setname_np(thread, name);
	if (ret == 0 && !from_ust(__builtin_return_address(0))) {
		cotrace__thread_name(thread, name);
	}
	return ret;
}

int
pthread_setspecific(pthread_key_t key, const void *value)
{
	int ret;

	ensure_init();
	if (!real.pthread_setspecific) {
		return EINVAL;
	}
	ret = real.pthread_setspecific(key, value);
	if (ret == 0 && cotrace__tls_write_enabled() &&
			!from_ust(__builtin_return_address(0))) {
		int saved_errno = errno;

		cotrace__tls_write_key(key, value, key_slot(key, value));
		errno = saved_errno;
	}
	return ret;
}

/* ------------------------------------------------------------------ */
/* File descriptors: lttng-ust's own survive a program closing them all. */

int
close(int fd)
{
	ensure_init();
	if (!real.close) {
		return (int)syscall(SYS_close, fd);
	}
	return lttng_ust_safe_close_fd(fd, real.close);
}

int
fclose(FILE *stream)
{
	ensure_init();
	if (!real.fclose) {
		errno = ENOSYS;
		return EOF;
	}
	return lttng_ust_safe_fclose_stream(stream, real.fclose);
}

static int
set_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags < 0) {
		return -1;
	}
	return fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

/* One descriptor of a close_range(): lttng-ust's are skipped. */
static void
close_one(unsigned int fd, int flags)
{
	int saved_errno = errno;

	if (flags & CLOSE_RANGE_CLOEXEC) {
		lttng_ust_safe_close_fd((int)fd, set_cloexec);
	} else {
		lttng_ust_safe_close_fd((int)fd, real.close);
	}
	errno = saved_errno;
}

/*
 * close_range() one descriptor at a time through the fd tracker: the open
 * ones are read from /proc/self/fd (getdents64 into the stack: this may run
 * between fork and exec), or tried one by one up to the descriptor limit.
 */
int
close_range(unsigned int first, unsigned int last, int flags)
{
	char dents[4096] __attribute__((aligned(8)));
	struct rlimit lim;
	unsigned int top;
	ssize_t n;
	int dir;

	ensure_init();
	if (!real.close || !real.close_range ||
			(flags & ~(int)(CLOSE_RANGE_UNSHARE |
						 CLOSE_RANGE_CLOEXEC)) ||
			first > last) {
		if (!real.close_range) {
			errno = ENOSYS;
			return -1;
		}
		return real.close_range(first, last, flags);
	}
	if ((flags & CLOSE_RANGE_UNSHARE) &&
			syscall(SYS_unshare, CLONE_FILES) != 0) {
		return -1;
	}
	dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir >= 0) {
		while ((n = syscall(SYS_getdents64, dir, dents,
					sizeof(dents))) > 0) {
			for (ssize_t off = 0; off < n;) {
				struct dirent64 *d = (struct dirent64 *)(dents +
									 off);
				char *end;
				unsigned long fd;

				off += d->d_reclen;
				if (d->d_name[0] < '0' || d->d_name[0] > '9') {
					continue;
				}
				fd = strtoul(d->d_name, &end, 10);
				if (*end || fd < first || fd > last ||
						(int)fd == dir) {
					continue;
				}
				close_one((unsigned int)fd, flags);
			}
		}
		real.close(dir);
		if (n == 0) {
			return 0;
		}
	}
	top = last;
	if (getrlimit(RLIMIT_NOFILE, &lim) == 0 &&
			lim.rlim_cur != RLIM_INFINITY &&
			lim.rlim_cur - 1 < top) {
		top = (unsigned int)(lim.rlim_cur - 1);
	}
	for (unsigned int fd = first; fd <= top; fd++) {
		close_one(fd, flags);
		if (fd == UINT_MAX) {
			break;
		}
	}
	return 0;
}

void
closefrom(int lowfd)
{
	int saved_errno = errno;

	if (lowfd < 0) {
		lowfd = 0;
	}
	close_range((unsigned int)lowfd, UINT_MAX, 0);
	errno = saved_errno;
}
