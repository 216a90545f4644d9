/* Two runs compared (compare.c, compare-text.c, compare-json.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compare.h"
#include "model-fixture.h"

/* Two threads behind one lock: alive together, one CPU between them. */
static struct fx *
gil_run(void)
{
	struct fx *f = fx_create();
	size_t p, a, b;

	assert_non_null(f);
	p = fx_process(f, 100, SIZE_MAX, T0, T0 + 402 * MS, 380 * MS);
	a = fx_thread(f, 101, p, "worker-1", T0, T0 + 400 * MS, 190 * MS);
	b = fx_thread(f, 102, p, "worker-2", T0 + MS, T0 + 402 * MS, 190 * MS);
	fx_task(f, 1, a, T0, T0 + 400 * MS, 190 * MS);
	fx_task(f, 2, b, T0 + MS, T0 + 402 * MS, 190 * MS);
	assert_int_equal(fx_finish(f), 0);
	return f;
}

/* Two processes on two cores, each task `cpu_ms` long. */
static struct fx *
parallel_run(int64_t cpu_ms)
{
	struct fx *f = fx_create();
	size_t root, c1, c2, t1, t2;

	assert_non_null(f);
	root = fx_process(f, 200, SIZE_MAX, T0, T0 + (cpu_ms + 20) * MS, MS);
	c1 = fx_process(f, 201, root, T0 + 4 * MS, T0 + (cpu_ms + 10) * MS,
			(uint64_t)cpu_ms * MS);
	c2 = fx_process(f, 202, root, T0 + 5 * MS, T0 + (cpu_ms + 10) * MS,
			(uint64_t)cpu_ms * MS);
	t1 = fx_thread(f, 201, c1, "cotrace-demo", T0 + 4 * MS,
			T0 + (cpu_ms + 10) * MS, (uint64_t)cpu_ms * MS);
	t2 = fx_thread(f, 202, c2, "cotrace-demo", T0 + 5 * MS,
			T0 + (cpu_ms + 10) * MS, (uint64_t)cpu_ms * MS);
	fx_task(f, 1, t1, T0 + 8 * MS, T0 + (cpu_ms + 8) * MS,
			(uint64_t)cpu_ms * MS);
	fx_task(f, 2, t2, T0 + 8 * MS, T0 + (cpu_ms + 8) * MS,
			(uint64_t)cpu_ms * MS);
	fx_fork(f, root, c1, 201, T0 + MS, 1);
	fx_fork(f, root, c2, 202, T0 + 2 * MS, 1);
	assert_int_equal(fx_finish(f), 0);
	return f;
}

static void
compare(struct fx *a, struct fx *b, struct cotrace_comparison *c)
{
	struct cotrace_compare_side sa = {"runs/a", &a->model, &a->metrics};
	struct cotrace_compare_side sb = {"runs/b", &b->model, &b->metrics};

	cotrace_compare(&sa, &sb, c);
}

static char *
render(const struct cotrace_compare_format *fmt,
		const struct cotrace_comparison *c)
{
	struct capture cap;

	assert_non_null(capture_begin(&cap));
	assert_int_equal(fmt->render(cap.out, c), 0);
	assert_int_equal(capture_end(&cap), 0);
	return cap.buf;
}

static void
test_parallel_beats_turns(void **state)
{
	struct fx *a = gil_run(), *b = parallel_run(200);
	struct cotrace_comparison c;

	(void)state;
	compare(a, b, &c);
	assert_int_equal(c.kind, COTRACE_COMPARE_B_FASTER);
	assert_string_equal(c.kind_name, "b-faster");
	assert_true(c.speedup > 2.009 && c.speedup < 2.011);
	assert_string_equal(c.verdict_a.name, "took-turns");
	assert_string_equal(c.verdict_b.name, "parallel");
	assert_string_equal(c.text,
			"B finished 2.01x faster than A: its tasks ran in "
			"parallel (cpu_parallelism 2.00) where A's took turns "
			"(0.95).");

	/* The other way round. */
	compare(b, a, &c);
	assert_int_equal(c.kind, COTRACE_COMPARE_A_FASTER);
	assert_true(c.speedup > 0.497 && c.speedup < 0.498);
	assert_string_equal(c.text,
			"A finished 2.01x faster than B (B's speedup over A "
			"is 0.50x): its tasks ran in parallel "
			"(cpu_parallelism 2.00) where B's took turns (0.95).");
	fx_destroy(a);
	fx_destroy(b);
}

static void
test_same_and_less_work(void **state)
{
	struct fx *a = gil_run(), *b = parallel_run(200),
		  *c2 = parallel_run(100);
	struct cotrace_comparison c;

	(void)state;
	compare(a, a, &c);
	assert_int_equal(c.kind, COTRACE_COMPARE_ABOUT_SAME);
	assert_string_equal(c.kind_name, "about-the-same");
	assert_string_equal(c.text,
			"A and B took about as long (speedup 1.00x): both "
			"runs' tasks took turns (cpu_parallelism 0.95 and "
			"0.95).");

	/* Both parallel; B did half the work. */
	compare(b, c2, &c);
	assert_int_equal(c.kind, COTRACE_COMPARE_B_FASTER);
	assert_string_equal(c.text,
			"B finished 2.00x faster than A: both runs' tasks ran "
			"in parallel, but it had less work, 200.00 ms of CPU "
			"against 400.00 ms.");
	fx_destroy(a);
	fx_destroy(b);
	fx_destroy(c2);
}

