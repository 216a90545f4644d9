/*
 * A bounded model (model.h: cotrace_model_set_limits) lists only the first
 * tasks and TLS accesses and computes its figures while the events stream
 * in; a model that keeps everything computes them from its arrays. On
 * events in time order, as the muxer delivers them, both must give the same
 * metrics, verdict, TLS check and warnings: random event sequences, fed to
 * both, are compared figure by figure.
 */
#include <errno.h>
#include <inttypes.h>
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
#include "report-common.h"
#include "report.h"

#define MS INT64_C(1000000)
#define T0 INT64_C(1700000000000000000)
#define PROCS 4
#define THREADS 3

static uint64_t rng;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned
pick(unsigned n)
{
	return (unsigned)(next() % n);
}

struct pair {
	struct cotrace_model *full;
	struct cotrace_model *bounded;
	uint64_t cpu[PROCS][THREADS];
};

static void
feed(struct pair *p, const struct cotrace_event *e)
{
	assert_int_equal(cotrace_model_add_event(p->full, e), 0);
	assert_int_equal(cotrace_model_add_event(p->bounded, e), 0);
}

static struct cotrace_event
event(enum cotrace_event_type type, int64_t ts, unsigned proc, unsigned thr)
{
	int64_t pid = 100 + proc * 10;

	return (struct cotrace_event){
			.type = type,
			.ts_ns = ts,
			.pid = pid,
			.tid = pid + thr,
			.pthread_id = 0x7f0000000000ULL + (uint64_t)(pid + thr),
			.procname = "demo",
			.ppid = -1,
			.fork_ret = -1,
			.cpu_ns = COTRACE_CPU_NONE,
			.status = 0,
	};
}

/* A random run: tasks (some never finished, some restarted, some after
 * their process's exit), TLS writes and reads (some shared, some read
 * back wrong), exits, in time order with ties. */
static void
random_run(struct pair *p, unsigned n_events)
{
	static const char *const labels[] = {"work", "io", "cpu_task"};
	static const char *const keys[] = {"counter", "name"};
	static const char *const values[] = {"0", "1", "2", "10"};
	int64_t ts = T0;
	unsigned procs = 1 + pick(PROCS);

	for (unsigned i = 0; i < procs; i++) {
		struct cotrace_event e;

		if (pick(4) == 0) {
			continue; /* its start was not recorded */
		}
		e = event(COTRACE_EVENT_PROC_START, ts, i, 0);
		e.ppid = 1;
		e.name = "demo";
		e.cpu_ns = 1000;
		feed(p, &e);
		ts += (int64_t)pick(3) * MS;
	}
	for (unsigned n = 0; n < n_events; n++) {
		unsigned proc = pick(procs), thr = pick(THREADS);
		unsigned what = pick(20);
		struct cotrace_event e;

		ts += (int64_t)pick(4) * MS / 2;
		p->cpu[proc][thr] += pick(3) * MS / 2;
		if (what < 6) {
			e = event(COTRACE_EVENT_TASK_START, ts, proc, thr);
			e.task_id = pick(3);
			e.name = labels[pick(3)];
			e.cpu_ns = pick(10) ? p->cpu[proc][thr]
					    : COTRACE_CPU_NONE;
		} else if (what < 12) {
			e = event(COTRACE_EVENT_TASK_FINISH, ts, proc, thr);
			e.task_id = pick(3);
			e.cpu_ns = pick(10) ? p->cpu[proc][thr]
					    : COTRACE_CPU_NONE;
		} else if (what < 15) {
			e = event(COTRACE_EVENT_TLS_WRITE, ts, proc, thr);
			e.key = keys[pick(2)];
			e.value = values[pick(4)];
			/* Now and then one slot for two threads. */
			e.addr = 0x7f00aa000000ULL +
				 (pick(6) ? 0x1000 * (uint64_t)thr : 0);
		} else if (what < 18) {
			e = event(COTRACE_EVENT_TLS_READ, ts, proc, thr);
			e.key = keys[pick(2)];
			e.value = values[pick(4)];
			e.addr = 0x7f00aa000000ULL + 0x1000 * (uint64_t)thr;
		} else if (what == 18) {
			e = event(COTRACE_EVENT_PROC_EXIT, ts, proc, 0);
			e.cpu_ns = 50 * MS;
			e.status = pick(4) ? 0 : 3;
		} else if (pick(3)) {
			e = event(COTRACE_EVENT_THREAD_START, ts, proc, thr);
			e.name = "worker";
		} else {
			/*
			 * Its slots may go to a later thread. An exit shares
			 * no time with another event: in a tie, whether a
			 * write came before or after it is not in the times.
			 */
			ts++;
			e = event(COTRACE_EVENT_THREAD_EXIT, ts, proc, thr);
			e.cpu_ns = p->cpu[proc][thr];
			feed(p, &e);
			ts++;
			continue;
		}
		feed(p, &e);
	}
}

