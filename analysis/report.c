/*
 * The report formats, looked up by the name the user gives, and what the
 * text and JSON renderers share (report-common.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report-common.h"
#include "report.h"

static const struct cotrace_report_format *const formats[] = {
		&cotrace_report_text,
		&cotrace_report_json,
};

const struct cotrace_report_format *
cotrace_report_format_find(const char *name)
{
	if (!name) {
		return NULL;
	}
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (!strcmp(formats[i]->name, name)) {
			return formats[i];
		}
	}
	return NULL;
}

/* ---- shared by the renderers (report-common.h) ---- */

static const char *const warning_names[] = {
		[COTRACE_WARN_FORK_WITH_THREADS] = "fork-with-threads",
		[COTRACE_WARN_CHILD_ABNORMAL] = "child-abnormal-exit",
		[COTRACE_WARN_PROCESS_NO_EXIT] = "process-no-exit",
		[COTRACE_WARN_PROCESS_NO_START] = "process-no-start",
		[COTRACE_WARN_FORK_CHILD_MISSING] = "fork-child-missing",
		[COTRACE_WARN_TASK_UNFINISHED] = "task-unfinished",
		[COTRACE_WARN_TLS_SHARED_SLOT] = "tls-shared-slot",
		[COTRACE_WARN_TLS_VALUE_CHANGED] = "tls-value-changed",
		[COTRACE_WARN_EVENTS_LOST] = "events-lost",
		[COTRACE_WARN_TRACE_DAMAGED] = "trace-damaged",
		[COTRACE_WARN_PID_REUSED] = "pid-reused",
		[COTRACE_WARN_CLOCKS_DISAGREE] = "clocks-disagree",
		[COTRACE_WARN_LISTING_TRUNCATED] = "listing-truncated",
};

const char *
cotrace_warning_kind_name(enum cotrace_warning_kind kind)
{
	if ((size_t)kind >= sizeof(warning_names) / sizeof(warning_names[0]) ||
			!warning_names[kind]) {
		return "unknown";
	}
	return warning_names[kind];
}

char *
cotrace_format_duration(char *buf, size_t size, int64_t ns)
{
	const char *sign = "";
	uint64_t mag;

	if (ns == COTRACE_TS_NONE) {
		snprintf(buf, size, "?");
		return buf;
	}
	if (ns < 0) {
		sign = "-";
		mag = (uint64_t)0 - (uint64_t)ns;
	} else {
		mag = (uint64_t)ns;
	}
	if (mag >= 1000000000u) {
		snprintf(buf, size, "%s%.3f s", sign, (double)mag / 1e9);
	} else if (mag >= 1000000u) {
		snprintf(buf, size, "%s%.2f ms", sign, (double)mag / 1e6);
	} else if (mag >= 1000u) {
		snprintf(buf, size, "%s%.3f ms", sign, (double)mag / 1e6);
	} else {
		snprintf(buf, size, "%s%" PRIu64 " ns", sign, mag);
	}
	return buf;
}

const char *
cotrace_unit_name(enum cotrace_unit_kind unit, size_t count)
{
	if (unit == COTRACE_UNIT_TASK) {
		return count == 1 ? "task" : "tasks";
	}
	return count == 1 ? "process" : "processes";
}

size_t
cotrace_report_unit_count(const struct cotrace_model *model,
		const struct cotrace_metrics *metrics)
{
	return metrics->unit == COTRACE_UNIT_TASK ? model->n_tasks
						  : model->n_processes;
}

void
cotrace_report_unit(const struct cotrace_model *model,
		const struct cotrace_metrics *metrics, size_t i,
		struct cotrace_unit_view *unit)
{
	if (metrics->unit == COTRACE_UNIT_TASK) {
		const struct cotrace_task *t = &model->tasks[i];

		unit->start_ns = t->start_ns;
		unit->end_ns = t->end_ns;
		unit->cpu_ns = t->cpu_ns;
	} else {
		const struct cotrace_process *p = &model->processes[i];

		unit->start_ns = p->start_ns;
		unit->end_ns = p->end_ns;
		unit->cpu_ns = cotrace_process_cpu_ns(p);
	}
}

