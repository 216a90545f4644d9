/*
 * The timeline layout (timeline.h): lanes in fork-tree order, the task
 * bars, fork arrows and TLS marks on them, and the concurrency strip. The
 * renderers (timeline-term.c, and the cairo ones) only draw what this
 * computes, so the rules live and are tested in one place.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hosts.h"
#include "timeline.h"

/*
 * The built-in formats, looked up by cotrace_timeline_format_find(). A
 * renderer adds its line here; one whose library is optional puts it
 * inside the #ifdef of its build option, e.g.
 *	#ifdef COTRACE_HAVE_CAIRO
 *		&cotrace_timeline_svg,
 *		&cotrace_timeline_png,
 *	#endif
 * (the chrome format is not a renderer of this layout: `cotrace timeline
 * --format chrome` streams it, see src/cli/cmd-timeline.c).
 */
static const struct cotrace_timeline_format *const formats[] = {
		&cotrace_timeline_term,
#ifdef COTRACE_HAVE_CAIRO
		&cotrace_timeline_svg,
		&cotrace_timeline_png,
		&cotrace_timeline_pdf,
#endif
};

const struct cotrace_timeline_format *
cotrace_timeline_format_find(const char *name)
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

const char *
cotrace_completeness_name(enum cotrace_completeness c)
{
	switch (c) {
	case COTRACE_COMPLETE:
		return "complete";
	case COTRACE_STARTED_ONLY:
		return "started only";
	case COTRACE_FINISHED_ONLY:
		return "finished only";
	case COTRACE_SEEN_ONLY:
		return "seen only";
	}
	return "unknown";
}

static enum cotrace_completeness
completeness(bool start_seen, bool end_seen)
{
	if (start_seen && end_seen) {
		return COTRACE_COMPLETE;
	}
	if (start_seen) {
		return COTRACE_STARTED_ONLY;
	}
	if (end_seen) {
		return COTRACE_FINISHED_ONLY;
	}
	return COTRACE_SEEN_ONLY;
}

/* ---- lanes ---- */

struct layout {
	const struct cotrace_model *model;
	struct cotrace_timeline *tl;
	size_t *first_child;  /* per process, SIZE_MAX if none */
	size_t *next_sibling; /* per process */
	size_t *first_thread; /* per process: its shown threads, in order */
	size_t *next_thread;  /* per thread */
	size_t *thread_lane;  /* per thread, SIZE_MAX when not shown */
	size_t *process_lane; /* per process */
	bool *visited;	      /* per process */
	size_t cap_lanes;
	struct cotrace_hosts hosts;
};

static int
cmp_process_start(const void *pa, const void *pb, void *data)
{
	const struct cotrace_process *procs = data;
	const struct cotrace_process *a = &procs[*(const size_t *)pa];
	const struct cotrace_process *b = &procs[*(const size_t *)pb];

	if (a->start_ns != b->start_ns) {
		return a->start_ns < b->start_ns ? -1 : 1;
	}
	if (a->pid != b->pid) {
		return a->pid < b->pid ? -1 : 1;
	}
	return 0;
}

static bool
is_main_thread(const struct cotrace_model *m, size_t t)
{
	const struct cotrace_thread *th = &m->threads[t];

	return th->process < m->n_processes &&
	       th->tid == m->processes[th->process].pid;
}

static int
cmp_thread_order(const void *pa, const void *pb, void *data)
{
	const struct cotrace_model *m = data;
	size_t ia = *(const size_t *)pa, ib = *(const size_t *)pb;
	const struct cotrace_thread *a = &m->threads[ia];
	const struct cotrace_thread *b = &m->threads[ib];
	bool ma = is_main_thread(m, ia), mb = is_main_thread(m, ib);

	if (a->process != b->process) {
		return a->process < b->process ? -1 : 1;
	}
	if (ma != mb) {
		return ma ? -1 : 1;
	}
	if (a->start_ns != b->start_ns) {
		return a->start_ns < b->start_ns ? -1 : 1;
	}
	if (a->tid != b->tid) {
		return a->tid < b->tid ? -1 : 1;
	}
	return ia < ib ? -1 : ia > ib;
}