static void
assert_same_string(const char *a, const char *b)
{
	if (!a || !b) {
		assert_ptr_equal(a, b);
		return;
	}
	assert_string_equal(a, b);
}

static void
compare(const struct pair *p)
{
	const struct cotrace_model *a = p->full, *b = p->bounded;
	struct cotrace_metrics ma, mb;
	struct cotrace_verdict va, vb;
	struct cotrace_tls_check ca, cb;
	size_t wa = 0, wb = 0;

	assert_int_equal(cotrace_metrics_compute(a, &ma), 0);
	assert_int_equal(cotrace_metrics_compute(b, &mb), 0);
	assert_int_equal(ma.unit, mb.unit);
	assert_int_equal(ma.units, mb.units);
	assert_int_equal(ma.start_ns, mb.start_ns);
	assert_int_equal(ma.end_ns, mb.end_ns);
	assert_int_equal(ma.span_ns, mb.span_ns);
	assert_int_equal(ma.busy_ns, mb.busy_ns);
	assert_int_equal(ma.cpu_ns, mb.cpu_ns);
	assert_int_equal(ma.units_without_cpu, mb.units_without_cpu);
	assert_true(ma.parallelism == mb.parallelism);
	assert_true(ma.cpu_parallelism == mb.cpu_parallelism);
	assert_int_equal(ma.max_concurrency, mb.max_concurrency);
	for (size_t k = 0; k <= ma.max_concurrency; k++) {
		assert_int_equal(ma.profile_ns[k], mb.profile_ns[k]);
	}
	assert_int_equal(ma.n_overlaps, mb.n_overlaps);
	for (size_t i = 0; i < ma.n_overlaps; i++) {
		assert_int_equal(ma.overlaps[i].a, mb.overlaps[i].a);
		assert_int_equal(ma.overlaps[i].b, mb.overlaps[i].b);
		assert_int_equal(ma.overlaps[i].overlap_ns,
				mb.overlaps[i].overlap_ns);
	}
	assert_int_equal(cotrace_report_incomplete_units(a, &ma),
			cotrace_report_incomplete_units(b, &mb));
	cotrace_report_verdict(a, &ma, &va);
	cotrace_report_verdict(b, &mb, &vb);
	assert_string_equal(va.text, vb.text);

	assert_int_equal(cotrace_report_tls_check(a, &ca), 0);
	assert_int_equal(cotrace_report_tls_check(b, &cb), 0);
	assert_int_equal(ca.writes, cb.writes);
	assert_int_equal(ca.reads, cb.reads);
	assert_int_equal(ca.threads, cb.threads);
	assert_int_equal(ca.slots, cb.slots);
	assert_int_equal(ca.shared, cb.shared);
	if (ca.shared) {
		assert_int_equal(ca.shared_pid, cb.shared_pid);
		assert_int_equal(ca.shared_tid_a, cb.shared_tid_a);
		assert_int_equal(ca.shared_tid_b, cb.shared_tid_b);
		assert_int_equal(ca.shared_addr, cb.shared_addr);
		assert_same_string(ca.shared_key, cb.shared_key);
	}
	assert_int_equal(ca.changed, cb.changed);
	if (ca.changed) {
		assert_int_equal(ca.changed_tid, cb.changed_tid);
		assert_same_string(ca.changed_key, cb.changed_key);
		assert_same_string(ca.changed_expected, cb.changed_expected);
		assert_same_string(ca.changed_got, cb.changed_got);
	}

	/* The same warnings, the bounded model's list note aside. */
	for (;;) {
		while (wb < b->n_warnings &&
				b->warnings[wb].kind ==
						COTRACE_WARN_LISTING_TRUNCATED) {
			wb++;
		}
		if (wa == a->n_warnings || wb == b->n_warnings) {
			break;
		}
		assert_int_equal(a->warnings[wa].kind, b->warnings[wb].kind);
		assert_string_equal(a->warnings[wa].message,
				b->warnings[wb].message);
		wa++;
		wb++;
	}
	assert_int_equal(wa, a->n_warnings);
	assert_int_equal(wb, b->n_warnings);
	cotrace_metrics_release(&ma);
	cotrace_metrics_release(&mb);
}

