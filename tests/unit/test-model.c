/*
 * Unit tests of the trace model on synthetic event sequences: process
 * identity, fork trees, out-of-order streams, TLS checks, warnings, and
 * input that is plain garbage.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics.h"
#include "model.h"

#define MS INT64_C(1000000)
#define T0 INT64_C(1700000000000000000) /* a plausible epoch time */
/* One TLS slot address per thread. */
#define SLOT(tid) (0x7f00aa000000ULL + 0x1000 * (uint64_t)(tid))

/* ------------------------------------------------------------------ */
/* Event builders.                                                     */

static struct cotrace_event
base(enum cotrace_event_type type, int64_t ts, int64_t pid, int64_t tid)
{
	struct cotrace_event e = {
		.type = type,
		.ts_ns = ts,
		.pid = pid,
		.tid = tid,
		.pthread_id = 0x7f0000000000ULL + (uint64_t)tid,
		.procname = "demo",
		.ppid = -1,
		.fork_ret = -1,
		.cpu_ns = COTRACE_CPU_NONE,
	};

	return e;
}

static void
add(struct cotrace_model *m, const struct cotrace_event *e)
{
	assert_int_equal(cotrace_model_add_event(m, e), 0);
}

static void
proc_start(struct cotrace_model *m, int64_t ts, int64_t pid, int64_t ppid,
		int64_t fork_ret, const char *exe)
{
	struct cotrace_event e = base(COTRACE_EVENT_PROC_START, ts, pid, pid);

	e.ppid = ppid;
	e.fork_ret = fork_ret;
	e.name = exe;
	e.cpu_ns = 1000;
	add(m, &e);
}

static void
proc_exit(struct cotrace_model *m, int64_t ts, int64_t pid, int64_t status,
		uint64_t cpu)
{
	struct cotrace_event e = base(COTRACE_EVENT_PROC_EXIT, ts, pid, pid);

	e.status = status;
	e.cpu_ns = cpu;
	add(m, &e);
}

static void
fork_ev(struct cotrace_model *m, int64_t ts, int64_t pid, int64_t child,
		int64_t alive, const int64_t *tids, size_t n, const char *names)
{
	struct cotrace_event e = base(COTRACE_EVENT_FORK, ts, pid, pid);

	e.child_pid = child;
	e.threads_alive = alive;
	e.alive_tids = tids;
	e.n_alive_tids = n;
	e.alive_names = names;
	add(m, &e);
}

static void
thread_start(struct cotrace_model *m, int64_t ts, int64_t pid, int64_t tid,
		const char *name)
{
	struct cotrace_event e = base(COTRACE_EVENT_THREAD_START, ts, pid, tid);

	e.name = name;
	add(m, &e);
}

static void
thread_exit(struct cotrace_model *m, int64_t ts, int64_t pid, int64_t tid,
		uint64_t cpu)
{
	struct cotrace_event e = base(COTRACE_EVENT_THREAD_EXIT, ts, pid, tid);

	e.cpu_ns = cpu;
	add(m, &e);
}

static void
task_start(struct cotrace_model *m, int64_t ts, int64_t pid, int64_t tid,
		uint64_t id, const char *label, uint64_t cpu)
{
	struct cotrace_event e = base(COTRACE_EVENT_TASK_START, ts, pid, tid);

	e.task_id = id;
	e.name = label;
	e.cpu_ns = cpu;
	add(m, &e);
}

static void
task_finish(struct cotrace_model *m, int64_t ts, int64_t pid, int64_t tid,
		uint64_t id, uint64_t cpu)
{
	struct cotrace_event e = base(COTRACE_EVENT_TASK_FINISH, ts, pid, tid);

	e.task_id = id;
	e.cpu_ns = cpu;
	add(m, &e);
}

static void
tls(struct cotrace_model *m, enum cotrace_event_type type, int64_t ts,
		int64_t pid, int64_t tid, const char *key, const char *value,
		uint64_t addr)
{
	struct cotrace_event e = base(type, ts, pid, tid);

	e.key = key;
	e.value = value;
	e.addr = addr;
	add(m, &e);
}

/* ------------------------------------------------------------------ */
/* Lookups.                                                            */

/* The nth (0-based) process of pid, or SIZE_MAX. */
static size_t
proc_of(const struct cotrace_model *m, int64_t pid, int nth)
{
	size_t i;

	for (i = 0; i < m->n_processes; i++) {
		if (m->processes[i].pid == pid && nth-- == 0) {
			return i;
		}
	}
	return SIZE_MAX;
}

static const struct cotrace_thread *
thread_of(const struct cotrace_model *m, size_t process, int64_t tid)
{
	size_t i;

	for (i = 0; i < m->n_threads; i++) {
		const struct cotrace_thread *t = &m->threads[i];

		if (t->process == process && t->tid == tid) {
			return &m->threads[i];
		}
	}
	return NULL;
}

static size_t
count_warnings(const struct cotrace_model *m, enum cotrace_warning_kind kind)
{
	size_t i, n = 0;

	for (i = 0; i < m->n_warnings; i++) {
		n += m->warnings[i].kind == kind;
	}
	return n;
}

static const struct cotrace_warning *
warning_of(const struct cotrace_model *m, enum cotrace_warning_kind kind)
{
	size_t i;

	for (i = 0; i < m->n_warnings; i++) {
		if (m->warnings[i].kind == kind) {
			return &m->warnings[i];
		}
	}
	return NULL;
}

static void
assert_contains(const char *haystack, const char *needle)
{
	if (!haystack || !strstr(haystack, needle)) {
		fail_msg("\"%s\" does not contain \"%s\"",
				haystack ? haystack : "(null)", needle);
	}
}

static int
setup(void **state)
{
	*state = cotrace_model_create();
	return *state ? 0 : -1;
}