size_t
cotrace_report_incomplete_units(const struct cotrace_model *model,
		const struct cotrace_metrics *metrics)
{
	size_t n = 0;

	if (metrics->unit == COTRACE_UNIT_TASK && model->tasks_omitted) {
		/* Unfinished tasks have no CPU time either. */
		return model->task_totals.unfinished +
		       model->task_totals.without_cpu;
	}
	if (metrics->unit == COTRACE_UNIT_TASK) {
		for (size_t i = 0; i < model->n_tasks; i++) {
			n += model->tasks[i].end_ns == COTRACE_TS_NONE ||
			     model->tasks[i].cpu_ns == COTRACE_CPU_NONE;
		}
	} else {
		for (size_t i = 0; i < model->n_processes; i++) {
			n += !model->processes[i].start_seen ||
			     !model->processes[i].exit_seen;
		}
	}
	return n;
}

static int64_t
longest_unit(const struct cotrace_model *model,
		const struct cotrace_metrics *metrics)
{
	size_t n = cotrace_report_unit_count(model, metrics);
	int64_t longest = 0;

	if (metrics->unit == COTRACE_UNIT_TASK && model->tasks_omitted) {
		return model->task_totals.longest_ns;
	}
	for (size_t i = 0; i < n; i++) {
		struct cotrace_unit_view u;

		cotrace_report_unit(model, metrics, i, &u);
		if (u.start_ns != COTRACE_TS_NONE &&
				u.end_ns != COTRACE_TS_NONE &&
				u.end_ns - u.start_ns > longest) {
			longest = u.end_ns - u.start_ns;
		}
	}
	return longest;
}

void
cotrace_report_verdict(const struct cotrace_model *model,
		const struct cotrace_metrics *metrics,
		struct cotrace_verdict *v)
{
	size_t n = metrics->units;
	const char *units = cotrace_unit_name(metrics->unit, n);
	/*
	 * The rules compare the figures as the report prints them (two
	 * decimals), so that 1.4996, printed 1.50, counts as 1.50.
	 */
	double p = round(metrics->parallelism * 100.0) / 100.0;
	double q = round(metrics->cpu_parallelism * 100.0) / 100.0;
	/* A partial CPU sum only bounds cpu_parallelism from below. */
	bool cpu_all = metrics->units_without_cpu == 0;
	bool cpu_some = metrics->units_without_cpu < n;
	size_t incomplete = cotrace_report_incomplete_units(model, metrics);
	char span[32], busy[32], cpu[32], longest[32];

	cotrace_format_duration(span, sizeof(span), metrics->span_ns);
	cotrace_format_duration(busy, sizeof(busy), metrics->busy_ns);
	cotrace_format_duration(cpu, sizeof(cpu),
			metrics->cpu_ns > INT64_MAX ? INT64_MAX
						    : (int64_t)metrics->cpu_ns);
	cotrace_format_duration(
			longest, sizeof(longest), longest_unit(model, metrics));

