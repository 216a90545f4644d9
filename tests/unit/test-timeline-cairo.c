/*
 * The SVG, PNG and PDF timelines (timeline-cairo.c) on models filled by
 * hand: what the pictures hold (labels, arrows, the title's figures), the
 * PNG read back with cairo, and models no real trace would give.
 */
#include <cairo.h>
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
#include <fontconfig/fontconfig.h>

#include "json-writer.h"
#include "timeline.h"

#define T0 INT64_C(1700000000000000000)
#define MS INT64_C(1000000)

/* The fork arrows' colour, #c0392b, as cairo's SVG writes it. */
#define FORK_STROKE "stroke:rgb(75.294118%,22.352941%,16.862745%)"

struct fixture {
	struct cotrace_model model;
	struct cotrace_metrics metrics;
	struct cotrace_timeline tl;
	struct cotrace_process processes[4];
	struct cotrace_thread threads[5];
	struct cotrace_task tasks[3];
	struct cotrace_fork forks[3];
	struct cotrace_warning warnings[2];
	struct cotrace_tls_access tls[5][2];
	struct cotrace_lost lost[1];
	int64_t profile[3];
};

struct capture {
	char *buf;
	size_t len;
	int status;
};

#define assert_contains(haystack, needle)                                      \
	do {                                                                   \
		if (!strstr((haystack), (needle))) {                           \
			fail_msg("missing \"%s\"", (needle));                  \
		}                                                              \
	} while (0)

static void
set_process(struct fixture *f, size_t i, int64_t pid, size_t parent,
		int64_t start, int64_t end, const char *name)
{
	struct cotrace_process *p = &f->processes[i];

	p->pid = pid;
	p->ppid = parent == SIZE_MAX ? 1 : f->processes[parent].pid;
	p->name = (char *)name;
	p->start_ns = start;
	p->end_ns = end;
	p->start_seen = true;
	p->exit_seen = true;
	p->fork_ret = parent == SIZE_MAX ? -1 : 0;
	p->cpu_ns = COTRACE_CPU_NONE;
	p->exit_status = 0;
	p->parent = parent;
}

static void
set_thread(struct fixture *f, size_t i, int64_t tid, size_t process,
		const char *name)
{
	struct cotrace_thread *t = &f->threads[i];

	t->tid = tid;
	t->process = process;
	t->pthread_id = UINT64_C(0x7f3a5c1ff740) + i;
	t->name = (char *)name;
	t->start_ns = f->processes[process].start_ns;
	t->end_ns = f->processes[process].end_ns;
	t->start_seen = true;
	t->exit_seen = true;
	t->cpu_ns = COTRACE_CPU_NONE;
	t->tls = f->tls[i];
}

static void
set_task(struct fixture *f, size_t i, uint64_t id, size_t thread, int64_t start,
		int64_t end, uint64_t cpu)
{
	struct cotrace_task *t = &f->tasks[i];

	t->id = id;
	t->thread = thread;
	t->process = f->threads[thread].process;
	t->label = (char *)"cpu_task";
	t->start_ns = start;
	t->end_ns = end;
	t->cpu_ns = cpu;
}

/*
 * pid 100 forks 101 and 102 (each runs a task of ~1.18 s on its main
 * thread) and 103, which never appeared; 102 has a helper thread that
 * writes TLS and never exits; the tracer lost events for 20 ms.
 */