static int
teardown(void **state)
{
	cotrace_model_destroy(*state);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Tests.                                                              */

static void
test_empty(void **state)
{
	struct cotrace_model *m = *state;

	assert_int_equal(cotrace_model_finish(m), 0);
	assert_true(m->finished);
	assert_int_equal(m->n_processes, 0);
	assert_int_equal(m->n_warnings, 0);
	assert_int_equal(m->events, 0);
	assert_true(m->first_ns == COTRACE_TS_NONE);
	assert_true(m->last_ns == COTRACE_TS_NONE);
	/* A second finish changes nothing. */
	assert_int_equal(cotrace_model_finish(m), 0);
	assert_int_equal(m->n_warnings, 0);
	cotrace_model_destroy(NULL);
}

static void
test_single_process(void **state)
{
	struct cotrace_model *m = *state;
	const struct cotrace_process *p;
	const struct cotrace_thread *t;

	proc_start(m, T0, 100, 1, -1, "/usr/bin/cotrace-demo");
	proc_exit(m, T0 + 50 * MS, 100, 0, 42 * MS);
	cotrace_model_count_foreign(m);
	assert_int_equal(cotrace_model_finish(m), 0);

	assert_int_equal(m->n_processes, 1);
	p = &m->processes[0];
	assert_int_equal(p->pid, 100);
	assert_int_equal(p->ppid, 1);
	assert_string_equal(p->name, "cotrace-demo");
	assert_true(p->start_seen && p->exit_seen);
	assert_int_equal(p->start_ns, T0);
	assert_int_equal(p->end_ns, T0 + 50 * MS);
	assert_int_equal(p->cpu_ns, 42 * MS);
	assert_int_equal(p->cpu_start_ns, 1000);
	assert_int_equal(p->exit_status, 0);
	assert_int_equal(p->fork_ret, -1);
	assert_int_equal(p->parent, SIZE_MAX); /* pid 1 was not traced */

	/* The main thread lives and is named with its process. */
	assert_int_equal(m->n_threads, 1);
	t = &m->threads[0];
	assert_int_equal(t->tid, 100);
	assert_string_equal(t->name, "cotrace-demo");
	assert_true(t->start_seen);
	assert_int_equal(t->start_ns, T0);
	assert_int_equal(t->end_ns, T0 + 50 * MS);
	assert_int_equal(t->pthread_id, 0x7f0000000000ULL + 100);

	assert_int_equal(m->events, 3);
	assert_int_equal(m->cotrace_events, 2);
	assert_int_equal(m->first_ns, T0);
	assert_int_equal(m->last_ns, T0 + 50 * MS);
	assert_int_equal(m->n_warnings, 0);
}

/* 100 forks 101, 101 forks 102: three levels, both return values. */
static void
test_fork_tree(void **state)
{
	struct cotrace_model *m = *state;
	size_t a, b, c, i;

	proc_start(m, T0, 100, 1, -1, "/bin/root");
	fork_ev(m, T0 + 10 * MS, 100, 101, 1, NULL, 0, "");
	proc_start(m, T0 + 11 * MS, 101, 100, 0, "/bin/root");
	fork_ev(m, T0 + 20 * MS, 101, 102, 1, NULL, 0, "");
	proc_start(m, T0 + 21 * MS, 102, 101, 0, "/bin/root");
	proc_exit(m, T0 + 30 * MS, 102, 0, 1);
	proc_exit(m, T0 + 40 * MS, 101, 0, 1);
	proc_exit(m, T0 + 50 * MS, 100, 0, 1);
	assert_int_equal(cotrace_model_finish(m), 0);

	a = proc_of(m, 100, 0);
	b = proc_of(m, 101, 0);
	c = proc_of(m, 102, 0);
	assert_int_equal(m->n_processes, 3);
	assert_int_equal(m->processes[a].parent, SIZE_MAX);
	assert_int_equal(m->processes[b].parent, a);
	assert_int_equal(m->processes[c].parent, b);
	assert_int_equal(m->processes[c].ppid, 101);

	assert_int_equal(m->n_forks, 2);
	for (i = 0; i < 2; i++) {
		const struct cotrace_fork *f = &m->forks[i];

		assert_int_equal(f->parent, i == 0 ? a : b);
		assert_int_equal(f->child, i == 0 ? b : c);
		assert_int_equal(f->parent_ret, i == 0 ? 101 : 102);
		assert_int_equal(f->child_ret, 0);
		assert_int_equal(f->parent_pid, i == 0 ? 100 : 101);
	}
	assert_int_equal(m->n_warnings, 0);
}

/* The child runs first: its proc_start sorts before the parent's fork. */
static void
test_fork_child_first(void **state)
{
	struct cotrace_model *m = *state;
	size_t a, b;

	proc_start(m, T0, 100, 1, -1, "/bin/p");
	proc_start(m, T0 + 5 * MS, 101, 100, 0, "/bin/p");
	proc_exit(m, T0 + 6 * MS, 101, 0, 1);
	fork_ev(m, T0 + 7 * MS, 100, 101, 1, NULL, 0, NULL);
	proc_exit(m, T0 + 8 * MS, 100, 0, 1);
	assert_int_equal(cotrace_model_finish(m), 0);

	a = proc_of(m, 100, 0);
	b = proc_of(m, 101, 0);
	assert_int_equal(m->forks[0].child, b);
	assert_int_equal(m->forks[0].child_ret, 0);
	assert_int_equal(m->processes[b].parent, a);
	assert_int_equal(m->n_warnings, 0);
}

/*
 * The parent's only event is its fork, later than the child's start: the
 * link must still be made (no order rule that would refuse it).
 */
static void
test_fork_parent_without_start(void **state)
{
	struct cotrace_model *m = *state;
	size_t a, b;

	proc_start(m, T0 + 5 * MS, 101, 100, 0, "/bin/p");
	fork_ev(m, T0 + 7 * MS, 100, 101, 1, NULL, 0, NULL);
	proc_exit(m, T0 + 8 * MS, 101, 0, 1);
	assert_int_equal(cotrace_model_finish(m), 0);

	a = proc_of(m, 100, 0);
	b = proc_of(m, 101, 0);
	assert_false(m->processes[a].start_seen);
	assert_int_equal(m->processes[a].start_ns, T0 + 7 * MS);
	assert_int_equal(m->forks[0].child, b);
	assert_int_equal(m->processes[b].parent, a);
	assert_int_equal(count_warnings(m, COTRACE_WARN_PROCESS_NO_START), 1);
	assert_contains(warning_of(m, COTRACE_WARN_PROCESS_NO_START)->message,
			"pid 100");
}

/* pid 200 names two processes; each fork finds its own by start time. */
static void
test_pid_reuse(void **state)
{
	struct cotrace_model *m = *state;
	const struct cotrace_warning *w;
	size_t a, first, second;

	proc_start(m, T0, 100, 1, -1, "/bin/p");
	fork_ev(m, T0 + 10 * MS, 100, 200, 1, NULL, 0, NULL);
	proc_start(m, T0 + 11 * MS, 200, 100, 0, "/bin/p");
	thread_start(m, T0 + 12 * MS, 200, 201, "w");
	proc_exit(m, T0 + 20 * MS, 200, 0, 5 * MS);
	fork_ev(m, T0 + 30 * MS, 100, 200, 1, NULL, 0, NULL);
	proc_start(m, T0 + 31 * MS, 200, 100, 0, "/bin/p");
	/* A late event of the first process, from a lagging stream. */
	thread_exit(m, T0 + 13 * MS, 200, 201, 77);
	proc_exit(m, T0 + 40 * MS, 200, 3, 6 * MS);
	proc_exit(m, T0 + 50 * MS, 100, 0, 1);
	assert_int_equal(cotrace_model_finish(m), 0);

	a = proc_of(m, 100, 0);
	first = proc_of(m, 200, 0);
	second = proc_of(m, 200, 1);
	assert_int_equal(m->n_processes, 3);
	assert_int_equal(m->processes[first].start_ns, T0 + 11 * MS);
	assert_int_equal(m->processes[first].end_ns, T0 + 20 * MS);
	assert_int_equal(m->processes[second].start_ns, T0 + 31 * MS);
	assert_int_equal(m->processes[second].end_ns, T0 + 40 * MS);
	assert_int_equal(m->processes[second].exit_status, 3);
	assert_int_equal(m->forks[0].child, first);
	assert_int_equal(m->forks[1].child, second);
	assert_int_equal(m->processes[first].parent, a);
	assert_int_equal(m->processes[second].parent, a);
	/* The late thread_exit went to the first process's thread. */
	assert_non_null(thread_of(m, first, 201));
	assert_int_equal(thread_of(m, first, 201)->cpu_ns, 77);
	assert_null(thread_of(m, second, 201));

	w = warning_of(m, COTRACE_WARN_PID_REUSED);
	assert_non_null(w);
	assert_int_equal(count_warnings(m, COTRACE_WARN_PID_REUSED), 1);
	assert_int_equal(w->pid, 200);
	assert_contains(w->message, "pid 200 started twice");
	/* The second child exited with 3. */
	assert_int_equal(count_warnings(m, COTRACE_WARN_CHILD_ABNORMAL), 1);
	w = warning_of(m, COTRACE_WARN_CHILD_ABNORMAL);
	assert_contains(w->message, "status 3");
	assert_contains(w->message, "pid 100");
}

/* The same proc_start twice (a duplicated stream) is one process. */
static void
test_duplicate_events(void **state)
{
	struct cotrace_model *m = *state;

	proc_start(m, T0, 100, 1, -1, "/bin/p");
	proc_start(m, T0, 100, 1, -1, "/bin/p");
	fork_ev(m, T0 + 1, 100, 101, 1, NULL, 0, NULL);
	fork_ev(m, T0 + 1, 100, 101, 1, NULL, 0, NULL);
	task_start(m, T0 + 2, 100, 100, 1, "t", 10);
	task_start(m, T0 + 2, 100, 100, 1, "t", 10);
	task_finish(m, T0 + 3, 100, 100, 1, 15);
	task_finish(m, T0 + 3, 100, 100, 1, 15);
	proc_start(m, T0 + 2, 101, 100, 0, "/bin/p");
	proc_exit(m, T0 + 4, 101, 0, 1);
	proc_exit(m, T0 + 4, 101, 0, 1);
	proc_exit(m, T0 + 5, 100, 0, 1);
	proc_exit(m, T0 + 5, 100, 0, 1);
	assert_int_equal(cotrace_model_finish(m), 0);

	assert_int_equal(m->n_processes, 2);
	assert_int_equal(m->n_forks, 1);
	assert_int_equal(m->n_tasks, 1);
	assert_int_equal(m->tasks[0].cpu_ns, 5);
	assert_int_equal(m->n_warnings, 0);
}

static void
test_process_no_exit(void **state)
{
	struct cotrace_model *m = *state;
	const struct cotrace_warning *w;
	const struct cotrace_process *p;

	proc_start(m, T0, 300, 1, -1, "/bin/sleeper");
	thread_start(m, T0 + 2 * MS, 300, 301, "helper");
	task_start(m, T0 + 3 * MS, 300, 301, 9, "work", 100);
	assert_int_equal(cotrace_model_finish(m), 0);

	p = &m->processes[0];
	assert_true(p->start_seen);
	assert_false(p->exit_seen);
	assert_int_equal(p->end_ns, T0 + 3 * MS);
	assert_true(p->cpu_ns == COTRACE_CPU_NONE);
	assert_int_equal(p->exit_status, -1);
	w = warning_of(m, COTRACE_WARN_PROCESS_NO_EXIT);
	assert_non_null(w);
	assert_int_equal(w->pid, 300);
	assert_contains(w->message, "pid 300 (sleeper)");
	assert_contains(w->message, "killed by a signal");

	/* The open task is unfinished, with no end of its own. */
	assert_true(m->tasks[0].end_ns == COTRACE_TS_NONE);
	assert_true(m->tasks[0].cpu_ns == COTRACE_CPU_NONE);
	w = warning_of(m, COTRACE_WARN_TASK_UNFINISHED);
	assert_non_null(w);
	assert_int_equal(w->tid, 301);
	assert_contains(w->message, "Task 9 'work'");
	assert_contains(w->message, "helper (tid 301)");
}

/* Events of other streams arrive before the proc_start they follow. */
static void
test_out_of_order(void **state)
{
	struct cotrace_model *m = *state;
	const struct cotrace_thread *t;
	const struct cotrace_process *p;

	thread_start(m, T0 + 1 * MS, 100, 102, "worker-1");
	task_start(m, T0 + 2 * MS, 100, 102, 1, "sum", 0);
	task_finish(m, T0 + 4 * MS, 100, 102, 1, 2 * MS);
	proc_start(m, T0, 100, 1, -1, "/opt/lab/prog");
	thread_exit(m, T0 + 5 * MS, 100, 102, 3 * MS);
	proc_exit(m, T0 + 6 * MS, 100, 0, 4 * MS);
	assert_int_equal(cotrace_model_finish(m), 0);

	assert_int_equal(m->n_processes, 1);
	p = &m->processes[0];
	assert_true(p->start_seen);
	assert_int_equal(p->start_ns, T0);
	assert_string_equal(p->name, "prog");
	assert_int_equal(m->n_threads, 2);
	t = thread_of(m, 0, 102);
	assert_non_null(t);
	assert_string_equal(t->name, "worker-1");
	assert_true(t->start_seen && t->exit_seen);
	assert_int_equal(t->start_ns, T0 + 1 * MS);
	assert_int_equal(t->end_ns, T0 + 5 * MS);
	assert_int_equal(t->cpu_ns, 3 * MS);
	assert_int_equal(m->tasks[0].cpu_ns, 2 * MS);
	assert_int_equal(m->tasks[0].thread, (size_t)(t - m->threads));
	assert_int_equal(m->first_ns, T0);
	assert_int_equal(m->n_warnings, 0);
}

/* Events with no proc_start: the process starts at its first event. */
static void
test_process_no_start(void **state)
{
	struct cotrace_model *m = *state;
	const struct cotrace_process *p;

	task_start(m, T0 + 5, 400, 401, 1, "a", 0);
	task_finish(m, T0 + 9, 400, 401, 1, 3);
	thread_start(m, T0 + 3, 400, 401, NULL);
	assert_int_equal(cotrace_model_finish(m), 0);

	p = &m->processes[0];
	assert_false(p->start_seen);
	assert_false(p->exit_seen);
	assert_int_equal(p->start_ns, T0 + 3);
	assert_int_equal(p->end_ns, T0 + 9);
	/* Named from the procname context. */
	assert_string_equal(p->name, "demo");
	assert_int_equal(count_warnings(m, COTRACE_WARN_PROCESS_NO_START), 1);
	assert_int_equal(count_warnings(m, COTRACE_WARN_PROCESS_NO_EXIT), 0);
	assert_contains(warning_of(m, COTRACE_WARN_PROCESS_NO_START)->message,
			"nor its exit");
}

static void
test_tls_isolated(void **state)
{
	struct cotrace_model *m = *state;
	char value[16];
	int64_t tid;

	proc_start(m, T0, 100, 1, -1, "/bin/tls");
	for (tid = 101; tid <= 104; tid++) {
		thread_start(m, T0 + tid, 100, tid, "t");
		snprintf(value, sizeof(value), "v%d", (int)tid);
		/* Same key, one address per thread: each has its own slot. */
		tls(m, COTRACE_EVENT_TLS_WRITE, T0 + 1000 + tid, 100, tid,
				"counter", value, SLOT(tid));
		tls(m, COTRACE_EVENT_TLS_READ, T0 + 2000 + tid, 100, tid,
				"counter", value, SLOT(tid));
	}
	proc_exit(m, T0 + 10000, 100, 0, 1);
	assert_int_equal(cotrace_model_finish(m), 0);

	assert_int_equal(m->n_warnings, 0);
	for (tid = 101; tid <= 104; tid++) {
		const struct cotrace_thread *t = thread_of(m, 0, tid);

		assert_non_null(t);
		assert_int_equal(t->n_tls, 2);
		assert_string_equal(t->tls[0].key, "counter");
		assert_false(t->tls[0].is_read);
		assert_true(t->tls[1].is_read);
		assert_int_equal(t->tls[0].addr, SLOT(tid));
	}
	assert_string_equal(thread_of(m, 0, 103)->tls[0].value, "v103");
}

static void
test_tls_shared_slot(void **state)
{
	struct cotrace_model *m = *state;
	const struct cotrace_warning *w;
	int i;

	proc_start(m, T0, 100, 1, -1, "/bin/tls");
	thread_start(m, T0 + 1, 100, 101, "alpha");
	thread_start(m, T0 + 2, 100, 102, "beta");
	for (i = 0; i < 5; i++) {
		tls(m, COTRACE_EVENT_TLS_WRITE, T0 + 10 + i, 100, 101, "x",
				"1", 0x5000);
		tls(m, COTRACE_EVENT_TLS_WRITE, T0 + 20 + i, 100, 102, "x",
				"2", 0x5000);
	}
	/* Another process may use the same address: not shared. */
	proc_start(m, T0 + 30, 500, 1, -1, "/bin/tls");
	tls(m, COTRACE_EVENT_TLS_WRITE, T0 + 31, 500, 500, "x", "3", 0x5000);
	assert_int_equal(cotrace_model_finish(m), 0);

	/* Once per slot, however often they write it. */
	assert_int_equal(count_warnings(m, COTRACE_WARN_TLS_SHARED_SLOT), 1);
	w = warning_of(m, COTRACE_WARN_TLS_SHARED_SLOT);
	assert_int_equal(w->pid, 100);
	assert_int_equal(w->tid, 102);
	assert_contains(w->message, "alpha (tid 101)");
	assert_contains(w->message, "beta (tid 102)");
	assert_contains(w->message, "'x'");
	assert_contains(w->message, "0x5000");
	assert_int_equal(count_warnings(m, COTRACE_WARN_TLS_VALUE_CHANGED), 0);
}

static void
test_tls_value_changed(void **state)
{
	struct cotrace_model *m = *state;
	const struct cotrace_warning *w;

	proc_start(m, T0, 100, 1, -1, "/bin/tls");
	thread_start(m, T0 + 1, 100, 101, "alpha");
	tls(m, COTRACE_EVENT_TLS_WRITE, T0 + 2, 100, 101, "x", "1", 0x5000);
	tls(m, COTRACE_EVENT_TLS_READ, T0 + 3, 100, 101, "x", "1", 0x5000);
	tls(m, COTRACE_EVENT_TLS_WRITE, T0 + 4, 100, 101, "x", "2", 0x5000);
	tls(m, COTRACE_EVENT_TLS_READ, T0 + 5, 100, 101, "x", "9", 0x5000);
	tls(m, COTRACE_EVENT_TLS_READ, T0 + 6, 100, 101, "x", "8", 0x5000);
	/* A read of a key never written tells nothing. */
	tls(m, COTRACE_EVENT_TLS_READ, T0 + 7, 100, 101, "y", "0", 0x6000);
	assert_int_equal(cotrace_model_finish(m), 0);

	assert_int_equal(count_warnings(m, COTRACE_WARN_TLS_VALUE_CHANGED), 1);
	w = warning_of(m, COTRACE_WARN_TLS_VALUE_CHANGED);
	assert_int_equal(w->tid, 101);
	assert_int_equal(w->ts_ns, T0 + 5);
	assert_contains(w->message, "alpha (tid 101)");
	assert_contains(w->message, "'9'");
	assert_contains(w->message, "last wrote '2'");
	assert_int_equal(thread_of(m, 0, 101)->n_tls, 6);
}

static void
test_fork_with_threads_names(void **state)
{
	struct cotrace_model *m = *state;
	const struct cotrace_warning *w;
	static const int64_t tids[] = { 102, 103 };

	proc_start(m, T0, 100, 1, -1, "/bin/ft");
	thread_start(m, T0 + 1, 100, 102, "helper-1");
	thread_start(m, T0 + 2, 100, 103, "helper-2");
	fork_ev(m, T0 + 10, 100, 101, 3, tids, 2, "helper-1:102,helper-2:103");
	proc_start(m, T0 + 11, 101, 100, 0, "/bin/ft");
	assert_int_equal(cotrace_model_finish(m), 0);

	w = warning_of(m, COTRACE_WARN_FORK_WITH_THREADS);
	assert_non_null(w);
	assert_int_equal(w->pid, 100);
	assert_contains(w->message,
			"pid 100 (ft) forked pid 101 at 0.000 s while 2 "
			"other threads were alive: helper-1 (tid 102), "
			"helper-2 (tid 103); the child has a copy of only "
			"the forking thread");
	assert_int_equal(m->forks[0].threads_alive, 3);
	assert_int_equal(m->forks[0].n_alive_tids, 2);
	assert_int_equal(m->forks[0].alive_tids[1], 103);
	assert_string_equal(m->forks[0].alive_names,
			"helper-1:102,helper-2:103");
}

/* Without alive_names, the model's own thread names are used. */
static void
test_fork_with_threads_tids(void **state)
{
	struct cotrace_model *m = *state;
	static const int64_t tids[] = { 102, 103, 104 };

	proc_start(m, T0, 100, 1, -1, "/bin/ft");
	thread_start(m, T0 + 1, 100, 102, "helper-1");
	thread_start(m, T0 + 2, 100, 103, "helper-2");
	fork_ev(m, T0 + 10, 100, 101, 4, tids, 3, NULL);
	proc_start(m, T0 + 11, 101, 100, 0, "/bin/ft");
	assert_int_equal(cotrace_model_finish(m), 0);

	assert_contains(warning_of(m, COTRACE_WARN_FORK_WITH_THREADS)->message,
			"3 other threads were alive: helper-1 (tid 102), "
			"helper-2 (tid 103), tid 104;");
}

/* alive_names in the forms libcotrace might use, parsed alike. */
static void
test_alive_names_formats(void **state)
{
	static const char *const forms[] = {
		"helper-1 (tid 102), helper-2 (tid 103)",
		"helper-1:102,helper-2:103",
		"102:helper-1, 103:helper-2",
		"helper-1/102, helper-2/103",
		"helper-1(102),helper-2(103)",
		"helper-1 102,helper-2 103",
	};
	static const int64_t tids[] = { 102, 103 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		struct cotrace_model *m = cotrace_model_create();

		assert_non_null(m);
		proc_start(m, T0, 100, 1, -1, "/bin/ft");
		fork_ev(m, T0 + 10, 100, 101, 3, NULL, 0, forms[i]);
		assert_int_equal(cotrace_model_finish(m), 0);
		assert_contains(warning_of(m,
				COTRACE_WARN_FORK_WITH_THREADS)->message,
				": helper-1 (tid 102), helper-2 (tid 103);");
		cotrace_model_destroy(m);
	}
	/* libcotrace's own format, cut short, with a comma in a comm. */
	{
		struct cotrace_model *m = cotrace_model_create();

		assert_non_null(m);
		proc_start(m, T0, 100, 1, -1, "/bin/ft");
		fork_ev(m, T0 + 10, 100, 101, 70, tids, 2,
				"a,b(102),helper-2(103),...");
		assert_int_equal(cotrace_model_finish(m), 0);
		assert_contains(warning_of(m,
				COTRACE_WARN_FORK_WITH_THREADS)->message,
				"while 69 other threads were alive: a,b (tid "
				"102), helper-2 (tid 103) and 67 more;");
		cotrace_model_destroy(m);
	}
	/* The full thread_start name beats the 15-byte comm. */
	{
		struct cotrace_model *m = cotrace_model_create();

		assert_non_null(m);
		proc_start(m, T0, 100, 1, -1, "/bin/ft");
		thread_start(m, T0 + 1, 100, 102, "helper-with-a-long-name");
		fork_ev(m, T0 + 10, 100, 101, 2, tids, 1,
				"helper-with-a-l(102)");
		assert_int_equal(cotrace_model_finish(m), 0);
		assert_contains(warning_of(m,
				COTRACE_WARN_FORK_WITH_THREADS)->message,
				"while 1 other thread was alive: "
				"helper-with-a-long-name (tid 102);");
		cotrace_model_destroy(m);
	}
	/* Bare names take their tids from alive_tids, by position. */
	{
		struct cotrace_model *m = cotrace_model_create();

		assert_non_null(m);
		proc_start(m, T0, 100, 1, -1, "/bin/ft");
		fork_ev(m, T0 + 10, 100, 101, 3, tids, 2, "helper-1,helper-2");
		assert_int_equal(cotrace_model_finish(m), 0);
		assert_contains(warning_of(m,
				COTRACE_WARN_FORK_WITH_THREADS)->message,
				": helper-1 (tid 102), helper-2 (tid 103);");
		cotrace_model_destroy(m);
	}
}

static void
test_fork_child_missing(void **state)
{
	struct cotrace_model *m = *state;
	const struct cotrace_warning *w;

	proc_start(m, T0, 100, 1, -1, "/bin/p");
	fork_ev(m, T0 + 10, 100, 101, 1, NULL, 0, NULL);
	/* fork() failed: -1 in the parent, no child to miss. */
	fork_ev(m, T0 + 11, 100, -1, 1, NULL, 0, NULL);
	proc_exit(m, T0 + 20, 100, 0, 1);
	assert_int_equal(cotrace_model_finish(m), 0);

	assert_int_equal(m->forks[0].child, SIZE_MAX);
	assert_int_equal(m->forks[0].child_ret, -1);
	assert_int_equal(m->forks[0].parent_ret, 101);
	assert_int_equal(count_warnings(m, COTRACE_WARN_FORK_CHILD_MISSING), 1);
	w = warning_of(m, COTRACE_WARN_FORK_CHILD_MISSING);
	assert_int_equal(w->pid, 101);
	assert_contains(w->message, "events may have been lost");
	assert_contains(w->message, "did not trace");
}

/* A proc_start's ppid links to its parent even without a fork event. */
static void
test_parent_from_ppid(void **state)
{
	struct cotrace_model *m = *state;
	size_t a, b, c;

	proc_start(m, T0, 100, 1, -1, "/bin/sh");
	proc_start(m, T0 + 10, 101, 100, -1, "/bin/prog");
	/* exec: pid 101 starts again, a new process of the same parent. */
	proc_start(m, T0 + 20, 101, 100, -1, "/bin/other");
	assert_int_equal(cotrace_model_finish(m), 0);

	a = proc_of(m, 100, 0);
	b = proc_of(m, 101, 0);
	c = proc_of(m, 101, 1);
	assert_int_equal(m->processes[b].parent, a);
	assert_int_equal(m->processes[c].parent, a);
	assert_string_equal(m->processes[c].name, "other");
	assert_int_equal(count_warnings(m, COTRACE_WARN_PID_REUSED), 1);
	/* None exited; the first exec'd without cotrace_proc_exit(). */
	assert_int_equal(count_warnings(m, COTRACE_WARN_PROCESS_NO_EXIT), 3);
}

/* Garbage ppids that point at each other must not make a loop. */
static void
test_parent_cycle(void **state)
{
	struct cotrace_model *m = *state;
	size_t i;

	proc_start(m, T0, 1, 2, -1, "a");
	proc_start(m, T0, 2, 1, -1, "b");
	proc_start(m, T0 + 1, 3, 3, 0, "c");
	fork_ev(m, T0 + 2, 3, 3, 1, NULL, 0, NULL);
	fork_ev(m, T0 + 3, 2, 1, 1, NULL, 0, NULL);
	fork_ev(m, T0 + 4, 1, 2, 1, NULL, 0, NULL);
	assert_int_equal(cotrace_model_finish(m), 0);

	for (i = 0; i < m->n_processes; i++) {
		size_t p = m->processes[i].parent;
		size_t steps = 0;

		while (p != SIZE_MAX) {
			assert_true(p != i);
			assert_true(++steps <= m->n_processes);
			p = m->processes[p].parent;
		}
	}
}

static void
test_lost_and_damaged(void **state)
{
	struct cotrace_model *m = *state;
	const struct cotrace_warning *w;

	proc_start(m, T0, 100, 1, -1, "/bin/p");
	proc_exit(m, T0 + 2000 * MS, 100, 0, 1);
	assert_int_equal(cotrace_model_add_lost(m, 5, T0 + 100 * MS,
			T0 + 200 * MS), 0);
	/* Reversed bounds are put right. */
	assert_int_equal(cotrace_model_add_lost(m, 3, T0 + 900 * MS,
			T0 + 500 * MS), 0);
	assert_int_equal(cotrace_model_mark_damaged(m, "truncated packet"), 0);
	assert_int_equal(cotrace_model_add_path(m, "/tmp/trace"), 0);
	assert_int_equal(cotrace_model_add_path(m, "/tmp/trace"), 0);
	assert_int_equal(cotrace_model_finish(m), 0);

	assert_int_equal(m->lost_events, 8);
	assert_int_equal(m->n_lost, 2);
	assert_int_equal(m->lost[1].begin_ns, T0 + 500 * MS);
	assert_int_equal(count_warnings(m, COTRACE_WARN_EVENTS_LOST), 1);
	w = warning_of(m, COTRACE_WARN_EVENTS_LOST);
	assert_int_equal(w->ts_ns, T0 + 100 * MS);
	assert_contains(w->message, "discarded 8 events between 0.100 s and "
			"0.900 s");
	w = warning_of(m, COTRACE_WARN_TRACE_DAMAGED);
	assert_non_null(w);
	assert_contains(w->message, "truncated packet");
	assert_int_equal(m->n_paths, 1);
	assert_string_equal(m->paths[0], "/tmp/trace");
}

static void
test_lost_unknown_count(void **state)
{
	struct cotrace_model *m = *state;

	assert_int_equal(cotrace_model_add_lost(m, 0, COTRACE_TS_NONE,
			COTRACE_TS_NONE), 0);
	assert_int_equal(cotrace_model_mark_damaged(m, NULL), 0);
	assert_int_equal(cotrace_model_finish(m), 0);
	assert_contains(warning_of(m, COTRACE_WARN_EVENTS_LOST)->message,
			"did not say how many");
	assert_contains(warning_of(m, COTRACE_WARN_TRACE_DAMAGED)->message,
			"no reason given");
}

/* One pid on two hosts: two machines, not pid reuse. */
static void
test_hosts(void **state)
{
	struct cotrace_model *m = *state;
	struct cotrace_event e = base(COTRACE_EVENT_PROC_START, T0, 100, 100);

	e.host = "alpha";
	e.name = "/bin/a";
	add(m, &e);
	e.host = "beta";
	e.name = "/bin/b";
	add(m, &e);
	assert_int_equal(cotrace_model_finish(m), 0);

	assert_int_equal(m->n_processes, 2);
	assert_string_equal(m->processes[0].host, "alpha");
	assert_string_equal(m->processes[1].host, "beta");
	assert_int_equal(count_warnings(m, COTRACE_WARN_PID_REUSED), 0);
}

/* An exit before its start (garbage order) still names one process. */
static void
test_exit_before_start(void **state)
{
	struct cotrace_model *m = *state;
	const struct cotrace_process *p;

	proc_exit(m, T0 + 10, 100, 0, 7);
	proc_start(m, T0 + 5, 100, 1, -1, "/bin/p");
	assert_int_equal(cotrace_model_finish(m), 0);

	assert_int_equal(m->n_processes, 1);
	p = &m->processes[0];
	assert_true(p->start_seen && p->exit_seen);
	assert_int_equal(p->start_ns, T0 + 5);
	assert_int_equal(p->end_ns, T0 + 10);
	assert_int_equal(m->n_warnings, 0);
}

static void
test_unfinished_cap(void **state)
{
	struct cotrace_model *m = *state;
	uint64_t id;

	proc_start(m, T0, 100, 1, -1, "/bin/p");
	for (id = 0; id < 40; id++) {
		task_start(m, T0 + 1 + (int64_t)id, 100, 100, id, "t", 0);
	}
	assert_int_equal(cotrace_model_finish(m), 0);
	/* 16 named, one summary for the other 24. */
	assert_int_equal(count_warnings(m, COTRACE_WARN_TASK_UNFINISHED), 17);
	assert_contains(m->warnings[m->n_warnings - 1].message,
			"24 more tasks");
}

/* An event with no time is placed at the latest time seen. */
static void
test_no_timestamp(void **state)
{
	struct cotrace_model *m = *state;
	struct cotrace_event e;

	proc_start(m, T0, 100, 1, -1, "/bin/p");
	e = base(COTRACE_EVENT_THREAD_START, COTRACE_TS_NONE, 100, 101);
	e.name = "late";
	add(m, &e);
	assert_int_equal(cotrace_model_finish(m), 0);

	assert_int_equal(m->first_ns, T0);
	assert_int_equal(m->last_ns, T0);
	assert_int_equal(thread_of(m, 0, 101)->start_ns, T0);
	assert_string_equal(thread_of(m, 0, 101)->name, "late");
}

/* Every field left NULL, absurd or out of range: nothing may crash. */
static void
test_garbage(void **state)
{
	struct cotrace_model *m = *state;
	struct cotrace_metrics metrics;
	struct cotrace_event e;
	static const int64_t tids[] = { -5, 0, INT64_MAX };
	static const int64_t times[] = {
		INT64_MIN, INT64_MIN + 1, -1, 0, 1, INT64_MAX,
	};
	static const char *const names[] = {
		"", ",", ",,,", " , (tid ) ,:", "99999999999999999999999:x",
		"x:99999999999999999999999", "(tid 5)", "a (tid 5), b", NULL,
	};
	size_t i, j;

	assert_int_equal(cotrace_model_add_event(NULL, NULL), -EINVAL);
	assert_int_equal(cotrace_model_add_event(m, NULL), -EINVAL);
	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		for (j = 0; j <= COTRACE_EVENT_TLS_READ + 1; j++) {
			memset(&e, 0, sizeof(e));
			e.type = (enum cotrace_event_type)j;
			e.ts_ns = times[i];
			e.pid = (int64_t)(i % 3) - 1;
			e.tid = (int64_t)(j % 2);
			e.ppid = e.pid + 1;
			e.fork_ret = (int64_t)j;
			e.child_pid = (int64_t)(j % 3) - 1;
			e.threads_alive = (int64_t)j - 3;
			e.alive_tids = i % 2 ? tids : NULL;
			e.n_alive_tids = i % 2 ? 3 : SIZE_MAX;
			e.alive_names = names[(i + j) % 9];
			e.cpu_ns = i % 2 ? COTRACE_CPU_NONE : (uint64_t)j;
			e.status = -(int64_t)i;
			e.task_id = j % 2;
			add(m, &e);
		}
	}
	assert_int_equal(cotrace_model_add_lost(m, UINT64_MAX, INT64_MAX,
			INT64_MIN), 0);
	assert_int_equal(cotrace_model_add_lost(m, 7, 0, 0), 0);
	assert_true(m->lost_events == UINT64_MAX);
	assert_int_equal(cotrace_model_finish(m), 0);
	for (i = 0; i < m->n_warnings; i++) {
		assert_non_null(m->warnings[i].message);
		assert_true(strlen(m->warnings[i].message) > 0);
	}
	for (i = 0; i < m->n_processes; i++) {
		assert_non_null(m->processes[i].name);
	}
	/* Adding after finish is still safe. */
	add(m, &e);
	assert_int_equal(cotrace_metrics_compute(m, &metrics), 0);
	assert_non_null(metrics.profile_ns);
	cotrace_metrics_release(&metrics);
	cotrace_metrics_release(&metrics);
}

