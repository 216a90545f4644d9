/*
 * Several machines in one model (hosts.c): the grouping by host, the
 * renderers' one group per host (and none with one host), and the
 * clocks-disagree rule.
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
#ifdef COTRACE_HAVE_CAIRO
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#endif

#include "hosts.h"
#include "model-fixture.h"
#include "report-common.h"
#include "report.h"
#include "story.h"
#include "timeline.h"

/*
 * Host beta (its processes start first): pid 100 forks 101, 101 runs a
 * task. Host alpha: pid 100 (the same pid, another machine) with a worker
 * thread. The processes are stored interleaved, alpha's first.
 */
static int
setup_two_hosts(void **state)
{
	struct fx *f = fx_create();
	size_t a100, b100, b101, t;

	if (!f) {
		return -1;
	}
	a100 = fx_process(f, 100, SIZE_MAX, T0 + 5 * MS, T0 + 60 * MS, MS);
	b100 = fx_process(f, 100, SIZE_MAX, T0, T0 + 50 * MS, MS);
	b101 = fx_process(f, 101, b100, T0 + 10 * MS, T0 + 40 * MS, 20 * MS);
	f->processes[a100].host = (char *)"alpha";
	f->processes[b100].host = (char *)"beta";
	f->processes[b101].host = (char *)"beta";
	fx_thread(f, 100, a100, "cotrace-demo", T0 + 5 * MS, T0 + 60 * MS, MS);
	fx_thread(f, 105, a100, "worker-1", T0 + 6 * MS, T0 + 30 * MS, MS);
	fx_thread(f, 100, b100, "cotrace-demo", T0, T0 + 50 * MS, MS);
	t = fx_thread(f, 101, b101, "cotrace-demo", T0 + 10 * MS, T0 + 40 * MS,
			20 * MS);
	fx_task(f, 1, t, T0 + 12 * MS, T0 + 38 * MS, 20 * MS);
	fx_fork(f, b100, b101, 101, T0 + 8 * MS, 1);
	if (fx_finish(f)) {
		fx_destroy(f);
		return -1;
	}
	*state = f;
	return 0;
}

/* The same processes, all on one host. */
static int
setup_one_host(void **state)
{
	struct fx *f;

	if (setup_two_hosts(state)) {
		return -1;
	}
	f = *state;
	for (size_t i = 0; i < f->model.n_processes; i++) {
		f->processes[i].host = (char *)"alpha";
	}
	return 0;
}

static int
teardown(void **state)
{
	fx_destroy(*state);
	return 0;
}

static void
test_hosts_build(void **state)
{
	struct fx *f = *state;
	struct cotrace_hosts h;

	assert_int_equal(cotrace_hosts_build(&f->model, &h), 0);
	assert_int_equal(h.n, 2);
	/* Ordered by first process start: beta (T0) before alpha (T0+5ms). */
	assert_string_equal(cotrace_host_name(&h.hosts[0]), "beta");
	assert_string_equal(cotrace_host_name(&h.hosts[1]), "alpha");
	assert_int_equal(h.hosts[0].n_processes, 2);
	assert_int_equal(h.hosts[0].n_threads, 2);
	assert_int_equal(h.hosts[0].n_tasks, 1);
	assert_int_equal(h.hosts[1].n_processes, 1);
	assert_int_equal(h.hosts[1].n_threads, 2);
	assert_int_equal(h.hosts[1].n_tasks, 0);
	assert_true(h.hosts[0].start_ns == T0);
	assert_true(h.hosts[0].end_ns == T0 + 50 * MS);
	assert_true(h.hosts[1].start_ns == T0 + 5 * MS);
	assert_int_equal(h.of_process[0], 1);
	assert_int_equal(h.of_process[1], 0);
	assert_int_equal(h.of_process[2], 0);
	cotrace_hosts_release(&h);
	cotrace_hosts_release(NULL);
}

static void
test_hosts_unknown(void **state)
{
	struct fx *f = *state;
	struct cotrace_hosts h;

	for (size_t i = 0; i < f->model.n_processes; i++) {
		f->processes[i].host = NULL;
	}
	assert_int_equal(cotrace_hosts_build(&f->model, &h), 0);
	assert_int_equal(h.n, 1);
	assert_string_equal(cotrace_host_name(&h.hosts[0]), "unknown host");
	assert_int_equal(h.hosts[0].n_processes, 3);
	cotrace_hosts_release(&h);
}

