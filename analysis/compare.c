/*
 * Two runs compared (compare.h): the speedup and the one-sentence verdict.
 * The sentence names the faster run and explains the difference with the
 * report's own verdicts: different kinds of concurrency ("its tasks ran in
 * parallel where A's took turns"), else less CPU work, else more of it at
 * once, else what is left (waiting, start-up).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "compare.h"

static const struct cotrace_compare_format *const formats[] = {
		&cotrace_compare_text,
		&cotrace_compare_json,
};

const struct cotrace_compare_format *
cotrace_compare_format_find(const char *name)
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

/* What a run's units did, as a verb phrase; NULL when the report cannot say. */
static const char *
behaviour(enum cotrace_verdict_kind kind)
{
	switch (kind) {
	case COTRACE_VERDICT_PARALLEL_ALL:
	case COTRACE_VERDICT_PARALLEL_SOME:
		return "ran in parallel";
	case COTRACE_VERDICT_TOOK_TURNS:
		return "took turns";
	case COTRACE_VERDICT_WAITING:
		return "mostly waited";
	case COTRACE_VERDICT_SEQUENTIAL:
		return "ran one after another";
	case COTRACE_VERDICT_PARTIAL:
		return "overlapped only partly";
	case COTRACE_VERDICT_OVERLAP_CPU_UNKNOWN:
		return "overlapped (CPU time unknown)";
	case COTRACE_VERDICT_SINGLE:
		return "ran alone";
	case COTRACE_VERDICT_NO_UNITS:
	case COTRACE_VERDICT_UNRELIABLE:
		break;
	}
	return NULL;
}

/* cpu_parallelism as the report prints it. */
static double
cpu_par(const struct cotrace_compare_side *s)
{
	return round(s->metrics->cpu_parallelism * 100.0) / 100.0;
}

static const char *
units_of(const struct cotrace_compare_side *s)
{
	return cotrace_unit_name(s->metrics->unit, 2);
}

static void append(struct cotrace_comparison *c, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));

static void
append(struct cotrace_comparison *c, const char *fmt, ...)
{
	size_t len = strlen(c->text);
	va_list ap;

	if (len >= sizeof(c->text) - 1) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(c->text + len, sizeof(c->text) - len, fmt, ap);
	va_end(ap);
}

/*
 * Why `fast` (called `fast_name`) beat `slow`, after the speed clause.
 * `same` when they took about as long.
 */
static void
explain(struct cotrace_comparison *c, const struct cotrace_compare_side *fast,
		const struct cotrace_verdict *fv, const char *fast_name,
		const struct cotrace_compare_side *slow,
		const struct cotrace_verdict *sv, const char *slow_name,
		bool same)
{
	const char *fb = behaviour(fv->kind), *sb = behaviour(sv->kind);
	uint64_t fcpu = fast->metrics->cpu_ns, scpu = slow->metrics->cpu_ns;
	char a[32], b[32];
	bool cpu_known = fast->metrics->units_without_cpu == 0 &&
			 slow->metrics->units_without_cpu == 0;

	if (fb && sb && strcmp(fb, sb) != 0) {
		if (same) {
			append(c,
					": %s's %s %s (cpu_parallelism %.2f) "
					"and %s's %s (%.2f), yet the totals "
					"came out alike",
					fast_name, units_of(fast), fb,
					cpu_par(fast), slow_name, sb,
					cpu_par(slow));
		} else {
			append(c,
					": its %s %s (cpu_parallelism %.2f) "
					"where %s's %s (%.2f)",
					units_of(fast), fb, cpu_par(fast),
					slow_name, sb, cpu_par(slow));
		}
		return;
	}
	if (same) {
		if (fb) {
			append(c,
					": both runs' %s %s (cpu_parallelism "
					"%.2f and %.2f)",
					units_of(fast), fb, cpu_par(fast),
					cpu_par(slow));
		}
		return;
	}
	if (cpu_known && (double)fcpu < 0.8 * (double)scpu) {
		cotrace_format_duration(a, sizeof(a),
				fcpu > INT64_MAX ? INT64_MAX : (int64_t)fcpu);
		cotrace_format_duration(b, sizeof(b),
				scpu > INT64_MAX ? INT64_MAX : (int64_t)scpu);
		if (fb) {
			append(c,
					": both runs' %s %s, but it had less "
					"work, %s of CPU against %s",
					units_of(fast), fb, a, b);
		} else {
			append(c, ": it had less work, %s of CPU against %s", a,
					b);
		}
		return;
	}
	if (cpu_par(fast) >= cpu_par(slow) + 0.25) {
		append(c,
				": more of its %s were on a CPU at once "
				"(cpu_parallelism %.2f against %.2f)",
				units_of(fast), cpu_par(fast), cpu_par(slow));
		return;
	}
	append(c,
			": with about the same CPU work and parallelism "
			"(cpu_parallelism %.2f and %.2f), the difference is "
			"time spent outside the units' CPU work (waiting, "
			"start-up)",
			cpu_par(fast), cpu_par(slow));
}