static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct cotrace_model *m;
	struct cotrace_metrics *mt;

	if (!f) {
		return -1;
	}
	m = &f->model;
	mt = &f->metrics;
	set_process(f, 0, 100, SIZE_MAX, T0, T0 + 1344 * MS, "cotrace-demo");
	set_process(f, 1, 101, 0, T0 + 1 * MS, T0 + 1200 * MS, "cotrace-demo");
	set_process(f, 2, 102, 0, T0 + 2 * MS, T0 + 1201 * MS, "cotrace-demo");
	m->processes = f->processes;
	m->n_processes = 3;

	set_thread(f, 0, 100, 0, "cotrace-demo");
	set_thread(f, 1, 101, 1, "worker-1");
	set_thread(f, 2, 102, 2, "worker-2");
	set_thread(f, 3, 104, 2, "helper");
	f->threads[3].start_ns = T0 + 300 * MS;
	f->threads[3].exit_seen = false;
	f->tls[3][0] = (struct cotrace_tls_access){.key = (char *)"value",
			.value = (char *)"104",
			.addr = UINT64_C(0x7f3a5c1ff6f8),
			.ts_ns = T0 + 400 * MS};
	f->tls[3][1] = (struct cotrace_tls_access){.key = (char *)"value",
			.value = (char *)"104",
			.addr = UINT64_C(0x7f3a5c1ff6f8),
			.ts_ns = T0 + 900 * MS,
			.is_read = true};
	f->threads[3].n_tls = 2;
	m->threads = f->threads;
	m->n_threads = 4;

	set_task(f, 0, 1, 1, T0 + 10 * MS, T0 + 1190 * MS, 1179 * MS);
	set_task(f, 1, 2, 2, T0 + 11 * MS, T0 + 1191 * MS, 590 * MS);
	m->tasks = f->tasks;
	m->n_tasks = 2;

	f->forks[0] = (struct cotrace_fork){.parent = 0,
			.child = 1,
			.parent_pid = 100,
			.child_pid = 101,
			.ts_ns = T0 + MS / 2,
			.threads_alive = 1,
			.parent_ret = 101,
			.child_ret = 0};
	f->forks[1] = (struct cotrace_fork){.parent = 0,
			.child = 2,
			.parent_pid = 100,
			.child_pid = 102,
			.ts_ns = T0 + MS,
			.threads_alive = 1,
			.parent_ret = 102,
			.child_ret = 0};
	f->forks[2] = (struct cotrace_fork){.parent = 0,
			.child = SIZE_MAX,
			.parent_pid = 100,
			.child_pid = 103,
			.ts_ns = T0 + 3 * MS,
			.threads_alive = 1,
			.parent_ret = 103,
			.child_ret = -1};
	m->forks = f->forks;
	m->n_forks = 3;

	f->warnings[0] = (struct cotrace_warning){
			.kind = COTRACE_WARN_FORK_CHILD_MISSING,
			.message = (char *)"pid 100 forked pid 103, which "
					   "never "
					   "appeared in the trace.",
			.pid = 100,
			.tid = -1,
			.ts_ns = T0 + 3 * MS};
	f->warnings[1] = (struct cotrace_warning){
			.kind = COTRACE_WARN_EVENTS_LOST,
			.message = (char *)"The tracer discarded 7 events.",
			.pid = -1,
			.tid = -1,
			.ts_ns = COTRACE_TS_NONE};
	m->warnings = f->warnings;
	m->n_warnings = 2;
	f->lost[0] = (struct cotrace_lost){7, T0 + 600 * MS, T0 + 620 * MS};
	m->lost = f->lost;
	m->n_lost = 1;
	m->lost_events = 7;
	m->events = 1234;
	m->cotrace_events = 17;
	m->first_ns = T0;
	m->last_ns = T0 + 1344 * MS;
	m->finished = true;

	mt->unit = COTRACE_UNIT_TASK;
	mt->units = 2;
	mt->start_ns = T0 + 10 * MS;
	mt->end_ns = T0 + 1191 * MS;
	mt->span_ns = 1181 * MS;
	mt->busy_ns = 2360 * MS;
	mt->cpu_ns = 1769 * MS;
	mt->parallelism = 2360.0 / 1181.0;
	mt->cpu_parallelism = 1769.0 / 1181.0;
	mt->max_concurrency = 2;
	f->profile[1] = 2 * MS;
	f->profile[2] = 1179 * MS;
	mt->profile_ns = f->profile;

	if (cotrace_timeline_build(m, mt, &f->tl)) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	cotrace_timeline_release(&f->tl);
	free(f);
	return 0;
}

