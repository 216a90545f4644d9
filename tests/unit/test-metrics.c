/*
 * Unit tests of the metrics: overlap arithmetic, the concurrency profile,
 * parallelism against CPU parallelism, and the degenerate cases.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics.h"
#include "model.h"

#define MS INT64_C(1000000)
#define T0 INT64_C(1700000000000000000)

static struct cotrace_event
base(enum cotrace_event_type type, int64_t ts, int64_t pid, int64_t tid)
{
	struct cotrace_event e = {
		.type = type,
		.ts_ns = ts,
		.pid = pid,
		.tid = tid,
		.ppid = -1,
		.fork_ret = -1,
		.cpu_ns = COTRACE_CPU_NONE,
	};

	return e;
}

static void
add(struct cotrace_model *m, struct cotrace_event e)
{
	assert_int_equal(cotrace_model_add_event(m, &e), 0);
}

static void
process(struct cotrace_model *m, int64_t pid, int64_t start, int64_t end,
		uint64_t cpu)
{
	struct cotrace_event e;

	e = base(COTRACE_EVENT_PROC_START, start, pid, pid);

	e.name = "/bin/worker";
	add(m, e);
	if (end != COTRACE_TS_NONE) {
		e = base(COTRACE_EVENT_PROC_EXIT, end, pid, pid);
		e.cpu_ns = cpu;
		add(m, e);
	}
}

/* A task on (pid, tid) whose thread CPU clock runs from 0 to cpu. */
static void
task(struct cotrace_model *m, int64_t pid, int64_t tid, uint64_t id,
		int64_t start, int64_t end, uint64_t cpu)
{
	struct cotrace_event e;

	e = base(COTRACE_EVENT_TASK_START, start, pid, tid);

	e.task_id = id;
	e.name = "work";
	e.cpu_ns = 1000;
	add(m, e);
	if (end != COTRACE_TS_NONE) {
		e = base(COTRACE_EVENT_TASK_FINISH, end, pid, tid);
		e.task_id = id;
		e.cpu_ns = cpu == COTRACE_CPU_NONE ? cpu : 1000 + cpu;
		add(m, e);
	}
}

struct fixture {
	struct cotrace_model *model;
	struct cotrace_metrics metrics;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f) {
		return -1;
	}
	f->model = cotrace_model_create();
	if (!f->model) {
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

	cotrace_metrics_release(&f->metrics);
	cotrace_model_destroy(f->model);
	free(f);
	return 0;
}

static struct cotrace_metrics *
compute(struct fixture *f)
{
	assert_int_equal(cotrace_model_finish(f->model), 0);
	assert_int_equal(cotrace_metrics_compute(f->model, &f->metrics), 0);
	return &f->metrics;
}

static void
assert_profile_sums_to_span(const struct cotrace_metrics *m)
{
	int64_t sum = 0;
	size_t k;

	for (k = 0; k <= m->max_concurrency; k++) {
		sum += m->profile_ns[k];
	}
	assert_int_equal(sum, m->span_ns);
}

/* ------------------------------------------------------------------ */

static void
test_overlap_arithmetic(void **state)
{
	(void)state;
	/* disjoint */
	assert_int_equal(cotrace_interval_overlap(0, 10, 20, 30), 0);
	assert_int_equal(cotrace_interval_overlap(20, 30, 0, 10), 0);
	/* touching: half-open intervals share no instant */
	assert_int_equal(cotrace_interval_overlap(0, 10, 10, 20), 0);
	assert_int_equal(cotrace_interval_overlap(10, 20, 0, 10), 0);
	/* nested */
	assert_int_equal(cotrace_interval_overlap(0, 100, 20, 30), 10);
	assert_int_equal(cotrace_interval_overlap(20, 30, 0, 100), 10);
	/* identical */
	assert_int_equal(cotrace_interval_overlap(5, 15, 5, 15), 10);
	/* partial */
	assert_int_equal(cotrace_interval_overlap(0, 100, 50, 150), 50);
	assert_int_equal(cotrace_interval_overlap(50, 150, 0, 100), 50);
	/* inverted or empty intervals overlap nothing */
	assert_int_equal(cotrace_interval_overlap(10, 0, 0, 10), 0);
	assert_int_equal(cotrace_interval_overlap(0, 10, 10, 0), 0);
	assert_int_equal(cotrace_interval_overlap(100, 0, 0, 100), 0);
	assert_int_equal(cotrace_interval_overlap(5, 5, 0, 10), 0);
	/* negative times and the extremes, without overflow */
	assert_int_equal(cotrace_interval_overlap(-30, -10, -20, 0), 10);
	assert_int_equal(cotrace_interval_overlap(INT64_MIN, INT64_MAX,
			INT64_MIN, INT64_MAX), INT64_MAX);
	assert_int_equal(cotrace_interval_overlap(INT64_MIN, 0, -5, INT64_MAX),
			5);
}

