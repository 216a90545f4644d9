/*
 * Metrics of a finished model; doc/metrics.md gives the definitions and a
 * worked example. The concurrency profile is a sweep over the sorted unit
 * endpoints: starts and ends are sorted separately (radix sort, linear in
 * the number of units, since a trace may hold millions of tasks) and
 * merged, ends first at equal times because intervals are half-open.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

/* Pairwise overlaps grow as n^2: only the first processes that ran units. */
#define MAX_OVERLAP_PROCESSES COTRACE_HULL_PROCESSES

static int64_t
sat_sub(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_sub_overflow(a, b, &r)) {
		return b < 0 ? INT64_MAX : INT64_MIN;
	}
	return r;
}

static int64_t
sat_add(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r)) {
		return b > 0 ? INT64_MAX : INT64_MIN;
	}
	return r;
}

int64_t
cotrace_interval_overlap(int64_t a0, int64_t a1, int64_t b0, int64_t b1)
{
	int64_t lo = a0 > b0 ? a0 : b0;
	int64_t hi = a1 < b1 ? a1 : b1;

	/* An inverted interval has hi < lo here, so it overlaps nothing. */
	if (hi <= lo) {
		return 0;
	}
	return sat_sub(hi, lo);
}

/*
 * The CPU time of a process between its start and its end: its CPU clock
 * already ran before proc_start (loading, tracer setup).
 */
uint64_t
cotrace_process_cpu_ns(const struct cotrace_process *p)
{
	if (p->cpu_ns == COTRACE_CPU_NONE ||
			p->cpu_start_ns == COTRACE_CPU_NONE) {
		return p->cpu_ns;
	}
	if (p->cpu_start_ns > p->cpu_ns) {
		return COTRACE_CPU_NONE;
	}
	return p->cpu_ns - p->cpu_start_ns;
}

/*
 * The wall interval of unit i. An unfinished task runs until its process
 * ended; an inverted interval (end before start) is taken as empty.
 */
static void
unit_interval(const struct cotrace_model *model, enum cotrace_unit_kind unit,
		size_t i, int64_t *start, int64_t *end, uint64_t *cpu)
{
	if (unit == COTRACE_UNIT_TASK) {
		const struct cotrace_task *t = &model->tasks[i];

		*start = t->start_ns;
		*end = t->end_ns;
		if (*end == COTRACE_TS_NONE &&
				t->process < model->n_processes) {
			*end = model->processes[t->process].end_ns;
		}
		*cpu = t->cpu_ns;
	} else {
		const struct cotrace_process *p = &model->processes[i];

		*start = p->start_ns;
		*end = p->end_ns;
		*cpu = cotrace_process_cpu_ns(p);
	}
	if (*end < *start) {
		*end = *start;
	}
}

/* Stable LSD radix sort of signed times, 8 bits per pass. */
static void
radix_sort(int64_t *v, int64_t *tmp, size_t n)
{
	int64_t *src = v, *dst = tmp, *swap;
	size_t count[256];
	unsigned int shift;
	size_t i;

	for (shift = 0; shift < 64; shift += 8) {
		size_t sum = 0;
		bool trivial = false;

		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++) {
			/* Sign bit flipped: unsigned order is signed order. */
			uint64_t u = (uint64_t)src[i] ^ (UINT64_C(1) << 63);

			count[(u >> shift) & 0xff]++;
		}
		for (i = 0; i < 256; i++) {
			size_t c = count[i];

			if (c == n) {
				trivial = true;
			}
			count[i] = sum;
			sum += c;
		}
		/* Times of one trace share their high bytes: skip those. */
		if (trivial) {
			continue;
		}
		for (i = 0; i < n; i++) {
			uint64_t u = (uint64_t)src[i] ^ (UINT64_C(1) << 63);

			dst[count[(u >> shift) & 0xff]++] = src[i];
		}
		swap = src;
		src = dst;
		dst = swap;
	}
	if (src != v) {
		memcpy(v, src, n * sizeof(*v));
	}
}

/*
 * One sweep over the merged endpoints. With profile NULL it only finds the
 * maximum concurrency; otherwise it adds each stretch to profile[k].
 */
static size_t
sweep(const int64_t *starts, const int64_t *ends, size_t n, int64_t from,
		int64_t to, int64_t *profile)
{
	size_t i = 0, j = 0, k = 0, max = 0;
	int64_t prev = from;

	while (i < n || j < n) {
		/* Ends first at equal times: [a, b) and [b, c) are apart. */
		bool take_end = j < n && (i == n || ends[j] <= starts[i]);
		int64_t ts = take_end ? ends[j] : starts[i];

		if (profile && ts > prev) {
			profile[k] = sat_add(profile[k], sat_sub(ts, prev));
			prev = ts;
		}
		if (take_end) {
			k--;
			j++;
		} else {
			k++;
			i++;
			if (k > max) {
				max = k;
			}
		}
	}
	if (profile && to > prev) {
		profile[k] = sat_add(profile[k], sat_sub(to, prev));
	}
	return max;
}

