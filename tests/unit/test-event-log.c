/*
 * The event log (event-log.c): a snapshot is the model a direct feed
 * builds, whatever happens to the decoder's buffers after each event, and
 * the log can be snapshot again after more events.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "event-log.h"
#include "metrics.h"
#include "model.h"
#include "report.h"

#define T0 INT64_C(1700000000000000000)
#define MS INT64_C(1000000)

/* Where a decoder would keep its strings: overwritten after each event. */
struct scratch {
	char procname[32], name[32], key[16], value[16], names[32];
	int64_t tids[2];
};

struct feed {
	struct cotrace_model *direct;
	struct cotrace_event_log *log;
	struct scratch s;
};

static int
setup(void **state)
{
	struct feed *f = calloc(1, sizeof(*f));

	if (!f) {
		return -1;
	}
	f->direct = cotrace_model_create();
	f->log = cotrace_event_log_create();
	*state = f;
	return f->direct && f->log ? 0 : -1;
}

static int
teardown(void **state)
{
	struct feed *f = *state;

	cotrace_model_destroy(f->direct);
	cotrace_event_log_destroy(f->log);
	free(f);
	return 0;
}

static struct cotrace_event
base(struct feed *f, enum cotrace_event_type type, int64_t ts, int64_t pid,
		int64_t tid)
{
	struct cotrace_event e = {
			.type = type,
			.ts_ns = T0 + ts,
			.pid = pid,
			.tid = tid,
			.pthread_id = 0x7f0000000000u + (uint64_t)tid,
			.procname = f->s.procname,
			.fork_ret = -1,
			.cpu_ns = COTRACE_CPU_NONE,
	};

	snprintf(f->s.procname, sizeof(f->s.procname), "prog-%lld",
			(long long)pid);
	return e;
}

/* Feeds both, then scribbles over the scratch buffers. */
static void
feed(struct feed *f, const struct cotrace_event *e)
{
	assert_int_equal(cotrace_model_add_event(f->direct, e), 0);
	assert_int_equal(cotrace_event_log_add_event(f->log, e), 0);
	memset(&f->s, 'x', sizeof(f->s));
	f->s.procname[sizeof(f->s.procname) - 1] = '\0';
	f->s.name[sizeof(f->s.name) - 1] = '\0';
	f->s.key[sizeof(f->s.key) - 1] = '\0';
	f->s.value[sizeof(f->s.value) - 1] = '\0';
	f->s.names[sizeof(f->s.names) - 1] = '\0';
}

/* A parent with a thread forks a child that runs a task and a TLS write. */
static void
feed_run(struct feed *f, bool with_ends)
{
	struct cotrace_event e;

	e = base(f, COTRACE_EVENT_PROC_START, 0, 100, 100);
	snprintf(f->s.name, sizeof(f->s.name), "/bin/parent");
	e.name = f->s.name;
	e.ppid = 1;
	e.cpu_ns = 1000;
	feed(f, &e);
	e = base(f, COTRACE_EVENT_THREAD_START, 1 * MS, 100, 101);
	snprintf(f->s.name, sizeof(f->s.name), "worker-1");
	e.name = f->s.name;
	feed(f, &e);
	e = base(f, COTRACE_EVENT_FORK, 2 * MS, 100, 100);
	e.child_pid = 200;
	e.threads_alive = 2;
	f->s.tids[0] = 101;
	e.alive_tids = f->s.tids;
	e.n_alive_tids = 1;
	snprintf(f->s.names, sizeof(f->s.names), "worker-1");
	e.alive_names = f->s.names;
	feed(f, &e);
	assert_int_equal(cotrace_model_add_lost(f->direct, 3, T0 + 2 * MS,
					 T0 + 3 * MS),
			0);
	assert_int_equal(cotrace_event_log_add_lost(
					 f->log, 3, T0 + 2 * MS, T0 + 3 * MS),
			0);
	cotrace_model_count_foreign(f->direct);
	assert_int_equal(cotrace_event_log_count_foreign(f->log), 0);
	e = base(f, COTRACE_EVENT_PROC_START, 3 * MS, 200, 200);
	snprintf(f->s.name, sizeof(f->s.name), "/bin/parent");
	e.name = f->s.name;
	e.ppid = 100;
	e.fork_ret = 0;
	e.cpu_ns = 500;
	feed(f, &e);
	e = base(f, COTRACE_EVENT_TASK_START, 4 * MS, 200, 200);
	snprintf(f->s.name, sizeof(f->s.name), "cpu_task");
	e.name = f->s.name;
	e.task_id = 1;
	e.cpu_ns = 10;
	feed(f, &e);
	e = base(f, COTRACE_EVENT_TLS_WRITE, 5 * MS, 200, 200);
	snprintf(f->s.key, sizeof(f->s.key), "slot");
	snprintf(f->s.value, sizeof(f->s.value), "42");
	e.key = f->s.key;
	e.value = f->s.value;
	e.addr = 0x1000;
	feed(f, &e);
	if (!with_ends) {
		return;
	}
	e = base(f, COTRACE_EVENT_TASK_FINISH, 54 * MS, 200, 200);
	e.task_id = 1;
	e.cpu_ns = 50 * MS;
	feed(f, &e);
	e = base(f, COTRACE_EVENT_PROC_EXIT, 55 * MS, 200, 200);
	e.status = 3;
	e.cpu_ns = 51 * MS;
	feed(f, &e);
	e = base(f, COTRACE_EVENT_THREAD_EXIT, 56 * MS, 100, 101);
	e.cpu_ns = 2 * MS;
	feed(f, &e);
	e = base(f, COTRACE_EVENT_PROC_EXIT, 60 * MS, 100, 100);
	e.status = 0;
	e.cpu_ns = 5 * MS;
	feed(f, &e);
}

