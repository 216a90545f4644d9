/*
 * The `cotrace check` language: the parser (every operator, name, unit,
 * precedence, and the position of every kind of error) and the evaluator
 * on models filled by hand (no model.c, no metrics.c), so that the figures
 * asserted here are the ones the fixtures state.
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

#include "check-eval.h"
#include "check-expr.h"

#define T0 INT64_C(1700000000000000000)
#define MS INT64_C(1000000)

#define assert_contains(haystack, needle)                                      \
	do {                                                                   \
		if (!strstr((haystack), (needle))) {                           \
			fail_msg("missing \"%s\" in:\n%s", (needle),           \
					(haystack));                           \
		}                                                              \
	} while (0)

/* ---- parsing ---- */

static struct cotrace_check_expr *
parse_ok(const char *text)
{
	struct cotrace_check_expr *e = NULL;
	struct cotrace_check_error err;
	int rc = cotrace_check_parse(text, &e, &err);

	if (rc) {
		fail_msg("'%s' did not parse: column %zu: %s", text,
				cotrace_check_column(text, err.offset),
				err.message);
	}
	assert_non_null(e);
	return e;
}

/* `text` is refused at `column` (1-based) with a message holding `needle`. */
static void
parse_error(const char *text, size_t column, const char *needle)
{
	struct cotrace_check_expr *e = NULL;
	struct cotrace_check_error err;
	int rc = cotrace_check_parse(text, &e, &err);

	if (rc != -EINVAL) {
		fail_msg("'%s' parsed, but it should not", text);
	}
	assert_null(e);
	if (cotrace_check_column(text, err.offset) != column) {
		fail_msg("'%s': error at column %zu, expected %zu (%s)", text,
				cotrace_check_column(text, err.offset), column,
				err.message);
	}
	assert_contains(err.message, needle);
}

static void
test_parse_operators(void **state)
{
	static const struct {
		const char *text;
		enum cotrace_check_op op;
	} cases[] = {
			{"processes == 3", COTRACE_CHECK_EQ},
			{"processes != 3", COTRACE_CHECK_NE},
			{"processes < 3", COTRACE_CHECK_LT},
			{"processes <= 3", COTRACE_CHECK_LE},
			{"processes > 3", COTRACE_CHECK_GT},
			{"processes >= 3", COTRACE_CHECK_GE},
			{"processes>=3", COTRACE_CHECK_GE},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cotrace_check_expr *e = parse_ok(cases[i].text);

		assert_int_equal(e->root->kind, COTRACE_CHECK_COMPARE);
		assert_int_equal(e->root->op, cases[i].op);
		assert_int_equal(e->root->left->kind, COTRACE_CHECK_SCALAR);
		assert_int_equal(e->root->left->scalar,
				COTRACE_CHECK_S_PROCESSES);
		assert_int_equal(e->root->right->kind, COTRACE_CHECK_LITERAL);
		assert_int_equal(e->root->right->integer, 3);
		cotrace_check_expr_destroy(e);
	}
}

/* The literal on the right of `text`. */
static void
check_literal(const char *text, enum cotrace_check_type type, int64_t integer,
		double number)
{
	struct cotrace_check_expr *e = parse_ok(text);
	const struct cotrace_check_node *lit = e->root->right;

	assert_int_equal(lit->kind, COTRACE_CHECK_LITERAL);
	assert_int_equal(lit->type, type);
	if (type == COTRACE_CHECK_DURATION || type == COTRACE_CHECK_COUNT) {
		assert_int_equal(lit->integer, integer);
	} else {
		assert_true(fabs(lit->number - number) < 1e-12);
	}
	cotrace_check_expr_destroy(e);
}

static void
test_parse_units(void **state)
{
	(void)state;
	check_literal("span <= 1500ms", COTRACE_CHECK_DURATION, 1500 * MS, 0);
	check_literal("span <= 1.5s", COTRACE_CHECK_DURATION, 1500 * MS, 0);
	check_literal("span <= 1500000us", COTRACE_CHECK_DURATION, 1500 * MS,
			0);
	check_literal("span <= 1500000000ns", COTRACE_CHECK_DURATION, 1500 * MS,
			0);
	check_literal("span <= 400 ms", COTRACE_CHECK_DURATION, 400 * MS, 0);
	check_literal("span <= 0.25 s", COTRACE_CHECK_DURATION, 250 * MS, 0);
	/* 0 needs no unit. */
	check_literal("span > 0", COTRACE_CHECK_COUNT, 0, 0);
	check_literal("overlap(task:1, task:2) >= 80%", COTRACE_CHECK_RATIO, 0,
			0.8);
	check_literal("overlap(task:1, task:2) >= 0.8", COTRACE_CHECK_NUMBER, 0,
			0.8);
	check_literal("cpu_parallelism >= 160%", COTRACE_CHECK_RATIO, 0, 1.6);
	check_literal("cpu_parallelism >= 1.6", COTRACE_CHECK_NUMBER, 0, 1.6);
	check_literal("forks.child_ret != -1", COTRACE_CHECK_COUNT, -1, 0);
	check_literal("processes.complete == true", COTRACE_CHECK_BOOL, 0, 0);
}

