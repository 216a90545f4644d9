/*
 * The timeline as a picture, drawn with cairo: SVG, PNG and PDF, for
 * slides and handouts. The same layout as the terminal chart
 * (timeline.h): one lane per process and per shown thread, indented by the
 * fork tree and labelled with its completeness; task bars whose solid part
 * is the share of the wall time the task spent on a CPU; fork arrows from
 * the parent's lane to where the child starts; TLS accesses as diamonds;
 * a time axis; the concurrency strip; the spans where the tracer discarded
 * events; a legend; the headline figures in the title and the report's
 * warnings at the bottom.
 *
 * Everything is laid out in a 1920-unit-wide design space and scaled to
 * the requested width (legible at the default 1920 px; a wider picture is
 * the same one, sharper). Heights follow from the number of lanes and
 * warnings, known before drawing, so each surface is drawn once.
 *
 * cairo writes SVG text as glyph outlines, which no browser can search or
 * select and no screen reader can read; the SVG therefore also gets a
 * <title> and an invisible text layer (the labels, where they are drawn),
 * added to what cairo wrote.
 */
#include <cairo.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json-writer.h"
#include "report-common.h"
#include "timeline.h"

#define DEFAULT_WIDTH 1920u
#define MIN_WIDTH 480u
#define MAX_WIDTH 7680u
#define DESIGN_WIDTH 1920.0
/* What an image may hold: 64 Mpixel and cairo's 32767-pixel limit. */
#define MAX_PIXELS (64.0 * 1024 * 1024)
#define MAX_HEIGHT 32000.0
#define MAX_WARNINGS_SHOWN 16
/* More lanes than this make a poster, not a picture: the rest is counted. */
#define MAX_LANES_SHOWN 250
#define MAX_TEXT_BYTES 1024

#define FONT "DejaVu Sans"
#define MARGIN 28.0
#define TITLE_SIZE 30.0
#define SUBTITLE_SIZE 18.0
#define TEXT_SIZE 16.0
#define SMALL_SIZE 14.0
#define PROCESS_LANE_H 36.0
#define THREAD_LANE_H 32.0
#define BAR_H 24.0
#define INDENT 18.0
#define STRIP_H 70.0
#define LINE_H 23.0
#define GROUP_HEAD_H 30.0 /* a host's title row */
#define VERDICT_LINES 2
#define WARNING_LINES 3 /* lines one warning may take */

struct rgb {
	double r, g, b;
};

#define RGB(hex)                                                               \
	((struct rgb){((hex) >> 16 & 0xff) / 255.0,                            \
			((hex) >> 8 & 0xff) / 255.0, ((hex)&0xff) / 255.0})

/*
 * Fork arrows have a colour of their own, used for nothing else, so a test
 * can count them in the SVG (one stroked path each, and the legend's).
 */
#define COLOR_FORK 0xc0392b
#define COLOR_TEXT 0x1f2328
#define COLOR_MUTED 0x656d76
#define COLOR_INCOMPLETE 0xbc4c00
#define COLOR_GRID 0xd8dee4
#define COLOR_BAND 0xf3f5f8
#define COLOR_PROCESS 0xa9b8cc
#define COLOR_THREAD 0x8893a2
#define COLOR_TLS 0x8250df
#define COLOR_LOST 0xe5534b
#define COLOR_STRIP 0x2da44e
#define COLOR_WARNING 0x9a6700

static const unsigned int bar_palette[] = {
		0x3b75af,
		0xef8636,
		0x519e3e,
		0x17a2b8,
		0x8c564b,
		0xd6619f,
		0x9a9a1f,
		0x5b6fd6,
};

enum canvas_kind {
	CANVAS_SVG,
	CANVAS_PNG,
	CANVAS_PDF,
};

enum align {
	ALIGN_LEFT,
	ALIGN_CENTER,
	ALIGN_RIGHT,
};

/* A label as drawn, for the SVG's text layer (device coordinates). */
struct text_item {
	double x, y, size;
	bool bold;
	char *text; /* owned */
};

/* A growable byte buffer: cairo's SVG before the text layer goes in. */
struct buffer {
	char *data; /* owned */
	size_t len, cap;
	bool failed;
};

struct canvas {
	cairo_t *cr; /* borrowed */
	const struct cotrace_model *model;
	const struct cotrace_metrics *metrics;
	const struct cotrace_timeline *tl;
	const struct cotrace_timeline_options *options;
	double scale;		 /* device pixels per design unit */
	double w, h;		 /* design units */
	double label_w;		 /* the lane label column */
	double plot_x0, plot_x1; /* the time axis */
	int64_t t0, t1;		 /* the axis's times, t1 > t0 */
	/* Vertical sections, top to bottom. */
	double legend_y, lanes_y, lanes_end, axis_y, strip_y, warnings_y;
	size_t lanes_shown; /* the first lanes_shown lanes are drawn */
	double *lane_top;   /* owned, lanes_shown + 1 entries */
	double *lane_head;  /* owned: room for a host's name above the lane */
	size_t *bar_color;  /* owned, per lane: palette index */
	char title[512];
	char *verdict[VERDICT_LINES]; /* owned, safe text; NULL: no line */
	/* The warnings shown, wrapped: owned, safe text; NULL: no line. */
	char *warning[MAX_WARNINGS_SHOWN][WARNING_LINES];
	size_t n_warning_lines; /* lines under the "Warnings" heading */
	bool any_reads;
	/* SVG only: what the text layer repeats. */
	bool collect;
	struct text_item *texts; /* owned */
	size_t n_texts, cap_texts;
	int status; /* -ENOMEM once collecting failed */
};

/* ---- small helpers ---- */

static void
set_color(cairo_t *cr, unsigned int hex)
{
	struct rgb c = RGB(hex);

	cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

static void
set_color_alpha(cairo_t *cr, unsigned int hex, double alpha)
{
	struct rgb c = RGB(hex);

	cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha);
}

/* hex mixed with white: amount 0 is hex, 1 is white. */
static void
set_tint(cairo_t *cr, unsigned int hex, double amount)
{
	struct rgb c = RGB(hex);

	cairo_set_source_rgb(cr, c.r + (1 - c.r) * amount,
			c.g + (1 - c.g) * amount, c.b + (1 - c.b) * amount);
}

/* b - a without overflow, as a double; 0 when either is unknown. */
static double
ns_between(int64_t a, int64_t b)
{
	int64_t d;

	if (a == COTRACE_TS_NONE || b == COTRACE_TS_NONE) {
		return 0;
	}
	if (__builtin_sub_overflow(b, a, &d)) {
		return b > a ? (double)INT64_MAX : (double)INT64_MIN;
	}
	return (double)d;
}

/* The x of a time, clamped to the plot. */
static double
x_of(const struct canvas *c, int64_t ts)
{
	double f;

	if (ts == COTRACE_TS_NONE) {
		return c->plot_x0;
	}
	f = ns_between(c->t0, ts) / ns_between(c->t0, c->t1);
	if (f < 0) {
		f = 0;
	} else if (f > 1) {
		f = 1;
	}
	return c->plot_x0 + f * (c->plot_x1 - c->plot_x0);
}

/*
 * `s` made safe to draw: valid UTF-8 (each ill-formed sequence becomes
 * U+FFFD), control characters as '?', at most MAX_TEXT_BYTES read. Returns
 * a malloc'd string with 3 spare bytes (for fit_text()'s ellipsis), or NULL
 * on ENOMEM.
 */
static char *
safe_text(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "?");
	size_t len = strlen((const char *)p), i = 0, o = 0;
	char *out;

	if (len > MAX_TEXT_BYTES) {
		len = MAX_TEXT_BYTES;
	}
	out = malloc(3 * len + 4);
	if (!out) {
		return NULL;
	}
	while (i < len) {
		size_t bad = 1,
		       seq = cotrace_utf8_sequence(p + i, len - i, &bad);

		if (seq == 1) {
			out[o++] = p[i] < 0x20 || p[i] == 0x7f ? '?'
							       : (char)p[i];
		} else if (seq > 1) {
			memcpy(out + o, p + i, seq);
			o += seq;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
		}
		i += seq ? seq : bad;
	}
	out[o] = '\0';
	return out;
}

/*
 * The same glyph advances on every surface, the scratch one included, so
 * what the layout measured is what gets drawn.
 */
static void
set_font_options(cairo_t *cr)
{
	cairo_font_options_t *fo = cairo_font_options_create();

	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
	cairo_set_font_options(cr, fo);
	cairo_font_options_destroy(fo);
}

