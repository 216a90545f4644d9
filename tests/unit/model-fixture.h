/*
 * Hand-built models for the timeline, story and compare tests: processes,
 * threads, tasks, forks, TLS accesses and warnings placed by hand (no
 * model.c involved, so a renderer bug cannot hide behind a model bug),
 * then the real metrics computed over them. Header-only: each test
 * includes it once.
 */
#ifndef COTRACE_TEST_MODEL_FIXTURE_H
#define COTRACE_TEST_MODEL_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "model.h"

#define T0 INT64_C(1700000000000000000)
#define US INT64_C(1000)
#define MS INT64_C(1000000)
#define SEC INT64_C(1000000000)

#define FX_PROCESSES 16
#define FX_THREADS 24
#define FX_TASKS 16
#define FX_FORKS 16
#define FX_WARNINGS 8
#define FX_LOST 4
#define FX_TLS 8

struct fx {
	struct cotrace_model model;
	struct cotrace_metrics metrics;
	bool metrics_done;
	struct cotrace_process processes[FX_PROCESSES];
	struct cotrace_thread threads[FX_THREADS];
	struct cotrace_task tasks[FX_TASKS];
	struct cotrace_fork forks[FX_FORKS];
	struct cotrace_warning warnings[FX_WARNINGS];
	struct cotrace_lost lost[FX_LOST];
	struct cotrace_tls_access tls[FX_THREADS][FX_TLS];
	char *paths[1];
};

static inline struct fx *
fx_create(void)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f) {
		return NULL;
	}
	f->model.processes = f->processes;
	f->model.threads = f->threads;
	f->model.tasks = f->tasks;
	f->model.forks = f->forks;
	f->model.warnings = f->warnings;
	f->model.lost = f->lost;
	f->model.first_ns = COTRACE_TS_NONE;
	f->model.last_ns = COTRACE_TS_NONE;
	f->paths[0] = (char *)"/tmp/run/ust/uid/0/64-bit";
	f->model.paths = f->paths;
	f->model.n_paths = 1;
	return f;
}

static inline void
fx_destroy(struct fx *f)
{
	if (f && f->metrics_done) {
		cotrace_metrics_release(&f->metrics);
	}
	free(f);
}

/* A complete process (start and exit seen, status 0); returns its index. */
static inline size_t
fx_process(struct fx *f, int64_t pid, size_t parent, int64_t start, int64_t end,
		uint64_t cpu)
{
	size_t i = f->model.n_processes++;
	struct cotrace_process *p = &f->processes[i];

	p->pid = pid;
	p->parent = parent;
	p->ppid = parent == SIZE_MAX ? 1 : f->processes[parent].pid;
	p->name = (char *)"cotrace-demo";
	p->start_ns = start;
	p->end_ns = end;
	p->start_seen = true;
	p->exit_seen = true;
	p->fork_ret = parent == SIZE_MAX ? -1 : 0;
	p->cpu_ns = cpu;
	p->cpu_start_ns = 0;
	p->exit_status = 0;
	return i;
}

/* A complete thread; returns its index. */
static inline size_t
fx_thread(struct fx *f, int64_t tid, size_t process, const char *name,
		int64_t start, int64_t end, uint64_t cpu)
{
	size_t i = f->model.n_threads++;
	struct cotrace_thread *t = &f->threads[i];

	t->tid = tid;
	t->process = process;
	t->pthread_id = UINT64_C(0x7f0000001000) + (uint64_t)i * 0x1000;
	t->name = (char *)name;
	t->start_ns = start;
	t->end_ns = end;
	t->start_seen = true;
	t->exit_seen = true;
	t->cpu_ns = cpu;
	t->tls = f->tls[i];
	return i;
}

/* A task (end COTRACE_TS_NONE: unfinished); returns its index. */
static inline size_t
fx_task(struct fx *f, uint64_t id, size_t thread, int64_t start, int64_t end,
		uint64_t cpu)
{
	size_t i = f->model.n_tasks++;
	struct cotrace_task *k = &f->tasks[i];

	k->id = id;
	k->thread = thread;
	k->process = f->threads[thread].process;
	k->label = (char *)"cpu_task";
	k->start_ns = start;
	k->end_ns = end;
	k->cpu_ns = cpu;
	f->processes[k->process].n_tasks++;
	return i;
}