/* How many runs met each case, so a generator change cannot void them. */
struct seen {
	unsigned truncated, unfinished, shared, changed, exited;
};

static void
run_pairs(const struct cotrace_model_limits *limits, unsigned runs,
		unsigned events, struct seen *seen)
{
	for (unsigned r = 0; r < runs; r++) {
		struct cotrace_tls_check check;
		struct pair p = {0};

		rng = 0x9e3779b97f4a7c15ULL + r;
		p.full = cotrace_model_create();
		p.bounded = cotrace_model_create();
		assert_non_null(p.full);
		assert_non_null(p.bounded);
		assert_int_equal(
				cotrace_model_set_limits(p.bounded, limits), 0);
		random_run(&p, events);
		assert_int_equal(cotrace_model_finish(p.full), 0);
		assert_int_equal(cotrace_model_finish(p.bounded), 0);
		compare(&p);
		seen->truncated += p.bounded->tasks_omitted > 0 &&
				   p.bounded->tls_omitted > 0;
		seen->unfinished += p.bounded->task_totals.unfinished > 0;
		assert_int_equal(
				cotrace_report_tls_check(p.bounded, &check), 0);
		seen->shared += check.shared;
		seen->changed += check.changed;
		for (size_t i = 0; i < p.full->n_processes; i++) {
			if (p.full->processes[i].exit_seen) {
				seen->exited++;
				break;
			}
		}
		cotrace_model_destroy(p.full);
		cotrace_model_destroy(p.bounded);
	}
}

/* Lists of one: nearly everything is computed from the streamed totals. */
static void
test_tiny_lists(void **state)
{
	const struct cotrace_model_limits limits = {1, 1};
	struct seen seen = {0};

	(void)state;
	run_pairs(&limits, 400, 60, &seen);
	assert_true(seen.truncated > 300);
	assert_true(seen.unfinished > 100);
	assert_true(seen.shared > 20);
	assert_true(seen.changed > 100);
	assert_true(seen.exited > 100);
}

/* Longer runs, some of them within the lists. */
static void
test_longer_runs(void **state)
{
	const struct cotrace_model_limits limits = {40, 8};
	struct seen seen = {0};

	(void)state;
	run_pairs(&limits, 100, 400, &seen);
	assert_true(seen.truncated > 50);
	assert_true(seen.unfinished > 50);
}

/*
 * A slot written by a thread that started after its holder ended is the
 * new thread's own (thread memory is reused), not a shared one; a slot
 * written by two threads alive at once is shared, named by its holder and
 * the other thread. Both models agree.
 */
static void
write_slot(struct pair *p, int64_t ts, unsigned thr, const char *value)
{
	struct cotrace_event e = event(COTRACE_EVENT_TLS_WRITE, ts, 0, thr);

	e.key = "local";
	e.value = value;
	e.addr = 0x7f00bb000000ULL;
	feed(p, &e);
}

static void
thread_event(struct pair *p, enum cotrace_event_type type, int64_t ts,
		unsigned thr)
{
	struct cotrace_event e = event(type, ts, 0, thr);

	e.name = "worker";
	e.cpu_ns = MS;
	feed(p, &e);
}