static void
test_parse_names(void **state)
{
	static const char *const ok[] = {
			/* scalars */
			"processes == 3",
			"threads == 3",
			"tasks == 2",
			"forks == 2",
			"units == 2",
			"span < 2s",
			"busy > 1s",
			"cpu > 1s",
			"parallelism > 1.5",
			"cpu_parallelism >= 1.6",
			"max_concurrency <= 1",
			"lost_events == 0",
			"warnings == 0",
			/* processes */
			"processes.pid > 0",
			"processes.ppid > 0",
			"processes.name == \"cotrace-demo\"",
			"processes.exit_status == 0",
			"processes.complete",
			"processes.start_seen",
			"processes.exit_seen",
			"not processes.fork_child",
			"processes.threads == 1",
			"processes.tasks <= 1",
			"processes.duration < 2s",
			"processes.cpu < 2s",
			"processes.start >= 0",
			"processes.end < 10s",
			/* threads */
			"threads.tid > 0",
			"threads.pid > 0",
			"threads.name != \"x\"",
			"threads.duration < 2s",
			"threads.cpu < 2s",
			"threads.start >= 0",
			"threads.end >= 0",
			"threads.start_seen",
			"threads.exit_seen",
			"threads.tls_writes >= 0",
			"threads.tls_reads >= 0",
			"threads.tls_distinct",
			"threads.tls_own_value",
			/* tasks */
			"tasks.id > 0",
			"tasks.pid > 0",
			"tasks.tid > 0",
			"tasks.label == \"cpu_task\"",
			"tasks.duration > 1ms",
			"tasks.cpu >= 400ms",
			"tasks.start >= 0",
			"tasks.end >= 0",
			"tasks.finished",
			/* forks */
			"forks.parent_pid > 0",
			"forks.child_pid > 0",
			"forks.parent_ret == forks.child_pid",
			"forks.child_ret == 0",
			"forks.threads_alive == 1",
			"forks.child_seen",
			/* warnings */
			"warnings.kind != \"pid-reused\"",
			"warnings.pid > 0",
			"warnings.tid > 0",
			/* functions and references */
			"overlap(task:1, task:2) >= 80%",
			"overlap(process:child1, process:child2) >= 80%",
			"overlap(process:#2, process:#3) > 0.5",
			"overlap(thread:worker-1, thread:\"worker-2\") > 0",
			"overlap_time(process:101, task:cpu_task) > 10ms",
			"duration(task:1) < 2s",
			"cpu(task:#1) >= 400ms",
			"exit_status(process:child2) == 0",
			"threads_alive(fork:#1) == 1",
			"threads_alive(fork:1) == 1",
			"tls_own_value(thread:worker-1)",
			"count(tasks) == 2",
			"count(tasks where cpu >= 400ms) == 2",
			("count(tasks where tasks.cpu >= 400ms and label == "
			 "\"cpu_task\") >= 1"),
			"count(warnings where kind == \"fork-with-threads\") "
			"== 0",
			"any(forks.threads_alive > 1)",
			"all(tasks.cpu >= 400ms or tasks.label == \"idle\")",
			"any(forks.threads_alive > 1 and forks.child_ret == 0)",
			/* warnings and booleans */
			"no warning fork-with-threads",
			"warning child-abnormal-exit",
			"no warnings",
			"true",
			"not false",
			/* comments */
			"processes == 3 # the parent and two children",
			"overlap(process:#2, process:#3) > 0 # ordinals",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cotrace_check_expr_destroy(parse_ok(ok[i]));
	}
}

static void
test_parse_references(void **state)
{
	struct cotrace_check_expr *e;

	(void)state;
	e = parse_ok("overlap(process:child1, process:#3) >= 80%");
	assert_int_equal(e->root->left->kind, COTRACE_CHECK_OVERLAP);
	assert_int_equal(e->root->left->ref[0].kind, COTRACE_CHECK_PROCESSES);
	assert_int_equal(e->root->left->ref[0].by, COTRACE_CHECK_BY_CHILD);
	assert_int_equal(e->root->left->ref[0].number, 1);
	assert_int_equal(e->root->left->ref[1].by, COTRACE_CHECK_BY_ORDINAL);
	assert_int_equal(e->root->left->ref[1].number, 3);
	cotrace_check_expr_destroy(e);

	e = parse_ok("cpu(thread:\"a b\") > 0 and cpu(task:7) > 0");
	assert_int_equal(e->root->kind, COTRACE_CHECK_AND);
	assert_int_equal(e->root->left->left->ref[0].by, COTRACE_CHECK_BY_NAME);
	assert_string_equal(e->root->left->left->ref[0].name, "a b");
	assert_int_equal(e->root->right->left->ref[0].by, COTRACE_CHECK_BY_ID);
	assert_int_equal(e->root->right->left->ref[0].number, 7);
	cotrace_check_expr_destroy(e);

	/* Forks have no id: fork:2 is the second. */
	e = parse_ok("threads_alive(fork:2) == 1");
	assert_int_equal(e->root->left->ref[0].by, COTRACE_CHECK_BY_ORDINAL);
	assert_int_equal(e->root->left->ref[0].number, 2);
	cotrace_check_expr_destroy(e);
}

static void
test_parse_precedence(void **state)
{
	struct cotrace_check_expr *e;
	const struct cotrace_check_node *r;

	(void)state;
	/* not > and > or */
	e = parse_ok("not forks == 1 or tasks == 2 and threads == 3");
	r = e->root;
	assert_int_equal(r->kind, COTRACE_CHECK_OR);
	assert_int_equal(r->left->kind, COTRACE_CHECK_NOT);
	assert_int_equal(r->left->left->kind, COTRACE_CHECK_COMPARE);
	assert_int_equal(r->right->kind, COTRACE_CHECK_AND);
	cotrace_check_expr_destroy(e);

	/* Parentheses override, and belong to the node's text. */
	e = parse_ok("(forks == 1 or tasks == 2) and threads == 3");
	r = e->root;
	assert_int_equal(r->kind, COTRACE_CHECK_AND);
	assert_int_equal(r->left->kind, COTRACE_CHECK_OR);
	assert_int_equal(r->left->offset, 0);
	assert_int_equal(r->left->length, 26);
	cotrace_check_expr_destroy(e);

	/* and / or associate to the left */
	e = parse_ok("forks == 1 and tasks == 2 and threads == 3");
	assert_int_equal(e->root->kind, COTRACE_CHECK_AND);
	assert_int_equal(e->root->left->kind, COTRACE_CHECK_AND);
	cotrace_check_expr_destroy(e);

	/* A comparison walks the collection it names; any() binds its own. */
	e = parse_ok("any(forks.threads_alive > 1) and tasks.cpu > 1s");
	assert_int_equal(e->root->left->kind, COTRACE_CHECK_ANY);
	assert_int_equal(e->root->left->collection, COTRACE_CHECK_FORKS);
	assert_int_equal(e->root->left->left->collection,
			COTRACE_CHECK_NO_COLLECTION);
	assert_int_equal(e->root->right->collection, COTRACE_CHECK_TASKS);
	cotrace_check_expr_destroy(e);
}