void
cotrace_compare(const struct cotrace_compare_side *a,
		const struct cotrace_compare_side *b,
		struct cotrace_comparison *c)
{
	int64_t sa = a->metrics->span_ns, sb = b->metrics->span_ns;
	size_t ia, ib;

	memset(c, 0, sizeof(*c));
	c->a = *a;
	c->b = *b;
	cotrace_report_verdict(a->model, a->metrics, &c->verdict_a);
	cotrace_report_verdict(b->model, b->metrics, &c->verdict_b);
	if (sa <= 0 || sb <= 0) {
		c->kind = COTRACE_COMPARE_UNKNOWN;
		c->kind_name = "unknown";
		snprintf(c->text, sizeof(c->text),
				"No comparison: %s has no unit recorded from "
				"start to finish, so it has no span to "
				"compare.",
				sa <= 0 ? "A" : "B");
		if (sa <= 0 && sb <= 0) {
			snprintf(c->text, sizeof(c->text),
					"No comparison: neither A nor B has a "
					"unit recorded from start to finish, "
					"so neither has a span to compare.");
		}
		return;
	}
	c->speedup = (double)sa / (double)sb;
	if (c->speedup >= COTRACE_COMPARE_SAME) {
		c->kind = COTRACE_COMPARE_B_FASTER;
		c->kind_name = "b-faster";
		snprintf(c->text, sizeof(c->text),
				"B finished %.2fx faster than A", c->speedup);
		explain(c, b, &c->verdict_b, "B", a, &c->verdict_a, "A", false);
	} else if (c->speedup <= 1.0 / COTRACE_COMPARE_SAME) {
		c->kind = COTRACE_COMPARE_A_FASTER;
		c->kind_name = "a-faster";
		snprintf(c->text, sizeof(c->text),
				"A finished %.2fx faster than B (B's speedup "
				"over A is %.2fx)",
				1.0 / c->speedup, c->speedup);
		explain(c, a, &c->verdict_a, "A", b, &c->verdict_b, "B", false);
	} else {
		c->kind = COTRACE_COMPARE_ABOUT_SAME;
		c->kind_name = "about-the-same";
		snprintf(c->text, sizeof(c->text),
				"A and B took about as long (speedup %.2fx)",
				c->speedup);
		explain(c, b, &c->verdict_b, "B", a, &c->verdict_a, "A", true);
	}
	ia = cotrace_report_incomplete_units(a->model, a->metrics);
	ib = cotrace_report_incomplete_units(b->model, b->metrics);
	if (ia || ib) {
		append(c,
				" (%s recorded only in part, so take this with "
				"care)",
				ia && ib ? "both runs were"
				: ia	 ? "A was"
					 : "B was");
	}
	append(c, ".");
}