/* Random streams over few pids and tids, with invariants checked. */
static void
test_random_streams(void **state)
{
	struct cotrace_model *m = *state;
	struct cotrace_metrics metrics;
	static const char *const strs[] = { "a", "b", NULL, "", "k" };
	uint64_t seed = 42;
	size_t i, k;
	int64_t sum = 0;

	for (i = 0; i < 200000; i++) {
		struct cotrace_event e;
		uint64_t r;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		r = seed >> 16;
		memset(&e, 0, sizeof(e));
		e.type = (enum cotrace_event_type)(r % 9);
		e.ts_ns = (int64_t)(i * 10) - (int64_t)((r >> 8) % 50);
		e.pid = 100 + (int64_t)((r >> 12) % 6);
		e.tid = e.pid;
		if ((r >> 16) % 3 == 0) {
			e.tid += 1 + (int64_t)((r >> 18) % 3);
		}
		e.ppid = 100 + (int64_t)((r >> 20) % 6);
		e.fork_ret = (r >> 23) % 2 ? 0 : -1;
		e.child_pid = 100 + (int64_t)((r >> 24) % 6);
		e.threads_alive = (int64_t)((r >> 27) % 3);
		e.name = strs[(r >> 29) % 5];
		e.procname = strs[(r >> 32) % 5];
		e.key = strs[(r >> 35) % 5];
		e.value = strs[(r >> 38) % 5];
		e.addr = (r >> 41) % 4;
		e.task_id = (r >> 43) % 4;
		e.cpu_ns = (r >> 45) % 1000;
		e.status = (int64_t)((r >> 46) % 2);
		add(m, &e);
	}
	assert_int_equal(cotrace_model_finish(m), 0);
	assert_int_equal(m->cotrace_events, 200000);
	for (i = 0; i < m->n_forks; i++) {
		const struct cotrace_fork *f = &m->forks[i];

		if (f->child != SIZE_MAX) {
			assert_int_equal(m->processes[f->child].pid,
					f->child_pid);
		}
	}
	for (i = 0; i < m->n_threads; i++) {
		assert_true(m->threads[i].process < m->n_processes);
		assert_non_null(m->threads[i].name);
	}
	assert_int_equal(cotrace_metrics_compute(m, &metrics), 0);
	for (k = 0; k <= metrics.max_concurrency; k++) {
		assert_true(metrics.profile_ns[k] >= 0);
		sum += metrics.profile_ns[k];
	}
	assert_int_equal(sum, metrics.span_ns);
	cotrace_metrics_release(&metrics);
}

