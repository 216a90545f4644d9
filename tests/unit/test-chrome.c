/*
 * The Chrome Trace Event writer (chrome-trace.c) on synthetic event
 * sequences: the document it streams, its remapped ids, flows, slices,
 * instants, counters and warnings, its errors, and that its memory does
 * not grow with the number of events.
 */
#include <errno.h>
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "chrome-trace.h"

#define T0 INT64_C(1700000000000000000)
#define US INT64_C(1000)
#define MS INT64_C(1000000)

struct fixture {
	char *buf;
	size_t len;
	FILE *out;
	struct cotrace_chrome *chrome;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f) {
		return -1;
	}
	f->out = open_memstream(&f->buf, &f->len);
	f->chrome = f->out ? cotrace_chrome_create(f->out) : NULL;
	if (!f->chrome) {
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	cotrace_chrome_destroy(f->chrome);
	if (f->out) {
		fclose(f->out);
	}
	free(f->buf);
	free(f);
	return 0;
}

/* Finishes the document; f->buf then holds it, NUL-terminated. */
static const char *
finish(struct fixture *f)
{
	assert_int_equal(cotrace_chrome_finish(f->chrome), 0);
	assert_int_equal(fflush(f->out), 0);
	return f->buf;
}

static struct cotrace_event
ev(enum cotrace_event_type type, int64_t ts, int64_t pid, int64_t tid)
{
	return (struct cotrace_event){
			.type = type,
			.ts_ns = ts,
			.pid = pid,
			.tid = tid,
			.ppid = -1,
			.fork_ret = -1,
			.cpu_ns = COTRACE_CPU_NONE,
			.status = -1,
			.child_pid = -1,
			.threads_alive = -1,
			.procname = "demo",
	};
}

static void
add(struct fixture *f, struct cotrace_event e)
{
	assert_int_equal(cotrace_chrome_add_event(f->chrome, &e), 0);
}

static void
proc_start(struct fixture *f, int64_t ts, int64_t pid, int64_t ppid,
		int64_t fork_ret)
{
	struct cotrace_event e = ev(COTRACE_EVENT_PROC_START, ts, pid, pid);

	e.ppid = ppid;
	e.fork_ret = fork_ret;
	e.name = "/usr/bin/demo";
	e.cpu_ns = 100;
	add(f, e);
}

static void
proc_exit(struct fixture *f, int64_t ts, int64_t pid, int64_t status)
{
	struct cotrace_event e = ev(COTRACE_EVENT_PROC_EXIT, ts, pid, pid);

	e.status = status;
	e.cpu_ns = 5100;
	add(f, e);
}

static void
fork_event(struct fixture *f, int64_t ts, int64_t pid, int64_t tid,
		int64_t child, int64_t alive)
{
	struct cotrace_event e = ev(COTRACE_EVENT_FORK, ts, pid, tid);

	e.child_pid = child;
	e.threads_alive = alive;
	e.alive_names = alive > 1 ? "helper(12)" : "";
	add(f, e);
}

static void
task(struct fixture *f, enum cotrace_event_type type, int64_t ts, int64_t pid,
		int64_t tid, uint64_t id, uint64_t cpu)
{
	struct cotrace_event e = ev(type, ts, pid, tid);

	e.task_id = id;
	e.name = "cpu_task";
	e.cpu_ns = cpu;
	add(f, e);
}

static void
tls(struct fixture *f, enum cotrace_event_type type, int64_t ts, int64_t pid,
		int64_t tid, const char *value, uint64_t addr)
{
	struct cotrace_event e = ev(type, ts, pid, tid);

	e.key = "value";
	e.value = value;
	e.addr = addr;
	add(f, e);
}

static size_t
count(const char *haystack, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(haystack, needle); p;
			p = strstr(p + 1, needle)) {
		n++;
	}
	return n;
}