/* A fork by process `parent` (child SIZE_MAX: never seen). */
static inline size_t
fx_fork(struct fx *f, size_t parent, size_t child, int64_t child_pid,
		int64_t ts, int64_t threads_alive)
{
	size_t i = f->model.n_forks++;
	struct cotrace_fork *k = &f->forks[i];

	k->parent = parent;
	k->child = child;
	k->parent_pid = f->processes[parent].pid;
	k->child_pid = child_pid;
	k->ts_ns = ts;
	k->threads_alive = threads_alive;
	k->parent_ret = child_pid;
	k->child_ret = child == SIZE_MAX ? -1 : 0;
	return i;
}

static inline void
fx_tls(struct fx *f, size_t thread, const char *key, const char *value,
		uint64_t addr, int64_t ts, bool is_read)
{
	struct cotrace_thread *t = &f->threads[thread];
	struct cotrace_tls_access *a = &t->tls[t->n_tls++];

	a->key = (char *)key;
	a->value = (char *)value;
	a->addr = addr;
	a->ts_ns = ts;
	a->is_read = is_read;
}

static inline void
fx_warning(struct fx *f, enum cotrace_warning_kind kind, const char *message,
		int64_t ts)
{
	struct cotrace_warning *w = &f->warnings[f->model.n_warnings++];

	w->kind = kind;
	w->message = (char *)message;
	w->pid = -1;
	w->tid = -1;
	w->ts_ns = ts;
}

static inline void
fx_lost(struct fx *f, uint64_t count, int64_t begin, int64_t end)
{
	f->lost[f->model.n_lost++] = (struct cotrace_lost){count, begin, end};
	f->model.lost_events += count;
}

static inline void
fx_widen(struct fx *f, int64_t ts)
{
	if (ts == COTRACE_TS_NONE) {
		return;
	}
	if (f->model.first_ns == COTRACE_TS_NONE || ts < f->model.first_ns) {
		f->model.first_ns = ts;
	}
	if (f->model.last_ns == COTRACE_TS_NONE || ts > f->model.last_ns) {
		f->model.last_ns = ts;
	}
}

/* Sets first/last event times and the event counts, computes the metrics. */
static inline int
fx_finish(struct fx *f)
{
	struct cotrace_model *m = &f->model;

	for (size_t i = 0; i < m->n_processes; i++) {
		fx_widen(f, m->processes[i].start_ns);
		fx_widen(f, m->processes[i].end_ns);
	}
	for (size_t i = 0; i < m->n_threads; i++) {
		fx_widen(f, m->threads[i].start_ns);
		fx_widen(f, m->threads[i].end_ns);
		for (size_t k = 0; k < m->threads[i].n_tls; k++) {
			fx_widen(f, m->threads[i].tls[k].ts_ns);
		}
	}
	for (size_t i = 0; i < m->n_tasks; i++) {
		fx_widen(f, m->tasks[i].start_ns);
		fx_widen(f, m->tasks[i].end_ns);
	}
	m->cotrace_events = 2 * (m->n_processes + m->n_threads + m->n_tasks) +
			    m->n_forks;
	m->events = m->cotrace_events;
	m->finished = true;
	if (cotrace_metrics_compute(m, &f->metrics)) {
		return -1;
	}
	f->metrics_done = true;
	return 0;
}

/* What a renderer wrote, NUL-terminated. */
struct capture {
	char *buf;
	size_t len;
	FILE *out;
};

static inline FILE *
capture_begin(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->out = open_memstream(&c->buf, &c->len);
	return c->out;
}

static inline int
capture_end(struct capture *c)
{
	return fclose(c->out);
}

static inline void
capture_release(struct capture *c)
{
	free(c->buf);
	c->buf = NULL;
}

/* Occurrences of `needle` in `haystack`. */
static inline size_t
count_of(const char *haystack, const char *needle)
{
	size_t n = 0, len = strlen(needle);

	for (const char *p = strstr(haystack, needle); p;
			p = strstr(p + len, needle)) {
		n++;
	}
	return n;
}

#define assert_contains(haystack, needle)                                      \
	do {                                                                   \
		if (!strstr((haystack), (needle))) {                           \
			fail_msg("missing \"%s\" in:\n%s", (needle),           \
					(haystack));                           \
		}                                                              \
	} while (0)

#define assert_not_contains(haystack, needle)                                  \
	do {                                                                   \
		if (strstr((haystack), (needle))) {                            \
			fail_msg("unexpected \"%s\" in:\n%s", (needle),        \
					(haystack));                           \
		}                                                              \
	} while (0)

#endif /* COTRACE_TEST_MODEL_FIXTURE_H */