static void
test_parse_errors(void **state)
{
	(void)state;
	/* empty */
	parse_error("", 1, "empty expectation");
	parse_error("   ", 4, "empty expectation");
	parse_error("# only a comment", 17, "empty expectation");
	/* unknown names, with a suggestion when one is close */
	parse_error("procesess == 3", 1, "unknown name 'procesess'");
	parse_error("procesess == 3", 1, "did you mean 'processes'?");
	parse_error("processes == 3 and bogus > 1", 20, "unknown name 'bogus'");
	parse_error("tasks.cpus > 1s", 7, "no field 'cpus'");
	parse_error("tasks.cpus > 1s", 7, "did you mean 'cpu'?");
	parse_error("frok(task:1) > 1", 1, "unknown function 'frok'");
	parse_error("no warning fork-with-thread", 12,
			"did you mean 'fork-with-threads'?");
	parse_error("cpu(fork:#1) > 1s", 1, "a fork has no field 'cpu'");
	parse_error("overlap(tasks:1, task:2) > 0", 9, "write 'task:'");
	parse_error("span.x > 1", 1, "not a collection");
	/* missing operands */
	parse_error("cpu_parallelism >=", 19, "missing a value after '>='");
	parse_error(">= 1.6", 1, "missing value before '>='");
	parse_error("processes == 3 and", 19,
			"missing a condition after 'and'");
	parse_error("processes == 3 or", 18, "missing a condition after 'or'");
	parse_error("not", 4, "missing a condition after 'not'");
	parse_error("processes == and", 14, "missing a value after '=='");
	parse_error("overlap(task:1) > 50%", 15, "takes two references");
	parse_error("cpu(task:) > 1s", 10, "expected what to select");
	parse_error("cpu(process: #2) > 1s", 14, "right after ':'");
	/* bad numbers */
	parse_error("span > 1.2.3s", 8, "bad number '1.2.3'");
	parse_error("span > 12abc", 8, "'abc' is not a unit");
	parse_error("span > 1.s", 8, "digits after the point");
	parse_error("cpu_parallelism > .5", 19, "write a digit before");
	parse_error("processes == 3x", 14, "'x' is not a unit");
	parse_error("span > 1e9ns", 8, "is not a unit");
	/* unbalanced parentheses */
	parse_error("(processes == 3", 1, "never closed");
	parse_error("((processes == 3) and forks == 1", 1, "never closed");
	parse_error("processes == 3)", 15, "unmatched ')'");
	parse_error("()", 2, "missing a condition after '('");
	parse_error("count(tasks where cpu > 1s", 6, "never closed");
	parse_error("count(tasks where cpu > 1s == 2", 28, "do not chain");
	/* trailing garbage */
	parse_error("processes == 3 foo", 16, "unexpected 'foo'");
	parse_error("processes == 3 3", 16, "unexpected '3'");
	parse_error("1 < processes < 3", 15, "do not chain");
	/* lexical slips */
	parse_error("processes = 3", 11, "write '=='");
	parse_error("processes == 3 && forks == 1", 16, "write 'and'");
	parse_error("processes == 3 || forks == 1", 16, "write 'or'");
	parse_error("!processes.complete", 1, "write 'not'");
	parse_error("processes == 3 @", 16, "unexpected character '@'");
	parse_error("processes.name == \"abc", 19, "never closed");
	parse_error("processes.name == \"a\\nb\"", 21, "unknown escape");
	/* types */
	parse_error("span > 2", 8, "give 2 a unit");
	parse_error("parallelism > 2ms", 15, "drop the unit");
	parse_error("processes == 80%", 14, "percentage");
	parse_error("processes.complete == 1", 23, "cannot compare");
	parse_error("processes.complete < true", 1, "only with == and !=");
	parse_error("processes.name < \"a\"", 1, "only with == and !=");
	parse_error("span", 1, "not a condition");
	parse_error("tasks.cpu > processes.cpu", 1, "walks one collection");
	parse_error("any(processes == 3)", 1, "needs a collection field");
	parse_error("any(tasks.cpu > 1s and forks.child_ret == 0)", 1,
			"walks one collection");
	parse_error("task:1 > 0", 1, "not a value");
	parse_error("overlap(fork:1, task:1) > 0", 9, "a fork is an instant");
	parse_error("count(task) == 1", 7, "missing a collection");
	parse_error("any > 1", 1, "not a value");
}

static void
test_columns_and_caret(void **state)
{
	struct cotrace_check_error err = {.offset = 4, .length = 3};
	char buf[64];

	(void)state;
	/* Characters, not bytes: "é" is one column. */
	assert_int_equal(cotrace_check_column("\xc3\xa9"
					      "ab",
					 2),
			2);
	assert_int_equal(cotrace_check_column("abc", 0), 1);
	cotrace_check_caret_line("abc foo bar", &err, buf, sizeof(buf));
	assert_string_equal(buf, "    ^~~");
	/* A tab stays a tab, so the caret lines up in a terminal. */
	err.offset = 2;
	err.length = 1;
	cotrace_check_caret_line("\tx y", &err, buf, sizeof(buf));
	assert_string_equal(buf, "\t ^");
	assert_true(cotrace_check_line_is_blank("   "));
	assert_true(cotrace_check_line_is_blank("  # comment"));
	assert_false(cotrace_check_line_is_blank(" processes == 1"));
}

