/* The story of a run (story.c), on models built by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model-fixture.h"
#include "story.h"

/*
 * pid 4012 starts at 0, forks 4013 at 2 ms (fork returns 4013 / 0), and a
 * child 4099 that never appears (3 ms); 4013 starts at 4 ms, runs worker-2
 * (tid 4016) which writes and reads its TLS slot and runs task 1; the
 * tracer loses 5 events at 6 ms; 4013 exits with status 3.
 */
static int
setup_run(void **state)
{
	struct fx *f = fx_create();
	size_t parent, child, w;

	if (!f) {
		return -1;
	}
	parent = fx_process(f, 4012, SIZE_MAX, T0, T0 + 20 * MS, 3 * MS);
	f->processes[parent].ppid = 4000;
	child = fx_process(f, 4013, parent, T0 + 4 * MS, T0 + 15 * MS, 9 * MS);
	f->processes[child].exit_status = 3;
	fx_thread(f, 4012, parent, "cotrace-demo", T0, T0 + 20 * MS, MS);
	fx_thread(f, 4013, child, "cotrace-demo", T0 + 4 * MS, T0 + 15 * MS,
			MS);
	w = fx_thread(f, 4016, child, "worker-2", T0 + 5 * MS, T0 + 14 * MS,
			8 * MS);
	f->threads[w].pthread_id = UINT64_C(0x7f3a5c1ff6c0);
	fx_tls(f, w, "value", "140187380692672", UINT64_C(0x7f3a5c1ff6b8),
			T0 + 5 * MS + 100 * US, false);
	fx_tls(f, w, "value", "140187380692672", UINT64_C(0x7f3a5c1ff6b8),
			T0 + 13 * MS, true);
	fx_task(f, 1, w, T0 + 7 * MS, T0 + 12 * MS, 5 * MS);
	fx_fork(f, parent, child, 4013, T0 + 2 * MS, 1);
	fx_fork(f, parent, SIZE_MAX, 4099, T0 + 3 * MS, 1);
	fx_lost(f, 5, T0 + 6 * MS, T0 + 6 * MS + 500 * US);
	fx_warning(f, COTRACE_WARN_CHILD_ABNORMAL,
			"pid 4013 (cotrace-demo) exited with status 3.",
			T0 + 15 * MS);
	fx_warning(f, COTRACE_WARN_EVENTS_LOST,
			"The tracer discarded 5 events.", T0 + 6 * MS);
	fx_warning(f, COTRACE_WARN_TRACE_DAMAGED,
			"Decoding stopped early: the trace is damaged",
			COTRACE_TS_NONE);
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

static char *
tell(struct fx *f)
{
	struct capture c;

	assert_non_null(capture_begin(&c));
	assert_int_equal(
			cotrace_story_render(c.out, &f->model, &f->metrics), 0);
	assert_int_equal(capture_end(&c), 0);
	return c.buf;
}

/* `a` comes before `b` in `text`, both present. */
static void
assert_before(const char *text, const char *a, const char *b)
{
	const char *pa = strstr(text, a), *pb = strstr(text, b);

	if (!pa || !pb || pa > pb) {
		fail_msg("expected \"%s\" before \"%s\" in:\n%s", a, b, text);
	}
}

static void
test_sentences(void **state)
{
	char *out = tell(*state);

	assert_contains(out, "The story of /tmp/run/ust/uid/0/64-bit: ");
	assert_contains(out, "      +0 ms  pid 4012 (cotrace-demo) started; "
			     "its parent, pid 4000, was not traced.\n");
	assert_contains(out, "   +2.00 ms  pid 4012 forked pid 4013; fork "
			     "returned 4013 in the parent and 0 in the "
			     "child.\n");
	assert_contains(out, "   +3.00 ms  pid 4012 forked; fork returned "
			     "4099 in the parent, but that child never "
			     "appeared in the trace.\n");
	assert_contains(out, "   +4.00 ms  pid 4013 (cotrace-demo) started as "
			     "a child of pid 4012.\n");
	assert_contains(out, "   +5.00 ms  thread worker-2 (tid 4016) started "
			     "in pid 4013, pthread id 0x7f3a5c1ff6c0.\n");
	assert_contains(out, "   +5.10 ms  thread worker-2 (tid 4016) wrote "
			     "value=140187380692672 to its own slot at "
			     "0x7f3a5c1ff6b8.\n");
	assert_contains(out, "   +6.00 ms  the tracer discarded 5 events (its "
			     "buffers were full) over the next 0.500 ms: what "
			     "happened then may be missing from this story.\n");
	assert_contains(out, "   +7.00 ms  task 1 \"cpu_task\" started on "
			     "thread worker-2 (tid 4016) of pid 4013.\n");
	assert_contains(out, "  +12.00 ms  task 1 \"cpu_task\" finished after "
			     "5.00 ms with 5.00 ms of CPU: on a CPU 100 % of "
			     "the time.\n");
	assert_contains(out,
			"  +13.00 ms  thread worker-2 (tid 4016) read back "
			"value=140187380692672 from the slot at "
			"0x7f3a5c1ff6b8, what it wrote.\n");
	assert_contains(out, "  +14.00 ms  thread worker-2 (tid 4016) exited, "
			     "having used 8.00 ms of CPU.\n");
	assert_contains(out, "  +15.00 ms  pid 4013 (cotrace-demo) exited with "
			     "status 3 after 11.00 ms, having used 9.00 ms of "
			     "CPU (not 0: it reported a failure).\n");
	/* The warning at its moment, after what it is about. */
	assert_contains(out, "  +15.00 ms  warning [child-abnormal-exit]: pid "
			     "4013 (cotrace-demo) exited with status 3.\n");
	assert_before(out, "status 3 after", "warning [child-abnormal-exit]");
	/* A timeless warning last, with its full stop added. */
	assert_contains(out, "at the end  warning [trace-damaged]: Decoding "
			     "stopped early: the trace is damaged.\n");
	assert_before(out, "+20.00 ms  pid 4012 (cotrace-demo) exited",
			"warning [trace-damaged]");
	/* The lost events are told once, not twice. */
	assert_not_contains(out, "[events-lost]");
	/* Main threads have no sentences of their own. */
	assert_not_contains(out, "main thread");
	assert_not_contains(out, "tid 4013");
	free(out);
}

static void
test_time_order_and_verdict(void **state)
{
	struct fx *f = *state;
	char *out = tell(f);
	const char *verdict;
	double prev = -1;
	size_t lines = 0;

	for (const char *p = strchr(out, '\n'); p && p[1];
			p = strchr(p + 1, '\n')) {
		double ms;
		char unit[4];

		if (sscanf(p + 1, " +%lf %3s", &ms, unit) != 2) {
			continue;
		}
		if (!strcmp(unit, "s")) {
			ms *= 1000;
		}
		assert_true(ms >= prev);
		prev = ms;
		lines++;
	}
	/* 2 starts, 2 forks, thread start, TLS x2, lost, task x2, exits x3. */
	assert_true(lines >= 14);
	verdict = strstr(out, "\nVerdict: ");
	assert_non_null(verdict);
	assert_contains(verdict, "Only one task ran");
	/* The verdict, one line, ends the story. */
	assert_ptr_equal(strchr(verdict + 1, '\n'),
			verdict + strlen(verdict) - 1);
	free(out);
}

static void
test_shared_slot_and_changed_value(void **state)
{
	struct fx *f = fx_create();
	size_t p, a, b;
	char *out;

	(void)state;
	assert_non_null(f);
	p = fx_process(f, 10, SIZE_MAX, T0, T0 + 10 * MS, MS);
	a = fx_thread(f, 11, p, "worker-1", T0 + MS, T0 + 9 * MS, MS);
	b = fx_thread(f, 12, p, "", T0 + MS, T0 + 9 * MS, MS);
	fx_tls(f, a, "value", "1", 0x2000, T0 + 2 * MS, false);
	fx_tls(f, b, "value", "2", 0x2000, T0 + 3 * MS, false);
	fx_tls(f, a, "value", "2", 0x2000, T0 + 4 * MS, true);
	assert_int_equal(fx_finish(f), 0);
	out = tell(f);
	assert_contains(out, "thread worker-1 (tid 11) wrote value=1 to the "
			     "slot at 0x2000, which tid 12 of the same process "
			     "also wrote: one shared variable, not "
			     "thread-local.\n");
	/* A thread without a name is its tid. */
	assert_contains(out, "thread tid 12 wrote value=2 to the slot at "
			     "0x2000, which tid 11");
	assert_contains(out, "thread worker-1 (tid 11) read back value=2 from "
			     "the slot at 0x2000, not the 1 it wrote: another "
			     "thread wrote its slot.\n");
	free(out);
	fx_destroy(f);
}

static void
test_incomplete_lives(void **state)
{
	struct fx *f = fx_create();
	size_t p, t;
	char *out;

	(void)state;
	assert_non_null(f);
	p = fx_process(f, 20, SIZE_MAX, T0, T0 + 10 * MS, MS);
	f->processes[p].start_seen = false;
	f->processes[p].exit_seen = false;
	f->processes[p].ppid = -1;
	t = fx_thread(f, 21, p, "late", T0 + MS, T0 + 2 * MS, MS);
	f->threads[t].start_seen = false;
	f->threads[t].exit_seen = false;
	fx_task(f, 7, t, T0 + MS, COTRACE_TS_NONE, COTRACE_CPU_NONE);
	fx_fork(f, p, SIZE_MAX, 22, T0 + 5 * MS, 3);
	assert_int_equal(fx_finish(f), 0);
	out = tell(f);
	assert_contains(out, "pid 20 (cotrace-demo) was already running: this "
			     "is its first event (its start was not "
			     "recorded).\n");
	assert_contains(out, "thread late (tid 21) was already running in pid "
			     "20, pthread id 0x7f0000001000 (its start was not "
			     "recorded).\n");
	assert_contains(out, "pid 20 (cotrace-demo): its last event; its exit "
			     "was not recorded");
	assert_contains(out, "task 7 \"cpu_task\" started on thread late (tid "
			     "21) of pid 20.\n");
	assert_not_contains(out, "task 7 \"cpu_task\" finished");
	assert_contains(out, "while 2 other threads were alive in the parent");
	/* A thread that never exited gets no exit sentence. */
	assert_not_contains(out, "late (tid 21) exited");
	free(out);
	fx_destroy(f);
}

static void
test_killed(void **state)
{
	struct fx *f = fx_create();
	size_t root, child;
	char *out;

	(void)state;
	assert_non_null(f);
	root = fx_process(f, 40, SIZE_MAX, T0, T0 + 10 * MS, MS);
	child = fx_process(f, 41, root, T0 + MS, T0 + 3 * MS, MS);
	f->processes[child].term_signal = 9;
	f->processes[child].exit_status = 137;
	fx_fork(f, root, child, 41, T0 + MS / 2, 1);
	assert_int_equal(fx_finish(f), 0);
	out = tell(f);
	assert_contains(out, "  pid 41 (cotrace-demo) was killed by signal 9 "
			     "(SIGKILL) after 2.00 ms, having used 1.00 ms of "
			     "CPU.\n");
	assert_not_contains(out, "status 137");
	free(out);
	fx_destroy(f);
}

static void
test_empty_and_hostile(void **state)
{
	struct fx *f = fx_create();
	size_t p;
	char *out;

	(void)state;
	assert_non_null(f);
	assert_int_equal(fx_finish(f), 0);
	out = tell(f);
	assert_contains(out, "Nothing happened that cotrace records.\n");
	assert_contains(out, "\nVerdict: No task or process was recorded");
	free(out);
	fx_destroy(f);

	f = fx_create();
	assert_non_null(f);
	p = fx_process(f, 30, SIZE_MAX, T0, T0 + MS, MS);
	f->processes[p].name = (char *)"x\033]0;pwned\x07";
	assert_int_equal(fx_finish(f), 0);
	out = tell(f);
	assert_not_contains(out, "\033");
	assert_not_contains(out, "\x07");
	assert_contains(out, "pid 30 (x?]0;pwned?) started");
	free(out);
	fx_destroy(f);
}

static void
test_write_error(void **state)
{
	struct fx *f = *state;
	FILE *full = fopen("/dev/full", "w");

	if (!full) {
		skip();
	}
	setvbuf(full, NULL, _IONBF, 0);
	assert_int_not_equal(
			cotrace_story_render(full, &f->model, &f->metrics), 0);
	fclose(full);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test_setup_teardown(
					test_sentences, setup_run, teardown),
			cmocka_unit_test_setup_teardown(
					test_time_order_and_verdict, setup_run,
					teardown),
			cmocka_unit_test(test_shared_slot_and_changed_value),
			cmocka_unit_test(test_incomplete_lives),
			cmocka_unit_test(test_killed),
			cmocka_unit_test(test_empty_and_hostile),
			cmocka_unit_test_setup_teardown(
					test_write_error, setup_run, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