/* COTRACE_TEST_KEEP=DIR keeps each picture there, to look at. */
static void
keep(const char *test, const char *format, const struct capture *c)
{
	const char *dir = getenv("COTRACE_TEST_KEEP");
	char *path;
	FILE *f;

	if (!dir || c->status) {
		return;
	}
	assert_true(asprintf(&path, "%s/%s.%s", dir, test, format) > 0);
	f = fopen(path, "w");
	if (f) {
		fwrite(c->buf, 1, c->len, f);
		fclose(f);
	}
	free(path);
}

static void
capture_render_named(const char *test,
		const struct cotrace_timeline_format *fmt,
		const struct fixture *f, const struct cotrace_timeline *tl,
		unsigned int width, struct capture *c)
{
	struct cotrace_timeline_options opts = {.width = width};
	FILE *out = open_memstream(&c->buf, &c->len);

	assert_non_null(out);
	c->status = fmt->render(out, &f->model, &f->metrics, tl, &opts);
	assert_int_equal(fclose(out), 0);
	keep(test, fmt->name, c);
}

#define capture_render(fmt, f, tl, width, c)                                   \
	capture_render_named(__func__, fmt, f, tl, width, c)

static size_t
count(const char *haystack, const char *needle)
{
	size_t n = 0;

	for (const char *p = haystack; (p = strstr(p, needle)); p++) {
		n++;
	}
	return n;
}

/* The drawn fork arrows: stroked paths in the fork colour (no fill). */
static size_t
count_fork_arrows(const char *svg)
{
	size_t n = 0;

	for (const char *p = svg; (p = strstr(p, "<path ")); p++) {
		const char *end = strchr(p, '>');
		char *tag;

		assert_non_null(end);
		tag = strndup(p, (size_t)(end - p));
		assert_non_null(tag);
		if (strstr(tag, FORK_STROKE) && strstr(tag, "fill:none")) {
			n++;
		}
		free(tag);
	}
	return n;
}

/* A text of the SVG's text layer, exactly. */
static void
assert_svg_text(const char *svg, const char *text)
{
	char *needle;

	assert_true(asprintf(&needle, ">%s</text>", text) > 0);
	if (!strstr(svg, needle)) {
		fail_msg("no text \"%s\" in the SVG", text);
	}
	free(needle);
}

static void
assert_valid_utf8(const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t bad = 0,
		       seq = cotrace_utf8_sequence((const unsigned char *)s + i,
				       len - i, &bad);

		if (!seq) {
			fail_msg("invalid UTF-8 at byte %zu", i);
		}
		i += seq;
	}
}

static void
test_format_find(void **state)
{
	(void)state;
	assert_ptr_equal(cotrace_timeline_format_find("svg"),
			&cotrace_timeline_svg);
	assert_ptr_equal(cotrace_timeline_format_find("png"),
			&cotrace_timeline_png);
	assert_ptr_equal(cotrace_timeline_format_find("pdf"),
			&cotrace_timeline_pdf);
	assert_false(cotrace_timeline_svg.binary);
	assert_true(cotrace_timeline_png.binary);
	assert_true(cotrace_timeline_pdf.binary);
}