/* ---- evaluation on hand-built models ---- */

struct fixture {
	struct cotrace_model model;
	struct cotrace_metrics metrics;
	struct cotrace_process processes[4];
	struct cotrace_thread threads[4];
	struct cotrace_task tasks[3];
	struct cotrace_fork forks[3];
	struct cotrace_warning warnings[2];
	struct cotrace_tls_access tls[4][3];
	int64_t profile[3];
	struct cotrace_check_context *ctx;
};

static void
set_process(struct fixture *f, size_t i, int64_t pid, int64_t ppid,
		size_t parent, int64_t start, int64_t end, uint64_t cpu)
{
	struct cotrace_process *p = &f->processes[i];

	p->pid = pid;
	p->ppid = ppid;
	p->name = (char *)"cotrace-demo";
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
		const char *name)
{
	struct cotrace_thread *t = &f->threads[i];

	t->tid = tid;
	t->process = process;
	t->pthread_id = UINT64_C(0x7f0000001000) + i;
	t->name = (char *)name;
	t->start_ns = f->processes[process].start_ns;
	t->end_ns = f->processes[process].end_ns;
	t->start_seen = true;
	t->exit_seen = true;
	t->cpu_ns = 10 * MS;
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

static int
make_context(struct fixture *f)
{
	return cotrace_check_context_create(&f->model, &f->metrics, &f->ctx);
}

/*
 * The parallel lesson: pid 100 forks 101 and 102; task 1 runs in 101 over
 * [100 ms, 1100 ms), task 2 in 102 over [300 ms, 1300 ms), 950 ms of CPU
 * each; a third fork's child (103) never appeared. So: span 1200 ms, busy
 * 2000 ms, cpu 1900 ms, parallelism 1.667, cpu_parallelism 1.583, the tasks
 * overlap over 800 ms = 80% of the shorter one.
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
	set_process(f, 0, 100, 1, SIZE_MAX, T0, T0 + 1344 * MS, 5 * MS);
	set_process(f, 1, 101, 100, 0, T0 + 1 * MS, T0 + 1200 * MS, 960 * MS);
	set_process(f, 2, 102, 100, 0, T0 + 2 * MS, T0 + 1320 * MS, 961 * MS);
	m->processes = f->processes;
	m->n_processes = 3;

	set_thread(f, 0, 100, 0, "cotrace-demo");
	set_thread(f, 1, 101, 1, "worker-1");
	set_thread(f, 2, 102, 2, "worker-2");
	add_tls(f, 1, "value", "101", UINT64_C(0x7f3a5c1ff6f8), false);
	add_tls(f, 1, "value", "101", UINT64_C(0x7f3a5c1ff6f8), true);
	add_tls(f, 2, "value", "102", UINT64_C(0x7f3a5c1ff6f8), false);
	add_tls(f, 2, "value", "102", UINT64_C(0x7f3a5c1ff6f8), true);
	m->threads = f->threads;
	m->n_threads = 3;

	set_task(f, 0, 1, 1, 1, T0 + 100 * MS, T0 + 1100 * MS, 950 * MS);
	set_task(f, 1, 2, 2, 2, T0 + 300 * MS, T0 + 1300 * MS, 950 * MS);
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
	/* Listed out of time order: fork:#2 is by time, not by index. */
	f->forks[2] = (struct cotrace_fork){.parent = 0,
			.child = 2,
			.parent_pid = 100,
			.child_pid = 102,
			.ts_ns = T0 + MS,
			.threads_alive = 2,
			.parent_ret = 102,
			.child_ret = 0};
	f->forks[1] = (struct cotrace_fork){.parent = 0,
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
					   "thread was alive.",
			.pid = 100,
			.tid = 100,
			.ts_ns = T0 + MS};
	m->warnings = f->warnings;
	m->n_warnings = 2;
	m->first_ns = T0;
	m->last_ns = T0 + 1344 * MS;
	m->finished = true;

	mt->unit = COTRACE_UNIT_TASK;
	mt->units = 2;
	mt->start_ns = T0 + 100 * MS;
	mt->end_ns = T0 + 1300 * MS;
	mt->span_ns = 1200 * MS;
	mt->busy_ns = 2000 * MS;
	mt->cpu_ns = 1900 * MS;
	mt->parallelism = 2000.0 / 1200.0;
	mt->cpu_parallelism = 1900.0 / 1200.0;
	mt->max_concurrency = 2;
	f->profile[0] = 0;
	f->profile[1] = 400 * MS;
	f->profile[2] = 800 * MS;
	mt->profile_ns = f->profile;
	if (make_context(f)) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

/* One process, one thread, nothing else: every collection but two is empty. */
static int
setup_empty(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f) {
		return -1;
	}
	set_process(f, 0, 300, 1, SIZE_MAX, T0, T0 + 50 * MS, 40 * MS);
	f->processes[0].name = (char *)"single";
	f->model.processes = f->processes;
	f->model.n_processes = 1;
	set_thread(f, 0, 300, 0, "single");
	f->model.threads = f->threads;
	f->model.n_threads = 1;
	f->model.first_ns = T0;
	f->model.finished = true;
	f->metrics.unit = COTRACE_UNIT_PROCESS;
	f->metrics.units = 1;
	f->metrics.span_ns = 50 * MS;
	f->metrics.busy_ns = 50 * MS;
	f->metrics.cpu_ns = 40 * MS;
	f->metrics.parallelism = 1.0;
	f->metrics.cpu_parallelism = 0.8;
	f->metrics.max_concurrency = 1;
	if (make_context(f)) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

/*
 * Thread-local storage gone wrong in one process (pid 200): alpha and beta
 * both write key x at 0x5000, and beta reads back 9 after writing 2; gamma
 * has its own slot and reads its own value. The main thread writes none.
 */
static int
setup_tls(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f) {
		return -1;
	}
	set_process(f, 0, 200, 1, SIZE_MAX, T0, T0 + 10 * MS, 9 * MS);
	f->model.processes = f->processes;
	f->model.n_processes = 1;
	set_thread(f, 0, 200, 0, "main");
	set_thread(f, 1, 201, 0, "alpha");
	set_thread(f, 2, 202, 0, "beta");
	set_thread(f, 3, 203, 0, "gamma");
	add_tls(f, 1, "x", "1", 0x5000, false);
	add_tls(f, 1, "x", "1", 0x5000, true);
	add_tls(f, 2, "x", "2", 0x5000, false);
	add_tls(f, 2, "x", "9", 0x5000, true);
	add_tls(f, 3, "x", "3", 0x6000, false);
	add_tls(f, 3, "x", "3", 0x6000, true);
	f->model.threads = f->threads;
	f->model.n_threads = 4;
	f->model.first_ns = T0;
	f->model.finished = true;
	f->metrics.unit = COTRACE_UNIT_PROCESS;
	f->metrics.units = 1;
	if (make_context(f)) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	cotrace_check_context_destroy(f->ctx);
	free(f);
	return 0;
}