static struct cotrace_lane *
new_lane(struct layout *ly)
{
	struct cotrace_timeline *tl = ly->tl;

	/* Every process and thread has at most one lane: sized up front. */
	if (tl->n_lanes == ly->cap_lanes) {
		return NULL;
	}
	memset(&tl->lanes[tl->n_lanes], 0, sizeof(tl->lanes[0]));
	return &tl->lanes[tl->n_lanes++];
}

static int
add_process_lane(struct layout *ly, size_t p, unsigned int depth,
		size_t parent_lane)
{
	const struct cotrace_process *pr = &ly->model->processes[p];
	struct cotrace_lane *lane = new_lane(ly);
	int len;

	if (!lane) {
		return -ENOMEM;
	}
	ly->process_lane[p] = ly->tl->n_lanes - 1;
	ly->tl->n_process_lanes++;
	lane->kind = COTRACE_LANE_PROCESS;
	lane->process = p;
	lane->thread = SIZE_MAX;
	lane->depth = depth;
	lane->start_ns = pr->start_ns;
	lane->end_ns = pr->end_ns < pr->start_ns ? pr->start_ns : pr->end_ns;
	lane->completeness = completeness(pr->start_seen, pr->exit_seen);
	lane->parent_lane = parent_lane;
	if (pr->name && *pr->name) {
		len = asprintf(&lane->label, "pid %" PRId64 " %s", pr->pid,
				pr->name);
	} else {
		len = asprintf(&lane->label, "pid %" PRId64, pr->pid);
	}
	if (len < 0) {
		lane->label = NULL;
		return -ENOMEM;
	}
	return 0;
}