static void
test_empty_model(void **state)
{
	struct fixture *f = *state;
	const struct cotrace_metrics *m = compute(f);

	assert_int_equal(m->unit, COTRACE_UNIT_PROCESS);
	assert_int_equal(m->units, 0);
	assert_int_equal(m->span_ns, 0);
	assert_int_equal(m->busy_ns, 0);
	assert_int_equal(m->cpu_ns, 0);
	assert_true(m->start_ns == COTRACE_TS_NONE);
	assert_true(m->end_ns == COTRACE_TS_NONE);
	assert_float_equal(m->parallelism, 0.0, 0.0);
	assert_float_equal(m->cpu_parallelism, 0.0, 0.0);
	assert_int_equal(m->max_concurrency, 0);
	assert_non_null(m->profile_ns);
	assert_int_equal(m->profile_ns[0], 0);
	assert_int_equal(m->n_overlaps, 0);
	assert_int_equal(m->units_without_cpu, 0);
}

/* Two units overlapping by half: 100 ms alone, 50 ms together. */
static void
test_profile_half_overlap(void **state)
{
	struct fixture *f = *state;
	const struct cotrace_metrics *m;

	process(f->model, 100, T0, COTRACE_TS_NONE, 0);
	task(f->model, 100, 101, 1, T0, T0 + 100 * MS, 80 * MS);
	task(f->model, 100, 102, 2, T0 + 50 * MS, T0 + 150 * MS, 90 * MS);
	m = compute(f);

	assert_int_equal(m->unit, COTRACE_UNIT_TASK);
	assert_int_equal(m->units, 2);
	assert_int_equal(m->start_ns, T0);
	assert_int_equal(m->end_ns, T0 + 150 * MS);
	assert_int_equal(m->span_ns, 150 * MS);
	assert_int_equal(m->busy_ns, 200 * MS);
	assert_int_equal(m->cpu_ns, 170 * MS);
	assert_int_equal(m->max_concurrency, 2);
	assert_int_equal(m->profile_ns[0], 0);
	assert_int_equal(m->profile_ns[1], 100 * MS);
	assert_int_equal(m->profile_ns[2], 50 * MS);
	assert_float_equal(m->parallelism, 200.0 / 150.0, 1e-12);
	assert_float_equal(m->cpu_parallelism, 170.0 / 150.0, 1e-12);
}

/* Gaps count in profile[0]; touching units never run together. */
static void
test_profile_gaps_and_touching(void **state)
{
	struct fixture *f = *state;
	const struct cotrace_metrics *m;

	task(f->model, 100, 100, 1, T0, T0 + 10, 1);
	task(f->model, 100, 100, 2, T0 + 10, T0 + 20, 1);
	task(f->model, 100, 100, 3, T0 + 30, T0 + 40, 1);
	m = compute(f);

	assert_int_equal(m->span_ns, 40);
	assert_int_equal(m->max_concurrency, 1);
	assert_int_equal(m->profile_ns[0], 10);
	assert_int_equal(m->profile_ns[1], 30);
	assert_float_equal(m->parallelism, 0.75, 1e-12);
}

/* Identical and nested units stack. */
static void
test_profile_nested(void **state)
{
	struct fixture *f = *state;
	const struct cotrace_metrics *m;

	task(f->model, 100, 101, 1, T0, T0 + 100, 1);
	task(f->model, 100, 102, 1, T0, T0 + 100, 1);
	task(f->model, 100, 103, 1, T0, T0 + 100, 1);
	task(f->model, 100, 104, 1, T0 + 40, T0 + 60, 1);
	m = compute(f);

	assert_int_equal(m->max_concurrency, 4);
	assert_int_equal(m->profile_ns[0], 0);
	assert_int_equal(m->profile_ns[1], 0);
	assert_int_equal(m->profile_ns[2], 0);
	assert_int_equal(m->profile_ns[3], 80);
	assert_int_equal(m->profile_ns[4], 20);
	assert_int_equal(m->busy_ns, 320);
	assert_profile_sums_to_span(m);
}

