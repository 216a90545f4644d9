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
 * It is dormant unless the program runs under `cotrace record`
 * (COTRACE_RUN_ID) or asked for it (COTRACE_PRELOAD_ACTIVE). Dormant, neither
 * libcotrace nor lttng-ust is loaded (lttng-ust's fork support costs about
 * a millisecond per fork child), and every interposer calls the real
 * function after one check of `state`. Active, the constructor dlopen()s
 * libcotrace (see load_libcotrace()) and the interposers report.
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
	pid_t (*fork_upper)(void); /* _Fork */
	int (*clone)(int (*)(void *), void *, int, void *, ...);
} real;

/*
 * lttng-ust's fd tracker (liblttng-ust-common): found when lttng-ust is
 * loaded (active only), before its constructor starts the threads that
 * call it; see "File descriptors". safe_close_fd() closes `fd` through
 * `close_cb` unless lttng-ust owns it, so a program that closes every
 * descriptor keeps its tracer working.
 */
#define UST_COMMON_SONAME "liblttng-ust-common.so.1"
static struct {
	int (*add_fd)(int);
	void (*delete_fd)(int);
	void (*lock_fd)(void);
	void (*unlock_fd)(void);
	int (*safe_close_fd)(int fd, int (*close_cb)(int fd));
	int (*safe_fclose_stream)(FILE *stream, int (*fclose_cb)(FILE *stream));
} ust;

/*
 * libcotrace's entry points (its public API and cotrace-internal.h),
 * resolved from libcotrace.so.0 once it is loaded: only when the preload
 * is active (see preload_init()). Dormant, neither libcotrace nor
 * lttng-ust is ever loaded, and every interposer calls the real function.
 */
#define LIBCOTRACE_SONAME "libcotrace.so.0"
#define LIBCOTRACE_CALLS(X)                                                    \
	X(cotrace_proc_start)                                                  \
	X(cotrace_proc_exit)                                                   \
	X(cotrace_thread_create)                                               \
	X(cotrace__set_real_calls)                                             \
	X(cotrace__fork)                                                       \
	X(cotrace__fork_prepare)                                               \
	X(cotrace__fork_child)                                                 \
	X(cotrace__fork_parent)                                                \
	X(cotrace__exit_handler_late)                                          \
	X(cotrace__proc_exit_enabled)                                          \
	X(cotrace__exec_enabled)                                               \
	X(cotrace__thread_name_enabled)                                        \
	X(cotrace__exec)                                                       \
	X(cotrace__exec_failed)                                                \
	X(cotrace__spawn)                                                      \
	X(cotrace__thread_name)                                                \
	X(cotrace__tls_write_state)                                            \
	X(cotrace__tls_write_key)                                              \
	X(cotrace__fatal_signal_enabled)                                       \
	X(cotrace__fatal_signal)

static struct {
#define LIB_MEMBER(name) __typeof__(&name) name;
	LIBCOTRACE_CALLS(LIB_MEMBER)
#undef LIB_MEMBER
} lib;

/*
 * The environment variable that makes the preload active without a
 * recording's COTRACE_RUN_ID (a session of one's own, doc/preload.md).
 */
#define ACTIVE_ENV "COTRACE_PRELOAD_ACTIVE"

/*
 * 0: resolve() has not run; DORMANT: every interposer calls the real
 * function (no session of cotrace's, libcotrace not loaded yet or not
 * at all); LIVE: libcotrace is loaded and the interposers report.
 * The interposers' one check.
 */
enum preload_state {
	STATE_UNRESOLVED = 0,
	STATE_DORMANT,
	STATE_LIVE,
};
static int state;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
/* lttng-ust's fd tracker functions were all found: see "File descriptors". */
static bool fd_mirror;
/* tls_write's enabled state, read inline by pthread_setspecific(). */
static const int *tls_write_state;

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

/* glibc's GNU hash of a symbol name. */
static uint32_t
gnu_hash(const char *name)
{
	uint32_t h = 5381;

	for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
		h = h * 33 + *c;
	}
	return h;
}

struct ust_lookup {
	const char *name;
	void *addr; /* the definition found, NULL: none */
};

/* A dynamic entry's address: relocated in place by ld.so, or not. */
static const void *
dyn_ptr(const struct dl_phdr_info *info, ElfW(Addr) ptr)
{
	return (const void *)(ptr < info->dlpi_addr ? info->dlpi_addr + ptr
						    : ptr);
}

/*
 * Looks `name` up in liblttng-ust-common's dynamic symbols (its GNU hash
 * table). Not dlsym(): that takes the dynamic linker's lock, which a
 * dlopen() of lttng-ust holds while lttng-ust's constructor waits for its
 * threads, and those threads call the fd tracker through us.
 */
