/*
 * The terminal timeline: a Gantt chart of the layout (timeline.h), one row
 * per lane, for people who look at a terminal. Each row is a label (the
 * fork tree by indentation), what the trace holds of the lane's life
 * (complete, started only, ...), and the chart: one character per column
 * of time. Below the lanes: the discarded-events row, the concurrency
 * strip, the legend and the report's warnings.
 *
 * The glyphs, from the lowest priority to the highest (a later one wins
 * a shared cell):
 *   =  a process alive           -  a thread alive
 *   #  a task (+ or : when it was on a CPU for less than 3/4 or 1/4 of
 *      its wall time)
 *   w/r  a TLS write / read      ?  a start or an end not recorded
 *   >  a fork child's start
 *   F  a fork, in the parent (2-9: that many forks in one column, * more)
 * The strip shows, per column, the most units running at once (1-9, +
 * for ten or more, . for none). The layout of a row never depends on the
 * colours, so plain and coloured output align the same way.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "report-common.h"
#include "safe-text.h"
#include "timeline.h"

#define DEFAULT_WIDTH 100
#define MIN_WIDTH 40
#define LABEL_MAX 40
#define LABEL_MIN 12
#define STATE_WIDTH 13 /* "finished only" */
#define LANES_MAX 2000 /* more are cut; svg and chrome have them all */
#define TICK_SPACING 8 /* columns between ticks, at least */

enum colour {
	C_NONE,
	C_DIM,
	C_PROCESS,
	C_THREAD,
	C_TASK,
	C_TLS,
	C_FORK,
	C_CHILD,
	C_UNSEEN,
	C_LOST,
	C_STRIP1,
	C_STRIP2,
	C_WARN,
	C_COUNT,
};

static const char *const sgr[C_COUNT] = {
		[C_NONE] = "\033[0m",
		[C_DIM] = "\033[0;2m",
		[C_PROCESS] = "\033[0;34m",
		[C_THREAD] = "\033[0;36m",
		[C_TASK] = "\033[0;1;32m",
		[C_TLS] = "\033[0;1;35m",
		[C_FORK] = "\033[0;1;33m",
		[C_CHILD] = "\033[0;33m",
		[C_UNSEEN] = "\033[0;1;31m",
		[C_LOST] = "\033[0;1;31m",
		[C_STRIP1] = "\033[0;32m",
		[C_STRIP2] = "\033[0;1;32m",
		[C_WARN] = "\033[0;1;33m",
};

struct term {
	FILE *out; /* borrowed */
	const struct cotrace_model *model;
	const struct cotrace_metrics *metrics;
	const struct cotrace_timeline *tl;
	bool color;
	bool utf8;
	size_t width;	    /* whole line */
	size_t label_width; /* label column */
	size_t chart;	    /* chart columns */
	int64_t t0, span;   /* span > 0 */
	char *cells;	    /* one row of the chart, chart bytes */
	unsigned char *colours;
	bool *lost; /* per column: the tracer discarded events there */
};

/* ---- time to columns ---- */

static size_t
column(const struct term *t, int64_t ts)
{
	double x;

	if (ts <= t->t0) {
		return 0;
	}
	/* In double: times centuries apart overflow an int64 difference. */
	x = ((double)ts - (double)t->t0) / (double)t->span * (double)t->chart;
	if (!(x >= 0.0)) {
		return 0;
	}
	if (x >= (double)(t->chart - 1)) {
		return t->chart - 1;
	}
	return (size_t)x;
}

/* The columns of the half-open [start, end): at least one. */
static void
columns(const struct term *t, int64_t start, int64_t end, size_t *first,
		size_t *last)
{
	*first = column(t, start);
	*last = end > start ? column(t, end - 1) : *first;
	if (*last < *first) {
		*last = *first;
	}
}

/* ---- output helpers ---- */