static void
test_tls_slot_reused(void **state)
{
	const struct cotrace_model_limits limits = {1, 1};
	struct pair p = {0};
	struct cotrace_tls_check ca, cb;

	(void)state;
	p.full = cotrace_model_create();
	p.bounded = cotrace_model_create();
	assert_non_null(p.full);
	assert_non_null(p.bounded);
	assert_int_equal(cotrace_model_set_limits(p.bounded, &limits), 0);
	/* Threads 1 then 2, one after the other, on the same memory. */
	thread_event(&p, COTRACE_EVENT_THREAD_START, T0, 1);
	write_slot(&p, T0 + 1 * MS, 1, "a");
	write_slot(&p, T0 + 2 * MS, 1, "b");
	thread_event(&p, COTRACE_EVENT_THREAD_EXIT, T0 + 3 * MS, 1);
	thread_event(&p, COTRACE_EVENT_THREAD_START, T0 + 4 * MS, 2);
	write_slot(&p, T0 + 5 * MS, 2, "c");
	assert_int_equal(cotrace_model_finish(p.full), 0);
	assert_int_equal(cotrace_model_finish(p.bounded), 0);
	assert_int_equal(cotrace_report_tls_check(p.full, &ca), 0);
	assert_int_equal(cotrace_report_tls_check(p.bounded, &cb), 0);
	assert_false(ca.shared);
	assert_false(cb.shared);
	assert_int_equal(ca.slots, 2);
	assert_int_equal(cb.slots, 2);
	for (size_t i = 0; i < p.full->n_warnings; i++) {
		assert_int_not_equal(p.full->warnings[i].kind,
				COTRACE_WARN_TLS_SHARED_SLOT);
	}
	cotrace_model_destroy(p.full);
	cotrace_model_destroy(p.bounded);

	/* Thread 2 writes while thread 1 still runs: shared. */
	p.full = cotrace_model_create();
	p.bounded = cotrace_model_create();
	assert_non_null(p.full);
	assert_non_null(p.bounded);
	assert_int_equal(cotrace_model_set_limits(p.bounded, &limits), 0);
	thread_event(&p, COTRACE_EVENT_THREAD_START, T0, 1);
	thread_event(&p, COTRACE_EVENT_THREAD_START, T0, 2);
	write_slot(&p, T0 + 1 * MS, 1, "a");
	write_slot(&p, T0 + 2 * MS, 1, "b");
	write_slot(&p, T0 + 3 * MS, 2, "c");
	thread_event(&p, COTRACE_EVENT_THREAD_EXIT, T0 + 4 * MS, 1);
	assert_int_equal(cotrace_model_finish(p.full), 0);
	assert_int_equal(cotrace_model_finish(p.bounded), 0);
	assert_int_equal(cotrace_report_tls_check(p.full, &ca), 0);
	assert_int_equal(cotrace_report_tls_check(p.bounded, &cb), 0);
	assert_true(ca.shared);
	assert_true(cb.shared);
	assert_int_equal(ca.shared_tid_a, 101);
	assert_int_equal(ca.shared_tid_b, 102);
	assert_int_equal(cb.shared_tid_a, 101);
	assert_int_equal(cb.shared_tid_b, 102);
	assert_int_equal(ca.slots, 1);
	assert_int_equal(cb.slots, 1);
	cotrace_model_destroy(p.full);
	cotrace_model_destroy(p.bounded);
}

