/*
 * The timeline layout (timeline.c) and the terminal chart
 * (timeline-term.c), on models built by hand.
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

#include "model-fixture.h"
#include "timeline.h"

/*
 * pid 100 (root, 0-100 ms) forks 101 at 15 ms, 102 at 25 ms, and a child
 * 104 that never appears (5 ms); 101 forks 103 (35 ms), whose start was
 * not recorded. 100 has a worker thread with a TLS write and read; 101's
 * main thread runs the one task. The processes are stored out of start
 * order (102 before 101) to check the ordering.
 */
static int
setup_tree(void **state)
{
	struct fx *f = fx_create();
	size_t p100, p101, p102, p103, w;

	if (!f) {
		return -1;
	}
	p100 = fx_process(f, 100, SIZE_MAX, T0, T0 + 100 * MS, 2 * MS);
	p102 = fx_process(f, 102, p100, T0 + 30 * MS, T0 + 90 * MS, MS);
	p101 = fx_process(f, 101, p100, T0 + 20 * MS, T0 + 80 * MS, 50 * MS);
	p103 = fx_process(f, 103, p101, T0 + 40 * MS, T0 + 70 * MS, MS);
	f->processes[p103].start_seen = false;
	fx_thread(f, 100, p100, "cotrace-demo", T0, T0 + 100 * MS, MS);
	w = fx_thread(f, 110, p100, "worker-1", T0 + 10 * MS, T0 + 60 * MS, MS);
	fx_thread(f, 102, p102, "cotrace-demo", T0 + 30 * MS, T0 + 90 * MS, MS);
	fx_thread(f, 101, p101, "cotrace-demo", T0 + 20 * MS, T0 + 80 * MS,
			50 * MS);
	fx_thread(f, 103, p103, "cotrace-demo", T0 + 40 * MS, T0 + 70 * MS, MS);
	fx_tls(f, w, "value", "42", 0x1000, T0 + 20 * MS, false);
	fx_tls(f, w, "value", "42", 0x1000, T0 + 50 * MS, true);
	fx_task(f, 1, 3, T0 + 25 * MS, T0 + 75 * MS, 50 * MS);
	fx_fork(f, p100, p101, 101, T0 + 15 * MS, 2);
	fx_fork(f, p100, p102, 102, T0 + 25 * MS, 2);
	fx_fork(f, p101, p103, 103, T0 + 35 * MS, 1);
	fx_fork(f, p100, SIZE_MAX, 104, T0 + 5 * MS, 1);
	if (fx_finish(f)) {
		fx_destroy(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	fx_destroy(*state);
	return 0;
}

static struct fx *
new_fx(void)
{
	struct fx *f = fx_create();

	assert_non_null(f);
	return f;
}

/* ---- layout ---- */

static void
test_lanes_follow_the_fork_tree(void **state)
{
	struct fx *f = *state;
	struct cotrace_timeline tl;
	static const char *const labels[] = {
			"pid 100 cotrace-demo",
			"tid 110 worker-1",
			"pid 101 cotrace-demo",
			"tid 101 (main thread)",
			"pid 103 cotrace-demo",
			"pid 102 cotrace-demo",
	};
	static const unsigned int depths[] = {0, 0, 1, 1, 2, 1};
	static const size_t parents[] = {SIZE_MAX, 0, 0, 2, 2, 0};
	static const enum cotrace_lane_kind kinds[] = {COTRACE_LANE_PROCESS,
			COTRACE_LANE_THREAD, COTRACE_LANE_PROCESS,
			COTRACE_LANE_THREAD, COTRACE_LANE_PROCESS,
			COTRACE_LANE_PROCESS};

	assert_int_equal(
			cotrace_timeline_build(&f->model, &f->metrics, &tl), 0);
	/* Main threads with nothing to show (100, 102, 103) have no lane. */
	assert_int_equal(tl.n_lanes, 6);
	assert_int_equal(tl.n_process_lanes, 4);
	assert_int_equal(tl.n_thread_lanes, 2);
	for (size_t i = 0; i < tl.n_lanes; i++) {
		assert_string_equal(tl.lanes[i].label, labels[i]);
		assert_int_equal(tl.lanes[i].depth, depths[i]);
		assert_int_equal(tl.lanes[i].parent_lane, parents[i]);
		assert_int_equal(tl.lanes[i].kind, kinds[i]);
	}
	assert_int_equal(tl.lanes[0].process, 0);
	assert_int_equal(tl.lanes[0].thread, SIZE_MAX);
	assert_int_equal(tl.lanes[1].thread, 1);
	assert_false(tl.lanes[1].main_thread);
	assert_true(tl.lanes[3].main_thread);
	assert_int_equal(tl.lanes[3].process, 2);
	assert_int_equal(tl.lanes[5].process, 1);
	assert_int_equal(tl.lanes[2].start_ns, T0 + 20 * MS);
	assert_int_equal(tl.lanes[2].end_ns, T0 + 80 * MS);
	assert_int_equal(tl.lanes[1].start_ns, T0 + 10 * MS);
	assert_int_equal(tl.lanes[1].end_ns, T0 + 60 * MS);
	assert_int_equal(tl.lanes[0].completeness, COTRACE_COMPLETE);
	assert_int_equal(tl.lanes[4].completeness, COTRACE_FINISHED_ONLY);
	assert_int_equal(tl.t0_ns, T0);
	assert_int_equal(tl.t1_ns, T0 + 100 * MS);
	cotrace_timeline_release(&tl);
	assert_null(tl.lanes);
	assert_int_equal(tl.n_lanes, 0);
}

static void
test_marks_on_their_lanes(void **state)
{
	struct fx *f = *state;
	struct cotrace_timeline tl;

	assert_int_equal(
			cotrace_timeline_build(&f->model, &f->metrics, &tl), 0);
	/* The task on its thread's (main thread) lane. */
	assert_int_equal(tl.n_bars, 1);
	assert_int_equal(tl.bars[0].lane, 3);
	assert_int_equal(tl.bars[0].task, 0);
	assert_int_equal(tl.bars[0].start_ns, T0 + 25 * MS);
	assert_int_equal(tl.bars[0].end_ns, T0 + 75 * MS);
	assert_true(tl.bars[0].finished);

	/* Fork arrows, parent's lane to child's lane, in model order. */
	assert_int_equal(tl.n_arrows, 4);
	assert_int_equal(tl.arrows[0].from_lane, 0);
	assert_int_equal(tl.arrows[0].to_lane, 2);
	assert_int_equal(tl.arrows[0].ts_ns, T0 + 15 * MS);
	assert_int_equal(tl.arrows[1].from_lane, 0);
	assert_int_equal(tl.arrows[1].to_lane, 5);
	assert_int_equal(tl.arrows[2].from_lane, 2);
	assert_int_equal(tl.arrows[2].to_lane, 4);
	assert_int_equal(tl.arrows[3].from_lane, 0);
	assert_int_equal(tl.arrows[3].to_lane, SIZE_MAX);
	assert_int_equal(tl.arrows[3].fork, 3);

	/* TLS accesses on the worker's lane. */
	assert_int_equal(tl.n_marks, 2);
	assert_int_equal(tl.marks[0].lane, 1);
	assert_int_equal(tl.marks[0].thread, 1);
	assert_int_equal(tl.marks[0].access, 0);
	assert_int_equal(tl.marks[0].ts_ns, T0 + 20 * MS);
	assert_int_equal(tl.marks[1].access, 1);
	assert_int_equal(tl.marks[1].ts_ns, T0 + 50 * MS);

	/* One task: one step up, one down. */
	assert_int_equal(tl.n_steps, 2);
	assert_int_equal(tl.steps[0].ts_ns, T0 + 25 * MS);
	assert_int_equal(tl.steps[0].running, 1);
	assert_int_equal(tl.steps[1].ts_ns, T0 + 75 * MS);
	assert_int_equal(tl.steps[1].running, 0);
	cotrace_timeline_release(&tl);
}

/*
 * Tasks [0, 10), [5, 15), [15, 20) ms, an empty one, and one unfinished
 * (it runs to its process's end, 30 ms, as the metrics count it).
 */
static void
test_steps_are_the_concurrency(void **state)
{
	struct fx *f = new_fx();
	struct cotrace_timeline tl;
	size_t p, a, b;
	static const int64_t ts[] = {0, 5, 10, 20, 25, 30};
	static const size_t running[] = {1, 2, 1, 0, 1, 0};

	(void)state;
	p = fx_process(f, 7, SIZE_MAX, T0, T0 + 30 * MS, MS);
	a = fx_thread(f, 8, p, "a", T0, T0 + 30 * MS, MS);
	b = fx_thread(f, 9, p, "b", T0, T0 + 30 * MS, MS);
	fx_task(f, 1, a, T0, T0 + 10 * MS, 10 * MS);
	fx_task(f, 2, b, T0 + 5 * MS, T0 + 15 * MS, 10 * MS);
	fx_task(f, 3, a, T0 + 15 * MS, T0 + 20 * MS, 5 * MS);
	fx_task(f, 4, b, T0 + 22 * MS, T0 + 22 * MS, 0);
	fx_task(f, 5, b, T0 + 25 * MS, COTRACE_TS_NONE, COTRACE_CPU_NONE);
	assert_int_equal(fx_finish(f), 0);
	assert_int_equal(
			cotrace_timeline_build(&f->model, &f->metrics, &tl), 0);
	assert_int_equal(tl.n_steps, 6);
	for (size_t i = 0; i < tl.n_steps; i++) {
		assert_int_equal(tl.steps[i].ts_ns, T0 + ts[i] * MS);
		assert_int_equal(tl.steps[i].running, running[i]);
	}
	/* The same maximum as the metrics. */
	assert_int_equal(f->metrics.max_concurrency, 2);
	/* The unfinished task's bar ends with its process, unfinished. */
	assert_int_equal(tl.n_bars, 5);
	assert_false(tl.bars[4].finished);
	assert_int_equal(tl.bars[4].end_ns, T0 + 30 * MS);
	assert_true(tl.bars[0].finished);
	cotrace_timeline_release(&tl);
	fx_destroy(f);
}

/* Without tasks the units are the processes. */
static void
test_steps_over_processes(void **state)
{
	struct fx *f = new_fx();
	struct cotrace_timeline tl;
	size_t root;

	(void)state;
	root = fx_process(f, 1, SIZE_MAX, T0, T0 + 10 * MS, MS);
	fx_process(f, 2, root, T0 + 2 * MS, T0 + 12 * MS, MS);
	assert_int_equal(fx_finish(f), 0);
	assert_int_equal(f->metrics.unit, COTRACE_UNIT_PROCESS);
	assert_int_equal(
			cotrace_timeline_build(&f->model, &f->metrics, &tl), 0);
	assert_int_equal(tl.n_steps, 4);
	assert_int_equal(tl.steps[0].running, 1);
	assert_int_equal(tl.steps[1].ts_ns, T0 + 2 * MS);
	assert_int_equal(tl.steps[1].running, 2);
	assert_int_equal(tl.steps[2].ts_ns, T0 + 10 * MS);
	assert_int_equal(tl.steps[2].running, 1);
	assert_int_equal(tl.steps[3].ts_ns, T0 + 12 * MS);
	assert_int_equal(tl.steps[3].running, 0);
	assert_int_equal(tl.n_bars, 0);
	assert_int_equal(tl.n_thread_lanes, 0);
	cotrace_timeline_release(&tl);
	fx_destroy(f);
}

static void
test_completeness(void **state)
{
	struct fx *f = new_fx();
	struct cotrace_timeline tl;
	size_t p, t;

	(void)state;
	p = fx_process(f, 5, SIZE_MAX, T0, T0 + 10 * MS, MS);
	f->processes[p].exit_seen = false;
	/* The main thread has no exit of its own: its process's counts. */
	t = fx_thread(f, 5, p, "cotrace-demo", T0, T0 + 10 * MS, MS);
	f->threads[t].exit_seen = false;
	fx_tls(f, t, "k", "v", 0x10, T0 + MS, false);
	t = fx_thread(f, 6, p, "seen", T0 + MS, T0 + 2 * MS, MS);
	f->threads[t].start_seen = false;
	f->threads[t].exit_seen = false;
	t = fx_thread(f, 7, p, "", T0 + MS, T0 + 3 * MS, MS);
	f->threads[t].exit_seen = false;
	assert_int_equal(fx_finish(f), 0);
	assert_int_equal(
			cotrace_timeline_build(&f->model, &f->metrics, &tl), 0);
	assert_int_equal(tl.n_lanes, 4);
	assert_int_equal(tl.lanes[0].completeness, COTRACE_STARTED_ONLY);
	assert_string_equal(tl.lanes[1].label, "tid 5 (main thread)");
	assert_int_equal(tl.lanes[1].completeness, COTRACE_STARTED_ONLY);
	assert_string_equal(tl.lanes[2].label, "tid 6 seen");
	assert_int_equal(tl.lanes[2].completeness, COTRACE_SEEN_ONLY);
	/* A thread without a name. */
	assert_string_equal(tl.lanes[3].label, "tid 7");
	assert_int_equal(tl.lanes[3].completeness, COTRACE_STARTED_ONLY);
	cotrace_timeline_release(&tl);

	f->processes[p].exit_seen = true;
	f->threads[0].name = (char *)"renamed";
	assert_int_equal(
			cotrace_timeline_build(&f->model, &f->metrics, &tl), 0);
	assert_int_equal(tl.lanes[0].completeness, COTRACE_COMPLETE);
	assert_int_equal(tl.lanes[1].completeness, COTRACE_COMPLETE);
	assert_string_equal(tl.lanes[1].label, "tid 5 renamed (main thread)");
	cotrace_timeline_release(&tl);

	assert_string_equal(cotrace_completeness_name(COTRACE_COMPLETE),
			"complete");
	assert_string_equal(cotrace_completeness_name(COTRACE_STARTED_ONLY),
			"started only");
	assert_string_equal(cotrace_completeness_name(COTRACE_FINISHED_ONLY),
			"finished only");
	assert_string_equal(cotrace_completeness_name(COTRACE_SEEN_ONLY),
			"seen only");
	fx_destroy(f);
}

static void
test_empty_model(void **state)
{
	struct fx *f = new_fx();
	struct cotrace_timeline tl;

	(void)state;
	assert_int_equal(fx_finish(f), 0);
	assert_int_equal(
			cotrace_timeline_build(&f->model, &f->metrics, &tl), 0);
	assert_int_equal(tl.n_lanes, 0);
	assert_int_equal(tl.n_steps, 0);
	assert_int_equal(tl.t0_ns, 0);
	assert_int_equal(tl.t1_ns, 0);
	cotrace_timeline_release(&tl);
	/* Released twice, or never built: no harm. */
	cotrace_timeline_release(&tl);
	cotrace_timeline_release(NULL);
	assert_int_equal(cotrace_timeline_build(NULL, NULL, &tl), -EINVAL);
	fx_destroy(f);
}

/* A parent cycle (garbage pids) must not hide or loop. */
static void
test_parent_cycle(void **state)
{
	struct fx *f = new_fx();
	struct cotrace_timeline tl;

	(void)state;
	fx_process(f, 1, SIZE_MAX, T0, T0 + MS, MS);
	fx_process(f, 2, 0, T0 + 1, T0 + MS, MS);
	f->processes[0].parent = 1;
	fx_process(f, 3, 2, T0 + 2, T0 + MS, MS);
	f->processes[2].parent = 2; /* its own parent */
	assert_int_equal(fx_finish(f), 0);
	assert_int_equal(
			cotrace_timeline_build(&f->model, &f->metrics, &tl), 0);
	/* The true root first, then the cycle from its earliest member. */
	assert_int_equal(tl.n_lanes, 3);
	assert_string_equal(tl.lanes[0].label, "pid 3 cotrace-demo");
	assert_int_equal(tl.lanes[0].depth, 0);
	assert_string_equal(tl.lanes[1].label, "pid 1 cotrace-demo");
	assert_int_equal(tl.lanes[1].depth, 0);
	assert_string_equal(tl.lanes[2].label, "pid 2 cotrace-demo");
	assert_int_equal(tl.lanes[2].depth, 1);
	cotrace_timeline_release(&tl);
	fx_destroy(f);
}

/* Lost spans and late TLS accesses widen the axis. */
static void
test_axis_covers_everything(void **state)
{
	struct fx *f = new_fx();
	struct cotrace_timeline tl;
	size_t p, t;

	(void)state;
	p = fx_process(f, 1, SIZE_MAX, T0 + 10 * MS, T0 + 20 * MS, MS);
	t = fx_thread(f, 2, p, "w", T0 + 10 * MS, T0 + 20 * MS, MS);
	assert_int_equal(fx_finish(f), 0);
	fx_tls(f, t, "k", "v", 1, T0 + 25 * MS, false);
	fx_lost(f, 3, T0 + 5 * MS, T0 + 8 * MS);
	fx_lost(f, 0, COTRACE_TS_NONE, COTRACE_TS_NONE);
	assert_int_equal(
			cotrace_timeline_build(&f->model, &f->metrics, &tl), 0);
	assert_int_equal(tl.t0_ns, T0 + 5 * MS);
	assert_int_equal(tl.t1_ns, T0 + 25 * MS);
	cotrace_timeline_release(&tl);
	fx_destroy(f);
}

static void
test_format_find(void **state)
{
	(void)state;
	assert_ptr_equal(cotrace_timeline_format_find("term"),
			&cotrace_timeline_term);
	assert_false(cotrace_timeline_term.binary);
	assert_null(cotrace_timeline_format_find("nope"));
	assert_null(cotrace_timeline_format_find(""));
	assert_null(cotrace_timeline_format_find(NULL));
	/* chrome is streamed by the CLI, not a renderer of the layout. */
	assert_null(cotrace_timeline_format_find("chrome"));
}

/* ---- the terminal chart ---- */

static char *
render_term(struct fx *f, unsigned int width, bool color)
{
	struct cotrace_timeline_options o = {.width = width, .color = color};
	struct capture c;

	assert_non_null(capture_begin(&c));
	assert_int_equal(cotrace_timeline_render(&cotrace_timeline_term, c.out,
					 &f->model, &f->metrics, &o),
			0);
	assert_int_equal(capture_end(&c), 0);
	return c.buf;
}

/* The line that starts with `prefix`, copied; fails when there is none. */
static char *
line_of(const char *text, const char *prefix)
{
	size_t len = strlen(prefix);

	for (const char *p = text; p && *p;) {
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n >= len && !strncmp(p, prefix, len)) {
			char *line = strndup(p, n);

			assert_non_null(line);
			return line;
		}
		p = end ? end + 1 : NULL;
	}
	fail_msg("no line starts with \"%s\" in:\n%s", prefix, text);
	return NULL;
}

/* The chart part of a lane's row: after the state column. */
static const char *
chart_of(const char *line, const char *state_word)
{
	const char *p = strstr(line, state_word);

	assert_non_null(p);
	p += strlen(state_word);
	while (*p == ' ') {
		p++;
	}
	return p;
}

static size_t
longest_line(const char *text)
{
	size_t longest = 0;

	for (const char *p = text; *p;) {
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n > longest) {
			longest = n;
		}
		p = end ? end + 1 : p + n;
	}
	return longest;
}