static void
set_font(cairo_t *cr, double size, bool bold)
{
	cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
			bold ? CAIRO_FONT_WEIGHT_BOLD
			     : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
}

static double
text_width(cairo_t *cr, const char *s)
{
	cairo_text_extents_t ext;

	cairo_text_extents(cr, s, &ext);
	return ext.x_advance;
}

/*
 * Cuts the safe string `s` (in place) at a character boundary so that it
 * fits in max_w with an ellipsis; `s` needs 3 spare bytes, as safe_text()
 * leaves.
 */
static void
fit_text(cairo_t *cr, char *s, double max_w)
{
	size_t len = strlen(s), lo = 0, hi = len;

	if (max_w <= 0) {
		s[0] = '\0';
		return;
	}
	if (text_width(cr, s) <= max_w) {
		return;
	}
	/* The longest prefix p (at a boundary) with prefix + "…" fitting. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;
		char saved[4];

		while (mid > 0 && ((unsigned char)s[mid] & 0xc0) == 0x80) {
			mid--;
		}
		if (mid <= lo) {
			break;
		}
		memcpy(saved, s + mid, 4);
		memcpy(s + mid, "\xe2\x80\xa6", 4);
		if (text_width(cr, s) <= max_w) {
			lo = mid;
		} else {
			hi = mid - 1;
		}
		memcpy(s + mid, saved, 4);
	}
	while (lo > 0 && ((unsigned char)s[lo] & 0xc0) == 0x80) {
		lo--;
	}
	if (lo == 0) {
		s[0] = '\0';
		return;
	}
	memcpy(s + lo, "\xe2\x80\xa6", 4);
}

/*
 * Splits the safe string `s` at spaces into at most n lines of max_w, the
 * last one cut with an ellipsis. Returns 0 or -ENOMEM.
 */
static int
wrap_text(cairo_t *cr, const char *s, double max_w, char **lines, size_t n)
{
	size_t i = 0;

	while (*s && i < n) {
		size_t len = strlen(s), cut = len;
		char *line;

		if (i + 1 < n) {
			/* The longest run of whole words that fits. */
			while (cut > 0) {
				char *head = strndup(s, cut);
				bool fits;

				if (!head) {
					return -ENOMEM;
				}
				fits = text_width(cr, head) <= max_w;
				free(head);
				if (fits) {
					break;
				}
				while (cut > 0 && s[cut - 1] != ' ') {
					cut--;
				}
				while (cut > 0 && s[cut - 1] == ' ') {
					cut--;
				}
			}
			if (cut == 0) {
				cut = len; /* one long word: cut below */
			}
		}
		line = malloc(cut + 4);
		if (!line) {
			return -ENOMEM;
		}
		memcpy(line, s, cut);
		line[cut] = '\0';
		fit_text(cr, line, max_w);
		lines[i++] = line;
		s += cut;
		while (*s == ' ') {
			s++;
		}
	}
	return 0;
}

static void
collect_text(struct canvas *c, double x, double y, double size, bool bold,
		const char *s)
{
	struct text_item *it;
	double dx = x, dy = y, dsize = size, zero = 0;

	if (!c->collect || c->status || !*s) {
		return;
	}
	if (c->n_texts == c->cap_texts) {
		size_t cap = c->cap_texts ? 2 * c->cap_texts : 64;
		struct text_item *n = realloc(c->texts, cap * sizeof(*n));

		if (!n) {
			c->status = -ENOMEM;
			return;
		}
		c->texts = n;
		c->cap_texts = cap;
	}
	it = &c->texts[c->n_texts];
	it->text = strdup(s);
	if (!it->text) {
		c->status = -ENOMEM;
		return;
	}
	cairo_user_to_device(c->cr, &dx, &dy);
	cairo_user_to_device_distance(c->cr, &dsize, &zero);
	it->x = dx;
	it->y = dy;
	it->size = dsize;
	it->bold = bold;
	c->n_texts++;
}

/*
 * Draws `s` (any bytes) with its baseline at y, aligned on x, cut to max_w
 * (0: no limit). Returns the width drawn.
 */
static double
draw_text(struct canvas *c, double x, double y, double size, bool bold,
		unsigned int color, enum align align, double max_w,
		const char *s)
{
	char *t = safe_text(s);
	double w;

	if (!t) {
		c->status = -ENOMEM;
		return 0;
	}
	set_font(c->cr, size, bold);
	if (max_w > 0) {
		fit_text(c->cr, t, max_w);
	}
	w = text_width(c->cr, t);
	if (align == ALIGN_CENTER) {
		x -= w / 2;
	} else if (align == ALIGN_RIGHT) {
		x -= w;
	}
	if (*t) {
		set_color(c->cr, color);
		cairo_move_to(c->cr, x, y);
		cairo_show_text(c->cr, t);
		collect_text(c, x, y, size, bold, t);
	}
	free(t);
	return w;
}

/* A white halo under text drawn over bars, so it reads on any colour. */
static void
draw_text_halo(struct canvas *c, double x, double y, double size,
		unsigned int color, double max_w, const char *s)
{
	char *t = safe_text(s);

	if (!t) {
		c->status = -ENOMEM;
		return;
	}
	set_font(c->cr, size, false);
	fit_text(c->cr, t, max_w);
	if (*t) {
		cairo_move_to(c->cr, x, y);
		cairo_text_path(c->cr, t);
		cairo_set_source_rgba(c->cr, 1, 1, 1, 0.8);
		cairo_set_line_width(c->cr, 3);
		cairo_set_line_join(c->cr, CAIRO_LINE_JOIN_ROUND);
		cairo_stroke(c->cr);
		set_color(c->cr, color);
		cairo_move_to(c->cr, x, y);
		cairo_show_text(c->cr, t);
		collect_text(c, x, y, size, false, t);
	}
	free(t);
}

static const char *
lane_label(const struct cotrace_lane *lane)
{
	return lane->label ? lane->label : "?";
}

static double
lane_height(const struct cotrace_lane *lane)
{
	return lane->kind == COTRACE_LANE_PROCESS ? PROCESS_LANE_H
						  : THREAD_LANE_H;
}

static double
lane_indent(const struct cotrace_lane *lane)
{
	unsigned int depth = lane->depth > 12 ? 12 : lane->depth;

	return INDENT * (depth + (lane->kind == COTRACE_LANE_THREAD));
}

/* The y of a lane's middle; a lane not drawn sits in the "more" row. */
static double
lane_mid(const struct canvas *c, size_t lane)
{
	if (lane < c->lanes_shown) {
		return (c->lane_top[lane] + c->lane_head[lane] +
				       c->lane_top[lane + 1]) /
		       2;
	}
	return c->lane_top[c->lanes_shown] + LINE_H / 2;
}

/* ---- layout ---- */

static void
make_title(struct canvas *c)
{
	const struct cotrace_metrics *mt = c->metrics;
	const char *name = c->options && c->options->title ? c->options->title
							   : "cotrace timeline";
	char span[32];

	if (!mt || mt->units == 0) {
		snprintf(c->title, sizeof(c->title),
				"%s \xe2\x80\x94 no units: nothing ran to "
				"measure",
				name);
		return;
	}
	snprintf(c->title, sizeof(c->title),
			"%s \xe2\x80\x94 span %s \xc2\xb7 parallelism %.2f "
			"\xc2\xb7 cpu_parallelism %.2f \xc2\xb7 %zu %s",
			name,
			cotrace_format_duration(
					span, sizeof(span), mt->span_ns),
			mt->parallelism, mt->cpu_parallelism, mt->units,
			cotrace_unit_name(mt->unit, mt->units));
}

/* The widest lane label with its completeness, within bounds. */
static double
measure_labels(struct canvas *c, cairo_t *cr)
{
	double widest = 200;

	for (size_t i = 0; i < c->tl->n_lanes && i < 2000; i++) {
		const struct cotrace_lane *lane = &c->tl->lanes[i];
		char *t = safe_text(lane_label(lane));
		double w;

		if (!t) {
			return widest;
		}
		set_font(cr, TEXT_SIZE, lane->kind == COTRACE_LANE_PROCESS);
		w = lane_indent(lane) + text_width(cr, t);
		set_font(cr, SMALL_SIZE - 1, false);
		w += 10 + text_width(cr, cotrace_completeness_name(
							 lane->completeness));
		free(t);
		widest = fmax(widest, w);
	}
	return fmin(widest + 4, c->w * 0.3);
}

static double
warning_kind_width(cairo_t *cr, const struct cotrace_warning *w)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "[%s]", cotrace_warning_kind_name(w->kind));
	set_font(cr, SMALL_SIZE, true);
	return text_width(cr, buf);
}