/* The JSON report of a finished model: every figure the model gives. */
static char *
json_of(struct cotrace_model *m)
{
	struct cotrace_metrics metrics;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	memset(&metrics, 0, sizeof(metrics));
	assert_int_equal(cotrace_metrics_compute(m, &metrics), 0);
	assert_int_equal(cotrace_report_json.render(out, m, &metrics), 0);
	assert_int_equal(fclose(out), 0);
	cotrace_metrics_release(&metrics);
	return buf;
}

static void
test_snapshot_equals_direct(void **state)
{
	struct feed *f = *state;
	struct cotrace_model *snap;
	char *a, *b;

	assert_int_equal(cotrace_model_add_path(f->direct, "net://h/x"), 0);
	assert_int_equal(cotrace_event_log_add_path(f->log, "net://h/x"), 0);
	feed_run(f, true);
	assert_int_equal(cotrace_event_log_cotrace_events(f->log), 10);
	assert_int_equal(cotrace_event_log_events(f->log), 11);
	snap = cotrace_event_log_snapshot(f->log);
	assert_non_null(snap);
	assert_true(snap->finished);
	assert_int_equal(cotrace_model_finish(f->direct), 0);
	assert_int_equal(snap->n_processes, 2);
	assert_int_equal(snap->n_threads, 3);
	assert_int_equal(snap->n_tasks, 1);
	assert_int_equal(snap->n_forks, 1);
	assert_int_equal(snap->forks[0].n_alive_tids, 1);
	assert_int_equal(snap->forks[0].alive_tids[0], 101);
	assert_string_equal(snap->tasks[0].label, "cpu_task");
	assert_string_equal(snap->threads[1].name, "worker-1");
	assert_int_equal(snap->lost_events, 3);
	assert_int_equal(snap->events, 11);
	a = json_of(f->direct);
	b = json_of(snap);
	assert_string_equal(a, b);
	free(a);
	free(b);
	cotrace_model_destroy(snap);
}

static void
test_snapshot_grows(void **state)
{
	struct feed *f = *state;
	struct cotrace_model *early, *late;
	struct cotrace_event e;

	feed_run(f, false);
	early = cotrace_event_log_snapshot(f->log);
	assert_non_null(early);
	/* What has not ended yet is open in the frame: a warning each. */
	assert_int_equal(early->n_tasks, 1);
	assert_int_equal(early->tasks[0].end_ns, COTRACE_TS_NONE);
	assert_false(early->processes[1].exit_seen);
	e = base(f, COTRACE_EVENT_TASK_FINISH, 54 * MS, 200, 200);
	e.task_id = 1;
	e.cpu_ns = 50 * MS;
	feed(f, &e);
	late = cotrace_event_log_snapshot(f->log);
	assert_non_null(late);
	assert_int_equal(late->tasks[0].end_ns, T0 + 54 * MS);
	/* The earlier snapshot is its own: unchanged. */
	assert_int_equal(early->tasks[0].end_ns, COTRACE_TS_NONE);
	assert_int_equal(late->cotrace_events, early->cotrace_events + 1);
	cotrace_model_destroy(early);
	cotrace_model_destroy(late);
}

static void
test_empty_and_damaged(void **state)
{
	struct feed *f = *state;
	struct cotrace_model *snap;

	snap = cotrace_event_log_snapshot(f->log);
	assert_non_null(snap);
	assert_int_equal(snap->n_processes, 0);
	assert_int_equal(snap->events, 0);
	cotrace_model_destroy(snap);
	assert_int_equal(cotrace_event_log_mark_damaged(
					 f->log, "the relay daemon went away"),
			0);
	snap = cotrace_event_log_snapshot(f->log);
	assert_non_null(snap);
	assert_int_equal(snap->n_warnings, 1);
	assert_int_equal(snap->warnings[0].kind, COTRACE_WARN_TRACE_DAMAGED);
	assert_non_null(strstr(snap->warnings[0].message, "relay daemon"));
	cotrace_model_destroy(snap);
	cotrace_event_log_destroy(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test_setup_teardown(
					test_snapshot_equals_direct, setup,
					teardown),
			cmocka_unit_test_setup_teardown(
					test_snapshot_grows, setup, teardown),
			cmocka_unit_test_setup_teardown(test_empty_and_damaged,
					setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