/* Evaluates `text`; the caller releases the result. */
static struct cotrace_check_result
eval(struct fixture *f, const char *text)
{
	struct cotrace_check_expr *e = parse_ok(text);
	struct cotrace_check_result r;

	assert_int_equal(cotrace_check_evaluate(f->ctx, e, &r), 0);
	cotrace_check_expr_destroy(e);
	assert_non_null(r.expected);
	assert_non_null(r.measured);
	assert_non_null(r.message);
	return r;
}

static void
expect_holds(struct fixture *f, const char *text)
{
	struct cotrace_check_result r = eval(f, text);

	if (!r.holds) {
		fail_msg("'%s' should hold: %s", text, r.message);
	}
	assert_false(r.vacuous);
	assert_string_equal(r.message, "holds");
	cotrace_check_result_release(&r);
}

static void
expect_fails(struct fixture *f, const char *text)
{
	struct cotrace_check_result r = eval(f, text);

	if (r.holds) {
		fail_msg("'%s' should fail (measured %s)", text, r.measured);
	}
	assert_true(strlen(r.message) > 20);
	cotrace_check_result_release(&r);
}

/* `text` gives exactly these expected and measured texts. */
static void
expect_figures(struct fixture *f, const char *text, bool holds,
		const char *expected, const char *measured)
{
	struct cotrace_check_result r = eval(f, text);

	if (r.holds != holds) {
		fail_msg("'%s' %s: %s", text, r.holds ? "held" : "failed",
				r.message);
	}
	assert_string_equal(r.expected, expected);
	assert_string_equal(r.measured, measured);
	cotrace_check_result_release(&r);
}

/* `text` fails with a message that holds `needle`. */
static void
expect_message(struct fixture *f, const char *text, const char *needle)
{
	struct cotrace_check_result r = eval(f, text);

	if (r.holds) {
		fail_msg("'%s' should fail (measured %s)", text, r.measured);
	}
	assert_contains(r.message, needle);
	cotrace_check_result_release(&r);
}

static void
test_eval_operators(void **state)
{
	struct fixture *f = *state;

	/* processes == 3 in the fixture */
	expect_holds(f, "processes == 3");
	expect_fails(f, "processes == 2");
	expect_holds(f, "processes != 2");
	expect_fails(f, "processes != 3");
	expect_holds(f, "processes < 4");
	expect_fails(f, "processes < 3");
	expect_holds(f, "processes <= 3");
	expect_fails(f, "processes <= 2");
	expect_holds(f, "processes > 2");
	expect_fails(f, "processes > 3");
	expect_holds(f, "processes >= 3");
	expect_fails(f, "processes >= 4");
	/* the literal first reads the other way round */
	expect_holds(f, "4 > processes");
	expect_figures(f, "2 >= processes", false, "<= 2", "3");
	/* and, or, not, parentheses */
	expect_holds(f, "processes == 3 and tasks == 2");
	expect_fails(f, "processes == 3 and tasks == 3");
	expect_holds(f, "processes == 9 or tasks == 2");
	expect_fails(f, "processes == 9 or tasks == 9");
	expect_holds(f, "not processes == 9");
	expect_fails(f, "not processes == 3");
	expect_holds(f, "not (processes == 9 or tasks == 9)");
	expect_holds(f, "true");
	expect_fails(f, "false");
	expect_holds(f, "processes.complete == true");
	expect_holds(f, "processes.complete != false");
}