/* Wraps the warnings shown; counts their lines. Returns 0 or -ENOMEM. */
static int
wrap_warnings(struct canvas *c, cairo_t *cr)
{
	const struct cotrace_model *m = c->model;
	double max_w = c->w - 2 * MARGIN;

	c->n_warning_lines = 0;
	for (size_t i = 0; i < m->n_warnings && i < MAX_WARNINGS_SHOWN; i++) {
		const struct cotrace_warning *w = &m->warnings[i];
		double kw = warning_kind_width(cr, w);
		char *t = safe_text(w->message ? w->message : "");
		int status;

		if (!t) {
			return -ENOMEM;
		}
		set_font(cr, SMALL_SIZE, false);
		status = wrap_text(cr, t, max_w - 20 - kw, c->warning[i],
				WARNING_LINES);
		free(t);
		if (status) {
			return status;
		}
		for (size_t k = 0; k < WARNING_LINES && c->warning[i][k]; k++) {
			c->n_warning_lines++;
		}
		if (!c->warning[i][0]) {
			c->n_warning_lines++; /* an empty message: the kind */
		}
	}
	if (m->n_warnings > MAX_WARNINGS_SHOWN) {
		c->n_warning_lines++;
	}
	return 0;
}

/*
 * Places every section. Needs a context to measure text; the picture's
 * height follows. Returns 0 or -ENOMEM.
 */
static int
lay_out(struct canvas *c, cairo_t *cr, unsigned int width)
{
	const struct cotrace_timeline *tl = c->tl;
	double y, fixed, lanes_h = 0, max_h;
	size_t i;

	c->scale = fmax(width / DESIGN_WIDTH, 0.5);
	c->w = width / c->scale;
	c->label_w = measure_labels(c, cr);
	c->plot_x0 = MARGIN + c->label_w + 14;
	c->plot_x1 = c->w - MARGIN - 10;
	c->t0 = tl->t0_ns == COTRACE_TS_NONE ? 0 : tl->t0_ns;
	c->t1 = tl->t1_ns == COTRACE_TS_NONE ? c->t0 : tl->t1_ns;
	if (ns_between(c->t0, c->t1) <= 0) {
		/* One event, or none: a 1 us axis. */
		if (c->t0 > INT64_MAX - 1000) {
			c->t0 = INT64_MAX - 1000;
		}
		c->t1 = c->t0 + 1000;
	}
	make_title(c);
	if (c->metrics) {
		struct cotrace_verdict verdict;
		char *t;
		int status;

		cotrace_report_verdict(c->model, c->metrics, &verdict);
		t = safe_text(verdict.text);
		if (!t) {
			return -ENOMEM;
		}
		set_font(cr, SUBTITLE_SIZE, false);
		status = wrap_text(cr, t, c->w - 2 * MARGIN, c->verdict,
				VERDICT_LINES);
		free(t);
		if (status) {
			return status;
		}
	}

	y = MARGIN + TITLE_SIZE; /* title baseline */
	for (i = 0; i < VERDICT_LINES && c->verdict[i]; i++) {
		y += (i ? 6 : 12) + SUBTITLE_SIZE;
	}
	y += 10 + SMALL_SIZE; /* what the trace holds */
	c->legend_y = y + 22; /* legend's middle */
	y = c->legend_y + 24;
	c->lanes_y = y;
	/* Below the lanes: axis, strip, warnings, margin. */
	if (wrap_warnings(c, cr)) {
		return -ENOMEM;
	}
	fixed = 34 + 14 + STRIP_H + 30 + 26 +
		LINE_H * (1 + c->n_warning_lines) + MARGIN;
	max_h = fmin(MAX_HEIGHT, MAX_PIXELS / width) / c->scale;

	c->lane_top = malloc((tl->n_lanes + 1) * sizeof(*c->lane_top));
	c->lane_head = calloc(tl->n_lanes + 1, sizeof(*c->lane_head));
	c->bar_color = calloc(tl->n_lanes + 1, sizeof(*c->bar_color));
	if (!c->lane_top || !c->lane_head || !c->bar_color) {
		return -ENOMEM;
	}
	/* Several hosts: a title row above each host's first lane. */
	for (size_t g = 0; g < tl->n_groups; g++) {
		if (tl->groups[g].first_lane < tl->n_lanes) {
			c->lane_head[tl->groups[g].first_lane] = GROUP_HEAD_H;
		}
	}
	for (i = 0; i < tl->n_lanes; i++) {
		double h = lane_height(&tl->lanes[i]) + c->lane_head[i];

		/* Room for this lane and the "more lanes" row. */
		if (i == MAX_LANES_SHOWN ||
				c->lanes_y + lanes_h + h + LINE_H + fixed >
						max_h) {
			break;
		}
		c->lane_top[i] = c->lanes_y + lanes_h;
		lanes_h += h;
	}
	c->lanes_shown = i;
	c->lane_top[i] = c->lanes_y + lanes_h;
	if (c->lanes_shown < tl->n_lanes) {
		lanes_h += LINE_H;
	}
	if (tl->n_lanes == 0) {
		lanes_h = 3 * LINE_H; /* "nothing to draw" */
	}
	c->lanes_end = c->lanes_y + lanes_h;
	c->axis_y = c->lanes_end;
	c->strip_y = c->axis_y + 34 + 14;
	c->warnings_y = c->strip_y + STRIP_H + 30 + 26; /* and the span */
	c->h = c->warnings_y + LINE_H * (1 + c->n_warning_lines) + MARGIN -
	       LINE_H / 2;

	/* One colour per lane with bars, in lane order. */
	{
		size_t next = 0;
		bool *has = calloc(tl->n_lanes + 1, sizeof(*has));

		if (!has) {
			return -ENOMEM;
		}
		for (size_t b = 0; b < tl->n_bars; b++) {
			if (tl->bars[b].lane < tl->n_lanes) {
				has[tl->bars[b].lane] = true;
			}
		}
		for (size_t l = 0; l < tl->n_lanes; l++) {
			if (has[l]) {
				c->bar_color[l] = next++;
			}
		}
		free(has);
	}
	for (i = 0; i < tl->n_marks; i++) {
		const struct cotrace_mark *mk = &tl->marks[i];

		if (mk->thread < c->model->n_threads &&
				mk->access < c->model->threads[mk->thread]
								.n_tls &&
				c->model->threads[mk->thread]
						.tls[mk->access]
						.is_read) {
			c->any_reads = true;
		}
	}
	return 0;
}

/* ---- drawing ---- */

static void
draw_header(struct canvas *c)
{
	const struct cotrace_model *m = c->model;
	double y = MARGIN + TITLE_SIZE;
	double max_w = c->w - 2 * MARGIN;
	char info[512], where[320] = "";

	draw_text(c, MARGIN, y, TITLE_SIZE, true, COLOR_TEXT, ALIGN_LEFT, max_w,
			c->title);
	for (size_t i = 0; i < VERDICT_LINES && c->verdict[i]; i++) {
		y += (i ? 6 : 12) + SUBTITLE_SIZE;
		draw_text(c, MARGIN, y, SUBTITLE_SIZE, false, COLOR_TEXT,
				ALIGN_LEFT, max_w, c->verdict[i]);
	}
	y += 10 + SMALL_SIZE;
	if (m->n_paths > 1 || c->tl->n_groups > 1) {
		/* Several traces, maybe of several hosts: count them. */
		snprintf(where, sizeof(where), " \xc2\xb7 %zu trace%s",
				m->n_paths, m->n_paths == 1 ? "" : "s");
		if (c->tl->n_groups > 1) {
			size_t len = strlen(where);

			snprintf(where + len, sizeof(where) - len,
					" of %zu hosts", c->tl->n_groups);
		}
	} else if (m->n_paths == 1) {
		snprintf(where, sizeof(where), " \xc2\xb7 trace %s",
				m->paths[0]);
	}
	snprintf(info, sizeof(info),
			"%zu process%s \xc2\xb7 %zu thread%s \xc2\xb7 %zu "
			"fork%s \xc2\xb7 %zu task%s \xc2\xb7 %" PRIu64
			" events, %" PRIu64 " lost%s",
			m->n_processes, m->n_processes == 1 ? "" : "es",
			m->n_threads, m->n_threads == 1 ? "" : "s", m->n_forks,
			m->n_forks == 1 ? "" : "s", m->n_tasks,
			m->n_tasks == 1 ? "" : "s", m->events, m->lost_events,
			where);
	draw_text(c, MARGIN, y, SMALL_SIZE, false, COLOR_MUTED, ALIGN_LEFT,
			max_w, info);
}