static int
add_thread_lane(struct layout *ly, size_t t, unsigned int depth,
		size_t parent_lane)
{
	const struct cotrace_model *m = ly->model;
	const struct cotrace_thread *th = &m->threads[t];
	const struct cotrace_process *pr = &m->processes[th->process];
	bool main_thread = is_main_thread(m, t);
	bool start_seen = th->start_seen, end_seen = th->exit_seen;
	struct cotrace_lane *lane = new_lane(ly);
	const char *name = th->name && *th->name ? th->name : NULL;
	int len;

	if (!lane) {
		return -ENOMEM;
	}
	ly->thread_lane[t] = ly->tl->n_lanes - 1;
	ly->tl->n_thread_lanes++;
	/* The main thread lives and ends with its process. */
	if (main_thread) {
		start_seen = start_seen || pr->start_seen;
		end_seen = end_seen || pr->exit_seen;
	}
	lane->kind = COTRACE_LANE_THREAD;
	lane->process = th->process;
	lane->thread = t;
	lane->depth = depth;
	lane->start_ns = th->start_ns;
	lane->end_ns = th->end_ns < th->start_ns ? th->start_ns : th->end_ns;
	lane->completeness = completeness(start_seen, end_seen);
	lane->parent_lane = parent_lane;
	lane->main_thread = main_thread;
	if (main_thread && (!name || (pr->name && !strcmp(name, pr->name)))) {
		len = asprintf(&lane->label, "tid %" PRId64 " (main thread)",
				th->tid);
	} else if (main_thread) {
		len = asprintf(&lane->label, "tid %" PRId64 " %s (main thread)",
				th->tid, name);
	} else if (name) {
		len = asprintf(&lane->label, "tid %" PRId64 " %s", th->tid,
				name);
	} else {
		len = asprintf(&lane->label, "tid %" PRId64, th->tid);
	}
	if (len < 0) {
		lane->label = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* The process, its shown threads, then its children, depth-first. */
static int
lay_out_subtree(struct layout *ly, size_t root)
{
	const struct cotrace_model *m = ly->model;
	struct frame {
		size_t process;
		unsigned int depth;
		size_t parent_lane;
	} * stack;
	size_t top = 0;
	int status = 0;

	/* Each process is pushed at most once (visited): n frames suffice. */
	stack = malloc(m->n_processes * sizeof(*stack));
	if (!stack) {
		return -ENOMEM;
	}
	stack[top++] = (struct frame){root, 0, SIZE_MAX};
	ly->visited[root] = true;
	while (top > 0 && status == 0) {
		struct frame fr = stack[--top];
		size_t lane, n_children = 0, k;
		unsigned int child_depth;

		status = add_process_lane(
				ly, fr.process, fr.depth, fr.parent_lane);
		if (status) {
			break;
		}
		lane = ly->tl->n_lanes - 1;
		for (size_t t = ly->first_thread[fr.process];
				t != SIZE_MAX && status == 0;
				t = ly->next_thread[t]) {
			status = add_thread_lane(ly, t, fr.depth, lane);
		}
		for (size_t c = ly->first_child[fr.process]; c != SIZE_MAX;
				c = ly->next_sibling[c]) {
			n_children += !ly->visited[c];
		}
		/* The earliest child on top of the stack comes out first. */
		child_depth = fr.depth < UINT32_MAX - 1 ? fr.depth + 1
							: fr.depth;
		k = top + n_children;
		for (size_t c = ly->first_child[fr.process]; c != SIZE_MAX;
				c = ly->next_sibling[c]) {
			if (ly->visited[c]) {
				continue;
			}
			ly->visited[c] = true;
			stack[--k] = (struct frame){c, child_depth, lane};
		}
		top += n_children;
	}
	free(stack);
	return status;
}

/* Which threads get a lane, linked per process in display order. */
static int
choose_threads(struct layout *ly)
{
	const struct cotrace_model *m = ly->model;
	size_t n = m->n_threads;
	bool *has_marks = NULL;
	size_t *order = NULL, *last = NULL;
	int status = 0;

	has_marks = calloc(n ? n : 1, sizeof(*has_marks));
	order = malloc((n ? n : 1) * sizeof(*order));
	last = malloc((m->n_processes ? m->n_processes : 1) * sizeof(*last));
	if (!has_marks || !order || !last) {
		status = -ENOMEM;
		goto end;
	}
	for (size_t i = 0; i < m->n_tasks; i++) {
		if (m->tasks[i].thread < n) {
			has_marks[m->tasks[i].thread] = true;
		}
	}
	for (size_t i = 0; i < n; i++) {
		has_marks[i] = has_marks[i] || m->threads[i].n_tls > 0;
		order[i] = i;
	}
	for (size_t p = 0; p < m->n_processes; p++) {
		last[p] = SIZE_MAX;
	}
	qsort_r(order, n, sizeof(*order), cmp_thread_order, (void *)m);
	for (size_t k = 0; k < n; k++) {
		size_t t = order[k];
		size_t p = m->threads[t].process;

		if (p >= m->n_processes ||
				(is_main_thread(m, t) && !has_marks[t])) {
			continue;
		}
		if (last[p] == SIZE_MAX) {
			ly->first_thread[p] = t;
		} else {
			ly->next_thread[last[p]] = t;
		}
		last[p] = t;
	}
end:
	free(has_marks);
	free(order);
	free(last);
	return status;
}

static int
lay_out_lanes(struct layout *ly)
{
	const struct cotrace_model *m = ly->model;
	size_t n = m->n_processes;
	size_t *order = NULL, *last_child = NULL;
	int status = 0;

	order = malloc((n ? n : 1) * sizeof(*order));
	last_child = malloc((n ? n : 1) * sizeof(*last_child));
	if (!order || !last_child) {
		status = -ENOMEM;
		goto end;
	}
	for (size_t i = 0; i < n; i++) {
		ly->first_child[i] = SIZE_MAX;
		ly->next_sibling[i] = SIZE_MAX;
		ly->first_thread[i] = SIZE_MAX;
		ly->process_lane[i] = SIZE_MAX;
		last_child[i] = SIZE_MAX;
		order[i] = i;
	}
	for (size_t i = 0; i < m->n_threads; i++) {
		ly->next_thread[i] = SIZE_MAX;
		ly->thread_lane[i] = SIZE_MAX;
	}
	status = choose_threads(ly);
	if (status) {
		goto end;
	}
	/* Children lists in start order, so the lanes read chronologically. */
	qsort_r(order, n, sizeof(*order), cmp_process_start, m->processes);
	for (size_t k = 0; k < n; k++) {
		size_t i = order[k];
		size_t parent = m->processes[i].parent;

		if (parent >= n || parent == i) {
			continue;
		}
		if (last_child[parent] == SIZE_MAX) {
			ly->first_child[parent] = i;
		} else {
			ly->next_sibling[last_child[parent]] = i;
		}
		last_child[parent] = i;
	}
	if (ly->hosts.n > 1) {
		ly->tl->groups = calloc(ly->hosts.n, sizeof(*ly->tl->groups));
		if (!ly->tl->groups) {
			status = -ENOMEM;
			goto end;
		}
		ly->tl->n_groups = ly->hosts.n;
	}
	/* With several hosts, one pass per host: forks stay within one. */
	for (size_t h = 0; h < (ly->hosts.n > 1 ? ly->hosts.n : 1); h++) {
		bool grouped = ly->hosts.n > 1;
		size_t first = ly->tl->n_lanes;

		for (size_t k = 0; k < n && status == 0; k++) {
			size_t i = order[k];
			size_t parent = m->processes[i].parent;

			if (grouped && ly->hosts.of_process[i] != h) {
				continue;
			}
			if ((parent >= n || parent == i) && !ly->visited[i]) {
				status = lay_out_subtree(ly, i);
			}
		}
		/* Whatever a parent cycle hid from the roots, shown as roots. */
		for (size_t k = 0; k < n && status == 0; k++) {
			if (grouped && ly->hosts.of_process[order[k]] != h) {
				continue;
			}
			if (!ly->visited[order[k]]) {
				status = lay_out_subtree(ly, order[k]);
			}
		}
		if (grouped) {
			ly->tl->groups[h] = (struct cotrace_lane_group){
					.host = ly->hosts.hosts[h].name,
					.first_lane = first,
					.n_lanes = ly->tl->n_lanes - first,
					.n_processes = ly->hosts.hosts[h]
								.n_processes,
			};
		}
	}
end:
	free(order);
	free(last_child);
	return status;
}

/* ---- marks ---- */

static int
lay_out_bars(struct layout *ly)
{
	const struct cotrace_model *m = ly->model;
	struct cotrace_timeline *tl = ly->tl;

	if (m->n_tasks == 0) {
		return 0;
	}
	tl->bars = calloc(m->n_tasks, sizeof(*tl->bars));
	if (!tl->bars) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < m->n_tasks; i++) {
		const struct cotrace_task *t = &m->tasks[i];
		struct cotrace_bar *b;

		if (t->thread >= m->n_threads ||
				ly->thread_lane[t->thread] == SIZE_MAX) {
			continue;
		}
		b = &tl->bars[tl->n_bars++];
		b->lane = ly->thread_lane[t->thread];
		b->task = i;
		b->start_ns = t->start_ns;
		b->end_ns = t->end_ns;
		b->finished = t->end_ns != COTRACE_TS_NONE;
		/* As the metrics count it: to its process's end. */
		if (!b->finished && t->process < m->n_processes) {
			b->end_ns = m->processes[t->process].end_ns;
		}
		if (b->end_ns == COTRACE_TS_NONE || b->end_ns < b->start_ns) {
			b->end_ns = b->start_ns;
		}
	}
	return 0;
}

static int
lay_out_arrows(struct layout *ly)
{
	const struct cotrace_model *m = ly->model;
	struct cotrace_timeline *tl = ly->tl;

	if (m->n_forks == 0) {
		return 0;
	}
	tl->arrows = calloc(m->n_forks, sizeof(*tl->arrows));
	if (!tl->arrows) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < m->n_forks; i++) {
		const struct cotrace_fork *f = &m->forks[i];
		struct cotrace_arrow *a;

		/* The fork event is the parent's: no parent, no lane to leave.
		 */
		if (f->parent >= m->n_processes) {
			continue;
		}
		a = &tl->arrows[tl->n_arrows++];
		a->from_lane = ly->process_lane[f->parent];
		a->to_lane = f->child < m->n_processes
					     ? ly->process_lane[f->child]
					     : SIZE_MAX;
		a->fork = i;
		a->ts_ns = f->ts_ns;
	}
	return 0;
}