static void
test_term_chart(void **state)
{
	struct fx *f = *state;
	char *out = render_term(f, 100, false);
	char *l;
	const char *chart;
	static const char *const rows[] = {
			"pid 100 cotrace-demo",
			"  tid 110 worker-1",
			"  pid 101 cotrace-demo",
			"    tid 101 (main thread)",
			"    pid 103 cotrace-demo",
			"  pid 102 cotrace-demo",
	};
	const char *prev = out;

	assert_contains(out, "cotrace timeline: /tmp/run/ust/uid/0/64-bit\n");
	assert_contains(out, "4 processes and 5 threads (2 thread lanes), "
			     "1 task, 4 forks");
	assert_not_contains(out, "\033[");
	assert_true(longest_line(out) <= 100);

	/* Lanes in fork-tree order, indented, one row each. */
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char needle[64];
		const char *at;

		snprintf(needle, sizeof(needle), "\n%s ", rows[i]);
		at = strstr(prev, needle);
		if (!at) {
			fail_msg("row \"%s\" missing or out of order:\n%s",
					rows[i], out);
		}
		prev = at + 1;
	}

	/* The axis: 100 ms over 60 columns, a tick every 20 ms. */
	l = line_of(out, "time (ms)");
	assert_contains(l, "state");
	assert_contains(l, " 0 ");
	assert_contains(l, " 20 ");
	assert_contains(l, " 100");
	free(l);

	/* Root: three forks (one child never seen), each an F. */
	l = line_of(out, "pid 100 cotrace-demo");
	chart = chart_of(l, "complete");
	assert_int_equal(count_of(chart, "F"), 3);
	assert_contains(chart, "=");
	free(l);

	/* 101 forks 103 and starts where its fork arrow lands. */
	l = line_of(out, "  pid 101 cotrace-demo");
	chart = chart_of(l, "complete");
	assert_int_equal(count_of(chart, "F"), 1);
	assert_int_equal(chart[strspn(chart, " ")], '>');
	free(l);

	/* 103's start was not recorded. */
	l = line_of(out, "    pid 103 cotrace-demo");
	chart = chart_of(l, "finished only");
	assert_int_equal(chart[0], '?');
	free(l);

	/* The task on the main thread's lane: on a CPU all the time. */
	l = line_of(out, "    tid 101 (main thread)");
	chart = chart_of(l, "complete");
	assert_true(count_of(chart, "#") >= 25);
	free(l);

	/* The TLS write and read on the worker's lane. */
	l = line_of(out, "  tid 110 worker-1");
	chart = chart_of(l, "complete");
	assert_int_equal(count_of(chart, "w"), 1);
	assert_int_equal(count_of(chart, "r"), 1);
	assert_true(strchr(chart, 'w') < strchr(chart, 'r'));
	free(l);

	/* One task at most: the strip holds 1s, dots where none ran. */
	l = line_of(out, "running tasks");
	assert_contains(l, "1");
	assert_not_contains(l, "2");
	free(l);

	assert_not_contains(out, "\nevents lost");
	assert_contains(out, "legend: = process alive");
	assert_contains(out, "warnings: none\n");
	free(out);
}