/* ------------------------------------------------------------------ */
/* libcotrace-preload.so's events: exec, vfork, spawn, thread names,     */
/* deaths by signal.                                                     */

static void
exec_ev(struct cotrace_model *m, int64_t ts, int64_t pid, int64_t tid,
		const char *path, const char *exe)
{
	struct cotrace_event e = base(COTRACE_EVENT_EXEC, ts, pid, tid);

	e.path = path;
	e.name = exe;
	add(m, &e);
}

static void
exec_failed_ev(struct cotrace_model *m, int64_t ts, int64_t pid,
		const char *path, int64_t error)
{
	struct cotrace_event e = base(COTRACE_EVENT_EXEC_FAILED, ts, pid, pid);

	e.path = path;
	e.error = error;
	add(m, &e);
}

static void
fatal_ev(struct cotrace_model *m, int64_t ts, int64_t pid, int64_t tid,
		int64_t signo, uint64_t cpu)
{
	struct cotrace_event e = base(COTRACE_EVENT_FATAL_SIGNAL, ts, pid, tid);

	e.signal = signo;
	e.cpu_ns = cpu;
	add(m, &e);
}

/*
 * exec keeps the process: one process per pid, renamed, its start, parent,
 * fork_ret and CPU clock kept; the new image's proc_start is no pid reuse.
 */
