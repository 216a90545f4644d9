/*
 * The Chrome Trace Event writer (chrome-trace.h): one pass, events written
 * as they arrive. What must wait for a later event is kept per process,
 * per thread or per open task; what only the end knows (names with their
 * completeness, lives that never ended, tasks that never finished, the
 * fork tree's order) is written by cotrace_chrome_finish(). Viewers sort
 * events by time, so the order in the file does not matter.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "chrome-trace.h"
#include "json-writer.h"
#include "report-common.h"

#define NONE SIZE_MAX
/* Past this, a process's unfinished tasks share one warning. */
#define MAX_UNFINISHED_WARNINGS 16
/* The fork slice's width: an instant to the eye, long enough to bind to. */
#define FORK_SLICE_NS 1000
/* Warning kinds counted in the metadata (enum cotrace_warning_kind). */
#define N_KINDS 64

struct open_task {
	uint64_t id;
	int64_t start_ns;
	uint64_t cpu_ns; /* thread CPU clock at the start */
	char *label;	 /* owned */
};

/* A TLS key the thread wrote, and what it wrote last. */
struct tls_slot {
	char *key;   /* owned */
	char *value; /* owned */
	uint64_t addr;
	bool warned_changed;
	bool warned_shared;
};

struct thread {
	int64_t tid;
	uint32_t id; /* the small tid written */
	size_t process;
	uint64_t pthread_id;
	char *name; /* owned */
	int name_rank;
	int64_t first_ns, last_ns; /* first and last event seen */
	int64_t start_ns, end_ns;  /* thread_start, thread_exit */
	bool start_seen, exit_seen;
	bool slice_written;
	uint64_t cpu_ns;
	struct open_task *tasks; /* owned, a stack */
	size_t n_tasks, cap_tasks;
	struct tls_slot *slots; /* owned */
	size_t n_slots, cap_slots;
};

struct process {
	int64_t pid;
	int64_t ppid;
	uint32_t id; /* the small pid written */
	char *name;  /* owned */
	int name_rank;
	int64_t first_ns, last_ns;
	int64_t start_ns, end_ns; /* proc_start, proc_exit */
	bool start_seen, exit_seen;
	bool slice_written;
	bool reused; /* its pid named an earlier process */
	int64_t fork_ret;
	int64_t exit_status;
	uint64_t cpu_start_ns, cpu_ns;
	size_t first_thread; /* NONE until a thread is seen */
	size_t main_thread;  /* tid == pid, NONE until seen */
	size_t parent;	     /* NONE when unknown */
	uint64_t flow_id;    /* the flow from its fork, 0 if none */
	bool awaiting_fork;  /* a fork child whose fork was not seen yet */
	size_t unfinished;
};

/* A fork whose child has not started yet. */
struct pending_fork {
	int64_t child_pid;
	uint64_t flow_id;
	size_t parent; /* process */
	size_t thread;
	int64_t ts_ns;
};

/* Open addressing, 64-bit key to index; linear probing. */
struct map_slot {
	uint64_t key;
	size_t value;
	bool used;
};

struct map {
	struct map_slot *slots; /* owned */
	size_t cap;		/* a power of two, or 0 */
	size_t n;
};

struct cotrace_chrome {
	FILE *out; /* borrowed */
	int error; /* the first -errno, sticky */
	bool started;
	bool finished;
	int64_t base_ns; /* COTRACE_TS_NONE until the first time */
	int64_t last_ns; /* the latest time seen */
	bool first_arg;	 /* no argument written yet in this args object */

	struct process *processes; /* owned */
	size_t n_processes, cap_processes;
	struct thread *threads; /* owned */
	size_t n_threads, cap_threads;
	struct map pids;	    /* pid -> newest process */
	struct map threads_of;	    /* (process, tid) -> thread */
	struct pending_fork *forks; /* owned */
	size_t n_forks, cap_forks;
	char **paths; /* owned */
	size_t n_paths, cap_paths;

	/* The last (pid, tid) located answers most events. */
	bool cache_valid;
	int64_t cache_pid, cache_tid;
	size_t cache_process, cache_thread;

	size_t running_tasks;
	size_t running_processes;
	uint64_t next_flow;
	uint64_t next_lost;
	uint64_t kinds[N_KINDS];
	struct cotrace_chrome_stats stats;
};

/* ---- small containers ---- */

static int
grow(void *array, size_t *cap, size_t n, size_t elem)
{
	void **p = array;
	size_t new_cap;
	void *q;

	if (n < *cap) {
		return 0;
	}
	new_cap = *cap ? *cap * 2 : 8;
	if (new_cap > SIZE_MAX / elem) {
		return -ENOMEM;
	}
	q = realloc(*p, new_cap * elem);
	if (!q) {
		return -ENOMEM;
	}
	*p = q;
	*cap = new_cap;
	return 0;
}

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	x *= UINT64_C(0xc4ceb9fe1a85ec53);
	x ^= x >> 33;
	return x;
}

static size_t *
map_find(const struct map *map, uint64_t key)
{
	size_t mask, i;

	if (!map->cap) {
		return NULL;
	}
	mask = map->cap - 1;
	for (i = mix64(key) & mask; map->slots[i].used; i = (i + 1) & mask) {
		if (map->slots[i].key == key) {
			return &map->slots[i].value;
		}
	}
	return NULL;
}

static void
map_place(struct map_slot *slots, size_t cap, uint64_t key, size_t value)
{
	size_t i = mix64(key) & (cap - 1);

	while (slots[i].used) {
		i = (i + 1) & (cap - 1);
	}
	slots[i] = (struct map_slot){.key = key, .value = value, .used = true};
}

/* Sets key to value, replacing what it had. */
static int
map_put(struct map *map, uint64_t key, size_t value)
{
	size_t *found = map_find(map, key);

	if (found) {
		*found = value;
		return 0;
	}
	/* Kept at most half full so that probes stay short. */
	if ((map->n + 1) * 2 > map->cap) {
		size_t cap = map->cap ? map->cap * 2 : 64;
		struct map_slot *slots = calloc(cap, sizeof(*slots));

		if (!slots) {
			return -ENOMEM;
		}
		for (size_t i = 0; i < map->cap; i++) {
			if (map->slots[i].used) {
				map_place(slots, cap, map->slots[i].key,
						map->slots[i].value);
			}
		}
		free(map->slots);
		map->slots = slots;
		map->cap = cap;
	}
	map_place(map->slots, map->cap, key, value);
	map->n++;
	return 0;
}

static uint64_t
thread_key(size_t process, int64_t tid)
{
	return ((uint64_t)process << 32) ^ (uint64_t)(uint32_t)tid;
}