static void
test_svg_content(void **state)
{
	struct fixture *f = *state;
	struct capture c = {0};
	char *title_end;

	/* The layout this test expects from timeline.c. */
	assert_int_equal(f->tl.n_arrows, 3);
	assert_int_equal(f->tl.n_bars, 2);
	assert_int_equal(f->tl.n_marks, 2);

	capture_render(&cotrace_timeline_svg, f, &f->tl, 0, &c);
	assert_int_equal(c.status, 0);
	assert_true(strncmp(c.buf, "<?xml", 5) == 0);
	assert_contains(c.buf, "width=\"1920px\"");
	assert_valid_utf8(c.buf, c.len);
	/* The title with the headline figures, for people and programs. */
	assert_contains(c.buf, "<title>cotrace timeline \xe2\x80\x94 span "
			       "1.181 s \xc2\xb7 parallelism 2.00 \xc2\xb7 "
			       "cpu_parallelism 1.50 \xc2\xb7 2 tasks</title>");
	title_end = strstr(c.buf, "</title>");
	assert_non_null(title_end);
	/* Every lane's label and completeness. */
	for (size_t i = 0; i < f->tl.n_lanes; i++) {
		assert_svg_text(c.buf, f->tl.lanes[i].label);
	}
	assert_svg_text(c.buf, "pid 100 cotrace-demo");
	assert_svg_text(c.buf, "tid 101 worker-1 (main thread)");
	assert_svg_text(c.buf, "tid 104 helper");
	assert_svg_text(c.buf, "started only");
	assert_true(count(c.buf, ">complete</text>") >= 4);
	/* Bars with their CPU share; the TLS write; the missing child. */
	assert_svg_text(c.buf, "cpu_task  1.180 s, CPU 100 %");
	assert_svg_text(c.buf, "cpu_task  1.180 s, CPU 50 %");
	assert_svg_text(c.buf, "value=104 @0x7f3a5c1ff6f8");
	assert_svg_text(c.buf, "fork \xe2\x86\x92 pid 103 never seen");
	assert_svg_text(c.buf, "7 events lost");
	/* One arrow per fork, and the legend's sample. */
	assert_int_equal(count_fork_arrows(c.buf), f->tl.n_arrows + 1);
	/* Axis, strip, legend, warnings. */
	assert_svg_text(c.buf, "0");
	assert_svg_text(c.buf, "200 ms");
	assert_svg_text(c.buf, "1.2 s");
	assert_svg_text(c.buf, "tasks running");
	assert_svg_text(c.buf, "at most 2 at once");
	assert_svg_text(c.buf, "TLS write");
	assert_svg_text(c.buf, "TLS read");
	assert_svg_text(c.buf, "Warnings (2)");
	assert_svg_text(c.buf, "[fork-child-missing]");
	assert_svg_text(c.buf, "pid 100 forked pid 103, which never appeared "
			       "in the trace.");
	/* The document ends as cairo ended it. */
	assert_string_equal(c.buf + c.len - 7, "</svg>\n");
	free(c.buf);
}

static void
test_svg_title_option_and_hostile_names(void **state)
{
	struct fixture *f = *state;
	struct cotrace_timeline tl;
	struct cotrace_timeline_options opts = {
			.title = "demo <gil> & \"friends\"\x01",
	};
	struct capture c = {0};
	FILE *out;

	f->threads[3].name = (char *)"evil</text>\x1b[2J\xff&";
	assert_int_equal(
			cotrace_timeline_build(&f->model, &f->metrics, &tl), 0);
	out = open_memstream(&c.buf, &c.len);
	assert_non_null(out);
	assert_int_equal(cotrace_timeline_svg.render(out, &f->model,
					 &f->metrics, &tl, &opts),
			0);
	assert_int_equal(fclose(out), 0);
	assert_valid_utf8(c.buf, c.len);
	assert_null(memchr(c.buf, '\x1b', c.len));
	assert_null(memchr(c.buf, '\x01', c.len));
	assert_contains(c.buf, "<title>demo &lt;gil&gt; &amp; "
			       "&quot;friends&quot;? \xe2\x80\x94 span");
	assert_svg_text(c.buf,
			"tid 104 evil&lt;/text&gt;?[2J\xef\xbf\xbd&amp;");
	free(c.buf);
	cotrace_timeline_release(&tl);
}

/* A TLS write at the axis's end: its label goes before the diamond. */
static void
test_tls_label_at_end(void **state)
{
	struct fixture *f = *state;
	struct cotrace_timeline tl;
	struct capture c = {0};

	f->threads[3].end_ns = T0 + 1344 * MS;
	f->tls[3][0].ts_ns = T0 + 1340 * MS;
	f->tls[3][1].ts_ns = T0 + 1341 * MS;
	assert_int_equal(
			cotrace_timeline_build(&f->model, &f->metrics, &tl), 0);
	capture_render(&cotrace_timeline_svg, f, &tl, 0, &c);
	assert_int_equal(c.status, 0);
	assert_svg_text(c.buf, "value=104 @0x7f3a5c1ff6f8");
	free(c.buf);
	cotrace_timeline_release(&tl);
}

