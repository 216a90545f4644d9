/*
 * The cotrace trace model: processes, threads, tasks, forks and TLS
 * accesses rebuilt from a stream of events. Plain C, no babeltrace2 calls,
 * so it is unit-tested on synthetic event sequences.
 *
 * Feed events with cotrace_model_add_event() in any order the muxer gives
 * (events of different streams may arrive out of causal order: a fork
 * child's proc_start before its parent's fork event), then call
 * cotrace_model_finish() once, then read the arrays below and compute the
 * metrics (metrics.h). Memory grows with processes, threads, tasks and TLS
 * accesses, never with other events.
 *
 * A bounded model (cotrace_model_set_limits(), what `cotrace report` uses)
 * keeps only the first tasks and the first TLS accesses of each thread in
 * those arrays: every figure is still computed over all of them while they
 * stream in (task_totals, tls_keys, tls_slots), so its memory grows with
 * the processes, threads, TLS keys and the tasks open at one moment, not
 * with the events. The streamed figures assume events in time order, as
 * the muxer delivers them; a model whose arrays hold everything computes
 * them from the arrays, in any order.
 */
#ifndef COTRACE_MODEL_H
#define COTRACE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COTRACE_TS_NONE INT64_MIN   /* a time that was never seen */
#define COTRACE_CPU_NONE UINT64_MAX /* a CPU time that was never seen */

/*
 * a - b for times: traces with clocks centuries apart (a damaged clock
 * offset) would overflow a plain subtraction, so it saturates.
 */
static inline int64_t
cotrace_ts_sub(int64_t a, int64_t b)
{
	int64_t d;

	if (__builtin_sub_overflow(a, b, &d)) {
		return b < 0 ? INT64_MAX : INT64_MIN;
	}
	return d;
}

enum cotrace_event_type {
	COTRACE_EVENT_PROC_START,
	COTRACE_EVENT_PROC_EXIT,
	COTRACE_EVENT_FORK,
	COTRACE_EVENT_THREAD_START,
	COTRACE_EVENT_THREAD_EXIT,
	COTRACE_EVENT_TASK_START,
	COTRACE_EVENT_TASK_FINISH,
	COTRACE_EVENT_TLS_WRITE,
	COTRACE_EVENT_TLS_READ,
	/* libcotrace-preload.so (doc/preload.md) */
	COTRACE_EVENT_EXEC,         /* the process replaces its image */
	COTRACE_EVENT_EXEC_FAILED,  /* ...and the call returned after all */
	COTRACE_EVENT_VFORK,        /* a vfork() run as a fork(): like FORK */
	COTRACE_EVENT_SPAWN,        /* posix_spawn() returned in the parent */
	COTRACE_EVENT_THREAD_NAME,  /* pthread_setname_np() */
	COTRACE_EVENT_FATAL_SIGNAL, /* the process dies of a signal */
	/* lttng_python:event, a logging record of the LTTng-UST Python agent */
	COTRACE_EVENT_LOG,
};

/*
 * One decoded event. Strings and arrays are borrowed: the model copies what
 * it keeps. Fields that the event type does not carry are ignored.
 */
struct cotrace_event {
	enum cotrace_event_type type;
	int64_t ts_ns;           /* ns since the Unix epoch */
	/* contexts */
	int64_t pid;             /* vpid */
	int64_t tid;             /* vtid */
	uint64_t pthread_id;
	const char *procname;    /* may be NULL */
	const char *host;        /* trace environment hostname, may be NULL */
	/* payload */
	int64_t ppid;            /* proc_start */
	int64_t fork_ret;        /* proc_start: 0 in a fork child, -1 otherwise */
	const char *name;        /* proc_start: exe; thread_start: thread name;
				    task_start: label */
	uint64_t cpu_ns;         /* CPU clock (process for proc_*, thread otherwise) */
	int64_t status;          /* proc_exit */
	int64_t child_pid;       /* fork: fork()'s return in the parent */
	int64_t child_vpid;      /* fork: the child's pid in its own pid
				    namespace; 0 when not given (= child_pid) */
	int64_t threads_alive;   /* fork: parent's threads, the caller included */
	const int64_t *alive_tids; /* fork: the other threads' tids */
	size_t n_alive_tids;
	const char *alive_names; /* fork: their names, comma-separated */
	uint64_t task_id;        /* task_* */
	const char *key;         /* tls_* */
	const char *value;       /* tls_* */
	uint64_t addr;           /* tls_*: slot address */
	const char *path;        /* exec, exec_failed, spawn: the program; may be NULL */
	int64_t error;           /* exec_failed: errno */
	int64_t signal;          /* fatal_signal */
	uint64_t thread;         /* thread_name: the pthread_t renamed (0: the emitter) */
	int64_t ret;             /* spawn: posix_spawn()'s return value */
	/* spawn's child_pid is in child_pid, exec's and spawn's exe in name */
	const char *logger;      /* log: the logger's name; may be NULL */
	const char *msg;         /* log: the message; may be NULL */
	int64_t loglevel;        /* log: Python's level (WARNING is 30) */
	/* log: the Python thread's name (threading) is in name */
};