	if (n > 0 && incomplete > 0 && cpu_some && q > p + 0.01) {
		/*
		 * More CPU than wall time: the CPU clocks cover parts of the
		 * units' lives the trace does not hold.
		 */
		v->kind = COTRACE_VERDICT_UNRELIABLE;
		v->name = "uncertain";
		snprintf(v->text, sizeof(v->text),
				"No verdict: %zu of the %zu %s were recorded "
				"only in "
				"part (start or end missing), and their CPU "
				"time (%s) "
				"exceeds their recorded wall time (%s), so "
				"these "
				"figures do not tell whether they ran in "
				"parallel; "
				"record the whole run.",
				incomplete, n, units, cpu, busy);
	} else if (n == 0) {
		v->kind = COTRACE_VERDICT_NO_UNITS;
		v->name = "no-units";
		snprintf(v->text, sizeof(v->text),
				"No task or process was recorded from start to "
				"finish, "
				"so there is nothing to compare.");
	} else if (n == 1) {
		v->kind = COTRACE_VERDICT_SINGLE;
		v->name = "single";
		snprintf(v->text, sizeof(v->text),
				"Only one %s ran, so nothing ran alongside it: "
				"the total "
				"time (%s) is that %s's time.",
				units, span,
				cotrace_unit_name(metrics->unit, 1));
	} else if (cpu_some && q >= COTRACE_THRESHOLD_PARALLEL &&
			q >= COTRACE_THRESHOLD_FULL * (double)n) {
		v->kind = COTRACE_VERDICT_PARALLEL_ALL;
		v->name = "parallel";
		snprintf(v->text, sizeof(v->text),
				"The %zu %s ran in parallel: on average %.2f "
				"of them were "
				"on a CPU at the same time (cpu_parallelism), "
				"so the "
				"total time (%s) is about one %s's (the "
				"longest took "
				"%s), not the sum of their times (%s).",
				n, units, q, span,
				cotrace_unit_name(metrics->unit, 1), longest,
				busy);
	} else if (cpu_some && q >= COTRACE_THRESHOLD_PARALLEL) {
		v->kind = COTRACE_VERDICT_PARALLEL_SOME;
		v->name = "parallel-partly";
		snprintf(v->text, sizeof(v->text),
				"The %zu %s ran in parallel, about %.2f at a "
				"time "
				"(cpu_parallelism; fewer than %zu, so probably "
				"as many "
				"as there were free CPUs): the total time (%s) "
				"is about "
				"the sum of their times (%s) divided by %.2f.",
				n, units, q, n, span, busy, q);
	} else if (p >= COTRACE_THRESHOLD_PARALLEL && cpu_all &&
			q < COTRACE_THRESHOLD_IDLE) {
		v->kind = COTRACE_VERDICT_WAITING;
		v->name = "mostly-waiting";
		snprintf(v->text, sizeof(v->text),
				"The %zu %s were alive at the same time "
				"(parallelism "
				"%.2f) but mostly waited: on average only %.2f "
				"CPUs "
				"were busy (cpu_parallelism), so they were "
				"sleeping or "
				"blocked rather than computing.",
				n, units, p, q);
	} else if (p >= COTRACE_THRESHOLD_PARALLEL && cpu_all &&
			q < COTRACE_THRESHOLD_TURNS) {
		v->kind = COTRACE_VERDICT_TOOK_TURNS;
		v->name = "took-turns";
		snprintf(v->text, sizeof(v->text),
				"The %zu %s took turns: they were alive at the "
				"same "
				"time (parallelism %.2f) but only about one "
				"was on a "
				"CPU at a time (cpu_parallelism %.2f, like "
				"Python "
				"threads behind the GIL), so the total time "
				"(%s) is the "
				"sum of the work (%s of CPU).",
				n, units, p, q, span, cpu);
	} else if (p >= COTRACE_THRESHOLD_PARALLEL && !cpu_all) {
		v->kind = COTRACE_VERDICT_OVERLAP_CPU_UNKNOWN;
		v->name = "overlapped-cpu-unknown";
		snprintf(v->text, sizeof(v->text),
				"The %zu %s were alive at the same time "
				"(parallelism "
				"%.2f), but the CPU time of %zu of them was "
				"not "
				"recorded, so whether they truly ran at once "
				"cannot be "
				"told.",
				n, units, p, metrics->units_without_cpu);
	} else if (p < COTRACE_THRESHOLD_SEQUENTIAL) {
		v->kind = COTRACE_VERDICT_SEQUENTIAL;
		v->name = "sequential";
		snprintf(v->text, sizeof(v->text),
				"The %zu %s ran one after another (parallelism "
				"%.2f): "
				"the total time (%s) is about the sum of their "
				"times "
				"(%s).",
				n, units, p, span, busy);
	} else {
		v->kind = COTRACE_VERDICT_PARTIAL;
		v->name = "partial-overlap";
		if (cpu_all) {
			snprintf(v->text, sizeof(v->text),
					"The %zu %s overlapped only partly: on "
					"average "
					"%.2f were alive and %.2f on a CPU at "
					"the same "
					"time, so the total time (%s) lies "
					"between one "
					"%s's (the longest took %s) and the "
					"sum of their "
					"times (%s).",
					n, units, p, q, span,
					cotrace_unit_name(metrics->unit, 1),
					longest, busy);
		} else {
			snprintf(v->text, sizeof(v->text),
					"The %zu %s overlapped only partly: on "
					"average "
					"%.2f were alive at the same time, so "
					"the total "
					"time (%s) lies between one %s's (the "
					"longest "
					"took %s) and the sum of their times "
					"(%s).",
					n, units, p, span,
					cotrace_unit_name(metrics->unit, 1),
					longest, busy);
		}
	}
	if (incomplete > 0 && n > 1 && v->kind != COTRACE_VERDICT_UNRELIABLE) {
		size_t len = strlen(v->text);

		snprintf(v->text + len, sizeof(v->text) - len,
				" (%zu of them %s recorded only in part, so "
				"take these "
				"figures with care.)",
				incomplete, incomplete == 1 ? "was" : "were");
	}
}