/* A legend item's sample, centred on (x + 14, y). */
enum sample {
	SAMPLE_PROCESS,
	SAMPLE_THREAD,
	SAMPLE_TASK,
	SAMPLE_UNKNOWN_END,
	SAMPLE_FORK,
	SAMPLE_TLS_WRITE,
	SAMPLE_TLS_READ,
	SAMPLE_LOST,
	SAMPLE_RUNNING,
};

static void draw_arrow_path(cairo_t *cr, double x0, double y0, double x1,
		double y1, bool dashed);
static void draw_diamond(cairo_t *cr, double x, double y, bool filled);

static void
draw_sample(struct canvas *c, enum sample s, double x, double y)
{
	cairo_t *cr = c->cr;

	switch (s) {
	case SAMPLE_PROCESS:
		set_color(cr, COLOR_PROCESS);
		cairo_rectangle(cr, x, y - 5, 28, 10);
		cairo_fill(cr);
		break;
	case SAMPLE_THREAD:
		set_color(cr, COLOR_THREAD);
		cairo_rectangle(cr, x, y - 1.5, 28, 3);
		cairo_fill(cr);
		break;
	case SAMPLE_TASK:
		set_tint(cr, bar_palette[0], 0.72);
		cairo_rectangle(cr, x, y - 9, 28, 18);
		cairo_fill(cr);
		set_color(cr, bar_palette[0]);
		cairo_rectangle(cr, x, y, 28, 9);
		cairo_fill(cr);
		cairo_set_line_width(cr, 1);
		cairo_rectangle(cr, x + 0.5, y - 8.5, 27, 17);
		cairo_stroke(cr);
		break;
	case SAMPLE_UNKNOWN_END: {
		const double dash[] = {4, 3};

		set_color(cr, COLOR_PROCESS);
		cairo_rectangle(cr, x, y - 5, 12, 10);
		cairo_fill(cr);
		cairo_set_line_width(cr, 3);
		cairo_set_dash(cr, dash, 2, 0);
		cairo_move_to(cr, x + 12, y);
		cairo_line_to(cr, x + 28, y);
		cairo_stroke(cr);
		cairo_set_dash(cr, NULL, 0, 0);
		break;
	}
	case SAMPLE_FORK:
		draw_arrow_path(cr, x, y - 9, x + 28, y + 9, false);
		break;
	case SAMPLE_TLS_WRITE:
	case SAMPLE_TLS_READ:
		draw_diamond(cr, x + 14, y, s == SAMPLE_TLS_WRITE);
		break;
	case SAMPLE_LOST:
		set_color_alpha(cr, COLOR_LOST, 0.22);
		cairo_rectangle(cr, x, y - 9, 28, 18);
		cairo_fill(cr);
		break;
	case SAMPLE_RUNNING:
		set_color_alpha(cr, COLOR_STRIP, 0.55);
		cairo_move_to(cr, x, y + 9);
		cairo_line_to(cr, x, y + 1);
		cairo_line_to(cr, x + 10, y + 1);
		cairo_line_to(cr, x + 10, y - 9);
		cairo_line_to(cr, x + 20, y - 9);
		cairo_line_to(cr, x + 20, y + 1);
		cairo_line_to(cr, x + 28, y + 1);
		cairo_line_to(cr, x + 28, y + 9);
		cairo_close_path(cr);
		cairo_fill(cr);
		break;
	}
}

static void
draw_legend(struct canvas *c)
{
	const struct cotrace_metrics *mt = c->metrics;
	char running[64];
	struct item {
		enum sample sample;
		const char *text;
	} items[9];
	size_t n = 0;
	double x = MARGIN, y = c->legend_y;

	snprintf(running, sizeof(running), "%s running at once",
			cotrace_unit_name(mt ? mt->unit : COTRACE_UNIT_PROCESS,
					2));
	items[n++] = (struct item){SAMPLE_PROCESS, "process alive"};
	items[n++] = (struct item){SAMPLE_THREAD, "thread alive"};
	items[n++] = (struct item){SAMPLE_TASK,
			"task: wall time, solid part = share on a CPU"};
	items[n++] = (struct item){
			SAMPLE_UNKNOWN_END, "start or end not recorded"};
	items[n++] = (struct item){SAMPLE_FORK, "fork: parent \xe2\x86\x92 "
						"child's start"};
	items[n++] = (struct item){SAMPLE_TLS_WRITE, "TLS write"};
	if (c->any_reads) {
		items[n++] = (struct item){SAMPLE_TLS_READ, "TLS read"};
	}
	items[n++] = (struct item){SAMPLE_LOST, "events lost"};
	items[n++] = (struct item){SAMPLE_RUNNING, running};
	for (size_t i = 0; i < n; i++) {
		double w;

		set_font(c->cr, SMALL_SIZE, false);
		w = 28 + 8 + text_width(c->cr, items[i].text);
		if (x + w > c->w - MARGIN) {
			break; /* a very narrow picture: the rest left out */
		}
		draw_sample(c, items[i].sample, x, y);
		draw_text(c, x + 36, y + SMALL_SIZE * 0.35, SMALL_SIZE, false,
				COLOR_TEXT, ALIGN_LEFT, 0, items[i].text);
		x += w + 26;
	}
}

/* "host NAME (N processes)" in the title row above lane i. */
static void
draw_host_title(struct canvas *c, size_t lane)
{
	const struct cotrace_timeline *tl = c->tl;
	char buf[320];

	for (size_t g = 0; g < tl->n_groups; g++) {
		const struct cotrace_lane_group *gr = &tl->groups[g];

		if (gr->first_lane != lane) {
			continue;
		}
		snprintf(buf, sizeof(buf), "host %.256s (%zu process%s)",
				gr->host && *gr->host ? gr->host
						      : "unknown host",
				gr->n_processes,
				gr->n_processes == 1 ? "" : "es");
		draw_text(c, MARGIN - 4, c->lane_top[lane] + c->lane_head[lane] - 8,
				TEXT_SIZE, true, COLOR_TEXT, ALIGN_LEFT,
				c->w - 2 * MARGIN, buf);
	}
}

/* Alternating bands per process (its lane and its threads'), separators. */
static void
draw_lane_backgrounds(struct canvas *c)
{
	const struct cotrace_timeline *tl = c->tl;
	cairo_t *cr = c->cr;
	size_t group = 0;

	for (size_t i = 0; i < c->lanes_shown; i++) {
		if (i > 0 && tl->lanes[i].kind == COTRACE_LANE_PROCESS) {
			group++;
		}
		if (group % 2 == 1) {
			set_color(cr, COLOR_BAND);
			cairo_rectangle(cr, MARGIN - 8,
					c->lane_top[i] + c->lane_head[i],
					c->w - 2 * MARGIN + 16,
					c->lane_top[i + 1] - c->lane_top[i] -
							c->lane_head[i]);
			cairo_fill(cr);
		}
		if (c->lane_head[i] > 0) {
			draw_host_title(c, i);
		}
	}
	set_color(cr, COLOR_GRID);
	cairo_set_line_width(cr, 1);
	for (size_t i = 0; i <= c->lanes_shown && tl->n_lanes; i++) {
		double y = round(c->lane_top[i]) + 0.5;

		if (i > 0 && i < c->lanes_shown &&
				tl->lanes[i].kind != COTRACE_LANE_PROCESS) {
			continue;
		}
		cairo_move_to(cr, MARGIN - 8, y);
		cairo_line_to(cr, c->w - MARGIN + 8, y);
		cairo_stroke(cr);
	}
}

/* A "nice" tick step (1, 2 or 5 times a power of ten ns) of >= min_ns. */
static int64_t
tick_step(double min_ns)
{
	int64_t p = 1;

	while (p < INT64_MAX / 10) {
		if (p >= min_ns) {
			return p;
		}
		if (2 * p >= min_ns) {
			return 2 * p;
		}
		if (5 * p >= min_ns) {
			return 5 * p;
		}
		p *= 10;
	}
	return p;
}

