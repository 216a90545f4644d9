/*
 * The report renderers and the JSON writer, on models filled by hand (no
 * model.c involved), so a renderer bug cannot hide behind a model bug.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json-writer.h"
#include "report-common.h"
#include "report.h"

#define T0 INT64_C(1700000000000000000)
#define MS INT64_C(1000000)
#define SEC INT64_C(1000000000)

struct fixture {
	struct cotrace_model model;
	struct cotrace_metrics metrics;
	struct cotrace_process processes[4];
	struct cotrace_thread threads[4];
	struct cotrace_task tasks[3];
	struct cotrace_fork forks[3];
	struct cotrace_warning warnings[2];
	struct cotrace_tls_access tls[4][2];
	struct cotrace_overlap overlaps[1];
	int64_t profile[3];
	int64_t alive_tids[1];
	char *paths[2];
};

/* Captured output of a renderer, NUL-terminated. */
struct capture {
	char *buf;
	size_t len;
	int status;
};

static void
capture_render(const struct cotrace_report_format *fmt, const struct fixture *f,
		struct capture *c)
{
	FILE *out = open_memstream(&c->buf, &c->len);

	assert_non_null(out);
	c->status = fmt->render(out, &f->model, &f->metrics);
	assert_int_equal(fclose(out), 0);
}