static void
set_colour(struct term *t, enum colour *cur, enum colour want)
{
	if (!t->color || *cur == want) {
		return;
	}
	fputs(sgr[want], t->out);
	*cur = want;
}

static void
put_spaces(struct term *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fputc(' ', t->out);
	}
}

/* Writes `text` (safe) padded or cut to exactly `width` characters. */
static void
put_cell_text(struct term *t, const char *text, size_t width)
{
	size_t n = cotrace_text_chars(text);

	if (n <= width) {
		fputs(text, t->out);
		put_spaces(t, width - n);
		return;
	}
	/* Callers pass text already cut to fit; this only guards. */
	n = 0;
	for (size_t i = 0; text[i]; i++) {
		bool start = ((unsigned char)text[i] & 0xc0) != 0x80;

		if (start && n == width) {
			break;
		}
		n += start;
		fputc(text[i], t->out);
	}
}

static void
flush_row(struct term *t, bool shade_lost)
{
	enum colour cur = C_NONE;
	size_t end = t->chart;

	/* No trailing blanks, unless shaded. */
	while (end > 0 && t->cells[end - 1] == ' ' &&
			!(t->color && shade_lost && t->lost[end - 1])) {
		end--;
	}
	for (size_t c = 0; c < end; c++) {
		set_colour(t, &cur, (enum colour)t->colours[c]);
		/* Grey background over the columns where events were lost. */
		if (t->color && shade_lost && t->lost[c]) {
			fputs("\033[100m", t->out);
			fputc(t->cells[c], t->out);
			fputs(sgr[cur], t->out);
		} else {
			fputc(t->cells[c], t->out);
		}
	}
	if (t->color && cur != C_NONE) {
		fputs(sgr[C_NONE], t->out);
	}
}

static void
clear_row(struct term *t)
{
	memset(t->cells, ' ', t->chart);
	memset(t->colours, C_NONE, t->chart);
}

static void
paint(struct term *t, size_t first, size_t last, char glyph, enum colour c)
{
	for (size_t i = first; i <= last && i < t->chart; i++) {
		t->cells[i] = glyph;
		t->colours[i] = (unsigned char)c;
	}
}

/* ---- the header and the axis ---- */

/* The title on one line: a long path keeps its end, the telling part. */
static void
put_title(struct term *t, const char *title)
{
	static const char prefix[] = "cotrace timeline: ";
	size_t room = t->width - (sizeof(prefix) - 1);
	size_t n = cotrace_text_chars(title);

	fputs(prefix, t->out);
	if (n > room) {
		size_t skip = n - room + 3;

		fputs("...", t->out);
		for (; *title && skip > 0; title++) {
			skip -= ((unsigned char)title[1] & 0xc0) != 0x80;
		}
	}
	fputs(title, t->out);
	fputc('\n', t->out);
}

static void
render_header(struct term *t, const struct cotrace_timeline_options *o)
{
	const struct cotrace_model *m = t->model;
	const struct cotrace_metrics *mt = t->metrics;
	char line[512], a[32], b[32];
	char *title = NULL;

	if (o && o->title) {
		title = cotrace_safe_strdup(o->title, SIZE_MAX, t->utf8, NULL);
	} else if (m->n_paths == 1) {
		title = cotrace_safe_strdup(
				m->paths[0], SIZE_MAX, t->utf8, NULL);
	} else if (m->n_paths > 1) {
		snprintf(line, sizeof(line), "%zu traces", m->n_paths);
		title = strdup(line);
	}
	put_title(t, title ? title : "(trace)");
	free(title);

	snprintf(line, sizeof(line),
			"%zu process%s and %zu thread%s (%zu thread lane%s), "
			"%zu task%s, %zu fork%s",
			m->n_processes, m->n_processes == 1 ? "" : "es",
			m->n_threads, m->n_threads == 1 ? "" : "s",
			t->tl->n_thread_lanes,
			t->tl->n_thread_lanes == 1 ? "" : "s", m->n_tasks,
			m->n_tasks == 1 ? "" : "s", m->n_forks,
			m->n_forks == 1 ? "" : "s");
	if (t->tl->n_groups > 1) {
		size_t len = strlen(line);

		snprintf(line + len, sizeof(line) - len, " on %zu hosts",
				t->tl->n_groups);
	}
	if (mt && mt->units > 0) {
		size_t len = strlen(line);

		snprintf(line + len, sizeof(line) - len,
				"; span %s, parallelism %.2f, "
				"cpu_parallelism %.2f",
				cotrace_format_duration(
						a, sizeof(a), mt->span_ns),
				mt->parallelism, mt->cpu_parallelism);
	}
	cotrace_put_wrapped(t->out, "", "  ", line, t->width);
	snprintf(line, sizeof(line),
			"time since the first event; one column is %s",
			cotrace_format_duration(b, sizeof(b),
					(t->span + (int64_t)t->chart - 1) /
							(int64_t)t->chart));
	cotrace_put_wrapped(t->out, "", "  ", line, t->width);
	fputc('\n', t->out);
}