static void
format_tick(char *buf, size_t size, int64_t ns, int64_t step)
{
	static const struct {
		int64_t unit;
		const char *name;
	} units[] = {
			{1000000000, "s"},
			{1000000, "ms"},
			{1000, "\xc2\xb5s"},
			{1, "ns"},
	};
	size_t u = 0;
	int decimals = 0;
	int64_t rest;

	if (ns == 0) {
		snprintf(buf, size, "0");
		return;
	}
	/* The value's own unit, with as many decimals as the step needs. */
	while (u < 3 && ns < units[u].unit) {
		u++;
	}
	for (rest = step % units[u].unit; rest && decimals < 9;
			rest = (rest * 10) % units[u].unit) {
		decimals++;
	}
	snprintf(buf, size, "%.*f %s", decimals,
			(double)ns / (double)units[u].unit, units[u].name);
}

static void
draw_axis(struct canvas *c)
{
	cairo_t *cr = c->cr;
	double span = ns_between(c->t0, c->t1);
	double px = c->plot_x1 - c->plot_x0;
	int64_t step = tick_step(span * 110 / px);
	double top = c->lanes_y, bottom = c->strip_y + STRIP_H;
	double y = c->axis_y + 8;
	char buf[48];

	/* Grid lines from the lanes down through the strip. */
	cairo_set_line_width(cr, 1);
	for (int64_t k = 0; k <= (int64_t)(span / (double)step) && k < 1000;
			k++) {
		int64_t ts, off;
		double x;

		if (__builtin_mul_overflow(k, step, &off) ||
				__builtin_add_overflow(c->t0, off, &ts)) {
			break;
		}
		x = round(x_of(c, ts)) + 0.5;
		set_color_alpha(cr, COLOR_GRID, 0.9);
		cairo_move_to(cr, x, top);
		cairo_line_to(cr, x, bottom);
		cairo_stroke(cr);
		set_color(cr, COLOR_MUTED);
		cairo_move_to(cr, x, y - 8);
		cairo_line_to(cr, x, y - 2);
		cairo_stroke(cr);
		format_tick(buf, sizeof(buf), off, step);
		draw_text(c, x, y + SMALL_SIZE + 2, SMALL_SIZE, false,
				COLOR_TEXT, ALIGN_CENTER, 0, buf);
	}
	set_color(cr, COLOR_MUTED);
	cairo_move_to(cr, c->plot_x0, round(y - 8) + 0.5);
	cairo_line_to(cr, c->plot_x1, round(y - 8) + 0.5);
	cairo_stroke(cr);
	draw_text(c, c->plot_x0 - 14, y + SMALL_SIZE + 2, SMALL_SIZE, false,
			COLOR_MUTED, ALIGN_RIGHT, c->label_w,
			"time since the first event");
}

static void
draw_lost(struct canvas *c)
{
	const struct cotrace_model *m = c->model;
	cairo_t *cr = c->cr;
	double top = c->lanes_y, bottom = c->strip_y + STRIP_H;

	for (size_t i = 0; i < m->n_lost; i++) {
		const struct cotrace_lost *l = &m->lost[i];
		double x0, x1;
		char buf[64];

		if (l->begin_ns == COTRACE_TS_NONE ||
				l->end_ns == COTRACE_TS_NONE) {
			continue; /* nowhere to put it: the warnings say it */
		}
		x0 = x_of(c, l->begin_ns);
		x1 = x_of(c, l->end_ns);
		if (x1 < x0 + 3) {
			x0 -= 1.5;
			x1 = x0 + 3;
		}
		set_color_alpha(cr, COLOR_LOST, 0.18);
		cairo_rectangle(cr, x0, top, x1 - x0, bottom - top);
		cairo_fill(cr);
		if (l->count) {
			snprintf(buf, sizeof(buf), "%" PRIu64 " events lost",
					l->count);
		} else {
			snprintf(buf, sizeof(buf), "events lost");
		}
		draw_text(c, x0 + 3, top - 4, SMALL_SIZE, false, COLOR_LOST,
				ALIGN_LEFT, fmax(x1 - x0, 140), buf);
	}
}

/* A dashed stub where a life goes on beyond what the trace shows. */
static void
draw_open_end(cairo_t *cr, double x, double y, double dx, double width)
{
	const double dash[] = {4, 3};

	cairo_set_line_width(cr, width);
	cairo_set_dash(cr, dash, 2, 0);
	cairo_move_to(cr, x, y);
	cairo_line_to(cr, x + dx, y);
	cairo_stroke(cr);
	cairo_set_dash(cr, NULL, 0, 0);
}

static void
draw_lifetimes(struct canvas *c)
{
	const struct cotrace_timeline *tl = c->tl;
	cairo_t *cr = c->cr;

	for (size_t i = 0; i < c->lanes_shown; i++) {
		const struct cotrace_lane *lane = &tl->lanes[i];
		bool process = lane->kind == COTRACE_LANE_PROCESS;
		double y = lane_mid(c, i);
		double h = process ? 10 : 3;
		double x0 = x_of(c, lane->start_ns), x1 = x_of(c, lane->end_ns);
		bool open_start = lane->completeness == COTRACE_FINISHED_ONLY ||
				  lane->completeness == COTRACE_SEEN_ONLY;
		bool open_end = lane->completeness == COTRACE_STARTED_ONLY ||
				lane->completeness == COTRACE_SEEN_ONLY;

		if (x1 < x0 + 2) {
			x1 = x0 + 2; /* too short to see: still there */
		}
		set_color(cr, process ? COLOR_PROCESS : COLOR_THREAD);
		cairo_rectangle(cr, x0, y - h / 2, x1 - x0, h);
		cairo_fill(cr);
		if (open_end) {
			set_color(cr, process ? COLOR_PROCESS : COLOR_THREAD);
			draw_open_end(cr, x1, y, fmin(30, c->w - MARGIN - x1),
					h);
		}
		if (open_start) {
			set_color(cr, process ? COLOR_PROCESS : COLOR_THREAD);
			draw_open_end(cr, x0, y,
					-fmin(30, x0 - c->plot_x0 + 10), h);
		}
	}
}

static void
draw_bars(struct canvas *c)
{
	const struct cotrace_model *m = c->model;
	const struct cotrace_timeline *tl = c->tl;
	cairo_t *cr = c->cr;

	for (size_t i = 0; i < tl->n_bars; i++) {
		const struct cotrace_bar *b = &tl->bars[i];
		const struct cotrace_task *task = NULL;
		unsigned int color;
		double x0, x1, y, wall, frac = -1;
		char wall_s[32], text[160];

		if (b->lane >= c->lanes_shown) {
			continue;
		}
		if (b->task < m->n_tasks) {
			task = &m->tasks[b->task];
		}
		color = bar_palette[c->bar_color[b->lane] %
				    (sizeof(bar_palette) /
						    sizeof(bar_palette[0]))];
		x0 = x_of(c, b->start_ns);
		x1 = fmax(x_of(c, b->end_ns), x0 + 2);
		y = lane_mid(c, b->lane) - BAR_H / 2;
		wall = ns_between(b->start_ns, b->end_ns);
		if (task && b->finished && task->cpu_ns != COTRACE_CPU_NONE &&
				wall > 0) {
			frac = fmin((double)task->cpu_ns / wall, 1.0);
		}
		set_tint(cr, color, 0.72);
		cairo_rectangle(cr, x0, y, x1 - x0, BAR_H);
		cairo_fill(cr);
		if (frac > 0) {
			set_color(cr, color);
			cairo_rectangle(cr, x0, y + BAR_H * (1 - frac), x1 - x0,
					BAR_H * frac);
			cairo_fill(cr);
		}
		set_color(cr, color);
		cairo_set_line_width(cr, 1);
		if (!b->finished) {
			const double dash[] = {5, 3};

			cairo_set_dash(cr, dash, 2, 0);
		}
		cairo_rectangle(cr, x0 + 0.5, y + 0.5, x1 - x0 - 1, BAR_H - 1);
		cairo_stroke(cr);
		cairo_set_dash(cr, NULL, 0, 0);

		cotrace_format_duration(wall_s, sizeof(wall_s), (int64_t)wall);
		if (frac >= 0) {
			snprintf(text, sizeof(text), "%s  %s, CPU %.0f %%",
					task && task->label ? task->label
							    : "task",
					wall_s, 100 * frac);
		} else {
			snprintf(text, sizeof(text), "%s  %s%s",
					task && task->label ? task->label
							    : "task",
					b->finished ? wall_s : "unfinished",
					b->finished ? ", CPU ?" : "");
		}
		if (x1 - x0 > 40) {
			draw_text_halo(c, x0 + 6,
					y + BAR_H / 2 + SMALL_SIZE * 0.36,
					SMALL_SIZE, COLOR_TEXT, x1 - x0 - 12,
					text);
		}
	}
}