static void
test_exec_keeps_identity(void **state)
{
	struct cotrace_model *m = *state;
	const struct cotrace_process *p;
	const struct cotrace_fork *f;

	proc_start(m, T0, 100, 1, -1, "/bin/sh");
	fork_ev(m, T0 + 1 * MS, 100, 101, 1, NULL, 0, "");
	proc_start(m, T0 + 2 * MS, 101, 100, 0, "/bin/sh");
	exec_ev(m, T0 + 3 * MS, 101, 101, "/usr/bin/ls", "ls");
	/* The new image's constructor: fork_ret -1, it was not forked. */
	proc_start(m, T0 + 5 * MS, 101, 100, -1, "ls");
	proc_exit(m, T0 + 9 * MS, 101, 2, 7 * MS);
	proc_exit(m, T0 + 10 * MS, 100, 0, 3 * MS);
	assert_int_equal(cotrace_model_finish(m), 0);

	assert_int_equal(m->n_processes, 2);
	assert_int_equal(count_warnings(m, COTRACE_WARN_PID_REUSED), 0);
	p = &m->processes[proc_of(m, 101, 0)];
	assert_string_equal(p->name, "ls");
	assert_true(p->start_ns == T0 + 2 * MS);
	assert_true(p->end_ns == T0 + 9 * MS);
	assert_int_equal(p->fork_ret, 0);
	assert_int_equal(p->ppid, 100);
	assert_int_equal(p->n_execs, 1);
	assert_true(p->exec_ns == T0 + 3 * MS);
	assert_int_equal(p->exit_status, 2);
	assert_true(p->start_seen && p->exit_seen);
	/* CPU from the first image's start: the clock goes on across exec. */
	assert_int_equal(cotrace_process_cpu_ns(p), 7 * MS - 1000);
	assert_int_equal(m->n_forks, 1);
	f = &m->forks[0];
	assert_int_equal(f->child, proc_of(m, 101, 0));
	assert_int_equal(f->child_ret, 0);
	assert_int_equal(p->parent, proc_of(m, 100, 0));
	/* Exited 2: the child is warned about, under its new name. */
	assert_int_equal(count_warnings(m, COTRACE_WARN_CHILD_ABNORMAL), 1);
	assert_contains(warning_of(m, COTRACE_WARN_CHILD_ABNORMAL)->message,
			"pid 101 (ls)");
}

