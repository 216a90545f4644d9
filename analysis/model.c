/*
 * The trace model: rebuilds processes, threads, tasks, forks and TLS
 * accesses from cotrace events, in whatever order the muxer delivers them.
 *
 * Per-event work is O(1) amortised: a cache of the last (host, pid, tid)
 * looked up answers most events, hash tables answer the rest. Everything
 * that needs the whole trace (fork children, parents, warnings) waits for
 * cotrace_model_finish().
 *
 * Strings are interned in one table owned by the model: the name, label,
 * key and value pointers in the public structures point into it, so a
 * million tasks with one label cost one copy.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "running-profile.h"

#define NONE_INDEX SIZE_MAX
/* Open tasks' labels beyond this many distinct strings are copied. */
#define MAX_INTERNED_LABELS 4096

/* Caps on warnings that a broken program could otherwise repeat endlessly. */
#define MAX_UNFINISHED_WARNINGS_PER_PROCESS 16
#define MAX_LISTED_THREADS 8
#define MAX_ALIVE_TIDS 65536

/* ------------------------------------------------------------------ */
/* Hash map: three 64-bit integers to an index; linear probing.        */

struct map_slot {
	uint64_t k0, k1, k2;
	size_t value;
	bool used;
};

struct map {
	struct map_slot *slots; /* owned */
	size_t cap;             /* a power of two, or 0 */
	size_t n;
};

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static uint64_t
map_hash(uint64_t k0, uint64_t k1, uint64_t k2)
{
	uint64_t h = mix64(k0 + 0x9e3779b97f4a7c15ULL);

	h = mix64(h ^ (k1 + 0x632be59bd9b4e019ULL));
	return mix64(h ^ (k2 + 0x85ebca6b27d4eb4fULL));
}

static void
map_release(struct map *map)
{
	free(map->slots);
	map->slots = NULL;
	map->cap = 0;
	map->n = 0;
}

static size_t *
map_find(const struct map *map, uint64_t k0, uint64_t k1, uint64_t k2)
{
	size_t mask, i;

	if (map->cap == 0) {
		return NULL;
	}
	mask = map->cap - 1;
	for (i = map_hash(k0, k1, k2) & mask; map->slots[i].used;
			i = (i + 1) & mask) {
		struct map_slot *s = &map->slots[i];

		if (s->k0 == k0 && s->k1 == k1 && s->k2 == k2) {
			return &s->value;
		}
	}
	return NULL;
}

static void
map_place(struct map_slot *slots, size_t cap, const struct map_slot *src)
{
	size_t mask = cap - 1;
	size_t i = map_hash(src->k0, src->k1, src->k2) & mask;

	while (slots[i].used) {
		i = (i + 1) & mask;
	}
	slots[i] = *src;
}

static int
map_grow(struct map *map)
{
	size_t new_cap = map->cap ? map->cap * 2 : 16;
	struct map_slot *slots;
	size_t i;

	if (new_cap < map->cap || new_cap > SIZE_MAX / sizeof(*slots)) {
		return -ENOMEM;
	}
	slots = calloc(new_cap, sizeof(*slots));
	if (!slots) {
		return -ENOMEM;
	}
	for (i = 0; i < map->cap; i++) {
		if (map->slots[i].used) {
			map_place(slots, new_cap, &map->slots[i]);
		}
	}
	free(map->slots);
	map->slots = slots;
	map->cap = new_cap;
	return 0;
}

/* Inserts or overwrites. */
static int
map_put(struct map *map, uint64_t k0, uint64_t k1, uint64_t k2, size_t value)
{
	struct map_slot slot = { k0, k1, k2, value, true };
	size_t *existing = map_find(map, k0, k1, k2);
	int status;

	if (existing) {
		*existing = value;
		return 0;
	}
	/* Keep the load under one half so probe runs stay short. */
	if ((map->n + 1) * 2 > map->cap) {
		status = map_grow(map);
		if (status) {
			return status;
		}
	}
	map_place(map->slots, map->cap, &slot);
	map->n++;
	return 0;
}

static void
map_remove(struct map *map, uint64_t k0, uint64_t k1, uint64_t k2)
{
	size_t mask, i, j;

	if (map->cap == 0) {
		return;
	}
	mask = map->cap - 1;
	for (i = map_hash(k0, k1, k2) & mask;; i = (i + 1) & mask) {
		struct map_slot *s = &map->slots[i];

		if (!s->used) {
			return;
		}
		if (s->k0 == k0 && s->k1 == k1 && s->k2 == k2) {
			break;
		}
	}
	/*
	 * Backward-shift deletion: no tombstones, so a table of open tasks
	 * that churns forever never fills up with dead slots.
	 */
	map->slots[i].used = false;
	map->n--;
	for (j = (i + 1) & mask; map->slots[j].used; j = (j + 1) & mask) {
		struct map_slot *s = &map->slots[j];
		size_t home = map_hash(s->k0, s->k1, s->k2) & mask;
		bool movable;

		if (i <= j) {
			movable = home <= i || home > j;
		} else {
			movable = home <= i && home > j;
		}
		if (movable) {
			map->slots[i] = *s;
			s->used = false;
			i = j;
		}
	}
}

/* ------------------------------------------------------------------ */
/* String table: each distinct string stored once.                     */

struct strtab {
	char **strs;      /* owned, each owned */
	uint64_t *hashes; /* parallel to strs */
	size_t n, cap;
	size_t *index;    /* 0 empty, else strs index + 1 */
	size_t icap;      /* a power of two, or 0 */
};

static uint64_t
str_hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return mix64(h);
}

static void
strtab_release(struct strtab *tab)
{
	size_t i;

	for (i = 0; i < tab->n; i++) {
		free(tab->strs[i]);
	}
	free(tab->strs);
	free(tab->hashes);
	free(tab->index);
	memset(tab, 0, sizeof(*tab));
}

static int
strtab_rehash(struct strtab *tab, size_t new_icap)
{
	size_t *index = calloc(new_icap, sizeof(*index));
	size_t mask = new_icap - 1;
	size_t i, j;

	if (!index) {
		return -ENOMEM;
	}
	for (i = 0; i < tab->n; i++) {
		for (j = tab->hashes[i] & mask; index[j]; j = (j + 1) & mask) {
		}
		index[j] = i + 1;
	}
	free(tab->index);
	tab->index = index;
	tab->icap = new_icap;
	return 0;
}

/*
 * The interned copy of s[0..len), or NULL when out of memory or, when the
 * table already holds `max` strings (0: no bound), when s is not one.
 */
static char *
strtab_intern_capped(struct strtab *tab, const char *s, size_t len, size_t max)
{
	uint64_t h = str_hash(s, len);
	size_t mask, i;
	char *copy;

	if ((tab->n + 1) * 2 > tab->icap) {
		size_t icap = tab->icap ? tab->icap * 2 : 64;

		if (icap < tab->icap || strtab_rehash(tab, icap)) {
			return NULL;
		}
	}
	mask = tab->icap - 1;
	for (i = h & mask; tab->index[i]; i = (i + 1) & mask) {
		size_t k = tab->index[i] - 1;

		if (tab->hashes[k] == h && strncmp(tab->strs[k], s, len) == 0 &&
				tab->strs[k][len] == '\0') {
			return tab->strs[k];
		}
	}
	if (max && tab->n >= max) {
		return NULL;
	}
	if (tab->n == tab->cap) {
		size_t cap = tab->cap ? tab->cap * 2 : 64;
		char **strs;
		uint64_t *hashes;

		strs = realloc(tab->strs, cap * sizeof(*strs));
		if (!strs) {
			return NULL;
		}
		tab->strs = strs;
		hashes = realloc(tab->hashes, cap * sizeof(*hashes));
		if (!hashes) {
			return NULL;
		}
		tab->hashes = hashes;
		tab->cap = cap;
	}
	copy = malloc(len + 1);
	if (!copy) {
		return NULL;
	}
	memcpy(copy, s, len);
	copy[len] = '\0';
	tab->strs[tab->n] = copy;
	tab->hashes[tab->n] = h;
	tab->n++;
	tab->index[i] = tab->n;
	return copy;
}

/* NULL interns as "", so the model never hands out a NULL name. */
static char *
strtab_intern(struct strtab *tab, const char *s)
{
	if (!s) {
		s = "";
	}
	return strtab_intern_capped(tab, s, strlen(s), 0);
}

/* ------------------------------------------------------------------ */
/* Private state.                                                      */

/* A task that never finished, for the task-unfinished warnings. */
struct unfinished {
	uint64_t seq;      /* its place among all tasks, by start */
	uint64_t id;
	size_t process, thread;
	const char *label; /* interned, or owned when label_owned */
	bool label_owned;
	int64_t start_ns;
};

/* A task between its start and its finish. */
struct open_task {
	uint64_t seq;
	uint64_t id;
	size_t process, thread;
	const char *label;  /* interned, or owned when label_owned */
	bool label_owned;
	int64_t start_ns;
	uint64_t cpu_start_ns;
	size_t listed;      /* index in model->tasks, NONE if not listed */
	/*
	 * Started after its process exited: anchored at its own start (see
	 * running-profile.h); COTRACE_TS_NONE: in its process's group.
	 */
	int64_t anchor;
	size_t next_free;   /* in the free list */
};

/* The last write's value of a (thread, key), owned. */
struct value_buf {
	char *buf;
	size_t cap;
};

struct process_extra {
	size_t prev;      /* the previous process of the same pid, or NONE */
	const char *host; /* interned, NULL when unknown */
	int name_rank;    /* see set_process_name() */
	bool linked;      /* a fork event claimed it as its child */
	bool reused;      /* it took over a pid another process had */
	size_t unfinished;
	/*
	 * An exec not yet followed by the new image's proc_start (nor by
	 * exec_failed): that proc_start continues this process. The name
	 * before the exec comes back if the exec fails.
	 */
	bool exec_open;
	char *name_before_exec;  /* interned */
	int rank_before_exec;
	int64_t exec_ns_before;  /* exec_ns before the open exec */
	/*
	 * Its tasks counted running whose end, if they never finish, is this
	 * process's end: anchored at group_b, which follows the process's
	 * events until it exits (group_fixed).
	 */
	uint64_t group_u;
	int64_t group_b;
	bool group_fixed;
	/* Restarted without a finish, in the group: they end with it. */
	uint64_t abandoned;
	__int128 abandoned_starts;
	uint64_t unfinished_total; /* every task of it that never finished */
	size_t hull;             /* in task_totals.hulls, NONE if not there */
	struct unfinished *cands; /* owned: the first unfinished, by seq */
	size_t n_cands;
};

/* A thread renamed by another one, resolved once every thread is known. */
struct pending_rename {
	size_t process;
	uint64_t pthread_id;
	const char *name;        /* interned */
	int64_t ts_ns;
};

struct thread_extra {
	int name_rank; /* 0 none, 1 procname context, 2 thread_start */
	/* The thread's last TLS key and slot: most accesses repeat them. */
	const char *key;        /* interned, NULL if none */
	size_t key_index;       /* in model->tls_keys */
	const char *slot_key;   /* interned, NULL if none */
	uint64_t slot_addr;
	size_t slot_index;      /* in model->tls_slots */
};

/* A TLS anomaly, turned into a warning at finish() when names are known. */
struct tls_issue {
	enum cotrace_warning_kind kind;
	size_t first;        /* SHARED_SLOT: the slot's first writer */
	size_t thread;       /* the thread that wrote or read */
	const char *key;     /* interned */
	const char *written; /* VALUE_CHANGED: its own last write */
	const char *read;    /* VALUE_CHANGED: what it read back */
	uint64_t addr;
	int64_t ts_ns;
};