/* A step of 1, 2 or 5 times a power of ten, at least `raw`. */
static int64_t
nice_step(double raw)
{
	double p = 1;

	while (p * 10 <= raw && p < 1e17) {
		p *= 10;
	}
	if (raw <= p) {
		return (int64_t)p;
	}
	if (raw <= 2 * p) {
		return (int64_t)(2 * p);
	}
	if (raw <= 5 * p) {
		return (int64_t)(5 * p);
	}
	return (int64_t)(10 * p);
}

static void
render_axis(struct term *t)
{
	int64_t step = nice_step(
			(double)t->span * TICK_SPACING / (double)t->chart);
	/* Seconds from 10 s on, milliseconds below. */
	bool seconds = t->span >= INT64_C(10000000000);
	double unit = seconds ? 1e9 : 1e6;
	int decimals = 0;
	char *labels = malloc(t->chart + 1);
	size_t next_free = 0;

	if (!labels) {
		return;
	}
	while (decimals < 6 &&
			fabs((double)step / unit * pow(10, decimals) -
					round((double)step / unit *
							pow(10, decimals))) >
					1e-6) {
		decimals++;
	}
	memset(labels, ' ', t->chart);
	labels[t->chart] = '\0';
	clear_row(t);
	paint(t, 0, t->chart - 1, '-', C_DIM);
	for (int64_t k = 0; k <= t->span / step; k++) {
		int64_t off = k * step;
		size_t c = column(t, t->t0 + off);
		char num[32];
		int len;

		paint(t, c, c, '|', C_DIM);
		len = snprintf(num, sizeof(num), "%.*f", decimals,
				(double)off / unit);
		if (len <= 0 || (size_t)len > t->chart) {
			continue;
		}
		/* A label that would pass the end ends there instead. */
		if (c + (size_t)len > t->chart) {
			c = t->chart - (size_t)len;
		}
		if (c >= next_free) {
			memcpy(labels + c, num, (size_t)len);
			next_free = c + (size_t)len + 1;
		}
	}
	put_cell_text(t, seconds ? "time (s)" : "time (ms)", t->label_width);
	fputc(' ', t->out);
	put_cell_text(t, "state", STATE_WIDTH);
	fputc(' ', t->out);
	for (size_t end = t->chart; end > 0 && labels[end - 1] == ' ';) {
		labels[--end] = '\0';
	}
	fputs(labels, t->out);
	fputc('\n', t->out);
	put_spaces(t, t->label_width + 1 + STATE_WIDTH + 1);
	flush_row(t, false);
	fputc('\n', t->out);
	free(labels);
}

/* ---- lanes ---- */

static size_t
lane_indent(const struct cotrace_lane *l)
{
	size_t depth = l->depth > 16 ? 16 : l->depth;

	return 2 * depth + (l->kind == COTRACE_LANE_THREAD ? 2 : 0);
}