static int
compute_profile(const struct cotrace_model *model, struct cotrace_metrics *m)
{
	int64_t *starts = NULL, *ends = NULL, *tmp = NULL;
	size_t n = 0, i;
	int status = 0;

	if (m->units) {
		starts = malloc(m->units * sizeof(*starts));
		ends = malloc(m->units * sizeof(*ends));
		tmp = malloc(m->units * sizeof(*tmp));
		if (!starts || !ends || !tmp) {
			status = -ENOMEM;
			goto end;
		}
	}
	for (i = 0; i < m->units; i++) {
		int64_t s, e;
		uint64_t cpu;

		unit_interval(model, m->unit, i, &s, &e, &cpu);
		/* An empty interval is never running. */
		if (e > s) {
			starts[n] = s;
			ends[n] = e;
			n++;
		}
	}
	radix_sort(starts, tmp, n);
	radix_sort(ends, tmp, n);
	m->max_concurrency = sweep(starts, ends, n, m->start_ns, m->end_ns,
			NULL);
	m->profile_ns = calloc(m->max_concurrency + 1, sizeof(*m->profile_ns));
	if (!m->profile_ns) {
		status = -ENOMEM;
		goto end;
	}
	if (m->units) {
		sweep(starts, ends, n, m->start_ns, m->end_ns, m->profile_ns);
	}
end:
	free(starts);
	free(ends);
	free(tmp);
	return status;
}

/* The interval of each process that ran units, and the pairs of them. */
static int
compute_overlaps(const struct cotrace_model *model, struct cotrace_metrics *m)
{
	size_t idx[MAX_OVERLAP_PROCESSES];
	int64_t lo[MAX_OVERLAP_PROCESSES] = { 0 };
	int64_t hi[MAX_OVERLAP_PROCESSES] = { 0 };
	size_t *slot = NULL;
	size_t n = 0, i, j;
	int status = 0;

	if (m->unit == COTRACE_UNIT_PROCESS) {
		for (i = 0; i < model->n_processes && n < MAX_OVERLAP_PROCESSES;
				i++) {
			uint64_t cpu;

			idx[n] = i;
			unit_interval(model, m->unit, i, &lo[n], &hi[n], &cpu);
			n++;
		}
	} else if (model->tasks_omitted) {
		/* A bounded model: the hulls were taken while events came. */
		const struct cotrace_task_totals *tt = &model->task_totals;

		for (i = 0; i < tt->n_hulls; i++) {
			idx[n] = tt->hulls[i].process;
			lo[n] = tt->hulls[i].lo;
			hi[n] = tt->hulls[i].hi;
			n++;
		}
	} else {
		/* slot[p]: where process p is in idx, SIZE_MAX if not there. */
		slot = malloc((model->n_processes + 1) * sizeof(*slot));
		if (!slot) {
			status = -ENOMEM;
			goto end;
		}
		memset(slot, 0xff, (model->n_processes + 1) * sizeof(*slot));
		/*
		 * The hull of each process's tasks. Tasks are in arrival
		 * order, so the first processes met are the first that ran.
		 */
		for (i = 0; i < m->units; i++) {
			size_t p = model->tasks[i].process;
			int64_t s, e;
			uint64_t cpu;
			size_t k;

			if (p >= model->n_processes) {
				continue;
			}
			unit_interval(model, m->unit, i, &s, &e, &cpu);
			k = slot[p];
			if (k == SIZE_MAX) {
				if (n == MAX_OVERLAP_PROCESSES) {
					continue;
				}
				slot[p] = n;
				idx[n] = p;
				lo[n] = s;
				hi[n] = e;
				n++;
				continue;
			}
			if (s < lo[k]) {
				lo[k] = s;
			}
			if (e > hi[k]) {
				hi[k] = e;
			}
		}
	}
	if (n < 2) {
		goto end;
	}
	m->overlaps = calloc(n * (n - 1) / 2, sizeof(*m->overlaps));
	if (!m->overlaps) {
		status = -ENOMEM;
		goto end;
	}
	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++) {
			struct cotrace_overlap *o =
					&m->overlaps[m->n_overlaps++];
			int64_t la = sat_sub(hi[i], lo[i]);
			int64_t lb = sat_sub(hi[j], lo[j]);
			int64_t shorter = la < lb ? la : lb;
			/* a < b by index, whatever order they came in. */
			bool swap = idx[i] > idx[j];

			o->a = swap ? idx[j] : idx[i];
			o->b = swap ? idx[i] : idx[j];
			o->overlap_ns = cotrace_interval_overlap(lo[i], hi[i],
					lo[j], hi[j]);
			o->fraction = 0.0;
			if (shorter > 0) {
				o->fraction = (double)o->overlap_ns /
						(double)shorter;
			}
		}
	}