static void
capture_release(struct capture *c)
{
	free(c->buf);
	c->buf = NULL;
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

static void
set_process(struct fixture *f, size_t i, int64_t pid, int64_t ppid,
		size_t parent, int64_t start, int64_t end, uint64_t cpu)
{
	struct cotrace_process *p = &f->processes[i];

	p->pid = pid;
	p->ppid = ppid;
	p->name = (char *)"cotrace-demo";
	p->host = (char *)"lab-01";
	p->start_ns = start;
	p->end_ns = end;
	p->start_seen = true;
	p->exit_seen = true;
	p->fork_ret = parent == SIZE_MAX ? -1 : 0;
	p->cpu_ns = cpu;
	p->exit_status = 0;
	p->parent = parent;
}

static void
set_thread(struct fixture *f, size_t i, int64_t tid, size_t process,
		uint64_t pthread_id, const char *name, uint64_t cpu)
{
	struct cotrace_thread *t = &f->threads[i];

	t->tid = tid;
	t->process = process;
	t->pthread_id = pthread_id;
	t->name = (char *)name;
	t->start_ns = f->processes[process].start_ns;
	t->end_ns = f->processes[process].end_ns;
	t->start_seen = true;
	t->exit_seen = true;
	t->cpu_ns = cpu;
	t->tls = f->tls[i];
}

static void
add_tls(struct fixture *f, size_t thread, const char *key, const char *value,
		uint64_t addr, bool is_read)
{
	struct cotrace_thread *t = &f->threads[thread];
	struct cotrace_tls_access *a = &t->tls[t->n_tls++];

	a->key = (char *)key;
	a->value = (char *)value;
	a->addr = addr;
	a->ts_ns = t->start_ns + 1000 * (int64_t)t->n_tls;
	a->is_read = is_read;
}

static void
set_task(struct fixture *f, size_t i, uint64_t id, size_t process,
		size_t thread, int64_t start, int64_t end, uint64_t cpu)
{
	struct cotrace_task *t = &f->tasks[i];

	t->id = id;
	t->process = process;
	t->thread = thread;
	t->label = (char *)"cpu_task";
	t->start_ns = start;
	t->end_ns = end;
	t->cpu_ns = cpu;
}

/*
 * The lecture's parallel demo: pid 100 forks 101 and 102, each runs one
 * task of ~1.18 s; a third fork's child (103) never appeared.
 */
static int
setup_parallel(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct cotrace_model *m;
	struct cotrace_metrics *mt;

	if (!f) {
		return -1;
	}
	m = &f->model;
	mt = &f->metrics;
	set_process(f, 0, 100, 1, SIZE_MAX, T0, T0 + 1344 * MS, 2 * MS);
	set_process(f, 1, 101, 100, 0, T0 + 1 * MS, T0 + 1200 * MS, 1180 * MS);
	set_process(f, 2, 102, 100, 0, T0 + 2 * MS, T0 + 1201 * MS, 1181 * MS);
	m->processes = f->processes;
	m->n_processes = 3;

	set_thread(f, 0, 100, 0, UINT64_C(0x7f3a5c1ff740), "cotrace-demo",
			2 * MS);
	set_thread(f, 1, 101, 1, UINT64_C(0x7f3a5c1ff740), "worker-1",
			1180 * MS);
	set_thread(f, 2, 102, 2, UINT64_C(0x7f3a5c1ff740), "worker-2",
			1181 * MS);
	add_tls(f, 1, "value", "101", UINT64_C(0x7f3a5c1ff6f8), false);
	add_tls(f, 1, "value", "101", UINT64_C(0x7f3a5c1ff6f8), true);
	add_tls(f, 2, "value", "102", UINT64_C(0x7f3a5c1ff6f8), false);
	add_tls(f, 2, "value", "102", UINT64_C(0x7f3a5c1ff6f8), true);
	m->threads = f->threads;
	m->n_threads = 3;

	set_task(f, 0, 1, 1, 1, T0 + 10 * MS, T0 + 1190 * MS, 1179 * MS);
	set_task(f, 1, 2, 2, 2, T0 + 11 * MS, T0 + 1191 * MS, 1179 * MS);
	m->tasks = f->tasks;
	m->n_tasks = 2;

	f->forks[0] = (struct cotrace_fork){.parent = 0,
			.child = 1,
			.parent_pid = 100,
			.child_pid = 101,
			.ts_ns = T0 + MS / 2,
			.threads_alive = 1,
			.parent_ret = 101,
			.child_ret = 0};
	f->forks[1] = (struct cotrace_fork){.parent = 0,
			.child = 2,
			.parent_pid = 100,
			.child_pid = 102,
			.ts_ns = T0 + MS,
			.threads_alive = 2,
			.parent_ret = 102,
			.child_ret = 0,
			.alive_tids = f->alive_tids,
			.n_alive_tids = 1,
			.alive_names = (char *)"helper"};
	f->alive_tids[0] = 104;
	f->forks[2] = (struct cotrace_fork){.parent = 0,
			.child = SIZE_MAX,
			.parent_pid = 100,
			.child_pid = 103,
			.ts_ns = T0 + 3 * MS,
			.threads_alive = 1,
			.parent_ret = 103,
			.child_ret = -1};
	m->forks = f->forks;
	m->n_forks = 3;

	f->warnings[0] = (struct cotrace_warning){
			.kind = COTRACE_WARN_FORK_CHILD_MISSING,
			.message = (char *)"pid 100 forked pid 103, which "
					   "never "
					   "appeared in the trace.",
			.pid = 100,
			.tid = -1,
			.ts_ns = T0 + 3 * MS};
	f->warnings[1] = (struct cotrace_warning){
			.kind = COTRACE_WARN_FORK_WITH_THREADS,
			.message = (char *)"pid 100 forked pid 102 while 1 "
					   "other "
					   "thread was alive: helper (tid "
					   "104).",
			.pid = 100,
			.tid = 100,
			.ts_ns = COTRACE_TS_NONE};
	m->warnings = f->warnings;
	m->n_warnings = 2;

	f->paths[0] = (char *)"/tmp/trace/ust/uid/0/64-bit";
	m->paths = f->paths;
	m->n_paths = 1;
	m->events = 1234;
	m->cotrace_events = 17;
	m->first_ns = T0;
	m->last_ns = T0 + 1344 * MS;
	m->finished = true;

	mt->unit = COTRACE_UNIT_TASK;
	mt->units = 2;
	mt->start_ns = T0 + 10 * MS;
	mt->end_ns = T0 + 1191 * MS;
	mt->span_ns = 1181 * MS;
	mt->busy_ns = 2360 * MS;
	mt->cpu_ns = 2358 * MS;
	mt->parallelism = 2360.0 / 1181.0;
	mt->cpu_parallelism = 2358.0 / 1181.0;
	mt->max_concurrency = 2;
	f->profile[0] = 0;
	f->profile[1] = 2 * MS;
	f->profile[2] = 1179 * MS;
	mt->profile_ns = f->profile;
	f->overlaps[0] = (struct cotrace_overlap){.a = 1,
			.b = 2,
			.overlap_ns = 1198 * MS,
			.fraction = 1198.0 / 1199.0};
	mt->overlaps = f->overlaps;
	mt->n_overlaps = 1;

	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	free(*state);
	return 0;
}

/* ---- JSON writer ---- */

static char *
json_string_of(const char *s, size_t len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *out = open_memstream(&buf, &n);

	assert_non_null(out);
	assert_int_equal(cotrace_json_write_string(out, s, len), 0);
	assert_int_equal(fclose(out), 0);
	return buf;
}

static void
check_escape(const char *in, size_t len, const char *expected)
{
	char *got = json_string_of(in, len);

	assert_string_equal(got, expected);
	free(got);
}

static void
test_json_escapes(void **state)
{
	(void)state;
	check_escape("plain", 5, "\"plain\"");
	check_escape("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
	check_escape("\n\t\r\b\f", 5, "\"\\n\\t\\r\\b\\f\"");
	check_escape("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\x7f\"");
	check_escape("a\0b", 3, "\"a\\u0000b\"");
	/* Well-formed UTF-8 passes through untouched. */
	check_escape("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14,
			"\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	/* A stray byte, a cut sequence, an overlong form, a surrogate. */
	check_escape("x\xffy", 3, "\"x\\ufffdy\"");
	check_escape("\xe2\x82", 2, "\"\\ufffd\"");
	check_escape("\xe2\x82z", 3, "\"\\ufffdz\"");
	check_escape("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"");
	check_escape("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"");
	check_escape("\xf4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	check_escape("", 0, "\"\"");
}

static void
test_json_structure(void **state)
{
	struct cotrace_json_writer w;
	char *buf = NULL;
	size_t n = 0;
	FILE *out = open_memstream(&buf, &n);

	(void)state;
	assert_non_null(out);
	cotrace_json_writer_init(&w, out, false);
	cotrace_json_begin_object(&w);
	cotrace_json_key(&w, "a");
	cotrace_json_begin_array(&w);
	cotrace_json_int(&w, -3);
	cotrace_json_uint(&w, UINT64_MAX);
	cotrace_json_double(&w, NAN);
	cotrace_json_double(&w, 1.5);
	cotrace_json_double(&w, 0.9976594);
	cotrace_json_double(&w, 1.0 / 3.0);
	cotrace_json_bool(&w, true);
	cotrace_json_string(&w, NULL);
	cotrace_json_begin_object(&w);
	cotrace_json_end_object(&w);
	cotrace_json_end_array(&w);
	cotrace_json_key(&w, "b");
	cotrace_json_begin_array(&w);
	cotrace_json_end_array(&w);
	cotrace_json_end_object(&w);
	assert_int_equal(cotrace_json_writer_finish(&w), 0);
	assert_int_equal(fclose(out), 0);
	assert_string_equal(buf, "{\"a\":[-3,18446744073709551615,null,1.5,"
				 "0.9976594,0.3333333333333333,true,null,{}],\"b\":[]}\n");
	free(buf);
}

static void
test_json_misuse(void **state)
{
	struct cotrace_json_writer w;
	FILE *out = fopen("/dev/null", "w");

	(void)state;
	assert_non_null(out);
	/* A value where a key belongs. */
	cotrace_json_writer_init(&w, out, true);
	cotrace_json_begin_object(&w);
	cotrace_json_int(&w, 1);
	assert_int_equal(cotrace_json_writer_finish(&w), -EINVAL);
	/* Closing an array with an object's bracket. */
	cotrace_json_writer_init(&w, out, true);
	cotrace_json_begin_array(&w);
	cotrace_json_end_object(&w);
	assert_int_equal(cotrace_json_writer_finish(&w), -EINVAL);
	/* Left open. */
	cotrace_json_writer_init(&w, out, true);
	cotrace_json_begin_array(&w);
	assert_int_equal(cotrace_json_writer_finish(&w), -EINVAL);
	/* Too deep. */
	cotrace_json_writer_init(&w, out, true);
	for (int i = 0; i < COTRACE_JSON_MAX_DEPTH + 2; i++) {
		cotrace_json_begin_array(&w);
	}
	assert_int_equal(cotrace_json_writer_finish(&w), -EINVAL);
	fclose(out);
}

static void
test_json_write_error(void **state)
{
	struct cotrace_json_writer w;
	FILE *out = fopen("/dev/full", "w");

	(void)state;
	if (!out) {
		skip();
	}
	cotrace_json_writer_init(&w, out, true);
	cotrace_json_begin_array(&w);
	cotrace_json_string(&w, "x");
	cotrace_json_end_array(&w);
	assert_int_equal(cotrace_json_writer_finish(&w), -ENOSPC);
	fclose(out);
}

/* ---- formats ---- */

static void
test_format_find(void **state)
{
	(void)state;
	assert_ptr_equal(cotrace_report_format_find("text"),
			&cotrace_report_text);
	assert_ptr_equal(cotrace_report_format_find("json"),
			&cotrace_report_json);
	assert_null(cotrace_report_format_find("xml"));
	assert_null(cotrace_report_format_find(""));
	assert_null(cotrace_report_format_find(NULL));
}

static void
test_duration_format(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(
			cotrace_format_duration(buf, sizeof(buf), 1181 * MS),
			"1.181 s");
	assert_string_equal(cotrace_format_duration(buf, sizeof(buf), 12345678),
			"12.35 ms");
	assert_string_equal(cotrace_format_duration(buf, sizeof(buf), 42000),
			"0.042 ms");
	assert_string_equal(cotrace_format_duration(buf, sizeof(buf), 850),
			"850 ns");
	assert_string_equal(cotrace_format_duration(buf, sizeof(buf), -2 * MS),
			"-2.00 ms");
	assert_string_equal(cotrace_format_duration(
					    buf, sizeof(buf), COTRACE_TS_NONE),
			"?");
}

/* ---- text ---- */

static void
test_text_parallel(void **state)
{
	struct fixture *f = *state;
	struct capture c = {0};

	capture_render(&cotrace_report_text, f, &c);
	assert_int_equal(c.status, 0);
	assert_contains(c.buf, "Trace read: /tmp/trace/ust/uid/0/64-bit");
	assert_contains(c.buf, "Events: 1234 in total, 17 of them cotrace "
			       "events");
	assert_contains(c.buf, "Lost events: 0");
	/* The tree: root first, children in start order, both fork returns. */
	assert_contains(c.buf, "  pid 100 cotrace-demo  started +0 ms  "
			       "wall 1.344 s  CPU 2.00 ms  exit 0\n");
	assert_contains(c.buf, "  |-- pid 101 cotrace-demo  started +1.00 ms"
			       "  wall 1.199 s  CPU 1.180 s  exit 0\n");
	assert_contains(c.buf, "fork() returned 101 in the parent, 0 in the "
			       "child\n");
	assert_contains(c.buf, "  `-- pid 102 ");
	assert_contains(c.buf, "fork() returned 102 in the parent, 0 in the "
			       "child (forked while 2 threads were alive in "
			       "the parent)\n");
	assert_contains(c.buf, "fork() returned 103 here, but that child "
			       "never appeared in the trace");
	assert_true(strstr(c.buf, "pid 101 cotrace-demo") <
			strstr(c.buf, "pid 102 cotrace-demo"));
	/* Units. */
	assert_contains(c.buf, "Units: 2 tasks");
	assert_contains(c.buf, "task 1 \"cpu_task\"  pid 101 tid 101  started "
			       "+10.00 ms  wall 1.180 s  CPU 1.179 s\n");
	/* Metrics, profile, verdict. */
	assert_contains(c.buf, "span             1.181 s");
	assert_contains(c.buf, "parallelism      2.00 ");
	assert_contains(c.buf, "max concurrency  2 ");
	assert_contains(c.buf, "      2 running      1.179 s   99.8 %\n");
	assert_contains(c.buf, "Verdict: The 2 tasks ran in parallel");
	assert_contains(c.buf, "not the sum of their times (2.360 s)");
	/* Overlaps, threads, TLS, warnings. */
	assert_contains(c.buf, "pid 101 and pid 102: 1.198 s together, "
			       "100 % of the shorter one");
	assert_contains(c.buf, "0x7f3a5c1ff740");
	assert_contains(c.buf, "(0x7f3a5c1ff740 = 139888630429504)");
	assert_contains(c.buf, "TLS writes: value=101 @0x7f3a5c1ff6f8\n");
	assert_contains(c.buf, "Every thread had its own slot: 2 threads "
			       "wrote 2 distinct slots");
	assert_contains(c.buf, "Warnings (2)");
	assert_contains(c.buf, "  [fork-child-missing] pid 100 forked pid 103");
	assert_contains(c.buf, "  [fork-with-threads] ");
	capture_release(&c);
}

static void
expect_verdict(struct fixture *f, double par, double cpu_par, const char *kind,
		const char *text)
{
	struct cotrace_verdict v;

	f->metrics.parallelism = par;
	f->metrics.cpu_parallelism = cpu_par;
	cotrace_report_verdict(&f->model, &f->metrics, &v);
	assert_string_equal(v.name, kind);
	assert_contains(v.text, text);
}

static void
test_verdicts(void **state)
{
	struct fixture *f = *state;

	expect_verdict(f, 2.0, 1.99, "parallel", "ran in parallel");
	expect_verdict(f, 2.0, 1.02, "took-turns", "took turns");
	expect_verdict(f, 2.0, 1.02, "took-turns", "behind the GIL");
	expect_verdict(f, 2.0, 0.05, "mostly-waiting", "mostly waited");
	expect_verdict(f, 1.02, 1.0, "sequential", "one after another");
	expect_verdict(f, 1.3, 1.2, "partial-overlap", "only partly");
	/* Four tasks on two CPUs: parallel, but not all at once. */
	f->metrics.units = 4;
	expect_verdict(f, 4.0, 1.9, "parallel-partly", "about 1.90 at a time");
	/* Unknown CPU for some units: no claim about turns. */
	f->metrics.units_without_cpu = 2;
	expect_verdict(f, 2.0, 1.0, "overlapped-cpu-unknown", "not recorded");
	f->metrics.units_without_cpu = 0;
	/* A unit seen only in part: a caveat, or no verdict if CPU > wall. */
	f->metrics.units = 2;
	f->tasks[1].end_ns = COTRACE_TS_NONE;
	expect_verdict(f, 2.0, 1.99, "parallel",
			"1 of them was recorded "
			"only in part");
	expect_verdict(f, 0.01, 90.0, "uncertain",
			"No verdict: 1 of the 2 "
			"tasks were recorded only in part");
	f->tasks[1].end_ns = T0 + 1191 * MS;
	f->metrics.units = 1;
	expect_verdict(f, 1.0, 1.0, "single", "nothing ran alongside");
	f->metrics.units = 0;
	expect_verdict(f, 0.0, 0.0, "no-units", "nothing to compare");
}

static void
test_text_gil_and_processes(void **state)
{
	struct fixture *f = *state;
	struct capture c = {0};

	/* No tasks: the processes are the units. */
	f->model.n_tasks = 0;
	f->metrics.unit = COTRACE_UNIT_PROCESS;
	f->metrics.units = 3;
	f->metrics.parallelism = 2.9;
	f->metrics.cpu_parallelism = 1.01;
	capture_render(&cotrace_report_text, f, &c);
	assert_int_equal(c.status, 0);
	assert_contains(c.buf, "Units: 3 processes");
	assert_contains(c.buf, "The trace has no tasks, so each process is "
			       "one unit.");
	assert_contains(c.buf, "Verdict: The 3 processes took turns");
	capture_release(&c);
}

static void
test_text_incomplete_and_hostile(void **state)
{
	struct fixture *f = *state;
	struct capture c = {0};

	/* A name with a terminal escape and invalid UTF-8 must not leak. */
	f->processes[1].name = (char *)"evil\x1b[2J\xff";
	f->processes[2].exit_seen = false;
	f->processes[2].cpu_ns = COTRACE_CPU_NONE;
	f->tasks[1].end_ns = COTRACE_TS_NONE;
	f->tasks[1].cpu_ns = COTRACE_CPU_NONE;
	f->model.lost_events = 12;
	f->model.n_lost = 1;
	capture_render(&cotrace_report_text, f, &c);
	assert_int_equal(c.status, 0);
	assert_not_contains(c.buf, "\x1b");
	assert_not_contains(c.buf, "\xff");
	assert_contains(c.buf, "pid 101 evil?[2J?");
	assert_contains(c.buf, "CPU ?  exit ?  [incomplete: exit not seen]");
	assert_contains(c.buf, "wall ?  CPU ?  [unfinished]");
	assert_contains(c.buf, "Lost events: 12");
	capture_release(&c);
}

static void
test_text_parent_cycle(void **state)
{
	struct fixture *f = *state;
	struct capture c = {0};

	/* A model bug or pid reuse must not hang the tree or lose a process. */
	f->processes[0].parent = 2;
	f->processes[1].parent = 0;
	f->processes[2].parent = 1;
	capture_render(&cotrace_report_text, f, &c);
	assert_int_equal(c.status, 0);
	assert_contains(c.buf, "pid 100 ");
	assert_contains(c.buf, "pid 101 ");
	assert_contains(c.buf, "pid 102 ");
	capture_release(&c);
}

static void
test_text_empty(void **state)
{
	struct fixture f;
	struct capture c = {0};

	(void)state;
	memset(&f, 0, sizeof(f));
	f.model.first_ns = COTRACE_TS_NONE;
	f.model.last_ns = COTRACE_TS_NONE;
	f.metrics.unit = COTRACE_UNIT_PROCESS;
	f.metrics.start_ns = COTRACE_TS_NONE;
	f.metrics.end_ns = COTRACE_TS_NONE;
	capture_render(&cotrace_report_text, &f, &c);
	assert_int_equal(c.status, 0);
	assert_contains(c.buf, "No process was recorded.");
	assert_contains(c.buf, "nothing to compare");
	assert_contains(c.buf, "No thread-local storage accesses were "
			       "recorded.");
	assert_contains(c.buf, "Warnings: none");
	capture_release(&c);

	capture_render(&cotrace_report_json, &f, &c);
	assert_int_equal(c.status, 0);
	assert_contains(c.buf, "\"processes\": []");
	assert_contains(c.buf, "\"start_ns\": null");
	capture_release(&c);
}

static void
test_render_write_error(void **state)
{
	struct fixture *f = *state;
	FILE *out = fopen("/dev/full", "w");

	if (!out) {
		skip();
	}
	assert_int_equal(
			cotrace_report_text.render(out, &f->model, &f->metrics),
			-ENOSPC);
	clearerr(out);
	assert_int_equal(
			cotrace_report_json.render(out, &f->model, &f->metrics),
			-ENOSPC);
	fclose(out);
}

/* ---- TLS check ---- */

static void
test_tls_shared_slot(void **state)
{
	struct fixture *f = *state;
	struct cotrace_tls_check check;
	char sentence[512];

	/* Threads 101 and 102 in one process, one address: a shared slot. */
	f->threads[2].process = 1;
	assert_int_equal(cotrace_report_tls_check(&f->model, &check), 0);
	assert_true(check.shared);
	assert_int_equal(check.shared_pid, 101);
	assert_int_equal(check.shared_addr, 0x7f3a5c1ff6f8);
	cotrace_report_tls_sentence(&check, sentence, sizeof(sentence));
	assert_contains(sentence,
			"Not every thread had its own slot: threads "
			"101 and 102 of pid 101 both wrote key 'value' at "
			"0x7f3a5c1ff6f8");
}

static void
test_tls_value_changed(void **state)
{
	struct fixture *f = *state;
	struct cotrace_tls_check check;
	char sentence[512];

	f->tls[1][1].value = (char *)"102";
	assert_int_equal(cotrace_report_tls_check(&f->model, &check), 0);
	assert_false(check.shared);
	assert_true(check.changed);
	cotrace_report_tls_sentence(&check, sentence, sizeof(sentence));
	assert_contains(sentence, "thread 101 of pid 101 wrote '101' to key "
				  "'value' but read back '102'");
}

/* ---- JSON ---- */

static void
test_json_report(void **state)
{
	struct fixture *f = *state;
	struct capture c = {0};

	f->processes[2].exit_seen = false;
	f->processes[2].cpu_ns = COTRACE_CPU_NONE;
	f->processes[0].ppid = -1;
	f->threads[0].name = (char *)"bad\"name\n\xfe";
	capture_render(&cotrace_report_json, f, &c);
	assert_int_equal(c.status, 0);
	assert_true(c.buf[0] == '{');
	assert_contains(c.buf, "\"trace\": {");
	assert_contains(c.buf, "\"paths\": [\n      "
			       "\"/tmp/trace/ust/uid/0/64-bit\"\n    ]");
	assert_contains(c.buf, "\"events\": 1234");
	assert_contains(c.buf, "\"lost_events\": 0");
	assert_contains(c.buf, "\"unit\": \"task\"");
	assert_contains(c.buf, "\"units\": 2");
	assert_contains(c.buf, "\"span_ns\": 1181000000");
	assert_contains(c.buf, "\"busy_ns\": 2360000000");
	assert_contains(c.buf, "\"cpu_ns\": 2358000000");
	assert_contains(c.buf, "\"parallelism\": 1.9983065198983911");
	assert_contains(c.buf, "\"max_concurrency\": 2");
	assert_contains(c.buf, "\"kind\": \"parallel\"");
	assert_contains(c.buf, "\"ppid\": null");
	assert_contains(c.buf, "\"exit_status\": null");
	assert_contains(c.buf, "\"complete\": false");
	assert_contains(c.buf, "\"start_ns\": 1700000000000000000");
	assert_contains(c.buf, "\"pthread_id\": 139888630429504");
	assert_contains(c.buf, "\"name\": \"bad\\\"name\\n\\ufffd\"");
	assert_contains(c.buf, "\"key\": \"value\",\n");
	assert_contains(c.buf, "\"addr\": 139888630429432");
	assert_contains(c.buf, "\"child_ret\": null");
	assert_contains(c.buf, "\"child_pid\": 103");
	assert_contains(c.buf, "\"alive_tids\": [\n        104\n");
	assert_contains(c.buf, "\"own_slots\": true");
	assert_contains(c.buf, "\"kind\": \"fork-child-missing\"");
	assert_contains(c.buf, "\"ts_ns\": null");
	assert_contains(c.buf, "\"overlap_ns\": 1198000000");
	/* One object, closed, then a newline. */
	assert_string_equal(c.buf + c.len - 2, "}\n");
	capture_release(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_json_escapes),
			cmocka_unit_test(test_json_structure),
			cmocka_unit_test(test_json_misuse),
			cmocka_unit_test(test_json_write_error),
			cmocka_unit_test(test_format_find),
			cmocka_unit_test(test_duration_format),
			cmocka_unit_test(test_text_empty),
			cmocka_unit_test_setup_teardown(test_text_parallel,
					setup_parallel, teardown),
			cmocka_unit_test_setup_teardown(test_verdicts,
					setup_parallel, teardown),
			cmocka_unit_test_setup_teardown(
					test_text_gil_and_processes,
					setup_parallel, teardown),
			cmocka_unit_test_setup_teardown(
					test_text_incomplete_and_hostile,
					setup_parallel, teardown),
			cmocka_unit_test_setup_teardown(test_text_parent_cycle,
					setup_parallel, teardown),
			cmocka_unit_test_setup_teardown(test_render_write_error,
					setup_parallel, teardown),
			cmocka_unit_test_setup_teardown(test_tls_shared_slot,
					setup_parallel, teardown),
			cmocka_unit_test_setup_teardown(test_tls_value_changed,
					setup_parallel, teardown),
			cmocka_unit_test_setup_teardown(test_json_report,
					setup_parallel, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