/* Two processes on two cores: both parallelisms near 2. */
static void
test_parallel(void **state)
{
	struct fixture *f = *state;
	const struct cotrace_metrics *m;

	process(f->model, 100, T0, T0 + 520 * MS, 1001 * MS);
	process(f->model, 101, T0 + 1 * MS, T0 + 515 * MS, 501 * MS);
	process(f->model, 102, T0 + 2 * MS, T0 + 518 * MS, 501 * MS);
	task(f->model, 101, 101, 1, T0 + 5 * MS, T0 + 505 * MS, 500 * MS);
	task(f->model, 102, 102, 1, T0 + 15 * MS, T0 + 515 * MS, 500 * MS);
	m = compute(f);

	assert_int_equal(m->unit, COTRACE_UNIT_TASK);
	assert_int_equal(m->units, 2);
	assert_int_equal(m->span_ns, 510 * MS);
	assert_int_equal(m->busy_ns, 1000 * MS);
	assert_int_equal(m->cpu_ns, 1000 * MS);
	assert_int_equal(m->units_without_cpu, 0);
	assert_float_equal(m->parallelism, 1000.0 / 510.0, 1e-9);
	assert_float_equal(m->cpu_parallelism, 1000.0 / 510.0, 1e-9);
	assert_float_equal(m->parallelism, 1.96, 0.01);
	assert_int_equal(m->max_concurrency, 2);
	assert_int_equal(m->profile_ns[1], 20 * MS);
	assert_int_equal(m->profile_ns[2], 490 * MS);

	/* Overlaps are between the processes that ran tasks: their hulls. */
	assert_int_equal(m->n_overlaps, 1);
	assert_int_equal(m->overlaps[0].a, 1);
	assert_int_equal(m->overlaps[0].b, 2);
	assert_int_equal(m->overlaps[0].overlap_ns, 490 * MS);
	assert_float_equal(m->overlaps[0].fraction, 0.98, 1e-12);
}

/* Two threads behind one lock: busy doubles, CPU does not. */
static void
test_gil(void **state)
{
	struct fixture *f = *state;
	const struct cotrace_metrics *m;

	process(f->model, 100, T0 - 5 * MS, T0 + 1005 * MS, 1002 * MS);
	task(f->model, 100, 101, 1, T0, T0 + 1000 * MS, 500 * MS);
	task(f->model, 100, 102, 2, T0, T0 + 1000 * MS, 500 * MS);
	m = compute(f);

	assert_int_equal(m->span_ns, 1000 * MS);
	assert_int_equal(m->busy_ns, 2000 * MS);
	assert_int_equal(m->cpu_ns, 1000 * MS);
	assert_float_equal(m->parallelism, 2.0, 1e-12);
	assert_float_equal(m->cpu_parallelism, 1.0, 1e-12);
	assert_int_equal(m->max_concurrency, 2);
	assert_int_equal(m->profile_ns[2], 1000 * MS);
	/* One process ran both: no pair to compare. */
	assert_int_equal(m->n_overlaps, 0);
}

/* No task anywhere: the processes are the units. */
static void
test_unit_process(void **state)
{
	struct fixture *f = *state;
	const struct cotrace_metrics *m;
	struct cotrace_event e;

	process(f->model, 100, T0, T0 + 1340 * MS, 20 * MS);
	process(f->model, 101, T0 + 10 * MS, T0 + 1190 * MS, 1180 * MS);
	process(f->model, 102, T0 + 20 * MS, T0 + 1200 * MS, 1180 * MS);
	/* No exit: CPU unknown, end at its last event. */
	process(f->model, 103, T0 + 2000 * MS, COTRACE_TS_NONE, 0);
	e = base(COTRACE_EVENT_THREAD_START, T0 + 2100 * MS, 103, 104);
	add(f->model, e);
	m = compute(f);

	assert_int_equal(m->unit, COTRACE_UNIT_PROCESS);
	assert_int_equal(m->units, 4);
	assert_int_equal(m->span_ns, 2100 * MS);
	assert_int_equal(m->busy_ns, (1340 + 1180 + 1180 + 100) * MS);
	assert_int_equal(m->cpu_ns, (20 + 1180 + 1180) * MS);
	assert_int_equal(m->units_without_cpu, 1);
	assert_int_equal(m->max_concurrency, 3);
	assert_int_equal(m->profile_ns[0], 660 * MS);
	assert_int_equal(m->profile_ns[1], (10 + 140 + 100) * MS);
	assert_int_equal(m->profile_ns[2], (10 + 10) * MS);
	assert_int_equal(m->profile_ns[3], 1170 * MS);
	assert_profile_sums_to_span(m);

	/* 4 processes, 6 pairs, in (a, b) order. */
	assert_int_equal(m->n_overlaps, 6);
	assert_int_equal(m->overlaps[0].a, 0);
	assert_int_equal(m->overlaps[0].b, 1);
	assert_int_equal(m->overlaps[0].overlap_ns, 1180 * MS);
	assert_float_equal(m->overlaps[0].fraction, 1.0, 1e-12);
	assert_int_equal(m->overlaps[3].a, 1);
	assert_int_equal(m->overlaps[3].b, 2);
	assert_int_equal(m->overlaps[3].overlap_ns, 1170 * MS);
	assert_float_equal(m->overlaps[3].fraction, 1170.0 / 1180.0, 1e-12);
	assert_int_equal(m->overlaps[5].a, 2);
	assert_int_equal(m->overlaps[5].b, 3);
	assert_int_equal(m->overlaps[5].overlap_ns, 0);
	assert_float_equal(m->overlaps[5].fraction, 0.0, 0.0);
}