/* Reads a PNG from memory. */
struct png_reader {
	const unsigned char *data;
	size_t len, off;
};

static cairo_status_t
read_png(void *closure, unsigned char *data, unsigned int length)
{
	struct png_reader *r = closure;

	if (r->len - r->off < length) {
		return CAIRO_STATUS_READ_ERROR;
	}
	memcpy(data, r->data + r->off, length);
	r->off += length;
	return CAIRO_STATUS_SUCCESS;
}

static uint32_t
pixel(cairo_surface_t *s, int x, int y)
{
	const unsigned char *row =
			cairo_image_surface_get_data(s) +
			(size_t)y * cairo_image_surface_get_stride(s);

	return ((const uint32_t *)row)[x] & 0xffffff;
}

static bool
near(uint32_t a, uint32_t b)
{
	for (int shift = 0; shift < 24; shift += 8) {
		int d = (int)(a >> shift & 0xff) - (int)(b >> shift & 0xff);

		if (d < -12 || d > 12) {
			return false;
		}
	}
	return true;
}

static cairo_surface_t *
render_png_named(const char *test, const struct fixture *f,
		const struct cotrace_timeline *tl, unsigned int width)
{
	char name[128];
	struct capture c = {0};
	struct png_reader r;
	cairo_surface_t *s;

	snprintf(name, sizeof(name), "%s-%u-%zu", test, width, tl->n_lanes);
	capture_render_named(name, &cotrace_timeline_png, f, tl, width, &c);
	assert_int_equal(c.status, 0);
	assert_true(c.len > 8);
	assert_memory_equal(c.buf, "\x89PNG\r\n\x1a\n", 8);
	r = (struct png_reader){(unsigned char *)c.buf, c.len, 0};
	s = cairo_image_surface_create_from_png_stream(read_png, &r);
	assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
	free(c.buf);
	cairo_surface_flush(s);
	return s;
}

#define render_png(f, tl, width) render_png_named(__func__, f, tl, width)

static void
test_png(void **state)
{
	struct fixture *f = *state;
	cairo_surface_t *s = render_png(f, &f->tl, 0);
	int w = cairo_image_surface_get_width(s);
	int h = cairo_image_surface_get_height(s);
	size_t white = 0, fork = 0, bar = 0, text = 0, total;

	assert_int_equal(w, 1920);
	/* 5 lanes, a header, axis, strip, legend, 2 warnings. */
	assert_in_range(h, 450, 800);
	for (int y = 0; y < h; y++) {
		for (int x = 0; x < w; x++) {
			uint32_t p = pixel(s, x, y);

			white += p == 0xffffff;
			fork += near(p, 0xc0392b);
			bar += p == 0x3b75af;
			text += near(p, 0x1f2328);
		}
	}
	total = (size_t)w * (size_t)h;
	/* Mostly background, but drawn on: text, bars, arrows. */
	assert_true(white > total / 2);
	assert_true(white < total - total / 50);
	assert_true(text > 2000);
	/* A 1.18 s bar over a 1.344 s axis: over 1000 px long, 22 px high. */
	assert_true(bar > 1000 * 20);
	assert_true(fork > 60);
	cairo_surface_destroy(s);
}

/* The size an SVG says it has, in pixels. */
static void
svg_size(const char *svg, int *w, int *h)
{
	const char *p = strstr(svg, "<svg");

	assert_non_null(p);
	assert_non_null(strstr(p, "width=\""));
	*w = atoi(strstr(p, "width=\"") + 7);
	assert_non_null(strstr(p, "height=\""));
	*h = atoi(strstr(p, "height=\"") + 8);
}