struct cotrace_tls_access {
	char *key;               /* owned */
	char *value;             /* owned */
	uint64_t addr;
	int64_t ts_ns;
	uint64_t seq;            /* its place among all TLS accesses fed */
	bool is_read;
};

struct cotrace_thread {
	int64_t tid;
	size_t process;          /* index in model->processes */
	uint64_t pthread_id;
	char *name;              /* owned; thread_start name, else procname */
	int64_t start_ns;        /* thread_start, else first event seen */
	int64_t end_ns;          /* thread_exit, else last event seen */
	bool start_seen;         /* a thread_start (or proc_start for the main thread) */
	bool exit_seen;
	uint64_t cpu_ns;         /* thread_exit cpu_ns, COTRACE_CPU_NONE if unknown */
	struct cotrace_tls_access *tls; /* owned array */
	size_t n_tls;
	size_t cap_tls;
	uint64_t n_logs;         /* logging records of the Python agent */
	/* Every TLS access, also those a bounded model left out of tls. */
	uint64_t tls_writes;
	uint64_t tls_reads;
};

/*
 * The thread had ended by `ts`: a thread that writes its old TLS slot then
 * got its memory (stacks and thread descriptors are reused), which is no
 * sharing (the tls-shared-slot warning and the report's TLS check).
 */
static inline bool
cotrace_thread_ended_by(const struct cotrace_thread *t, int64_t ts)
{
	return t->exit_seen && t->end_ns <= ts;
}

struct cotrace_process {
	int64_t pid;
	int64_t ppid;            /* -1 when unknown */
	char *name;              /* owned: exe basename, else procname */
	char *host;              /* owned, may be NULL */
	int64_t start_ns;        /* proc_start, else first event seen */
	int64_t end_ns;          /* proc_exit, else last event seen */
	bool start_seen;
	bool exit_seen;
	int64_t fork_ret;        /* from proc_start: 0 for a fork child, -1 else */
	uint64_t cpu_ns;         /* proc_exit cpu_ns, COTRACE_CPU_NONE if unknown */
	int64_t exit_status;     /* -1 when unknown */
	size_t parent;           /* index of the parent process, SIZE_MAX if none */
	/*
	 * proc_start cpu_ns, COTRACE_CPU_NONE if unknown. The process CPU
	 * clock counts from before proc_start (loading, lttng-ust setup), so
	 * the metrics take cpu_ns - cpu_start_ns as the CPU of the process's
	 * interval. 0 (a model filled by hand) subtracts nothing.
	 */
	uint64_t cpu_start_ns;
	/*
	 * exec: the process kept its pid and identity and was renamed (name is
	 * the last image's). n_execs counts the images it moved to, exec_ns is
	 * the last exec (COTRACE_TS_NONE if none).
	 */
	int64_t n_execs;
	int64_t exec_ns;
	/*
	 * Killed by this signal (fatal_signal), else 0: then exit_seen is true
	 * and exit_status is 128 + the signal, as a shell reports it.
	 */
	int64_t term_signal;
	uint64_t n_logs;         /* logging records of the Python agent */
	uint64_t n_logs_kept;    /* ...of which model->logs holds these */
	uint64_t n_tasks;        /* tasks started, listed or not */
};

struct cotrace_task {
	uint64_t id;
	size_t process;          /* index in model->processes */
	size_t thread;           /* index in model->threads */
	char *label;             /* owned */
	int64_t start_ns;
	int64_t end_ns;          /* COTRACE_TS_NONE if never finished */
	uint64_t cpu_start_ns;
	uint64_t cpu_ns;         /* finish - start thread CPU, COTRACE_CPU_NONE if unknown */
};

struct cotrace_fork {
	size_t parent;           /* process index, SIZE_MAX if the parent was not seen */
	size_t child;            /* process index, SIZE_MAX if the child was never seen */
	int64_t parent_pid;
	int64_t child_pid;
	int64_t ts_ns;
	int64_t threads_alive;
	/*
	 * The child's pid in its own pid namespace, what its events carry:
	 * child_pid unless a new namespace lay between (unshare -p -f).
	 */
	int64_t child_vpid;
	int64_t parent_ret;      /* what fork() returned in the parent */
	int64_t child_ret;       /* what it returned in the child; -1 if child not seen */
	int64_t *alive_tids;     /* owned */
	size_t n_alive_tids;
	char *alive_names;       /* owned */
	/*
	 * A vfork() the preload ran as a fork(): the child could only exec or
	 * _exit, so the threads alive in the parent are no hazard.
	 */
	bool vfork;
};