static void
test_timeline_groups(void **state)
{
	struct fx *f = *state;
	struct cotrace_timeline tl;

	assert_int_equal(
			cotrace_timeline_build(&f->model, &f->metrics, &tl), 0);
	assert_int_equal(tl.n_groups, 2);
	assert_string_equal(tl.groups[0].host, "beta");
	assert_string_equal(tl.groups[1].host, "alpha");
	/* Contiguous, covering every lane, each host's lanes only. */
	assert_int_equal(tl.groups[0].first_lane, 0);
	assert_int_equal(tl.groups[1].first_lane, tl.groups[0].n_lanes);
	assert_int_equal(tl.groups[0].n_lanes + tl.groups[1].n_lanes,
			tl.n_lanes);
	assert_int_equal(tl.groups[0].n_processes, 2);
	assert_int_equal(tl.groups[1].n_processes, 1);
	for (size_t g = 0; g < 2; g++) {
		for (size_t l = tl.groups[g].first_lane;
				l <
				tl.groups[g].first_lane + tl.groups[g].n_lanes;
				l++) {
			assert_string_equal(
					f->processes[tl.lanes[l].process].host,
					tl.groups[g].host);
		}
	}
	/* beta's fork tree: pid 100, then its child 101 one level down. */
	assert_int_equal(tl.lanes[0].process, 1);
	assert_int_equal(tl.lanes[0].depth, 0);
	cotrace_timeline_release(&tl);
}

static void
test_timeline_one_host_no_groups(void **state)
{
	struct fx *f = *state;
	struct cotrace_timeline tl;
	struct capture c;

	assert_int_equal(
			cotrace_timeline_build(&f->model, &f->metrics, &tl), 0);
	assert_int_equal(tl.n_groups, 0);
	assert_null(tl.groups);
	cotrace_timeline_release(&tl);

	assert_non_null(capture_begin(&c));
	assert_int_equal(cotrace_timeline_render(&cotrace_timeline_term, c.out,
					 &f->model, &f->metrics,
					 &(struct cotrace_timeline_options){
							 .width = 100}),
			0);
	assert_int_equal(capture_end(&c), 0);
	assert_not_contains(c.buf, "\nhost ");
	capture_release(&c);
}

static void
test_term_groups(void **state)
{
	struct fx *f = *state;
	struct capture c;
	const char *beta, *alpha;

	assert_non_null(capture_begin(&c));
	assert_int_equal(cotrace_timeline_render(&cotrace_timeline_term, c.out,
					 &f->model, &f->metrics,
					 &(struct cotrace_timeline_options){
							 .width = 100}),
			0);
	assert_int_equal(capture_end(&c), 0);
	beta = strstr(c.buf, "\nhost beta (2 processes)\n");
	alpha = strstr(c.buf, "\nhost alpha (1 process)\n");
	if (!beta || !alpha || beta > alpha) {
		fail_msg("host groups missing or out of order in:\n%s", c.buf);
	}
	assert_contains(c.buf, "1 task, 1 fork on 2 hosts;");
	/* Each group's lanes follow its line: beta's child, then alpha's. */
	assert_true(strstr(beta, "pid 101") < alpha);
	assert_non_null(strstr(alpha, "tid 105 worker-1"));
	capture_release(&c);
}

#ifdef COTRACE_HAVE_CAIRO
/* The SVG keeps its text as invisible <text> elements: each host's title. */
static void
test_svg_groups(void **state)
{
	struct fx *f = *state;
	struct capture c;

	assert_non_null(capture_begin(&c));
	assert_int_equal(cotrace_timeline_render(&cotrace_timeline_svg, c.out,
					 &f->model, &f->metrics,
					 &(struct cotrace_timeline_options){
							 .width = 1200}),
			0);
	assert_int_equal(capture_end(&c), 0);
	assert_contains(c.buf, ">host beta (2 processes)</text>");
	assert_contains(c.buf, ">host alpha (1 process)</text>");
	assert_contains(c.buf,
			"events, 0 lost \xc2\xb7 1 trace of 2 hosts</text>");
	capture_release(&c);
}

static void
test_svg_one_host(void **state)
{
	struct fx *f = *state;
	struct capture c;

	assert_non_null(capture_begin(&c));
	assert_int_equal(cotrace_timeline_render(&cotrace_timeline_svg, c.out,
					 &f->model, &f->metrics,
					 &(struct cotrace_timeline_options){
							 .width = 1200}),
			0);
	assert_int_equal(capture_end(&c), 0);
	assert_not_contains(c.buf, ">host ");
	capture_release(&c);
}
#endif