/* The reports say what the lists left out, and count it. */
static void
render_check(const struct cotrace_model *m)
{
	struct cotrace_metrics mt;
	char *text = NULL, *json = NULL;
	size_t len;
	FILE *out;

	assert_int_equal(cotrace_metrics_compute(m, &mt), 0);
	assert_int_equal(mt.units, 5000);
	out = open_memstream(&text, &len);
	assert_non_null(out);
	assert_int_equal(cotrace_report_text.render(out, m, &mt), 0);
	assert_int_equal(fclose(out), 0);
	out = open_memstream(&json, &len);
	assert_non_null(out);
	assert_int_equal(cotrace_report_json.render(out, m, &mt), 0);
	assert_int_equal(fclose(out), 0);
	assert_non_null(strstr(text, "Units: 5000 tasks"));
	assert_non_null(strstr(text, "... and 4990 more (--format json lists "
				     "the first 10)"));
	assert_non_null(strstr(text,
			"TLS key counter: 2500 writes, 0 reads, last 4998"));
	assert_non_null(strstr(text, "(+2496 more)"));
	assert_non_null(strstr(text, "[listing-truncated]"));
	assert_non_null(strstr(json, "\"tasks_omitted\": 4990"));
	assert_non_null(strstr(json, "\"tls_omitted\": 4992"));
	assert_non_null(strstr(json, "\"last_value\": \"4999\""));
	free(text);
	free(json);
	cotrace_metrics_release(&mt);
}

/* The bounded model keeps what it says and counts the rest. */
static void
test_lists_are_bounded(void **state)
{
	const struct cotrace_model_limits limits = {10, 4};
	struct cotrace_model *m = cotrace_model_create();
	size_t listed_tls = 0;
	int64_t ts = T0;

	(void)state;
	assert_non_null(m);
	assert_int_equal(cotrace_model_set_limits(m, &limits), 0);
	for (unsigned i = 0; i < 5000; i++) {
		struct cotrace_event e =
				event(COTRACE_EVENT_TASK_START, ts, 0, i % 2);
		char value[16];

		e.task_id = i;
		e.name = "work";
		e.cpu_ns = 0;
		assert_int_equal(cotrace_model_add_event(m, &e), 0);
		e = event(COTRACE_EVENT_TLS_WRITE, ts += MS, 0, i % 2);
		snprintf(value, sizeof(value), "%u", i);
		e.key = "counter";
		e.value = value;
		e.addr = 0x1000 * (uint64_t)(i % 2);
		assert_int_equal(cotrace_model_add_event(m, &e), 0);
		e = event(COTRACE_EVENT_TASK_FINISH, ts += MS, 0, i % 2);
		e.task_id = i;
		e.cpu_ns = MS;
		assert_int_equal(cotrace_model_add_event(m, &e), 0);
	}
	/* A set_limits after the first event is refused. */
	assert_int_equal(cotrace_model_set_limits(m, &limits), -EINVAL);
	assert_int_equal(cotrace_model_finish(m), 0);
	assert_int_equal(m->n_tasks, 10);
	assert_int_equal(m->tasks_omitted, 4990);
	assert_int_equal(m->task_totals.tasks, 5000);
	for (size_t t = 0; t < m->n_threads; t++) {
		listed_tls += m->threads[t].n_tls;
		assert_int_equal(m->threads[t].tls_writes, 2500);
	}
	assert_int_equal(listed_tls, 8);
	assert_int_equal(m->tls_omitted, 4992);
	assert_int_equal(m->n_tls_keys, 2);
	assert_string_equal(m->tls_keys[0].last_value, "4998");
	assert_string_equal(m->tls_keys[1].last_value, "4999");
	assert_int_equal(m->n_tls_slots, 2);
	/* One task at a time, each 2 ms of which 1 ms of CPU. */
	assert_int_equal(m->task_totals.busy_ns, 5000 * 2 * MS);
	assert_int_equal(m->task_totals.cpu_ns, 5000 * MS);
	assert_int_equal(m->task_totals.max_concurrency, 1);
	/* Its start was not recorded: process-no-start, then the lists. */
	assert_int_equal(m->n_warnings, 2);
	assert_int_equal(m->warnings[1].kind, COTRACE_WARN_LISTING_TRUNCATED);
	assert_non_null(strstr(m->warnings[1].message, "first 10 of the 5000"));
	render_check(m);
	cotrace_model_destroy(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_tiny_lists),
			cmocka_unit_test(test_longer_runs),
			cmocka_unit_test(test_lists_are_bounded),
			cmocka_unit_test(test_tls_slot_reused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
