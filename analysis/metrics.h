/*
 * The metrics of a finished model (definitions in DESIGN.md and
 * doc/metrics.md):
 *   unit            a task when the trace has tasks, otherwise a process
 *   span            first unit start to last unit finish
 *   busy            sum of the units' wall intervals
 *   cpu             sum of the units' CPU times
 *   parallelism     busy / span
 *   cpu_parallelism cpu / span
 *   profile[k]      time within the span with exactly k units running
 *   overlaps        pairwise overlap of the processes that ran units
 */
#ifndef COTRACE_METRICS_H
#define COTRACE_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

enum cotrace_unit_kind {
	COTRACE_UNIT_TASK,
	COTRACE_UNIT_PROCESS,
};

struct cotrace_overlap {
	size_t a, b;             /* process indexes, a < b */
	int64_t overlap_ns;
	double fraction;         /* overlap / the shorter of the two intervals */
};

struct cotrace_metrics {
	enum cotrace_unit_kind unit;
	size_t units;
	int64_t span_ns;
	int64_t start_ns;        /* first unit start, COTRACE_TS_NONE if no unit */
	int64_t end_ns;
	int64_t busy_ns;
	uint64_t cpu_ns;         /* sum over units whose CPU time is known */
	size_t units_without_cpu;
	double parallelism;      /* 0 when span is 0 */
	double cpu_parallelism;
	size_t max_concurrency;
	int64_t *profile_ns;     /* owned, max_concurrency + 1 entries */
	struct cotrace_overlap *overlaps; /* owned */
	size_t n_overlaps;
};

/* Computes the metrics of a finished model. Returns 0 or -ENOMEM. */
int cotrace_metrics_compute(const struct cotrace_model *model,
		struct cotrace_metrics *metrics);
void cotrace_metrics_release(struct cotrace_metrics *metrics);

/*
 * Overlap of the half-open intervals [a0, a1) and [b0, b1), 0 if disjoint.
 * Exposed for the unit tests and the renderers.
 */
int64_t cotrace_interval_overlap(int64_t a0, int64_t a1, int64_t b0, int64_t b1);

/*
 * The CPU time a process used between its proc_start and its exit (its CPU
 * clock already ran before proc_start: loading, the tracer's registration),
 * COTRACE_CPU_NONE if unknown.
 */
uint64_t cotrace_process_cpu_ns(const struct cotrace_process *p);

#endif /* COTRACE_METRICS_H */