/* Colours change nothing but the escapes. */
static void
test_term_colour(void **state)
{
	struct fx *f = *state;
	char *plain = render_term(f, 100, false);
	char *colour = render_term(f, 100, true);
	char *stripped = malloc(strlen(colour) + 1);
	size_t o = 0;

	assert_non_null(stripped);
	assert_contains(colour, "\033[");
	for (const char *p = colour; *p;) {
		if (*p == '\033') {
			p = strchr(p, 'm');
			assert_non_null(p);
			p++;
			continue;
		}
		stripped[o++] = *p++;
	}
	stripped[o] = '\0';
	assert_string_equal(stripped, plain);
	free(stripped);
	free(plain);
	free(colour);
}

static void
test_term_lost_and_warnings(void **state)
{
	struct fx *f = *state;
	char *out, *l;

	fx_lost(f, 12, T0 + 40 * MS, T0 + 45 * MS);
	fx_warning(f, COTRACE_WARN_EVENTS_LOST,
			"The tracer discarded 12 events between 0.040 s and "
			"0.045 s.",
			T0 + 40 * MS);
	fx_warning(f, COTRACE_WARN_PROCESS_NO_START,
			"pid 103 (cotrace-demo): its start was not recorded.",
			T0 + 40 * MS);
	out = render_term(f, 100, false);
	l = line_of(out, "events lost");
	assert_true(count_of(l, "~") >= 3);
	free(l);
	assert_contains(out, "warnings (2):\n");
	assert_contains(out, "  [events-lost] The tracer discarded 12 events");
	assert_contains(out, "  [process-no-start] pid 103 (cotrace-demo)");
	free(out);

	/* A loss the tracer did not place in time. */
	f->lost[0].begin_ns = COTRACE_TS_NONE;
	f->lost[0].end_ns = COTRACE_TS_NONE;
	out = render_term(f, 100, false);
	l = line_of(out, "events lost");
	assert_contains(l, "(the tracer did not say when)");
	free(l);
	free(out);
}