static int
lay_out_marks(struct layout *ly)
{
	const struct cotrace_model *m = ly->model;
	struct cotrace_timeline *tl = ly->tl;
	size_t n = 0;

	for (size_t t = 0; t < m->n_threads; t++) {
		if (ly->thread_lane[t] != SIZE_MAX) {
			n += m->threads[t].n_tls;
		}
	}
	if (n == 0) {
		return 0;
	}
	tl->marks = calloc(n, sizeof(*tl->marks));
	if (!tl->marks) {
		return -ENOMEM;
	}
	for (size_t t = 0; t < m->n_threads; t++) {
		if (ly->thread_lane[t] == SIZE_MAX) {
			continue;
		}
		for (size_t k = 0; k < m->threads[t].n_tls; k++) {
			struct cotrace_mark *mk = &tl->marks[tl->n_marks++];

			mk->lane = ly->thread_lane[t];
			mk->thread = t;
			mk->access = k;
			mk->ts_ns = m->threads[t].tls[k].ts_ns;
		}
	}
	return 0;
}

/* ---- the concurrency strip ---- */

struct endpoint {
	int64_t ts;
	int delta; /* +1 start, -1 end */
};

static int
cmp_endpoint(const void *pa, const void *pb)
{
	const struct endpoint *a = pa, *b = pb;

	if (a->ts != b->ts) {
		return a->ts < b->ts ? -1 : 1;
	}
	/* Ends first: [a, b) and [b, c) never run together. */
	return a->delta - b->delta;
}