/*
 * A process's CPU clock runs before its proc_start (loading, tracer setup):
 * only the CPU time between its start and its exit counts.
 */
static void
test_process_cpu_interval(void **state)
{
	struct fixture *f = *state;
	const struct cotrace_metrics *m;
	struct cotrace_event e;

	e = base(COTRACE_EVENT_PROC_START, T0, 100, 100);
	e.cpu_ns = 5 * MS;
	add(f->model, e);
	e = base(COTRACE_EVENT_PROC_EXIT, T0 + 200 * MS, 100, 100);
	e.cpu_ns = 105 * MS;
	add(f->model, e);
	/* A start CPU above the exit's: garbage, so CPU unknown. */
	e = base(COTRACE_EVENT_PROC_START, T0, 101, 101);
	e.cpu_ns = 50 * MS;
	add(f->model, e);
	e = base(COTRACE_EVENT_PROC_EXIT, T0 + 100 * MS, 101, 101);
	e.cpu_ns = 10 * MS;
	add(f->model, e);
	m = compute(f);

	assert_int_equal(f->model->processes[0].cpu_ns, 105 * MS);
	assert_int_equal(f->model->processes[0].cpu_start_ns, 5 * MS);
	assert_int_equal(m->cpu_ns, 100 * MS);
	assert_int_equal(m->units_without_cpu, 1);
	assert_float_equal(m->cpu_parallelism, 0.5, 1e-12);
}

/* An unfinished task runs until its process ended, CPU unknown. */
static void
test_unfinished_task(void **state)
{
	struct fixture *f = *state;
	const struct cotrace_metrics *m;

	process(f->model, 100, T0, T0 + 300 * MS, 1);
	task(f->model, 100, 100, 1, T0 + 100 * MS, COTRACE_TS_NONE, 0);
	task(f->model, 100, 100, 2, T0 + 50 * MS, T0 + 150 * MS, 60 * MS);
	m = compute(f);

	assert_int_equal(m->units, 2);
	assert_int_equal(m->end_ns, T0 + 300 * MS);
	assert_int_equal(m->span_ns, 250 * MS);
	assert_int_equal(m->busy_ns, 300 * MS);
	assert_int_equal(m->cpu_ns, 60 * MS);
	assert_int_equal(m->units_without_cpu, 1);
	assert_int_equal(m->profile_ns[2], 50 * MS);
}

/* A finish before its start is an empty unit, never negative time. */
static void
test_inverted_task(void **state)
{
	struct fixture *f = *state;
	const struct cotrace_metrics *m;

	task(f->model, 100, 100, 1, T0 + 100, T0 + 40, 5);
	m = compute(f);

	assert_int_equal(m->units, 1);
	assert_int_equal(m->span_ns, 0);
	assert_int_equal(m->busy_ns, 0);
	assert_int_equal(m->max_concurrency, 0);
	assert_int_equal(m->profile_ns[0], 0);
	assert_float_equal(m->parallelism, 0.0, 0.0);
	assert_float_equal(m->cpu_parallelism, 0.0, 0.0);
}

/* An exit stamped before its start, with the process as the unit. */
static void
test_inverted_process(void **state)
{
	struct fixture *f = *state;
	const struct cotrace_metrics *m;

	process(f->model, 100, T0 + 100, T0 + 40, 5);
	process(f->model, 101, T0, T0 + 50, 7);
	m = compute(f);

	assert_int_equal(m->unit, COTRACE_UNIT_PROCESS);
	assert_int_equal(m->units, 2);
	assert_int_equal(m->start_ns, T0);
	assert_int_equal(m->end_ns, T0 + 100);
	assert_int_equal(m->span_ns, 100);
	assert_int_equal(m->busy_ns, 50);
	assert_int_equal(m->cpu_ns, 12);
	assert_int_equal(m->max_concurrency, 1);
	assert_int_equal(m->profile_ns[0], 50);
	assert_int_equal(m->profile_ns[1], 50);
	assert_int_equal(m->overlaps[0].overlap_ns, 0);
	assert_float_equal(m->overlaps[0].fraction, 0.0, 0.0);
}