static void
test_eval_scalars(void **state)
{
	struct fixture *f = *state;

	expect_figures(f, "processes == 3", true, "== 3", "3");
	expect_figures(f, "threads == 3", true, "== 3", "3");
	expect_figures(f, "tasks == 2", true, "== 2", "2");
	expect_figures(f, "forks == 3", true, "== 3", "3");
	expect_figures(f, "units == 2", true, "== 2", "2");
	expect_figures(f, "span == 1200ms", true, "== 1200ms", "1.200 s");
	expect_figures(f, "busy == 2s", true, "== 2s", "2.000 s");
	expect_figures(f, "cpu == 1.9s", true, "== 1.9s", "1.900 s");
	expect_figures(f, "parallelism > 1.66", true, "> 1.66", "1.67");
	expect_figures(f, "cpu_parallelism >= 1.5", true, ">= 1.5", "1.58");
	expect_figures(f, "max_concurrency == 2", true, "== 2", "2");
	expect_figures(f, "lost_events == 0", true, "== 0", "0");
	expect_figures(f, "warnings == 2", true, "== 2", "2");
	/* Never a misleading figure: 1.5833 is not printed "1.58" against
	 * "<= 1.581", nor 1.200 s against 1200000001ns. */
	expect_figures(f, "cpu_parallelism <= 1.581", false, "<= 1.581",
			"1.583");
	expect_figures(f, "parallelism >= 1.667", false, ">= 1.667", "1.6667");
	expect_figures(f, "span == 1200000001ns", false, "== 1200000001ns",
			"1.200 s (1200000000 ns)");
	/* A non-literal right side shows its figure. */
	expect_figures(f, "busy >= span", true, ">= span (1.200 s)", "2.000 s");
}

/* Every field of every collection, with the fixture's figures. */
static void
test_eval_fields(void **state)
{
	static const char *const hold[] = {
			/* processes */
			"processes.pid >= 100 and processes.pid <= 102",
			"ppid(process:child1) == 100",
			"processes.name == \"cotrace-demo\"",
			"exit_status(process:child2) == 0",
			"processes.complete and processes.start_seen and "
			"processes.exit_seen",
			"fork_child(process:child1) and not "
			"fork_child(process:#1)",
			"processes.threads == 1",
			"tasks(process:#1) == 0 and tasks(process:child1) == 1",
			"duration(process:#1) == 1344ms",
			"cpu(process:child1) == 960ms",
			"start(process:child2) == 2ms",
			"end(process:#1) == 1344ms",
			/* threads */
			"tid(thread:worker-1) == 101",
			"pid(thread:worker-2) == 102",
			"name(thread:#1) == \"cotrace-demo\"",
			"duration(thread:worker-1) == 1199ms",
			"threads.cpu == 10ms",
			"start(thread:worker-2) == 2ms",
			"end(thread:worker-2) == 1320ms",
			"threads.start_seen and threads.exit_seen",
			"tls_writes(thread:worker-1) == 1",
			"tls_reads(thread:#1) == 0",
			"tls_distinct(thread:worker-2)",
			"tls_own_value(thread:worker-2)",
			/* tasks */
			"id(task:#2) == 2",
			"pid(task:2) == 102 and tid(task:2) == 102",
			"label(task:1) == \"cpu_task\"",
			"tasks.duration == 1s",
			"tasks.cpu == 950ms",
			"start(task:1) == 100ms and end(task:2) == 1300ms",
			"tasks.finished",
			/* forks, in time order */
			"forks.parent_pid == 100",
			"child_pid(fork:#3) == 103",
			"parent_ret(fork:#2) == 102",
			"child_ret(fork:#1) == 0",
			"threads_alive(fork:#2) == 2",
			"child_seen(fork:#2) and not child_seen(fork:#3)",
			/* warnings */
			"warnings.kind != \"pid-reused\"",
			"warnings.pid == 100",
			"count(warnings where tid == 100) == 1",
	};
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(hold) / sizeof(hold[0]); i++) {
		expect_holds(f, hold[i]);
	}
}

static void
test_eval_messages(void **state)
{
	struct fixture *f = *state;
	struct cotrace_check_result r;

	/* The spec's example: expected, measured, then a hint. */
	r = eval(f, "cpu_parallelism >= 1.6");
	assert_false(r.holds);
	assert_string_equal(r.expected, ">= 1.6");
	assert_string_equal(r.measured, "1.58");
	assert_contains(r.message, "expected cpu_parallelism >= 1.6, measured "
				   "1.58: the work did not run at the same "
				   "time");
	assert_contains(r.message, "one after another");
	cotrace_check_result_release(&r);

	expect_message(f, "max_concurrency <= 1",
			"expected max_concurrency <= 1, measured 2: more "
			"workers ran at the same time than allowed");
	expect_message(f, "processes == 4", "fewer processes than expected");
	expect_message(f, "processes == 2", "more processes than expected");
	expect_message(f, "span <= 1s", "took longer than allowed");
	expect_message(f, "overlap(task:1, task:2) >= 90%",
			"they did not run at the same time");
	/* compounds name the failing part */
	expect_message(f, "processes == 3 and max_concurrency <= 1",
			"expected max_concurrency <= 1, measured 2");
	expect_message(f, "processes == 9 or tasks == 9",
			"neither alternative held");
	expect_message(f, "not processes == 3", "to be false, but it holds");
}

