/*
 * libcotrace: the instrumentation API (include/cotrace/cotrace.h) on top of
 * the `cotrace` LTTng-UST provider (tracepoints/cotrace-tp.h).
 *
 * Every event is guarded by lttng_ust_tracepoint_enabled() so that, without
 * a session, a call costs one branch and no argument is computed. Nothing on
 * the event path prints or allocates: a traced program may be in a fork
 * child, in a signal-sensitive spot or in its exit path.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <lttng/ust-fork.h>

#include "cotrace/cotrace.h"
#include "cotrace-internal.h"
#include "cotrace-tp.h"

/* Marks alive_names as truncated. */
#define COTRACE_FORK_NAMES_MORE ",..."
/* lttng-ust names its listener threads "<name>-ust"; they are not ours. */
#define COTRACE_UST_THREAD_SUFFIX "-ust"
/* A thread name as the kernel keeps it: 15 characters and a NUL. */
#define COTRACE_COMM_LEN 16

static pthread_once_t run_id_once = PTHREAD_ONCE_INIT;
static uint64_t run_id;

/*
 * Process state. Flags rather than locks: they are set once, read on the
 * exit path, and a fork child rewrites them before anything else runs in it.
 */
static int proc_started;
static int exit_registered;
static int exit_emitted;

/*
 * The real functions behind libcotrace-preload.so's interposers, when it is
 * loaded (cotrace__set_real_calls()); NULL: the plain symbols.
 */