/*
 * A task's glyph says how much of its wall time it spent on a CPU: threads
 * that take turns behind one lock show '+', not '#'.
 */
static char
task_glyph(const struct cotrace_model *m, const struct cotrace_bar *b)
{
	const struct cotrace_task *task = &m->tasks[b->task];
	double share;

	if (!b->finished || task->cpu_ns == COTRACE_CPU_NONE ||
			b->end_ns <= b->start_ns) {
		return '#';
	}
	share = (double)task->cpu_ns / (double)(b->end_ns - b->start_ns);
	if (share >= 0.75) {
		return '#';
	}
	return share >= 0.25 ? '+' : ':';
}

/*
 * What is drawn on each lane, found in one pass (a chart with many lanes
 * and many tasks must not scan every task for every lane): the items of
 * lane l are items[start[l]] to items[start[l + 1] - 1].
 */
struct by_lane {
	size_t *start; /* n_lanes + 1 */
	size_t *items;
};

static int
by_lane_build(struct by_lane *bl, size_t n_lanes, size_t n, const void *base,
		size_t size, size_t offset)
{
	const unsigned char *p = base;

	bl->start = calloc(n_lanes + 2, sizeof(*bl->start));
	bl->items = malloc((n ? n : 1) * sizeof(*bl->items));
	if (!bl->start || !bl->items) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		size_t lane = *(const size_t *)(p + i * size + offset);

		if (lane < n_lanes) {
			bl->start[lane + 2]++;
		}
	}
	for (size_t l = 2; l < n_lanes + 2; l++) {
		bl->start[l] += bl->start[l - 1];
	}
	/* start[l + 1] is lane l's cursor while filling; then its start. */
	for (size_t i = 0; i < n; i++) {
		size_t lane = *(const size_t *)(p + i * size + offset);

		if (lane < n_lanes) {
			bl->items[bl->start[lane + 1]++] = i;
		}
	}
	return 0;
}

static void
by_lane_release(struct by_lane *bl)
{
	free(bl->start);
	free(bl->items);
}

struct lanes_index {
	struct by_lane bars, marks, forks;
	bool *child; /* per lane: a fork child's process lane */
};

static int
lanes_index_build(struct lanes_index *x, const struct cotrace_timeline *tl)
{
	size_t n = tl->n_lanes;
	int status;

	memset(x, 0, sizeof(*x));
	status = by_lane_build(&x->bars, n, tl->n_bars, tl->bars,
			sizeof(*tl->bars), offsetof(struct cotrace_bar, lane));
	if (!status) {
		status = by_lane_build(&x->marks, n, tl->n_marks, tl->marks,
				sizeof(*tl->marks),
				offsetof(struct cotrace_mark, lane));
	}
	if (!status) {
		status = by_lane_build(&x->forks, n, tl->n_arrows, tl->arrows,
				sizeof(*tl->arrows),
				offsetof(struct cotrace_arrow, from_lane));
	}
	if (status) {
		return status;
	}
	x->child = calloc(n ? n : 1, sizeof(*x->child));
	if (!x->child) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < tl->n_arrows; i++) {
		if (tl->arrows[i].to_lane < n) {
			x->child[tl->arrows[i].to_lane] = true;
		}
	}
	return 0;
}

static void
lanes_index_release(struct lanes_index *x)
{
	by_lane_release(&x->bars);
	by_lane_release(&x->marks);
	by_lane_release(&x->forks);
	free(x->child);
}