/* The line of the document that holds both needles, or NULL. */
static const char *
line_with(const char *doc, const char *a, const char *b, char *buf, size_t size)
{
	const char *line = doc;

	while (*line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		if (len < size) {
			memcpy(buf, line, len);
			buf[len] = '\0';
			if (strstr(buf, a) && (!b || strstr(buf, b))) {
				return buf;
			}
		}
		if (!end) {
			break;
		}
		line = end + 1;
	}
	return NULL;
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

/* Nothing at all still makes a document that opens. */
static void
test_empty(void **state)
{
	struct fixture *f = *state;
	const char *doc;

	assert_false(cotrace_chrome_started(f->chrome));
	doc = finish(f);
	assert_string_equal(doc,
			"{\"traceEvents\":[\n],\n\"displayTimeUnit\":\"ms\",\n"
			"\"metadata\":{\"cotrace\":{\"clock\":\"ts and dur are "
			"microseconds since base_ns, nanoseconds since the "
			"Unix epoch\",\"base_ns\":0,\"paths\":[],\"events\":0,"
			"\"cotrace_events\":0,\"lost_events\":0,"
			"\"processes\":0,\"threads\":0,\"tasks\":0,"
			"\"unfinished_tasks\":0,\"forks\":0,\"flows\":0,"
			"\"tls\":0,\"warnings\":{}}}}\n");
}

/* A fork: small ids in order, a fork slice, a flow bound at both ends. */
static void
test_fork_flow(void **state)
{
	struct fixture *f = *state;
	const struct cotrace_chrome_stats *st;
	char line[1024];
	const char *doc;

	assert_int_equal(cotrace_chrome_add_path(f->chrome, "/tmp/a\"b"), 0);
	proc_start(f, T0, 4000, 3999, -1);
	fork_event(f, T0 + 10 * US, 4000, 4000, 4001, 1);
	proc_start(f, T0 + 2 * MS + 500, 4001, 4000, 0);
	proc_exit(f, T0 + 3 * MS, 4001, 0);
	proc_exit(f, T0 + 4 * MS, 4000, 0);
	doc = finish(f);

	st = cotrace_chrome_get_stats(f->chrome);
	assert_int_equal(st->processes, 2);
	assert_int_equal(st->threads, 2);
	assert_int_equal(st->forks, 1);
	assert_int_equal(st->flows, 1);
	assert_int_equal(st->warnings, 0);

	/* The fork slice on the parent (pid 1) and the flow's start. */
	assert_non_null(line_with(doc, "\"name\":\"fork pid 4001\"", NULL, line,
			sizeof(line)));
	assert_contains(line, "\"ph\":\"X\",\"ts\":10.000,\"pid\":1,\"tid\":1,"
			      "\"cat\":\"process\"");
	assert_contains(line, "\"dur\":1.000");
	assert_contains(line, "\"fork_returned\":4001");
	assert_contains(doc, "{\"ph\":\"s\",\"ts\":10.000,\"pid\":1,\"tid\":1,"
			     "\"cat\":\"process\",\"name\":\"fork\",\"id\":1}");
	/* Its end on the child (pid 2, tid 2) where the child's slice begins.
	 */
	assert_contains(doc,
			"{\"ph\":\"f\",\"ts\":2000.500,\"pid\":2,\"tid\":2,"
			"\"cat\":\"process\",\"name\":\"fork\",\"id\":1,"
			"\"bp\":\"e\"}");
	assert_non_null(line_with(doc, "\"name\":\"pid 4001 demo\"",
			"\"ph\":\"X\"", line, sizeof(line)));
	assert_contains(line, "\"ts\":2000.500,\"pid\":2,\"tid\":2");
	assert_contains(line, "\"dur\":999.500");
	assert_contains(line, "\"pid\":4001,\"ppid\":4000,\"fork_returned\":0,"
			      "\"exit_status\":0,\"cpu_ns\":5000");
	assert_contains(line, "\"complete\":true");
	/* Names: real ids in them, no ts on metadata events. */
	assert_contains(doc, "{\"ph\":\"M\",\"pid\":1,\"tid\":1,\"name\":"
			     "\"process_name\",\"args\":{\"name\":\"pid 4000 "
			     "demo\"");
	assert_contains(doc,
			"{\"ph\":\"M\",\"pid\":2,\"tid\":2,\"name\":"
			"\"thread_name\",\"args\":{\"name\":\"tid 4001 demo "
			"(main)\"");
	assert_int_equal(count(doc, "\"ph\":\"M\""), 2 * 3 + 2 * 2);
	assert_int_equal(count(doc, "\"ph\":\"M\",\"ts\""), 0);
	/* The child sorts under its parent. */
	assert_contains(doc,
			"{\"ph\":\"M\",\"pid\":2,\"tid\":2,\"name\":"
			"\"process_sort_index\",\"args\":{\"sort_index\":2}}");
	assert_contains(doc, "\"base_ns\":1700000000000000000");
	assert_contains(doc, "\"paths\":[\"/tmp/a\\\"b\"]");
	assert_contains(doc, "\"forks\":1,\"flows\":1");
}

/* A child's start may sort before its parent's fork event. */
static void
test_fork_child_first(void **state)
{
	struct fixture *f = *state;
	const char *doc;

	proc_start(f, T0, 4000, 3999, -1);
	proc_start(f, T0 + 5 * US, 4001, 4000, 0);
	fork_event(f, T0 + 6 * US, 4000, 4000, 4001, 1);
	proc_exit(f, T0 + 7 * US, 4001, 0);
	proc_exit(f, T0 + 8 * US, 4000, 0);
	doc = finish(f);
	assert_int_equal(cotrace_chrome_get_stats(f->chrome)->flows, 1);
	assert_contains(doc, "\"ph\":\"s\",\"ts\":6.000,\"pid\":1,\"tid\":1,"
			     "\"cat\":\"process\",\"name\":\"fork\",\"id\":1}");
	assert_contains(doc, "\"ph\":\"f\",\"ts\":5.000,\"pid\":2,\"tid\":2,"
			     "\"cat\":\"process\",\"name\":\"fork\",\"id\":1,");
	assert_not_contains(doc, "fork-child-missing");
}

/* A fork whose child never shows, a fork among threads, a bad exit. */
static void
test_fork_warnings(void **state)
{
	struct fixture *f = *state;
	const char *doc;

	proc_start(f, T0, 4000, 1, -1);
	fork_event(f, T0 + US, 4000, 4000, 4001, 3);
	fork_event(f, T0 + 2 * US, 4000, 4000, 4002, 1);
	proc_start(f, T0 + 3 * US, 4002, 4000, 0);
	proc_exit(f, T0 + 4 * US, 4002, 3);
	proc_exit(f, T0 + 5 * US, 4000, 0);
	doc = finish(f);
	assert_contains(doc,
			"\"name\":\"warning: fork-with-threads\",\"s\":\"t\"");
	assert_contains(doc, "while 2 other threads were alive: helper(12)");
	assert_contains(doc, "\"name\":\"warning: "
			     "child-abnormal-exit\",\"s\":\"p\"");
	assert_contains(doc, "exited with status 3");
	assert_contains(doc, "\"name\":\"warning: fork-child-missing\"");
	assert_contains(doc, "forked pid 4001 but no start");
	assert_contains(doc, "\"exit_status\":3");
	assert_contains(doc, "\"warnings\":{\"fork-with-threads\":1,"
			     "\"child-abnormal-exit\":1,"
			     "\"fork-child-missing\":1}");
	assert_int_equal(cotrace_chrome_get_stats(f->chrome)->flows, 1);
}

/* Tasks become complete slices; counters count what runs. */
static void
test_tasks(void **state)
{
	struct fixture *f = *state;
	const struct cotrace_chrome_stats *st;
	char line[1024];
	const char *doc;

	proc_start(f, T0, 10, 1, -1);
	task(f, COTRACE_EVENT_TASK_START, T0 + MS, 10, 11, 1, 1000);
	task(f, COTRACE_EVENT_TASK_START, T0 + 2 * MS, 10, 12, 2, 2000);
	assert_int_equal(cotrace_chrome_get_stats(f->chrome)->open_tasks, 2);
	task(f, COTRACE_EVENT_TASK_FINISH, T0 + 3 * MS + 1, 10, 11, 1, 801000);
	/* A finish without its start tells nothing. */
	task(f, COTRACE_EVENT_TASK_FINISH, T0 + 4 * MS, 10, 11, 9, 900000);
	proc_exit(f, T0 + 6 * MS, 10, 0);
	doc = finish(f);

	st = cotrace_chrome_get_stats(f->chrome);
	assert_int_equal(st->tasks, 2);
	assert_int_equal(st->unfinished_tasks, 1);
	assert_int_equal(st->open_tasks, 1);
	assert_int_equal(st->threads, 3);
	assert_non_null(line_with(doc, "\"cat\":\"task\"", "\"task_id\":1,",
			line, sizeof(line)));
	assert_string_equal(line,
			"{\"ph\":\"X\",\"ts\":1000.000,\"pid\":1,\"tid\":2,"
			"\"cat\":\"task\",\"name\":\"cpu_task\",\"dur\":2000."
			"001,"
			"\"args\":{\"task_id\":1,\"label\":\"cpu_task\","
			"\"cpu_ns\":800000,\"finished\":true}},");
	/* The unfinished one ends with its thread's last event. */
	assert_non_null(line_with(doc, "\"cat\":\"task\"", "\"task_id\":2,",
			line, sizeof(line)));
	assert_contains(line,
			"\"name\":\"cpu_task (unfinished)\",\"dur\":0.000");
	assert_contains(line, "\"finished\":false");
	assert_contains(doc, "\"name\":\"warning: task-unfinished\"");
	assert_contains(doc,
			"{\"ph\":\"C\",\"ts\":2000.000,\"pid\":1,\"tid\":1,"
			"\"name\":\"tasks\",\"args\":{\"running\":2}}");
	assert_contains(doc,
			"{\"ph\":\"C\",\"ts\":3000.001,\"pid\":1,\"tid\":1,"
			"\"name\":\"tasks\",\"args\":{\"running\":1}}");
	assert_contains(doc,
			"{\"ph\":\"C\",\"ts\":6000.000,\"pid\":1,\"tid\":1,"
			"\"name\":\"processes\",\"args\":{\"running\":0}}");
	/* Threads without start or exit say so in their names. */
	assert_contains(doc, "\"name\":\"tid 11 demo [neither start nor end "
			     "recorded]\"");
}

/* Threads' lives, TLS instants, and the TLS checks. */
static void
test_threads_tls(void **state)
{
	struct fixture *f = *state;
	struct cotrace_event e;
	char line[1024];
	const char *doc;

	proc_start(f, T0, 20, 1, -1);
	e = ev(COTRACE_EVENT_THREAD_START, T0 + US, 20, 21);
	e.name = "worker-1";
	e.pthread_id = 0xabc;
	add(f, e);
	e = ev(COTRACE_EVENT_THREAD_START, T0 + US, 20, 22);
	e.name = "worker-2";
	add(f, e);
	tls(f, COTRACE_EVENT_TLS_WRITE, T0 + 2 * US, 20, 21, "a", 0x1000);
	tls(f, COTRACE_EVENT_TLS_WRITE, T0 + 3 * US, 20, 22, "b", 0x1000);
	tls(f, COTRACE_EVENT_TLS_WRITE, T0 + 3 * US, 20, 22, "b", 0x1000);
	tls(f, COTRACE_EVENT_TLS_READ, T0 + 4 * US, 20, 21, "b", 0x1000);
	tls(f, COTRACE_EVENT_TLS_READ, T0 + 4 * US, 20, 21, "b", 0x1000);
	e = ev(COTRACE_EVENT_THREAD_EXIT, T0 + 5 * US, 20, 21);
	e.cpu_ns = 777;
	add(f, e);
	proc_exit(f, T0 + 9 * US, 20, 0);
	doc = finish(f);

	assert_int_equal(cotrace_chrome_get_stats(f->chrome)->tls, 5);
	assert_contains(doc, "{\"ph\":\"i\",\"ts\":2.000,\"pid\":1,\"tid\":2,"
			     "\"cat\":\"tls\",\"name\":\"tls_write value\","
			     "\"s\":\"t\",\"args\":{\"key\":\"value\","
			     "\"value\":\"a\",\"addr\":\"0x1000\","
			     "\"pthread_id\":\"0xabc\"}}");
	/* Warned once each, however often it happens. */
	assert_int_equal(count(doc, "\"warning: tls-shared-slot\""), 1);
	assert_contains(doc, "Threads tid 21 worker-1 and tid 22 worker-2 of "
			     "pid 20 demo both wrote TLS key 'value' at the "
			     "same address 0x1000");
	assert_int_equal(count(doc, "\"warning: tls-value-changed\""), 1);
	assert_contains(doc, "read TLS key 'value' back as 'b' although it "
			     "last wrote 'a'");
	/* worker-1's life is complete; worker-2's exit is missing. */
	assert_non_null(line_with(doc, "\"name\":\"tid 21 worker-1\"",
			"\"ph\":\"X\"", line, sizeof(line)));
	assert_contains(line, "\"ts\":1.000,\"pid\":1,\"tid\":2,"
			      "\"cat\":\"thread\"");
	assert_contains(line, "\"dur\":4.000");
	assert_contains(line, "\"cpu_ns\":777,\"completeness\":\"complete\"");
	assert_contains(doc, "\"name\":\"tid 22 worker-2 [no end recorded]\"");
	assert_non_null(line_with(doc, "\"name\":\"tid 22 worker-2\"",
			"\"ph\":\"X\"", line, sizeof(line)));
	assert_contains(line, "\"completeness\":\"started only\"");
}

/* What the tracer lost, and a damaged trace. */
static void
test_lost_and_damaged(void **state)
{
	struct fixture *f = *state;
	const char *doc;

	proc_start(f, T0, 30, 1, -1);
	assert_int_equal(cotrace_chrome_add_lost(
					 f->chrome, 42, T0 + MS, T0 + 2 * MS),
			0);
	assert_int_equal(cotrace_chrome_add_lost(f->chrome, 0, COTRACE_TS_NONE,
					 COTRACE_TS_NONE),
			0);
	cotrace_chrome_count_foreign(f->chrome);
	assert_int_equal(cotrace_chrome_mark_damaged(f->chrome,
					 "decoding failed: \"bad\"\n"),
			0);
	doc = finish(f);
	assert_contains(doc,
			"{\"ph\":\"b\",\"ts\":1000.000,\"pid\":1,\"tid\":1,"
			"\"cat\":\"lost\",\"name\":\"lost events\",\"id\":1,"
			"\"args\":{\"count\":42}}");
	assert_contains(doc,
			"{\"ph\":\"e\",\"ts\":2000.000,\"pid\":1,\"tid\":1,"
			"\"cat\":\"lost\",\"name\":\"lost events\",\"id\":1}");
	assert_contains(doc, "\"name\":\"warning: events-lost\",\"s\":\"g\"");
	assert_contains(doc, "discarded 42 events here");
	assert_contains(doc, "it did not say how many");
	assert_contains(doc, "\"name\":\"warning: trace-damaged\",\"s\":\"g\"");
	assert_contains(doc, "decoding failed: \\\"bad\\\"\\n.");
	/* The process never exited. */
	assert_contains(doc, "\"name\":\"pid 30 demo [no exit recorded]\"");
	assert_contains(doc, "\"name\":\"warning: process-no-exit\"");
	assert_contains(doc, "\"events\":2,\"cotrace_events\":1,"
			     "\"lost_events\":42");
	assert_contains(doc, "\"warnings\":{\"process-no-exit\":1,"
			     "\"events-lost\":2,\"trace-damaged\":1}");
}

/* A count past 2^64 in all stays at its maximum, as the model's does. */
static void
test_lost_saturates(void **state)
{
	struct fixture *f = *state;
	const char *doc;

	assert_int_equal(
			cotrace_chrome_add_lost(f->chrome, 42, T0, T0 + US), 0);
	/* A span given end first is read the right way round. */
	assert_int_equal(cotrace_chrome_add_lost(f->chrome, UINT64_MAX - 7,
					 T0 + 3 * US, T0 + 2 * US),
			0);
	doc = finish(f);
	assert_true(cotrace_chrome_get_stats(f->chrome)->lost_events ==
			UINT64_MAX);
	assert_contains(doc,
			"{\"ph\":\"b\",\"ts\":2.000,\"pid\":1,\"tid\":1,"
			"\"cat\":\"lost\",\"name\":\"lost events\",\"id\":2,"
			"\"args\":{\"count\":18446744073709551608}}");
	assert_contains(doc, "{\"ph\":\"e\",\"ts\":3.000,");
	assert_contains(doc, "\"lost_events\":18446744073709551615");
}

/* A pid seen again after its exit is a new process; names are escaped. */
static void
test_pid_reuse_and_escaping(void **state)
{
	struct fixture *f = *state;
	struct cotrace_event e;
	const char *doc;

	proc_start(f, T0, 50, 1, -1);
	proc_exit(f, T0 + US, 50, 0);
	e = ev(COTRACE_EVENT_PROC_START, T0 + 2 * US, 50, 50);
	e.name = "/bin/we\"ird\n\xff";
	add(f, e);
	task(f, COTRACE_EVENT_TASK_START, T0 + 3 * US, 50, 50, 1, 0);
	task(f, COTRACE_EVENT_TASK_FINISH, T0 + 4 * US, 50, 50, 1, 0);
	proc_exit(f, T0 + 5 * US, 50, 0);
	doc = finish(f);
	assert_int_equal(cotrace_chrome_get_stats(f->chrome)->processes, 2);
	assert_contains(doc, "\"name\":\"warning: pid-reused\",\"s\":\"p\"");
	assert_contains(doc, "{\"ph\":\"M\",\"pid\":2,\"tid\":2,\"name\":"
			     "\"process_name\",\"args\":{\"name\":\"pid 50 "
			     "we\\\"ird\\n\\ufffd\"");
	/* The task sits on the new process's thread. */
	assert_contains(doc, "{\"ph\":\"X\",\"ts\":3.000,\"pid\":2,\"tid\":2,"
			     "\"cat\":\"task\"");
}

/* A full device: the error comes back, and stays. */
static void
test_write_error(void **state)
{
	FILE *full = fopen("/dev/full", "w");
	struct cotrace_chrome *c;
	struct cotrace_event e = ev(COTRACE_EVENT_TASK_START, T0, 1, 1);
	int status = 0;

	(void)state;
	if (!full) {
		skip();
	}
	setvbuf(full, NULL, _IONBF, 0);
	c = cotrace_chrome_create(full);
	assert_non_null(c);
	e.name = "x";
	status = cotrace_chrome_add_event(c, &e);
	assert_int_equal(status, -ENOSPC);
	assert_int_equal(cotrace_chrome_add_event(c, &e), -ENOSPC);
	assert_int_equal(cotrace_chrome_finish(c), -ENOSPC);
	cotrace_chrome_destroy(c);
	fclose(full);
}

/*
 * The point of streaming: 200,000 more tasks and TLS writes on a few
 * threads leave the writer's memory as it was (only the output grows, and
 * it goes to /dev/null here). Under a sanitizer, mallinfo2() does not see
 * the allocations and this proves nothing, but still runs.
 */
static void
test_memory_bounded(void **state)
{
	FILE *null = fopen("/dev/null", "w");
	struct cotrace_chrome *c;
	size_t before = 0, after;
	int64_t ts = T0;
	char value[32];

	(void)state;
	assert_non_null(null);
	c = cotrace_chrome_create(null);
	assert_non_null(c);
	for (int round = 0; round < 2; round++) {
		int n = round == 0 ? 1000 : 100000;

		for (int i = 0; i < n; i++) {
			int64_t tid = 100 + i % 4;
			struct cotrace_event e = ev(COTRACE_EVENT_TASK_START,
					ts++, 100, tid);

			e.task_id = (uint64_t)i;
			e.name = "work";
			assert_int_equal(cotrace_chrome_add_event(c, &e), 0);
			e.type = COTRACE_EVENT_TLS_WRITE;
			e.ts_ns = ts++;
			e.key = "value";
			snprintf(value, sizeof(value), "%d", i);
			e.value = value;
			e.addr = 0x1000 + (uint64_t)tid;
			assert_int_equal(cotrace_chrome_add_event(c, &e), 0);
			e.type = COTRACE_EVENT_TASK_FINISH;
			e.ts_ns = ts++;
			assert_int_equal(cotrace_chrome_add_event(c, &e), 0);
		}
		if (round == 0) {
			before = mallinfo2().uordblks;
		}
	}
	after = mallinfo2().uordblks;
	assert_int_equal(cotrace_chrome_get_stats(c)->tasks, 101000);
	assert_int_equal(cotrace_chrome_get_stats(c)->open_tasks, 0);
	assert_int_equal(cotrace_chrome_get_stats(c)->threads, 4);
	if (after > before + 4096) {
		fail_msg("the writer's memory grew by %zu bytes over 300,000 "
			 "events",
				after - before);
	}
	assert_int_equal(cotrace_chrome_finish(c), 0);
	cotrace_chrome_destroy(c);
	fclose(null);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test_setup_teardown(
					test_empty, setup, teardown),
			cmocka_unit_test_setup_teardown(
					test_fork_flow, setup, teardown),
			cmocka_unit_test_setup_teardown(
					test_fork_child_first, setup, teardown),
			cmocka_unit_test_setup_teardown(
					test_fork_warnings, setup, teardown),
			cmocka_unit_test_setup_teardown(
					test_tasks, setup, teardown),
			cmocka_unit_test_setup_teardown(
					test_threads_tls, setup, teardown),
			cmocka_unit_test_setup_teardown(
					test_lost_and_damaged, setup, teardown),
			cmocka_unit_test_setup_teardown(
					test_lost_saturates, setup, teardown),
			cmocka_unit_test_setup_teardown(
					test_pid_reuse_and_escaping, setup,
					teardown),
			cmocka_unit_test(test_write_error),
			cmocka_unit_test(test_memory_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