static void
test_nothing_to_compare(void **state)
{
	struct fx *a = gil_run(), *empty = fx_create();
	struct cotrace_comparison c;
	char *out;

	(void)state;
	assert_non_null(empty);
	assert_int_equal(fx_finish(empty), 0);
	compare(a, empty, &c);
	assert_int_equal(c.kind, COTRACE_COMPARE_UNKNOWN);
	assert_true(c.speedup == 0.0);
	assert_string_equal(c.text,
			"No comparison: B has no unit recorded from start to "
			"finish, so it has no span to compare.");
	out = render(&cotrace_compare_json, &c);
	assert_contains(out, "\"speedup\": null");
	assert_contains(out, "\"kind\": \"unknown\"");
	free(out);
	out = render(&cotrace_compare_text, &c);
	assert_contains(out, "  speedup of B over A: unknown\n");
	free(out);
	compare(empty, empty, &c);
	assert_contains(c.text, "neither A nor B");
	fx_destroy(a);
	fx_destroy(empty);
}

static void
test_partial_run_noted(void **state)
{
	struct fx *a = gil_run(), *b = parallel_run(200);
	struct cotrace_comparison c;

	(void)state;
	b->tasks[1].end_ns = COTRACE_TS_NONE;
	b->tasks[1].cpu_ns = COTRACE_CPU_NONE;
	cotrace_metrics_release(&b->metrics);
	assert_int_equal(cotrace_metrics_compute(&b->model, &b->metrics), 0);
	compare(a, b, &c);
	assert_contains(c.text, "(B was recorded only in part, so take this "
				"with care).");
	fx_destroy(a);
	fx_destroy(b);
}

static void
test_text_table(void **state)
{
	struct fx *a = gil_run(), *b = parallel_run(200);
	struct cotrace_comparison c;
	char *out;

	(void)state;
	compare(a, b, &c);
	out = render(&cotrace_compare_text, &c);
	assert_contains(out, "  A: runs/a\n  B: runs/b\n");
	assert_contains(out, "  span              402.00 ms          "
			     "200.00 ms\n");
	assert_contains(out, "  busy              801.00 ms          "
			     "400.00 ms\n");
	assert_contains(out, "  cpu               380.00 ms          "
			     "400.00 ms\n");
	assert_contains(out, "  parallelism       1.99               2.00\n");
	assert_contains(out, "  cpu_parallelism   0.95               2.00\n");
	assert_contains(out, "  max concurrency   2                  2\n");
	assert_contains(out, "  units             2 tasks            "
			     "2 tasks\n");
	assert_contains(out, "  processes         1                  3\n");
	assert_contains(out, "  threads           2                  2\n");
	assert_contains(out, "  report verdict    took-turns         "
			     "parallel\n");
	assert_contains(out,
			"  speedup of B over A: 2.01x (span A / span B)\n");
	assert_contains(out, "\nVerdict: B finished 2.01x faster than A: ");
	free(out);
	fx_destroy(a);
	fx_destroy(b);
}

static void
test_json(void **state)
{
	struct fx *a = gil_run(), *b = parallel_run(200);
	struct cotrace_comparison c;
	char *out;

	(void)state;
	compare(a, b, &c);
	out = render(&cotrace_compare_json, &c);
	assert_contains(out, "\"a\": {\n    \"path\": \"runs/a\",");
	assert_contains(out, "\"span_ns\": 402000000,");
	assert_contains(out, "\"span_ns\": 200000000,");
	assert_contains(out, "\"verdict\": \"took-turns\"");
	assert_contains(out, "\"verdict\": \"parallel\"");
	assert_contains(out, "\"processes\": 3,");
	assert_contains(out, "\"speedup\": 2.01,");
	assert_contains(out, "\"kind\": \"b-faster\"");
	assert_contains(out, "\"text\": \"B finished 2.01x faster than A: ");
	assert_int_equal(count_of(out, "\"traces\": ["), 2);
	free(out);
	fx_destroy(a);
	fx_destroy(b);
}

static void
test_format_find(void **state)
{
	(void)state;
	assert_ptr_equal(cotrace_compare_format_find("text"),
			&cotrace_compare_text);
	assert_ptr_equal(cotrace_compare_format_find("json"),
			&cotrace_compare_json);
	assert_null(cotrace_compare_format_find("yaml"));
	assert_null(cotrace_compare_format_find(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_parallel_beats_turns),
			cmocka_unit_test(test_same_and_less_work),
			cmocka_unit_test(test_nothing_to_compare),
			cmocka_unit_test(test_partial_run_noted),
			cmocka_unit_test(test_text_table),
			cmocka_unit_test(test_json),
			cmocka_unit_test(test_format_find),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