static pid_t (*real_fork)(void);
static int (*real_pthread_create)(
		pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
static int (*real_pthread_setname_np)(pthread_t, const char *);

struct thread_start_info {
	void *(*start_routine)(void *);
	void *arg;
	char name[]; /* the full name; the kernel keeps its first 15 chars */
};

static void
read_run_id(void)
{
	const char *text = getenv("COTRACE_RUN_ID");
	unsigned long long value;
	char *end;

	/*
	 * An id that does not parse counts as none (0): the library cannot
	 * report errors, and `cotrace record` always sets a valid one.
	 */
	if (!text || *text < '0' || *text > '9') {
		return;
	}
	errno = 0;
	value = strtoull(text, &end, 10);
	if (errno || *end != '\0') {
		return;
	}
	run_id = value;
}

uint64_t
cotrace_run_id(void)
{
	int saved_errno = errno;

	pthread_once(&run_id_once, read_run_id);
	errno = saved_errno;
	return run_id;
}

/* Reads it before main() so that the event path never sees a getenv(). */
static void __attribute__((constructor)) cotrace_init(void)
{
	(void)cotrace_run_id();
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

/*
 * argv[0] as the program was started; the basename of /proc/self/exe when
 * argv[0] is empty (a program run through execve with an empty argv).
 */
static const char *
exe_name(char *buf, size_t len)
{
	ssize_t n;
	char *slash;

	if (program_invocation_name && program_invocation_name[0]) {
		return program_invocation_name;
	}
	n = readlink("/proc/self/exe", buf, len - 1);
	if (n <= 0) {
		return "";
	}
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	return slash ? slash + 1 : buf;
}

static void
emit_proc_start(int fork_ret)
{
	char buf[256];

	if (!lttng_ust_tracepoint_enabled(cotrace, proc_start)) {
		return;
	}
	lttng_ust_do_tracepoint(cotrace, proc_start, cotrace_run_id(),
			(int)getppid(), fork_ret, exe_name(buf, sizeof(buf)),
			clock_ns(CLOCK_PROCESS_CPUTIME_ID));
}

void
cotrace_proc_exit(int status)
{
	int saved_errno = errno;

	/* Nothing to do, not even a gettid(), when nobody records. */
	if (!cotrace__proc_exit_enabled() ||
			__atomic_exchange_n(
					&exit_emitted, 1, __ATOMIC_ACQ_REL)) {
		goto end;
	}
	/*
	 * The main thread was never started through cotrace_thread_create(),
	 * so its thread_exit (and CPU time) comes with the process's exit
	 * when it is the one leaving.
	 */
	if (gettid() == getpid() &&
			lttng_ust_tracepoint_enabled(cotrace, thread_exit)) {
		lttng_ust_do_tracepoint(cotrace, thread_exit, cotrace_run_id(),
				clock_ns(CLOCK_THREAD_CPUTIME_ID));
	}
	if (lttng_ust_tracepoint_enabled(cotrace, proc_exit)) {
		lttng_ust_do_tracepoint(cotrace, proc_exit, cotrace_run_id(),
				status, clock_ns(CLOCK_PROCESS_CPUTIME_ID));
	}
end:
	errno = saved_errno;
}

static void
on_exit_handler(int status, void *unused)
{
	cotrace_proc_exit(status);
}

/* Registered once per process image; fork children inherit it. */
static void
register_exit_handler(void)
{
	if (__atomic_exchange_n(&exit_registered, 1, __ATOMIC_ACQ_REL)) {
		return;
	}
	if (on_exit(on_exit_handler, NULL)) {
		/* Without the handler only cotrace_proc_exit() can emit. */
		__atomic_store_n(&exit_registered, 0, __ATOMIC_RELEASE);
	}
}

/*
 * on_exit() handlers run in the reverse order of their registration, and
 * the one that tears lttng-ust down (the dynamic linker's destructors) is
 * registered just before main() runs: a handler registered earlier, from a
 * library constructor, runs when the tracer is gone. The preload registers
 * again from main()'s start; whichever handler runs first emits.
 */
void
cotrace__exit_handler_late(void)
{
	static int late_registered;
	int saved_errno = errno;

	if (!__atomic_exchange_n(&late_registered, 1, __ATOMIC_ACQ_REL) &&
			on_exit(on_exit_handler, NULL) == 0) {
		__atomic_store_n(&exit_registered, 1, __ATOMIC_RELEASE);
	}
	errno = saved_errno;
}

void
cotrace_proc_start(void)
{
	int saved_errno = errno;

	if (__atomic_exchange_n(&proc_started, 1, __ATOMIC_ACQ_REL)) {
		goto end;
	}
	register_exit_handler();
	emit_proc_start(-1);
end:
	errno = saved_errno;
}

static bool
is_digits(const char *s)
{
	if (!*s) {
		return false;
	}
	for (; *s; s++) {
		if (*s < '0' || *s > '9') {
			return false;
		}
	}
	return true;
}

static bool
has_suffix(const char *s, const char *suffix)
{
	size_t len = strlen(s);
	size_t suffix_len = strlen(suffix);

	return len >= suffix_len && !strcmp(s + len - suffix_len, suffix);
}

/* The comm of thread `tid` of this process into `name`; "" if unreadable. */
static void
thread_comm(const char *tid, char *name, size_t len)
{
	char path[64] = "/proc/self/task/";
	ssize_t n;
	int fd;

	name[0] = '\0';
	if (strlen(path) + strlen(tid) + sizeof("/comm") > sizeof(path)) {
		return;
	}
	strcat(path, tid);
	strcat(path, "/comm");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return;
	}
	n = read(fd, name, len - 1);
	close(fd);
	if (n <= 0) {
		return;
	}
	name[n] = '\0';
	if (name[n - 1] == '\n') {
		name[n - 1] = '\0';
	}
}

/* Appends `s` to names if all of it fits; returns false otherwise. */
static bool
names_append(char *names, size_t *used, const char *s)
{
	size_t len = strlen(s);

	if (*used + len + 1 > COTRACE_FORK_NAMES_LEN) {
		return false;
	}
	memcpy(names + *used, s, len + 1);
	*used += len;
	return true;
}

/*
 * Lists this process's threads other than the caller and lttng-ust's own,
 * without allocating: getdents64() into a stack buffer, not opendir().
 * Threads started or ended while it reads are a race the caller accepts.
 */
static void
list_alive_threads(struct cotrace__alive_threads *alive)
{
	char dents[4096] __attribute__((aligned(8)));
	pid_t self = gettid();
	size_t used = 0;
	ssize_t n;
	int fd;

	alive->count = 1;
	alive->n_tids = 0;
	alive->truncated = false;
	alive->names[0] = '\0';
	fd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		return;
	}
	while ((n = getdents64(fd, dents, sizeof(dents))) > 0) {
		ssize_t off = 0;

		while (off < n) {
			struct dirent64 *d = (struct dirent64 *)(dents + off);
			char comm[COTRACE_COMM_LEN + 8];
			char entry[COTRACE_COMM_LEN + 32];
			long tid;

			off += d->d_reclen;
			if (!is_digits(d->d_name)) {
				continue;
			}
			tid = strtol(d->d_name, NULL, 10);
			if (tid == self) {
				continue;
			}
			thread_comm(d->d_name, comm, sizeof(comm));
			if (has_suffix(comm, COTRACE_UST_THREAD_SUFFIX)) {
				continue;
			}
			alive->count++;
			if (alive->truncated) {
				continue;
			}
			if (alive->n_tids == COTRACE_FORK_MAX_TIDS) {
				alive->truncated = true;
				continue;
			}
			/* strcat, not snprintf: snprintf may allocate. */
			entry[0] = '\0';
			if (alive->n_tids) {
				strcat(entry, ",");
			}
			strcat(entry, comm);
			strcat(entry, "(");
			strcat(entry, d->d_name);
			strcat(entry, ")");
			if (used + strlen(entry) + sizeof(COTRACE_FORK_NAMES_MORE) >
					COTRACE_FORK_NAMES_LEN) {
				alive->truncated = true;
				continue;
			}
			names_append(alive->names, &used, entry);
			alive->tids[alive->n_tids++] = (int)tid;
		}
	}
	close(fd);
	if (alive->truncated) {
		names_append(alive->names, &used, COTRACE_FORK_NAMES_MORE);
	}
}