static int
lookup_in_ust_common(struct dl_phdr_info *info, size_t size, void *data)
{
	struct ust_lookup *look = data;
	const char *name = info->dlpi_name ? info->dlpi_name : "";
	const char *base = strrchr(name, '/');
	const ElfW(Dyn) *dyn = NULL;
	const ElfW(Sym) *symtab = NULL;
	const char *strtab = NULL;
	const uint32_t *table = NULL, *buckets, *chain;
	uint32_t nbuckets, symoffset, bloom_size, h, idx;

	(void)size;
	base = base ? base + 1 : name;
	if (strncmp(base, "liblttng-ust-common", strlen("liblttng-ust-common")) !=
			0) {
		return 0;
	}
	for (int i = 0; i < info->dlpi_phnum; i++) {
		if (info->dlpi_phdr[i].p_type == PT_DYNAMIC) {
			dyn = (const ElfW(Dyn) *)(info->dlpi_addr +
						  info->dlpi_phdr[i].p_vaddr);
		}
	}
	for (; dyn && dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_SYMTAB) {
			symtab = dyn_ptr(info, dyn->d_un.d_ptr);
		} else if (dyn->d_tag == DT_STRTAB) {
			strtab = dyn_ptr(info, dyn->d_un.d_ptr);
		} else if (dyn->d_tag == DT_GNU_HASH) {
			table = dyn_ptr(info, dyn->d_un.d_ptr);
		}
	}
	if (!symtab || !strtab || !table) {
		return 0;
	}
	nbuckets = table[0];
	symoffset = table[1];
	bloom_size = table[2];
	if (nbuckets == 0) {
		return 0;
	}
	buckets = (const uint32_t *)((const ElfW(Addr) *)(table + 4) +
				     bloom_size);
	chain = buckets + nbuckets;
	h = gnu_hash(look->name);
	idx = buckets[h % nbuckets];
	if (idx < symoffset) {
		return 0;
	}
	for (;; idx++) {
		uint32_t ch = chain[idx - symoffset];
		const ElfW(Sym) *sym = &symtab[idx];

		if ((ch | 1) == (h | 1) && sym->st_shndx != SHN_UNDEF &&
				strcmp(strtab + sym->st_name, look->name) == 0) {
			look->addr = (void *)(info->dlpi_addr + sym->st_value);
			return 1;
		}
		if (ch & 1) {
			return 0;
		}
	}
}

static void *
ust_common_symbol(const char *name)
{
	struct ust_lookup look = {name, NULL};

	dl_iterate_phdr(lookup_in_ust_common, &look);
	return look.addr;
}

/*
 * An fd-tracker function of lttng-ust's, found the first time it is
 * needed: lttng-ust is loaded by then (only its libraries call them).
 */