static void
paint_lane(struct term *t, const struct lanes_index *x, size_t li)
{
	const struct cotrace_timeline *tl = t->tl;
	const struct cotrace_model *m = t->model;
	const struct cotrace_lane *l = &tl->lanes[li];
	size_t first, last;
	bool process = l->kind == COTRACE_LANE_PROCESS;

	clear_row(t);
	columns(t, l->start_ns, l->end_ns, &first, &last);
	paint(t, first, last, process ? '=' : '-',
			process ? C_PROCESS : C_THREAD);
	for (size_t k = x->bars.start[li]; k < x->bars.start[li + 1]; k++) {
		const struct cotrace_bar *b = &tl->bars[x->bars.items[k]];
		size_t bf, bl;

		columns(t, b->start_ns, b->end_ns, &bf, &bl);
		paint(t, bf, bl, task_glyph(m, b), C_TASK);
	}
	for (size_t k = x->marks.start[li]; k < x->marks.start[li + 1]; k++) {
		const struct cotrace_mark *mk = &tl->marks[x->marks.items[k]];
		size_t c = column(t, mk->ts_ns);

		/* A write wins over a read in a shared cell. */
		if (m->threads[mk->thread].tls[mk->access].is_read) {
			if (t->cells[c] != 'w') {
				paint(t, c, c, 'r', C_TLS);
			}
		} else {
			paint(t, c, c, 'w', C_TLS);
		}
	}
	/* In a one-column lane, its start wins over its unseen end. */
	if (l->completeness == COTRACE_STARTED_ONLY ||
			l->completeness == COTRACE_SEEN_ONLY) {
		paint(t, last, last, '?', C_UNSEEN);
	}
	if (l->completeness == COTRACE_FINISHED_ONLY ||
			l->completeness == COTRACE_SEEN_ONLY) {
		paint(t, first, first, '?', C_UNSEEN);
	} else if (process && x->child[li]) {
		paint(t, first, first, '>', C_CHILD);
	}
}

/* Fork marks on a lane: F, or how many forks share the column. */
static void
paint_forks(struct term *t, const struct lanes_index *x, size_t li,
		unsigned int *counts)
{
	const struct cotrace_timeline *tl = t->tl;

	memset(counts, 0, t->chart * sizeof(*counts));
	for (size_t k = x->forks.start[li]; k < x->forks.start[li + 1]; k++) {
		counts[column(t, tl->arrows[x->forks.items[k]].ts_ns)]++;
	}
	for (size_t c = 0; c < t->chart; c++) {
		char g;

		if (counts[c] == 0) {
			continue;
		}
		g = counts[c] == 1   ? 'F'
		    : counts[c] <= 9 ? (char)('0' + counts[c])
				     : '*';
		paint(t, c, c, g, C_FORK);
	}
}

static int
render_lanes(struct term *t)
{
	const struct cotrace_timeline *tl = t->tl;
	unsigned int *counts = calloc(t->chart, sizeof(*counts));
	size_t shown = tl->n_lanes < LANES_MAX ? tl->n_lanes : LANES_MAX;
	struct lanes_index x;
	char *label = NULL;
	int status;

	status = lanes_index_build(&x, tl);
	if (status || !counts) {
		status = -ENOMEM;
		goto end;
	}
	for (size_t li = 0, g = 0; li < shown; li++) {
		const struct cotrace_lane *l = &tl->lanes[li];
		size_t indent = lane_indent(l);
		size_t room = t->label_width > indent ? t->label_width - indent
						      : 0;

		/* Several hosts: a line naming each before its lanes. */
		if (g < tl->n_groups && tl->groups[g].first_lane == li) {
			const struct cotrace_lane_group *gr = &tl->groups[g++];
			char *host = cotrace_safe_strdup(
					gr->host && *gr->host ? gr->host
							      : "unknown host",
					t->label_width, t->utf8, NULL);

			if (!host) {
				status = -ENOMEM;
				goto end;
			}
			fprintf(t->out, "host %s (%zu process%s)\n", host,
					gr->n_processes,
					gr->n_processes == 1 ? "" : "es");
			free(host);
		}
		free(label);
		label = cotrace_safe_strdup(l->label, room, t->utf8, NULL);
		if (!label) {
			status = -ENOMEM;
			goto end;
		}
		paint_lane(t, &x, li);
		paint_forks(t, &x, li, counts);
		put_spaces(t, indent < t->label_width ? indent
						      : t->label_width);
		put_cell_text(t, label, room);
		fputc(' ', t->out);
		put_cell_text(t, cotrace_completeness_name(l->completeness),
				STATE_WIDTH);
		fputc(' ', t->out);
		flush_row(t, true);
		fputc('\n', t->out);
	}
	if (shown < tl->n_lanes) {
		fprintf(t->out,
				"... and %zu more lanes (--format svg or "
				"chrome shows them all)\n",
				tl->n_lanes - shown);
	}
end:
	free(label);
	free(counts);
	lanes_index_release(&x);
	return status;
}