struct tls_write_ref {
	size_t process;
	const char *key;
	uint64_t addr;
	int64_t ts_ns;
	uint64_t seq;
	size_t thread;
};

static int
cmp_str(const char *a, const char *b)
{
	/* The model interns its strings: equal keys mostly share a pointer. */
	if (a == b) {
		return 0;
	}
	return strcmp(a ? a : "", b ? b : "");
}

static int
cmp_write_ref(const void *pa, const void *pb)
{
	const struct tls_write_ref *a = pa, *b = pb;
	int c;

	if (a->process != b->process) {
		return a->process < b->process ? -1 : 1;
	}
	c = cmp_str(a->key, b->key);
	if (c) {
		return c;
	}
	if (a->addr != b->addr) {
		return a->addr < b->addr ? -1 : 1;
	}
	if (a->ts_ns != b->ts_ns) {
		return a->ts_ns < b->ts_ns ? -1 : 1;
	}
	/* At the same time: in the order the model was fed. */
	if (a->seq != b->seq) {
		return a->seq < b->seq ? -1 : 1;
	}
	if (a->thread != b->thread) {
		return a->thread < b->thread ? -1 : 1;
	}
	return 0;
}

/* Accesses of one thread, ordered by key then by time (array order). */
static int
cmp_access_index(const void *pa, const void *pb, void *data)
{
	const struct cotrace_tls_access *tls = data;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	int c = cmp_str(tls[a].key, tls[b].key);

	if (c) {
		return c;
	}
	return a < b ? -1 : a > b;
}

static int64_t
process_pid(const struct cotrace_model *model, size_t process)
{
	return process < model->n_processes ? model->processes[process].pid
					    : -1;
}

/*
 * The check of a bounded model, from its per-key summaries and its slots:
 * the same answer as from every access (the same first slot, thread and
 * key), in memory that does not grow with the accesses.
 */
static void
tls_check_from_keys(const struct cotrace_model *model,
		struct cotrace_tls_check *check)
{
	const struct cotrace_tls_slot *shared = NULL;
	const struct cotrace_tls_key *changed = NULL;

	for (size_t t = 0; t < model->n_threads; t++) {
		check->writes += model->threads[t].tls_writes;
		check->reads += model->threads[t].tls_reads;
		check->threads += model->threads[t].tls_writes > 0;
	}
	for (size_t i = 0; i < model->n_tls_slots; i++) {
		const struct cotrace_tls_slot *s = &model->tls_slots[i];
		int c;

		check->slots += s->holders;
		if (s->shared[0] == SIZE_MAX) {
			continue;
		}
		if (shared) {
			c = s->process != shared->process
					    ? (s->process < shared->process ? -1 : 1)
					    : cmp_str(s->key, shared->key);
			if (!c) {
				c = s->addr < shared->addr ? -1 : s->addr > shared->addr;
			}
			if (c >= 0) {
				continue;
			}
		}
		shared = s;
	}
	if (shared) {
		check->shared = true;
		check->shared_pid = process_pid(model, shared->process);
		check->shared_key = shared->key;
		check->shared_addr = shared->addr;
		check->shared_tid_a = model->threads[shared->shared[0]].tid;
		check->shared_tid_b = model->threads[shared->shared[1]].tid;
	}
	for (size_t i = 0; i < model->n_tls_keys; i++) {
		const struct cotrace_tls_key *k = &model->tls_keys[i];

		if (!k->mismatch_written) {
			continue;
		}
		if (!changed || k->thread < changed->thread ||
				(k->thread == changed->thread &&
						cmp_str(k->key, changed->key) < 0)) {
			changed = k;
		}
	}
	if (changed) {
		check->changed = true;
		check->changed_pid = process_pid(
				model, model->threads[changed->thread].process);
		check->changed_tid = model->threads[changed->thread].tid;
		check->changed_key = changed->key;
		check->changed_expected = changed->mismatch_written;
		check->changed_got = changed->mismatch_read;
	}
}