static int
set_string(char **dst, const char *src)
{
	char *s = strdup(src ? src : "");

	if (!s) {
		return -ENOMEM;
	}
	free(*dst);
	*dst = s;
	return 0;
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

/* ---- writing ---- */

static void
check_output(struct cotrace_chrome *c)
{
	if (!c->error && ferror(c->out)) {
		c->error = errno ? -errno : -EIO;
	}
}

/*
 * Millions of events go through the functions below: they format numbers
 * by hand and write unlocked (a writer belongs to one thread), which
 * halves the time printf took.
 */
static void
put(struct cotrace_chrome *c, const char *s)
{
	fputs_unlocked(s, c->out);
}

static void
put_char(struct cotrace_chrome *c, char ch)
{
	putc_unlocked(ch, c->out);
}

static void
put_u64(struct cotrace_chrome *c, uint64_t v)
{
	char buf[24], *p = buf + sizeof(buf);

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	fwrite_unlocked(p, 1, (size_t)(buf + sizeof(buf) - p), c->out);
}

static void
put_i64(struct cotrace_chrome *c, int64_t v)
{
	if (v < 0) {
		put_char(c, '-');
		put_u64(c, (uint64_t)0 - (uint64_t)v);
	} else {
		put_u64(c, (uint64_t)v);
	}
}

static void
put_hex(struct cotrace_chrome *c, uint64_t v)
{
	char buf[24], *p = buf + sizeof(buf);

	do {
		*--p = "0123456789abcdef"[v & 0xf];
		v >>= 4;
	} while (v);
	fwrite_unlocked(p, 1, (size_t)(buf + sizeof(buf) - p), c->out);
}

static void
put_string(struct cotrace_chrome *c, const char *s)
{
	if (!s) {
		s = "";
	}
	int status = cotrace_json_write_string(c->out, s, strlen(s));

	if (status && !c->error) {
		c->error = status;
	}
}

/* Nanoseconds as microseconds with three decimals: exact. */
static void
put_us(struct cotrace_chrome *c, int64_t ns)
{
	uint64_t mag = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	unsigned int frac = (unsigned int)(mag % 1000);

	if (ns < 0) {
		put_char(c, '-');
	}
	put_u64(c, mag / 1000);
	put_char(c, '.');
	put_char(c, (char)('0' + frac / 100));
	put_char(c, (char)('0' + frac / 10 % 10));
	put_char(c, (char)('0' + frac % 10));
}

/* A time as written: since base_ns, never negative (viewers drop those). */
static int64_t
rel(const struct cotrace_chrome *c, int64_t ts)
{
	if (ts == COTRACE_TS_NONE || c->base_ns == COTRACE_TS_NONE ||
			ts < c->base_ns) {
		return 0;
	}
	return ts - c->base_ns;
}

/* Opens the document at the first event written. */
static void
separate(struct cotrace_chrome *c)
{
	if (!c->started) {
		put(c, "{\"traceEvents\":[\n");
		c->started = true;
	} else {
		put(c, ",\n");
	}
}

/* {"ph":P,"ts":T,"pid":..,"tid":..,"cat":..,"name":.. (left open) */
static void
ev_begin(struct cotrace_chrome *c, char ph, int64_t ts, uint32_t pid,
		uint32_t tid, const char *cat, const char *name)
{
	separate(c);
	put(c, "{\"ph\":\"");
	put_char(c, ph);
	put(c, "\",\"ts\":");
	put_us(c, rel(c, ts));
	put(c, ",\"pid\":");
	put_u64(c, pid);
	put(c, ",\"tid\":");
	put_u64(c, tid);
	if (cat) {
		put(c, ",\"cat\":");
		put_string(c, cat);
	}
	put(c, ",\"name\":");
	put_string(c, name);
}

/* A metadata event: no time. */
static void
ev_meta(struct cotrace_chrome *c, uint32_t pid, uint32_t tid, const char *name)
{
	separate(c);
	put(c, "{\"ph\":\"M\",\"pid\":");
	put_u64(c, pid);
	put(c, ",\"tid\":");
	put_u64(c, tid);
	put(c, ",\"name\":");
	put_string(c, name);
}

static void
ev_dur(struct cotrace_chrome *c, int64_t dur_ns)
{
	put(c, ",\"dur\":");
	put_us(c, dur_ns < 0 ? 0 : dur_ns);
}

static void
ev_end(struct cotrace_chrome *c)
{
	put(c, "}");
}

static void
args_begin(struct cotrace_chrome *c)
{
	put(c, ",\"args\":{");
	c->first_arg = true;
}

static void
args_end(struct cotrace_chrome *c)
{
	put(c, "}");
}

static void
arg_key(struct cotrace_chrome *c, const char *key)
{
	put(c, c->first_arg ? "\"" : ",\"");
	put(c, key);
	put(c, "\":");
	c->first_arg = false;
}

static void
arg_str(struct cotrace_chrome *c, const char *key, const char *value)
{
	arg_key(c, key);
	put_string(c, value);
}

static void
arg_int(struct cotrace_chrome *c, const char *key, int64_t value)
{
	arg_key(c, key);
	put_i64(c, value);
}

static void
arg_uint(struct cotrace_chrome *c, const char *key, uint64_t value)
{
	arg_key(c, key);
	put_u64(c, value);
}

/* Addresses and pthread ids read best in hex; as strings, JS keeps them. */
static void
arg_hex(struct cotrace_chrome *c, const char *key, uint64_t value)
{
	arg_key(c, key);
	put(c, "\"0x");
	put_hex(c, value);
	put_char(c, '"');
}

static void
arg_bool(struct cotrace_chrome *c, const char *key, bool value)
{
	arg_key(c, key);
	put(c, value ? "true" : "false");
}

/* ---- warnings ---- */

enum scope {
	SCOPE_THREAD,
	SCOPE_PROCESS,
	SCOPE_GLOBAL,
};

static void warn(struct cotrace_chrome *c, enum cotrace_warning_kind kind,
		enum scope scope, size_t process, size_t thread, int64_t ts,
		const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* A warning instant named "warning: KIND" with its message. */
static void
warn(struct cotrace_chrome *c, enum cotrace_warning_kind kind, enum scope scope,
		size_t process, size_t thread, int64_t ts, const char *fmt, ...)
{
	const char *kind_name = cotrace_warning_kind_name(kind);
	uint32_t pid = 1, tid = 1;
	char name[64], message[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	if (thread != NONE) {
		tid = c->threads[thread].id;
	} else if (process != NONE &&
			c->processes[process].first_thread != NONE) {
		tid = c->threads[c->processes[process].first_thread].id;
	}
	if (process != NONE) {
		pid = c->processes[process].id;
	}
	snprintf(name, sizeof(name), "warning: %s", kind_name);
	ev_begin(c, 'i', ts, pid, tid, "warning", name);
	put(c, scope == SCOPE_THREAD		 ? ",\"s\":\"t\""
			: scope == SCOPE_PROCESS ? ",\"s\":\"p\""
						 : ",\"s\":\"g\"");
	args_begin(c);
	arg_str(c, "kind", kind_name);
	arg_str(c, "message", message);
	args_end(c);
	ev_end(c);
	if ((size_t)kind < N_KINDS) {
		c->kinds[kind]++;
	}
	c->stats.warnings++;
}

/* ---- labels ---- */

static const char *
completeness(bool start_seen, bool end_seen)
{
	if (start_seen) {
		return end_seen ? "complete" : "started only";
	}
	return end_seen ? "finished only" : "seen only";
}

/* What a name adds when the trace holds only part of a life. */
static const char *
completeness_note(bool start_seen, bool end_seen, const char *end)
{
	if (start_seen) {
		if (end_seen) {
			return "";
		}
		return !strcmp(end, "exit") ? " [no exit recorded]"
					    : " [no end recorded]";
	}
	return end_seen ? " [no start recorded]"
			: " [neither start nor end recorded]";
}

static void
process_label(const struct process *p, char *buf, size_t size)
{
	snprintf(buf, size, "pid %" PRId64 "%s%s", p->pid, *p->name ? " " : "",
			p->name);
}

static void
thread_label(const struct thread *t, char *buf, size_t size)
{
	snprintf(buf, size, "tid %" PRId64 "%s%s", t->tid, *t->name ? " " : "",
			t->name);
}

/* ---- processes and threads ---- */

static void
counter(struct cotrace_chrome *c, const char *name, int64_t ts, size_t value)
{
	ev_begin(c, 'C', ts, 1, 1, NULL, name);
	args_begin(c);
	arg_uint(c, "running", value);
	args_end(c);
	ev_end(c);
}

static int
create_process(struct cotrace_chrome *c, int64_t pid, int64_t ts, size_t *out)
{
	size_t i = c->n_processes;
	struct process *p;

	if (i >= UINT32_MAX ||
			grow(&c->processes, &c->cap_processes, i,
					sizeof(*c->processes)) ||
			map_put(&c->pids, (uint64_t)pid, i)) {
		return -ENOMEM;
	}
	p = &c->processes[i];
	*p = (struct process){
			.pid = pid,
			.ppid = -1,
			.id = (uint32_t)i + 1,
			.first_ns = ts,
			.last_ns = ts,
			.start_ns = ts,
			.end_ns = ts,
			.fork_ret = -1,
			.exit_status = -1,
			.cpu_start_ns = COTRACE_CPU_NONE,
			.cpu_ns = COTRACE_CPU_NONE,
			.first_thread = NONE,
			.main_thread = NONE,
			.parent = NONE,
	};
	p->name = strdup("");
	if (!p->name) {
		return -ENOMEM;
	}
	c->n_processes++;
	c->stats.processes = c->n_processes;
	c->cache_valid = false;
	/* A process runs from its first event to its exit. */
	c->running_processes++;
	counter(c, "processes", ts, c->running_processes);
	*out = i;
	return 0;
}

static int
find_thread(struct cotrace_chrome *c, size_t pi, int64_t tid, int64_t ts,
		size_t *out)
{
	size_t *found = map_find(&c->threads_of, thread_key(pi, tid));
	struct process *p = &c->processes[pi];
	size_t i = c->n_threads;
	struct thread *t;

	if (found) {
		*out = *found;
		return 0;
	}
	if (i >= UINT32_MAX ||
			grow(&c->threads, &c->cap_threads, i,
					sizeof(*c->threads)) ||
			map_put(&c->threads_of, thread_key(pi, tid), i)) {
		return -ENOMEM;
	}
	t = &c->threads[i];
	*t = (struct thread){
			.tid = tid,
			.id = (uint32_t)i + 1,
			.process = pi,
			.first_ns = ts,
			.last_ns = ts,
			.start_ns = ts,
			.end_ns = ts,
			.cpu_ns = COTRACE_CPU_NONE,
	};
	t->name = strdup("");
	if (!t->name) {
		return -ENOMEM;
	}
	c->n_threads++;
	c->stats.threads = c->n_threads;
	if (p->first_thread == NONE) {
		p->first_thread = i;
	}
	if (tid == p->pid) {
		p->main_thread = i;
	}
	*out = i;
	return 0;
}

/* A proc_start completes the pid's current process or begins a new one. */
static int
begin_process(struct cotrace_chrome *c, const struct cotrace_event *e,
		int64_t ts, size_t *out, bool *duplicate)
{
	size_t *cur = map_find(&c->pids, (uint64_t)e->pid);
	bool reused = false;
	size_t i;
	int status;

	*duplicate = false;
	if (cur) {
		const struct process *p = &c->processes[*cur];

		if (p->start_seen && p->start_ns == ts) {
			*duplicate = true;
			*out = *cur;
			return 0;
		}
		reused = p->start_seen || (p->exit_seen && ts > p->end_ns);
	}
	if (!cur || reused) {
		status = create_process(c, e->pid, ts, &i);
		if (status) {
			return status;
		}
		c->processes[i].reused = reused;
	} else {
		i = *cur;
	}
	*out = i;
	return 0;
}

static int
locate(struct cotrace_chrome *c, const struct cotrace_event *e, int64_t ts,
		size_t *pp, size_t *tp, bool *duplicate)
{
	size_t *cur;
	int status;

	*duplicate = false;
	if (e->type != COTRACE_EVENT_PROC_START && c->cache_valid &&
			c->cache_pid == e->pid && c->cache_tid == e->tid) {
		*pp = c->cache_process;
		*tp = c->cache_thread;
		return 0;
	}
	if (e->type == COTRACE_EVENT_PROC_START) {
		status = begin_process(c, e, ts, pp, duplicate);
	} else {
		cur = map_find(&c->pids, (uint64_t)e->pid);
		if (cur) {
			*pp = *cur;
			status = 0;
		} else {
			status = create_process(c, e->pid, ts, pp);
		}
	}
	if (status) {
		return status;
	}
	status = find_thread(c, *pp, e->tid, ts, tp);
	if (status) {
		return status;
	}
	c->cache_valid = true;
	c->cache_pid = e->pid;
	c->cache_tid = e->tid;
	c->cache_process = *pp;
	c->cache_thread = *tp;
	return 0;
}

/* What every event tells about its process and thread. */
static int
touch(struct cotrace_chrome *c, const struct cotrace_event *e, int64_t ts,
		struct process *p, struct thread *t)
{
	bool named = e->procname && *e->procname;
	int status;

	if (ts < p->first_ns) {
		p->first_ns = ts;
	}
	if (ts > p->last_ns) {
		p->last_ns = ts;
	}
	if (ts < t->first_ns) {
		t->first_ns = ts;
	}
	if (ts > t->last_ns) {
		t->last_ns = ts;
	}
	if (ts > c->last_ns) {
		c->last_ns = ts;
	}
	if (e->pthread_id) {
		t->pthread_id = e->pthread_id;
	}
	if (!named) {
		return 0;
	}
	/* The exe (rank 3) beats the main thread's name (2), then any (1). */
	if (p->name_rank < 2) {
		int rank = e->tid == e->pid ? 2 : 1;

		if (rank > p->name_rank) {
			status = set_string(&p->name, e->procname);
			if (status) {
				return status;
			}
			p->name_rank = rank;
		}
	}
	if (t->name_rank == 0) {
		status = set_string(&t->name, e->procname);
		if (status) {
			return status;
		}
		t->name_rank = 1;
	}
	return 0;
}

/* The slice of a process's life, on its main (else first) thread. */
static void
write_process_slice(struct cotrace_chrome *c, struct process *p)
{
	size_t host = p->main_thread != NONE ? p->main_thread : p->first_thread;
	int64_t begin = p->start_seen ? p->start_ns : p->first_ns;
	int64_t end = p->exit_seen ? p->end_ns : p->last_ns;
	char label[320];

	if (p->slice_written || host == NONE) {
		return;
	}
	p->slice_written = true;
	process_label(p, label, sizeof(label));
	ev_begin(c, 'X', begin, p->id, c->threads[host].id, "process", label);
	ev_dur(c, cotrace_ts_sub(end, begin));
	args_begin(c);
	arg_int(c, "pid", p->pid);
	if (p->ppid >= 0) {
		arg_int(c, "ppid", p->ppid);
	}
	if (p->start_seen && p->fork_ret >= 0) {
		arg_int(c, "fork_returned", p->fork_ret);
	}
	if (p->exit_seen) {
		arg_int(c, "exit_status", p->exit_status);
	}
	if (p->cpu_ns != COTRACE_CPU_NONE) {
		uint64_t cpu = p->cpu_ns;

		if (p->cpu_start_ns != COTRACE_CPU_NONE &&
				p->cpu_start_ns <= cpu) {
			cpu -= p->cpu_start_ns;
		}
		arg_uint(c, "cpu_ns", cpu);
	}
	arg_str(c, "completeness", completeness(p->start_seen, p->exit_seen));
	arg_bool(c, "complete", p->start_seen && p->exit_seen);
	args_end(c);
	ev_end(c);
}

static bool
is_main_thread(const struct cotrace_chrome *c, const struct thread *t)
{
	return t->tid == c->processes[t->process].pid;
}

/* The slice of a thread's life; the main thread's is its process's. */
static void
write_thread_slice(struct cotrace_chrome *c, struct thread *t)
{
	int64_t begin = t->start_seen ? t->start_ns : t->first_ns;
	int64_t end = t->exit_seen ? t->end_ns : t->last_ns;
	char label[320];

	if (t->slice_written || is_main_thread(c, t)) {
		return;
	}
	t->slice_written = true;
	thread_label(t, label, sizeof(label));
	ev_begin(c, 'X', begin, c->processes[t->process].id, t->id, "thread",
			label);
	ev_dur(c, cotrace_ts_sub(end, begin));
	args_begin(c);
	arg_int(c, "tid", t->tid);
	arg_int(c, "pid", c->processes[t->process].pid);
	if (t->pthread_id) {
		arg_hex(c, "pthread_id", t->pthread_id);
	}
	if (t->cpu_ns != COTRACE_CPU_NONE) {
		arg_uint(c, "cpu_ns", t->cpu_ns);
	}
	arg_str(c, "completeness", completeness(t->start_seen, t->exit_seen));
	arg_bool(c, "complete", t->start_seen && t->exit_seen);
	args_end(c);
	ev_end(c);
}

/* ---- events ---- */

static void
write_flow(struct cotrace_chrome *c, char ph, int64_t ts, uint32_t pid,
		uint32_t tid, uint64_t id)
{
	ev_begin(c, ph, ts, pid, tid, "process", "fork");
	put(c, ",\"id\":");
	put_u64(c, id);
	if (ph == 'f') {
		put(c, ",\"bp\":\"e\"");
	}
	ev_end(c);
}

static int
on_proc_start(struct cotrace_chrome *c, const struct cotrace_event *e,
		int64_t ts, size_t pi, size_t ti)
{
	struct process *p = &c->processes[pi];
	char label[320];
	size_t *parent;
	int status;

	p->start_seen = true;
	p->start_ns = ts;
	p->ppid = e->ppid >= 0 ? e->ppid : -1;
	p->fork_ret = e->fork_ret;
	p->cpu_start_ns = e->cpu_ns;
	if (e->name && *e->name) {
		status = set_string(&p->name, base_name(e->name));
		if (status) {
			return status;
		}
		p->name_rank = 3;
	}
	parent = p->ppid >= 0 ? map_find(&c->pids, (uint64_t)p->ppid) : NULL;
	if (parent && *parent != pi) {
		p->parent = *parent;
	}
	if (p->reused) {
		const struct process *old = NULL;

		for (size_t i = pi; i-- > 0;) {
			if (c->processes[i].pid == p->pid) {
				old = &c->processes[i];
				break;
			}
		}
		process_label(p, label, sizeof(label));
		warn(c, COTRACE_WARN_PID_REUSED, SCOPE_PROCESS, pi, ti, ts,
				"pid %" PRId64 " started twice%s%s: the "
				"system reused the pid or the program exec'd "
				"another one, so it is shown as two "
				"processes (%" PRIu32 " and %" PRIu32 ").",
				p->pid, old ? ", first as " : "",
				old ? old->name : "", old ? old->id : 0, p->id);
	}
	if (p->fork_ret != 0) {
		return 0;
	}
	/* A fork child: the flow from its parent's fork ends here. */
	for (size_t i = 0; i < c->n_forks; i++) {
		struct pending_fork *f = &c->forks[i];

		if (f->child_pid != p->pid) {
			continue;
		}
		p->flow_id = f->flow_id;
		p->parent = f->parent;
		c->forks[i] = c->forks[--c->n_forks];
		c->stats.flows++;
		break;
	}
	if (!p->flow_id) {
		p->flow_id = ++c->next_flow;
		p->awaiting_fork = true;
	}
	write_flow(c, 'f', ts, p->id, c->threads[ti].id, p->flow_id);
	return 0;
}

static int
on_proc_exit(struct cotrace_chrome *c, const struct cotrace_event *e,
		int64_t ts, size_t pi)
{
	struct process *p = &c->processes[pi];
	char label[320];

	if (p->exit_seen) {
		return 0; /* a duplicated event */
	}
	p->exit_seen = true;
	p->end_ns = ts;
	p->last_ns = ts > p->last_ns ? ts : p->last_ns;
	p->exit_status = e->status;
	p->cpu_ns = e->cpu_ns;
	if (c->running_processes > 0) {
		c->running_processes--;
	}
	counter(c, "processes", ts, c->running_processes);
	write_process_slice(c, p);
	if (p->fork_ret == 0 && p->exit_status != 0) {
		process_label(p, label, sizeof(label));
		warn(c, COTRACE_WARN_CHILD_ABNORMAL, SCOPE_PROCESS, pi, NONE,
				ts,
				"%s, a fork child, exited with status %" PRId64
				" instead of 0.",
				label, p->exit_status);
	}
	return 0;
}

static int
on_fork(struct cotrace_chrome *c, const struct cotrace_event *e, int64_t ts,
		size_t pi, size_t ti)
{
	const struct thread *t = &c->threads[ti];
	struct process *p = &c->processes[pi];
	size_t *child = e->child_pid > 0
					? map_find(&c->pids,
							  (uint64_t)e->child_pid)
					: NULL;
	uint64_t flow = 0;
	char name[64], label[320];
	int status;

	c->stats.forks++;
	snprintf(name, sizeof(name), "fork pid %" PRId64, e->child_pid);
	ev_begin(c, 'X', ts, p->id, t->id, "process", name);
	ev_dur(c, FORK_SLICE_NS);
	args_begin(c);
	arg_int(c, "child_pid", e->child_pid);
	arg_int(c, "fork_returned", e->child_pid);
	arg_int(c, "threads_alive", e->threads_alive);
	if (e->alive_names && *e->alive_names) {
		arg_str(c, "alive_threads", e->alive_names);
	}
	args_end(c);
	ev_end(c);

	if (child && c->processes[*child].awaiting_fork) {
		struct process *ch = &c->processes[*child];

		ch->awaiting_fork = false;
		ch->parent = pi;
		flow = ch->flow_id;
		c->stats.flows++;
	} else if (e->child_pid > 0) {
		status = grow(&c->forks, &c->cap_forks, c->n_forks,
				sizeof(*c->forks));
		if (status) {
			return status;
		}
		flow = ++c->next_flow;
		c->forks[c->n_forks++] = (struct pending_fork){
				.child_pid = e->child_pid,
				.flow_id = flow,
				.parent = pi,
				.thread = ti,
				.ts_ns = ts,
		};
	}
	if (flow) {
		write_flow(c, 's', ts, p->id, t->id, flow);
	}
	if (e->threads_alive > 1) {
		process_label(p, label, sizeof(label));
		warn(c, COTRACE_WARN_FORK_WITH_THREADS, SCOPE_THREAD, pi, ti,
				ts,
				"%s forked pid %" PRId64 " while %" PRId64
				" other thread%s alive%s%s; the child has a "
				"copy of only the forking thread.",
				label, e->child_pid, e->threads_alive - 1,
				e->threads_alive == 2 ? " was" : "s were",
				e->alive_names && *e->alive_names ? ": " : "",
				e->alive_names ? e->alive_names : "");
	}
	return 0;
}

static int
on_task_start(struct cotrace_chrome *c, const struct cotrace_event *e,
		int64_t ts, struct thread *t)
{
	struct open_task *task;
	int status;

	status = grow(&t->tasks, &t->cap_tasks, t->n_tasks, sizeof(*t->tasks));
	if (status) {
		return status;
	}
	task = &t->tasks[t->n_tasks];
	*task = (struct open_task){
			.id = e->task_id,
			.start_ns = ts,
			.cpu_ns = e->cpu_ns,
	};
	task->label = strdup(e->name ? e->name : "");
	if (!task->label) {
		return -ENOMEM;
	}
	t->n_tasks++;
	c->stats.open_tasks++;
	c->running_tasks++;
	counter(c, "tasks", ts, c->running_tasks);
	return 0;
}

static void
write_task(struct cotrace_chrome *c, const struct thread *t,
		const struct open_task *task, int64_t end_ns, uint64_t cpu_end,
		bool finished)
{
	char name[300];

	snprintf(name, sizeof(name), "%s%s", task->label,
			finished ? "" : " (unfinished)");
	ev_begin(c, 'X', task->start_ns, c->processes[t->process].id, t->id,
			"task", name);
	ev_dur(c, end_ns - task->start_ns);
	args_begin(c);
	arg_uint(c, "task_id", task->id);
	arg_str(c, "label", task->label);
	if (finished && task->cpu_ns != COTRACE_CPU_NONE &&
			cpu_end != COTRACE_CPU_NONE &&
			cpu_end >= task->cpu_ns) {
		arg_uint(c, "cpu_ns", cpu_end - task->cpu_ns);
	}
	arg_bool(c, "finished", finished);
	args_end(c);
	ev_end(c);
	c->stats.tasks++;
}

static void
on_task_finish(struct cotrace_chrome *c, const struct cotrace_event *e,
		int64_t ts, struct thread *t)
{
	size_t i = t->n_tasks;

	/* The latest start of that id; a finish without one tells nothing. */
	while (i > 0 && t->tasks[i - 1].id != e->task_id) {
		i--;
	}
	if (i == 0) {
		return;
	}
	i--;
	write_task(c, t, &t->tasks[i], ts, e->cpu_ns, true);
	free(t->tasks[i].label);
	memmove(&t->tasks[i], &t->tasks[i + 1],
			(t->n_tasks - i - 1) * sizeof(*t->tasks));
	t->n_tasks--;
	c->stats.open_tasks--;
	if (c->running_tasks > 0) {
		c->running_tasks--;
	}
	counter(c, "tasks", ts, c->running_tasks);
}

/* Did another thread of the process write this key at this address? */
static void
check_shared_slot(struct cotrace_chrome *c, size_t ti, struct tls_slot *slot,
		int64_t ts)
{
	const struct thread *t = &c->threads[ti];
	char who[320], a[320], b[320];

	for (size_t i = 0; i < c->n_threads; i++) {
		const struct thread *o = &c->threads[i];

		if (i == ti || o->process != t->process) {
			continue;
		}
		for (size_t k = 0; k < o->n_slots; k++) {
			if (o->slots[k].addr != slot->addr ||
					strcmp(o->slots[k].key, slot->key)) {
				continue;
			}
			slot->warned_shared = true;
			process_label(&c->processes[t->process], who,
					sizeof(who));
			thread_label(o, a, sizeof(a));
			thread_label(t, b, sizeof(b));
			warn(c, COTRACE_WARN_TLS_SHARED_SLOT, SCOPE_THREAD,
					t->process, ti, ts,
					"Threads %s and %s of %s both wrote "
					"TLS key '%s' at the same address "
					"0x%" PRIx64 ": they share one slot "
					"instead of each having its own copy.",
					a, b, who, slot->key, slot->addr);
			return;
		}
	}
}

static int
on_tls(struct cotrace_chrome *c, const struct cotrace_event *e, int64_t ts,
		size_t pi, size_t ti)
{
	struct thread *t = &c->threads[ti];
	bool is_read = e->type == COTRACE_EVENT_TLS_READ;
	const char *key = e->key ? e->key : "";
	const char *value = e->value ? e->value : "";
	struct tls_slot *slot = NULL;
	char name[300], who[320];
	int status;

	snprintf(name, sizeof(name), "%s %s",
			is_read ? "tls_read" : "tls_write", key);
	ev_begin(c, 'i', ts, c->processes[pi].id, t->id, "tls", name);
	put(c, ",\"s\":\"t\"");
	args_begin(c);
	arg_str(c, "key", key);
	arg_str(c, "value", value);
	arg_hex(c, "addr", e->addr);
	if (t->pthread_id) {
		arg_hex(c, "pthread_id", t->pthread_id);
	}
	args_end(c);
	ev_end(c);
	c->stats.tls++;

	for (size_t k = 0; k < t->n_slots; k++) {
		if (!strcmp(t->slots[k].key, key)) {
			slot = &t->slots[k];
			break;
		}
	}
	if (is_read) {
		if (!slot || slot->warned_changed ||
				!strcmp(slot->value, value)) {
			return 0;
		}
		slot->warned_changed = true;
		process_label(&c->processes[pi], who, sizeof(who));
		warn(c, COTRACE_WARN_TLS_VALUE_CHANGED, SCOPE_THREAD, pi, ti,
				ts,
				"Thread tid %" PRId64 " of %s read TLS key "
				"'%s' back as '%s' although it last wrote "
				"'%s': something else changed its slot "
				"(0x%" PRIx64 ").",
				t->tid, who, key, value, slot->value, e->addr);
		return 0;
	}
	if (!slot) {
		status = grow(&t->slots, &t->cap_slots, t->n_slots,
				sizeof(*t->slots));
		if (status) {
			return status;
		}
		slot = &t->slots[t->n_slots];
		*slot = (struct tls_slot){.addr = e->addr};
		slot->key = strdup(key);
		if (!slot->key) {
			return -ENOMEM;
		}
		t->n_slots++;
	} else if (slot->addr != e->addr) {
		slot->addr = e->addr;
		slot->warned_shared = false;
	}
	/* The common case rewrites a value of the same length or shorter. */
	if (!slot->value || strlen(slot->value) < strlen(value)) {
		status = set_string(&slot->value, value);
		if (status) {
			return status;
		}
	} else {
		strcpy(slot->value, value);
	}
	if (!slot->warned_shared) {
		check_shared_slot(c, ti, slot, ts);
		/* Checked once per slot: later writes of it cost nothing. */
		slot->warned_shared = true;
	}
	return 0;
}

int
cotrace_chrome_add_event(
		struct cotrace_chrome *c, const struct cotrace_event *e)
{
	int64_t ts = e->ts_ns;
	struct thread *t;
	bool duplicate;
	size_t pi, ti;
	int status;

	if (c->error || c->finished) {
		return c->error;
	}
	c->stats.events++;
	c->stats.cotrace_events++;
	/* An event without a time sits at the latest time seen. */
	if (ts == COTRACE_TS_NONE) {
		ts = c->last_ns != COTRACE_TS_NONE ? c->last_ns : 0;
	}
	if (c->base_ns == COTRACE_TS_NONE) {
		c->base_ns = ts;
		c->last_ns = ts;
	}
	status = locate(c, e, ts, &pi, &ti, &duplicate);
	if (status || duplicate) {
		goto end;
	}
	t = &c->threads[ti];
	status = touch(c, e, ts, &c->processes[pi], t);
	if (status) {
		goto end;
	}
	switch (e->type) {
	case COTRACE_EVENT_PROC_START:
		status = on_proc_start(c, e, ts, pi, ti);
		break;
	case COTRACE_EVENT_PROC_EXIT:
		status = on_proc_exit(c, e, ts, pi);
		break;
	case COTRACE_EVENT_FORK:
		status = on_fork(c, e, ts, pi, ti);
		break;
	case COTRACE_EVENT_THREAD_START:
		t->start_seen = true;
		t->start_ns = ts;
		if (e->name && *e->name) {
			status = set_string(&t->name, e->name);
			t->name_rank = 2;
		}
		break;
	case COTRACE_EVENT_THREAD_EXIT:
		t->exit_seen = true;
		t->end_ns = ts;
		t->cpu_ns = e->cpu_ns;
		write_thread_slice(c, t);
		break;
	case COTRACE_EVENT_TASK_START:
		status = on_task_start(c, e, ts, t);
		break;
	case COTRACE_EVENT_TASK_FINISH:
		on_task_finish(c, e, ts, t);
		break;
	case COTRACE_EVENT_TLS_WRITE:
	case COTRACE_EVENT_TLS_READ:
		status = on_tls(c, e, ts, pi, ti);
		break;
	default:
		/* A kind this writer does not draw: its process still counts.
		 */
		break;
	}
end:
	check_output(c);
	return status ? status : c->error;
}

void
cotrace_chrome_count_foreign(struct cotrace_chrome *c)
{
	c->stats.events++;
}

int
cotrace_chrome_add_lost(struct cotrace_chrome *c, uint64_t count,
		int64_t begin_ns, int64_t end_ns)
{
	uint64_t id;

	if (c->error || c->finished) {
		return c->error;
	}
	if (begin_ns == COTRACE_TS_NONE) {
		begin_ns = c->last_ns != COTRACE_TS_NONE ? c->last_ns : 0;
	}
	if (end_ns == COTRACE_TS_NONE) {
		end_ns = begin_ns;
	} else if (end_ns < begin_ns) {
		int64_t tmp = begin_ns;

		begin_ns = end_ns;
		end_ns = tmp;
	}
	if (c->base_ns == COTRACE_TS_NONE) {
		c->base_ns = begin_ns;
		c->last_ns = begin_ns;
	}
	/* As the model does: a total past 2^64 stays at its maximum. */
	if (__builtin_add_overflow(c->stats.lost_events, count,
			    &c->stats.lost_events)) {
		c->stats.lost_events = UINT64_MAX;
	}
	c->stats.lost_spans++;
	id = ++c->next_lost;
	ev_begin(c, 'b', begin_ns, 1, 1, "lost", "lost events");
	put(c, ",\"id\":");
	put_u64(c, id);
	args_begin(c);
	arg_uint(c, "count", count);
	args_end(c);
	ev_end(c);
	ev_begin(c, 'e', end_ns, 1, 1, "lost", "lost events");
	put(c, ",\"id\":");
	put_u64(c, id);
	ev_end(c);
	if (count) {
		warn(c, COTRACE_WARN_EVENTS_LOST, SCOPE_GLOBAL, NONE, NONE,
				begin_ns,
				"The tracer discarded %" PRIu64 " event%s here "
				"(its buffers were full), so processes, forks "
				"or tasks of that time may be missing or "
				"incomplete.",
				count, count == 1 ? "" : "s");
	} else {
		warn(c, COTRACE_WARN_EVENTS_LOST, SCOPE_GLOBAL, NONE, NONE,
				begin_ns,
				"The tracer discarded events here (it did not "
				"say how many), so processes, forks or tasks "
				"of that time may be missing or incomplete.");
	}
	check_output(c);
	return c->error;
}

int
cotrace_chrome_add_path(struct cotrace_chrome *c, const char *path)
{
	char *copy;

	if (grow(&c->paths, &c->cap_paths, c->n_paths, sizeof(*c->paths))) {
		return -ENOMEM;
	}
	copy = strdup(path);
	if (!copy) {
		return -ENOMEM;
	}
	c->paths[c->n_paths++] = copy;
	return 0;
}

int
cotrace_chrome_mark_damaged(struct cotrace_chrome *c, const char *why)
{
	if (c->error || c->finished) {
		return c->error;
	}
	warn(c, COTRACE_WARN_TRACE_DAMAGED, SCOPE_GLOBAL, NONE, NONE,
			c->last_ns,
			"The trace is damaged: %s. What follows it in the "
			"trace "
			"is missing.",
			why);
	check_output(c);
	return c->error;
}

/* ---- the end ---- */

/* Preorder of the fork tree: children right after their parent. */
static int
sort_indexes(const struct cotrace_chrome *c, uint32_t **out)
{
	size_t n = c->n_processes, next = 0, top = 0;
	uint32_t *index = calloc(n ? n : 1, sizeof(*index));
	size_t *stack = calloc(n ? n : 1, sizeof(*stack));
	bool *done = calloc(n ? n : 1, sizeof(*done));
	int status = -ENOMEM;

	if (!index || !stack || !done) {
		goto end;
	}
	for (size_t root = 0; root < n; root++) {
		while (!done[root]) {
			size_t r = root;

			/* Start from the topmost ancestor not placed yet. */
			for (size_t hops = 0; hops < n; hops++) {
				size_t up = c->processes[r].parent;

				if (up == NONE || done[up]) {
					break;
				}
				r = up;
			}
			stack[top++] = r;
			done[r] = true;
			while (top > 0) {
				size_t p = stack[--top];

				index[p] = (uint32_t)++next;
				/* Pushed last first: children keep their order.
				 */
				for (size_t k = n; k-- > 0;) {
					if (!done[k] && c->processes[k].parent ==
									p) {
						done[k] = true;
						stack[top++] = k;
					}
				}
			}
		}
	}
	*out = index;
	index = NULL;
	status = 0;
end:
	free(index);
	free(stack);
	free(done);
	return status;
}

static void
write_names(struct cotrace_chrome *c, const uint32_t *sort_index)
{
	char label[400], note[320];

	for (size_t i = 0; i < c->n_processes; i++) {
		const struct process *p = &c->processes[i];
		uint32_t tid = p->first_thread != NONE
					       ? c->threads[p->first_thread].id
					       : 1;

		process_label(p, note, sizeof(note));
		snprintf(label, sizeof(label), "%s%s", note,
				completeness_note(p->start_seen, p->exit_seen,
						"exit"));
		ev_meta(c, p->id, tid, "process_name");
		args_begin(c);
		arg_str(c, "name", label);
		arg_int(c, "pid", p->pid);
		arg_str(c, "completeness",
				completeness(p->start_seen, p->exit_seen));
		args_end(c);
		ev_end(c);
		ev_meta(c, p->id, tid, "process_sort_index");
		args_begin(c);
		arg_uint(c, "sort_index", sort_index[i]);
		args_end(c);
		ev_end(c);
		if (p->ppid >= 0) {
			snprintf(note, sizeof(note), "ppid %" PRId64, p->ppid);
		} else {
			snprintf(note, sizeof(note), "parent unknown");
		}
		snprintf(label, sizeof(label), "%s, %s%s", note,
				completeness(p->start_seen, p->exit_seen),
				p->exit_seen && p->exit_status != 0
						? ", exit status not 0"
						: "");
		ev_meta(c, p->id, tid, "process_labels");
		args_begin(c);
		arg_str(c, "labels", label);
		args_end(c);
		ev_end(c);
	}
	for (size_t i = 0; i < c->n_threads; i++) {
		const struct thread *t = &c->threads[i];
		const struct process *p = &c->processes[t->process];
		bool main = is_main_thread(c, t);
		/* The main thread's life is its process's. */
		bool start = main ? p->start_seen : t->start_seen;
		bool end = main ? p->exit_seen : t->exit_seen;

		thread_label(t, note, sizeof(note));
		snprintf(label, sizeof(label), "%s%s%s", note,
				main ? " (main)" : "",
				completeness_note(start, end, "end"));
		ev_meta(c, p->id, t->id, "thread_name");
		args_begin(c);
		arg_str(c, "name", label);
		arg_int(c, "tid", t->tid);
		if (t->pthread_id) {
			arg_hex(c, "pthread_id", t->pthread_id);
		}
		arg_str(c, "completeness", completeness(start, end));
		args_end(c);
		ev_end(c);
		ev_meta(c, p->id, t->id, "thread_sort_index");
		args_begin(c);
		arg_uint(c, "sort_index", main ? 0 : (uint64_t)i + 1);
		args_end(c);
		ev_end(c);
	}
}

static void
finish_tasks(struct cotrace_chrome *c)
{
	char who[320], thr[320];

	for (size_t i = 0; i < c->n_threads; i++) {
		struct thread *t = &c->threads[i];
		struct process *p = &c->processes[t->process];
		bool main = is_main_thread(c, t);
		/* Up to the end of the slice that holds it. */
		int64_t end = main ? (p->exit_seen ? p->end_ns : p->last_ns)
				   : (t->exit_seen ? t->end_ns : t->last_ns);

		for (size_t k = 0; k < t->n_tasks; k++) {
			struct open_task *task = &t->tasks[k];

			write_task(c, t, task,
					end > task->start_ns ? end
							     : task->start_ns,
					COTRACE_CPU_NONE, false);
			c->stats.unfinished_tasks++;
			if (++p->unfinished > MAX_UNFINISHED_WARNINGS) {
				continue;
			}
			process_label(p, who, sizeof(who));
			thread_label(t, thr, sizeof(thr));
			warn(c, COTRACE_WARN_TASK_UNFINISHED, SCOPE_THREAD,
					t->process, i, task->start_ns,
					"Task %" PRIu64 " '%s' of %s, %s, "
					"started and never finished, so it is "
					"drawn until its thread's last event.",
					task->id, task->label, who, thr);
		}
	}
	for (size_t i = 0; i < c->n_processes; i++) {
		struct process *p = &c->processes[i];

		if (p->unfinished > MAX_UNFINISHED_WARNINGS) {
			process_label(p, who, sizeof(who));
			warn(c, COTRACE_WARN_TASK_UNFINISHED, SCOPE_PROCESS, i,
					NONE, p->last_ns,
					"%zu more tasks of %s never finished.",
					p->unfinished - MAX_UNFINISHED_WARNINGS,
					who);
		}
	}
}

static void
finish_lives(struct cotrace_chrome *c)
{
	char who[320];

	for (size_t i = 0; i < c->n_threads; i++) {
		write_thread_slice(c, &c->threads[i]);
	}
	for (size_t i = 0; i < c->n_processes; i++) {
		struct process *p = &c->processes[i];

		write_process_slice(c, p);
		process_label(p, who, sizeof(who));
		if (!p->start_seen) {
			warn(c, COTRACE_WARN_PROCESS_NO_START, SCOPE_PROCESS, i,
					NONE, p->first_ns,
					"%s has events but its start was never "
					"recorded%s, so it is shown from its "
					"first event.",
					who,
					p->exit_seen ? "" : ", nor its exit");
		} else if (!p->exit_seen) {
			warn(c, COTRACE_WARN_PROCESS_NO_EXIT, SCOPE_PROCESS, i,
					NONE, p->last_ns,
					"%s started but its exit was never "
					"recorded (killed by a signal, still "
					"running when tracing stopped, or left "
					"through _exit()), so it is shown "
					"ending at its last event.",
					who);
		}
	}
	for (size_t i = 0; i < c->n_forks; i++) {
		const struct pending_fork *f = &c->forks[i];

		process_label(&c->processes[f->parent], who, sizeof(who));
		warn(c, COTRACE_WARN_FORK_CHILD_MISSING, SCOPE_THREAD,
				f->parent, f->thread, f->ts_ns,
				"%s forked pid %" PRId64 " but no start of the "
				"child was recorded: events may have been "
				"lost, "
				"or the child did not trace.",
				who, f->child_pid);
	}
}

static void
write_metadata(struct cotrace_chrome *c)
{
	bool first = true;

	put(c, "\n],\n\"displayTimeUnit\":\"ms\",\n\"metadata\":{\"cotrace\":"
	       "{");
	c->first_arg = true;
	arg_str(c, "clock",
			"ts and dur are microseconds since base_ns, "
			"nanoseconds since the Unix epoch");
	arg_int(c, "base_ns", c->base_ns == COTRACE_TS_NONE ? 0 : c->base_ns);
	arg_key(c, "paths");
	put(c, "[");
	for (size_t i = 0; i < c->n_paths; i++) {
		if (i) {
			put(c, ",");
		}
		put_string(c, c->paths[i]);
	}
	put(c, "]");
	arg_uint(c, "events", c->stats.events);
	arg_uint(c, "cotrace_events", c->stats.cotrace_events);
	arg_uint(c, "lost_events", c->stats.lost_events);
	arg_uint(c, "processes", c->stats.processes);
	arg_uint(c, "threads", c->stats.threads);
	arg_uint(c, "tasks", c->stats.tasks);
	arg_uint(c, "unfinished_tasks", c->stats.unfinished_tasks);
	arg_uint(c, "forks", c->stats.forks);
	arg_uint(c, "flows", c->stats.flows);
	arg_uint(c, "tls", c->stats.tls);
	arg_key(c, "warnings");
	put(c, "{");
	for (size_t k = 0; k < N_KINDS; k++) {
		if (!c->kinds[k]) {
			continue;
		}
		fprintf(c->out, "%s\"%s\":%" PRIu64, first ? "" : ",",
				cotrace_warning_kind_name(
						(enum cotrace_warning_kind)k),
				c->kinds[k]);
		first = false;
	}
	put(c, "}");
	put(c, "}}}\n");
}

int
cotrace_chrome_finish(struct cotrace_chrome *c)
{
	uint32_t *sort_index = NULL;
	int status;

	if (c->error || c->finished) {
		return c->error;
	}
	c->finished = true;
	status = sort_indexes(c, &sort_index);
	if (status) {
		return status;
	}
	finish_tasks(c);
	finish_lives(c);
	write_names(c, sort_index);
	free(sort_index);
	if (!c->started) {
		put(c, "{\"traceEvents\":[");
		c->started = true;
	}
	write_metadata(c);
	if (fflush(c->out) != 0 && !c->error) {
		c->error = errno ? -errno : -EIO;
	}
	check_output(c);
	return c->error;
}

/* ---- life cycle ---- */

struct cotrace_chrome *
cotrace_chrome_create(FILE *out)
{
	struct cotrace_chrome *c = calloc(1, sizeof(*c));

	if (!c) {
		return NULL;
	}
	c->out = out;
	c->base_ns = COTRACE_TS_NONE;
	c->last_ns = COTRACE_TS_NONE;
	return c;
}

void
cotrace_chrome_destroy(struct cotrace_chrome *c)
{
	if (!c) {
		return;
	}
	for (size_t i = 0; i < c->n_threads; i++) {
		struct thread *t = &c->threads[i];

		for (size_t k = 0; k < t->n_tasks; k++) {
			free(t->tasks[k].label);
		}
		free(t->tasks);
		for (size_t k = 0; k < t->n_slots; k++) {
			free(t->slots[k].key);
			free(t->slots[k].value);
		}
		free(t->slots);
		free(t->name);
	}
	free(c->threads);
	for (size_t i = 0; i < c->n_processes; i++) {
		free(c->processes[i].name);
	}
	free(c->processes);
	free(c->pids.slots);
	free(c->threads_of.slots);
	free(c->forks);
	for (size_t i = 0; i < c->n_paths; i++) {
		free(c->paths[i]);
	}
	free(c->paths);
	free(c);
}

bool
cotrace_chrome_started(const struct cotrace_chrome *c)
{
	return c->started;
}

int
cotrace_chrome_error(const struct cotrace_chrome *c)
{
	return c->error;
}

const struct cotrace_chrome_stats *
cotrace_chrome_get_stats(const struct cotrace_chrome *c)
{
	return &c->stats;
}