/* Only the first 64 processes take part in the pairwise overlaps. */
static void
test_overlap_limit(void **state)
{
	struct fixture *f = *state;
	const struct cotrace_metrics *m;
	int64_t pid;

	for (pid = 1000; pid < 1100; pid++) {
		process(f->model, pid, T0 + pid, T0 + 10000, 1);
	}
	m = compute(f);

	assert_int_equal(m->units, 100);
	assert_int_equal(m->max_concurrency, 100);
	assert_int_equal(m->n_overlaps, 64 * 63 / 2);
	assert_int_equal(m->overlaps[m->n_overlaps - 1].a, 62);
	assert_int_equal(m->overlaps[m->n_overlaps - 1].b, 63);
}

/* The sweep against a brute force over every nanosecond. */
static void
test_profile_brute_force(void **state)
{
	struct fixture *f = *state;
	const struct cotrace_metrics *m;
	int64_t starts[60], ends[60], expect[61] = { 0 };
	uint64_t seed = 7;
	int64_t t, lo = INT64_MAX, hi = INT64_MIN;
	size_t i, max = 0;

	for (i = 0; i < 60; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		starts[i] = (int64_t)((seed >> 20) % 1000);
		ends[i] = starts[i] + (int64_t)((seed >> 40) % 200);
		task(f->model, 100, 100 + (int64_t)(i % 7), i, T0 + starts[i],
				T0 + ends[i], 1);
		lo = starts[i] < lo ? starts[i] : lo;
		hi = ends[i] > hi ? ends[i] : hi;
	}
	for (t = lo; t < hi; t++) {
		size_t k = 0;

		for (i = 0; i < 60; i++) {
			k += starts[i] <= t && t < ends[i];
		}
		expect[k]++;
		max = k > max ? k : max;
	}
	m = compute(f);

	assert_int_equal(m->span_ns, hi - lo);
	assert_int_equal(m->max_concurrency, max);
	for (i = 0; i <= max; i++) {
		assert_int_equal(m->profile_ns[i], expect[i]);
	}
}

/* Release is safe twice and on a zeroed structure; NULL is refused. */
static void
test_release(void **state)
{
	struct cotrace_metrics m;

	(void)state;
	memset(&m, 0, sizeof(m));
	cotrace_metrics_release(&m);
	cotrace_metrics_release(NULL);
	assert_int_equal(cotrace_metrics_compute(NULL, &m), -EINVAL);
	assert_null(m.profile_ns);
	assert_int_equal(cotrace_metrics_compute(NULL, NULL), -EINVAL);
}

/* A process's CPU is what it used between its start and its exit. */
static void
test_process_cpu(void **state)
{
	struct cotrace_process p = {
		.cpu_start_ns = 3000000,
		.cpu_ns = 503000000,
	};

	(void)state;
	assert_int_equal(cotrace_process_cpu_ns(&p), 500000000);
	p.cpu_start_ns = COTRACE_CPU_NONE; /* no proc_start: all of it */
	assert_int_equal(cotrace_process_cpu_ns(&p), 503000000);
	p.cpu_ns = COTRACE_CPU_NONE; /* no exit: unknown */
	p.cpu_start_ns = 3000000;
	assert_true(cotrace_process_cpu_ns(&p) == COTRACE_CPU_NONE);
	p.cpu_ns = 1000000; /* a clock that went back: unknown, not huge */
	assert_true(cotrace_process_cpu_ns(&p) == COTRACE_CPU_NONE);
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overlap_arithmetic),
		cmocka_unit_test(test_process_cpu),
		TEST(test_empty_model),
		TEST(test_profile_half_overlap),
		TEST(test_profile_gaps_and_touching),
		TEST(test_profile_nested),
		TEST(test_parallel),
		TEST(test_gil),
		TEST(test_unit_process),
		TEST(test_process_cpu_interval),
		TEST(test_unfinished_task),
		TEST(test_inverted_task),
		TEST(test_inverted_process),
		TEST(test_overlap_limit),
		TEST(test_profile_brute_force),
		cmocka_unit_test(test_release),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