/* ---- below the lanes ---- */

static void
render_lost(struct term *t)
{
	const struct cotrace_model *m = t->model;
	bool placed = false;

	if (m->n_lost == 0) {
		return;
	}
	clear_row(t);
	for (size_t c = 0; c < t->chart; c++) {
		if (t->lost[c]) {
			paint(t, c, c, '~', C_LOST);
			placed = true;
		}
	}
	put_cell_text(t, "events lost", t->label_width + 1 + STATE_WIDTH);
	fputc(' ', t->out);
	if (placed) {
		flush_row(t, false);
	} else {
		fputs("(the tracer did not say when)", t->out);
	}
	fputc('\n', t->out);
}

static void
mark_lost_columns(struct term *t)
{
	const struct cotrace_model *m = t->model;

	memset(t->lost, 0, t->chart * sizeof(*t->lost));
	for (size_t i = 0; i < m->n_lost; i++) {
		const struct cotrace_lost *lo = &m->lost[i];
		int64_t b = lo->begin_ns, e = lo->end_ns;
		size_t first, last;

		if (b == COTRACE_TS_NONE && e == COTRACE_TS_NONE) {
			continue;
		}
		if (b == COTRACE_TS_NONE) {
			b = e;
		}
		if (e == COTRACE_TS_NONE || e < b) {
			e = b;
		}
		columns(t, b, e, &first, &last);
		for (size_t c = first; c <= last; c++) {
			t->lost[c] = true;
		}
	}
}

static void
render_strip(struct term *t)
{
	const struct cotrace_timeline *tl = t->tl;
	const struct cotrace_metrics *mt = t->metrics;
	size_t *most = calloc(t->chart, sizeof(*most));
	char title[48];

	if (!most) {
		return;
	}
	clear_row(t);
	for (size_t i = 0; i + 1 < tl->n_steps; i++) {
		size_t first, last;

		columns(t, tl->steps[i].ts_ns, tl->steps[i + 1].ts_ns, &first,
				&last);
		for (size_t c = first; c <= last; c++) {
			if (tl->steps[i].running > most[c]) {
				most[c] = tl->steps[i].running;
			}
			/* Inside the units' span: a 0 is worth showing. */
			if (t->cells[c] == ' ') {
				paint(t, c, c, '.', C_DIM);
			}
		}
	}
	for (size_t c = 0; c < t->chart; c++) {
		if (most[c] == 0) {
			continue;
		}
		paint(t, c, c, most[c] <= 9 ? (char)('0' + most[c]) : '+',
				most[c] == 1 ? C_STRIP1 : C_STRIP2);
	}
	snprintf(title, sizeof(title), "running %s",
			mt && mt->unit == COTRACE_UNIT_TASK ? "tasks"
							    : "processes");
	put_cell_text(t, title, t->label_width + 1 + STATE_WIDTH);
	fputc(' ', t->out);
	flush_row(t, false);
	fputc('\n', t->out);
	free(most);
}

static void
render_legend(struct term *t)
{
	fputc('\n', t->out);
	cotrace_put_wrapped(t->out, "legend: ", "        ",
			"= process alive, - thread alive, # task on a CPU "
			"(+ only part of the time, : seldom), "
			"F fork in the parent (2-9: forks in one column, * "
			"more), "
			"> fork child starts, w/r TLS write/read, ? start or "
			"end not recorded, ~ events lost; running: the most "
			"units at once in each column (. none)",
			t->width);
}