/* Unit i's interval, as metrics.c takes it. */
static void
unit_interval(const struct cotrace_model *m, enum cotrace_unit_kind unit,
		size_t i, int64_t *start, int64_t *end)
{
	if (unit == COTRACE_UNIT_TASK) {
		const struct cotrace_task *t = &m->tasks[i];

		*start = t->start_ns;
		*end = t->end_ns;
		if (*end == COTRACE_TS_NONE && t->process < m->n_processes) {
			*end = m->processes[t->process].end_ns;
		}
	} else {
		*start = m->processes[i].start_ns;
		*end = m->processes[i].end_ns;
	}
	if (*end < *start) {
		*end = *start;
	}
}

static int
lay_out_steps(struct layout *ly, const struct cotrace_metrics *metrics)
{
	const struct cotrace_model *m = ly->model;
	struct cotrace_timeline *tl = ly->tl;
	enum cotrace_unit_kind unit =
			m->n_tasks ? COTRACE_UNIT_TASK : COTRACE_UNIT_PROCESS;
	size_t units = unit == COTRACE_UNIT_TASK ? m->n_tasks : m->n_processes;
	struct endpoint *ep;
	size_t n = 0, running = 0;

	/* The metrics name the unit; a model alone implies the same one. */
	if (metrics) {
		unit = metrics->unit;
		units = unit == COTRACE_UNIT_TASK ? m->n_tasks : m->n_processes;
	}
	if (units == 0) {
		return 0;
	}
	ep = malloc(2 * units * sizeof(*ep));
	if (!ep) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < units; i++) {
		int64_t s, e;

		unit_interval(m, unit, i, &s, &e);
		/* An empty interval is never running. */
		if (e > s) {
			ep[n++] = (struct endpoint){s, +1};
			ep[n++] = (struct endpoint){e, -1};
		}
	}
	if (n == 0) {
		free(ep);
		return 0;
	}
	qsort(ep, n, sizeof(*ep), cmp_endpoint);
	/* At most one step per endpoint. */
	tl->steps = malloc(n * sizeof(*tl->steps));
	if (!tl->steps) {
		free(ep);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n;) {
		int64_t ts = ep[i].ts;

		for (; i < n && ep[i].ts == ts; i++) {
			if (ep[i].delta > 0) {
				running++;
			} else {
				running--;
			}
		}
		if (tl->n_steps > 0 &&
				tl->steps[tl->n_steps - 1].running == running) {
			continue;
		}
		tl->steps[tl->n_steps++] = (struct cotrace_step){ts, running};
	}
	free(ep);
	return 0;
}

/* ---- the axis ---- */

static void
widen(int64_t *lo, int64_t *hi, bool *any, int64_t ts)
{
	if (ts == COTRACE_TS_NONE) {
		return;
	}
	if (!*any || ts < *lo) {
		*lo = ts;
	}
	if (!*any || ts > *hi) {
		*hi = ts;
	}
	*any = true;
}