int
cotrace_report_tls_check(const struct cotrace_model *model,
		struct cotrace_tls_check *check)
{
	struct tls_write_ref *writes = NULL;
	size_t *order = NULL;
	size_t n_writes = 0, max_tls = 0, w = 0;
	int status = 0;

	memset(check, 0, sizeof(*check));
	if (model->tls_omitted) {
		tls_check_from_keys(model, check);
		return 0;
	}
	for (size_t t = 0; t < model->n_threads; t++) {
		const struct cotrace_thread *th = &model->threads[t];
		size_t thread_writes = 0;

		for (size_t i = 0; i < th->n_tls; i++) {
			if (th->tls[i].is_read) {
				check->reads++;
			} else {
				thread_writes++;
			}
		}
		n_writes += thread_writes;
		check->threads += thread_writes > 0;
		if (th->n_tls > max_tls) {
			max_tls = th->n_tls;
		}
	}
	check->writes = n_writes;
	if (n_writes == 0 && check->reads == 0) {
		goto end;
	}

	writes = calloc(n_writes ? n_writes : 1, sizeof(*writes));
	order = calloc(max_tls ? max_tls : 1, sizeof(*order));
	if (!writes || !order) {
		status = -ENOMEM;
		goto end;
	}

	for (size_t t = 0; t < model->n_threads; t++) {
		const struct cotrace_thread *th = &model->threads[t];

		for (size_t i = 0; i < th->n_tls; i++) {
			if (!th->tls[i].is_read) {
				writes[w].process = th->process;
				writes[w].key = th->tls[i].key;
				writes[w].addr = th->tls[i].addr;
				writes[w].ts_ns = th->tls[i].ts_ns;
				writes[w].seq = th->tls[i].seq;
				writes[w].thread = t;
				w++;
			}
		}
	}
	qsort(writes, n_writes, sizeof(*writes), cmp_write_ref);
	/* Each slot in time order: who holds it, and who else wrote it. */
	for (size_t i = 0, holder = SIZE_MAX; i < n_writes; i++) {
		bool same_slot = i > 0 &&
				 writes[i].process == writes[i - 1].process &&
				 writes[i].addr == writes[i - 1].addr &&
				 !cmp_str(writes[i].key, writes[i - 1].key);

		if (!same_slot ||
				cotrace_thread_ended_by(&model->threads[holder],
						writes[i].ts_ns)) {
			/* A new slot, or one whose holder had ended. */
			if (!same_slot || writes[i].thread != holder) {
				check->slots++;
			}
			holder = writes[i].thread;
		} else if (writes[i].thread != holder && !check->shared) {
			check->shared = true;
			check->shared_pid =
					process_pid(model, writes[i].process);
			check->shared_key = writes[i].key;
			check->shared_addr = writes[i].addr;
			check->shared_tid_a = model->threads[holder].tid;
			check->shared_tid_b =
					model->threads[writes[i].thread].tid;
		}
	}