static int
render_warnings(struct term *t)
{
	const struct cotrace_model *m = t->model;

	if (m->n_warnings == 0) {
		fputs("warnings: none\n", t->out);
		return 0;
	}
	fprintf(t->out, "warnings (%zu):\n", m->n_warnings);
	for (size_t i = 0; i < m->n_warnings; i++) {
		const struct cotrace_warning *w = &m->warnings[i];
		char *msg = cotrace_safe_strdup(
				w->message, SIZE_MAX, t->utf8, NULL);
		char first[64];

		if (!msg) {
			return -ENOMEM;
		}
		/* The kind stays plain: colour would break the wrapping count.
		 */
		snprintf(first, sizeof(first), "  [%s] ",
				cotrace_warning_kind_name(w->kind));
		if (t->color) {
			fputs(sgr[C_WARN], t->out);
		}
		cotrace_put_wrapped(t->out, first, "      ", msg, t->width);
		if (t->color) {
			fputs(sgr[C_NONE], t->out);
		}
		free(msg);
	}
	return 0;
}

/* ---- the whole ---- */

static size_t
label_column(const struct cotrace_timeline *tl, size_t width)
{
	size_t want = LABEL_MIN, cap = width / 3;

	for (size_t i = 0; i < tl->n_lanes && i < LANES_MAX; i++) {
		size_t n = lane_indent(&tl->lanes[i]) +
			   cotrace_text_chars(tl->lanes[i].label);

		if (n > want) {
			want = n;
		}
	}
	if (cap > LABEL_MAX) {
		cap = LABEL_MAX;
	}
	if (cap < LABEL_MIN) {
		cap = LABEL_MIN;
	}
	return want < cap ? want : cap;
}

static int
render_term(FILE *out, const struct cotrace_model *model,
		const struct cotrace_metrics *metrics,
		const struct cotrace_timeline *timeline,
		const struct cotrace_timeline_options *options)
{
	struct term t = {
			.out = out,
			.model = model,
			.metrics = metrics,
			.tl = timeline,
			.color = options && options->color,
			.utf8 = cotrace_locale_is_utf8(),
			.width = options && options->width ? options->width
							   : DEFAULT_WIDTH,
	};
	int status = 0;

	if (t.width < MIN_WIDTH) {
		t.width = MIN_WIDTH;
	}
	t.label_width = label_column(timeline, t.width);
	t.chart = t.width - t.label_width - 1 - STATE_WIDTH - 1;
	t.t0 = timeline->t0_ns;
	if (timeline->t1_ns <= timeline->t0_ns) {
		t.span = 1;
	} else if (__builtin_sub_overflow(timeline->t1_ns, timeline->t0_ns,
				   &t.span)) {
		t.span = INT64_MAX;
	}
	t.cells = malloc(t.chart);
	t.colours = malloc(t.chart);
	t.lost = calloc(t.chart, sizeof(*t.lost));
	if (!t.cells || !t.colours || !t.lost) {
		status = -ENOMEM;
		goto end;
	}
	errno = 0;
	render_header(&t, options);
	if (timeline->n_lanes == 0) {
		fputs("No process was recorded: nothing to draw.\n", out);
	} else {
		mark_lost_columns(&t);
		render_axis(&t);
		status = render_lanes(&t);
		if (status) {
			goto end;
		}
		render_lost(&t);
		render_strip(&t);
		render_legend(&t);
	}
	status = render_warnings(&t);
	if (status) {
		goto end;
	}
	if (fflush(out) != 0 || ferror(out)) {
		status = errno ? -errno : -EIO;
	}
end:
	free(t.cells);
	free(t.colours);
	free(t.lost);
	return status;
}

const struct cotrace_timeline_format cotrace_timeline_term = {
		.name = "term",
		.binary = false,
		.render = render_term,
};