struct model_priv {
	uint64_t tls_seq;       /* TLS accesses fed so far */
	struct strtab strs;
	struct map pids;        /* (host, pid) -> newest process */
	struct map threads;     /* (process, tid) -> thread */
	struct map open_tasks;  /* (thread, task id) -> task, while open */
	struct map fork_seen;   /* (process, child pid, ts) -> fork */
	struct map tls_last;    /* (thread, key, 0) -> model->tls_keys */
	struct map tls_slots;   /* (process, key, addr) -> model->tls_slots */
	size_t *slot_writer;    /* per slot: its first writer, NONE once
				   reported */
	size_t cap_slot_writer;
	struct value_buf *values; /* per tls_keys entry */
	size_t cap_values;
	struct open_task *pool; /* open tasks; open_tasks indexes it */
	size_t n_pool, cap_pool, free_pool;
	struct rprof rprof;
	const char *last_key;   /* interned: the last TLS key */
	const char *last_label; /* interned: the last task label */
	struct process_extra *px; /* parallel to model->processes */
	size_t cap_px;
	struct thread_extra *tx;  /* parallel to model->threads */
	size_t cap_tx;
	struct tls_issue *issues;
	size_t n_issues, cap_issues;
	struct pending_rename *renames;
	size_t n_renames, cap_renames;
	/*
	 * The last lookups, one per tid modulo LOCATE_CACHE (threads take
	 * turns in the events), valid while no process was created since
	 * (generation).
	 */
	struct {
		uint64_t generation; /* 0: empty */
		const char *host;    /* interned */
		int64_t pid, tid;
		size_t process, thread;
	} cache[8];
	uint64_t generation;
	const char *last_host;  /* interned copy of the last host string */
};

