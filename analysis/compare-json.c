/*
 * `cotrace compare --format json`: one object, {"a": RUN, "b": RUN,
 * "speedup": span_A / span_B or null, "verdict": {"kind", "text"}}, each
 * RUN with the keys of the report's "summary" (cotrace-report(1)) plus its
 * path, traces, process and thread counts and the report's verdict.
 */
#include <errno.h>

#include "compare.h"
#include "json-writer.h"

static void
key_uint(struct cotrace_json_writer *w, const char *key, uint64_t v)
{
	cotrace_json_key(w, key);
	cotrace_json_uint(w, v);
}

static void
key_int(struct cotrace_json_writer *w, const char *key, int64_t v)
{
	cotrace_json_key(w, key);
	cotrace_json_int(w, v);
}

static void
key_double(struct cotrace_json_writer *w, const char *key, double v)
{
	cotrace_json_key(w, key);
	cotrace_json_double(w, v);
}

static void
key_str(struct cotrace_json_writer *w, const char *key, const char *v)
{
	cotrace_json_key(w, key);
	cotrace_json_string(w, v);
}

static void
write_run(struct cotrace_json_writer *w, const char *key,
		const struct cotrace_compare_side *s,
		const struct cotrace_verdict *v)
{
	const struct cotrace_model *m = s->model;
	const struct cotrace_metrics *mt = s->metrics;

	cotrace_json_key(w, key);
	cotrace_json_begin_object(w);
	key_str(w, "path", s->path);
	cotrace_json_key(w, "traces");
	cotrace_json_begin_array(w);
	for (size_t i = 0; i < m->n_paths; i++) {
		cotrace_json_string(w, m->paths[i]);
	}
	cotrace_json_end_array(w);
	key_str(w, "unit", mt->unit == COTRACE_UNIT_TASK ? "task" : "process");
	key_uint(w, "units", mt->units);
	key_int(w, "span_ns", mt->span_ns);
	key_int(w, "busy_ns", mt->busy_ns);
	cotrace_json_key(w, "cpu_ns");
	if (mt->units > 0 && mt->units_without_cpu == mt->units) {
		cotrace_json_null(w);
	} else {
		cotrace_json_uint(w, mt->cpu_ns);
	}
	key_uint(w, "units_without_cpu", mt->units_without_cpu);
	key_double(w, "parallelism", mt->parallelism);
	key_double(w, "cpu_parallelism", mt->cpu_parallelism);
	key_uint(w, "max_concurrency", mt->max_concurrency);
	key_uint(w, "processes", m->n_processes);
	key_uint(w, "threads", m->n_threads);
	key_uint(w, "lost_events", m->lost_events);
	key_uint(w, "warnings", m->n_warnings);
	key_str(w, "verdict", v->name);
	cotrace_json_end_object(w);
}

static int
render_json(FILE *out, const struct cotrace_comparison *c)
{
	struct cotrace_json_writer w;

	cotrace_json_writer_init(&w, out, true);
	cotrace_json_begin_object(&w);
	write_run(&w, "a", &c->a, &c->verdict_a);
	write_run(&w, "b", &c->b, &c->verdict_b);
	cotrace_json_key(&w, "speedup");
	if (c->kind == COTRACE_COMPARE_UNKNOWN) {
		cotrace_json_null(&w);
	} else {
		cotrace_json_double(&w, c->speedup);
	}
	cotrace_json_key(&w, "verdict");
	cotrace_json_begin_object(&w);
	key_str(&w, "kind", c->kind_name);
	key_str(&w, "text", c->text);
	cotrace_json_end_object(&w);
	cotrace_json_end_object(&w);
	return cotrace_json_writer_finish(&w);
}

const struct cotrace_compare_format cotrace_compare_json = {
		.name = "json",
		.render = render_json,
};