void
cotrace__set_real_calls(const struct cotrace_real_calls *real)
{
	__atomic_store_n(&real_fork, real->fork, __ATOMIC_RELEASE);
	__atomic_store_n(&real_pthread_create, real->pthread_create,
			__ATOMIC_RELEASE);
	__atomic_store_n(&real_pthread_setname_np, real->pthread_setname_np,
			__ATOMIC_RELEASE);
}

static pid_t
call_fork(void)
{
	pid_t (*fn)(void) = __atomic_load_n(&real_fork, __ATOMIC_ACQUIRE);

	return fn ? fn() : fork();
}

static bool
parent_event_enabled(bool vfork)
{
	return vfork ? lttng_ust_tracepoint_enabled(cotrace, vfork)
		     : lttng_ust_tracepoint_enabled(cotrace, fork);
}

pid_t
cotrace_fork(void)
{
	return cotrace__fork(false);
}

void
cotrace__fork_prepare(struct cotrace__fork_ctx *ctx, bool vfork)
{
	/*
	 * The threads are listed before fork(): afterwards the child has only
	 * the caller, and in the parent some may already have ended.
	 */
	ctx->vfork = vfork;
	ctx->new_pid_ns = false;
	ctx->enabled = parent_event_enabled(vfork);
	if (ctx->enabled) {
		list_alive_threads(&ctx->alive);
	}
	lttng_ust_before_fork(&ctx->sigset);
}

void
cotrace__fork_child(struct cotrace__fork_ctx *ctx)
{
	int saved_errno = errno;

	/*
	 * Re-registers with the session daemon and waits for it (as
	 * lttng-ust's constructor does), so that even a child that exits at
	 * once has its events recorded.
	 */
	lttng_ust_after_fork_child(&ctx->sigset);
	__atomic_store_n(&exit_emitted, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&proc_started, 1, __ATOMIC_RELEASE);
	register_exit_handler();
	emit_proc_start(0);
	errno = saved_errno;
}

/* Decimal text of `value`; `buf` holds at least 21 bytes. */
static const char *
format_int64(int64_t value, char buf[static 21])
{
	uint64_t magnitude = value < 0 ? -(uint64_t)value : (uint64_t)value;
	char *p = buf + 20;

	*p = '\0';
	do {
		*--p = (char)('0' + magnitude % 10);
		magnitude /= 10;
	} while (magnitude);
	if (value < 0) {
		*--p = '-';
	}
	return p;
}