static void
test_png_width(void **state)
{
	struct fixture *f = *state;
	cairo_surface_t *s = render_png(f, &f->tl, 3840);
	struct capture c = {0};
	int h1, h2, w, h;

	/* Twice as wide: the same picture, twice as sharp. */
	assert_int_equal(cairo_image_surface_get_width(s), 3840);
	h2 = cairo_image_surface_get_height(s);
	cairo_surface_destroy(s);
	s = render_png(f, &f->tl, 0);
	h1 = cairo_image_surface_get_height(s);
	assert_in_range(h2, 2 * h1 - 2, 2 * h1 + 2);
	cairo_surface_destroy(s);
	/* The SVG has the PNG's size. */
	capture_render(&cotrace_timeline_svg, f, &f->tl, 0, &c);
	svg_size(c.buf, &w, &h);
	assert_int_equal(w, 1920);
	assert_int_equal(h, h1);
	free(c.buf);
	/* Too narrow or too wide a request is brought within bounds. */
	capture_render(&cotrace_timeline_svg, f, &f->tl, 10, &c);
	svg_size(c.buf, &w, &h);
	assert_int_equal(w, 480);
	free(c.buf);
	capture_render(&cotrace_timeline_svg, f, &f->tl, 100000, &c);
	svg_size(c.buf, &w, &h);
	assert_int_equal(w, 7680);
	assert_in_range(h, 4 * h1 - 4, 4 * h1 + 4);
	free(c.buf);
}

static void
test_pdf(void **state)
{
	struct fixture *f = *state;
	struct capture c = {0};

	capture_render(&cotrace_timeline_pdf, f, &f->tl, 0, &c);
	assert_int_equal(c.status, 0);
	assert_true(c.len > 1000);
	assert_memory_equal(c.buf, "%PDF-", 5);
	assert_contains(c.buf + c.len - 8, "%%EOF");
	free(c.buf);
}

static void
test_empty(void **state)
{
	struct fixture f;
	struct capture c = {0};
	cairo_surface_t *s;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.model.first_ns = COTRACE_TS_NONE;
	f.model.last_ns = COTRACE_TS_NONE;
	f.metrics.unit = COTRACE_UNIT_PROCESS;
	f.metrics.start_ns = COTRACE_TS_NONE;
	f.metrics.end_ns = COTRACE_TS_NONE;
	assert_int_equal(
			cotrace_timeline_build(&f.model, &f.metrics, &f.tl), 0);
	capture_render(&cotrace_timeline_svg, &f, &f.tl, 0, &c);
	assert_int_equal(c.status, 0);
	assert_contains(c.buf, "no units: nothing ran to measure</title>");
	assert_svg_text(c.buf, "Nothing to draw: the trace holds no process.");
	assert_svg_text(c.buf, "Warnings: none");
	assert_int_equal(count_fork_arrows(c.buf), 1); /* the legend's */
	free(c.buf);
	s = render_png(&f, &f.tl, 0);
	assert_int_equal(cairo_image_surface_get_width(s), 1920);
	cairo_surface_destroy(s);
	capture_render(&cotrace_timeline_pdf, &f, &f.tl, 0, &c);
	assert_int_equal(c.status, 0);
	free(c.buf);
	cotrace_timeline_release(&f.tl);
}