static void
lay_out_axis(struct layout *ly)
{
	const struct cotrace_model *m = ly->model;
	struct cotrace_timeline *tl = ly->tl;
	int64_t lo = 0, hi = 0;
	bool any = false;

	widen(&lo, &hi, &any, m->first_ns);
	widen(&lo, &hi, &any, m->last_ns);
	for (size_t i = 0; i < tl->n_lanes; i++) {
		widen(&lo, &hi, &any, tl->lanes[i].start_ns);
		widen(&lo, &hi, &any, tl->lanes[i].end_ns);
	}
	for (size_t i = 0; i < tl->n_bars; i++) {
		widen(&lo, &hi, &any, tl->bars[i].start_ns);
		widen(&lo, &hi, &any, tl->bars[i].end_ns);
	}
	for (size_t i = 0; i < tl->n_arrows; i++) {
		widen(&lo, &hi, &any, tl->arrows[i].ts_ns);
	}
	for (size_t i = 0; i < tl->n_marks; i++) {
		widen(&lo, &hi, &any, tl->marks[i].ts_ns);
	}
	for (size_t i = 0; i < m->n_lost; i++) {
		widen(&lo, &hi, &any, m->lost[i].begin_ns);
		widen(&lo, &hi, &any, m->lost[i].end_ns);
	}
	tl->t0_ns = lo;
	tl->t1_ns = hi;
}

int
cotrace_timeline_build(const struct cotrace_model *model,
		const struct cotrace_metrics *metrics,
		struct cotrace_timeline *timeline)
{
	struct layout ly = {.model = model, .tl = timeline};
	size_t np, nt;
	int status = 0;

	memset(timeline, 0, sizeof(*timeline));
	if (!model) {
		return -EINVAL;
	}
	np = model->n_processes;
	nt = model->n_threads;
	ly.cap_lanes = np + nt;
	if (ly.cap_lanes > 0) {
		timeline->lanes =
				calloc(ly.cap_lanes, sizeof(*timeline->lanes));
		if (!timeline->lanes) {
			status = -ENOMEM;
			goto end;
		}
	}
	ly.first_child = malloc((np ? np : 1) * sizeof(size_t));
	ly.next_sibling = malloc((np ? np : 1) * sizeof(size_t));
	ly.first_thread = malloc((np ? np : 1) * sizeof(size_t));
	ly.process_lane = malloc((np ? np : 1) * sizeof(size_t));
	ly.visited = calloc(np ? np : 1, sizeof(bool));
	ly.next_thread = malloc((nt ? nt : 1) * sizeof(size_t));
	ly.thread_lane = malloc((nt ? nt : 1) * sizeof(size_t));
	if (!ly.first_child || !ly.next_sibling || !ly.first_thread ||
			!ly.process_lane || !ly.visited || !ly.next_thread ||
			!ly.thread_lane) {
		status = -ENOMEM;
		goto end;
	}
	status = cotrace_hosts_build(model, &ly.hosts);
	if (status) {
		goto end;
	}
	status = lay_out_lanes(&ly);
	if (status) {
		goto end;
	}
	status = lay_out_bars(&ly);
	if (status) {
		goto end;
	}
	status = lay_out_arrows(&ly);
	if (status) {
		goto end;
	}
	status = lay_out_marks(&ly);
	if (status) {
		goto end;
	}
	status = lay_out_steps(&ly, metrics);
	if (status) {
		goto end;
	}
	lay_out_axis(&ly);
end:
	free(ly.first_child);
	free(ly.next_sibling);
	free(ly.first_thread);
	free(ly.process_lane);
	free(ly.visited);
	free(ly.next_thread);
	free(ly.thread_lane);
	cotrace_hosts_release(&ly.hosts);
	if (status) {
		cotrace_timeline_release(timeline);
	}
	return status;
}

void
cotrace_timeline_release(struct cotrace_timeline *timeline)
{
	if (!timeline) {
		return;
	}
	for (size_t i = 0; i < timeline->n_lanes; i++) {
		free(timeline->lanes[i].label);
	}
	free(timeline->lanes);
	free(timeline->bars);
	free(timeline->arrows);
	free(timeline->marks);
	free(timeline->steps);
	free(timeline->groups);
	memset(timeline, 0, sizeof(*timeline));
}

int
cotrace_timeline_render(const struct cotrace_timeline_format *format, FILE *out,
		const struct cotrace_model *model,
		const struct cotrace_metrics *metrics,
		const struct cotrace_timeline_options *options)
{
	struct cotrace_timeline tl;
	int status;

	if (!format || !out || !model) {
		return -EINVAL;
	}
	status = cotrace_timeline_build(model, metrics, &tl);
	if (status) {
		return status;
	}
	status = format->render(out, model, metrics, &tl, options);
	cotrace_timeline_release(&tl);
	return status;
}