#define UST_CALL(member, name)                                                 \
	(__atomic_load_n(&ust.member, __ATOMIC_ACQUIRE)                        \
					? ust.member                           \
					: ust_resolve_##member(name))
#define UST_RESOLVER(member)                                                   \
	static __typeof__(ust.member) ust_resolve_##member(const char *name)   \
	{                                                                      \
		__typeof__(ust.member) fn = (__typeof__(ust.member))           \
				ust_common_symbol(name);                       \
		if (fn) {                                                      \
			__atomic_store_n(&ust.member, fn, __ATOMIC_RELEASE);   \
		}                                                              \
		return fn;                                                     \
	}
UST_RESOLVER(add_fd)
UST_RESOLVER(delete_fd)
UST_RESOLVER(lock_fd)
UST_RESOLVER(unlock_fd)
UST_RESOLVER(safe_close_fd)
UST_RESOLVER(safe_fclose_stream)

static int
missing_close(int fd)
{
	return (int)syscall(SYS_close, fd);
}

static int
missing_setspecific(pthread_key_t key, const void *value)
{
	(void)key;
	(void)value;
	return EINVAL;
}

/* Whether `name` holds a value that turns the preload on. */
static bool
env_on(const char *name)
{
	const char *value = getenv(name);

	return value && *value && strcmp(value, "0") != 0;
}

static void
resolve(void)
{
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
	real.fork_upper = next_symbol("_Fork");
	real.clone = next_symbol("clone");
	/* The two hot paths call these without a check. */
	if (!real.close) {
		real.close = missing_close;
	}
	if (!real.pthread_setspecific) {
		real.pthread_setspecific = missing_setspecific;
	}
	__atomic_store_n(&state, STATE_DORMANT, __ATOMIC_RELEASE);
}

/*
 * Every interposer starts here: interposers run before this library's
 * constructor when another library's constructor calls them.
 */
static void __attribute__((noinline, cold)) init_once_slow(void)
{
	pthread_once(&init_once, resolve);
}

static inline int
current_state(void)
{
	int s = __atomic_load_n(&state, __ATOMIC_ACQUIRE);

	if (__builtin_expect(s == STATE_UNRESOLVED, 0)) {
		init_once_slow();
		s = __atomic_load_n(&state, __ATOMIC_ACQUIRE);
	}
	return s;
}

/* Whether the interposers report: libcotrace is loaded. */
static inline bool
live(void)
{
	return current_state() == STATE_LIVE;
}

/* The real functions are resolved. */
static inline void
ensure_init(void)
{
	(void)current_state();
}

static int
missing_real(void)
{
	errno = ENOSYS;
	return -1;
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

static void fd_mirror_atfork_child(void);

static void
atfork_child(void)
{
	__atomic_store_n(&self_pid, getpid(), __ATOMIC_RELAXED);
	fd_mirror_atfork_child();
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
	lib.cotrace__fatal_signal(signo);
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

	if (!real.sigaction || !lib.cotrace__fatal_signal_enabled()) {
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

	if (!live()) {
		return real.sigaction ? real.sigaction(signo, act, oact)
				      : missing_real();
	}
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

/* Says why the preload stays dormant, once (per process image). */
static void
warn_dormant(const char *why)
{
	char msg[512];
	int len;

	len = snprintf(msg, sizeof(msg),
			"cotrace: warning: libcotrace-preload.so: cannot load "
			"%s (%s): this program is not traced\n",
			LIBCOTRACE_SONAME, why ? why : "unknown error");
	if (len > 0) {
		ssize_t n = write(STDERR_FILENO, msg,
				(size_t)len < sizeof(msg) ? (size_t)len
							 : sizeof(msg) - 1);
		(void)n;
	}
}

/* `rel` next to this library's own file; NULL if it is not there. */
static void *
open_next_to_preload(const char *rel)
{
	char path[PATH_MAX];
	const char *slash;
	Dl_info info;
	int len;

	if (!dladdr(&state, &info) || !info.dli_fname) {
		return NULL;
	}
	slash = strrchr(info.dli_fname, '/');
	if (!slash) {
		return NULL;
	}
	len = snprintf(path, sizeof(path), "%.*s/%s",
			(int)(slash - info.dli_fname), info.dli_fname, rel);
	if (len < 0 || (size_t)len >= sizeof(path) || access(path, R_OK) != 0) {
		return NULL;
	}
	return dlopen(path, RTLD_NOW | RTLD_GLOBAL);
}

/*
 * libcotrace.so.0, which brings lttng-ust (whose constructor starts its
 * threads and registers with the session daemon now). The copy already
 * loaded (an instrumented program), else the one next to the preload
 * (installed: LIBDIR/cotrace/../; a build tree: src/preload/../lib/), else
 * by soname (LD_LIBRARY_PATH, the preload's RUNPATH, ld.so.cache).
 */
static int
load_libcotrace(void)
{
	void *handle;
	const char *missing = NULL;

	handle = dlopen(LIBCOTRACE_SONAME, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD);
	if (!handle) {
		handle = open_next_to_preload("../" LIBCOTRACE_SONAME);
	}
	if (!handle) {
		handle = open_next_to_preload("../lib/" LIBCOTRACE_SONAME);
	}
	if (!handle) {
		handle = dlopen(LIBCOTRACE_SONAME, RTLD_NOW | RTLD_GLOBAL);
	}
	if (!handle) {
		warn_dormant(dlerror());
		return -1;
	}
#define LIB_RESOLVE(name)                                                      \
	lib.name = (__typeof__(lib.name))dlsym(handle, #name);                 \
	if (!lib.name && !missing) {                                           \
		missing = #name;                                               \
	}
	LIBCOTRACE_CALLS(LIB_RESOLVE)
#undef LIB_RESOLVE
	if (missing) {
		char why[128];

		snprintf(why, sizeof(why), "it has no %s", missing);
		warn_dormant(why);
		/* Loaded, but never called: lttng-ust stays idle. */
		return -1;
	}
	return 0;
}

/*
 * Dormant (no COTRACE_RUN_ID, no COTRACE_PRELOAD_ACTIVE): nothing is
 * loaded, and every interposer calls the real function. Active:
 * libcotrace and lttng-ust are loaded here, then the interposers report.
 */
static void __attribute__((constructor)) preload_init(void)
{
	struct cotrace_real_calls calls;
	const char *run_id;

	/*
	 * Read here, not in resolve(): an interposer may run before libc has
	 * set up the environment (a sanitizer's initialisation, from the
	 * executable's preinit_array).
	 */
	run_id = getenv("COTRACE_RUN_ID");
	if (current_state() != STATE_DORMANT ||
			(!(run_id && *run_id) && !env_on(ACTIVE_ENV)) ||
			load_libcotrace() != 0) {
		return;
	}
	__atomic_store_n(&self_pid, getpid(), __ATOMIC_RELAXED);
	pthread_atfork(NULL, NULL, atfork_child);
	find_key_slots();
	/* lttng-ust's libraries are loaded now. */
	dl_iterate_phdr(note_ust_ranges, NULL);
	fd_mirror = UST_CALL(add_fd, "lttng_ust_add_fd_to_tracker") &&
		    UST_CALL(delete_fd, "lttng_ust_delete_fd_from_tracker") &&
		    UST_CALL(lock_fd, "lttng_ust_lock_fd_tracker") &&
		    UST_CALL(unlock_fd, "lttng_ust_unlock_fd_tracker");
	(void)UST_CALL(safe_close_fd, "lttng_ust_safe_close_fd");
	(void)UST_CALL(safe_fclose_stream, "lttng_ust_safe_fclose_stream");
	calls.fork = real.fork;
	calls.pthread_create = real.pthread_create;
	calls.pthread_setname_np = real.pthread_setname_np;
	lib.cotrace__set_real_calls(&calls);
	tls_write_state = lib.cotrace__tls_write_state();
	__atomic_store_n(&state, STATE_LIVE, __ATOMIC_RELEASE);
	lib.cotrace_proc_start();
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
	lib.cotrace__exit_handler_late();
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
	if (current_state() != STATE_LIVE) {
		return start(main, argc, argv, init, fini, rtld_fini, stack_end);
	}
	real_main = main;
	return start(main_hook, argc, argv, init, fini, rtld_fini, stack_end);
}

pid_t
fork(void)
{
	if (!live()) {
		return real.fork ? real.fork() : missing_real();
	}
	return lib.cotrace__fork(false);
}

/*
 * What a fork child made without fork() (no pthread_atfork() handlers)
 * needs before it re-registers: this process's pid, and the other
 * threads' fd-tracker state dropped.
 */
static void
fork_child_reset(void)
{
	atfork_child();
}

/*
 * _Fork() (glibc 2.34): fork() without the pthread_atfork() handlers. It
 * runs through lttng-ust's fork hooks as fork() does, so the child is
 * traced; the program's atfork handlers still do not run.
 */
pid_t
_Fork(void)
{
	struct cotrace__fork_ctx ctx;
	int saved_errno;
	pid_t pid;

	if (!live()) {
		return real.fork_upper ? real.fork_upper() : missing_real();
	}
	if (!real.fork_upper) {
		errno = ENOSYS;
		return -1;
	}
	lib.cotrace__fork_prepare(&ctx, false);
	pid = real.fork_upper();
	saved_errno = errno;
	if (pid == 0) {
		fork_child_reset();
		lib.cotrace__fork_child(&ctx);
	} else {
		lib.cotrace__fork_parent(&ctx, pid);
	}
	errno = saved_errno;
	return pid;
}

/*
 * clone() that makes a process with its own memory and descriptor table
 * is a fork() whose child runs fn(arg) on another stack: the child goes
 * through clone_child(), which re-registers it with the session daemon
 * (proc_start, fork_ret 0), runs fn and leaves with _exit(): glibc's clone()
 * would end only the calling thread, and the child now has lttng-ust's.
 * With CLONE_VM (threads, posix_spawn's child), CLONE_FILES (the child would
 * close the parent's tracer descriptors as it re-registers) or CLONE_SETTLS
 * the call passes through and the child stays silent (traced_here()).
 */
#define CLONE_NOT_FORK (CLONE_VM | CLONE_THREAD | CLONE_FILES | CLONE_SETTLS)

struct clone_start {
	int (*fn)(void *);
	void *arg;
	struct cotrace__fork_ctx ctx;
};

static int
clone_child(void *opaque)
{
	/* The child's copy of the parent's stack frame. */
	struct clone_start *start = opaque;
	int ret;

	fork_child_reset();
	lib.cotrace__fork_child(&start->ctx);
	ret = start->fn(start->arg);
	_exit(ret);
}

int
clone(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
	struct clone_start start;
	pid_t *parent_tid, *child_tid;
	void *tls;
	va_list ap;
	int saved_errno, ret;
	bool on;

	/* glibc reads the three optional arguments whatever the flags. */
	va_start(ap, arg);
	parent_tid = va_arg(ap, pid_t *);
	tls = va_arg(ap, void *);
	child_tid = va_arg(ap, pid_t *);
	va_end(ap);
	on = live();
	if (!real.clone) {
		errno = ENOSYS;
		return -1;
	}
	if (!on || (flags & CLONE_NOT_FORK) || !fn) {
		return real.clone(fn, stack, flags, arg, parent_tid, tls,
				child_tid);
	}
	start.fn = fn;
	start.arg = arg;
	lib.cotrace__fork_prepare(&start.ctx, false);
	start.ctx.new_pid_ns = (flags & CLONE_NEWPID) != 0;
	ret = real.clone(clone_child, stack, flags, &start, parent_tid, tls,
			child_tid);
	saved_errno = errno;
	lib.cotrace__fork_parent(&start.ctx, ret);
	errno = saved_errno;
	return ret;
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
	/*
	 * Dormant too: the real vfork() cannot be called from a function
	 * that returns in the child (the parent would resume in a frame the
	 * child overwrote).
	 */
	if (!live()) {
		return real.fork ? real.fork() : missing_real();
	}
	return lib.cotrace__fork(true);
}

void
_exit(int status)
{
	if (live() && lib.cotrace__proc_exit_enabled() && traced_here()) {
		lib.cotrace_proc_exit(status);
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
	if (live() && lib.cotrace__proc_exit_enabled() && traced_here()) {
		lib.cotrace_proc_exit(status);
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
	if (!live() || !lib.cotrace__exec_enabled() || !traced_here()) {
		return false;
	}
	lib.cotrace__exec(path, argv && argv[0] ? argv[0] : path);
	return true;
}

static int
exec_end(bool traced, const char *path, int ret)
{
	int saved_errno = errno;

	if (traced) {
		lib.cotrace__exec_failed(path, saved_errno);
	}
	errno = saved_errno;
	return ret;
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
	/* The file's name, only when the event wants one. */
	path[0] = '\0';
	if (live() && lib.cotrace__exec_enabled() && traced_here()) {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, path, sizeof(path) - 1);
		if (n <= 0) {
			snprintf(path, sizeof(path), "%s", link);
		} else {
			path[n] = '\0';
		}
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
	if (!live()) {
		return fn(pid, path, actions, attr, argv, envp);
	}
	ret = fn(&child, path, actions, attr, argv, envp);
	if (ret == 0 && pid) {
		*pid = child;
	}
	lib.cotrace__spawn(ret == 0 ? child : -1, ret, path,
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
 * Every thread of the program goes through lib.cotrace_thread_create()'s
 * trampoline: thread_start with the name it inherited, thread_exit with
 * its CPU time when it returns or calls pthread_exit().
 */
int
pthread_create(pthread_t *thread, const pthread_attr_t *attr,
		void *(*start_routine)(void *), void *arg)
{
	if (!live() || from_ust((const void *)(uintptr_t)start_routine)) {
		return real.pthread_create
				       ? real.pthread_create(thread, attr,
						       start_routine, arg)
				       : EAGAIN;
	}
	return lib.cotrace_thread_create(thread, attr, start_routine, arg, NULL);
}

int
pthread_setname_np(pthread_t thread, const char *name)
{
	int ret;

	if (!live()) {
		return real.pthread_setname_np
				       ? real.pthread_setname_np(thread, name)
				       : ENOSYS;
	}
	if (!real.pthread_setname_np) {
		return ENOSYS;
	}
	ret = real.pthread_setname_np(thread, name);
	if (ret == 0 && lib.cotrace__thread_name_enabled() &&
			!from_ust(__builtin_return_address(0))) {
		lib.cotrace__thread_name(thread, name);
	}
	return ret;
}

/* pthread_setspecific() while tls_write is enabled. */
static int __attribute__((noinline))
setspecific_traced(pthread_key_t key, const void *value, const void *caller)
{
	int ret = real.pthread_setspecific(key, value);

	if (ret == 0 && !from_ust(caller)) {
		int saved_errno = errno;

		lib.cotrace__tls_write_key(key, value, key_slot(key, value));
		errno = saved_errno;
	}
	return ret;
}

int
pthread_setspecific(pthread_key_t key, const void *value)
{
	/* Dormant: the state's load, and a tail call. */
	if (!live()) {
		return real.pthread_setspecific(key, value);
	}
	/*
	 * Nobody records: one load and a tail call, so the call costs what it
	 * costs without the preload.
	 */
	if (__builtin_expect(__atomic_load_n(tls_write_state, __ATOMIC_RELAXED),
			    0)) {
		return setspecific_traced(
				key, value, __builtin_return_address(0));
	}
	return real.pthread_setspecific(key, value);
}

/* ------------------------------------------------------------------ */
/* File descriptors: lttng-ust's own survive a program closing them all. */

/*
 * lttng-ust keeps the set of its descriptors in its fd tracker
 * (liblttng-ust-common), under a mutex taken with every signal blocked:
 * going through it costs four sigprocmask() calls per close(). The preload
 * keeps a mirror of that set instead: lttng-ust's libraries call the
 * tracker's functions below through the PLT, so the preload's definitions
 * come first and see every descriptor added to or deleted from the set, and
 * every time lttng-ust takes the tracker's lock to open or close one.
 *
 * A close() takes the fast path (the real close(), nothing else) when the
 * descriptor is not in the mirror and nobody holds the tracker: exactly
 * when lttng-ust's own check would have let it through. close_range() and
 * closefrom(), which close numbers the program need not hold, do the same
 * inside a window that the lock waits for (fast_inflight, a Dekker
 * handshake with ust_busy): lttng-ust cannot open a descriptor between the
 * check and the end of the call. Everything else (a descriptor in the set,
 * the tracker held) goes through lttng-ust's own lttng_ust_safe_close_fd().
 * doc/preload.md ("Descriptors") says why a lone close() needs no window.
 */
int lttng_ust_add_fd_to_tracker(int fd);
void lttng_ust_delete_fd_from_tracker(int fd);
void lttng_ust_lock_fd_tracker(void);
void lttng_ust_unlock_fd_tracker(void);

/* Mirrored descriptors: 0 .. UST_FD_BITS - 1 (128 KiB, touched sparsely). */
#define UST_FD_BITS (1U << 20)
static uint64_t ust_fd_set[UST_FD_BITS / 64];
/* The highest descriptor ever mirrored; -1: none. */
static int ust_fd_top = -1;
/* lttng-ust held a descriptor >= UST_FD_BITS: those take the slow path. */
static int ust_fd_overflow;
/* Holders of the tracker's lock (lttng-ust, or a slow-path close). */
static unsigned int ust_busy;
/* Fast-path windows open, in all threads. */
static unsigned int fast_inflight;
/* Windows the lock gave up waiting for (see wait_fast_windows()). */
static unsigned int fast_stuck;
/* This thread's share of ust_busy and fast_inflight (signal handlers nest). */
static __thread unsigned int my_busy __attribute__((tls_model("initial-exec")));
static __thread unsigned int my_windows
		__attribute__((tls_model("initial-exec")));

/* How long the lock waits for a window that does not move. */
#define FAST_WINDOW_STUCK_NS 1000000000ULL

static void
mirror_set(int fd)
{
	if (fd < 0) {
		return;
	}
	if ((unsigned int)fd >= UST_FD_BITS) {
		__atomic_store_n(&ust_fd_overflow, 1, __ATOMIC_RELEASE);
		return;
	}
	__atomic_or_fetch(&ust_fd_set[fd / 64], 1ULL << (fd % 64),
			__ATOMIC_RELEASE);
	/* Under the tracker's lock: one writer at a time. */
	if (fd > __atomic_load_n(&ust_fd_top, __ATOMIC_RELAXED)) {
		__atomic_store_n(&ust_fd_top, fd, __ATOMIC_RELEASE);
	}
}

static void
mirror_clear(int fd)
{
	if (fd < 0 || (unsigned int)fd >= UST_FD_BITS) {
		return;
	}
	__atomic_and_fetch(&ust_fd_set[fd / 64], ~(1ULL << (fd % 64)),
			__ATOMIC_RELEASE);
}

/* Whether lttng-ust may hold a descriptor in [lo, hi]. */
static bool
mirror_any(unsigned int lo, unsigned int hi)
{
	int top = __atomic_load_n(&ust_fd_top, __ATOMIC_ACQUIRE);
	unsigned int end;

	if (hi >= UST_FD_BITS &&
			__atomic_load_n(&ust_fd_overflow, __ATOMIC_ACQUIRE)) {
		return true;
	}
	if (top < 0 || lo > (unsigned int)top) {
		return false;
	}
	end = hi < (unsigned int)top ? hi : (unsigned int)top;
	for (unsigned int w = lo / 64; w <= end / 64; w++) {
		uint64_t bits = __atomic_load_n(
				&ust_fd_set[w], __ATOMIC_ACQUIRE);

		if (w == lo / 64) {
			bits &= ~0ULL << (lo % 64);
		}
		if (w == end / 64 && end % 64 != 63) {
			bits &= (1ULL << (end % 64 + 1)) - 1;
		}
		if (bits) {
			return true;
		}
	}
	return false;
}

/* The first mirrored descriptor in [lo, hi], or hi + 1 (as a 64-bit value). */
static uint64_t
mirror_next(unsigned int lo, unsigned int hi)
{
	for (uint64_t fd = lo; fd <= hi; fd++) {
		if (fd >= UST_FD_BITS ||
				fd > (uint64_t)__atomic_load_n(&ust_fd_top,
						     __ATOMIC_ACQUIRE)) {
			break;
		}
		if (fd % 64 == 0 && !__atomic_load_n(&ust_fd_set[fd / 64],
						    __ATOMIC_ACQUIRE)) {
			fd += 63;
			continue;
		}
		if (__atomic_load_n(&ust_fd_set[fd / 64], __ATOMIC_ACQUIRE) &
				(1ULL << (fd % 64))) {
			return fd;
		}
	}
	return (uint64_t)hi + 1;
}

/*
 * A fast-path window: opened by window_open() (true when nobody holds the
 * tracker), closed by window_end(), also when a thread is cancelled inside
 * the real close_range() (glibc's is no cancellation point, but an
 * asynchronous cancellation may land there): close_range_in_window()
 * registers window_end() as a cancellation cleanup handler, glibc's C
 * ones (no -fexceptions: an unwinder linked in, libgcc_s.so.1, would cost
 * every program image that gets the preload, dormant too, about 0.1 ms to
 * load). No cancellation state is touched.
 */
static inline bool
window_open(void)
{
	my_windows++;
	__atomic_add_fetch(&fast_inflight, 1, __ATOMIC_SEQ_CST);
	return __atomic_load_n(&ust_busy, __ATOMIC_SEQ_CST) == 0;
}

static void
window_end(void *unused)
{
	(void)unused;
	__atomic_sub_fetch(&fast_inflight, 1, __ATOMIC_RELEASE);
	my_windows--;
}

static int __attribute__((noinline))
close_range_in_window(unsigned int first, unsigned int last, int flags)
{
	int ret;

	pthread_cleanup_push(window_end, NULL);
	ret = real.close_range(first, last, flags);
	pthread_cleanup_pop(0);
	return ret;
}

static uint64_t
monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Waits until no other thread is in a fast-path window. A window is a
 * close() in progress: short, unless a close blocks (a file on NFS) or a
 * signal handler never returns to it (siglongjmp()). A count of windows
 * that has not moved for a second is taken as such and no longer waited
 * for (it only narrows again): lttng-ust is never blocked for ever.
 */
static void
wait_fast_windows(void)
{
	unsigned int last = UINT_MAX;
	uint64_t since = 0;

	/*
	 * A thread inside a window of its own only closes: its close() reached
	 * the tracker through another interposer after ours (liblttng-ust-fd)
	 * or from a signal handler. It must not wait for the other windows,
	 * whose threads may be waiting the same way for its own.
	 */
	if (my_windows) {
		return;
	}
	for (unsigned int spin = 0;; spin++) {
		unsigned int n = __atomic_load_n(
				&fast_inflight, __ATOMIC_SEQ_CST);
		unsigned int stuck =
				__atomic_load_n(&fast_stuck, __ATOMIC_RELAXED);

		if (n < stuck) {
			__atomic_store_n(&fast_stuck, n, __ATOMIC_RELAXED);
			stuck = n;
		}
		if (n <= stuck) {
			return;
		}
		if (spin < 64) {
#if defined(__x86_64__) || defined(__i386__)
			__builtin_ia32_pause();
#endif
			continue;
		}
		if (n != last) {
			last = n;
			since = monotonic_ns();
		} else if (monotonic_ns() - since > FAST_WINDOW_STUCK_NS) {
			__atomic_store_n(&fast_stuck, n, __ATOMIC_RELAXED);
			return;
		}
		sched_yield();
	}
}

/* Only lttng-ust's libraries call these; they hold the tracker's lock. */
int
lttng_ust_add_fd_to_tracker(int fd)
{
	int (*add)(int) = UST_CALL(add_fd, "lttng_ust_add_fd_to_tracker");
	int ret;

	if (!add) {
		errno = ENOSYS;
		return -1;
	}
	ret = add(fd);
	mirror_set(ret);
	return ret;
}

void
lttng_ust_delete_fd_from_tracker(int fd)
{
	void (*delete)(int) = UST_CALL(
			delete_fd, "lttng_ust_delete_fd_from_tracker");

	if (!delete) {
		return;
	}
	mirror_clear(fd);
	delete(fd);
}

void
lttng_ust_lock_fd_tracker(void)
{
	void (*lock)(void) = UST_CALL(lock_fd, "lttng_ust_lock_fd_tracker");

	if (!lock) {
		return;
	}
	my_busy++;
	__atomic_add_fetch(&ust_busy, 1, __ATOMIC_SEQ_CST);
	wait_fast_windows();
	lock();
}

void
lttng_ust_unlock_fd_tracker(void)
{
	void (*unlock)(void) =
			UST_CALL(unlock_fd, "lttng_ust_unlock_fd_tracker");

	if (!unlock) {
		return;
	}
	unlock();
	__atomic_sub_fetch(&ust_busy, 1, __ATOMIC_SEQ_CST);
	my_busy--;
}

/*
 * A fork child has only the forking thread: the other threads' windows
 * and holds of the tracker are not its own.
 */
static void
fd_mirror_atfork_child(void)
{
	__atomic_store_n(&fast_inflight, my_windows, __ATOMIC_RELAXED);
	__atomic_store_n(&fast_stuck, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&ust_busy, my_busy, __ATOMIC_RELAXED);
}

int
close(int fd)
{
	if (!live()) {
		return real.close(fd);
	}
	if (fd < 0) {
		return real.close(fd);
	}
	/*
	 * One descriptor: no window. A number the program holds cannot be
	 * handed to lttng-ust before this close; see "Descriptors" in
	 * doc/preload.md for one it does not hold.
	 */
	if (fd_mirror && __atomic_load_n(&ust_busy, __ATOMIC_ACQUIRE) == 0 &&
			!mirror_any((unsigned int)fd, (unsigned int)fd)) {
		return real.close(fd);
	}
	return ust.safe_close_fd ? ust.safe_close_fd(fd, real.close)
				 : real.close(fd);
}

/*
 * The stream's descriptor is open, so it is the program's unless the
 * mirror has it: no window needed (a number that is open cannot be handed
 * to lttng-ust meanwhile).
 */
int
fclose(FILE *stream)
{
	int fd;

	if (!live()) {
		if (!real.fclose) {
			errno = ENOSYS;
			return EOF;
		}
		return real.fclose(stream);
	}
	if (!real.fclose) {
		errno = ENOSYS;
		return EOF;
	}
	fd = fileno(stream);
	if (fd < 0) {
		return real.fclose(stream);
	}
	if (fd_mirror && __atomic_load_n(&ust_busy, __ATOMIC_SEQ_CST) == 0 &&
			!mirror_any((unsigned int)fd, (unsigned int)fd)) {
		return real.fclose(stream);
	}
	return ust.safe_fclose_stream
			       ? ust.safe_fclose_stream(stream, real.fclose)
			       : real.fclose(stream);
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

	int (*cb)(int) = flags & CLOSE_RANGE_CLOEXEC ? set_cloexec : real.close;

	if (ust.safe_close_fd) {
		ust.safe_close_fd((int)fd, cb);
	} else {
		cb((int)fd);
	}
	errno = saved_errno;
}

/*
 * close_range() one descriptor at a time through lttng-ust's tracker, when
 * the mirror cannot tell (lttng-ust held a descriptor past its size): the
 * open ones are read from /proc/self/fd (getdents64 into the stack: this
 * may run between fork and exec), or tried one by one up to the limit.
 */
static int
close_range_each(unsigned int first, unsigned int last, int flags)
{
	char dents[4096] __attribute__((aligned(8)));
	struct rlimit lim;
	unsigned int top;
	ssize_t n;
	int dir;

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

/*
 * With the tracker's lock held the mirror is exact: the real close_range()
 * on each run of descriptors between lttng-ust's.
 */
static int
close_range_around(unsigned int first, unsigned int last, int flags)
{
	uint64_t lo = first;
	int ret = 0;

	while (lo <= last) {
		uint64_t next = mirror_next((unsigned int)lo, last);

		if (next > lo && real.close_range((unsigned int)lo,
						 (unsigned int)(next - 1),
						 flags) != 0) {
			ret = -1;
		}
		lo = next + 1;
	}
	return ret;
}

int
close_range(unsigned int first, unsigned int last, int flags)
{
	int ret, saved_errno;

	if (!live()) {
		return real.close_range ? real.close_range(first, last, flags)
					: missing_real();
	}
	if (!real.close_range) {
		errno = ENOSYS;
		return -1;
	}
	if (!real.close ||
			(flags & ~(int)(CLOSE_RANGE_UNSHARE |
						 CLOSE_RANGE_CLOEXEC)) ||
			first > last) {
		return real.close_range(first, last, flags);
	}
	if (fd_mirror) {
		if (window_open() && !mirror_any(first, last)) {
			ret = close_range_in_window(first, last, flags);
			saved_errno = errno;
			window_end(NULL);
			errno = saved_errno;
			return ret;
		}
		window_end(NULL);
	}
	if ((flags & CLOSE_RANGE_UNSHARE) &&
			syscall(SYS_unshare, CLONE_FILES) != 0) {
		return -1;
	}
	flags &= ~(int)CLOSE_RANGE_UNSHARE;
	if (!fd_mirror || (last >= UST_FD_BITS &&
					  __atomic_load_n(&ust_fd_overflow,
							  __ATOMIC_ACQUIRE))) {
		return close_range_each(first, last, flags);
	}
	lttng_ust_lock_fd_tracker();
	ret = close_range_around(first, last, flags);
	saved_errno = errno;
	lttng_ust_unlock_fd_tracker();
	errno = saved_errno;
	return ret;
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