/* A layout no timeline.c would make: every index and time out of range. */
static void
test_hostile_layout(void **state)
{
	struct fixture *f = *state;
	struct cotrace_lane lanes[3] = {
			{.kind = COTRACE_LANE_PROCESS,
					.process = 99,
					.thread = SIZE_MAX,
					.depth = 4000000000u,
					.label = NULL,
					.start_ns = COTRACE_TS_NONE,
					.end_ns = INT64_MAX,
					.completeness = 77,
					.parent_lane = 2},
			{.kind = COTRACE_LANE_THREAD,
					.process = 0,
					.thread = 42,
					.label = (char *)"",
					.start_ns = INT64_MAX,
					.end_ns = INT64_MIN + 1,
					.completeness = COTRACE_SEEN_ONLY,
					.parent_lane = SIZE_MAX},
			{.kind = COTRACE_LANE_THREAD,
					.label = (char *)"\xf0\x9f\x98",
					.start_ns = 0,
					.end_ns = 0,
					.completeness = COTRACE_FINISHED_ONLY,
					.parent_lane = 1},
	};
	struct cotrace_bar bars[2] = {
			{.lane = 1,
					.task = 1000,
					.start_ns = INT64_MIN + 1,
					.end_ns = INT64_MAX},
			{.lane = 77, .task = 0},
	};
	struct cotrace_arrow arrows[3] = {
			{.from_lane = 0, .to_lane = 0, .fork = 1000},
			{.from_lane = 2,
					.to_lane = SIZE_MAX,
					.fork = 2,
					.ts_ns = COTRACE_TS_NONE},
			{.from_lane = SIZE_MAX, .to_lane = 1},
	};
	struct cotrace_mark marks[2] = {
			{.lane = 2, .thread = 3, .access = 1000},
			{.lane = 1000, .thread = 1000},
	};
	struct cotrace_step steps[3] = {
			{INT64_MAX, 5},
			{INT64_MIN + 1, 1000000},
			{0, 0},
	};
	struct cotrace_timeline tl = {
			.t0_ns = INT64_MIN + 1,
			.t1_ns = INT64_MAX,
			.lanes = lanes,
			.n_lanes = 3,
			.bars = bars,
			.n_bars = 2,
			.arrows = arrows,
			.n_arrows = 3,
			.marks = marks,
			.n_marks = 2,
			.steps = steps,
			.n_steps = 3,
	};
	const struct cotrace_timeline_format *fmts[] = {
			&cotrace_timeline_svg,
			&cotrace_timeline_png,
			&cotrace_timeline_pdf,
	};
	struct capture c = {0};
	char bad[301];

	/* A long name of bytes that are not UTF-8: each becomes U+FFFD. */
	memset(bad, 0xff, sizeof(bad) - 1);
	bad[sizeof(bad) - 1] = '\0';
	lanes[1].label = bad;
	f->lost[0] = (struct cotrace_lost){0, COTRACE_TS_NONE, T0};
	f->metrics.span_ns = INT64_MAX;
	f->metrics.parallelism = 1e300;
	f->metrics.cpu_parallelism = -0.0 / 1.0;
	for (size_t i = 0; i < 3; i++) {
		capture_render(fmts[i], f, &tl, 0, &c);
		assert_int_equal(c.status, 0);
		free(c.buf);
		c.buf = NULL;
	}
	/* No metrics, no options. */
	for (size_t i = 0; i < 3; i++) {
		FILE *out = open_memstream(&c.buf, &c.len);

		assert_non_null(out);
		assert_int_equal(fmts[i]->render(out, &f->model, NULL, &tl,
						 NULL),
				0);
		assert_int_equal(fclose(out), 0);
		assert_true(c.len > 100);
		free(c.buf);
		c.buf = NULL;
	}
	/* A single instant: t0 == t1. */
	tl.t0_ns = tl.t1_ns = T0;
	capture_render(&cotrace_timeline_svg, f, &tl, 0, &c);
	assert_int_equal(c.status, 0);
	assert_valid_utf8(c.buf, c.len);
	assert_contains(c.buf, "\xef\xbf\xbd\xe2\x80\xa6</text>");
	free(c.buf);
	/* No time at all. */
	tl.t0_ns = tl.t1_ns = COTRACE_TS_NONE;
	capture_render(&cotrace_timeline_png, f, &tl, 0, &c);
	assert_int_equal(c.status, 0);
	free(c.buf);
}