/* posix_spawn() / posix_spawnp() as the parent saw it. */
struct cotrace_spawn {
	size_t parent;           /* process index */
	size_t child;            /* process index, SIZE_MAX if never seen */
	int64_t parent_pid;
	int64_t child_pid;       /* -1 when it failed */
	int64_t ts_ns;
	int64_t ret;             /* what posix_spawn() returned: 0 or an errno */
	char *path;              /* interned: the program */
	char *exe;               /* interned: its argv[0] */
};

/*
 * A logging record of the LTTng-UST Python agent (lttng_python:event). The
 * model keeps each process's first COTRACE_LOGS_KEPT_PER_PROCESS records and
 * counts the others, so memory stays bounded by the processes.
 */
#define COTRACE_LOGS_KEPT_PER_PROCESS 16
#define COTRACE_LOG_MSG_MAX 256  /* bytes of a message kept */

struct cotrace_log {
	size_t process;          /* index in model->processes */
	size_t thread;           /* index in model->threads */
	int64_t ts_ns;
	int64_t level;           /* Python's level: WARNING is 30 */
	const char *logger;      /* interned */
	const char *msg;         /* interned, its first COTRACE_LOG_MSG_MAX bytes */
	bool msg_truncated;
};

enum cotrace_warning_kind {
	COTRACE_WARN_FORK_WITH_THREADS,  /* fork while other threads were alive */
	COTRACE_WARN_CHILD_ABNORMAL,     /* fork child exited non-zero */
	COTRACE_WARN_PROCESS_NO_EXIT,    /* start seen, exit never */
	COTRACE_WARN_PROCESS_NO_START,   /* events seen, start never */
	COTRACE_WARN_FORK_CHILD_MISSING, /* fork seen, child never */
	COTRACE_WARN_TASK_UNFINISHED,    /* task_start without task_finish */
	COTRACE_WARN_TLS_SHARED_SLOT,    /* two threads of a process, one slot */
	COTRACE_WARN_TLS_VALUE_CHANGED,  /* a thread read back another value */
	COTRACE_WARN_EVENTS_LOST,        /* the tracer discarded events */
	COTRACE_WARN_TRACE_DAMAGED,      /* decoding stopped early */
	COTRACE_WARN_PID_REUSED,         /* a pid named two processes */
	COTRACE_WARN_CLOCKS_DISAGREE,    /* traces far apart in time (hosts.h) */
	COTRACE_WARN_LISTING_TRUNCATED,  /* a bounded model listed only some */
};

struct cotrace_warning {
	enum cotrace_warning_kind kind;
	char *message;           /* owned, one sentence */
	int64_t pid;             /* the process concerned, -1 if none */
	int64_t tid;             /* the thread concerned, -1 if none */
	int64_t ts_ns;           /* COTRACE_TS_NONE if none */
};

struct cotrace_lost {
	uint64_t count;          /* 0 when the tracer did not say how many */
	int64_t begin_ns;        /* COTRACE_TS_NONE if unknown */
	int64_t end_ns;
};

/*
 * One TLS key as one thread used it, every access counted (a bounded
 * model lists only the first accesses).
 */
struct cotrace_tls_key {
	size_t thread;           /* index in model->threads */
	const char *key;         /* borrowed from the model */
	uint64_t writes;
	uint64_t reads;
	const char *last_value;  /* the last write's value, NULL before one */
	uint64_t last_addr;      /* its slot address */
	/*
	 * The first read that did not return this thread's last write of the
	 * key: what was written and what was read. NULL when none.
	 */
	const char *mismatch_written;
	const char *mismatch_read;
};

/* One TLS slot: a (process, key, address) written at least once. */
struct cotrace_tls_slot {
	size_t process;
	const char *key;         /* borrowed from the model */
	uint64_t addr;
	/*
	 * The threads that held it one after another (a thread that starts
	 * after the holder ended may get the same memory): at least 1.
	 */
	size_t holders;
	/*
	 * Its first sharing, in time order: the holder (alive) and the other
	 * thread that wrote it; SIZE_MAX when no two threads alive at once
	 * wrote it.
	 */
	size_t shared[2];
};

/* Processes whose task hulls are compared pairwise (metrics.h). */
#define COTRACE_HULL_PROCESSES 64