static void
draw_diamond(cairo_t *cr, double x, double y, bool filled)
{
	cairo_move_to(cr, x, y - 7);
	cairo_line_to(cr, x + 7, y);
	cairo_line_to(cr, x, y + 7);
	cairo_line_to(cr, x - 7, y);
	cairo_close_path(cr);
	if (filled) {
		set_color(cr, COLOR_TLS);
		cairo_fill_preserve(cr);
		cairo_set_source_rgb(cr, 1, 1, 1);
	} else {
		cairo_set_source_rgb(cr, 1, 1, 1);
		cairo_fill_preserve(cr);
		set_color(cr, COLOR_TLS);
	}
	cairo_set_line_width(cr, 1.5);
	cairo_stroke(cr);
}

static const struct cotrace_tls_access *
mark_access(const struct canvas *c, const struct cotrace_mark *mk)
{
	const struct cotrace_model *m = c->model;

	if (mk->thread < m->n_threads &&
			mk->access < m->threads[mk->thread].n_tls) {
		return &m->threads[mk->thread].tls[mk->access];
	}
	return NULL;
}

static void
draw_marks(struct canvas *c)
{
	const struct cotrace_timeline *tl = c->tl;
	double last_end = -1;
	size_t last_lane = SIZE_MAX;

	for (size_t i = 0; i < tl->n_marks; i++) {
		const struct cotrace_mark *mk = &tl->marks[i];
		const struct cotrace_tls_access *a = mark_access(c, mk);

		if (mk->lane < c->lanes_shown) {
			draw_diamond(c->cr, x_of(c, mk->ts_ns),
					lane_mid(c, mk->lane),
					!a || !a->is_read);
		}
	}
	/*
	 * Each write's key, value and slot address, after the diamonds that
	 * follow it closely on its lane (its read-backs), when that leaves
	 * room.
	 */
	for (size_t i = 0; i < tl->n_marks; i++) {
		const struct cotrace_mark *mk = &tl->marks[i];
		const struct cotrace_tls_access *a = mark_access(c, mk);
		char text[160], *safe;
		double lx, tw, y;

		if (mk->lane >= c->lanes_shown || !a || a->is_read) {
			continue;
		}
		if (mk->lane != last_lane) {
			last_end = -1;
			last_lane = mk->lane;
		}
		snprintf(text, sizeof(text), "%s=%s @0x%" PRIx64,
				a->key ? a->key : "?",
				a->value ? a->value : "?", a->addr);
		safe = safe_text(text);
		if (!safe) {
			c->status = -ENOMEM;
			return;
		}
		set_font(c->cr, SMALL_SIZE, false);
		tw = text_width(c->cr, safe);
		free(safe);
		lx = x_of(c, mk->ts_ns) + 10;
		for (size_t j = i + 1; j < tl->n_marks &&
				       tl->marks[j].lane == mk->lane;
				j++) {
			double xj = x_of(c, tl->marks[j].ts_ns);

			if (xj - 8 > lx + tw) {
				break;
			}
			lx = fmax(lx, xj + 10);
		}
		/* No room on the right: before the diamond, if free. */
		if (lx + tw > c->w - MARGIN) {
			double left = x_of(c, mk->ts_ns) - 10 - tw;

			if (left >= fmax(last_end, c->plot_x0)) {
				lx = left;
			}
		}
		if (lx < last_end || lx > c->plot_x1 - 40) {
			continue;
		}
		y = lane_mid(c, mk->lane);
		draw_text_halo(c, lx, y + SMALL_SIZE * 0.36, SMALL_SIZE,
				COLOR_TLS, c->w - MARGIN - lx, text);
		last_end = lx + tw + 8;
	}
}

/* A fork arrow: one stroked path, the shaft and an open head. */
static void
draw_arrow_path(cairo_t *cr, double x0, double y0, double x1, double y1,
		bool dashed)
{
	double dx = x1 - x0, dy = y1 - y0, len = hypot(dx, dy);
	double ux, uy, head = 8;

	if (len < 1) {
		dx = 0;
		dy = 1;
		len = 1;
	}
	ux = dx / len;
	uy = dy / len;
	set_color(cr, COLOR_FORK);
	cairo_set_line_width(cr, 1.8);
	cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
	cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
	if (dashed) {
		const double dash[] = {4, 3};

		cairo_set_dash(cr, dash, 2, 0);
	}
	cairo_move_to(cr, x0, y0);
	cairo_line_to(cr, x1, y1);
	/* The head: two barbs at +-28 degrees. */
	cairo_move_to(cr, x1 - head * (ux * 0.883 - uy * 0.469),
			y1 - head * (uy * 0.883 + ux * 0.469));
	cairo_line_to(cr, x1, y1);
	cairo_line_to(cr, x1 - head * (ux * 0.883 + uy * 0.469),
			y1 - head * (uy * 0.883 - ux * 0.469));
	cairo_stroke(cr);
	cairo_set_dash(cr, NULL, 0, 0);
	cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
	cairo_set_line_join(cr, CAIRO_LINE_JOIN_MITER);
}

static void
draw_arrows(struct canvas *c)
{
	const struct cotrace_model *m = c->model;
	const struct cotrace_timeline *tl = c->tl;

	for (size_t i = 0; i < tl->n_arrows; i++) {
		const struct cotrace_arrow *a = &tl->arrows[i];
		double x0 = x_of(c, a->ts_ns), y0, x1, y1;

		if (a->from_lane >= tl->n_lanes) {
			continue;
		}
		y0 = lane_mid(c, a->from_lane);
		if (a->to_lane < tl->n_lanes) {
			x1 = x_of(c, tl->lanes[a->to_lane].start_ns);
			y1 = lane_mid(c, a->to_lane) - 6;
			if (y1 < y0) {
				y1 += 12; /* a child drawn above: arrive from
					     below */
			}
			draw_arrow_path(c->cr, x0, y0 + (y1 > y0 ? 5 : -5), x1,
					y1, false);
		} else {
			char text[64];

			/* The child never appeared: a dashed stub and its pid.
			 */
			x1 = x0 + 14;
			y1 = y0 + 14;
			draw_arrow_path(c->cr, x0, y0 + 5, x1, y1, true);
			snprintf(text, sizeof(text),
					"fork \xe2\x86\x92 pid %" PRId64
					" never seen",
					a->fork < m->n_forks
							? m->forks[a->fork]
									  .child_pid
							: (int64_t)-1);
			draw_text_halo(c, x1 + 4, y1 + 4, SMALL_SIZE,
					COLOR_FORK, 260, text);
		}
	}
}

static void
draw_labels(struct canvas *c)
{
	const struct cotrace_timeline *tl = c->tl;
	double right = MARGIN + c->label_w;

	for (size_t i = 0; i < c->lanes_shown; i++) {
		const struct cotrace_lane *lane = &tl->lanes[i];
		bool process = lane->kind == COTRACE_LANE_PROCESS;
		double x = MARGIN + lane_indent(lane), y = lane_mid(c, i);
		const char *word =
				cotrace_completeness_name(lane->completeness);
		bool complete = lane->completeness == COTRACE_COMPLETE;
		double tag_w;

		/* The fork tree: an elbow from the parent's label. */
		if (lane->parent_lane < c->lanes_shown &&
				lane->depth + !process > 0) {
			double px = x - INDENT + 5;
			double py = c->lane_top[lane->parent_lane + 1] - 4;

			set_color(c->cr, COLOR_GRID);
			cairo_set_line_width(c->cr, 1.2);
			cairo_move_to(c->cr, px, fmin(py, y - 2));
			cairo_line_to(c->cr, px, y - 2);
			cairo_line_to(c->cr, x - 4, y - 2);
			cairo_stroke(c->cr);
		}
		/* The completeness at the column's right, the label before it.
		 */
		tag_w = draw_text(c, right, y + 5, SMALL_SIZE - 1, false,
				complete ? COLOR_MUTED : COLOR_INCOMPLETE,
				ALIGN_RIGHT, right - x, word);
		draw_text(c, x, y + 5, TEXT_SIZE, process, COLOR_TEXT,
				ALIGN_LEFT, right - x - tag_w - 10,
				lane_label(lane));
	}
	if (c->lanes_shown < tl->n_lanes) {
		char buf[128];

		snprintf(buf, sizeof(buf),
				"\xe2\x80\xa6 %zu more lanes not drawn "
				"(cotrace report lists every process and "
				"thread)",
				tl->n_lanes - c->lanes_shown);
		draw_text(c, MARGIN, c->lane_top[c->lanes_shown] + LINE_H - 5,
				TEXT_SIZE, false, COLOR_MUTED, ALIGN_LEFT,
				c->w - 2 * MARGIN, buf);
	}
	if (tl->n_lanes == 0) {
		draw_text(c, c->plot_x0, c->lanes_y + 2 * LINE_H, TEXT_SIZE,
				false, COLOR_MUTED, ALIGN_LEFT, 0,
				"Nothing to draw: the trace holds no process.");
	}
}