static void
render_report(const struct cotrace_report_format *format, struct fx *f,
		struct capture *c)
{
	assert_non_null(capture_begin(c));
	assert_int_equal(format->render(c->out, &f->model, &f->metrics), 0);
	assert_int_equal(capture_end(c), 0);
}

static void
test_text_report_groups(void **state)
{
	struct fx *f = *state;
	struct capture c;
	const char *beta, *alpha;

	render_report(&cotrace_report_text, f, &c);
	assert_contains(c.buf, "Hosts: 2 (beta, alpha), on one time axis\n");
	beta = strstr(c.buf, "host beta: 2 processes, 2 threads, 1 task\n");
	alpha = strstr(c.buf, "host alpha: 1 process, 2 threads, 0 tasks\n");
	if (!beta || !alpha || beta > alpha) {
		fail_msg("fork tree groups missing or out of order in:\n%s",
				c.buf);
	}
	assert_true(strstr(beta, "pid 101 ") < alpha);
	/* Units name their host: equal pids of two machines stay apart. */
	assert_contains(c.buf,
			"\"cpu_task\"  pid 101 tid 101 on beta  started");
	capture_release(&c);
}

static void
test_text_report_one_host(void **state)
{
	struct fx *f = *state;
	struct capture c;

	render_report(&cotrace_report_text, f, &c);
	assert_not_contains(c.buf, "Hosts:");
	assert_not_contains(c.buf, "\nhost ");
	assert_not_contains(c.buf, " on alpha");
	capture_release(&c);
}

static void
test_json_hosts(void **state)
{
	struct fx *f = *state;
	struct capture c;

	render_report(&cotrace_report_json, f, &c);
	assert_contains(c.buf, "\"hosts\"");
	/* 3 processes, 4 threads, 1 task, each with its host; 2 in hosts. */
	assert_int_equal(count_of(c.buf, "\"host\": \"beta\""), 2 + 2 + 1);
	assert_int_equal(count_of(c.buf, "\"host\": \"alpha\""), 1 + 2);
	assert_int_equal(count_of(c.buf, "\"name\": \"beta\""), 1);
	assert_int_equal(count_of(c.buf, "\"name\": \"alpha\""), 1);
	capture_release(&c);
}

static void
test_story_groups(void **state)
{
	struct fx *f = *state;
	struct capture c;
	const char *beta, *alpha;

	assert_non_null(capture_begin(&c));
	assert_int_equal(
			cotrace_story_render(c.out, &f->model, &f->metrics), 0);
	assert_int_equal(capture_end(&c), 0);
	beta = strstr(c.buf, "On host beta (2 processes):\n");
	alpha = strstr(c.buf, "On host alpha (1 process):\n");
	if (!beta || !alpha || beta > alpha) {
		fail_msg("story parts missing or out of order in:\n%s", c.buf);
	}
	/* beta's fork is told in beta's part, alpha's worker in alpha's. */
	assert_true(strstr(beta, "forked pid 101") < alpha);
	assert_non_null(strstr(alpha, "worker-1"));
	capture_release(&c);
}

/* ---- clocks ---- */

static void
test_clocks_agree(void **state)
{
	struct cotrace_clock_gap gap;
	/* Overlapping, then one just W (the longest span) after: no warning. */
	struct cotrace_clock_domain d[] = {
			{"a", T0, T0 + 10 * SEC},
			{"b", T0 + 2 * SEC, T0 + 4 * SEC},
			{"c", T0 + 20 * SEC, T0 + 21 * SEC},
	};

	(void)state;
	/* c starts 10 s after a ended: exactly W, not more. */
	assert_false(cotrace_clocks_disagree(d, 3, &gap));
	assert_false(cotrace_clocks_disagree(d, 1, &gap));
	assert_false(cotrace_clocks_disagree(d, 0, &gap));
}

static void
test_clocks_disagree(void **state)
{
	struct cotrace_clock_gap gap;
	/* b is covered by a's span; c starts 10 s + 1 ns after a ended. */
	struct cotrace_clock_domain d[] = {
			{"c", T0 + 20 * SEC + 1, T0 + 21 * SEC},
			{"a", T0, T0 + 10 * SEC},
			{"b", T0 + 2 * SEC, T0 + 4 * SEC},
			{"none", COTRACE_TS_NONE, COTRACE_TS_NONE},
	};

	(void)state;
	assert_true(cotrace_clocks_disagree(d, 4, &gap));
	assert_int_equal(gap.before, 1);
	assert_int_equal(gap.after, 0);
	assert_true(gap.gap_ns == 10 * SEC + 1);
	assert_true(gap.work_ns == 10 * SEC);
}