static void
test_eval_collections(void **state)
{
	struct fixture *f = *state;

	/* Implicit "every": the third fork's child never appeared. */
	expect_figures(f, "forks.child_ret == 0", false, "== 0 for every fork",
			"unknown in fork #3 (pid 100 -> 103)");
	expect_message(f, "forks.child_ret == 0",
			"its child never appeared in the trace (1 of 3 forks "
			"failed)");
	expect_holds(f, "forks.parent_ret == forks.child_pid");
	expect_figures(f, "forks.parent_ret == forks.child_pid", true,
			"== forks.child_pid for every fork",
			"holds for all 3 forks");
	expect_figures(f, "tasks.cpu >= 400ms", true, ">= 400ms for every task",
			"950.00 ms (all 2 tasks)");
	expect_figures(f, "tasks.duration >= 1s", true, ">= 1s for every task",
			"1.000 s (all 2 tasks)");
	expect_figures(f, "processes.pid >= 100", true,
			">= 100 for every process", "min 100 (3 processes)");
	expect_figures(f, "processes.pid < 1000", true,
			"< 1000 for every process", "max 102 (3 processes)");
	expect_holds(f, "processes.exit_status == 0");
	expect_holds(f, "processes.complete");
	expect_figures(f, "processes.complete", true, "true for every process",
			"true (all 3 processes)");
	expect_holds(f, "threads.tls_distinct");
	expect_holds(f, "threads.tls_own_value");
	expect_holds(f, "tasks.label == \"cpu_task\"");
	expect_holds(f, "processes.threads == 1");
	/* Each comparison walks on its own; all() walks a whole condition. */
	expect_fails(f, "processes.fork_child or processes.pid == 100");
	expect_holds(f, "all(processes.fork_child or processes.pid == 100)");
	/* The first failing element is named, with how many failed. */
	expect_figures(f, "forks.threads_alive <= 1", false,
			"<= 1 for every fork", "2 in fork #2 (pid 100 -> 102)");
	expect_message(f, "forks.threads_alive <= 1",
			"(1 of 3 forks failed): the program forked while other "
			"threads were alive");
	expect_message(f, "tasks.cpu >= 1s",
			"but task 1 'cpu_task' (pid 101, tid 101) has 950.00 "
			"ms "
			"(2 of 2 tasks failed)");
	/* any(): exists */
	expect_holds(f, "any(forks.threads_alive > 1)");
	expect_figures(f, "any(forks.threads_alive > 1)", true,
			"at least one fork",
			"1 of 3 forks, first fork #2 (pid 100 -> 102)");
	expect_figures(f, "any(forks.threads_alive > 2)", false,
			"at least one fork", "none of the 3 forks has it");
	expect_holds(f, "any(forks.threads_alive > 1 and forks.child_ret == "
			"0)");
	expect_fails(f, "any(forks.threads_alive > 1 and forks.child_ret != "
			"0)");
	/* all(): explicit, over a whole condition */
	expect_holds(f, "all(tasks.cpu >= 900ms or tasks.label == \"idle\")");
	expect_figures(f, "all(forks.child_seen)", false, "every fork",
			"1 of 3 forks failed, first fork #3 (pid 100 -> 103)");
	/* count() */
	expect_holds(f, "count(tasks) == 2");
	expect_holds(f, "count(tasks where cpu >= 900ms) == 2");
	expect_holds(f, "count(tasks where tasks.cpu >= 900ms and pid == 102) "
			"== 1");
	expect_holds(f, "count(forks where child_seen) == 2");
	expect_holds(f, "count(warnings where kind == \"fork-with-threads\") "
			"== 1");
}

static void
test_eval_references(void **state)
{
	struct fixture *f = *state;

	/* task 1 [100, 1100) and task 2 [300, 1300): 800 ms of 1000 ms */
	expect_figures(f, "overlap(task:1, task:2) >= 80%", true, ">= 80%",
			"80.0%");
	expect_holds(f, "overlap(task:1, task:2) < 80.1%");
	expect_holds(f, "overlap(task:#1, task:#2) > 0.79");
	expect_figures(f, "overlap_time(task:1, task:2) == 800ms", true,
			"== 800ms", "800.00 ms");
	/* Processes: the span of their tasks, as the report's overlaps. */
	expect_holds(f, "overlap(process:child1, process:child2) >= 80%");
	expect_holds(f, "overlap(process:101, process:#3) >= 80%");
	/* Threads: their lives, [1, 1200) and [2, 1320) */
	expect_figures(f, "overlap(thread:worker-1, thread:\"worker-2\") > 99%",
			true, "> 99%", "99.9%");
	expect_holds(f, "duration(task:#2) == 1s");
	expect_holds(f, "cpu(task:1) == 950ms");
	expect_holds(f, "start(task:2) == 300ms");
	expect_holds(f, "end(task:1) == 1100ms");
	expect_holds(f, "exit_status(process:child2) == 0");
	expect_holds(f, "pid(process:#1) == 100");
	expect_holds(f, "threads_alive(fork:#2) == 2");
	expect_holds(f, "child_pid(fork:3) == 103");
	expect_holds(f, "tls_own_value(thread:worker-1)");
	/* References to nothing, or to several things, fail and say why. */
	expect_message(f, "cpu(task:9) > 0",
			"task:9 names nothing: no task "
			"has that id");
	expect_message(f, "cpu(task:#3) > 0", "the trace has 2 tasks");
	expect_message(f,
			"duration(process:child2) > 0 and "
			"duration(process:child3) > 0",
			"process:child3, the child of the 3rd fork (pid 100 -> "
			"103), never appeared in the trace");
	expect_message(f, "cpu(process:cotrace-demo) > 0",
			"is ambiguous: 3 processes match");
	expect_message(f, "cpu(thread:nobody) > 0", "no thread has that name");
	expect_message(f, "overlap(task:1, task:7) > 0",
			"task:7 names nothing");
}

static void
test_eval_warnings(void **state)
{
	struct fixture *f = *state;

	expect_holds(f, "warning fork-child-missing");
	expect_holds(f, "warning fork-with-threads");
	expect_holds(f, "no warning tls-shared-slot");
	expect_figures(f, "no warning tls-shared-slot", true,
			"no tls-shared-slot warning", "none");
	expect_figures(f, "no warning fork-with-threads", false,
			"no fork-with-threads warning", "1");
	expect_message(f, "no warning fork-with-threads",
			"pid 100 forked pid 102 while 1 other thread was "
			"alive. Advice: fork before starting threads");
	expect_message(f, "warning child-abnormal-exit",
			"expected a child-abnormal-exit warning, but the "
			"report has none");
	expect_figures(f, "no warnings", false, "no warnings", "2");
	expect_holds(f, "warnings.pid == 100");
	expect_message(f, "warnings.tid > 0", "the warning names no thread");
}