static void
draw_strip(struct canvas *c)
{
	const struct cotrace_timeline *tl = c->tl;
	const struct cotrace_metrics *mt = c->metrics;
	cairo_t *cr = c->cr;
	double base = c->strip_y + STRIP_H, top = c->strip_y + 6;
	size_t max = 1;
	char buf[64];

	for (size_t i = 0; i < tl->n_steps; i++) {
		if (tl->steps[i].running > max) {
			max = tl->steps[i].running;
		}
	}
	/* The levels 1..max, when few enough to read. */
	if (max <= 16) {
		for (size_t k = 1; k <= max; k++) {
			double y = round(base - (base - top) * (double)k /
								   (double)max) +
				   0.5;

			set_color_alpha(cr, COLOR_GRID, 0.9);
			cairo_set_line_width(cr, 1);
			cairo_move_to(cr, c->plot_x0, y);
			cairo_line_to(cr, c->plot_x1, y);
			cairo_stroke(cr);
			snprintf(buf, sizeof(buf), "%zu", k);
			draw_text(c, c->plot_x0 - 6, y + 4, SMALL_SIZE - 2,
					false, COLOR_MUTED, ALIGN_RIGHT, 0,
					buf);
		}
	}
	/* The step function as one filled area. */
	if (tl->n_steps > 0) {
		cairo_move_to(cr, x_of(c, tl->steps[0].ts_ns), base);
		for (size_t i = 0; i < tl->n_steps; i++) {
			double x = x_of(c, tl->steps[i].ts_ns);
			double y = base -
				   (base - top) * (double)tl->steps[i].running /
						   (double)max;
			double xn = i + 1 < tl->n_steps
						    ? x_of(c, tl->steps[i + 1].ts_ns)
						    : x;

			cairo_line_to(cr, x, y);
			cairo_line_to(cr, xn, y);
		}
		cairo_line_to(cr, x_of(c, tl->steps[tl->n_steps - 1].ts_ns),
				base);
		cairo_close_path(cr);
		set_color_alpha(cr, COLOR_STRIP, 0.55);
		cairo_fill_preserve(cr);
		set_color(cr, COLOR_STRIP);
		cairo_set_line_width(cr, 1.2);
		cairo_stroke(cr);
	}
	set_color(cr, COLOR_MUTED);
	cairo_set_line_width(cr, 1);
	cairo_move_to(cr, c->plot_x0, round(base) + 0.5);
	cairo_line_to(cr, c->plot_x1, round(base) + 0.5);
	cairo_stroke(cr);
	/* The count inside each wide enough stretch. */
	for (size_t i = 0; i + 1 < tl->n_steps; i++) {
		double x0 = x_of(c, tl->steps[i].ts_ns);
		double x1 = x_of(c, tl->steps[i + 1].ts_ns);
		double y = base - (base - top) * (double)tl->steps[i].running /
						  (double)max;

		if (x1 - x0 < 40 || tl->steps[i].running == 0) {
			continue;
		}
		snprintf(buf, sizeof(buf), "%zu", tl->steps[i].running);
		draw_text(c, (x0 + x1) / 2, fmin(y + SMALL_SIZE + 3, base - 3),
				SMALL_SIZE, true, COLOR_TEXT, ALIGN_CENTER, 0,
				buf);
	}
	/* The span the headline measures: first unit start to last finish. */
	if (mt && mt->units > 0 && mt->start_ns != COTRACE_TS_NONE &&
			mt->end_ns != COTRACE_TS_NONE) {
		double x0 = x_of(c, mt->start_ns), x1 = x_of(c, mt->end_ns);
		double y = base + 18, w;
		char dur[32];

		set_color(cr, COLOR_TEXT);
		cairo_set_line_width(cr, 1.2);
		cairo_move_to(cr, x0, y - 5);
		cairo_line_to(cr, x0, y + 5);
		cairo_move_to(cr, x0, y);
		cairo_line_to(cr, x1, y);
		cairo_move_to(cr, x1, y - 5);
		cairo_line_to(cr, x1, y + 5);
		cairo_stroke(cr);
		snprintf(buf, sizeof(buf), "span %s",
				cotrace_format_duration(
						dur, sizeof(dur), mt->span_ns));
		set_font(cr, SMALL_SIZE, false);
		w = text_width(cr, buf);
		cairo_set_source_rgb(cr, 1, 1, 1);
		cairo_rectangle(cr, (x0 + x1) / 2 - w / 2 - 6, y - 8, w + 12,
				16);
		cairo_fill(cr);
		draw_text(c, (x0 + x1) / 2, y + 5, SMALL_SIZE, false,
				COLOR_TEXT, ALIGN_CENTER, 0, buf);
	}
	snprintf(buf, sizeof(buf), "%s running",
			cotrace_unit_name(mt ? mt->unit : COTRACE_UNIT_PROCESS,
					2));
	draw_text(c, MARGIN, c->strip_y + STRIP_H / 2, TEXT_SIZE, true,
			COLOR_TEXT, ALIGN_LEFT, c->label_w - 20, buf);
	snprintf(buf, sizeof(buf), "at most %zu at once",
			mt ? mt->max_concurrency : max);
	draw_text(c, MARGIN, c->strip_y + STRIP_H / 2 + LINE_H, SMALL_SIZE,
			false, COLOR_MUTED, ALIGN_LEFT, c->label_w - 20, buf);
}

static void
draw_warnings(struct canvas *c)
{
	const struct cotrace_model *m = c->model;
	double y = c->warnings_y, max_w = c->w - 2 * MARGIN;
	char buf[160];

	if (m->n_warnings == 0) {
		draw_text(c, MARGIN, y, TEXT_SIZE, true, COLOR_TEXT, ALIGN_LEFT,
				max_w, "Warnings: none");
		return;
	}
	snprintf(buf, sizeof(buf), "Warnings (%zu)", m->n_warnings);
	draw_text(c, MARGIN, y, TEXT_SIZE, true, COLOR_WARNING, ALIGN_LEFT,
			max_w, buf);
	for (size_t i = 0; i < m->n_warnings && i < MAX_WARNINGS_SHOWN; i++) {
		const struct cotrace_warning *w = &m->warnings[i];
		double kw;

		y += LINE_H;
		snprintf(buf, sizeof(buf), "[%s]",
				cotrace_warning_kind_name(w->kind));
		kw = draw_text(c, MARGIN + 12, y, SMALL_SIZE, true,
				COLOR_WARNING, ALIGN_LEFT, 0, buf);
		for (size_t k = 0; k < WARNING_LINES && c->warning[i][k]; k++) {
			if (k > 0) {
				y += LINE_H;
			}
			draw_text(c, MARGIN + 20 + kw, y, SMALL_SIZE, false,
					COLOR_TEXT, ALIGN_LEFT, max_w - 20 - kw,
					c->warning[i][k]);
		}
	}
	if (m->n_warnings > MAX_WARNINGS_SHOWN) {
		snprintf(buf, sizeof(buf),
				"\xe2\x80\xa6 and %zu more: cotrace report "
				"lists them all",
				m->n_warnings - MAX_WARNINGS_SHOWN);
		draw_text(c, MARGIN + 12, y + LINE_H, SMALL_SIZE, false,
				COLOR_MUTED, ALIGN_LEFT, max_w, buf);
	}
}

static void
draw(struct canvas *c)
{
	cairo_t *cr = c->cr;

	cairo_scale(cr, c->scale, c->scale);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);

	draw_header(c);
	draw_legend(c);
	draw_lane_backgrounds(c);
	if (c->tl->n_lanes > 0 || c->tl->n_steps > 0) {
		draw_axis(c);
	}
	draw_lost(c);
	draw_lifetimes(c);
	draw_bars(c);
	draw_marks(c);
	draw_labels(c);
	draw_arrows(c);
	draw_strip(c);
	draw_warnings(c);
}

/* ---- surfaces and output ---- */