static void
test_term_widths(void **state)
{
	struct fx *f = *state;
	char *out;

	out = render_term(f, 60, false);
	assert_true(longest_line(out) <= 60);
	/* A third of the width for labels: cut with "...". */
	assert_contains(out, "\n    tid 101 (main... complete");
	free(out);

	/* Too narrow is widened to the minimum, 40; labels are cut. */
	out = render_term(f, 10, false);
	assert_true(longest_line(out) <= 40);
	assert_true(longest_line(out) >= 30);
	assert_contains(out, "...");
	assert_contains(out, "\npid 100 co... complete");
	free(out);

	/* 0: the default, 100. */
	out = render_term(f, 0, false);
	assert_true(longest_line(out) <= 100);
	assert_true(longest_line(out) > 90);
	free(out);
}

/* Names from a trace cannot drive the terminal. */
static void
test_term_hostile_names(void **state)
{
	struct fx *f = *state;
	char *out;

	f->threads[1].name = (char *)"evil\033[2J\x07name";
	f->processes[0].name = (char *)"bad\xff\xfe";
	out = render_term(f, 100, false);
	assert_not_contains(out, "\033");
	assert_not_contains(out, "\x07");
	assert_not_contains(out, "\xff");
	assert_contains(out, "tid 110 evil?[2J?name");
	free(out);
}