/* Many lanes: the picture stays one a screen can show, and says so. */
static void
test_many_lanes(void **state)
{
	struct fixture *f = *state;
	size_t n = 400;
	struct cotrace_lane *lanes = calloc(n, sizeof(*lanes));
	struct cotrace_arrow *arrows = calloc(n, sizeof(*arrows));
	struct cotrace_timeline tl = {.t0_ns = T0, .t1_ns = T0 + 1344 * MS};
	struct capture c = {0};
	cairo_surface_t *s;
	int w, h, h1;

	assert_non_null(lanes);
	assert_non_null(arrows);
	for (size_t i = 0; i < n; i++) {
		lanes[i] = (struct cotrace_lane){.kind = COTRACE_LANE_PROCESS,
				.process = 0,
				.thread = SIZE_MAX,
				.depth = (unsigned int)(i % 40),
				.label = (char *)"pid 100 cotrace-demo",
				.start_ns = T0 + (int64_t)i * MS,
				.end_ns = T0 + 1000 * MS,
				.parent_lane = i ? i - 1 : SIZE_MAX};
		arrows[i] = (struct cotrace_arrow){.from_lane = i ? i - 1 : 0,
				.to_lane = i,
				.fork = 0,
				.ts_ns = T0 + (int64_t)i * MS};
	}
	tl.lanes = lanes;
	tl.n_lanes = n;
	tl.arrows = arrows;
	tl.n_arrows = n;
	capture_render(&cotrace_timeline_svg, f, &tl, 0, &c);
	assert_int_equal(c.status, 0);
	assert_svg_text(c.buf, "\xe2\x80\xa6 150 more lanes not drawn (cotrace "
			       "report lists every process and thread)");
	/* Arrows to lanes not drawn still count: one per fork. */
	assert_int_equal(count_fork_arrows(c.buf), n + 1);
	svg_size(c.buf, &w, &h1);
	assert_in_range(h1, 250 * 36, 250 * 36 + 1000);
	free(c.buf);
	/* The widest picture stays within 64 Mpixel. */
	capture_render(&cotrace_timeline_svg, f, &tl, 7680, &c);
	svg_size(c.buf, &w, &h);
	assert_int_equal(w, 7680);
	assert_true((double)w * h <= 64.0 * 1024 * 1024);
	assert_contains(c.buf, "more lanes not drawn");
	free(c.buf);
	/* The PNG has the SVG's size (narrow, to keep the test quick). */
	capture_render(&cotrace_timeline_svg, f, &tl, 480, &c);
	svg_size(c.buf, &w, &h);
	free(c.buf);
	s = render_png(f, &tl, 480);
	assert_int_equal(cairo_image_surface_get_width(s), w);
	assert_int_equal(cairo_image_surface_get_height(s), h);
	cairo_surface_destroy(s);
	free(lanes);
	free(arrows);
}

static void
test_write_error(void **state)
{
	struct fixture *f = *state;
	FILE *out = fopen("/dev/full", "w");

	if (!out) {
		skip();
	}
	assert_int_equal(cotrace_timeline_png.render(out, &f->model,
					 &f->metrics, &f->tl, NULL),
			-ENOSPC);
	clearerr(out);
	assert_int_equal(cotrace_timeline_svg.render(out, &f->model,
					 &f->metrics, &f->tl, NULL),
			-ENOSPC);
	clearerr(out);
	assert_int_equal(cotrace_timeline_pdf.render(out, &f->model,
					 &f->metrics, &f->tl, NULL),
			-ENOSPC);
	fclose(out);
}

static int
group_teardown(void **state)
{
	(void)state;
	/* cairo's and fontconfig's caches, so leak checkers see only ours. */
	cairo_debug_reset_static_data();
	FcFini();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_format_find),
			cmocka_unit_test_setup_teardown(
					test_svg_content, setup, teardown),
			cmocka_unit_test_setup_teardown(
					test_svg_title_option_and_hostile_names,
					setup, teardown),
			cmocka_unit_test_setup_teardown(
					test_tls_label_at_end, setup, teardown),
			cmocka_unit_test_setup_teardown(
					test_png, setup, teardown),
			cmocka_unit_test_setup_teardown(
					test_png_width, setup, teardown),
			cmocka_unit_test_setup_teardown(
					test_pdf, setup, teardown),
			cmocka_unit_test(test_empty),
			cmocka_unit_test_setup_teardown(
					test_hostile_layout, setup, teardown),
			cmocka_unit_test_setup_teardown(
					test_many_lanes, setup, teardown),
			cmocka_unit_test_setup_teardown(
					test_write_error, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