/* Without an exec, a second proc_start under a pid is still pid reuse. */
static void
test_exec_then_reuse(void **state)
{
	struct cotrace_model *m = *state;

	proc_start(m, T0, 100, 1, -1, "/bin/a");
	exec_ev(m, T0 + 1 * MS, 100, 100, "/bin/b", "b");
	proc_start(m, T0 + 2 * MS, 100, 1, -1, "b");
	proc_exit(m, T0 + 3 * MS, 100, 0, 2 * MS);
	/* A new process under the same pid, later: reuse. */
	proc_start(m, T0 + 10 * MS, 100, 1, -1, "/bin/c");
	proc_exit(m, T0 + 11 * MS, 100, 0, 2 * MS);
	assert_int_equal(cotrace_model_finish(m), 0);

	assert_int_equal(m->n_processes, 2);
	assert_string_equal(m->processes[proc_of(m, 100, 0)].name, "b");
	assert_string_equal(m->processes[proc_of(m, 100, 1)].name, "c");
	assert_int_equal(count_warnings(m, COTRACE_WARN_PID_REUSED), 1);
}

/*
 * A failed exec restores the name; an exec into an image that is not
 * traced (no proc_start after it) ends the traced part without warning;
 * exec from a thread other than main is the process's.
 */
static void
test_exec_failed_and_untraced(void **state)
{
	struct cotrace_model *m = *state;
	const struct cotrace_process *p;

	proc_start(m, T0, 100, 1, -1, "/bin/prog");
	exec_ev(m, T0 + 1 * MS, 100, 100, "/nonexistent", "nothing");
	exec_failed_ev(m, T0 + 2 * MS, 100, "/nonexistent", 2);
	proc_exit(m, T0 + 3 * MS, 100, 0, 2 * MS);

	proc_start(m, T0 + 4 * MS, 200, 1, -1, "/bin/prog");
	thread_start(m, T0 + 5 * MS, 200, 201, "worker");
	exec_ev(m, T0 + 6 * MS, 200, 201, "/bin/static-tool", "static-tool");
	assert_int_equal(cotrace_model_finish(m), 0);

	p = &m->processes[proc_of(m, 100, 0)];
	assert_string_equal(p->name, "prog");
	assert_int_equal(p->n_execs, 0);
	assert_true(p->exec_ns == COTRACE_TS_NONE);
	p = &m->processes[proc_of(m, 200, 0)];
	assert_string_equal(p->name, "static-tool");
	assert_int_equal(p->n_execs, 1);
	assert_false(p->exit_seen);
	assert_int_equal(count_warnings(m, COTRACE_WARN_PROCESS_NO_EXIT), 0);
	assert_int_equal(m->n_processes, 2);
}

