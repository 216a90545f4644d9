/*
 * Evaluation of `cotrace check` expectations over a finished model, and
 * the words that explain each result. Two walks share the same rules: a
 * quiet one that only decides (truth(), used inside any(), all() and
 * count(... where)), and one that also explains the top-level comparisons
 * (explain()), since a grader's student needs to know which element failed
 * and what that means, not just "false".
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-eval.h"
#include "report-common.h"

/* truth(): a comparison on an element the field does not apply to. */
#define NA (-1)

/* ---- growing strings ---- */

struct sbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void __attribute__((format(printf, 2, 3)))
sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom) {
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0,
			fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if (!b->s || b->len + (size_t)n + 1 > b->cap) {
		size_t cap = (b->len + (size_t)n + 1) * 2;
		char *s = realloc(b->s, cap);

		if (!s) {
			b->oom = true;
			return;
		}
		b->s = s;
		b->cap = cap;
		va_start(ap, fmt);
		vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

static void
sbuf_release(struct sbuf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

/* The string, owned by the caller ("" when nothing was written). */
static char *
sbuf_take(struct sbuf *b)
{
	char *s = b->s ? b->s : strdup("");

	memset(b, 0, sizeof(*b));
	return s;
}

/* ---- values ---- */

enum value_state {
	VALUE_KNOWN,
	VALUE_UNKNOWN, /* the trace does not tell: comparisons fail */
	VALUE_NA,      /* the field does not apply to this element: skipped */
};

struct value {
	enum cotrace_check_type type;
	enum value_state state;
	int64_t integer; /* COUNT, DURATION */
	double number;	 /* NUMBER, RATIO */
	bool boolean;
	const char *string; /* borrowed */
	char why[200];	    /* UNKNOWN, NA: a clause saying why */
};

static void __attribute__((format(printf, 3, 4)))
set_unknown(struct value *v, enum value_state state, const char *fmt, ...)
{
	va_list ap;

	v->state = state;
	va_start(ap, fmt);
	vsnprintf(v->why, sizeof(v->why), fmt, ap);
	va_end(ap);
}

static void
set_count(struct value *v, int64_t n)
{
	v->type = COTRACE_CHECK_COUNT;
	v->state = VALUE_KNOWN;
	v->integer = n;
}

static void
set_duration(struct value *v, int64_t ns)
{
	v->type = COTRACE_CHECK_DURATION;
	v->state = VALUE_KNOWN;
	v->integer = ns;
}

static void
set_bool(struct value *v, bool b)
{
	v->type = COTRACE_CHECK_BOOL;
	v->state = VALUE_KNOWN;
	v->boolean = b;
}

static void
set_number(struct value *v, enum cotrace_check_type type, double x)
{
	v->type = type;
	v->state = VALUE_KNOWN;
	v->number = x;
}

static bool
is_integer_type(enum cotrace_check_type t)
{
	return t == COTRACE_CHECK_COUNT || t == COTRACE_CHECK_DURATION;
}

static double
as_double(const struct value *v)
{
	return is_integer_type(v->type) ? (double)v->integer : v->number;
}

/* -1, 0, 1 */
static int
order_of(const struct value *a, const struct value *b)
{
	if (a->type == COTRACE_CHECK_BOOL) {
		return a->boolean == b->boolean ? 0 : 1;
	}
	if (a->type == COTRACE_CHECK_STRING) {
		int c = strcmp(a->string ? a->string : "",
				b->string ? b->string : "");

		return c < 0 ? -1 : c > 0;
	}
	if (is_integer_type(a->type) && is_integer_type(b->type)) {
		return a->integer < b->integer ? -1 : a->integer > b->integer;
	}
	return as_double(a) < as_double(b) ? -1 : as_double(a) > as_double(b);
}

static bool
op_holds(enum cotrace_check_op op, int order)
{
	switch (op) {
	case COTRACE_CHECK_EQ:
		return order == 0;
	case COTRACE_CHECK_NE:
		return order != 0;
	case COTRACE_CHECK_LT:
		return order < 0;
	case COTRACE_CHECK_LE:
		return order <= 0;
	case COTRACE_CHECK_GT:
		return order > 0;
	case COTRACE_CHECK_GE:
		return order >= 0;
	}
	return false;
}

/* 1 holds, 0 fails (an unknown value fails), NA when a side is NA. */
static int
compare(enum cotrace_check_op op, const struct value *a, const struct value *b)
{
	if (a->state == VALUE_NA || b->state == VALUE_NA) {
		return NA;
	}
	if (a->state != VALUE_KNOWN || b->state != VALUE_KNOWN) {
		return 0;
	}
	return op_holds(op, order_of(a, b));
}

/* `a op b` read the other way round: `1.6 <= x` is `x >= 1.6`. */
static enum cotrace_check_op
mirror(enum cotrace_check_op op)
{
	switch (op) {
	case COTRACE_CHECK_LT:
		return COTRACE_CHECK_GT;
	case COTRACE_CHECK_LE:
		return COTRACE_CHECK_GE;
	case COTRACE_CHECK_GT:
		return COTRACE_CHECK_LT;
	case COTRACE_CHECK_GE:
		return COTRACE_CHECK_LE;
	default:
		return op;
	}
}

/*
 * Decimal text with as few digits as keep it honest: when `against` is
 * given, enough digits that the printed figure compares with it as the
 * real one does (never "measured 1.60" for a failed ">= 1.6").
 */
static void
format_decimal(double x, double scale, const char *suffix, int digits,
		const struct value *against, enum cotrace_check_op op,
		char *buf, size_t size)
{
	double target = against ? as_double(against) : 0;
	bool want = against && op_holds(op, x < target ? -1 : x > target);

	for (; digits <= 9; digits++) {
		double back;

		snprintf(buf, size, "%.*f%s", digits, x * scale, suffix);
		if (!against) {
			return;
		}
		back = strtod(buf, NULL) / scale;
		if (op_holds(op, back < target ? -1 : back > target) == want) {
			return;
		}
	}
}

static void
format_value(const struct value *v, const struct value *against,
		enum cotrace_check_op op, char *buf, size_t size)
{
	char mine[48], theirs[48];

	if (against && (against->state != VALUE_KNOWN ||
				       against->type == COTRACE_CHECK_BOOL ||
				       against->type == COTRACE_CHECK_STRING)) {
		against = NULL;
	}
	if (v->state != VALUE_KNOWN) {
		snprintf(buf, size, "unknown");
		return;
	}
	switch (v->type) {
	case COTRACE_CHECK_COUNT:
		snprintf(buf, size, "%" PRId64, v->integer);
		break;
	case COTRACE_CHECK_NUMBER:
		format_decimal(v->number, 1, "", 2, against, op, buf, size);
		break;
	case COTRACE_CHECK_RATIO:
		format_decimal(v->number, 100, "%", 1, against, op, buf, size);
		break;
	case COTRACE_CHECK_DURATION:
		cotrace_format_duration(mine, sizeof(mine), v->integer);
		if (against && against->type == COTRACE_CHECK_DURATION &&
				against->integer != v->integer &&
				!strcmp(mine, cotrace_format_duration(theirs,
							      sizeof(theirs),
							      against->integer))) {
			/* Rounded alike: only the nanoseconds tell. */
			snprintf(buf, size, "%s (%" PRId64 " ns)", mine,
					v->integer);
		} else {
			snprintf(buf, size, "%s", mine);
		}
		break;
	case COTRACE_CHECK_BOOL:
		snprintf(buf, size, "%s", v->boolean ? "true" : "false");
		break;
	case COTRACE_CHECK_STRING:
		snprintf(buf, size, "\"%s\"", v->string ? v->string : "");
		break;
	}
}

/* ---- the context ---- */

struct cotrace_check_context {
	const struct cotrace_model *model;     /* borrowed */
	const struct cotrace_metrics *metrics; /* borrowed */
	/* Per collection, element indexes in start order (forks: time). */
	size_t *order[COTRACE_CHECK_N_COLLECTIONS]; /* owned */
	size_t *proc_threads, *proc_tasks;	    /* owned, per process */
	int64_t *hull_start, *hull_end;		    /* owned, per process */
	/* Per thread: 1 true, 0 false, NA when the thread has no write
	 * (tls_distinct) or no read (tls_own_value). */
	signed char *tls_distinct, *tls_own; /* owned */
	size_t *tls_writes, *tls_reads;	     /* owned */
	/* The element each collection is bound to, SIZE_MAX when none. */
	size_t bound[COTRACE_CHECK_N_COLLECTIONS];
	const char *text; /* borrowed: the expectation evaluated */
};

static size_t
collection_size(const struct cotrace_check_context *ctx,
		enum cotrace_check_collection c)
{
	const struct cotrace_model *m = ctx->model;

	switch (c) {
	case COTRACE_CHECK_PROCESSES:
		return m->n_processes;
	case COTRACE_CHECK_THREADS:
		return m->n_threads;
	case COTRACE_CHECK_TASKS:
		return m->n_tasks;
	case COTRACE_CHECK_FORKS:
		return m->n_forks;
	case COTRACE_CHECK_WARNINGS:
		return m->n_warnings;
	default:
		return 0;
	}
}

static int64_t
element_start(const struct cotrace_model *m, enum cotrace_check_collection c,
		size_t i)
{
	switch (c) {
	case COTRACE_CHECK_PROCESSES:
		return m->processes[i].start_ns;
	case COTRACE_CHECK_THREADS:
		return m->threads[i].start_ns;
	case COTRACE_CHECK_TASKS:
		return m->tasks[i].start_ns;
	case COTRACE_CHECK_FORKS:
		return m->forks[i].ts_ns;
	default:
		return 0;
	}
}

struct order_arg {
	const struct cotrace_model *model;
	enum cotrace_check_collection c;
};

/* Start time, then trace order: a stable, documented order for #N. */
static int
cmp_start(const void *pa, const void *pb, void *data)
{
	const struct order_arg *arg = data;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	int64_t sa = element_start(arg->model, arg->c, a);
	int64_t sb = element_start(arg->model, arg->c, b);

	if (sa != sb) {
		return sa < sb ? -1 : 1;
	}
	return a < b ? -1 : a > b;
}

static int
cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

struct tls_write_ref {
	size_t process;
	const char *key;
	uint64_t addr;
	size_t thread;
};

static int
cmp_write(const void *pa, const void *pb)
{
	const struct tls_write_ref *a = pa, *b = pb;

	if (a->process != b->process) {
		return a->process < b->process ? -1 : 1;
	}
	if (a->addr != b->addr) {
		return a->addr < b->addr ? -1 : 1;
	}
	return cmp_str(a->key, b->key);
}

/* A thread's accesses by key, then time, then trace order. */
static int
cmp_access(const void *pa, const void *pb, void *data)
{
	const struct cotrace_tls_access *tls = data;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	int c = cmp_str(tls[a].key, tls[b].key);

	if (c) {
		return c;
	}
	if (tls[a].ts_ns != tls[b].ts_ns) {
		return tls[a].ts_ns < tls[b].ts_ns ? -1 : 1;
	}
	return a < b ? -1 : a > b;
}

/*
 * Per thread: did it have its own slot for every key (no other thread of
 * its process wrote that key at that address), and did every read return
 * its own last write of the key? The report answers for the whole trace
 * (report.c); a check names the thread.
 */
static int
compute_tls(struct cotrace_check_context *ctx)
{
	const struct cotrace_model *m = ctx->model;
	struct tls_write_ref *writes = NULL;
	size_t n_writes = 0, max_tls = 0, w = 0, *idx = NULL;
	int status = -ENOMEM;

	for (size_t t = 0; t < m->n_threads; t++) {
		const struct cotrace_thread *th = &m->threads[t];

		for (size_t i = 0; i < th->n_tls; i++) {
			if (th->tls[i].is_read) {
				ctx->tls_reads[t]++;
			} else {
				ctx->tls_writes[t]++;
			}
		}
		n_writes += ctx->tls_writes[t];
		max_tls = th->n_tls > max_tls ? th->n_tls : max_tls;
		ctx->tls_distinct[t] = ctx->tls_writes[t] ? 1 : NA;
		ctx->tls_own[t] = ctx->tls_reads[t] ? 1 : NA;
	}
	writes = calloc(n_writes ? n_writes : 1, sizeof(*writes));
	idx = calloc(max_tls ? max_tls : 1, sizeof(*idx));
	if (!writes || !idx) {
		goto end;
	}
	for (size_t t = 0; t < m->n_threads; t++) {
		const struct cotrace_thread *th = &m->threads[t];

		for (size_t i = 0; i < th->n_tls; i++) {
			if (!th->tls[i].is_read) {
				writes[w++] = (struct tls_write_ref){
						.process = th->process,
						.key = th->tls[i].key,
						.addr = th->tls[i].addr,
						.thread = t};
			}
		}
	}
	qsort(writes, n_writes, sizeof(*writes), cmp_write);
	for (size_t i = 0; i < n_writes;) {
		size_t j = i + 1;
		bool shared = false;

		while (j < n_writes && !cmp_write(&writes[i], &writes[j])) {
			shared |= writes[j].thread != writes[i].thread;
			j++;
		}
		for (size_t k = i; shared && k < j; k++) {
			ctx->tls_distinct[writes[k].thread] = 0;
		}
		i = j;
	}
	for (size_t t = 0; t < m->n_threads; t++) {
		const struct cotrace_thread *th = &m->threads[t];
		const char *last = NULL;

		if (!ctx->tls_reads[t]) {
			continue;
		}
		for (size_t i = 0; i < th->n_tls; i++) {
			idx[i] = i;
		}
		qsort_r(idx, th->n_tls, sizeof(*idx), cmp_access, th->tls);
		for (size_t k = 0; k < th->n_tls; k++) {
			const struct cotrace_tls_access *a = &th->tls[idx[k]];

			if (k > 0 && cmp_str(a->key, th->tls[idx[k - 1]].key)) {
				last = NULL;
			}
			if (!a->is_read) {
				last = a->value ? a->value : "";
			} else if (last && cmp_str(a->value, last)) {
				/* A read before any write says nothing. */
				ctx->tls_own[t] = 0;
			}
		}
	}
	status = 0;
end:
	free(writes);
	free(idx);
	return status;
}

static int64_t
task_end(const struct cotrace_model *m, const struct cotrace_task *t)
{
	if (t->end_ns != COTRACE_TS_NONE) {
		return t->end_ns;
	}
	/* Unfinished: counted until its process ended, as the metrics do. */
	return t->process < m->n_processes ? m->processes[t->process].end_ns
					   : COTRACE_TS_NONE;
}

int
cotrace_check_context_create(const struct cotrace_model *model,
		const struct cotrace_metrics *metrics,
		struct cotrace_check_context **out)
{
	struct cotrace_check_context *ctx = calloc(1, sizeof(*ctx));
	size_t np = model->n_processes, nt = model->n_threads;

	*out = NULL;
	if (!ctx) {
		return -ENOMEM;
	}
	ctx->model = model;
	ctx->metrics = metrics;
	for (int c = 0; c < COTRACE_CHECK_N_COLLECTIONS; c++) {
		ctx->bound[c] = SIZE_MAX;
	}
	for (int c = COTRACE_CHECK_PROCESSES; c <= COTRACE_CHECK_FORKS; c++) {
		size_t n = collection_size(
				ctx, (enum cotrace_check_collection)c);
		struct order_arg arg = {
				model, (enum cotrace_check_collection)c};

		ctx->order[c] = calloc(n ? n : 1, sizeof(size_t));
		if (!ctx->order[c]) {
			goto error;
		}
		for (size_t i = 0; i < n; i++) {
			ctx->order[c][i] = i;
		}
		qsort_r(ctx->order[c], n, sizeof(size_t), cmp_start, &arg);
	}
	ctx->proc_threads = calloc(np ? np : 1, sizeof(size_t));
	ctx->proc_tasks = calloc(np ? np : 1, sizeof(size_t));
	ctx->hull_start = calloc(np ? np : 1, sizeof(int64_t));
	ctx->hull_end = calloc(np ? np : 1, sizeof(int64_t));
	ctx->tls_distinct = calloc(nt ? nt : 1, 1);
	ctx->tls_own = calloc(nt ? nt : 1, 1);
	ctx->tls_writes = calloc(nt ? nt : 1, sizeof(size_t));
	ctx->tls_reads = calloc(nt ? nt : 1, sizeof(size_t));
	if (!ctx->proc_threads || !ctx->proc_tasks || !ctx->hull_start ||
			!ctx->hull_end || !ctx->tls_distinct || !ctx->tls_own ||
			!ctx->tls_writes || !ctx->tls_reads) {
		goto error;
	}
	for (size_t i = 0; i < np; i++) {
		ctx->hull_start[i] = INT64_MAX;
		ctx->hull_end[i] = INT64_MIN;
	}
	for (size_t i = 0; i < nt; i++) {
		if (model->threads[i].process < np) {
			ctx->proc_threads[model->threads[i].process]++;
		}
	}
	for (size_t i = 0; i < model->n_tasks; i++) {
		const struct cotrace_task *t = &model->tasks[i];
		size_t p = t->process;
		int64_t end = task_end(model, t);

		if (p >= np) {
			continue;
		}
		ctx->proc_tasks[p]++;
		if (t->start_ns < ctx->hull_start[p]) {
			ctx->hull_start[p] = t->start_ns;
		}
		if (end != COTRACE_TS_NONE && end > ctx->hull_end[p]) {
			ctx->hull_end[p] = end;
		}
	}
	if (compute_tls(ctx)) {
		goto error;
	}
	*out = ctx;
	return 0;
error:
	cotrace_check_context_destroy(ctx);
	return -ENOMEM;
}

void
cotrace_check_context_destroy(struct cotrace_check_context *ctx)
{
	if (!ctx) {
		return;
	}
	for (int c = 0; c < COTRACE_CHECK_N_COLLECTIONS; c++) {
		free(ctx->order[c]);
	}
	free(ctx->proc_threads);
	free(ctx->proc_tasks);
	free(ctx->hull_start);
	free(ctx->hull_end);
	free(ctx->tls_distinct);
	free(ctx->tls_own);
	free(ctx->tls_writes);
	free(ctx->tls_reads);
	free(ctx);
}

/* ---- elements ---- */

static int64_t
pid_of(const struct cotrace_model *m, size_t process)
{
	return process < m->n_processes ? m->processes[process].pid : -1;
}

/* The k-th element in start order (warnings: in trace order). */
static size_t
nth(const struct cotrace_check_context *ctx, enum cotrace_check_collection c,
		size_t k)
{
	return ctx->order[c] ? ctx->order[c][k] : k;
}

static size_t
rank_of(const struct cotrace_check_context *ctx,
		enum cotrace_check_collection c, size_t i)
{
	size_t n = collection_size(ctx, c);

	for (size_t k = 0; ctx->order[c] && k < n; k++) {
		if (ctx->order[c][k] == i) {
			return k + 1;
		}
	}
	return i + 1;
}

static const char *
or_unknown(const char *s)
{
	return s && *s ? s : "?";
}

/* "pid 101 (worker)", "task 2 'cpu_task' (pid 101, tid 101)", ... */
static void
describe(const struct cotrace_check_context *ctx,
		enum cotrace_check_collection c, size_t i, char *buf,
		size_t size)
{
	const struct cotrace_model *m = ctx->model;

	switch (c) {
	case COTRACE_CHECK_PROCESSES:
		snprintf(buf, size, "pid %" PRId64 " (%s)", m->processes[i].pid,
				or_unknown(m->processes[i].name));
		break;
	case COTRACE_CHECK_THREADS:
		snprintf(buf, size,
				"thread %s (tid %" PRId64 ", pid %" PRId64 ")",
				or_unknown(m->threads[i].name),
				m->threads[i].tid,
				pid_of(m, m->threads[i].process));
		break;
	case COTRACE_CHECK_TASKS:
		snprintf(buf, size,
				"task %" PRIu64 " '%s' (pid %" PRId64
				", tid %" PRId64 ")",
				m->tasks[i].id, or_unknown(m->tasks[i].label),
				pid_of(m, m->tasks[i].process),
				m->tasks[i].thread < m->n_threads
						? m->threads[m->tasks[i].thread]
								  .tid
						: -1);
		break;
	case COTRACE_CHECK_FORKS:
		snprintf(buf, size,
				"fork #%zu (pid %" PRId64 " -> %" PRId64 ")",
				rank_of(ctx, c, i), m->forks[i].parent_pid,
				m->forks[i].child_pid);
		break;
	case COTRACE_CHECK_WARNINGS:
		if (m->warnings[i].pid >= 0) {
			snprintf(buf, size, "warning %s (pid %" PRId64 ")",
					cotrace_warning_kind_name(
							m->warnings[i].kind),
					m->warnings[i].pid);
		} else {
			snprintf(buf, size, "warning %s",
					cotrace_warning_kind_name(
							m->warnings[i].kind));
		}
		break;
	default:
		snprintf(buf, size, "?");
		break;
	}
}

/* Time since the first cotrace event. */
static void
set_offset(const struct cotrace_check_context *ctx, struct value *v, int64_t ts,
		const char *what)
{
	if (ts == COTRACE_TS_NONE || ctx->model->first_ns == COTRACE_TS_NONE) {
		set_unknown(v, VALUE_UNKNOWN, "its %s was not recorded", what);
		return;
	}
	set_duration(v, ts - ctx->model->first_ns);
}

static void
set_interval(struct value *v, int64_t start, int64_t end)
{
	if (start == COTRACE_TS_NONE || end == COTRACE_TS_NONE) {
		set_unknown(v, VALUE_UNKNOWN,
				"its start or end was not recorded");
		return;
	}
	set_duration(v, end > start ? end - start : 0);
}

static void
set_cpu(struct value *v, uint64_t cpu, const char *why)
{
	if (cpu == COTRACE_CPU_NONE) {
		set_unknown(v, VALUE_UNKNOWN, "%s", why);
		return;
	}
	set_duration(v, cpu > INT64_MAX ? INT64_MAX : (int64_t)cpu);
}

static void
process_field(const struct cotrace_check_context *ctx, size_t i,
		enum cotrace_check_field f, struct value *v)
{
	const struct cotrace_process *p = &ctx->model->processes[i];

	switch (f) {
	case COTRACE_CHECK_F_PID:
		set_count(v, p->pid);
		break;
	case COTRACE_CHECK_F_PPID:
		set_count(v, p->ppid);
		if (p->ppid < 0) {
			set_unknown(v, VALUE_UNKNOWN,
					"its parent pid was not recorded");
		}
		break;
	case COTRACE_CHECK_F_NAME:
		v->state = VALUE_KNOWN;
		v->string = p->name ? p->name : "";
		break;
	case COTRACE_CHECK_F_EXIT_STATUS:
		set_count(v, p->exit_status);
		if (!p->exit_seen) {
			set_unknown(v, VALUE_UNKNOWN,
					"its exit was not recorded");
		}
		break;
	case COTRACE_CHECK_F_COMPLETE:
		set_bool(v, p->start_seen && p->exit_seen);
		break;
	case COTRACE_CHECK_F_START_SEEN:
		set_bool(v, p->start_seen);
		break;
	case COTRACE_CHECK_F_EXIT_SEEN:
		set_bool(v, p->exit_seen);
		break;
	case COTRACE_CHECK_F_FORK_CHILD:
		set_bool(v, p->fork_ret == 0);
		break;
	case COTRACE_CHECK_F_THREADS:
		set_count(v, (int64_t)ctx->proc_threads[i]);
		break;
	case COTRACE_CHECK_F_TASKS:
		set_count(v, (int64_t)ctx->proc_tasks[i]);
		break;
	case COTRACE_CHECK_F_DURATION:
		set_interval(v, p->start_ns, p->end_ns);
		break;
	case COTRACE_CHECK_F_CPU:
		set_cpu(v, cotrace_process_cpu_ns(p),
				"its exit was not recorded, so its CPU time "
				"is unknown");
		break;
	case COTRACE_CHECK_F_START:
		set_offset(ctx, v, p->start_ns, "start");
		break;
	case COTRACE_CHECK_F_END:
		set_offset(ctx, v, p->end_ns, "end");
		break;
	default:
		set_unknown(v, VALUE_UNKNOWN, "no such field");
		break;
	}
}

static void
thread_field(const struct cotrace_check_context *ctx, size_t i,
		enum cotrace_check_field f, struct value *v)
{
	const struct cotrace_thread *t = &ctx->model->threads[i];

	switch (f) {
	case COTRACE_CHECK_F_PID:
		set_count(v, pid_of(ctx->model, t->process));
		break;
	case COTRACE_CHECK_F_TID:
		set_count(v, t->tid);
		break;
	case COTRACE_CHECK_F_NAME:
		v->state = VALUE_KNOWN;
		v->string = t->name ? t->name : "";
		break;
	case COTRACE_CHECK_F_START_SEEN:
		set_bool(v, t->start_seen);
		break;
	case COTRACE_CHECK_F_EXIT_SEEN:
		set_bool(v, t->exit_seen);
		break;
	case COTRACE_CHECK_F_DURATION:
		set_interval(v, t->start_ns, t->end_ns);
		break;
	case COTRACE_CHECK_F_CPU:
		set_cpu(v, t->cpu_ns,
				"its exit was not recorded, so its CPU time "
				"is unknown");
		break;
	case COTRACE_CHECK_F_START:
		set_offset(ctx, v, t->start_ns, "start");
		break;
	case COTRACE_CHECK_F_END:
		set_offset(ctx, v, t->end_ns, "end");
		break;
	case COTRACE_CHECK_F_TLS_WRITES:
		set_count(v, (int64_t)ctx->tls_writes[i]);
		break;
	case COTRACE_CHECK_F_TLS_READS:
		set_count(v, (int64_t)ctx->tls_reads[i]);
		break;
	case COTRACE_CHECK_F_TLS_DISTINCT:
		set_bool(v, ctx->tls_distinct[i] == 1);
		if (ctx->tls_distinct[i] == NA) {
			set_unknown(v, VALUE_NA, "wrote thread-local storage");
		}
		break;
	case COTRACE_CHECK_F_TLS_OWN_VALUE:
		set_bool(v, ctx->tls_own[i] == 1);
		if (ctx->tls_own[i] == NA) {
			set_unknown(v, VALUE_NA,
					"read thread-local storage back");
		}
		break;
	default:
		set_unknown(v, VALUE_UNKNOWN, "no such field");
		break;
	}
}

static void
task_field(const struct cotrace_check_context *ctx, size_t i,
		enum cotrace_check_field f, struct value *v)
{
	const struct cotrace_model *m = ctx->model;
	const struct cotrace_task *t = &m->tasks[i];

	switch (f) {
	case COTRACE_CHECK_F_ID:
		set_count(v, t->id > INT64_MAX ? INT64_MAX : (int64_t)t->id);
		break;
	case COTRACE_CHECK_F_PID:
		set_count(v, pid_of(m, t->process));
		break;
	case COTRACE_CHECK_F_TID:
		set_count(v, t->thread < m->n_threads
						? m->threads[t->thread].tid
						: -1);
		break;
	case COTRACE_CHECK_F_LABEL:
		v->state = VALUE_KNOWN;
		v->string = t->label ? t->label : "";
		break;
	case COTRACE_CHECK_F_FINISHED:
		set_bool(v, t->end_ns != COTRACE_TS_NONE);
		break;
	case COTRACE_CHECK_F_DURATION:
		set_interval(v, t->start_ns, task_end(m, t));
		break;
	case COTRACE_CHECK_F_CPU:
		set_cpu(v, t->cpu_ns,
				t->end_ns == COTRACE_TS_NONE
						? "the task never finished"
						: "its CPU time was not "
						  "recorded");
		break;
	case COTRACE_CHECK_F_START:
		set_offset(ctx, v, t->start_ns, "start");
		break;
	case COTRACE_CHECK_F_END:
		set_offset(ctx, v, task_end(m, t), "end");
		break;
	default:
		set_unknown(v, VALUE_UNKNOWN, "no such field");
		break;
	}
}

static void
fork_field(const struct cotrace_check_context *ctx, size_t i,
		enum cotrace_check_field f, struct value *v)
{
	const struct cotrace_fork *k = &ctx->model->forks[i];

	switch (f) {
	case COTRACE_CHECK_F_PARENT_PID:
		set_count(v, k->parent_pid);
		break;
	case COTRACE_CHECK_F_CHILD_PID:
		set_count(v, k->child_pid);
		break;
	case COTRACE_CHECK_F_PARENT_RET:
		set_count(v, k->parent_ret);
		break;
	case COTRACE_CHECK_F_CHILD_RET:
		set_count(v, k->child_ret);
		if (k->child == SIZE_MAX) {
			set_unknown(v, VALUE_UNKNOWN,
					"its child never appeared in the "
					"trace");
		}
		break;
	case COTRACE_CHECK_F_THREADS_ALIVE:
		set_count(v, k->threads_alive);
		break;
	case COTRACE_CHECK_F_CHILD_SEEN:
		set_bool(v, k->child != SIZE_MAX);
		break;
	default:
		set_unknown(v, VALUE_UNKNOWN, "no such field");
		break;
	}
}

static void
warning_field(const struct cotrace_check_context *ctx, size_t i,
		enum cotrace_check_field f, struct value *v)
{
	const struct cotrace_warning *w = &ctx->model->warnings[i];

	switch (f) {
	case COTRACE_CHECK_F_KIND:
		v->state = VALUE_KNOWN;
		v->string = cotrace_warning_kind_name(w->kind);
		break;
	case COTRACE_CHECK_F_PID:
	case COTRACE_CHECK_F_TID:
		set_count(v, f == COTRACE_CHECK_F_PID ? w->pid : w->tid);
		if (v->integer < 0) {
			set_unknown(v, VALUE_UNKNOWN, "the warning names no %s",
					f == COTRACE_CHECK_F_PID ? "process"
								 : "thread");
		}
		break;
	default:
		set_unknown(v, VALUE_UNKNOWN, "no such field");
		break;
	}
}

/* The parser let through only fields the collection has. */
static void
field_value(const struct cotrace_check_context *ctx,
		enum cotrace_check_collection c, size_t i,
		enum cotrace_check_field f, enum cotrace_check_type type,
		struct value *v)
{
	memset(v, 0, sizeof(*v));
	v->type = type;
	if (i >= collection_size(ctx, c)) {
		set_unknown(v, VALUE_UNKNOWN, "no element is selected");
		return;
	}
	switch (c) {
	case COTRACE_CHECK_PROCESSES:
		process_field(ctx, i, f, v);
		break;
	case COTRACE_CHECK_THREADS:
		thread_field(ctx, i, f, v);
		break;
	case COTRACE_CHECK_TASKS:
		task_field(ctx, i, f, v);
		break;
	case COTRACE_CHECK_FORKS:
		fork_field(ctx, i, f, v);
		break;
	case COTRACE_CHECK_WARNINGS:
		warning_field(ctx, i, f, v);
		break;
	default:
		set_unknown(v, VALUE_UNKNOWN, "no element is selected");
		break;
	}
	v->type = type;
}

/* ---- references ---- */

static const char *
ordinal_suffix(int64_t n)
{
	if (n % 100 >= 11 && n % 100 <= 13) {
		return "th";
	}
	switch (n % 10) {
	case 1:
		return "st";
	case 2:
		return "nd";
	case 3:
		return "rd";
	default:
		return "th";
	}
}

static bool
ref_matches(const struct cotrace_check_context *ctx,
		const struct cotrace_check_ref *ref, size_t i)
{
	const struct cotrace_model *m = ctx->model;

	switch (ref->kind) {
	case COTRACE_CHECK_PROCESSES:
		return ref->by == COTRACE_CHECK_BY_ID
				       ? m->processes[i].pid == ref->number
				       : !cmp_str(m->processes[i].name,
							 ref->name);
	case COTRACE_CHECK_THREADS:
		return ref->by == COTRACE_CHECK_BY_ID
				       ? m->threads[i].tid == ref->number
				       : !cmp_str(m->threads[i].name,
							 ref->name);
	case COTRACE_CHECK_TASKS:
		return ref->by == COTRACE_CHECK_BY_ID
				       ? m->tasks[i].id == (uint64_t)ref->number
				       : !cmp_str(m->tasks[i].label, ref->name);
	default:
		return false;
	}
}

/*
 * The element `ref` names, or false with a clause saying why there is none
 * (in `why`), so that the comparison fails with a reason.
 */
static bool
resolve_ref(const struct cotrace_check_context *ctx,
		const struct cotrace_check_ref *ref, size_t *index, char *why,
		size_t size)
{
	enum cotrace_check_collection c = ref->kind;
	size_t n = collection_size(ctx, c), found = 0, first = SIZE_MAX;
	const char *one = cotrace_check_collection_singular(c);
	const char *many = cotrace_check_collection_name(c);
	const char *text = ctx->text + ref->offset;
	int len = (int)ref->length;

	switch (ref->by) {
	case COTRACE_CHECK_BY_ORDINAL:
		if (ref->number < 1 || (uint64_t)ref->number > n) {
			snprintf(why, size,
					"%.*s names nothing: the trace has "
					"%zu %s",
					len, text, n, n == 1 ? one : many);
			return false;
		}
		*index = ctx->order[c][ref->number - 1];
		return true;
	case COTRACE_CHECK_BY_CHILD: {
		size_t nf = ctx->model->n_forks, f;

		if (ref->number < 1 || (uint64_t)ref->number > nf) {
			snprintf(why, size,
					"%.*s names nothing: the trace has "
					"%zu fork%s",
					len, text, nf, nf == 1 ? "" : "s");
			return false;
		}
		f = ctx->order[COTRACE_CHECK_FORKS][ref->number - 1];
		if (ctx->model->forks[f].child == SIZE_MAX) {
			snprintf(why, size,
					"%.*s, the child of the %" PRId64
					"%s fork (pid %" PRId64 " -> %" PRId64
					"), never appeared in the trace",
					len, text, ref->number,
					ordinal_suffix(ref->number),
					ctx->model->forks[f].parent_pid,
					ctx->model->forks[f].child_pid);
			return false;
		}
		*index = ctx->model->forks[f].child;
		return true;
	}
	case COTRACE_CHECK_BY_ID:
	case COTRACE_CHECK_BY_NAME:
		break;
	}
	for (size_t i = 0; i < n; i++) {
		if (ref_matches(ctx, ref, i)) {
			found++;
			first = first == SIZE_MAX ? i : first;
		}
	}
	if (found == 1) {
		*index = first;
		return true;
	}
	if (found == 0) {
		snprintf(why, size, "%.*s names nothing: no %s has that %s",
				len, text, one,
				ref->by == COTRACE_CHECK_BY_NAME
						? (c == COTRACE_CHECK_TASKS ? "label"
									    : "name")
				: c == COTRACE_CHECK_PROCESSES ? "pid"
				: c == COTRACE_CHECK_THREADS   ? "tid"
							       : "id");
	} else {
		snprintf(why, size,
				"%.*s is ambiguous: %zu %s match; use %s:#N "
				"(the Nth in start order)%s",
				len, text, found, many, one,
				c == COTRACE_CHECK_PROCESSES
						? " or process:childN"
						: "");
	}
	return false;
}

/* The interval overlap() uses for an element, false if unknown. */
static bool
interval_of(const struct cotrace_check_context *ctx,
		enum cotrace_check_collection c, size_t i, int64_t *start,
		int64_t *end)
{
	const struct cotrace_model *m = ctx->model;

	switch (c) {
	case COTRACE_CHECK_TASKS:
		*start = m->tasks[i].start_ns;
		*end = task_end(m, &m->tasks[i]);
		break;
	case COTRACE_CHECK_THREADS:
		*start = m->threads[i].start_ns;
		*end = m->threads[i].end_ns;
		break;
	case COTRACE_CHECK_PROCESSES:
		/* As the report's overlaps: the span of its tasks, if any. */
		if (ctx->metrics->unit == COTRACE_UNIT_TASK &&
				ctx->proc_tasks[i] > 0 &&
				ctx->hull_end[i] != INT64_MIN) {
			*start = ctx->hull_start[i];
			*end = ctx->hull_end[i];
		} else {
			*start = m->processes[i].start_ns;
			*end = m->processes[i].end_ns;
		}
		break;
	default:
		return false;
	}
	return *start != COTRACE_TS_NONE && *end != COTRACE_TS_NONE;
}

static void
overlap_value(const struct cotrace_check_context *ctx,
		const struct cotrace_check_node *n, struct value *v)
{
	int64_t s[2], e[2], len[2], both, shorter;
	size_t idx[2];

	for (int k = 0; k < 2; k++) {
		if (!resolve_ref(ctx, &n->ref[k], &idx[k], v->why,
				    sizeof(v->why))) {
			v->state = VALUE_UNKNOWN;
			return;
		}
		if (!interval_of(ctx, n->ref[k].kind, idx[k], &s[k], &e[k])) {
			set_unknown(v, VALUE_UNKNOWN,
					"the start or end of %.*s was not "
					"recorded",
					(int)n->ref[k].length,
					ctx->text + n->ref[k].offset);
			return;
		}
		len[k] = e[k] > s[k] ? e[k] - s[k] : 0;
	}
	both = cotrace_interval_overlap(s[0], e[0], s[1], e[1]);
	shorter = len[0] < len[1] ? len[0] : len[1];
	if (n->kind == COTRACE_CHECK_OVERLAP_TIME) {
		set_duration(v, both);
	} else {
		set_number(v, COTRACE_CHECK_RATIO,
				shorter > 0 ? (double)both / (double)shorter
					    : 0.0);
	}
}

/* ---- deciding ---- */

static int truth(struct cotrace_check_context *ctx,
		const struct cotrace_check_node *n);

static void
scalar_value(const struct cotrace_check_context *ctx,
		enum cotrace_check_scalar s, struct value *v)
{
	const struct cotrace_model *m = ctx->model;
	const struct cotrace_metrics *mt = ctx->metrics;

	switch (s) {
	case COTRACE_CHECK_S_PROCESSES:
		set_count(v, (int64_t)m->n_processes);
		break;
	case COTRACE_CHECK_S_THREADS:
		set_count(v, (int64_t)m->n_threads);
		break;
	case COTRACE_CHECK_S_TASKS:
		set_count(v, (int64_t)m->n_tasks);
		break;
	case COTRACE_CHECK_S_FORKS:
		set_count(v, (int64_t)m->n_forks);
		break;
	case COTRACE_CHECK_S_UNITS:
		set_count(v, (int64_t)mt->units);
		break;
	case COTRACE_CHECK_S_SPAN:
		set_duration(v, mt->span_ns);
		break;
	case COTRACE_CHECK_S_BUSY:
		set_duration(v, mt->busy_ns);
		break;
	case COTRACE_CHECK_S_CPU:
		if (mt->units > 0 && mt->units_without_cpu == mt->units) {
			set_unknown(v, VALUE_UNKNOWN,
					"no %s's CPU time was recorded",
					cotrace_unit_name(mt->unit, 1));
		} else {
			set_duration(v, mt->cpu_ns > INT64_MAX
							? INT64_MAX
							: (int64_t)mt->cpu_ns);
		}
		break;
	case COTRACE_CHECK_S_PARALLELISM:
		set_number(v, COTRACE_CHECK_NUMBER, mt->parallelism);
		break;
	case COTRACE_CHECK_S_CPU_PARALLELISM:
		set_number(v, COTRACE_CHECK_NUMBER, mt->cpu_parallelism);
		break;
	case COTRACE_CHECK_S_MAX_CONCURRENCY:
		set_count(v, (int64_t)mt->max_concurrency);
		break;
	case COTRACE_CHECK_S_LOST_EVENTS:
		set_count(v, m->lost_events > INT64_MAX
						? INT64_MAX
						: (int64_t)m->lost_events);
		if (m->lost_events == 0 && m->n_lost > 0) {
			set_unknown(v, VALUE_UNKNOWN,
					"the tracer reported lost events "
					"without saying how many");
		}
		break;
	case COTRACE_CHECK_S_WARNINGS:
		set_count(v, (int64_t)m->n_warnings);
		break;
	}
}

static void
eval_value(struct cotrace_check_context *ctx,
		const struct cotrace_check_node *n, struct value *v)
{
	size_t i;

	memset(v, 0, sizeof(*v));
	v->type = n->type;
	switch (n->kind) {
	case COTRACE_CHECK_LITERAL:
		v->integer = n->integer;
		v->number = n->number;
		v->boolean = n->boolean;
		v->string = n->string;
		break;
	case COTRACE_CHECK_SCALAR:
		scalar_value(ctx, n->scalar, v);
		break;
	case COTRACE_CHECK_FIELD:
		field_value(ctx, n->collection, ctx->bound[n->collection],
				n->field, n->type, v);
		break;
	case COTRACE_CHECK_REF_FIELD:
		if (!resolve_ref(ctx, &n->ref[0], &i, v->why, sizeof(v->why))) {
			v->state = VALUE_UNKNOWN;
			break;
		}
		field_value(ctx, n->ref[0].kind, i, n->field, n->type, v);
		/* A named element without the field: say so, and fail. */
		if (v->state == VALUE_NA) {
			char what[160], never[sizeof(v->why)];

			describe(ctx, n->ref[0].kind, i, what, sizeof(what));
			memcpy(never, v->why, sizeof(never));
			set_unknown(v, VALUE_UNKNOWN, "%s never %s", what,
					never);
		}
		break;
	case COTRACE_CHECK_OVERLAP:
	case COTRACE_CHECK_OVERLAP_TIME:
		overlap_value(ctx, n, v);
		break;
	case COTRACE_CHECK_COUNT_OF: {
		size_t total = collection_size(ctx, n->collection), count = 0;
		size_t saved = ctx->bound[n->collection];

		for (i = 0; i < total; i++) {
			ctx->bound[n->collection] = i;
			count += !n->left || truth(ctx, n->left) == 1;
		}
		ctx->bound[n->collection] = saved;
		set_count(v, (int64_t)count);
		break;
	}
	default:
		set_unknown(v, VALUE_UNKNOWN, "not a value");
		break;
	}
}

/* A comparison or a standing boolean, on the elements bound now. */
static int
truth_here(struct cotrace_check_context *ctx,
		const struct cotrace_check_node *n)
{
	struct value a, b;

	eval_value(ctx, n->left, &a);
	if (n->kind == COTRACE_CHECK_TRUTH) {
		memset(&b, 0, sizeof(b));
		set_bool(&b, true);
		return compare(COTRACE_CHECK_EQ, &a, &b);
	}
	eval_value(ctx, n->right, &b);
	return compare(n->op, &a, &b);
}

static size_t
warning_count(const struct cotrace_check_context *ctx, int kind, size_t *first)
{
	size_t count = 0;

	*first = SIZE_MAX;
	for (size_t i = 0; i < ctx->model->n_warnings; i++) {
		if (kind < 0 || (int)ctx->model->warnings[i].kind == kind) {
			*first = count ? *first : i;
			count++;
		}
	}
	return count;
}

/* 1, 0, or NA (inside any/all/count: the field does not apply). */
static int
truth(struct cotrace_check_context *ctx, const struct cotrace_check_node *n)
{
	enum cotrace_check_collection c = n->collection;
	size_t total, saved, first;
	int a, b, r;

	switch (n->kind) {
	case COTRACE_CHECK_OR:
		a = truth(ctx, n->left);
		b = truth(ctx, n->right);
		return a == 1 || b == 1 ? 1 : (a == NA || b == NA) ? NA : 0;
	case COTRACE_CHECK_AND:
		a = truth(ctx, n->left);
		b = truth(ctx, n->right);
		return a == 0 || b == 0 ? 0 : (a == NA || b == NA) ? NA : 1;
	case COTRACE_CHECK_NOT:
		a = truth(ctx, n->left);
		return a == NA ? NA : !a;
	case COTRACE_CHECK_WARNING:
		return (warning_count(ctx, n->warning_kind, &first) > 0) !=
		       n->negated;
	case COTRACE_CHECK_COMPARE:
	case COTRACE_CHECK_TRUTH:
		if (c == COTRACE_CHECK_NO_COLLECTION ||
				ctx->bound[c] != SIZE_MAX) {
			return truth_here(ctx, n);
		}
		/* Every element; those the field does not apply to are left
		 * out. */
		total = collection_size(ctx, c);
		r = 1;
		for (size_t i = 0; i < total && r; i++) {
			ctx->bound[c] = i;
			r = truth_here(ctx, n) != 0;
		}
		ctx->bound[c] = SIZE_MAX;
		return r;
	case COTRACE_CHECK_ANY:
	case COTRACE_CHECK_ALL:
		total = collection_size(ctx, c);
		saved = ctx->bound[c];
		r = n->kind == COTRACE_CHECK_ALL;
		for (size_t i = 0; i < total; i++) {
			ctx->bound[c] = i;
			a = truth(ctx, n->left);
			if (n->kind == COTRACE_CHECK_ANY && a == 1) {
				r = 1;
				break;
			}
			if (n->kind == COTRACE_CHECK_ALL && a == 0) {
				r = 0;
				break;
			}
		}
		ctx->bound[c] = saved;
		return r;
	default:
		return 0;
	}
}

/* ---- explaining ---- */

enum direction {
	TOO_LOW,
	TOO_HIGH,
	EQUAL,	   /* != failed */
	WAS_FALSE, /* a boolean that should have been true */
	WAS_TRUE,
	OTHER,
};

static const char *const generic_hint =
		"run 'cotrace report' on the trace for the whole picture";

static const char *
scalar_hint(enum cotrace_check_scalar s, enum direction d)
{
	bool low = d == TOO_LOW;

	if (d != TOO_LOW && d != TOO_HIGH) {
		return NULL;
	}
	switch (s) {
	case COTRACE_CHECK_S_PROCESSES:
		return low ? "fewer processes than expected: did every fork() "
			     "run, and does each child trace (cotrace_fork() "
			     "rather than fork())?"
			   : "more processes than expected: does a child go on "
			     "running the parent's loop and fork again (a "
			     "missing exit() at the end of the child's work)?";
	case COTRACE_CHECK_S_THREADS:
		return low ? "fewer threads than expected: were all the "
			     "threads "
			     "created (cotrace_thread_create()) and started?"
			   : "more threads than expected: are threads created "
			     "in a loop that runs too often?";
	case COTRACE_CHECK_S_TASKS:
	case COTRACE_CHECK_S_UNITS:
		return low ? "fewer tasks than expected: does every worker "
			     "call "
			     "cotrace_task_start() and cotrace_task_finish() "
			     "around its work?"
			   : "more tasks than expected: does a worker run its "
			     "task twice, or a child run the parent's code?";
	case COTRACE_CHECK_S_FORKS:
		return low ? "fewer forks than expected: is cotrace_fork() "
			     "called once per child?"
			   : "more forks than expected: does a child fork "
			     "again "
			     "(a missing exit() after its work)?";
	case COTRACE_CHECK_S_SPAN:
		return low ? "the run was shorter than expected: did the "
			     "workers do all their work?"
			   : "the run took longer than allowed: did the "
			     "workers "
			     "run one after another rather than together?";
	case COTRACE_CHECK_S_BUSY:
		return low ? "the workers were busy for less time than "
			     "expected: did they do all their work?"
			   : "the workers were busy longer than expected: is "
			     "some work done twice?";
	case COTRACE_CHECK_S_CPU:
		return low ? "less CPU time than expected: did the workers "
			     "compute, or wait (sleep, I/O, a lock)?"
			   : "more CPU time than expected: is there busy "
			     "waiting or work done twice?";
	case COTRACE_CHECK_S_PARALLELISM:
		return low ? "the workers were not alive at the same time: was "
			     "each started only after the previous one "
			     "finished (a wait() or join inside the loop that "
			     "starts them)?"
			   : "more workers were alive at once than allowed: is "
			     "a wait() or join missing between them?";
	case COTRACE_CHECK_S_CPU_PARALLELISM:
		return low ? "the work did not run at the same time: were the "
			     "workers started one after another (each waited "
			     "for the previous), or did they wait (a lock, "
			     "sleep, I/O) instead of computing?"
			   : "more work ran at the same time than allowed: "
			     "were "
			     "the workers meant to take turns (one lock around "
			     "the work, or one after another)?";
	case COTRACE_CHECK_S_MAX_CONCURRENCY:
		return low ? "the workers never ran at the same time: start "
			     "them all before waiting for any"
			   : "more workers ran at the same time than allowed: "
			     "is the lock, or the wait between them, missing?";
	case COTRACE_CHECK_S_LOST_EVENTS:
		return low ? NULL
			   : "the tracer dropped events because its buffers "
			     "were full: record again with a larger "
			     "--subbuf-size";
	case COTRACE_CHECK_S_WARNINGS:
		return low ? NULL
			   : "each warning of 'cotrace report' says what went "
			     "wrong";
	}
	return NULL;
}

static const char *
field_hint(enum cotrace_check_field f, enum direction d)
{
	switch (f) {
	case COTRACE_CHECK_F_EXIT_STATUS:
		return "a process exited with a non-zero status: does every "
		       "child end with exit(0) once its work succeeded?";
	case COTRACE_CHECK_F_COMPLETE:
	case COTRACE_CHECK_F_START_SEEN:
	case COTRACE_CHECK_F_EXIT_SEEN:
		return d != WAS_FALSE ? NULL
				      : "a start or exit is missing from the "
					"trace: "
					"did the process end through _exit() "
					"or a "
					"signal, or was it still running when "
					"the "
					"program ended?";
	case COTRACE_CHECK_F_CHILD_RET:
		return "fork() returns 0 in the child: is the child's work "
		       "done "
		       "in the branch where fork() returned 0?";
	case COTRACE_CHECK_F_PARENT_RET:
	case COTRACE_CHECK_F_CHILD_PID:
		return "fork() returns the child's pid in the parent";
	case COTRACE_CHECK_F_THREADS_ALIVE:
		return d == TOO_HIGH ? "the program forked while other threads "
				       "were alive: fork before starting "
				       "threads, or join them first"
				     : NULL;
	case COTRACE_CHECK_F_TLS_DISTINCT:
		return d != WAS_FALSE ? NULL
				      : "two threads wrote one slot at the "
					"same "
					"address, so the variable is shared, "
					"not "
					"thread-local: declare it __thread (C) "
					"or "
					"keep it in a threading.local() "
					"(Python)";
	case COTRACE_CHECK_F_TLS_OWN_VALUE:
		return d != WAS_FALSE ? NULL
				      : "a thread read back a value it did not "
					"write: another thread changed its "
					"slot, so "
					"the storage is shared, not per thread";
	case COTRACE_CHECK_F_TLS_WRITES:
		return d == TOO_LOW ? "does every worker thread call "
				      "cotrace_tls_write()?"
				    : NULL;
	case COTRACE_CHECK_F_FINISHED:
		return d != WAS_FALSE ? NULL
				      : "a task never finished: is "
					"cotrace_task_finish() called on every "
					"path, errors included?";
	case COTRACE_CHECK_F_CPU:
		return d == TOO_LOW    ? "it used less CPU than expected: did "
					 "it compute, or wait (sleep, a lock)?"
		       : d == TOO_HIGH ? "it used more CPU than expected: is "
					 "there busy waiting?"
				       : NULL;
	case COTRACE_CHECK_F_DURATION:
		return d == TOO_LOW    ? "it ran for less time than expected: "
					 "did it do all its work?"
		       : d == TOO_HIGH ? "it ran longer than expected: did it "
					 "wait for something (a lock, another "
					 "worker)?"
				       : NULL;
	default:
		return NULL;
	}
}

/* The hint for a failed comparison of `subject`, or the generic one. */
static const char *
hint_for(const struct cotrace_check_node *subject, enum direction d)
{
	const char *h = NULL;

	switch (subject->kind) {
	case COTRACE_CHECK_SCALAR:
		h = scalar_hint(subject->scalar, d);
		break;
	case COTRACE_CHECK_FIELD:
	case COTRACE_CHECK_REF_FIELD:
		h = field_hint(subject->field, d);
		break;
	case COTRACE_CHECK_OVERLAP:
	case COTRACE_CHECK_OVERLAP_TIME:
		h = d == TOO_LOW ? "they did not run at the same time: was the "
				   "second started only after the first had "
				   "finished (a wait() or join too early)?"
		    : d == TOO_HIGH ? "they ran at the same time although they "
				      "should not: is the lock, or the wait "
				      "between them, missing?"
				    : NULL;
		break;
	default:
		break;
	}
	return h ? h : generic_hint;
}

static enum direction
direction_of(enum cotrace_check_op op, const struct value *measured,
		const struct value *expected)
{
	int o;

	if (measured->state != VALUE_KNOWN) {
		return OTHER;
	}
	if (measured->type == COTRACE_CHECK_BOOL) {
		return measured->boolean ? WAS_TRUE : WAS_FALSE;
	}
	if (measured->type == COTRACE_CHECK_STRING ||
			expected->state != VALUE_KNOWN) {
		return OTHER;
	}
	switch (op) {
	case COTRACE_CHECK_GT:
	case COTRACE_CHECK_GE:
		return TOO_LOW;
	case COTRACE_CHECK_LT:
	case COTRACE_CHECK_LE:
		return TOO_HIGH;
	case COTRACE_CHECK_NE:
		return EQUAL;
	case COTRACE_CHECK_EQ:
		o = order_of(measured, expected);
		return o < 0 ? TOO_LOW : TOO_HIGH;
	}
	return OTHER;
}

/* What one node gave, in words. */
struct outcome {
	int holds;
	bool vacuous;
	bool leaf;
	struct sbuf expected;
	struct sbuf measured; /* leaf: the figure alone */
	struct sbuf labelled; /* "subject = figure", for compounds */
	struct sbuf message;  /* failure sentence, or the vacuous note */
};

static void
outcome_release(struct outcome *o)
{
	sbuf_release(&o->expected);
	sbuf_release(&o->measured);
	sbuf_release(&o->labelled);
	sbuf_release(&o->message);
}

static bool
outcome_oom(const struct outcome *o)
{
	return o->expected.oom || o->measured.oom || o->labelled.oom ||
	       o->message.oom;
}

#define TEXT_ARGS(ctx, n) (int)(n)->length, (ctx)->text + (n)->offset

static bool
is_literal(const struct cotrace_check_node *n)
{
	return n->kind == COTRACE_CHECK_LITERAL;
}

/* "3 tasks", "1 fork" */
static void
count_noun(char *buf, size_t size, size_t n, enum cotrace_check_collection c)
{
	snprintf(buf, size, "%zu %s", n,
			n == 1 ? cotrace_check_collection_singular(c)
			       : cotrace_check_collection_name(c));
}

/* What the comparison expected: ">= 1.6", ">= busy (1.181 s)", "true". */
static void
expected_text(struct cotrace_check_context *ctx,
		const struct cotrace_check_node *rhs, enum cotrace_check_op op,
		const struct value *r, struct sbuf *out)
{
	char figure[96];

	sbuf_printf(out, "%s %.*s", cotrace_check_op_name(op),
			TEXT_ARGS(ctx, rhs));
	if (!is_literal(rhs) && rhs->kind != COTRACE_CHECK_FIELD) {
		format_value(r, NULL, op, figure, sizeof(figure));
		sbuf_printf(out, " (%s)", figure);
	}
}

/*
 * One comparison (or standing boolean) at the top: every element of its
 * collection when it walks one, else once.
 */
static void
explain_comparison(struct cotrace_check_context *ctx,
		const struct cotrace_check_node *n, struct outcome *o)
{
	const struct cotrace_check_node *lhs = n->left, *rhs = n->right;
	enum cotrace_check_op op = n->op;
	enum cotrace_check_collection c = n->collection;
	struct value l, r, min, max, fail_l, fail_r;
	size_t total = 0, applicable = 0, failed = 0, first_failed = SIZE_MAX;
	char a[160], b[160], what[200], noun[64], na_why[200] = "";
	char figure[400];
	bool ranged = false;
	bool truth_node = n->kind == COTRACE_CHECK_TRUTH;
	const char *hint;

	if (truth_node) {
		rhs = NULL;
		op = COTRACE_CHECK_EQ;
	} else if (is_literal(lhs) && !is_literal(rhs)) {
		/* Explain `1.6 <= x` as `x >= 1.6`. */
		lhs = n->right;
		rhs = n->left;
		op = mirror(op);
	}
	memset(&r, 0, sizeof(r));
	set_bool(&r, true);
	memset(&min, 0, sizeof(min));
	memset(&max, 0, sizeof(max));
	memset(&fail_l, 0, sizeof(fail_l));
	memset(&fail_r, 0, sizeof(fail_r));

	if (c == COTRACE_CHECK_NO_COLLECTION) {
		eval_value(ctx, lhs, &l);
		if (rhs) {
			eval_value(ctx, rhs, &r);
		}
		o->holds = compare(op, &l, &r) == 1;
		if (truth_node) {
			sbuf_printf(&o->expected, "true");
		} else {
			expected_text(ctx, rhs, op, &r, &o->expected);
		}
		format_value(&l, &r, op, a, sizeof(a));
		sbuf_printf(&o->measured, "%s", a);
		sbuf_printf(&o->labelled, "%.*s = %s", TEXT_ARGS(ctx, lhs), a);
		if (o->holds) {
			return;
		}
		if (l.state != VALUE_KNOWN || r.state != VALUE_KNOWN) {
			const struct value *u =
					l.state != VALUE_KNOWN ? &l : &r;

			sbuf_printf(&o->message,
					"expected %.*s, but %.*s is unknown: "
					"%s",
					TEXT_ARGS(ctx, n),
					TEXT_ARGS(ctx, u == &l ? lhs : rhs),
					u->why);
			return;
		}
		hint = hint_for(lhs, direction_of(op, &l, &r));
		if (truth_node) {
			sbuf_printf(&o->message,
					"expected %.*s to be true, but it is "
					"false: %s",
					TEXT_ARGS(ctx, lhs), hint);
		} else {
			sbuf_printf(&o->message, "expected %.*s %s %.*s",
					TEXT_ARGS(ctx, lhs),
					cotrace_check_op_name(op),
					TEXT_ARGS(ctx, rhs));
			if (!is_literal(rhs)) {
				/* "parent_pid(fork:#2) == child_pid(...)":
				 * both figures matter. */
				format_value(&r, NULL, op, b, sizeof(b));
				sbuf_printf(&o->message, " (%s)", b);
			}
			sbuf_printf(&o->message, ", measured %s: %s", a, hint);
		}
		return;
	}

	total = collection_size(ctx, c);
	for (size_t k = 0; k < total; k++) {
		size_t i = nth(ctx, c, k);
		int h;

		ctx->bound[c] = i;
		eval_value(ctx, lhs, &l);
		if (rhs) {
			eval_value(ctx, rhs, &r);
		}
		h = compare(op, &l, &r);
		if (h == NA) {
			const struct value *u = l.state == VALUE_NA ? &l : &r;

			snprintf(na_why, sizeof(na_why), "%s", u->why);
			continue;
		}
		if (l.state == VALUE_KNOWN && l.type != COTRACE_CHECK_STRING &&
				l.type != COTRACE_CHECK_BOOL) {
			if (!ranged || order_of(&l, &min) < 0) {
				min = l;
			}
			if (!ranged || order_of(&l, &max) > 0) {
				max = l;
			}
			ranged = true;
		}
		applicable++;
		if (!h) {
			if (failed++ == 0) {
				first_failed = i;
				fail_l = l;
				fail_r = r;
			}
		}
	}
	ctx->bound[c] = SIZE_MAX;
	o->holds = failed == 0;
	if (truth_node) {
		sbuf_printf(&o->expected, "true for every %s",
				cotrace_check_collection_singular(c));
	} else {
		expected_text(ctx, rhs, op, &r, &o->expected);
		sbuf_printf(&o->expected, " for every %s",
				cotrace_check_collection_singular(c));
	}

	if (applicable == 0) {
		o->vacuous = true;
		if (total == 0) {
			snprintf(what, sizeof(what), "the trace has no %s",
					cotrace_check_collection_name(c));
		} else {
			count_noun(noun, sizeof(noun), total, c);
			snprintf(what, sizeof(what), "none of the %s %s", noun,
					na_why);
		}
		sbuf_printf(&o->measured, "nothing (%s)", what);
		sbuf_printf(&o->labelled, "%.*s: %s", TEXT_ARGS(ctx, lhs),
				what);
		sbuf_printf(&o->message,
				"holds vacuously: %s, so nothing was checked",
				what);
		return;
	}
	count_noun(noun, sizeof(noun), applicable, c);
	if (o->holds) {
		format_value(&min, NULL, op, a, sizeof(a));
		format_value(&max, NULL, op, b, sizeof(b));
		if (rhs && rhs->kind == COTRACE_CHECK_FIELD) {
			/* Each element against itself: no single figure. */
			sbuf_printf(&o->measured, "holds for all %s", noun);
		} else if (!ranged || !strcmp(a, b)) {
			format_value(ranged ? &min : &l, NULL, op, a,
					sizeof(a));
			sbuf_printf(&o->measured, "%s (all %s)", a, noun);
		} else if (op == COTRACE_CHECK_GE || op == COTRACE_CHECK_GT) {
			sbuf_printf(&o->measured, "min %s (%s)", a, noun);
		} else if (op == COTRACE_CHECK_LE || op == COTRACE_CHECK_LT) {
			sbuf_printf(&o->measured, "max %s (%s)", b, noun);
		} else {
			sbuf_printf(&o->measured, "%s to %s (%s)", a, b, noun);
		}
		sbuf_printf(&o->labelled, "%.*s = %s", TEXT_ARGS(ctx, lhs),
				o->measured.s ? o->measured.s : "");
		return;
	}

	describe(ctx, c, first_failed, what, sizeof(what));
	format_value(&fail_l, &fail_r, op, a, sizeof(a));
	if (rhs && !is_literal(rhs) && rhs->kind == COTRACE_CHECK_FIELD) {
		/* Both sides walk the element: show both. */
		format_value(&fail_r, NULL, op, b, sizeof(b));
		snprintf(figure, sizeof(figure), "%.*s %s and %.*s %s",
				TEXT_ARGS(ctx, lhs), a, TEXT_ARGS(ctx, rhs), b);
	} else {
		snprintf(figure, sizeof(figure), "%s", a);
	}
	sbuf_printf(&o->measured, "%s in %s", figure, what);
	sbuf_printf(&o->labelled, "%.*s = %s", TEXT_ARGS(ctx, lhs),
			o->measured.s ? o->measured.s : "");
	snprintf(b, sizeof(b), "%zu of %s failed", failed, noun);
	if (fail_l.state != VALUE_KNOWN || fail_r.state != VALUE_KNOWN) {
		const struct value *u =
				fail_l.state != VALUE_KNOWN ? &fail_l : &fail_r;

		sbuf_printf(&o->message,
				"expected %.*s for every %s, but for %s it is "
				"unknown: %s (%s)",
				TEXT_ARGS(ctx, n),
				cotrace_check_collection_singular(c), what,
				u->why, b);
		return;
	}
	hint = hint_for(lhs, direction_of(op, &fail_l, &fail_r));
	if (truth_node) {
		sbuf_printf(&o->message,
				"expected %.*s for every %s, but it is false "
				"for %s (%s): %s",
				TEXT_ARGS(ctx, lhs),
				cotrace_check_collection_singular(c), what, b,
				hint);
	} else {
		sbuf_printf(&o->message,
				"expected %.*s for every %s, but %s has %s "
				"(%s): %s",
				TEXT_ARGS(ctx, n),
				cotrace_check_collection_singular(c), what,
				figure, b, hint);
	}
}

/* The first comparison inside a condition, for a hint. */
static const struct cotrace_check_node *
first_comparison(const struct cotrace_check_node *n)
{
	const struct cotrace_check_node *found;

	if (!n) {
		return NULL;
	}
	if (n->kind == COTRACE_CHECK_COMPARE ||
			n->kind == COTRACE_CHECK_TRUTH) {
		return n;
	}
	if (n->kind == COTRACE_CHECK_NOT) {
		return NULL; /* its sense is the other way round */
	}
	found = first_comparison(n->left);
	return found ? found : first_comparison(n->right);
}

/* A hint for the condition of a failed any() or all(). */
static const char *
condition_hint(const struct cotrace_check_node *cond)
{
	const struct cotrace_check_node *cmp = first_comparison(cond);
	enum direction d = OTHER;

	if (!cmp) {
		return generic_hint;
	}
	if (cmp->kind == COTRACE_CHECK_TRUTH) {
		return hint_for(cmp->left, WAS_FALSE);
	}
	switch (cmp->op) {
	case COTRACE_CHECK_GT:
	case COTRACE_CHECK_GE:
		d = TOO_LOW;
		break;
	case COTRACE_CHECK_LT:
	case COTRACE_CHECK_LE:
		d = TOO_HIGH;
		break;
	default:
		break;
	}
	return hint_for(is_literal(cmp->left) ? cmp->right : cmp->left, d);
}

static void
explain_quantifier(struct cotrace_check_context *ctx,
		const struct cotrace_check_node *n, struct outcome *o)
{
	enum cotrace_check_collection c = n->collection;
	size_t total = collection_size(ctx, c), applicable = 0, hits = 0;
	size_t misses = 0, first_hit = SIZE_MAX, first_miss = SIZE_MAX;
	bool any = n->kind == COTRACE_CHECK_ANY;
	const char *one = cotrace_check_collection_singular(c);
	char noun[64], what[200];

	for (size_t k = 0; k < total; k++) {
		size_t i = nth(ctx, c, k);
		int t;

		ctx->bound[c] = i;
		t = truth(ctx, n->left);
		if (t == NA) {
			continue;
		}
		applicable++;
		if (t == 1) {
			first_hit = hits++ ? first_hit : i;
		} else {
			first_miss = misses++ ? first_miss : i;
		}
	}
	ctx->bound[c] = SIZE_MAX;
	count_noun(noun, sizeof(noun), applicable, c);
	if (any) {
		o->holds = hits > 0;
		sbuf_printf(&o->expected, "at least one %s", one);
		if (o->holds) {
			describe(ctx, c, first_hit, what, sizeof(what));
			sbuf_printf(&o->measured, "%zu of %s, first %s", hits,
					noun, what);
		} else if (total == 0) {
			sbuf_printf(&o->measured,
					"nothing (the trace has no %s)",
					cotrace_check_collection_name(c));
		} else {
			count_noun(noun, sizeof(noun), total, c);
			sbuf_printf(&o->measured, "none of the %s has it",
					noun);
		}
	} else {
		o->holds = misses == 0;
		sbuf_printf(&o->expected, "every %s", one);
		if (applicable == 0) {
			o->vacuous = true;
			sbuf_printf(&o->measured,
					"nothing (the trace has no %s)",
					cotrace_check_collection_name(c));
		} else if (o->holds) {
			sbuf_printf(&o->measured, "all %s", noun);
		} else {
			describe(ctx, c, first_miss, what, sizeof(what));
			sbuf_printf(&o->measured, "%zu of %s failed, first %s",
					misses, noun, what);
		}
	}
	sbuf_printf(&o->labelled, "%.*s: %s", TEXT_ARGS(ctx, n),
			o->measured.s ? o->measured.s : "");
	if (o->vacuous) {
		sbuf_printf(&o->message,
				"holds vacuously: the trace has no %s, so "
				"nothing was checked",
				cotrace_check_collection_name(c));
	} else if (!o->holds && any) {
		sbuf_printf(&o->message,
				"expected at least one %s with %.*s, but %s: "
				"%s",
				one, TEXT_ARGS(ctx, n->left),
				o->measured.s ? o->measured.s : "",
				applicable ? condition_hint(n->left)
					   : "nothing to look at");
	} else if (!o->holds) {
		sbuf_printf(&o->message,
				"expected every %s to satisfy %.*s, but %s: %s",
				one, TEXT_ARGS(ctx, n->left),
				o->measured.s ? o->measured.s : "",
				condition_hint(n->left));
	}
}

static const char *
warning_advice(int kind)
{
	switch (kind) {
	case COTRACE_WARN_FORK_WITH_THREADS:
		return "fork before starting threads, or join them first";
	case COTRACE_WARN_CHILD_ABNORMAL:
		return "make every child end with exit(0) once its work "
		       "succeeded";
	case COTRACE_WARN_PROCESS_NO_EXIT:
		return "let every process end through exit() or a return from "
		       "main, and wait for the children before the parent "
		       "ends";
	case COTRACE_WARN_TASK_UNFINISHED:
		return "call cotrace_task_finish() on every path";
	case COTRACE_WARN_TLS_SHARED_SLOT:
	case COTRACE_WARN_TLS_VALUE_CHANGED:
		return "give each thread its own variable (__thread in C, "
		       "threading.local() in Python)";
	case COTRACE_WARN_EVENTS_LOST:
		return "record again with a larger --subbuf-size";
	default:
		return NULL;
	}
}

static void
explain_warning(struct cotrace_check_context *ctx,
		const struct cotrace_check_node *n, struct outcome *o)
{
	size_t first, count = warning_count(ctx, n->warning_kind, &first);
	const char *kind =
			n->warning_kind < 0
					? ""
					: cotrace_warning_kind_name(
							  (enum cotrace_warning_kind)
									  n->warning_kind);
	const char *advice;

	o->holds = (count > 0) != n->negated;
	if (n->negated && !*kind) {
		sbuf_printf(&o->expected, "no warnings");
	} else if (n->negated) {
		sbuf_printf(&o->expected, "no %s warning", kind);
	} else {
		sbuf_printf(&o->expected, "at least one %s warning", kind);
	}
	if (count == 0) {
		sbuf_printf(&o->measured, "none");
	} else {
		sbuf_printf(&o->measured, "%zu", count);
	}
	sbuf_printf(&o->labelled, "%s%swarnings: %zu", kind, *kind ? " " : "",
			count);
	if (o->holds) {
		return;
	}
	if (!n->negated) {
		sbuf_printf(&o->message,
				"expected a %s warning, but the report has "
				"none: the program did not do what this "
				"expectation looks for",
				kind);
		return;
	}
	advice = warning_advice((int)ctx->model->warnings[first].kind);
	sbuf_printf(&o->message,
			"expected no %s%s, but the report has %zu: %s%s%s",
			kind, *kind ? " warning" : "warnings", count,
			or_unknown(ctx->model->warnings[first].message),
			advice ? " Advice: " : "", advice ? advice : "");
}

static void explain(struct cotrace_check_context *ctx,
		const struct cotrace_check_node *n, struct outcome *o);

static void
explain_compound(struct cotrace_check_context *ctx,
		const struct cotrace_check_node *n, struct outcome *o)
{
	struct outcome a, b;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	explain(ctx, n->left, &a);
	explain(ctx, n->right, &b);
	o->holds = n->kind == COTRACE_CHECK_AND ? a.holds && b.holds
						: a.holds || b.holds;
	sbuf_printf(&o->expected, "%.*s", TEXT_ARGS(ctx, n));
	sbuf_printf(&o->labelled, "%s; %s", a.labelled.s ? a.labelled.s : "",
			b.labelled.s ? b.labelled.s : "");
	sbuf_printf(&o->measured, "%s", o->labelled.s ? o->labelled.s : "");
	if (o->holds) {
		/* Say which part held only vacuously. */
		bool va = a.vacuous && a.holds, vb = b.vacuous && b.holds;

		o->vacuous = n->kind == COTRACE_CHECK_AND
					     ? va || vb
					     : (va || !a.holds) &&
							       (vb || !b.holds);
		if (va) {
			sbuf_printf(&o->message, "%.*s: %s",
					TEXT_ARGS(ctx, n->left), a.message.s);
		}
		if (vb) {
			sbuf_printf(&o->message, "%s%.*s: %s", va ? "; " : "",
					TEXT_ARGS(ctx, n->right), b.message.s);
		}
	} else if (n->kind == COTRACE_CHECK_AND) {
		if (!a.holds) {
			sbuf_printf(&o->message, "%s", a.message.s);
		}
		if (!b.holds) {
			sbuf_printf(&o->message, "%s%s",
					a.holds ? "" : "; also ", b.message.s);
		}
	} else {
		sbuf_printf(&o->message, "neither alternative held: %s; %s",
				a.message.s ? a.message.s : "",
				b.message.s ? b.message.s : "");
	}
	if (outcome_oom(&a) || outcome_oom(&b)) {
		o->message.oom = true;
	}
	outcome_release(&a);
	outcome_release(&b);
}

static void
explain(struct cotrace_check_context *ctx, const struct cotrace_check_node *n,
		struct outcome *o)
{
	struct outcome inner;

	switch (n->kind) {
	case COTRACE_CHECK_OR:
	case COTRACE_CHECK_AND:
		explain_compound(ctx, n, o);
		break;
	case COTRACE_CHECK_NOT:
		memset(&inner, 0, sizeof(inner));
		explain(ctx, n->left, &inner);
		o->holds = !inner.holds;
		sbuf_printf(&o->expected, "%.*s", TEXT_ARGS(ctx, n));
		sbuf_printf(&o->measured, "%s",
				inner.labelled.s ? inner.labelled.s : "");
		sbuf_printf(&o->labelled, "%s",
				inner.labelled.s ? inner.labelled.s : "");
		if (!o->holds) {
			sbuf_printf(&o->message,
					"expected %.*s to be false, but it "
					"holds: %s",
					TEXT_ARGS(ctx, n->left),
					inner.labelled.s ? inner.labelled.s
							 : "");
		}
		if (outcome_oom(&inner)) {
			o->message.oom = true;
		}
		outcome_release(&inner);
		break;
	case COTRACE_CHECK_COMPARE:
	case COTRACE_CHECK_TRUTH:
		o->leaf = true;
		explain_comparison(ctx, n, o);
		break;
	case COTRACE_CHECK_ANY:
	case COTRACE_CHECK_ALL:
		o->leaf = true;
		explain_quantifier(ctx, n, o);
		break;
	case COTRACE_CHECK_WARNING:
		o->leaf = true;
		explain_warning(ctx, n, o);
		break;
	default:
		o->holds = 0;
		sbuf_printf(&o->message, "not a condition");
		break;
	}
}

int
cotrace_check_evaluate(struct cotrace_check_context *ctx,
		const struct cotrace_check_expr *expr,
		struct cotrace_check_result *result)
{
	struct outcome o;
	int status = 0;

	memset(result, 0, sizeof(*result));
	memset(&o, 0, sizeof(o));
	ctx->text = expr->text;
	for (int c = 0; c < COTRACE_CHECK_N_COLLECTIONS; c++) {
		ctx->bound[c] = SIZE_MAX;
	}
	explain(ctx, expr->root, &o);
	if (o.holds && !o.message.s) {
		sbuf_printf(&o.message, "holds");
	}
	if (outcome_oom(&o)) {
		status = -ENOMEM;
		goto end;
	}
	result->holds = o.holds == 1;
	result->vacuous = o.holds && o.vacuous;
	result->expected = sbuf_take(&o.expected);
	result->measured = sbuf_take(&o.measured);
	result->message = sbuf_take(&o.message);
	if (!result->expected || !result->measured || !result->message) {
		cotrace_check_result_release(result);
		status = -ENOMEM;
	}
end:
	outcome_release(&o);
	ctx->text = NULL;
	return status;
}

void
cotrace_check_result_release(struct cotrace_check_result *result)
{
	free(result->expected);
	free(result->measured);
	free(result->message);
	memset(result, 0, sizeof(*result));
}