static void
test_term_empty(void **state)
{
	struct fx *f = new_fx();
	char *out;

	(void)state;
	assert_int_equal(fx_finish(f), 0);
	out = render_term(f, 80, false);
	assert_contains(out, "No process was recorded: nothing to draw.");
	assert_contains(out, "warnings: none");
	free(out);
	fx_destroy(f);
}

/* GIL-like threads (half the wall time on a CPU) look different. */
static void
test_term_task_cpu_share(void **state)
{
	struct fx *f = new_fx();
	struct cotrace_timeline tl;
	char *out, *l;
	size_t p, a, b;

	(void)state;
	p = fx_process(f, 1, SIZE_MAX, T0, T0 + 100 * MS, 100 * MS);
	a = fx_thread(f, 2, p, "worker-1", T0, T0 + 100 * MS, 50 * MS);
	b = fx_thread(f, 3, p, "worker-2", T0, T0 + 100 * MS, 50 * MS);
	fx_task(f, 1, a, T0, T0 + 100 * MS, 50 * MS);
	fx_task(f, 2, b, T0, T0 + 100 * MS, 10 * MS);
	assert_int_equal(fx_finish(f), 0);
	assert_int_equal(
			cotrace_timeline_build(&f->model, &f->metrics, &tl), 0);
	cotrace_timeline_release(&tl);
	out = render_term(f, 100, false);
	l = line_of(out, "  tid 2 worker-1");
	assert_true(count_of(chart_of(l, "complete"), "+") > 40);
	assert_int_equal(count_of(chart_of(l, "complete"), "#"), 0);
	free(l);
	l = line_of(out, "  tid 3 worker-2");
	assert_true(count_of(chart_of(l, "complete"), ":") > 40);
	free(l);
	l = line_of(out, "running tasks");
	assert_true(count_of(l, "2") > 40);
	free(l);
	free(out);
	fx_destroy(f);
}