static void
test_clocks_min_work(void **state)
{
	struct cotrace_clock_gap gap;
	/* Instant traces: W is 1 ms, so 0.5 ms apart agree, 2 ms do not. */
	struct cotrace_clock_domain near[] = {
			{"a", T0, T0},
			{"b", T0 + 500 * US, T0 + 500 * US},
	};
	struct cotrace_clock_domain far[] = {
			{"a", T0, T0},
			{"b", T0 + 2 * MS, T0 + 2 * MS},
	};

	(void)state;
	assert_false(cotrace_clocks_disagree(near, 2, &gap));
	assert_true(cotrace_clocks_disagree(far, 2, &gap));
	assert_true(gap.work_ns == COTRACE_CLOCK_MIN_WORK_NS);
	/* Clocks centuries apart saturate, never overflow. */
	far[1].first_ns = far[1].last_ns = INT64_MAX;
	far[0].first_ns = far[0].last_ns = INT64_MIN + 1;
	assert_true(cotrace_clocks_disagree(far, 2, &gap));
	assert_true(gap.gap_ns == INT64_MAX);
}

static void
test_clocks_warning(void **state)
{
	struct cotrace_model *m = cotrace_model_create();
	struct cotrace_clock_domain hosts[] = {
			{"lab-01", T0, T0 + 500 * MS},
			{"lab-02", T0 + 3600 * SEC, T0 + 3600 * SEC + 400 * MS},
	};
	struct cotrace_clock_domain same[] = {
			{"lab-01", T0, T0 + 500 * MS},
			{"lab-01", T0 + 90 * SEC, T0 + 90 * SEC + 400 * MS},
	};

	(void)state;
	assert_non_null(m);
	assert_int_equal(cotrace_clocks_check(m, hosts, 2), 0);
	assert_int_equal(m->n_warnings, 1);
	assert_int_equal(m->warnings[0].kind, COTRACE_WARN_CLOCKS_DISAGREE);
	assert_string_equal(cotrace_warning_kind_name(m->warnings[0].kind),
			"clocks-disagree");
	assert_true(m->warnings[0].ts_ns == T0 + 3600 * SEC);
	assert_contains(m->warnings[0].message,
			"The clocks of hosts lab-01 and lab-02 disagree");
	assert_contains(m->warnings[0].message, "60.0 min after");
	assert_contains(m->warnings[0].message, "(0.500 s)");
	assert_int_equal(cotrace_clocks_check(m, same, 2), 0);
	assert_int_equal(m->n_warnings, 2);
	assert_contains(m->warnings[1].message,
			"Two traces of host lab-01 lie 89.500 s apart");
	/* Kept by finish(), as the other warnings. */
	assert_int_equal(cotrace_model_finish(m), 0);
	assert_int_equal(m->n_warnings, 2);
	cotrace_model_destroy(m);
}

static int
group_teardown(void **state)
{
	(void)state;
#ifdef COTRACE_HAVE_CAIRO
	/* cairo's and fontconfig's caches, so leak checkers see only ours. */
	cairo_debug_reset_static_data();
	FcFini();
#endif
	return 0;
}

#define TEST2(f) cmocka_unit_test_setup_teardown(f, setup_two_hosts, teardown)
#define TEST1(f) cmocka_unit_test_setup_teardown(f, setup_one_host, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
			TEST2(test_hosts_build),
			TEST2(test_hosts_unknown),
			TEST2(test_timeline_groups),
			TEST1(test_timeline_one_host_no_groups),
			TEST2(test_term_groups),
			TEST2(test_text_report_groups),
			TEST1(test_text_report_one_host),
			TEST2(test_json_hosts),
			TEST2(test_story_groups),
#ifdef COTRACE_HAVE_CAIRO
			TEST2(test_svg_groups),
			TEST1(test_svg_one_host),
#endif
			cmocka_unit_test(test_clocks_agree),
			cmocka_unit_test(test_clocks_disagree),
			cmocka_unit_test(test_clocks_min_work),
			cmocka_unit_test(test_clocks_warning),
	};

	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