/* Grows *array (of *cap elements of size elem) to hold one more. */
static int
grow(void *array, size_t *cap, size_t n, size_t elem)
{
	void **p = array;
	size_t new_cap;
	void *q;

	if (n < *cap) {
		return 0;
	}
	new_cap = *cap ? *cap * 2 : 16;
	if (new_cap < *cap || new_cap > SIZE_MAX / elem) {
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
abs_diff(int64_t a, int64_t b)
{
	return a >= b ? (uint64_t)a - (uint64_t)b : (uint64_t)b - (uint64_t)a;
}

static int
add_warning(struct cotrace_model *model, enum cotrace_warning_kind kind,
		int64_t pid, int64_t tid, int64_t ts_ns, const char *fmt, ...)
		__attribute__((format(printf, 6, 7)));

static int
add_warning(struct cotrace_model *model, enum cotrace_warning_kind kind,
		int64_t pid, int64_t tid, int64_t ts_ns, const char *fmt, ...)
{
	struct cotrace_warning *w;
	char *message;
	va_list ap;
	int ret;

	if (grow(&model->warnings, &model->cap_warnings, model->n_warnings,
			sizeof(*model->warnings))) {
		return -ENOMEM;
	}
	va_start(ap, fmt);
	ret = vasprintf(&message, fmt, ap);
	va_end(ap);
	if (ret < 0) {
		return -ENOMEM;
	}
	w = &model->warnings[model->n_warnings++];
	w->kind = kind;
	w->message = message;
	w->pid = pid;
	w->tid = tid;
	w->ts_ns = ts_ns;
	return 0;
}

/* "1.234 s" into the trace, for messages a student reads. */
static const char *
rel_time(const struct cotrace_model *model, int64_t ts, char *buf, size_t size)
{
	if (ts == COTRACE_TS_NONE || model->first_ns == COTRACE_TS_NONE) {
		snprintf(buf, size, "an unknown time");
	} else {
		snprintf(buf, size, "%.3f s",
				((double)ts - (double)model->first_ns) / 1e9);
	}
	return buf;
}

/* ------------------------------------------------------------------ */
/* Creation and destruction.                                           */

struct cotrace_model *
cotrace_model_create(void)
{
	struct cotrace_model *model = calloc(1, sizeof(*model));
	struct model_priv *priv = calloc(1, sizeof(*priv));

	if (!model || !priv) {
		free(model);
		free(priv);
		return NULL;
	}
	model->first_ns = COTRACE_TS_NONE;
	model->last_ns = COTRACE_TS_NONE;
	model->task_totals.start_ns = COTRACE_TS_NONE;
	model->task_totals.end_ns = COTRACE_TS_NONE;
	priv->free_pool = NONE_INDEX;
	priv->generation = 1;
	rprof_init(&priv->rprof);
	model->priv = priv;
	return model;
}

int
cotrace_model_set_limits(struct cotrace_model *model,
		const struct cotrace_model_limits *limits)
{
	if (!model || !limits || model->events > 0) {
		return -EINVAL;
	}
	model->limits = *limits;
	return 0;
}

static void
free_label(const char *label, bool owned)
{
	if (owned) {
		free((char *)label);
	}
}

void
cotrace_model_destroy(struct cotrace_model *model)
{
	struct model_priv *priv;
	size_t i;

	if (!model) {
		return;
	}
	priv = model->priv;
	/* Names, labels, keys and values live in priv->strs. */
	for (i = 0; i < model->n_threads; i++) {
		free(model->threads[i].tls);
	}
	for (i = 0; i < model->n_forks; i++) {
		free(model->forks[i].alive_tids);
	}
	for (i = 0; i < model->n_warnings; i++) {
		free(model->warnings[i].message);
	}
	free(model->processes);
	free(model->threads);
	free(model->tasks);
	free(model->forks);
	free(model->warnings);
	free(model->lost);
	free(model->paths);
	free(model->spawns);
	free(model->logs);
	free(model->tls_keys);
	free(model->tls_slots);
	free(model->task_totals.profile_ns);
	if (priv) {
		for (i = 0; i < model->n_tls_keys; i++) {
			free(priv->values[i].buf);
		}
		free(priv->values);
		free(priv->slot_writer);
		for (i = 0; i < priv->n_pool; i++) {
			if (priv->pool[i].next_free == NONE_INDEX - 1) {
				free_label(priv->pool[i].label,
						priv->pool[i].label_owned);
			}
		}
		free(priv->pool);
		for (i = 0; i < model->n_processes; i++) {
			for (size_t k = 0; k < priv->px[i].n_cands; k++) {
				free_label(priv->px[i].cands[k].label,
						priv->px[i].cands[k].label_owned);
			}
			free(priv->px[i].cands);
		}
		rprof_release(&priv->rprof);
		strtab_release(&priv->strs);
		map_release(&priv->pids);
		map_release(&priv->threads);
		map_release(&priv->open_tasks);
		map_release(&priv->fork_seen);
		map_release(&priv->tls_last);
		map_release(&priv->tls_slots);
		free(priv->px);
		free(priv->tx);
		free(priv->issues);
		free(priv->renames);
		free(priv);
	}
	free(model);
}

/* ------------------------------------------------------------------ */
/* Processes and threads.                                              */

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/*
 * Name ranks: 0 none, 1 procname of a non-main thread (it may be the
 * thread's own name), 2 procname of the main thread, 3 proc_start exe.
 */
static int
set_process_name(struct cotrace_model *model, size_t p, const char *name,
		int rank)
{
	struct model_priv *priv = model->priv;
	char *s;

	if (!name || !*name || rank <= priv->px[p].name_rank) {
		return 0;
	}
	s = strtab_intern(&priv->strs, name);
	if (!s) {
		return -ENOMEM;
	}
	model->processes[p].name = s;
	priv->px[p].name_rank = rank;
	return 0;
}

static int
create_process(struct cotrace_model *model, const char *host, int64_t pid,
		int64_t ts, size_t *out)
{
	struct model_priv *priv = model->priv;
	struct cotrace_process *p;
	size_t *cur;
	size_t i = model->n_processes;

	if (grow(&model->processes, &model->cap_processes, i,
			sizeof(*model->processes)) ||
			grow(&priv->px, &priv->cap_px, i, sizeof(*priv->px))) {
		return -ENOMEM;
	}
	cur = map_find(&priv->pids, (uintptr_t)host, (uint64_t)pid, 0);
	priv->px[i] = (struct process_extra){
		.prev = cur ? *cur : NONE_INDEX,
		.host = host,
		.hull = NONE_INDEX,
	};
	if (map_put(&priv->pids, (uintptr_t)host, (uint64_t)pid, 0, i)) {
		return -ENOMEM;
	}
	p = &model->processes[i];
	*p = (struct cotrace_process){
		.pid = pid,
		.ppid = -1,
		.name = strtab_intern(&priv->strs, ""),
		.host = (char *)host,
		.start_ns = ts,
		.end_ns = ts,
		.fork_ret = -1,
		.cpu_ns = COTRACE_CPU_NONE,
		.exit_status = -1,
		.parent = NONE_INDEX,
		.cpu_start_ns = COTRACE_CPU_NONE,
		.exec_ns = COTRACE_TS_NONE,
	};
	if (!p->name) {
		return -ENOMEM;
	}
	model->n_processes++;
	/* A new process may now own the pid: cached lookups are stale. */
	priv->generation++;
	*out = i;
	return 0;
}

/*
 * The process an event of (host, pid) at ts belongs to. An event older
 * than the newest process's start, from a stream that lags behind, goes to
 * the earlier process of that pid.
 */
static int
find_process(struct cotrace_model *model, const char *host, int64_t pid,
		int64_t ts, size_t *out, bool *current)
{
	struct model_priv *priv = model->priv;
	size_t *cur = map_find(&priv->pids, (uintptr_t)host, (uint64_t)pid, 0);
	size_t p;

	*current = true;
	if (!cur) {
		return create_process(model, host, pid, ts, out);
	}
	p = *cur;
	while (model->processes[p].start_seen &&
			ts < model->processes[p].start_ns &&
			priv->px[p].prev != NONE_INDEX) {
		p = priv->px[p].prev;
		*current = false;
	}
	*out = p;
	return 0;
}

/* Sets the process's name whatever named it before (an exec renames). */
static int
rename_process(struct cotrace_model *model, size_t p, const char *name)
{
	struct model_priv *priv = model->priv;
	char *s;

	if (!name || !*name) {
		return 0;
	}
	s = strtab_intern(&priv->strs, base_name(name));
	if (!s) {
		return -ENOMEM;
	}
	model->processes[p].name = s;
	priv->px[p].name_rank = 3;
	return 0;
}

/*
 * The proc_start of the image a process exec'd: the same process (pid,
 * start, parent, fork_ret and CPU clock carry on), under its new name.
 */
static int
continue_after_exec(struct cotrace_model *model,
		const struct cotrace_event *ev, size_t i, size_t *out)
{
	struct model_priv *priv = model->priv;
	struct cotrace_process *p = &model->processes[i];

	priv->px[i].exec_open = false;
	if (p->ppid < 0 && ev->ppid >= 0) {
		p->ppid = ev->ppid;
	}
	*out = i;
	return rename_process(model, i, ev->name);
}

/* A proc_start either completes the pid's current process or begins one. */
static int
begin_process(struct cotrace_model *model, const struct cotrace_event *ev,
		const char *host, int64_t ts, size_t *out)
{
	struct model_priv *priv = model->priv;
	size_t *cur = map_find(&priv->pids, (uintptr_t)host,
			(uint64_t)ev->pid, 0);
	struct cotrace_process *p;
	bool reused = false;
	size_t i;
	int status;

	if (cur) {
		struct cotrace_process *c = &model->processes[*cur];

		if (c->start_seen && c->start_ns == ts) {
			/* The same proc_start twice: a duplicated stream. */
			*out = *cur;
			return 0;
		}
		if (priv->px[*cur].exec_open && !c->exit_seen &&
				ts >= c->exec_ns) {
			return continue_after_exec(model, ev, *cur, out);
		}
		/*
		 * A proc_exit that sorted before its own proc_start (exit
		 * before start in garbage input) still names one process.
		 */
		reused = c->start_seen || (c->exit_seen && ts > c->end_ns);
	}
	if (!cur || reused) {
		status = create_process(model, host, ev->pid, ts, &i);
		if (status) {
			return status;
		}
		priv->px[i].reused = reused;
	} else {
		i = *cur;
	}
	p = &model->processes[i];
	p->start_seen = true;
	p->start_ns = ts;
	if (!p->exit_seen && p->end_ns < ts) {
		p->end_ns = ts;
	}
	p->ppid = ev->ppid >= 0 ? ev->ppid : -1;
	p->fork_ret = ev->fork_ret;
	p->cpu_start_ns = ev->cpu_ns;
	if (ev->name && *ev->name) {
		status = set_process_name(model, i, base_name(ev->name), 3);
		if (status) {
			return status;
		}
	}
	*out = i;
	return 0;
}

static int
find_thread(struct cotrace_model *model, size_t p, int64_t tid, int64_t ts,
		size_t *out)
{
	struct model_priv *priv = model->priv;
	size_t *found = map_find(&priv->threads, p, (uint64_t)tid, 0);
	struct cotrace_thread *t;
	size_t i = model->n_threads;

	if (found) {
		*out = *found;
		return 0;
	}
	if (grow(&model->threads, &model->cap_threads, i,
			sizeof(*model->threads)) ||
			grow(&priv->tx, &priv->cap_tx, i, sizeof(*priv->tx))) {
		return -ENOMEM;
	}
	if (map_put(&priv->threads, p, (uint64_t)tid, 0, i)) {
		return -ENOMEM;
	}
	priv->tx[i] = (struct thread_extra){0};
	t = &model->threads[i];
	*t = (struct cotrace_thread){
		.tid = tid,
		.process = p,
		.name = strtab_intern(&priv->strs, ""),
		.start_ns = ts,
		.end_ns = ts,
		.cpu_ns = COTRACE_CPU_NONE,
	};
	if (!t->name) {
		return -ENOMEM;
	}
	model->n_threads++;
	*out = i;
	return 0;
}

/* The interned host of the event; one strcmp per event at most. */
static int
event_host(struct model_priv *priv, const char *host, const char **out)
{
	if (!host) {
		*out = NULL;
		return 0;
	}
	if (!priv->last_host || strcmp(priv->last_host, host) != 0) {
		priv->last_host = strtab_intern(&priv->strs, host);
		if (!priv->last_host) {
			return -ENOMEM;
		}
	}
	*out = priv->last_host;
	return 0;
}

static int
locate(struct cotrace_model *model, const struct cotrace_event *ev,
		int64_t ts, size_t *pp, size_t *tp)
{
	struct model_priv *priv = model->priv;
	bool current = true;
	const char *host;
	int status;

	size_t c = (size_t)ev->tid & (sizeof(priv->cache) / sizeof(priv->cache[0]) - 1);

	status = event_host(priv, ev->host, &host);
	if (status) {
		return status;
	}
	if (ev->type != COTRACE_EVENT_PROC_START &&
			priv->cache[c].generation == priv->generation &&
			priv->cache[c].host == host &&
			priv->cache[c].pid == ev->pid &&
			priv->cache[c].tid == ev->tid) {
		const struct cotrace_process *p =
				&model->processes[priv->cache[c].process];

		if (!p->start_seen || ts >= p->start_ns) {
			*pp = priv->cache[c].process;
			*tp = priv->cache[c].thread;
			return 0;
		}
	}
	if (ev->type == COTRACE_EVENT_PROC_START) {
		status = begin_process(model, ev, host, ts, pp);
	} else {
		status = find_process(model, host, ev->pid, ts, pp, &current);
	}
	if (status) {
		return status;
	}
	status = find_thread(model, *pp, ev->tid, ts, tp);
	if (status) {
		return status;
	}
	/* A late event of an older process must not capture the cache. */
	priv->cache[c].generation = current ? priv->generation : 0;
	priv->cache[c].host = host;
	priv->cache[c].pid = ev->pid;
	priv->cache[c].tid = ev->tid;
	priv->cache[c].process = *pp;
	priv->cache[c].thread = *tp;
	return 0;
}

/* What every event tells about its process and thread. */
static int
touch(struct cotrace_model *model, const struct cotrace_event *ev,
		int64_t ts, size_t pi, size_t ti)
{
	struct model_priv *priv = model->priv;
	struct cotrace_process *p = &model->processes[pi];
	struct cotrace_thread *t = &model->threads[ti];
	bool has_procname = ev->procname && *ev->procname;
	int status;

	if (!p->start_seen && ts < p->start_ns) {
		p->start_ns = ts;
	}
	if (!p->exit_seen && ts > p->end_ns) {
		p->end_ns = ts;
	}
	if (!t->start_seen && ts < t->start_ns) {
		t->start_ns = ts;
	}
	if (!t->exit_seen && ts > t->end_ns) {
		t->end_ns = ts;
	}
	if (ev->pthread_id) {
		t->pthread_id = ev->pthread_id;
	}
	if (!has_procname) {
		return 0;
	}
	if (priv->px[pi].name_rank < 2) {
		status = set_process_name(model, pi, ev->procname,
				ev->tid == ev->pid ? 2 : 1);
		if (status) {
			return status;
		}
	}
	if (priv->tx[ti].name_rank == 0) {
		char *s = strtab_intern(&priv->strs, ev->procname);

		if (!s) {
			return -ENOMEM;
		}
		model->threads[ti].name = s;
		priv->tx[ti].name_rank = 1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Events.                                                             */

static int
on_fork(struct cotrace_model *model, const struct cotrace_event *ev,
		int64_t ts, size_t pi)
{
	struct model_priv *priv = model->priv;
	struct cotrace_fork *f;
	size_t n_tids = ev->alive_tids ? ev->n_alive_tids : 0;
	size_t i = model->n_forks;

	if (map_find(&priv->fork_seen, pi, (uint64_t)ev->child_pid,
			(uint64_t)ts)) {
		return 0;
	}
	if (grow(&model->forks, &model->cap_forks, i, sizeof(*model->forks))) {
		return -ENOMEM;
	}
	if (map_put(&priv->fork_seen, pi, (uint64_t)ev->child_pid, (uint64_t)ts,
			i)) {
		return -ENOMEM;
	}
	if (n_tids > MAX_ALIVE_TIDS) {
		n_tids = MAX_ALIVE_TIDS;
	}
	f = &model->forks[i];
	*f = (struct cotrace_fork){
		.parent = pi,
		.child = NONE_INDEX,
		.parent_pid = model->processes[pi].pid,
		.child_pid = ev->child_pid,
		.child_vpid = ev->child_vpid > 0 ? ev->child_vpid
						 : ev->child_pid,
		.ts_ns = ts,
		.threads_alive = ev->threads_alive,
		.parent_ret = ev->child_pid,
		.child_ret = -1,
	};
	f->alive_names = strtab_intern(&priv->strs, ev->alive_names);
	if (!f->alive_names) {
		return -ENOMEM;
	}
	if (n_tids) {
		f->alive_tids = malloc(n_tids * sizeof(*f->alive_tids));
		if (!f->alive_tids) {
			return -ENOMEM;
		}
		memcpy(f->alive_tids, ev->alive_tids,
				n_tids * sizeof(*f->alive_tids));
		f->n_alive_tids = n_tids;
	}
	model->n_forks++;
	return 0;
}

#define POOL_IN_USE (NONE_INDEX - 1)

static int64_t
sat_add64(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r)) {
		return b > 0 ? INT64_MAX : INT64_MIN;
	}
	return r;
}

/* The interned label, or an owned copy when too many are interned. */
static int
open_label(struct model_priv *priv, const char *name, const char **out,
		bool *owned)
{
	const char *s = name ? name : "";
	char *label;

	*owned = false;
	if (priv->last_label && !strcmp(priv->last_label, s)) {
		*out = priv->last_label;
		return 0;
	}
	label = strtab_intern_capped(&priv->strs, s, strlen(s),
			MAX_INTERNED_LABELS);
	if (label) {
		priv->last_label = label;
		*out = label;
		return 0;
	}
	label = strdup(s);
	if (!label) {
		return -ENOMEM;
	}
	*out = label;
	*owned = true;
	return 0;
}

static int
pool_alloc(struct model_priv *priv, size_t *out)
{
	if (priv->free_pool != NONE_INDEX) {
		*out = priv->free_pool;
		priv->free_pool = priv->pool[*out].next_free;
	} else {
		if (grow(&priv->pool, &priv->cap_pool, priv->n_pool,
				sizeof(*priv->pool))) {
			return -ENOMEM;
		}
		*out = priv->n_pool++;
	}
	priv->pool[*out].next_free = POOL_IN_USE;
	return 0;
}

static void
pool_free(struct model_priv *priv, size_t i)
{
	priv->pool[i].next_free = priv->free_pool;
	priv->free_pool = i;
}

/* The end a task's hull and the totals take: never before its start. */
static void
totals_end(struct cotrace_model *model, size_t pi, int64_t start, int64_t end)
{
	struct model_priv *priv = model->priv;
	struct cotrace_task_totals *tt = &model->task_totals;
	size_t h = priv->px[pi].hull;

	if (end < start) {
		end = start;
	}
	tt->busy_ns = sat_add64(tt->busy_ns, cotrace_ts_sub(end, start));
	if (tt->end_ns == COTRACE_TS_NONE || end > tt->end_ns) {
		tt->end_ns = end;
	}
	if (h != NONE_INDEX && end > tt->hulls[h].hi) {
		tt->hulls[h].hi = end;
	}
}

/*
 * Keeps the task among its process's first unfinished ones (by seq), for
 * the warnings. Takes the label.
 */
static int
add_unfinished(struct model_priv *priv, const struct unfinished *u)
{
	struct process_extra *x = &priv->px[u->process];
	size_t i;

	x->unfinished_total++;
	if (!x->cands) {
		x->cands = calloc(MAX_UNFINISHED_WARNINGS_PER_PROCESS,
				sizeof(*x->cands));
		if (!x->cands) {
			free_label(u->label, u->label_owned);
			return -ENOMEM;
		}
	}
	if (x->n_cands == MAX_UNFINISHED_WARNINGS_PER_PROCESS) {
		struct unfinished *last = &x->cands[x->n_cands - 1];

		if (u->seq > last->seq) {
			free_label(u->label, u->label_owned);
			return 0;
		}
		free_label(last->label, last->label_owned);
		x->n_cands--;
	}
	for (i = x->n_cands; i > 0 && x->cands[i - 1].seq > u->seq; i--) {
		x->cands[i] = x->cands[i - 1];
	}
	x->cands[i] = *u;
	x->n_cands++;
	return 0;
}

/* A task restarted without a finish: it stays unfinished. */
static int
abandon_task(struct cotrace_model *model, size_t oi)
{
	struct model_priv *priv = model->priv;
	struct open_task *ot = &priv->pool[oi];
	struct process_extra *x = &priv->px[ot->process];

	map_remove(&priv->open_tasks, ot->thread, ot->id, 0);
	pool_free(priv, oi);
	model->task_totals.unfinished++;
	if (ot->anchor != COTRACE_TS_NONE) {
		/* After its process's exit: it ends at that exit, so at once. */
		totals_end(model, ot->process, ot->start_ns,
				model->processes[ot->process].end_ns);
	} else {
		x->abandoned++;
		x->abandoned_starts += ot->start_ns;
	}
	/* It stays counted running, anchored: finish() takes it out. */
	return add_unfinished(priv, &(struct unfinished){
		.seq = ot->seq,
		.id = ot->id,
		.process = ot->process,
		.thread = ot->thread,
		.label = ot->label,
		.label_owned = ot->label_owned,
		.start_ns = ot->start_ns,
	});
}

static int
on_task_start(struct cotrace_model *model, const struct cotrace_event *ev,
		int64_t ts, size_t pi, size_t ti)
{
	struct model_priv *priv = model->priv;
	struct cotrace_task_totals *tt = &model->task_totals;
	struct process_extra *x = &priv->px[pi];
	size_t *open = map_find(&priv->open_tasks, ti, ev->task_id, 0);
	size_t listed = NONE_INDEX, oi, h;
	struct open_task *ot;
	const char *label;
	bool owned = false;
	int status;

	if (open) {
		if (priv->pool[*open].start_ns == ts) {
			return 0; /* a duplicated event */
		}
		/* Restarted without a finish: the first stays unfinished. */
		status = abandon_task(model, *open);
		if (status) {
			return status;
		}
	}
	if (!model->limits.tasks || model->n_tasks < model->limits.tasks) {
		struct cotrace_task *task;
		char *l = strtab_intern(&priv->strs, ev->name);

		if (!l) {
			return -ENOMEM;
		}
		listed = model->n_tasks;
		if (grow(&model->tasks, &model->cap_tasks, listed,
				sizeof(*model->tasks))) {
			return -ENOMEM;
		}
		task = &model->tasks[listed];
		*task = (struct cotrace_task){
			.id = ev->task_id,
			.process = pi,
			.thread = ti,
			.label = l,
			.start_ns = ts,
			.end_ns = COTRACE_TS_NONE,
			.cpu_start_ns = ev->cpu_ns,
			.cpu_ns = COTRACE_CPU_NONE,
		};
		model->n_tasks++;
		label = l;
	} else {
		model->tasks_omitted++;
		status = open_label(priv, ev->name, &label, &owned);
		if (status) {
			return status;
		}
	}
	status = pool_alloc(priv, &oi);
	if (!status) {
		status = map_put(&priv->open_tasks, ti, ev->task_id, 0, oi);
		if (status) {
			pool_free(priv, oi);
		}
	}
	if (status) {
		free_label(label, owned);
		return status;
	}
	ot = &priv->pool[oi];
	ot->seq = tt->tasks++;
	model->processes[pi].n_tasks++;
	ot->id = ev->task_id;
	ot->process = pi;
	ot->thread = ti;
	ot->label = label;
	ot->label_owned = owned;
	ot->start_ns = ts;
	ot->cpu_start_ns = ev->cpu_ns;
	ot->listed = listed;
	ot->anchor = COTRACE_TS_NONE;

	if (tt->start_ns == COTRACE_TS_NONE || ts < tt->start_ns) {
		tt->start_ns = ts;
	}
	h = x->hull;
	if (h == NONE_INDEX && tt->n_hulls < COTRACE_HULL_PROCESSES) {
		h = x->hull = tt->n_hulls++;
		tt->hulls[h].process = pi;
		tt->hulls[h].lo = ts;
		tt->hulls[h].hi = ts;
	} else if (h != NONE_INDEX) {
		if (ts < tt->hulls[h].lo) {
			tt->hulls[h].lo = ts;
		}
		if (ts > tt->hulls[h].hi) {
			tt->hulls[h].hi = ts;
		}
	}
	/* Counted running from now; see running-profile.h. */
	if (model->processes[pi].exit_seen) {
		ot->anchor = priv->rprof.now;
	} else {
		if (x->group_u == 0) {
			x->group_b = priv->rprof.now;
		}
		x->group_u++;
	}
	return rprof_start(&priv->rprof);
}

static int
on_task_finish(struct cotrace_model *model, const struct cotrace_event *ev,
		int64_t ts, size_t ti)
{
	struct model_priv *priv = model->priv;
	struct cotrace_task_totals *tt = &model->task_totals;
	size_t *open = map_find(&priv->open_tasks, ti, ev->task_id, 0);
	uint64_t cpu = COTRACE_CPU_NONE;
	struct process_extra *x;
	struct open_task *ot;
	int64_t anchor;
	size_t oi;

	/* A finish without its start (lost, or duplicated) tells nothing. */
	if (!open) {
		return 0;
	}
	oi = *open;
	ot = &priv->pool[oi];
	x = &priv->px[ot->process];
	if (ot->cpu_start_ns != COTRACE_CPU_NONE &&
			ev->cpu_ns != COTRACE_CPU_NONE &&
			ev->cpu_ns >= ot->cpu_start_ns) {
		cpu = ev->cpu_ns - ot->cpu_start_ns;
	}
	if (ot->listed != NONE_INDEX) {
		model->tasks[ot->listed].end_ns = ts;
		model->tasks[ot->listed].cpu_ns = cpu;
	}
	totals_end(model, ot->process, ot->start_ns, ts);
	if (ts > ot->start_ns &&
			cotrace_ts_sub(ts, ot->start_ns) > tt->longest_ns) {
		tt->longest_ns = cotrace_ts_sub(ts, ot->start_ns);
	}
	if (cpu == COTRACE_CPU_NONE) {
		tt->without_cpu++;
	} else if (__builtin_add_overflow(tt->cpu_ns, cpu, &tt->cpu_ns)) {
		tt->cpu_ns = UINT64_MAX - 1;
	}
	anchor = ot->anchor;
	if (anchor == COTRACE_TS_NONE) {
		anchor = x->group_b;
		if (x->group_u) {
			x->group_u--;
		}
	}
	map_remove(&priv->open_tasks, ti, ev->task_id, 0);
	free_label(ot->label, ot->label_owned);
	pool_free(priv, oi);
	return rprof_finish(&priv->rprof, anchor);
}

static int
add_issue(struct model_priv *priv, const struct tls_issue *issue)
{
	if (grow(&priv->issues, &priv->cap_issues, priv->n_issues,
			sizeof(*priv->issues))) {
		return -ENOMEM;
	}
	priv->issues[priv->n_issues++] = *issue;
	return 0;
}

/* The (thread, key) summary, created at its first access. */
static int
tls_key_of(struct cotrace_model *model, size_t ti, const char *key,
		struct cotrace_tls_key **out, struct value_buf **buf)
{
	struct model_priv *priv = model->priv;
	struct thread_extra *x = &priv->tx[ti];
	size_t *found, i = model->n_tls_keys;

	if (x->key == key) {
		*out = &model->tls_keys[x->key_index];
		*buf = &priv->values[x->key_index];
		return 0;
	}
	found = map_find(&priv->tls_last, ti, (uintptr_t)key, 0);
	if (!found) {
		if (grow(&model->tls_keys, &model->cap_tls_keys, i,
				sizeof(*model->tls_keys)) ||
				grow(&priv->values, &priv->cap_values, i,
						sizeof(*priv->values))) {
			return -ENOMEM;
		}
		if (map_put(&priv->tls_last, ti, (uintptr_t)key, 0, i)) {
			return -ENOMEM;
		}
		model->tls_keys[i] = (struct cotrace_tls_key){
			.thread = ti,
			.key = key,
		};
		priv->values[i] = (struct value_buf){0};
		model->n_tls_keys++;
		found = &i;
	}
	x->key = key;
	x->key_index = *found;
	*out = &model->tls_keys[*found];
	*buf = &priv->values[*found];
	return 0;
}

/* Remembers a write's value in the (thread, key) summary. */
static int
tls_key_write(struct cotrace_tls_key *k, struct value_buf *b,
		const char *value, uint64_t addr)
{
	size_t len = strlen(value);

	if (len + 1 > b->cap) {
		size_t cap = len + 1 < 16 ? 16 : (len + 1) * 2;
		char *p = realloc(b->buf, cap);

		if (!p) {
			return -ENOMEM;
		}
		b->buf = p;
		b->cap = cap;
	}
	memcpy(b->buf, value, len + 1);
	k->last_value = b->buf;
	k->last_addr = addr;
	k->writes++;
	return 0;
}

/* The slot (process, key, addr) and its first writer, created if new. */
static int
tls_slot_of(struct cotrace_model *model, size_t pi, size_t ti,
		const char *key, uint64_t addr, size_t *out, bool *created)
{
	struct model_priv *priv = model->priv;
	struct thread_extra *x = &priv->tx[ti];
	size_t *found, i = model->n_tls_slots, cached;

	/* A thread belongs to one process: its last slot is (pi, key, addr). */
	if (x->slot_key == key && x->slot_addr == addr) {
		cached = x->slot_index;
		found = &cached;
	} else {
		found = map_find(&priv->tls_slots, pi, (uintptr_t)key, addr);
	}
	*created = !found;
	if (found) {
		x->slot_key = key;
		x->slot_addr = addr;
		x->slot_index = *found;
		*out = *found;
		return 0;
	}
	if (grow(&model->tls_slots, &model->cap_tls_slots, i,
			sizeof(*model->tls_slots)) ||
			grow(&priv->slot_writer, &priv->cap_slot_writer, i,
					sizeof(*priv->slot_writer))) {
		return -ENOMEM;
	}
	if (map_put(&priv->tls_slots, pi, (uintptr_t)key, addr, i)) {
		return -ENOMEM;
	}
	model->tls_slots[i] = (struct cotrace_tls_slot){
		.process = pi,
		.key = key,
		.addr = addr,
		.holders = 1,
		.shared = {NONE_INDEX, NONE_INDEX},
	};
	priv->slot_writer[i] = ti;
	model->n_tls_slots++;
	x->slot_key = key;
	x->slot_addr = addr;
	x->slot_index = i;
	*out = i;
	return 0;
}

static int
on_tls(struct cotrace_model *model, const struct cotrace_event *ev,
		int64_t ts, size_t pi, size_t ti)
{
	struct model_priv *priv = model->priv;
	bool is_read = ev->type == COTRACE_EVENT_TLS_READ;
	const char *value = ev->value ? ev->value : "";
	const char *key = ev->key ? ev->key : "";
	struct cotrace_thread *t = &model->threads[ti];
	struct cotrace_tls_key *k;
	struct value_buf *buf;
	struct cotrace_tls_slot *sl;
	size_t slot, holder;
	bool created;
	int status;

	if (priv->last_key && !strcmp(priv->last_key, key)) {
		key = priv->last_key;
	} else {
		key = priv->last_key = strtab_intern(&priv->strs, key);
		if (!key) {
			return -ENOMEM;
		}
	}
	status = tls_key_of(model, ti, key, &k, &buf);
	if (status) {
		return status;
	}
	if (!model->limits.tls_per_thread ||
			t->n_tls < model->limits.tls_per_thread) {
		char *v = strtab_intern(&priv->strs, value);

		if (!v || grow(&t->tls, &t->cap_tls, t->n_tls,
				  sizeof(*t->tls))) {
			return -ENOMEM;
		}
		t->tls[t->n_tls++] = (struct cotrace_tls_access){
			.key = (char *)key,
			.value = v,
			.addr = ev->addr,
			.ts_ns = ts,
			.seq = priv->tls_seq,
			.is_read = is_read,
		};
	} else {
		model->tls_omitted++;
	}
	priv->tls_seq++;
	if (is_read) {
		t->tls_reads++;
		k->reads++;
		/* A read before any write, or a key already reported. */
		if (!k->last_value || k->mismatch_written ||
				!strcmp(k->last_value, value)) {
			return 0;
		}
		k->mismatch_written = strtab_intern(&priv->strs, k->last_value);
		k->mismatch_read = strtab_intern(&priv->strs, value);
		if (!k->mismatch_written || !k->mismatch_read) {
			return -ENOMEM;
		}
		return add_issue(priv, &(struct tls_issue){
			.kind = COTRACE_WARN_TLS_VALUE_CHANGED,
			.first = NONE_INDEX,
			.thread = ti,
			.key = key,
			.written = k->mismatch_written,
			.read = k->mismatch_read,
			.addr = ev->addr,
			.ts_ns = ts,
		});
	}
	t->tls_writes++;
	status = tls_key_write(k, buf, value, ev->addr);
	if (status) {
		return status;
	}
	status = tls_slot_of(model, pi, ti, key, ev->addr, &slot, &created);
	if (status || created) {
		return status;
	}
	sl = &model->tls_slots[slot];
	holder = priv->slot_writer[slot];
	if (holder == ti) {
		return 0;
	}
	if (cotrace_thread_ended_by(&model->threads[holder], ts)) {
		priv->slot_writer[slot] = ti;
		sl->holders++;
		return 0;
	}
	/* Reported once per slot, so a loop warns once. */
	if (sl->shared[0] != NONE_INDEX) {
		return 0;
	}
	sl->shared[0] = holder;
	sl->shared[1] = ti;
	{
		struct tls_issue issue = {
			.kind = COTRACE_WARN_TLS_SHARED_SLOT,
			.first = holder,
			.thread = ti,
			.key = key,
			.addr = ev->addr,
			.ts_ns = ts,
		};

		return add_issue(priv, &issue);
	}
}

static int
on_exec(struct cotrace_model *model, const struct cotrace_event *ev,
		int64_t ts, size_t pi)
{
	struct model_priv *priv = model->priv;
	struct process_extra *x = &priv->px[pi];
	struct cotrace_process *p = &model->processes[pi];

	/* A second exec before its image started: events were lost. */
	if (!x->exec_open) {
		x->exec_open = true;
		x->name_before_exec = p->name;
		x->rank_before_exec = x->name_rank;
		x->exec_ns_before = p->exec_ns;
		p->n_execs++;
	}
	p->exec_ns = ts;
	return rename_process(model, pi,
			ev->name && *ev->name ? ev->name : ev->path);
}

static void
on_exec_failed(struct cotrace_model *model, size_t pi)
{
	struct model_priv *priv = model->priv;
	struct process_extra *x = &priv->px[pi];
	struct cotrace_process *p = &model->processes[pi];

	/* The process goes on as it was, under its old name. */
	if (!x->exec_open) {
		return;
	}
	x->exec_open = false;
	p->n_execs--;
	p->exec_ns = x->exec_ns_before;
	p->name = x->name_before_exec;
	x->name_rank = x->rank_before_exec;
}

static int
on_spawn(struct cotrace_model *model, const struct cotrace_event *ev,
		int64_t ts, size_t pi)
{
	struct model_priv *priv = model->priv;
	int64_t child = ev->ret == 0 && ev->child_pid > 0 ? ev->child_pid : -1;
	struct cotrace_spawn *sp;
	char *path, *exe;
	size_t i = model->n_spawns;

	/* Keyed apart from forks: (process, child pid, ts) with bit 63 set. */
	if (map_find(&priv->fork_seen, pi | ((size_t)1 << 63), (uint64_t)child,
			(uint64_t)ts)) {
		return 0;
	}
	path = strtab_intern(&priv->strs, ev->path);
	exe = strtab_intern(&priv->strs, ev->name);
	if (!path || !exe) {
		return -ENOMEM;
	}
	if (grow(&model->spawns, &model->cap_spawns, i,
			sizeof(*model->spawns))) {
		return -ENOMEM;
	}
	if (map_put(&priv->fork_seen, pi | ((size_t)1 << 63), (uint64_t)child,
			(uint64_t)ts, i)) {
		return -ENOMEM;
	}
	sp = &model->spawns[i];
	*sp = (struct cotrace_spawn){
		.parent = pi,
		.child = NONE_INDEX,
		.parent_pid = model->processes[pi].pid,
		.child_pid = child,
		.ts_ns = ts,
		.ret = ev->ret,
		.path = path,
		.exe = exe,
	};
	model->n_spawns++;
	return 0;
}

static int
add_rename(struct model_priv *priv, const struct pending_rename *r)
{
	if (grow(&priv->renames, &priv->cap_renames, priv->n_renames,
			sizeof(*priv->renames))) {
		return -ENOMEM;
	}
	priv->renames[priv->n_renames++] = *r;
	return 0;
}

static int
on_thread_name(struct cotrace_model *model, const struct cotrace_event *ev,
		int64_t ts, size_t pi, size_t ti)
{
	struct model_priv *priv = model->priv;
	char *name;

	if (!ev->name || !*ev->name) {
		return 0;
	}
	name = strtab_intern(&priv->strs, ev->name);
	if (!name) {
		return -ENOMEM;
	}
	/* Its own name: at once. Another thread's: once all are known. */
	if (ev->thread == 0 || ev->thread == ev->pthread_id) {
		model->threads[ti].name = name;
		priv->tx[ti].name_rank = 2;
		return 0;
	}
	return add_rename(priv, &(struct pending_rename){
		.process = pi,
		.pthread_id = ev->thread,
		.name = name,
		.ts_ns = ts,
	});
}

static void
on_fatal_signal(struct cotrace_model *model, const struct cotrace_event *ev,
		int64_t ts, size_t pi)
{
	struct cotrace_process *p = &model->processes[pi];

	/* Like proc_exit: the first end counts. */
	if (p->exit_seen) {
		return;
	}
	p->exit_seen = true;
	p->end_ns = ts;
	p->term_signal = ev->signal;
	p->exit_status = 128 + (ev->signal & 0xff);
	p->cpu_ns = ev->cpu_ns;
}

/*
 * Keeps a process's first records (COTRACE_LOGS_KEPT_PER_PROCESS), the
 * message cut at COTRACE_LOG_MSG_MAX bytes on a UTF-8 character boundary.
 */
static int
keep_log(struct cotrace_model *model, const struct cotrace_event *ev,
		int64_t ts, size_t pi, size_t ti)
{
	struct model_priv *priv = model->priv;
	struct cotrace_process *p = &model->processes[pi];
	const char *msg = ev->msg ? ev->msg : "";
	size_t len = strlen(msg);
	bool truncated = len > COTRACE_LOG_MSG_MAX;
	char *logger, *kept;

	if (p->n_logs_kept >= COTRACE_LOGS_KEPT_PER_PROCESS) {
		return 0;
	}
	if (truncated) {
		len = COTRACE_LOG_MSG_MAX;
		while (len > 0 && ((unsigned char)msg[len] & 0xc0) == 0x80) {
			len--;
		}
	}
	logger = strtab_intern(&priv->strs, ev->logger);
	kept = strtab_intern_capped(&priv->strs, msg, len, 0);
	if (!logger || !kept ||
			grow(&model->logs, &model->cap_logs, model->n_logs,
					sizeof(*model->logs))) {
		return -ENOMEM;
	}
	model->logs[model->n_logs++] = (struct cotrace_log){
			.process = pi,
			.thread = ti,
			.ts_ns = ts,
			.level = ev->loglevel,
			.logger = logger,
			.msg = kept,
			.msg_truncated = truncated,
	};
	p->n_logs_kept++;
	return 0;
}

/*
 * A logging record of the Python agent: counted, the first ones of each
 * process kept (keep_log()), and its threadName (what
 * threading.Thread(name=...) gave) names a thread that has no better name
 * than the one it inherited.
 */
static int
on_log(struct cotrace_model *model, const struct cotrace_event *ev,
		int64_t ts, size_t pi, size_t ti)
{
	struct model_priv *priv = model->priv;
	struct cotrace_thread *t;
	struct cotrace_process *p;
	bool inherited;
	char *name;
	int status;

	status = keep_log(model, ev, ts, pi, ti);
	if (status) {
		return status;
	}
	t = &model->threads[ti];
	p = &model->processes[pi];
	p->n_logs++;
	t->n_logs++;
	if (!ev->name || !*ev->name) {
		return 0;
	}
	/* A thread the preload saw start has its creator's name, the process's. */
	inherited = priv->tx[ti].name_rank < 2 || !strcmp(t->name, p->name);
	if (!inherited) {
		return 0;
	}
	name = strtab_intern(&priv->strs, ev->name);
	if (!name) {
		return -ENOMEM;
	}
	t->name = name;
	priv->tx[ti].name_rank = 2;
	return 0;
}

int
cotrace_model_add_event(struct cotrace_model *model,
		const struct cotrace_event *ev)
{
	struct model_priv *priv;
	struct cotrace_process *p;
	struct cotrace_thread *t;
	size_t pi, ti;
	int64_t ts;
	int status;

	if (!model || !model->priv || !ev) {
		return -EINVAL;
	}
	priv = model->priv;
	model->events++;
	model->cotrace_events++;
	if ((unsigned int)ev->type > COTRACE_EVENT_LOG) {
		return 0;
	}
	/*
	 * An event without a time (a stream with no clock) still tells who
	 * exists: it is placed at the latest time seen, so it stretches
	 * nothing and the NONE sentinel never becomes a time.
	 */
	ts = ev->ts_ns;
	if (ts == COTRACE_TS_NONE) {
		ts = model->last_ns != COTRACE_TS_NONE ? model->last_ns : 0;
	}
	if (model->first_ns == COTRACE_TS_NONE || ts < model->first_ns) {
		model->first_ns = ts;
	}
	if (model->last_ns == COTRACE_TS_NONE || ts > model->last_ns) {
		model->last_ns = ts;
	}
	status = locate(model, ev, ts, &pi, &ti);
	if (status) {
		return status;
	}
	status = touch(model, ev, ts, pi, ti);
	if (status) {
		return status;
	}
	/*
	 * The streamed profile: time moves on, and an event of a process
	 * that has not exited shows its open tasks still ran until now.
	 */
	status = rprof_advance(&priv->rprof, ts);
	if (status) {
		return status;
	}
	{
		struct process_extra *x = &priv->px[pi];

		if (!x->group_fixed && x->group_u > 0 &&
				x->group_b != priv->rprof.now) {
			status = rprof_move(&priv->rprof, x->group_b,
					x->group_u);
			if (status) {
				return status;
			}
			x->group_b = priv->rprof.now;
		}
	}
	p = &model->processes[pi];
	t = &model->threads[ti];
	switch (ev->type) {
	case COTRACE_EVENT_PROC_START:
		if (ev->tid == ev->pid && !t->start_seen) {
			t->start_seen = true;
			t->start_ns = ts;
		}
		break;
	case COTRACE_EVENT_PROC_EXIT:
		/* The first exit counts; a second is a duplicate or garbage. */
		if (!p->exit_seen) {
			p->exit_seen = true;
			p->end_ns = ts;
			p->exit_status = ev->status;
			p->cpu_ns = ev->cpu_ns;
		}
		break;
	case COTRACE_EVENT_FORK:
		status = on_fork(model, ev, ts, pi);
		break;
	case COTRACE_EVENT_THREAD_START:
		t->start_seen = true;
		t->start_ns = ts;
		if (ev->name && *ev->name) {
			char *s = strtab_intern(&priv->strs, ev->name);

			if (!s) {
				return -ENOMEM;
			}
			t->name = s;
			priv->tx[ti].name_rank = 2;
		}
		break;
	case COTRACE_EVENT_THREAD_EXIT:
		if (!t->exit_seen) {
			t->exit_seen = true;
			t->end_ns = ts;
			t->cpu_ns = ev->cpu_ns;
		}
		break;
	case COTRACE_EVENT_TASK_START:
		status = on_task_start(model, ev, ts, pi, ti);
		break;
	case COTRACE_EVENT_TASK_FINISH:
		status = on_task_finish(model, ev, ts, ti);
		break;
	case COTRACE_EVENT_TLS_WRITE:
	case COTRACE_EVENT_TLS_READ:
		status = on_tls(model, ev, ts, pi, ti);
		break;
	case COTRACE_EVENT_EXEC:
		status = on_exec(model, ev, ts, pi);
		break;
	case COTRACE_EVENT_EXEC_FAILED:
		on_exec_failed(model, pi);
		break;
	case COTRACE_EVENT_VFORK: {
		size_t n = model->n_forks;

		status = on_fork(model, ev, ts, pi);
		if (!status && model->n_forks > n) {
			model->forks[n].vfork = true;
		}
		break;
	}
	case COTRACE_EVENT_SPAWN:
		status = on_spawn(model, ev, ts, pi);
		break;
	case COTRACE_EVENT_THREAD_NAME:
		status = on_thread_name(model, ev, ts, pi, ti);
		break;
	case COTRACE_EVENT_FATAL_SIGNAL:
		on_fatal_signal(model, ev, ts, pi);
		break;
	case COTRACE_EVENT_LOG:
		status = on_log(model, ev, ts, pi, ti);
		break;
	}
	/* Its end is fixed: its open tasks' anchor stays there. */
	if (model->processes[pi].exit_seen) {
		priv->px[pi].group_fixed = true;
	}
	return status;
}

void
cotrace_model_count_foreign(struct cotrace_model *model)
{
	if (model) {
		model->events++;
	}
}

int
cotrace_model_add_lost(struct cotrace_model *model, uint64_t count,
		int64_t begin_ns, int64_t end_ns)
{
	struct cotrace_lost *l;

	if (!model) {
		return -EINVAL;
	}
	if (grow(&model->lost, &model->cap_lost, model->n_lost,
			sizeof(*model->lost))) {
		return -ENOMEM;
	}
	if (begin_ns != COTRACE_TS_NONE && end_ns != COTRACE_TS_NONE &&
			end_ns < begin_ns) {
		int64_t tmp = begin_ns;

		begin_ns = end_ns;
		end_ns = tmp;
	}
	l = &model->lost[model->n_lost++];
	l->count = count;
	l->begin_ns = begin_ns;
	l->end_ns = end_ns;
	if (__builtin_add_overflow(model->lost_events, count,
			&model->lost_events)) {
		model->lost_events = UINT64_MAX;
	}
	return 0;
}

int
cotrace_model_add_path(struct cotrace_model *model, const char *path)
{
	struct model_priv *priv;
	char *s;
	size_t i;

	if (!model || !model->priv || !path) {
		return -EINVAL;
	}
	priv = model->priv;
	s = strtab_intern(&priv->strs, path);
	if (!s) {
		return -ENOMEM;
	}
	for (i = 0; i < model->n_paths; i++) {
		if (model->paths[i] == s) {
			return 0;
		}
	}
	if (grow(&model->paths, &model->cap_paths, model->n_paths,
			sizeof(*model->paths))) {
		return -ENOMEM;
	}
	model->paths[model->n_paths++] = s;
	return 0;
}

int
cotrace_model_mark_damaged(struct cotrace_model *model, const char *why)
{
	/*
	 * Callers know what was lost (a stream file left out, decoding cut
	 * short); the model only knows that what it holds is partial.
	 */
	if (!model) {
		return -EINVAL;
	}
	return add_warning(model, COTRACE_WARN_TRACE_DAMAGED, -1, -1,
			model->last_ns,
			"The trace is damaged (%s): this report covers only "
			"what could be read.",
			why && *why ? why : "no reason given");
}

/* ------------------------------------------------------------------ */
/* finish(): children, parents, warnings.                              */

/* Whether `anc` is `p` or one of its ancestors. */
static bool
is_ancestor(const struct cotrace_model *model, size_t anc, size_t p)
{
	size_t steps = 0;

	while (p != NONE_INDEX && steps++ <= model->n_processes) {
		if (p == anc) {
			return true;
		}
		p = model->processes[p].parent;
	}
	return false;
}

/* Sets child's parent unless that would close a loop (garbage input). */
static bool
set_parent(struct cotrace_model *model, size_t child, size_t parent)
{
	if (parent == NONE_INDEX || is_ancestor(model, child, parent)) {
		return false;
	}
	model->processes[child].parent = parent;
	return true;
}

static int
cmp_fork_ts(const void *a, const void *b, void *arg)
{
	const struct cotrace_fork *forks = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;

	if (forks[i].ts_ns != forks[j].ts_ns) {
		return forks[i].ts_ns < forks[j].ts_ns ? -1 : 1;
	}
	return i < j ? -1 : i > j;
}

static void
link_fork(struct cotrace_model *model, size_t fi)
{
	struct model_priv *priv = model->priv;
	struct cotrace_fork *f = &model->forks[fi];
	size_t best = NONE_INDEX;
	uint64_t best_dist = UINT64_MAX;
	int best_tier = 2;
	bool other_ns;
	const char *host;
	size_t *cur;
	size_t c;

	if (f->child_pid <= 0 || f->parent == NONE_INDEX) {
		return; /* fork() failed: there is no child to find */
	}
	host = priv->px[f->parent].host;
	/* The child's events carry its pid in its own namespace. */
	other_ns = f->child_vpid > 0 && f->child_vpid != f->child_pid;
	cur = map_find(&priv->pids, (uintptr_t)host,
			(uint64_t)(other_ns ? f->child_vpid : f->child_pid), 0);
	for (c = cur ? *cur : NONE_INDEX; c != NONE_INDEX;
			c = priv->px[c].prev) {
		const struct cotrace_process *p = &model->processes[c];
		uint64_t dist;
		int tier;

		/* Its parent is outside its namespace: getppid() was 0. */
		if (priv->px[c].linked || c == f->parent ||
				(p->ppid >= 0 && p->ppid != f->parent_pid &&
						!(other_ns && p->ppid == 0)) ||
				is_ancestor(model, c, f->parent)) {
			continue;
		}
		/* A process that says it was not forked is a last resort. */
		tier = p->start_seen && p->fork_ret != 0;
		dist = abs_diff(p->start_ns, f->ts_ns);
		if (tier < best_tier ||
				(tier == best_tier && dist < best_dist)) {
			best = c;
			best_tier = tier;
			best_dist = dist;
		}
	}
	if (best == NONE_INDEX) {
		return;
	}
	priv->px[best].linked = true;
	f->child = best;
	f->child_ret = model->processes[best].start_seen ?
			model->processes[best].fork_ret : 0;
	if (model->processes[best].ppid < 0) {
		model->processes[best].ppid = f->parent_pid;
	}
	set_parent(model, best, f->parent);
}

/* A parent from ppid alone: the newest process of that pid started before. */
static void
link_ppid(struct cotrace_model *model, size_t ci)
{
	struct model_priv *priv = model->priv;
	const struct cotrace_process *child = &model->processes[ci];
	size_t *cur;
	size_t q;

	if (child->parent != NONE_INDEX || child->ppid < 0) {
		return;
	}
	cur = map_find(&priv->pids, (uintptr_t)priv->px[ci].host,
			(uint64_t)child->ppid, 0);
	for (q = cur ? *cur : NONE_INDEX; q != NONE_INDEX;
			q = priv->px[q].prev) {
		const struct cotrace_process *cand = &model->processes[q];

		if (q != ci && cand->start_ns <= child->start_ns) {
			set_parent(model, ci, q);
			return;
		}
	}
}

/*
 * The process a posix_spawn() made: the not-yet-linked process of that pid
 * whose ppid fits, started nearest the spawn (its proc_start comes from the
 * new image, before or after the parent's spawn event).
 */
static void
link_spawn(struct cotrace_model *model, size_t si)
{
	struct model_priv *priv = model->priv;
	struct cotrace_spawn *sp = &model->spawns[si];
	uint64_t best_dist = UINT64_MAX;
	size_t best = NONE_INDEX;
	size_t *cur;

	if (sp->child_pid <= 0) {
		return;
	}
	cur = map_find(&priv->pids, (uintptr_t)priv->px[sp->parent].host,
			(uint64_t)sp->child_pid, 0);
	for (size_t c = cur ? *cur : NONE_INDEX; c != NONE_INDEX;
			c = priv->px[c].prev) {
		const struct cotrace_process *p = &model->processes[c];
		uint64_t dist = abs_diff(p->start_ns, sp->ts_ns);

		if (priv->px[c].linked || c == sp->parent ||
				(p->ppid >= 0 && p->ppid != sp->parent_pid) ||
				is_ancestor(model, c, sp->parent)) {
			continue;
		}
		if (dist < best_dist) {
			best = c;
			best_dist = dist;
		}
	}
	if (best == NONE_INDEX) {
		return;
	}
	priv->px[best].linked = true;
	sp->child = best;
	if (model->processes[best].ppid < 0) {
		model->processes[best].ppid = sp->parent_pid;
	}
	set_parent(model, best, sp->parent);
}

/* Renames are few; a runaway program is cut off rather than made slow. */
#define MAX_RESOLVED_RENAMES 4096

/*
 * A thread renamed by another one: the thread of that process with that
 * pthread id alive at the time, else the one that started nearest to it
 * (pthread ids are reused once a thread is joined).
 */
static void
resolve_renames(struct cotrace_model *model)
{
	struct model_priv *priv = model->priv;
	size_t n = priv->n_renames;

	if (n > MAX_RESOLVED_RENAMES) {
		n = MAX_RESOLVED_RENAMES;
	}
	for (size_t r = 0; r < n; r++) {
		const struct pending_rename *rn = &priv->renames[r];
		uint64_t best_dist = UINT64_MAX;
		size_t best = NONE_INDEX;

		for (size_t i = 0; i < model->n_threads; i++) {
			const struct cotrace_thread *t = &model->threads[i];
			uint64_t dist;

			if (t->process != rn->process ||
					t->pthread_id != rn->pthread_id) {
				continue;
			}
			dist = t->start_ns <= rn->ts_ns && rn->ts_ns <= t->end_ns
					? 0
					: abs_diff(t->start_ns, rn->ts_ns);
			if (dist < best_dist) {
				best = i;
				best_dist = dist;
			}
		}
		if (best != NONE_INDEX) {
			model->threads[best].name = (char *)rn->name;
			priv->tx[best].name_rank = 2;
		}
	}
}

static void
finish_main_threads(struct cotrace_model *model)
{
	struct model_priv *priv = model->priv;
	size_t i;

	for (i = 0; i < model->n_processes; i++) {
		const struct cotrace_process *p = &model->processes[i];
		size_t *ti = map_find(&priv->threads, i, (uint64_t)p->pid, 0);
		struct cotrace_thread *t;

		if (!ti) {
			continue;
		}
		t = &model->threads[*ti];
		/* The main thread lives as long as its process. */
		if (p->start_seen) {
			t->start_seen = true;
			t->start_ns = p->start_ns;
		}
		if (!t->exit_seen && p->end_ns > t->end_ns) {
			t->end_ns = p->end_ns;
		}
		if (priv->tx[*ti].name_rank < 2 && *p->name) {
			t->name = p->name;
		}
	}
}

/* "pid 100 (name)", or "pid 100" when it has no name. */
static const char *
proc_label(const struct cotrace_model *model, size_t pi, char *buf, size_t size)
{
	const struct cotrace_process *p = &model->processes[pi];

	if (p->name && *p->name) {
		snprintf(buf, size, "pid %" PRId64 " (%s)", p->pid, p->name);
	} else {
		snprintf(buf, size, "pid %" PRId64, p->pid);
	}
	return buf;
}

static const char *
thread_label(const struct cotrace_model *model, size_t ti, char *buf,
		size_t size)
{
	const struct cotrace_thread *t = &model->threads[ti];

	if (t->name && *t->name) {
		snprintf(buf, size, "%s (tid %" PRId64 ")", t->name, t->tid);
	} else {
		snprintf(buf, size, "tid %" PRId64, t->tid);
	}
	return buf;
}

static int
warn_lost(struct cotrace_model *model)
{
	int64_t begin = COTRACE_TS_NONE, end = COTRACE_TS_NONE;
	char b[48], e[48];
	size_t i;

	if (model->n_lost == 0) {
		return 0;
	}
	for (i = 0; i < model->n_lost; i++) {
		const struct cotrace_lost *l = &model->lost[i];

		/* NONE is INT64_MIN, so a plain min would always pick it. */
		if (l->begin_ns != COTRACE_TS_NONE &&
				(begin == COTRACE_TS_NONE ||
				l->begin_ns < begin)) {
			begin = l->begin_ns;
		}
		if (l->end_ns != COTRACE_TS_NONE &&
				(end == COTRACE_TS_NONE || l->end_ns > end)) {
			end = l->end_ns;
		}
	}
	rel_time(model, begin, b, sizeof(b));
	rel_time(model, end, e, sizeof(e));
	if (model->lost_events == 0) {
		return add_warning(model, COTRACE_WARN_EVENTS_LOST, -1, -1,
				begin,
				"The tracer discarded events (it did not say "
				"how many) between %s and %s, so processes, "
				"forks or tasks of that time may be missing "
				"or incomplete.",
				b, e);
	}
	return add_warning(model, COTRACE_WARN_EVENTS_LOST, -1, -1, begin,
			"The tracer discarded %" PRIu64 " event%s between %s "
			"and %s (its buffers were full), so processes, forks "
			"or tasks of that time may be missing or incomplete.",
			model->lost_events, model->lost_events == 1 ? "" : "s",
			b, e);
}

static int
warn_process(struct cotrace_model *model, size_t i)
{
	struct model_priv *priv = model->priv;
	const struct cotrace_process *p = &model->processes[i];
	size_t q = priv->px[i].prev;
	char who[320], old[320], t0[48], t1[48], t2[48];
	int status = 0;

	proc_label(model, i, who, sizeof(who));
	rel_time(model, p->start_ns, t0, sizeof(t0));
	rel_time(model, p->end_ns, t1, sizeof(t1));
	if (priv->px[i].reused && q != NONE_INDEX) {
		proc_label(model, q, old, sizeof(old));
		rel_time(model, model->processes[q].start_ns, t2, sizeof(t2));
		status = add_warning(model, COTRACE_WARN_PID_REUSED, p->pid,
				-1, p->start_ns,
				"pid %" PRId64 " started twice, as %s at %s "
				"and again as %s at %s: the system reused the "
				"pid or the program exec'd another one, so "
				"they are reported as two processes.",
				p->pid, old, t2, who, t0);
	}
	if (!status && !p->start_seen) {
		status = add_warning(model, COTRACE_WARN_PROCESS_NO_START,
				p->pid, -1, p->start_ns,
				"%s has events but its start was never "
				"recorded%s (tracing began after it started, "
				"or events were lost), so it is shown from "
				"its first event at %s.",
				who, p->exit_seen ? "" : ", nor its exit", t0);
	}
	/*
	 * A process whose last exec started no traced image ran a program the
	 * preload could not follow (static, or its environment dropped
	 * LD_PRELOAD): it ended its traced part by exec, which is no fault.
	 */
	if (!status && p->start_seen && !p->exit_seen &&
			!priv->px[i].exec_open) {
		status = add_warning(model, COTRACE_WARN_PROCESS_NO_EXIT,
				p->pid, -1, p->end_ns,
				"%s started at %s but its exit was never "
				"recorded (killed by a signal, still running "
				"when tracing stopped, or left through "
				"_exit() without cotrace_proc_exit()), so it "
				"is shown ending at its last event, at %s.",
				who, t0, t1);
	}
	return status;
}

/*
 * Appends the other threads of a fork to *buf as "name (tid N), ...".
 * alive_names comes from libcotrace; it is parsed loosely: an entry may be
 * "name (tid N)", "name:N", "name/N", "N:name", or a bare name (then the
 * tid of the same position in alive_tids, if any).
 */
static void
append(char *buf, size_t size, size_t *len, const char *fmt, ...)
		__attribute__((format(printf, 4, 5)));

static void
append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= size) {
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n > 0) {
		*len += (size_t)n < size - *len ? (size_t)n : size - *len - 1;
	}
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_sep(char c)
{
	return c == ':' || c == '/' || c == '=' || c == '@' || c == '#' ||
			c == '(' || c == '[' || is_space(c);
}

/* One entry [s, e) of alive_names: name in [*ns, *ne), tid or -1. */
static void
parse_alive_entry(const char *s, const char *e, const char **ns,
		const char **ne, int64_t *tid)
{
	const char *d, *p;

	while (s < e && is_space(*s)) {
		s++;
	}
	while (e > s && (is_space(e[-1]) || e[-1] == ')' || e[-1] == ']')) {
		e--;
	}
	*ns = s;
	*ne = e;
	*tid = -1;
	/* Trailing number after a separator: "name:102", "name (tid 102)". */
	for (d = e; d > s && is_digit(d[-1]); d--) {
	}
	if (d < e && d > s && e - d <= 18 && is_sep(d[-1])) {
		*tid = strtoll(d, NULL, 10);
		p = d - 1;
		while (p > s && is_sep(p[-1])) {
			p--;
		}
		if (p - s >= 3 && strncmp(p - 3, "tid", 3) == 0) {
			p -= 3;
			while (p > s && is_sep(p[-1])) {
				p--;
			}
		}
		*ne = p;
		return;
	}
	/* Leading number: "102:name". */
	for (d = s; d < e && is_digit(*d); d++) {
	}
	if (d > s && d < e && d - s <= 18 && is_sep(*d)) {
		*tid = strtoll(s, NULL, 10);
		for (p = d; p < e && is_sep(*p); p++) {
		}
		*ns = p;
	}
}

/*
 * The end of the entry that starts at s. libcotrace writes "name(tid)"
 * with the kernel's comm as name, and a comm may hold commas: a comma ends
 * an entry only once the text before it carries a tid, unless no later
 * comma would (bare names, another format).
 */
static const char *
alive_entry_end(const char *s)
{
	const char *c, *first = strchr(s, ',');

	for (c = first; c; c = strchr(c + 1, ',')) {
		const char *ns, *ne;
		int64_t tid;

		parse_alive_entry(s, c, &ns, &ne, &tid);
		if (tid >= 0) {
			return c;
		}
	}
	{
		const char *end = s + strlen(s);
		const char *ns, *ne;
		int64_t tid;

		parse_alive_entry(s, end, &ns, &ne, &tid);
		return tid >= 0 || !first ? end : first;
	}
}

static void
list_alive(const struct cotrace_model *model, const struct cotrace_fork *f,
		int64_t others, char *buf, size_t size, size_t *listed)
{
	struct model_priv *priv = model->priv;
	size_t len = 0, n = 0, total = 0;
	const char *s = f->alive_names;
	char who[320];

	buf[0] = '\0';
	while (s && *s) {
		const char *e = alive_entry_end(s);
		const char *ns, *ne;
		size_t *ti = NULL;
		int64_t tid;

		parse_alive_entry(s, e, &ns, &ne, &tid);
		s = *e ? e + 1 : e;
		/* libcotrace's mark of a list cut short: counted below. */
		if (ne - ns == 3 && strncmp(ns, "...", 3) == 0 && tid < 0) {
			continue;
		}
		if (tid < 0 && total < f->n_alive_tids) {
			tid = f->alive_tids[total];
		}
		if (ne == ns && tid < 0) {
			continue;
		}
		total++;
		if (n == MAX_LISTED_THREADS) {
			continue;
		}
		/* thread_start has the full name; a comm stops at 15 bytes. */
		if (tid >= 0 && f->parent != NONE_INDEX) {
			ti = map_find(&priv->threads, f->parent,
					(uint64_t)tid, 0);
		}
		if (ti && priv->tx[*ti].name_rank == 2) {
			thread_label(model, *ti, who, sizeof(who));
		} else if (ne > ns && tid >= 0) {
			snprintf(who, sizeof(who), "%.*s (tid %" PRId64 ")",
					(int)(ne - ns), ns, tid);
		} else if (ne > ns) {
			snprintf(who, sizeof(who), "%.*s", (int)(ne - ns), ns);
		} else {
			snprintf(who, sizeof(who), "tid %" PRId64, tid);
		}
		append(buf, size, &len, "%s%s", n ? ", " : "", who);
		n++;
	}
	if (!total) {
		size_t i;

		for (i = 0; i < f->n_alive_tids; i++) {
			size_t *ti = f->parent == NONE_INDEX ? NULL :
					map_find(&priv->threads, f->parent,
						(uint64_t)f->alive_tids[i], 0);

			total++;
			if (n == MAX_LISTED_THREADS) {
				continue;
			}
			if (ti) {
				thread_label(model, *ti, who, sizeof(who));
			} else {
				snprintf(who, sizeof(who), "tid %" PRId64,
						f->alive_tids[i]);
			}
			append(buf, size, &len, "%s%s", n ? ", " : "", who);
			n++;
		}
	}
	/* threads_alive counts every thread, even those the list cut. */
	if (others > 0 && (uint64_t)others > total) {
		total = (size_t)others;
	}
	if (n && total > n) {
		append(buf, size, &len, " and %zu more", total - n);
	}
	*listed = n;
}

static int
warn_fork_threads(struct cotrace_model *model, const struct cotrace_fork *f,
		const char *parent)
{
	int64_t others = f->threads_alive - 1;
	char names[1024], when[48];
	size_t listed;

	list_alive(model, f, others, names, sizeof(names), &listed);
	rel_time(model, f->ts_ns, when, sizeof(when));
	return add_warning(model, COTRACE_WARN_FORK_WITH_THREADS,
			f->parent_pid, -1, f->ts_ns,
			"%s forked pid %" PRId64 " at %s while %" PRId64
			" other thread%s alive%s%s; the child has a copy of "
			"only the forking thread, so whatever those threads "
			"held (locks, half-written data) stays that way in "
			"the child.",
			parent, f->child_pid, when, others,
			others == 1 ? " was" : "s were", listed ? ": " : "",
			names);
}

static int warn_child_end(struct cotrace_model *model, size_t ci,
		const char *how, const char *parent);

static int
warn_fork_child(struct cotrace_model *model, const struct cotrace_fork *f,
		const char *parent)
{
	char when[48];

	if (f->child == NONE_INDEX) {
		rel_time(model, f->ts_ns, when, sizeof(when));
		return add_warning(model, COTRACE_WARN_FORK_CHILD_MISSING,
				f->child_pid, -1, f->ts_ns,
				"%s forked pid %" PRId64 " at %s but no event "
				"of the child was recorded: events may have "
				"been lost, or the child did not trace (it "
				"exec'd an uninstrumented program or died "
				"first).",
				parent, f->child_pid, when);
	}
	return warn_child_end(model, f->child, "forked", parent);
}

/* A child (`how`: "forked", "spawned") that exited non-zero or was killed. */
static int
warn_child_end(struct cotrace_model *model, size_t ci, const char *how,
		const char *parent)
{
	const struct cotrace_process *c = &model->processes[ci];
	char child[320], when[48];
	const char *abbrev;

	if (!c->exit_seen || c->exit_status == 0) {
		return 0;
	}
	proc_label(model, ci, child, sizeof(child));
	rel_time(model, c->end_ns, when, sizeof(when));
	if (c->term_signal > 0) {
		abbrev = c->term_signal < 65 ? sigabbrev_np((int)c->term_signal)
					     : NULL;
		return add_warning(model, COTRACE_WARN_CHILD_ABNORMAL, c->pid,
				-1, c->end_ns,
				"%s, %s by %s, was killed by signal %" PRId64
				"%s%s%s at %s%s.",
				child, how, parent, c->term_signal,
				abbrev ? " (SIG" : "", abbrev ? abbrev : "",
				abbrev ? ")" : "", when,
				c->n_execs ? "" : " (it had not exec'd)");
	}
	return add_warning(model, COTRACE_WARN_CHILD_ABNORMAL, c->pid, -1,
			c->end_ns,
			"%s, %s by %s, exited with status %" PRId64 " at "
			"%s instead of 0.",
			child, how, parent, c->exit_status, when);
}

static int
warn_spawns(struct cotrace_model *model)
{
	char parent[320], when[48];
	int status = 0;

	for (size_t i = 0; i < model->n_spawns && !status; i++) {
		const struct cotrace_spawn *sp = &model->spawns[i];

		if (sp->child_pid <= 0) {
			continue;
		}
		proc_label(model, sp->parent, parent, sizeof(parent));
		if (sp->child != NONE_INDEX) {
			status = warn_child_end(
					model, sp->child, "spawned", parent);
			continue;
		}
		rel_time(model, sp->ts_ns, when, sizeof(when));
		status = add_warning(model, COTRACE_WARN_FORK_CHILD_MISSING,
				sp->child_pid, -1, sp->ts_ns,
				"%s spawned pid %" PRId64 " (%s) at %s but no "
				"event of the child was recorded: the program "
				"it ran was not traced (a static executable, "
				"or an environment without LD_PRELOAD) or "
				"events were lost.",
				parent, sp->child_pid, sp->exe, when);
	}
	return status;
}

static int
warn_forks(struct cotrace_model *model)
{
	char parent[320];
	size_t i;
	int status = 0;

	for (i = 0; i < model->n_forks && !status; i++) {
		const struct cotrace_fork *f = &model->forks[i];

		if (f->parent != NONE_INDEX) {
			proc_label(model, f->parent, parent, sizeof(parent));
		} else {
			snprintf(parent, sizeof(parent), "pid %" PRId64,
					f->parent_pid);
		}
		/* A vfork child could only exec or _exit: no hazard. */
		if (f->threads_alive > 1 && !f->vfork) {
			status = warn_fork_threads(model, f, parent);
		}
		/* fork() returned -1: there was no child to look for. */
		if (!status && f->child_pid > 0) {
			status = warn_fork_child(model, f, parent);
		}
	}
	return status;
}

static int
warn_task(struct cotrace_model *model, const struct unfinished *t)
{
	const struct cotrace_process *p = &model->processes[t->process];
	char who[320], thr[320], t0[48], t1[48];

	proc_label(model, t->process, who, sizeof(who));
	thread_label(model, t->thread, thr, sizeof(thr));
	rel_time(model, t->start_ns, t0, sizeof(t0));
	rel_time(model, p->end_ns, t1, sizeof(t1));
	return add_warning(model, COTRACE_WARN_TASK_UNFINISHED, p->pid,
			model->threads[t->thread].tid, t->start_ns,
			"Task %" PRIu64 " '%s' of %s, %s, started at %s and "
			"never finished, so it is counted until its process "
			"ended, at %s, with unknown CPU time.",
			t->id, t->label, who, thr, t0, t1);
}

static int
cmp_unfinished(const void *pa, const void *pb)
{
	const struct unfinished *a = pa, *b = pb;

	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/*
 * The tasks still open at the end never finished: they end with their
 * process. Then the task totals are complete, and the profile is taken.
 */
static int
finish_tasks(struct cotrace_model *model)
{
	struct model_priv *priv = model->priv;
	struct cotrace_task_totals *tt = &model->task_totals;
	int status;

	for (size_t i = 0; i < priv->n_pool; i++) {
		struct open_task *ot = &priv->pool[i];

		if (ot->next_free != POOL_IN_USE) {
			continue;
		}
		tt->unfinished++;
		totals_end(model, ot->process, ot->start_ns,
				model->processes[ot->process].end_ns);
		status = add_unfinished(priv, &(struct unfinished){
			.seq = ot->seq,
			.id = ot->id,
			.process = ot->process,
			.thread = ot->thread,
			.label = ot->label,
			.label_owned = ot->label_owned,
			.start_ns = ot->start_ns,
		});
		/* The label went to the warnings' list (or was freed). */
		map_remove(&priv->open_tasks, ot->thread, ot->id, 0);
		pool_free(priv, i);
		if (status) {
			return status;
		}
	}
	for (size_t i = 0; i < model->n_processes; i++) {
		struct process_extra *x = &priv->px[i];
		int64_t end = model->processes[i].end_ns;
		__int128 busy;
		size_t h = x->hull;

		if (!x->abandoned) {
			continue;
		}
		/* Each ran from its start to the process's end. */
		busy = (__int128)end * x->abandoned - x->abandoned_starts;
		if (busy < 0) {
			busy = 0;
		}
		tt->busy_ns = sat_add64(tt->busy_ns,
				busy > INT64_MAX ? INT64_MAX : (int64_t)busy);
		if (tt->end_ns == COTRACE_TS_NONE || end > tt->end_ns) {
			tt->end_ns = end;
		}
		if (h != NONE_INDEX && end > tt->hulls[h].hi) {
			tt->hulls[h].hi = end;
		}
	}
	free(tt->profile_ns);
	tt->profile_ns = NULL;
	if (!tt->tasks) {
		return 0;
	}
	return rprof_result(&priv->rprof, tt->start_ns, tt->end_ns,
			&tt->profile_ns, &tt->max_concurrency);
}

/* The first unfinished tasks of each process by name, then a count. */
static int
warn_tasks(struct cotrace_model *model)
{
	struct model_priv *priv = model->priv;
	struct unfinished *all = NULL;
	size_t n = 0, cap = 0;
	char who[320];
	int status = 0;

	for (size_t i = 0; i < model->n_processes; i++) {
		cap += priv->px[i].n_cands;
	}
	if (cap) {
		all = malloc(cap * sizeof(*all));
		if (!all) {
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < model->n_processes; i++) {
		for (size_t k = 0; k < priv->px[i].n_cands; k++) {
			all[n++] = priv->px[i].cands[k];
		}
	}
	if (n > 1) {
		qsort(all, n, sizeof(*all), cmp_unfinished);
	}
	for (size_t i = 0; i < n && !status; i++) {
		status = warn_task(model, &all[i]);
	}
	free(all);
	for (size_t i = 0; i < model->n_processes && !status; i++) {
		uint64_t total = priv->px[i].unfinished_total;

		if (total <= MAX_UNFINISHED_WARNINGS_PER_PROCESS) {
			continue;
		}
		status = add_warning(model, COTRACE_WARN_TASK_UNFINISHED,
				model->processes[i].pid, -1, COTRACE_TS_NONE,
				"%" PRIu64 " more tasks of %s never finished.",
				total - MAX_UNFINISHED_WARNINGS_PER_PROCESS,
				proc_label(model, i, who, sizeof(who)));
	}
	return status;
}

/* A bounded model says what its lists left out. */
static int
warn_listing(struct cotrace_model *model)
{
	const struct cotrace_model_limits *l = &model->limits;
	char tasks[160] = "", tls[200] = "";

	if (!model->tasks_omitted && !model->tls_omitted) {
		return 0;
	}
	if (model->tasks_omitted) {
		snprintf(tasks, sizeof(tasks),
				"only the first %zu of the %" PRIu64 " tasks",
				l->tasks, model->task_totals.tasks);
	}
	if (model->tls_omitted) {
		snprintf(tls, sizeof(tls),
				"only the first %zu thread-local storage "
				"accesses of each thread (%" PRIu64 " more "
				"were left out)",
				l->tls_per_thread, model->tls_omitted);
	}
	return add_warning(model, COTRACE_WARN_LISTING_TRUNCATED, -1, -1,
			COTRACE_TS_NONE,
			"To keep memory bounded, the lists hold %s%s%s; every "
			"figure and check counts all of them.",
			tasks, *tasks && *tls ? " and " : "", tls);
}

static int
warn_tls_issue(struct cotrace_model *model, const struct tls_issue *is)
{
	const struct cotrace_thread *t = &model->threads[is->thread];
	int64_t pid = model->processes[t->process].pid;
	char who[320], a[320], b[320], when[48];

	proc_label(model, t->process, who, sizeof(who));
	thread_label(model, is->thread, b, sizeof(b));
	rel_time(model, is->ts_ns, when, sizeof(when));
	if (is->kind == COTRACE_WARN_TLS_SHARED_SLOT) {
		thread_label(model, is->first, a, sizeof(a));
		return add_warning(model, is->kind, pid, t->tid, is->ts_ns,
				"Threads %s and %s of %s both wrote TLS key "
				"'%s' at the same address 0x%" PRIx64 " (at "
				"%s): they share one slot instead of each "
				"having its own copy.",
				a, b, who, is->key, is->addr, when);
	}
	return add_warning(model, is->kind, pid, t->tid, is->ts_ns,
			"Thread %s of %s read TLS key '%s' back as '%s' at %s "
			"although it last wrote '%s': something else changed "
			"its slot (0x%" PRIx64 ").",
			b, who, is->key, is->read, when, is->written, is->addr);
}

static int
warn_tls(struct cotrace_model *model)
{
	struct model_priv *priv = model->priv;
	size_t i;
	int status;

	for (i = 0; i < priv->n_issues; i++) {
		status = warn_tls_issue(model, &priv->issues[i]);
		if (status) {
			return status;
		}
	}
	return 0;
}

int
cotrace_model_finish(struct cotrace_model *model)
{
	size_t *order = NULL;
	size_t i;
	int status = 0;

	if (!model || !model->priv) {
		return -EINVAL;
	}
	if (model->finished) {
		return 0;
	}
	finish_main_threads(model);
	status = finish_tasks(model);
	if (status) {
		goto end;
	}

	/* Forks in time order, so each claims the child nearest to it. */
	if (model->n_forks) {
		order = malloc(model->n_forks * sizeof(*order));
		if (!order) {
			status = -ENOMEM;
			goto end;
		}
		for (i = 0; i < model->n_forks; i++) {
			order[i] = i;
		}
		qsort_r(order, model->n_forks, sizeof(*order), cmp_fork_ts,
				model->forks);
		for (i = 0; i < model->n_forks; i++) {
			link_fork(model, order[i]);
		}
	}
	for (i = 0; i < model->n_spawns; i++) {
		link_spawn(model, i);
	}
	for (i = 0; i < model->n_processes; i++) {
		link_ppid(model, i);
	}
	resolve_renames(model);

	status = warn_lost(model);
	if (status) {
		goto end;
	}
	for (i = 0; i < model->n_processes; i++) {
		status = warn_process(model, i);
		if (status) {
			goto end;
		}
	}
	status = warn_forks(model);
	if (status) {
		goto end;
	}
	status = warn_spawns(model);
	if (status) {
		goto end;
	}
	status = warn_tasks(model);
	if (status) {
		goto end;
	}
	status = warn_tls(model);
	if (status) {
		goto end;
	}
	status = warn_listing(model);
	if (status) {
		goto end;
	}
	model->finished = true;
end:
	free(order);
	return status;
}

int
cotrace_model_add_warning(struct cotrace_model *model,
		enum cotrace_warning_kind kind, int64_t ts_ns,
		const char *message)
{
	return add_warning(model, kind, -1, -1, ts_ns, "%s", message);
}