/* A write error is reported, not swallowed. */
static void
test_term_write_error(void **state)
{
	struct fx *f = *state;
	struct cotrace_timeline_options o = {.width = 100};
	FILE *full = fopen("/dev/full", "w");

	if (!full) {
		skip();
	}
	setvbuf(full, NULL, _IONBF, 0);
	assert_int_not_equal(cotrace_timeline_render(&cotrace_timeline_term,
					     full, &f->model, &f->metrics, &o),
			0);
	fclose(full);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test_setup_teardown(
					test_lanes_follow_the_fork_tree,
					setup_tree, teardown),
			cmocka_unit_test_setup_teardown(
					test_marks_on_their_lanes, setup_tree,
					teardown),
			cmocka_unit_test(test_steps_are_the_concurrency),
			cmocka_unit_test(test_steps_over_processes),
			cmocka_unit_test(test_completeness),
			cmocka_unit_test(test_empty_model),
			cmocka_unit_test(test_parent_cycle),
			cmocka_unit_test(test_axis_covers_everything),
			cmocka_unit_test(test_format_find),
			cmocka_unit_test_setup_teardown(
					test_term_chart, setup_tree, teardown),
			cmocka_unit_test_setup_teardown(
					test_term_colour, setup_tree, teardown),
			cmocka_unit_test_setup_teardown(
					test_term_lost_and_warnings, setup_tree,
					teardown),
			cmocka_unit_test_setup_teardown(
					test_term_widths, setup_tree, teardown),
			cmocka_unit_test_setup_teardown(test_term_hostile_names,
					setup_tree, teardown),
			cmocka_unit_test(test_term_empty),
			cmocka_unit_test(test_term_task_cpu_share),
			cmocka_unit_test_setup_teardown(test_term_write_error,
					setup_tree, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
