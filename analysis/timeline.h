/*
 * The layout shared by the timeline renderers (terminal, SVG/PNG): lanes
 * grouped by the fork tree, the marks on them and the concurrency strip,
 * computed once from a finished model and its metrics. Plain C, no
 * babeltrace2 and no drawing calls, so it is unit-tested.
 *
 * The layout rules (timeline.c, tests/unit/test-timeline.c):
 *   - Lanes, top to bottom: each process, then its threads, then its
 *     children's subtrees. Processes are walked depth-first from the roots
 *     (no parent in the trace), roots and children in start order (then
 *     pid); a process on a parent cycle is shown as a root.
 *   - A process's threads: the main thread (tid == pid) first, then by
 *     start (then tid). Every other thread has a lane. The main thread has
 *     one only when it has something to show (a task or a TLS access):
 *     otherwise its process's lane already tells its life.
 *   - A thread lane has its process's depth: renderers indent it one step
 *     further than its process.
 *   - Labels hold names as the trace gives them (any bytes): renderers
 *     make them safe for their output.
 *   - Traces of several hosts: the lanes come in one group per host
 *     (groups[], in hosts.h's order), each laid out by the rules above;
 *     with one host there are no groups.
 *   - Unit intervals are those of the metrics: an unfinished task runs to
 *     its process's end; an interval with end < start is empty.
 */
#ifndef COTRACE_TIMELINE_H
#define COTRACE_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "metrics.h"
#include "model.h"

enum cotrace_lane_kind {
	COTRACE_LANE_PROCESS,
	COTRACE_LANE_THREAD,
};

/* What the trace holds of a process's or thread's life. */
enum cotrace_completeness {
	COTRACE_COMPLETE,        /* start and end seen */
	COTRACE_STARTED_ONLY,    /* start seen, end never */
	COTRACE_FINISHED_ONLY,   /* end seen, start never */
	COTRACE_SEEN_ONLY,       /* neither: only events in between */
};

struct cotrace_lane {
	enum cotrace_lane_kind kind;
	size_t process;          /* index in model->processes */
	size_t thread;           /* index in model->threads, SIZE_MAX for a process lane */
	unsigned int depth;      /* depth in the fork tree (root 0) */
	/*
	 * owned: "pid 4012 cotrace-demo", "tid 4015 worker-1", a main thread
	 * "tid 4012 (main thread)" ("tid 4012 NAME (main thread)" when its
	 * name is not its process's)
	 */
	char *label;
	int64_t start_ns;
	int64_t end_ns;
	enum cotrace_completeness completeness;
	/*
	 * A thread lane: its process's lane. A process lane: its parent's
	 * lane, SIZE_MAX for a root.
	 */
	size_t parent_lane;
	bool main_thread;        /* a thread lane of the main thread (tid == pid) */
};

/* A bar: a task on the lane of the thread that ran it. */
struct cotrace_bar {
	size_t lane;
	size_t task;             /* index in model->tasks */
	int64_t start_ns;
	int64_t end_ns;          /* the process's end for an unfinished task */
	bool finished;
};

/* A fork arrow from the parent's lane to the child's process lane. */
struct cotrace_arrow {
	size_t from_lane;
	size_t to_lane;          /* SIZE_MAX when the child was never seen */
	size_t fork;             /* index in model->forks */
	int64_t ts_ns;
};

/* A TLS access marked on its thread's lane. */
struct cotrace_mark {
	size_t lane;
	size_t thread;           /* index in model->threads */
	size_t access;           /* index in that thread's tls[] */
	int64_t ts_ns;
};

/*
 * The concurrency strip: from ts_ns on, `running` units ran (a step
 * function over the units of the metrics). Before the first step none ran;
 * the last step, at the last unit's end, has running == 0. Consecutive
 * steps always differ in `running`.
 */
struct cotrace_step {
	int64_t ts_ns;
	size_t running;
};

/*
 * Traces of several hosts read together: the lanes are grouped by host
 * (hosts.h gives the order), each group a run of consecutive lanes.
 */
struct cotrace_lane_group {
	const char *host;        /* borrowed from the model; NULL: unknown */
	size_t first_lane;
	size_t n_lanes;
	size_t n_processes;      /* of the host, shown or not */
};

struct cotrace_timeline {
	/*
	 * The time axis: first to last event, widened to cover every lane,
	 * bar and discarded-events span; t0 == t1 == 0 for an empty model.
	 */
	int64_t t0_ns, t1_ns;
	struct cotrace_lane *lanes;   size_t n_lanes;   /* owned, top to bottom */
	struct cotrace_bar *bars;     size_t n_bars;    /* owned */
	struct cotrace_arrow *arrows; size_t n_arrows;  /* owned */
	struct cotrace_mark *marks;   size_t n_marks;   /* owned */
	struct cotrace_step *steps;   size_t n_steps;   /* owned, by time */
	/* Spans where the tracer discarded events: model->lost (borrowed). */
	size_t n_process_lanes;  /* lanes of kind COTRACE_LANE_PROCESS */
	size_t n_thread_lanes;   /* lanes of kind COTRACE_LANE_THREAD */
	/* owned: one per host when there are several, else none (n_groups 0) */
	struct cotrace_lane_group *groups;
	size_t n_groups;
};

/*
 * Lays out a finished model. Returns 0 or -ENOMEM (then *timeline is
 * empty). Release with cotrace_timeline_release(), which also takes an
 * empty or zeroed timeline.
 */
int cotrace_timeline_build(const struct cotrace_model *model,
		const struct cotrace_metrics *metrics,
		struct cotrace_timeline *timeline);
void cotrace_timeline_release(struct cotrace_timeline *timeline);

/* A short word for a lane's completeness: "complete", "started only", ... */
const char *cotrace_completeness_name(enum cotrace_completeness c);

/* Options common to the timeline renderers. */
struct cotrace_timeline_options {
	unsigned int width;      /* columns (term) or pixels (svg/png); 0: default */
	bool color;              /* term: ANSI colours */
	const char *title;       /* borrowed, may be NULL */
};

/* A timeline renderer: one file each (timeline-term.c, timeline-cairo.c). */
struct cotrace_timeline_format {
	const char *name;        /* "term", "svg", "png" */
	bool binary;             /* writes bytes that are not text (png) */
	/* Returns 0, or -errno. */
	int (*render)(FILE *out, const struct cotrace_model *model,
			const struct cotrace_metrics *metrics,
			const struct cotrace_timeline *timeline,
			const struct cotrace_timeline_options *options);
};

extern const struct cotrace_timeline_format cotrace_timeline_term;
#ifdef COTRACE_HAVE_CAIRO
/* timeline-cairo.c, built when cairo is found: pictures 1920 px wide by default. */
extern const struct cotrace_timeline_format cotrace_timeline_svg;
extern const struct cotrace_timeline_format cotrace_timeline_png;
extern const struct cotrace_timeline_format cotrace_timeline_pdf;
#endif

/*
 * The format called `name` among those built in, or NULL. The built-in
 * formats are the formats[] table in timeline.c: a renderer adds its line
 * there (inside an #ifdef when its library is optional), nothing else.
 */
const struct cotrace_timeline_format *cotrace_timeline_format_find(
		const char *name);

/*
 * Lays out the model, renders it in `format` to `out` and releases the
 * layout. Returns 0, -ENOMEM, or the renderer's -errno.
 */
int cotrace_timeline_render(const struct cotrace_timeline_format *format,
		FILE *out, const struct cotrace_model *model,
		const struct cotrace_metrics *metrics,
		const struct cotrace_timeline_options *options);

#endif /* COTRACE_TIMELINE_H */