/* Whether this process's children go to another pid namespace than its own. */
static bool
children_in_other_pid_ns(void)
{
	char own[64], children[64];
	ssize_t n_own, n_children;

	n_own = readlink("/proc/self/ns/pid", own, sizeof(own));
	n_children = readlink("/proc/self/ns/pid_for_children", children,
			sizeof(children));
	return n_own > 0 && n_children > 0 &&
	       (n_own != n_children || memcmp(own, children, (size_t)n_own));
}

/*
 * The pid child `pid` (a pid of our namespace) has in its own namespace:
 * the last field of the NSpid line of /proc/PID/status; `pid` itself when
 * unreadable. Read without allocating.
 */
static int
pid_in_own_ns(pid_t pid)
{
	char path[64] = "/proc/", num[21], buf[4096];
	const char *line, *p;
	long last = -1;
	ssize_t n;
	int fd;

	strcat(path, format_int64(pid, num));
	strcat(path, "/status");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return pid;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		return pid;
	}
	buf[n] = '\0';
	line = strstr(buf, "\nNSpid:");
	if (!line) {
		return pid;
	}
	for (p = line + strlen("\nNSpid:"); *p && *p != '\n';) {
		char *end;
		long v;

		if (*p == ' ' || *p == '\t') {
			p++;
			continue;
		}
		v = strtol(p, &end, 10);
		if (end == p) {
			break;
		}
		last = v;
		p = end;
	}
	return last > 0 ? (int)last : pid;
}

void
cotrace__fork_parent(struct cotrace__fork_ctx *ctx, pid_t pid)
{
	int saved_errno = errno;
	struct cotrace__alive_threads *alive = &ctx->alive;
	int child_vpid;

	lttng_ust_after_fork_parent(&ctx->sigset);
	/* A failed fork() made no process: there is nothing to show. */
	if (pid > 0 && ctx->enabled && parent_event_enabled(ctx->vfork)) {
		/*
		 * A child in another pid namespace records its pid there:
		 * the model links the fork by that one.
		 */
		child_vpid = ctx->new_pid_ns || children_in_other_pid_ns()
					     ? pid_in_own_ns(pid)
					     : (int)pid;
		if (ctx->vfork) {
			lttng_ust_do_tracepoint(cotrace, vfork,
					cotrace_run_id(), (int)pid,
					alive->count, alive->tids,
					alive->n_tids, alive->names,
					child_vpid);
		} else {
			lttng_ust_do_tracepoint(cotrace, fork, cotrace_run_id(),
					(int)pid, alive->count, alive->tids,
					alive->n_tids, alive->names,
					child_vpid);
		}
	}
	errno = saved_errno;
}

pid_t
cotrace__fork(bool vfork)
{
	struct cotrace__fork_ctx ctx;
	int saved_errno;
	pid_t pid;

	cotrace__fork_prepare(&ctx, vfork);
	pid = call_fork();
	saved_errno = errno;
	if (pid == 0) {
		cotrace__fork_child(&ctx);
	} else {
		cotrace__fork_parent(&ctx, pid);
	}
	errno = saved_errno;
	return pid;
}

static void
thread_exit_handler(void *unused)
{
	int saved_errno = errno;

	if (lttng_ust_tracepoint_enabled(cotrace, thread_exit)) {
		lttng_ust_do_tracepoint(cotrace, thread_exit, cotrace_run_id(),
				clock_ns(CLOCK_THREAD_CPUTIME_ID));
	}
	errno = saved_errno;
}

