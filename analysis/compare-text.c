/*
 * `cotrace compare` as text: the two runs' figures in two columns, the
 * speedup, and the verdict sentence.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "safe-text.h"

#define COLUMN 18
#define PATH_MAX_CHARS 60

static char *
cpu_text(char *buf, size_t size, const struct cotrace_metrics *mt)
{
	if (mt->units > 0 && mt->units_without_cpu == mt->units) {
		snprintf(buf, size, "?");
		return buf;
	}
	return cotrace_format_duration(buf, size,
			mt->cpu_ns > INT64_MAX ? INT64_MAX
					       : (int64_t)mt->cpu_ns);
}

static void
row(FILE *out, const char *name, const char *a, const char *b)
{
	fprintf(out, "  %-17s %-*s %s\n", name, COLUMN, a, b);
}

static void
put_run(FILE *out, const char *name, const struct cotrace_compare_side *s,
		bool utf8)
{
	char *path = cotrace_safe_strdup(s->path, PATH_MAX_CHARS, utf8, NULL);

	fprintf(out, "  %s: %s", name, path ? path : "?");
	free(path);
	if (s->model->n_paths != 1) {
		fprintf(out, " (%zu traces)", s->model->n_paths);
	}
	fputc('\n', out);
}

static int
render_text(FILE *out, const struct cotrace_comparison *c)
{
	const struct cotrace_metrics *ma = c->a.metrics, *mb = c->b.metrics;
	bool utf8 = cotrace_locale_is_utf8();
	char a[48], b[48];

	errno = 0;
	fputs("cotrace compare\n===============\n", out);
	put_run(out, "A", &c->a, utf8);
	put_run(out, "B", &c->b, utf8);
	fputc('\n', out);
	row(out, "", "A", "B");
	row(out, "span", cotrace_format_duration(a, sizeof(a), ma->span_ns),
			cotrace_format_duration(b, sizeof(b), mb->span_ns));
	row(out, "busy", cotrace_format_duration(a, sizeof(a), ma->busy_ns),
			cotrace_format_duration(b, sizeof(b), mb->busy_ns));
	row(out, "cpu", cpu_text(a, sizeof(a), ma), cpu_text(b, sizeof(b), mb));
	snprintf(a, sizeof(a), "%.2f", ma->parallelism);
	snprintf(b, sizeof(b), "%.2f", mb->parallelism);
	row(out, "parallelism", a, b);
	snprintf(a, sizeof(a), "%.2f", ma->cpu_parallelism);
	snprintf(b, sizeof(b), "%.2f", mb->cpu_parallelism);
	row(out, "cpu_parallelism", a, b);
	snprintf(a, sizeof(a), "%zu", ma->max_concurrency);
	snprintf(b, sizeof(b), "%zu", mb->max_concurrency);
	row(out, "max concurrency", a, b);
	snprintf(a, sizeof(a), "%zu %s", ma->units,
			cotrace_unit_name(ma->unit, ma->units));
	snprintf(b, sizeof(b), "%zu %s", mb->units,
			cotrace_unit_name(mb->unit, mb->units));
	row(out, "units", a, b);
	snprintf(a, sizeof(a), "%zu", c->a.model->n_processes);
	snprintf(b, sizeof(b), "%zu", c->b.model->n_processes);
	row(out, "processes", a, b);
	snprintf(a, sizeof(a), "%zu", c->a.model->n_threads);
	snprintf(b, sizeof(b), "%zu", c->b.model->n_threads);
	row(out, "threads", a, b);
	row(out, "report verdict", c->verdict_a.name, c->verdict_b.name);
	fputc('\n', out);
	if (c->kind == COTRACE_COMPARE_UNKNOWN) {
		fputs("  speedup of B over A: unknown\n", out);
	} else {
		fprintf(out, "  speedup of B over A: %.2fx (span A / span B)\n",
				c->speedup);
	}
	fputs("\nVerdict: ", out);
	fputs(c->text, out);
	fputc('\n', out);
	if (fflush(out) != 0 || ferror(out)) {
		return errno ? -errno : -EIO;
	}
	return 0;
}

const struct cotrace_compare_format cotrace_compare_text = {
		.name = "text",
		.render = render_text,
};