/*
 * The task figures of metrics.h, computed over every task while events
 * stream in; a bounded model that left tasks out of model->tasks is
 * measured from these (task_totals.tasks > n_tasks).
 */
struct cotrace_task_totals {
	uint64_t tasks;          /* tasks started */
	uint64_t unfinished;     /* never finished */
	uint64_t without_cpu;    /* finished, CPU time unknown */
	int64_t start_ns;        /* first start, COTRACE_TS_NONE if no task */
	int64_t end_ns;          /* last end (unfinished: their process's) */
	int64_t busy_ns;
	uint64_t cpu_ns;
	int64_t longest_ns;      /* the longest finished task */
	size_t max_concurrency;
	int64_t *profile_ns;     /* owned, max_concurrency + 1 entries */
	/* The hull of each process's tasks, the first processes to run one. */
	struct {
		size_t process;
		int64_t lo, hi;
	} hulls[COTRACE_HULL_PROCESSES];
	size_t n_hulls;
};

/* What a bounded model keeps in its arrays; 0 is no bound. */
struct cotrace_model_limits {
	size_t tasks;            /* in model->tasks */
	size_t tls_per_thread;   /* in each thread's tls */
};

/* The bounds of `cotrace report` and sink.cotrace.report. */
#define COTRACE_LIMIT_TASKS 10000
#define COTRACE_LIMIT_TLS_PER_THREAD 32

struct cotrace_model {
	struct cotrace_process *processes; size_t n_processes, cap_processes;
	struct cotrace_thread *threads;    size_t n_threads, cap_threads;
	struct cotrace_task *tasks;        size_t n_tasks, cap_tasks;
	struct cotrace_fork *forks;        size_t n_forks, cap_forks;
	struct cotrace_warning *warnings;  size_t n_warnings, cap_warnings;
	struct cotrace_lost *lost;         size_t n_lost, cap_lost;
	char **paths;                      size_t n_paths, cap_paths; /* owned */
	struct cotrace_spawn *spawns;      size_t n_spawns, cap_spawns;
	struct cotrace_log *logs;          size_t n_logs, cap_logs; /* in time order */
	uint64_t events;         /* all events seen, cotrace or not */
	uint64_t cotrace_events; /* cotrace:* events given to the model */
	uint64_t lost_events;    /* sum of lost[].count */
	int64_t first_ns;        /* first cotrace event, COTRACE_TS_NONE if none */
	int64_t last_ns;
	bool finished;
	void *priv;              /* owned: lookup tables of model.c */
	/* Filled by model.c; a model filled by hand leaves them empty. */
	struct cotrace_model_limits limits;
	uint64_t tasks_omitted;  /* tasks a bounded model did not list */
	uint64_t tls_omitted;    /* TLS accesses it did not list */
	struct cotrace_task_totals task_totals;
	struct cotrace_tls_key *tls_keys;  size_t n_tls_keys, cap_tls_keys;
	struct cotrace_tls_slot *tls_slots; size_t n_tls_slots, cap_tls_slots;
};

struct cotrace_model *cotrace_model_create(void);
void cotrace_model_destroy(struct cotrace_model *model);

/*
 * Bounds what the model lists (see above). Call before the first event.
 * Returns 0, or -EINVAL once events were added.
 */
int cotrace_model_set_limits(struct cotrace_model *model,
		const struct cotrace_model_limits *limits);

/* Returns 0, or -ENOMEM. */
int cotrace_model_add_event(struct cotrace_model *model,
		const struct cotrace_event *event);

/* Counts an event that is not a cotrace event (it only counts). */
void cotrace_model_count_foreign(struct cotrace_model *model);

/* The tracer discarded `count` events between begin and end (may be NONE). */
int cotrace_model_add_lost(struct cotrace_model *model, uint64_t count,
		int64_t begin_ns, int64_t end_ns);

/* Records a trace path the events came from (for the report). */
int cotrace_model_add_path(struct cotrace_model *model, const char *path);

/*
 * Decoding stopped early: `why` (borrowed) becomes a trace-damaged warning.
 */
int cotrace_model_mark_damaged(struct cotrace_model *model, const char *why);

/*
 * Adds a warning found outside the model (hosts.h: the clocks of several
 * traces), before cotrace_model_finish(). `message` is copied. Returns 0
 * or -ENOMEM.
 */
int cotrace_model_add_warning(struct cotrace_model *model,
		enum cotrace_warning_kind kind, int64_t ts_ns,
		const char *message);

/*
 * Closes what never ended (processes without exit end at their last event),
 * links forks to children, and adds the warnings. Call once, after the last
 * event. Returns 0 or -ENOMEM.
 */
int cotrace_model_finish(struct cotrace_model *model);

#endif /* COTRACE_MODEL_H */