end:
	free(slot);
	return status;
}

/*
 * The task metrics of a bounded model, which did not keep every task:
 * from the totals it computed while the events streamed in.
 */
static int
totals_metrics(const struct cotrace_model *model, struct cotrace_metrics *m)
{
	const struct cotrace_task_totals *tt = &model->task_totals;

	m->unit = COTRACE_UNIT_TASK;
	m->units = tt->tasks;
	m->start_ns = tt->start_ns;
	m->end_ns = tt->end_ns;
	m->busy_ns = tt->busy_ns;
	m->cpu_ns = tt->cpu_ns;
	m->units_without_cpu = tt->without_cpu + tt->unfinished;
	if (m->units && m->start_ns != COTRACE_TS_NONE &&
			m->end_ns != COTRACE_TS_NONE) {
		m->span_ns = sat_sub(m->end_ns, m->start_ns);
	}
	if (m->span_ns > 0) {
		m->parallelism = (double)m->busy_ns / (double)m->span_ns;
		m->cpu_parallelism = (double)m->cpu_ns / (double)m->span_ns;
	}
	m->max_concurrency = tt->profile_ns ? tt->max_concurrency : 0;
	m->profile_ns = calloc(m->max_concurrency + 1, sizeof(*m->profile_ns));
	if (!m->profile_ns) {
		return -ENOMEM;
	}
	if (tt->profile_ns) {
		memcpy(m->profile_ns, tt->profile_ns,
				(m->max_concurrency + 1) *
						sizeof(*m->profile_ns));
	}
	return 0;
}

static int
cmp_overlap(const void *pa, const void *pb)
{
	const struct cotrace_overlap *a = pa, *b = pb;

	if (a->a != b->a) {
		return a->a < b->a ? -1 : 1;
	}
	return a->b < b->b ? -1 : a->b > b->b;
}

int
cotrace_metrics_compute(const struct cotrace_model *model,
		struct cotrace_metrics *m)
{
	size_t i;
	int status;

	if (!m) {
		return -EINVAL;
	}
	memset(m, 0, sizeof(*m));
	m->unit = COTRACE_UNIT_PROCESS;
	m->start_ns = COTRACE_TS_NONE;
	m->end_ns = COTRACE_TS_NONE;
	if (!model) {
		return -EINVAL;
	}
	if (model->tasks_omitted) {
		status = totals_metrics(model, m);
		if (status) {
			goto error;
		}
		goto overlaps;
	}
	if (model->n_tasks) {
		m->unit = COTRACE_UNIT_TASK;
		m->units = model->n_tasks;
	} else {
		m->units = model->n_processes;
	}
	for (i = 0; i < m->units; i++) {
		int64_t s, e;
		uint64_t cpu;

		unit_interval(model, m->unit, i, &s, &e, &cpu);
		if (m->start_ns == COTRACE_TS_NONE || s < m->start_ns) {
			m->start_ns = s;
		}
		if (m->end_ns == COTRACE_TS_NONE || e > m->end_ns) {
			m->end_ns = e;
		}
		m->busy_ns = sat_add(m->busy_ns, sat_sub(e, s));
		if (cpu == COTRACE_CPU_NONE) {
			m->units_without_cpu++;
		} else if (__builtin_add_overflow(m->cpu_ns, cpu, &m->cpu_ns)) {
			m->cpu_ns = UINT64_MAX - 1;
		}
	}
	if (m->units) {
		m->span_ns = sat_sub(m->end_ns, m->start_ns);
	}
	if (m->span_ns > 0) {
		m->parallelism = (double)m->busy_ns / (double)m->span_ns;
		m->cpu_parallelism = (double)m->cpu_ns / (double)m->span_ns;
	}
	status = compute_profile(model, m);
	if (status) {
		goto error;
	}
overlaps:
	status = compute_overlaps(model, m);
	if (status) {
		goto error;
	}
	if (m->n_overlaps) {
		qsort(m->overlaps, m->n_overlaps, sizeof(*m->overlaps),
				cmp_overlap);
	}
	return 0;
error:
	cotrace_metrics_release(m);
	return status;
}

void
cotrace_metrics_release(struct cotrace_metrics *m)
{
	if (!m) {
		return;
	}
	free(m->profile_ns);
	free(m->overlaps);
	m->profile_ns = NULL;
	m->overlaps = NULL;
	m->n_overlaps = 0;
	m->max_concurrency = 0;
}