	for (size_t t = 0; t < model->n_threads && !check->changed; t++) {
		const struct cotrace_thread *th = &model->threads[t];
		const char *last_value = NULL;
		bool reads = false;

		for (size_t i = 0; i < th->n_tls; i++) {
			order[i] = i;
			reads |= th->tls[i].is_read;
		}
		if (!reads) {
			continue;
		}
		qsort_r(order, th->n_tls, sizeof(*order), cmp_access_index,
				th->tls);
		for (size_t k = 0; k < th->n_tls; k++) {
			const struct cotrace_tls_access *a = &th->tls[order[k]];

			if (k > 0 && cmp_str(a->key, th->tls[order[k - 1]]
								     .key)) {
				last_value = NULL;
			}
			if (!a->is_read) {
				last_value = a->value ? a->value : "";
				continue;
			}
			/* A read before any write of this thread checks
			 * nothing. */
			if (last_value && cmp_str(a->value, last_value)) {
				check->changed = true;
				check->changed_pid =
						process_pid(model, th->process);
				check->changed_tid = th->tid;
				check->changed_key = a->key;
				check->changed_expected = last_value;
				check->changed_got = a->value ? a->value : "";
				break;
			}
		}
	}

end:
	free(writes);
	free(order);
	return status;
}

void
cotrace_report_tls_sentence(
		const struct cotrace_tls_check *c, char *buf, size_t size)
{
	if (c->writes == 0 && c->reads == 0) {
		snprintf(buf, size,
				"No thread-local storage accesses were "
				"recorded.");
	} else if (c->shared) {
		snprintf(buf, size,
				"Not every thread had its own slot: threads "
				"%" PRId64 " and %" PRId64 " of pid %" PRId64
				" both "
				"wrote key '%s' at 0x%" PRIx64
				", so they shared one "
				"variable.",
				c->shared_tid_a, c->shared_tid_b, c->shared_pid,
				c->shared_key ? c->shared_key : "",
				c->shared_addr);
	} else if (c->changed) {
		snprintf(buf, size,
				"Not every thread kept its own value: "
				"thread %" PRId64 " of pid %" PRId64
				" wrote '%s' to key "
				"'%s' but read back '%s', so another thread "
				"wrote its "
				"slot.",
				c->changed_tid, c->changed_pid,
				c->changed_expected,
				c->changed_key ? c->changed_key : "",
				c->changed_got);
	} else if (c->reads > 0) {
		snprintf(buf, size,
				"Every thread had its own slot: %zu "
				"thread%s wrote %zu distinct slot%s (no two "
				"threads of a process alive at the same time "
				"shared an address), and each read "
				"back its own "
				"value (%zu read%s).",
				c->threads, c->threads == 1 ? "" : "s",
				c->slots, c->slots == 1 ? "" : "s", c->reads,
				c->reads == 1 ? "" : "s");
	} else {
		snprintf(buf, size,
				"Every thread had its own slot: %zu "
				"thread%s wrote %zu distinct slot%s, and no "
				"two threads of a process alive at the same "
				"time shared an address (no read-backs "
				"were "
				"recorded).",
				c->threads, c->threads == 1 ? "" : "s",
				c->slots, c->slots == 1 ? "" : "s");
	}
}

const char *
cotrace_log_level_name(int64_t level)
{
	switch (level) {
	case 50:
		return "CRITICAL";
	case 40:
		return "ERROR";
	case 30:
		return "WARNING";
	case 20:
		return "INFO";
	case 10:
		return "DEBUG";
	case 0:
		return "NOTSET";
	default:
		return NULL;
	}
}

static int
cmp_log_order(const void *pa, const void *pb, void *data)
{
	const struct cotrace_model *m = data;
	const struct cotrace_log *a = &m->logs[*(const size_t *)pa];
	const struct cotrace_log *b = &m->logs[*(const size_t *)pb];

	if (a->process != b->process) {
		return a->process < b->process ? -1 : 1;
	}
	if (a->ts_ns != b->ts_ns) {
		return a->ts_ns < b->ts_ns ? -1 : 1;
	}
	/* The model's order (arrival) for records of one instant. */
	return a < b ? -1 : a > b;
}

size_t *
cotrace_report_logs_by_process(const struct cotrace_model *model, int *status)
{
	size_t *order;

	*status = 0;
	if (model->n_logs == 0) {
		return NULL;
	}
	order = malloc(model->n_logs * sizeof(*order));
	if (!order) {
		*status = -ENOMEM;
		return NULL;
	}
	for (size_t i = 0; i < model->n_logs; i++) {
		order[i] = i;
	}
	qsort_r(order, model->n_logs, sizeof(*order), cmp_log_order,
			(void *)model);
	return order;
}