/* A fork made by a thread other than main, and a vfork (no hazard). */
static void
test_fork_from_thread_and_vfork(void **state)
{
	struct cotrace_model *m = *state;
	static const int64_t tids[] = {100};
	struct cotrace_event e;

	proc_start(m, T0, 100, 1, -1, "/bin/prog");
	thread_start(m, T0 + 1 * MS, 100, 102, "forker");
	/* The forking thread is 102: the main thread is the one alive. */
	e = base(COTRACE_EVENT_FORK, T0 + 2 * MS, 100, 102);
	e.child_pid = 103;
	e.threads_alive = 2;
	e.alive_tids = tids;
	e.n_alive_tids = 1;
	e.alive_names = "prog(100)";
	add(m, &e);
	/* The child's only thread is its main one, a copy of 102. */
	e = base(COTRACE_EVENT_PROC_START, T0 + 3 * MS, 103, 103);
	e.ppid = 100;
	e.fork_ret = 0;
	e.name = "/bin/prog";
	e.pthread_id = 0x7f0000000000ULL + 102;
	add(m, &e);
	proc_exit(m, T0 + 4 * MS, 103, 0, 1 * MS);
	/* The same from main, as a vfork with the forker alive. */
	e = base(COTRACE_EVENT_VFORK, T0 + 5 * MS, 100, 100);
	e.child_pid = 104;
	e.threads_alive = 2;
	e.alive_names = "forker(102)";
	add(m, &e);
	proc_start(m, T0 + 6 * MS, 104, 100, 0, "/bin/prog");
	exec_ev(m, T0 + 7 * MS, 104, 104, "/bin/true", "true");
	proc_start(m, T0 + 8 * MS, 104, 100, -1, "true");
	proc_exit(m, T0 + 9 * MS, 104, 0, 1 * MS);
	proc_exit(m, T0 + 10 * MS, 100, 0, 1 * MS);
	assert_int_equal(cotrace_model_finish(m), 0);

	assert_int_equal(m->n_forks, 2);
	assert_int_equal(m->forks[0].child, proc_of(m, 103, 0));
	assert_int_equal(m->forks[0].child_ret, 0);
	assert_false(m->forks[0].vfork);
	assert_int_equal(m->forks[1].child, proc_of(m, 104, 0));
	assert_true(m->forks[1].vfork);
	assert_int_equal(m->processes[proc_of(m, 103, 0)].parent,
			proc_of(m, 100, 0));
	/* Only the fork warns: a vfork child could only exec or _exit. */
	assert_int_equal(count_warnings(m, COTRACE_WARN_FORK_WITH_THREADS), 1);
	assert_int_equal(warning_of(m, COTRACE_WARN_FORK_WITH_THREADS)->ts_ns,
			T0 + 2 * MS);
	assert_contains(warning_of(m, COTRACE_WARN_FORK_WITH_THREADS)->message,
			"prog (tid 100)");
	assert_string_equal(m->processes[proc_of(m, 104, 0)].name, "true");
	assert_int_equal(m->n_warnings, 1);
}

/* posix_spawn: the child under its parent; a failed or untraced one. */
static void
test_spawn(void **state)
{
	struct cotrace_model *m = *state;
	const struct cotrace_spawn *sp;
	struct cotrace_event e;

	proc_start(m, T0, 100, 1, -1, "/bin/prog");
	/* The child's image may start before the parent's spawn event. */
	proc_start(m, T0 + 1 * MS, 101, 100, -1, "spawned");
	e = base(COTRACE_EVENT_SPAWN, T0 + 2 * MS, 100, 100);
	e.child_pid = 101;
	e.ret = 0;
	e.path = "/bin/spawned";
	e.name = "spawned";
	add(m, &e);
	add(m, &e); /* a duplicated stream */
	proc_exit(m, T0 + 3 * MS, 101, 4, 1 * MS);
	e = base(COTRACE_EVENT_SPAWN, T0 + 4 * MS, 100, 100);
	e.child_pid = -1;
	e.ret = 2; /* ENOENT */
	e.path = "/nonexistent";
	e.name = "nothing";
	add(m, &e);
	e = base(COTRACE_EVENT_SPAWN, T0 + 5 * MS, 100, 100);
	e.child_pid = 105;
	e.ret = 0;
	e.path = "/bin/static";
	e.name = "static";
	add(m, &e);
	proc_exit(m, T0 + 9 * MS, 100, 0, 1 * MS);
	assert_int_equal(cotrace_model_finish(m), 0);

	assert_int_equal(m->n_spawns, 3);
	sp = &m->spawns[0];
	assert_int_equal(sp->child, proc_of(m, 101, 0));
	assert_int_equal(sp->parent, proc_of(m, 100, 0));
	assert_int_equal(sp->ret, 0);
	assert_string_equal(sp->path, "/bin/spawned");
	assert_int_equal(m->processes[proc_of(m, 101, 0)].parent,
			proc_of(m, 100, 0));
	assert_int_equal(m->spawns[1].child_pid, -1);
	assert_int_equal(m->spawns[1].ret, 2);
	assert_int_equal(m->spawns[1].child, SIZE_MAX);
	assert_int_equal(m->spawns[2].child, SIZE_MAX);
	assert_int_equal(count_warnings(m, COTRACE_WARN_CHILD_ABNORMAL), 1);
	assert_contains(warning_of(m, COTRACE_WARN_CHILD_ABNORMAL)->message,
			"spawned by pid 100");
	assert_int_equal(count_warnings(m, COTRACE_WARN_FORK_CHILD_MISSING), 1);
	assert_contains(warning_of(m, COTRACE_WARN_FORK_CHILD_MISSING)->message,
			"spawned pid 105 (static)");
	assert_int_equal(m->n_forks, 0);
}

/* pthread_setname_np: one's own name at once, another's once known. */
static void
test_thread_names(void **state)
{
	struct cotrace_model *m = *state;
	struct cotrace_event e;

	proc_start(m, T0, 100, 1, -1, "/bin/prog");
	/* main renames thread 101 before 101 emitted anything. */
	e = base(COTRACE_EVENT_THREAD_NAME, T0 + 1 * MS, 100, 100);
	e.thread = 0x7f0000000000ULL + 101;
	e.name = "renamed-101";
	add(m, &e);
	thread_start(m, T0 + 2 * MS, 100, 101, "prog");
	/* 102 renames itself. */
	thread_start(m, T0 + 3 * MS, 100, 102, "prog");
	e = base(COTRACE_EVENT_THREAD_NAME, T0 + 4 * MS, 100, 102);
	e.thread = e.pthread_id;
	e.name = "self-102";
	add(m, &e);
	/* A rename of a thread never seen changes nothing. */
	e = base(COTRACE_EVENT_THREAD_NAME, T0 + 5 * MS, 100, 100);
	e.thread = 0x1234;
	e.name = "ghost";
	add(m, &e);
	e.name = NULL;
	add(m, &e);
	proc_exit(m, T0 + 9 * MS, 100, 0, 1 * MS);
	assert_int_equal(cotrace_model_finish(m), 0);

	assert_string_equal(thread_of(m, 0, 101)->name, "renamed-101");
	assert_string_equal(thread_of(m, 0, 102)->name, "self-102");
	assert_string_equal(thread_of(m, 0, 100)->name, "prog");
	assert_int_equal(m->n_threads, 3);
}

/*
 * A death by signal ends the process (status 128 + N); a killed fork
 * child is warned about; a second end is ignored.
 */
static void
test_fatal_signal(void **state)
{
	struct cotrace_model *m = *state;
	const struct cotrace_process *p;

	proc_start(m, T0, 100, 1, -1, "/bin/prog");
	fork_ev(m, T0 + 1 * MS, 100, 101, 1, NULL, 0, "");
	proc_start(m, T0 + 2 * MS, 101, 100, 0, "/bin/prog");
	fatal_ev(m, T0 + 3 * MS, 101, 101, 15, 2 * MS);
	proc_exit(m, T0 + 4 * MS, 101, 0, 3 * MS); /* ignored */
	fatal_ev(m, T0 + 9 * MS, 100, 100, 6, 4 * MS);
	assert_int_equal(cotrace_model_finish(m), 0);

	p = &m->processes[proc_of(m, 101, 0)];
	assert_true(p->exit_seen);
	assert_int_equal(p->term_signal, 15);
	assert_int_equal(p->exit_status, 143);
	assert_true(p->end_ns == T0 + 3 * MS);
	assert_int_equal(p->cpu_ns, 2 * MS);
	p = &m->processes[proc_of(m, 100, 0)];
	assert_int_equal(p->term_signal, 6);
	assert_int_equal(p->exit_status, 134);
	assert_int_equal(count_warnings(m, COTRACE_WARN_CHILD_ABNORMAL), 1);
	assert_contains(warning_of(m, COTRACE_WARN_CHILD_ABNORMAL)->message,
			"killed by signal 15 (SIGTERM)");
	assert_int_equal(count_warnings(m, COTRACE_WARN_PROCESS_NO_EXIT), 0);
}