static void *
thread_trampoline(void *opaque)
{
	struct thread_start_info *info = opaque;
	void *(*start_routine)(void *) = info->start_routine;
	void *arg = info->arg;
	void *ret;

	if (info->name[0]) {
		int (*setname)(pthread_t, const char *) = __atomic_load_n(
				&real_pthread_setname_np, __ATOMIC_ACQUIRE);
		char comm[COTRACE_COMM_LEN];

		strncpy(comm, info->name, sizeof(comm) - 1);
		comm[sizeof(comm) - 1] = '\0';
		if (setname) {
			setname(pthread_self(), comm);
		} else {
			pthread_setname_np(pthread_self(), comm);
		}
	}
	if (lttng_ust_tracepoint_enabled(cotrace, thread_start)) {
		char comm[COTRACE_COMM_LEN];
		const char *name = info->name;

		/* Unnamed: the name the thread inherited from its creator. */
		if (!name[0] && pthread_getname_np(pthread_self(), comm,
						sizeof(comm)) == 0) {
			name = comm;
		}
		lttng_ust_do_tracepoint(
				cotrace, thread_start, cotrace_run_id(), name);
	}
	free(info);

	pthread_cleanup_push(thread_exit_handler, NULL);
	ret = start_routine(arg);
	pthread_cleanup_pop(1);
	return ret;
}

int
cotrace_thread_create(pthread_t *thread, const pthread_attr_t *attr,
		void *(*start_routine)(void *), void *arg, const char *name)
{
	int (*create)(pthread_t *, const pthread_attr_t *, void *(*)(void *),
			void *);
	struct thread_start_info *info;
	size_t name_len = name ? strlen(name) : 0;
	int saved_errno = errno;
	int status;

	info = malloc(sizeof(*info) + name_len + 1);
	if (!info) {
		status = EAGAIN;
		goto end;
	}
	info->start_routine = start_routine;
	info->arg = arg;
	memcpy(info->name, name ? name : "", name_len + 1);
	create = __atomic_load_n(&real_pthread_create, __ATOMIC_ACQUIRE);
	if (create) {
		status = create(thread, attr, thread_trampoline, info);
	} else {
		status = pthread_create(thread, attr, thread_trampoline, info);
	}
	if (status) {
		free(info);
	}
end:
	errno = saved_errno;
	return status;
}

void
cotrace_task_start(uint64_t task_id, const char *label)
{
	int saved_errno = errno;

	if (lttng_ust_tracepoint_enabled(cotrace, task_start)) {
		lttng_ust_do_tracepoint(cotrace, task_start, cotrace_run_id(),
				task_id, label ? label : "",
				clock_ns(CLOCK_THREAD_CPUTIME_ID));
	}
	errno = saved_errno;
}

void
cotrace_task_finish(uint64_t task_id)
{
	int saved_errno = errno;

	if (lttng_ust_tracepoint_enabled(cotrace, task_finish)) {
		lttng_ust_do_tracepoint(cotrace, task_finish, cotrace_run_id(),
				task_id, clock_ns(CLOCK_THREAD_CPUTIME_ID));
	}
	errno = saved_errno;
}

void
cotrace_tls_write(const char *key, const void *addr, const char *value)
{
	int saved_errno = errno;

	if (lttng_ust_tracepoint_enabled(cotrace, tls_write)) {
		lttng_ust_do_tracepoint(cotrace, tls_write, cotrace_run_id(),
				key ? key : "", value ? value : "", addr);
	}
	errno = saved_errno;
}

void
cotrace_tls_read(const char *key, const void *addr, const char *value)
{
	int saved_errno = errno;

	if (lttng_ust_tracepoint_enabled(cotrace, tls_read)) {
		lttng_ust_do_tracepoint(cotrace, tls_read, cotrace_run_id(),
				key ? key : "", value ? value : "", addr);
	}
	errno = saved_errno;
}

void
cotrace_tls_write_int(const char *key, const void *addr, int64_t value)
{
	int saved_errno = errno;
	char buf[21];

	if (lttng_ust_tracepoint_enabled(cotrace, tls_write)) {
		lttng_ust_do_tracepoint(cotrace, tls_write, cotrace_run_id(),
				key ? key : "", format_int64(value, buf), addr);
	}
	errno = saved_errno;
}

void
cotrace_tls_read_int(const char *key, const void *addr, int64_t value)
{
	int saved_errno = errno;
	char buf[21];

	if (lttng_ust_tracepoint_enabled(cotrace, tls_read)) {
		lttng_ust_do_tracepoint(cotrace, tls_read, cotrace_run_id(),
				key ? key : "", format_int64(value, buf), addr);
	}
	errno = saved_errno;
}