static void
test_eval_empty(void **state)
{
	struct fixture *f = *state;
	struct cotrace_check_result r;

	/* An empty collection passes vacuously, and says so. */
	r = eval(f, "forks.child_ret == 0");
	assert_true(r.holds);
	assert_true(r.vacuous);
	assert_string_equal(r.measured, "nothing (the trace has no forks)");
	assert_contains(r.message, "holds vacuously: the trace has no forks");
	cotrace_check_result_release(&r);

	r = eval(f, "tasks.cpu >= 400ms and processes == 1");
	assert_true(r.holds);
	assert_true(r.vacuous);
	assert_contains(r.message, "tasks.cpu >= 400ms: holds vacuously: the "
				   "trace has no tasks");
	cotrace_check_result_release(&r);

	/* A field that applies to no element: the same, with the reason. */
	r = eval(f, "threads.tls_distinct");
	assert_true(r.holds);
	assert_true(r.vacuous);
	assert_string_equal(r.measured,
			"nothing (none of the 1 thread wrote thread-local "
			"storage)");
	cotrace_check_result_release(&r);

	r = eval(f, "all(forks.child_seen)");
	assert_true(r.holds);
	assert_true(r.vacuous);
	cotrace_check_result_release(&r);

	/* any() over nothing fails; count() is 0. */
	expect_figures(f, "any(forks.threads_alive > 1)", false,
			"at least one fork",
			"nothing (the trace has no forks)");
	expect_holds(f, "count(forks) == 0");
	expect_holds(f, "forks == 0 and tasks == 0 and warnings == 0");
	expect_holds(f, "no warnings");
	expect_message(f, "overlap(task:1, task:2) > 0",
			"task:1 names nothing: no task has that id");
	expect_message(f, "exit_status(process:child1) == 0",
			"the trace has 0 forks");
	expect_figures(f, "processes.exit_status == 0", true,
			"== 0 for every process", "0 (all 1 process)");
}

static void
test_eval_unknown(void **state)
{
	struct fixture *f = *state;

	/* A process whose exit was not recorded: exit_status, cpu unknown. */
	f->processes[0].exit_seen = false;
	f->processes[0].cpu_ns = COTRACE_CPU_NONE;
	expect_figures(f, "processes.exit_status == 0", false,
			"== 0 for every process",
			"unknown in pid 300 (single)");
	expect_message(f, "processes.exit_status == 0",
			"but for pid 300 (single) it is unknown: its exit was "
			"not recorded");
	/* unknown fails every comparison, != included */
	expect_fails(f, "processes.exit_status != 0");
	expect_message(f, "processes.complete",
			"it is false for pid 300 (single)");
	expect_message(f, "cpu(process:#1) > 0",
			"its exit was not recorded, so its CPU time is "
			"unknown");
	f->processes[0].exit_seen = true;
	f->processes[0].exit_status = 3;
	expect_figures(f, "processes.exit_status == 0", false,
			"== 0 for every process", "3 in pid 300 (single)");
	expect_message(f, "processes.exit_status == 0",
			"does every child end with exit(0)");
}

static void
test_eval_tls(void **state)
{
	struct fixture *f = *state;

	/* main wrote nothing: only alpha, beta and gamma take part. */
	expect_figures(f, "threads.tls_distinct", false,
			"true for every thread",
			"false in thread alpha (tid 201, pid 200)");
	expect_message(f, "threads.tls_distinct",
			"(2 of 3 threads failed): two threads wrote one slot "
			"at "
			"the same address");
	expect_figures(f, "threads.tls_own_value", false,
			"true for every thread",
			"false in thread beta (tid 202, pid 200)");
	expect_message(f, "threads.tls_own_value",
			"a thread read back a value it did not write");
	expect_holds(f, "tls_distinct(thread:gamma)");
	expect_holds(f, "tls_own_value(thread:alpha)");
	expect_holds(f, "count(threads where tls_distinct) == 1");
	expect_holds(f, "count(threads where tls_writes > 0) == 3");
	expect_holds(f, "any(threads.tls_own_value)");
	expect_message(f, "tls_distinct(thread:main)",
			"thread main (tid 200, pid 200) never wrote "
			"thread-local storage");
	expect_holds(f, "threads.tls_writes <= 1 and threads.tls_reads <= 1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_parse_operators),
			cmocka_unit_test(test_parse_units),
			cmocka_unit_test(test_parse_names),
			cmocka_unit_test(test_parse_references),
			cmocka_unit_test(test_parse_precedence),
			cmocka_unit_test(test_parse_errors),
			cmocka_unit_test(test_columns_and_caret),
			cmocka_unit_test_setup_teardown(test_eval_operators,
					setup_parallel, teardown),
			cmocka_unit_test_setup_teardown(test_eval_scalars,
					setup_parallel, teardown),
			cmocka_unit_test_setup_teardown(test_eval_fields,
					setup_parallel, teardown),
			cmocka_unit_test_setup_teardown(test_eval_messages,
					setup_parallel, teardown),
			cmocka_unit_test_setup_teardown(test_eval_collections,
					setup_parallel, teardown),
			cmocka_unit_test_setup_teardown(test_eval_references,
					setup_parallel, teardown),
			cmocka_unit_test_setup_teardown(test_eval_warnings,
					setup_parallel, teardown),
			cmocka_unit_test_setup_teardown(
					test_eval_empty, setup_empty, teardown),
			cmocka_unit_test_setup_teardown(test_eval_unknown,
					setup_empty, teardown),
			cmocka_unit_test_setup_teardown(
					test_eval_tls, setup_tls, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