/* A slot written by a thread that had ended is reused, not shared. */
static void
test_tls_slot_reused(void **state)
{
	struct cotrace_model *m = *state;

	proc_start(m, T0, 100, 1, -1, "/bin/tls");
	thread_start(m, T0 + 1, 100, 101, "first");
	tls(m, COTRACE_EVENT_TLS_WRITE, T0 + 2, 100, 101, "x", "1", 0x5000);
	thread_exit(m, T0 + 3, 100, 101, 10);
	thread_start(m, T0 + 4, 100, 102, "second");
	tls(m, COTRACE_EVENT_TLS_WRITE, T0 + 5, 100, 102, "x", "2", 0x5000);
	/* While 102 lives, a third thread on its slot is sharing. */
	thread_start(m, T0 + 6, 100, 103, "third");
	tls(m, COTRACE_EVENT_TLS_WRITE, T0 + 7, 100, 103, "x", "3", 0x5000);
	assert_int_equal(cotrace_model_finish(m), 0);

	assert_int_equal(count_warnings(m, COTRACE_WARN_TLS_SHARED_SLOT), 1);
	assert_contains(warning_of(m, COTRACE_WARN_TLS_SHARED_SLOT)->message,
			"second (tid 102)");
}

/* The Python agent's logging records: counted, naming inherited threads. */
static void
test_python_logs(void **state)
{
	struct cotrace_model *m = *state;
	struct cotrace_event e;

	proc_start(m, T0, 100, 1, -1, "/usr/bin/python3");
	/* The preload named it after its creator: threadName is better. */
	thread_start(m, T0 + 1, 100, 101, "python3");
	e = base(COTRACE_EVENT_LOG, T0 + 2, 100, 101);
	e.procname = "python3";
	e.name = "worker-1";
	e.logger = "lecture";
	e.msg = "hello";
	e.loglevel = 30;
	add(m, &e);
	/* A thread named on purpose keeps its name. */
	thread_start(m, T0 + 3, 100, 102, "decoder");
	e = base(COTRACE_EVENT_LOG, T0 + 4, 100, 102);
	e.procname = "decoder";
	e.name = "Thread-2";
	add(m, &e);
	e.name = NULL;
	add(m, &e);
	proc_exit(m, T0 + 9, 100, 0, 1 * MS);
	assert_int_equal(cotrace_model_finish(m), 0);

	assert_string_equal(thread_of(m, 0, 101)->name, "worker-1");
	assert_string_equal(thread_of(m, 0, 102)->name, "decoder");
	assert_int_equal(thread_of(m, 0, 101)->n_logs, 1);
	assert_int_equal(thread_of(m, 0, 102)->n_logs, 2);
	assert_int_equal(m->processes[0].n_logs, 3);
	assert_int_equal(m->n_warnings, 0);
}

/*
 * The records kept: each process's first COTRACE_LOGS_KEPT_PER_PROCESS, in
 * order, with their thread, level, logger and message (cut at
 * COTRACE_LOG_MSG_MAX bytes, never inside a UTF-8 character); the rest
 * counted only.
 */
static void
test_python_logs_kept(void **state)
{
	struct cotrace_model *m = *state;
	struct cotrace_event e;
	char long_msg[COTRACE_LOG_MSG_MAX + 64];
	size_t n = COTRACE_LOGS_KEPT_PER_PROCESS + 5;

	proc_start(m, T0, 100, 1, -1, "/usr/bin/python3");
	proc_start(m, T0, 200, 1, -1, "/usr/bin/python3");
	for (size_t i = 0; i < n; i++) {
		char msg[32];

		snprintf(msg, sizeof(msg), "record %zu", i);
		e = base(COTRACE_EVENT_LOG, T0 + 1 + (int64_t)i, 100, 100);
		e.logger = "lecture";
		e.msg = msg;
		e.loglevel = 20;
		add(m, &e);
	}
	/* 'é' (2 bytes) across the cut. */
	memset(long_msg, 'a', sizeof(long_msg) - 1);
	long_msg[sizeof(long_msg) - 1] = '\0';
	long_msg[COTRACE_LOG_MSG_MAX - 1] = (char)0xc3;
	long_msg[COTRACE_LOG_MSG_MAX] = (char)0xa9;
	e = base(COTRACE_EVENT_LOG, T0 + 50, 200, 201);
	e.logger = NULL;
	e.msg = long_msg;
	e.loglevel = 40;
	add(m, &e);
	assert_int_equal(cotrace_model_finish(m), 0);

	assert_int_equal(m->processes[0].n_logs, n);
	assert_int_equal(m->processes[0].n_logs_kept,
			COTRACE_LOGS_KEPT_PER_PROCESS);
	assert_int_equal(m->processes[1].n_logs, 1);
	assert_int_equal(m->processes[1].n_logs_kept, 1);
	assert_int_equal(m->n_logs, COTRACE_LOGS_KEPT_PER_PROCESS + 1);
	for (size_t i = 0; i < COTRACE_LOGS_KEPT_PER_PROCESS; i++) {
		char msg[32];

		snprintf(msg, sizeof(msg), "record %zu", i);
		assert_string_equal(m->logs[i].msg, msg);
		assert_string_equal(m->logs[i].logger, "lecture");
		assert_int_equal(m->logs[i].level, 20);
		assert_int_equal(m->logs[i].ts_ns, T0 + 1 + (int64_t)i);
		assert_int_equal(m->logs[i].process, 0);
		assert_int_equal(m->threads[m->logs[i].thread].tid, 100);
		assert_false(m->logs[i].msg_truncated);
	}
	{
		const struct cotrace_log *l = &m->logs[m->n_logs - 1];

		assert_int_equal(m->processes[l->process].pid, 200);
		assert_int_equal(m->threads[l->thread].tid, 201);
		assert_string_equal(l->logger, "");
		assert_true(l->msg_truncated);
		assert_int_equal(strlen(l->msg), COTRACE_LOG_MSG_MAX - 1);
		assert_int_equal(l->level, 40);
	}
}

/*
 * A fork child in a new pid namespace: fork() returned 700 in the parent,
 * the child's events say pid 1 and ppid 0 (its parent is outside). The
 * fork event's child_vpid links them; without it the child is missing.
 */
static void
test_fork_child_other_pid_ns(void **state)
{
	struct cotrace_model *m = *state;
	struct cotrace_event e;

	proc_start(m, T0, 100, 1, -1, "unshare");
	e = base(COTRACE_EVENT_FORK, T0 + 1, 100, 100);
	e.child_pid = 700;
	e.child_vpid = 1;
	e.threads_alive = 1;
	add(m, &e);
	proc_start(m, T0 + 2, 1, 0, 0, "leaf");
	proc_exit(m, T0 + 3, 1, 0, 1 * MS);
	/* A process 700 of the parent's namespace is someone else. */
	proc_start(m, T0 + 4, 700, 100, -1, "other");
	proc_exit(m, T0 + 5, 700, 0, 1 * MS);
	proc_exit(m, T0 + 9, 100, 0, 1 * MS);
	assert_int_equal(cotrace_model_finish(m), 0);

	assert_int_equal(m->n_forks, 1);
	assert_int_equal(m->forks[0].parent_ret, 700);
	assert_int_equal(m->forks[0].child_ret, 0);
	assert_true(m->forks[0].child != SIZE_MAX);
	assert_int_equal(m->processes[m->forks[0].child].pid, 1);
	assert_int_equal(m->processes[m->forks[0].child].parent, 0);
	assert_null(warning_of(m, COTRACE_WARN_FORK_CHILD_MISSING));
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_empty),
		TEST(test_single_process),
		TEST(test_fork_tree),
		TEST(test_fork_child_first),
		TEST(test_fork_parent_without_start),
		TEST(test_pid_reuse),
		TEST(test_duplicate_events),
		TEST(test_process_no_exit),
		TEST(test_out_of_order),
		TEST(test_process_no_start),
		TEST(test_tls_isolated),
		TEST(test_tls_shared_slot),
		TEST(test_tls_value_changed),
		TEST(test_fork_with_threads_names),
		TEST(test_fork_with_threads_tids),
		cmocka_unit_test(test_alive_names_formats),
		TEST(test_fork_child_missing),
		TEST(test_parent_from_ppid),
		TEST(test_parent_cycle),
		TEST(test_lost_and_damaged),
		TEST(test_lost_unknown_count),
		TEST(test_hosts),
		TEST(test_exit_before_start),
		TEST(test_unfinished_cap),
		TEST(test_no_timestamp),
		TEST(test_garbage),
		TEST(test_random_streams),
		TEST(test_exec_keeps_identity),
		TEST(test_exec_then_reuse),
		TEST(test_exec_failed_and_untraced),
		TEST(test_fork_from_thread_and_vfork),
		TEST(test_spawn),
		TEST(test_thread_names),
		TEST(test_fatal_signal),
		TEST(test_tls_slot_reused),
		TEST(test_python_logs),
		TEST(test_python_logs_kept),
		TEST(test_fork_child_other_pid_ns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