static int
cairo_errno(cairo_status_t s)
{
	switch (s) {
	case CAIRO_STATUS_SUCCESS:
		return 0;
	case CAIRO_STATUS_NO_MEMORY:
		return -ENOMEM;
	case CAIRO_STATUS_INVALID_SIZE:
		return -EINVAL;
	default:
		return -EIO;
	}
}

struct file_sink {
	FILE *out; /* borrowed */
	int error; /* errno of the first failed write */
};

static cairo_status_t
write_file(void *closure, const unsigned char *data, unsigned int length)
{
	struct file_sink *sink = closure;

	if (length && fwrite(data, 1, length, sink->out) != length) {
		if (!sink->error) {
			sink->error = errno ? errno : EIO;
		}
		return CAIRO_STATUS_WRITE_ERROR;
	}
	return CAIRO_STATUS_SUCCESS;
}

static cairo_status_t
write_buffer(void *closure, const unsigned char *data, unsigned int length)
{
	struct buffer *b = closure;

	if (b->failed) {
		return CAIRO_STATUS_WRITE_ERROR;
	}
	if (b->len + length + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;
		char *n;

		while (cap < b->len + length + 1) {
			cap *= 2;
		}
		n = realloc(b->data, cap);
		if (!n) {
			b->failed = true;
			return CAIRO_STATUS_NO_MEMORY;
		}
		b->data = n;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, length);
	b->len += length;
	b->data[b->len] = '\0';
	return CAIRO_STATUS_SUCCESS;
}

static void
put_xml(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		default:
			fputc(*s, out);
		}
	}
}

/*
 * Writes cairo's SVG with a <title> after the <svg> start tag and the text
 * layer before </svg>.
 */
static int
write_svg(FILE *out, const struct buffer *b, const struct canvas *c)
{
	const char *open = b->data ? strstr(b->data, "<svg") : NULL;
	const char *open_end = open ? strchr(open, '>') : NULL;
	const char *close = NULL;
	char *title;

	for (const char *p = open_end; p && (p = strstr(p, "</svg>")); p++) {
		close = p;
	}
	if (!open_end || !close) {
		return -EIO; /* not what cairo writes */
	}
	title = safe_text(c->title);
	if (!title) {
		return -ENOMEM;
	}
	fwrite(b->data, 1, (size_t)(open_end + 1 - b->data), out);
	fputs("\n<title>", out);
	put_xml(out, title);
	fputs("</title>\n", out);
	free(title);
	fwrite(open_end + 1, 1, (size_t)(close - open_end - 1), out);
	fputs("<g id=\"cotrace-text\" fill-opacity=\"0\" "
	      "font-family=\"DejaVu Sans, sans-serif\">\n",
			out);
	for (size_t i = 0; i < c->n_texts; i++) {
		const struct text_item *t = &c->texts[i];

		fprintf(out,
				"<text x=\"%.1f\" y=\"%.1f\" "
				"font-size=\"%.1f\"%s>",
				t->x, t->y, t->size,
				t->bold ? " font-weight=\"bold\"" : "");
		put_xml(out, t->text);
		fputs("</text>\n", out);
	}
	fputs("</g>\n", out);
	fputs(close, out);
	return 0;
}

static void
canvas_release(struct canvas *c)
{
	for (size_t i = 0; i < c->n_texts; i++) {
		free(c->texts[i].text);
	}
	free(c->texts);
	for (size_t i = 0; i < VERDICT_LINES; i++) {
		free(c->verdict[i]);
	}
	for (size_t i = 0; i < MAX_WARNINGS_SHOWN; i++) {
		for (size_t k = 0; k < WARNING_LINES; k++) {
			free(c->warning[i][k]);
		}
	}
	free(c->lane_top);
	free(c->lane_head);
	free(c->bar_color);
}

static int
render(enum canvas_kind kind, FILE *out, const struct cotrace_model *model,
		const struct cotrace_metrics *metrics,
		const struct cotrace_timeline *timeline,
		const struct cotrace_timeline_options *options)
{
	struct canvas c = {
			.model = model,
			.metrics = metrics,
			.tl = timeline,
			.options = options,
			.collect = kind == CANVAS_SVG,
	};
	struct file_sink sink = {.out = out};
	struct buffer svg = {0};
	cairo_surface_t *scratch = NULL, *surface = NULL;
	cairo_t *cr = NULL;
	char *title = NULL;
	unsigned int width = options && options->width ? options->width
						       : DEFAULT_WIDTH;
	double wpx, hpx;
	int status;

	if (!out || !model || !timeline) {
		return -EINVAL;
	}
	if (width < MIN_WIDTH) {
		width = MIN_WIDTH;
	} else if (width > MAX_WIDTH) {
		width = MAX_WIDTH;
	}

	/* Lay out with a scratch context: text must be measured first. */
	scratch = cairo_image_surface_create(CAIRO_FORMAT_A8, 1, 1);
	cr = cairo_create(scratch);
	status = cairo_errno(cairo_status(cr));
	if (status) {
		goto end;
	}
	set_font_options(cr);
	status = lay_out(&c, cr, width);
	if (status) {
		goto end;
	}
	cairo_destroy(cr);
	cr = NULL;

	wpx = width;
	hpx = ceil(c.h * c.scale);
	switch (kind) {
	case CANVAS_SVG:
		surface = cairo_svg_surface_create_for_stream(
				write_buffer, &svg, wpx, hpx);
		cairo_svg_surface_set_document_unit(surface, CAIRO_SVG_UNIT_PX);
		break;
	case CANVAS_PDF:
		surface = cairo_pdf_surface_create_for_stream(
				write_file, &sink, wpx, hpx);
		title = safe_text(c.title);
		if (!title) {
			status = -ENOMEM;
			goto end;
		}
		cairo_pdf_surface_set_metadata(
				surface, CAIRO_PDF_METADATA_TITLE, title);
		cairo_pdf_surface_set_metadata(
				surface, CAIRO_PDF_METADATA_CREATOR, "cotrace");
		break;
	case CANVAS_PNG:
		surface = cairo_image_surface_create(
				CAIRO_FORMAT_RGB24, (int)wpx, (int)hpx);
		break;
	}
	cr = cairo_create(surface);
	status = cairo_errno(cairo_status(cr));
	if (status) {
		goto end;
	}
	c.cr = cr;
	set_font_options(cr);
	draw(&c);
	status = c.status ? c.status : cairo_errno(cairo_status(cr));
	if (status) {
		goto end;
	}
	cairo_destroy(cr);
	cr = NULL;
	if (kind == CANVAS_PNG) {
		status = cairo_errno(cairo_surface_write_to_png_stream(
				surface, write_file, &sink));
	} else {
		cairo_surface_finish(surface);
		status = cairo_errno(cairo_surface_status(surface));
	}
	if (sink.error) {
		status = -sink.error;
	} else if (svg.failed) {
		status = -ENOMEM;
	}
	if (status) {
		goto end;
	}
	if (kind == CANVAS_SVG) {
		status = write_svg(out, &svg, &c);
		if (status) {
			goto end;
		}
	}
	if (fflush(out) || ferror(out)) {
		status = errno ? -errno : -EIO;
	}
end:
	cairo_destroy(cr);
	cairo_surface_destroy(surface);
	cairo_surface_destroy(scratch);
	free(svg.data);
	free(title);
	canvas_release(&c);
	return status;
}

static int
render_svg(FILE *out, const struct cotrace_model *model,
		const struct cotrace_metrics *metrics,
		const struct cotrace_timeline *timeline,
		const struct cotrace_timeline_options *options)
{
	return render(CANVAS_SVG, out, model, metrics, timeline, options);
}

static int
render_png(FILE *out, const struct cotrace_model *model,
		const struct cotrace_metrics *metrics,
		const struct cotrace_timeline *timeline,
		const struct cotrace_timeline_options *options)
{
	return render(CANVAS_PNG, out, model, metrics, timeline, options);
}

static int
render_pdf(FILE *out, const struct cotrace_model *model,
		const struct cotrace_metrics *metrics,
		const struct cotrace_timeline *timeline,
		const struct cotrace_timeline_options *options)
{
	return render(CANVAS_PDF, out, model, metrics, timeline, options);
}

const struct cotrace_timeline_format cotrace_timeline_svg = {
		.name = "svg",
		.binary = false,
		.render = render_svg,
};

const struct cotrace_timeline_format cotrace_timeline_png = {
		.name = "png",
		.binary = true,
		.render = render_png,
};

const struct cotrace_timeline_format cotrace_timeline_pdf = {
		.name = "pdf",
		.binary = true,
		.render = render_pdf,
};