/* ---- for libcotrace-preload.so (cotrace-internal.h) ---- */

bool
cotrace__proc_exit_enabled(void)
{
	return lttng_ust_tracepoint_enabled(cotrace, proc_exit) ||
	       lttng_ust_tracepoint_enabled(cotrace, thread_exit);
}

bool
cotrace__exec_enabled(void)
{
	return lttng_ust_tracepoint_enabled(cotrace, exec) ||
	       lttng_ust_tracepoint_enabled(cotrace, exec_failed);
}

bool
cotrace__thread_name_enabled(void)
{
	return lttng_ust_tracepoint_enabled(cotrace, thread_name);
}

void
cotrace__exec(const char *path, const char *exe)
{
	int saved_errno = errno;

	if (lttng_ust_tracepoint_enabled(cotrace, exec)) {
		lttng_ust_do_tracepoint(cotrace, exec, cotrace_run_id(),
				path ? path : "", exe ? exe : "");
	}
	errno = saved_errno;
}

void
cotrace__exec_failed(const char *path, int error)
{
	int saved_errno = errno;

	if (lttng_ust_tracepoint_enabled(cotrace, exec_failed)) {
		lttng_ust_do_tracepoint(cotrace, exec_failed, cotrace_run_id(),
				path ? path : "", error);
	}
	errno = saved_errno;
}

void
cotrace__spawn(pid_t child_pid, int ret, const char *path, const char *exe)
{
	int saved_errno = errno;

	if (lttng_ust_tracepoint_enabled(cotrace, spawn)) {
		lttng_ust_do_tracepoint(cotrace, spawn, cotrace_run_id(),
				(int)child_pid, ret, path ? path : "",
				exe ? exe : "");
	}
	errno = saved_errno;
}

void
cotrace__thread_name(pthread_t thread, const char *name)
{
	int saved_errno = errno;

	if (lttng_ust_tracepoint_enabled(cotrace, thread_name)) {
		lttng_ust_do_tracepoint(cotrace, thread_name, cotrace_run_id(),
				(uint64_t)thread, name ? name : "");
	}
	errno = saved_errno;
}

bool
cotrace__tls_write_enabled(void)
{
	return lttng_ust_tracepoint_enabled(cotrace, tls_write);
}

/* The field lttng_ust_tracepoint_enabled() reads (lttng/tracepoint.h). */
const int *
cotrace__tls_write_state(void)
{
	return &lttng_ust_tracepoint_cotrace___tls_write.state;
}

/* "0x" and the hex digits of `value`; `buf` holds at least 19 bytes. */
static const char *
format_hex(uint64_t value, char buf[static 19])
{
	static const char digits[] = "0123456789abcdef";
	char *p = buf + 18;

	*p = '\0';
	do {
		*--p = digits[value & 0xf];
		value >>= 4;
	} while (value);
	*--p = 'x';
	*--p = '0';
	return p;
}

void
cotrace__tls_write_key(unsigned int key, const void *value, const void *addr)
{
	int saved_errno = errno;
	char key_buf[21], value_buf[19];

	if (lttng_ust_tracepoint_enabled(cotrace, tls_write)) {
		lttng_ust_do_tracepoint(cotrace, tls_write, cotrace_run_id(),
				format_int64((int64_t)key, key_buf),
				format_hex((uintptr_t)value, value_buf), addr);
	}
	errno = saved_errno;
}

bool
cotrace__fatal_signal_enabled(void)
{
	return lttng_ust_tracepoint_enabled(cotrace, fatal_signal);
}

void
cotrace__fatal_signal(int signo)
{
	int saved_errno = errno;

	/* Shares proc_exit's allowance: a process ends once. */
	if (__atomic_exchange_n(&exit_emitted, 1, __ATOMIC_ACQ_REL)) {
		goto end;
	}
	if (lttng_ust_tracepoint_enabled(cotrace, fatal_signal)) {
		lttng_ust_do_tracepoint(cotrace, fatal_signal, cotrace_run_id(),
				signo, clock_ns(CLOCK_PROCESS_CPUTIME_ID));
	}
end:
	errno = saved_errno;
}
