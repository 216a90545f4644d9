/*
 * The JSON report: one object whose keys DESIGN.md and cotrace-report(1)
 * fix, for autograders and scripts. Unknown values are null, never a magic
 * number; times are integer nanoseconds since the Unix epoch.
 */
#include <errno.h>
#include <stdlib.h>

#include "hosts.h"
#include "json-writer.h"
#include "report-common.h"
#include "report.h"

static void
key_ts(struct cotrace_json_writer *w, const char *key, int64_t ts)
{
	cotrace_json_key(w, key);
	if (ts == COTRACE_TS_NONE) {
		cotrace_json_null(w);
	} else {
		cotrace_json_int(w, ts);
	}
}

static void
key_cpu(struct cotrace_json_writer *w, const char *key, uint64_t cpu)
{
	cotrace_json_key(w, key);
	if (cpu == COTRACE_CPU_NONE) {
		cotrace_json_null(w);
	} else {
		cotrace_json_uint(w, cpu);
	}
}

/* -1 is the model's "unknown" for pids, tids and statuses. */
static void
key_id(struct cotrace_json_writer *w, const char *key, int64_t v)
{
	cotrace_json_key(w, key);
	if (v == -1) {
		cotrace_json_null(w);
	} else {
		cotrace_json_int(w, v);
	}
}

static void
key_int(struct cotrace_json_writer *w, const char *key, int64_t v)
{
	cotrace_json_key(w, key);
	cotrace_json_int(w, v);
}

static void
key_uint(struct cotrace_json_writer *w, const char *key, uint64_t v)
{
	cotrace_json_key(w, key);
	cotrace_json_uint(w, v);
}

static void
key_str(struct cotrace_json_writer *w, const char *key, const char *v)
{
	cotrace_json_key(w, key);
	cotrace_json_string(w, v);
}

static void
key_bool(struct cotrace_json_writer *w, const char *key, bool v)
{
	cotrace_json_key(w, key);
	cotrace_json_bool(w, v);
}

static int64_t
pid_of(const struct cotrace_model *m, size_t process)
{
	return process < m->n_processes ? m->processes[process].pid : -1;
}

static int64_t
tid_of(const struct cotrace_model *m, size_t thread)
{
	return thread < m->n_threads ? m->threads[thread].tid : -1;
}

static void
write_trace(struct cotrace_json_writer *w, const struct cotrace_model *m,
		const struct cotrace_hosts *hosts)
{
	cotrace_json_key(w, "trace");
	cotrace_json_begin_object(w);
	cotrace_json_key(w, "paths");
	cotrace_json_begin_array(w);
	for (size_t i = 0; i < m->n_paths; i++) {
		cotrace_json_string(w, m->paths[i]);
	}
	cotrace_json_end_array(w);
	key_uint(w, "events", m->events);
	key_uint(w, "cotrace_events", m->cotrace_events);
	/* A discard report without a count makes the total unknown. */
	cotrace_json_key(w, "lost_events");
	if (m->lost_events == 0 && m->n_lost > 0) {
		cotrace_json_null(w);
	} else {
		cotrace_json_uint(w, m->lost_events);
	}
	cotrace_json_key(w, "lost");
	cotrace_json_begin_array(w);
	for (size_t i = 0; i < m->n_lost; i++) {
		cotrace_json_begin_object(w);
		cotrace_json_key(w, "count");
		if (m->lost[i].count == 0) {
			cotrace_json_null(w);
		} else {
			cotrace_json_uint(w, m->lost[i].count);
		}
		key_ts(w, "begin_ns", m->lost[i].begin_ns);
		key_ts(w, "end_ns", m->lost[i].end_ns);
		cotrace_json_end_object(w);
	}
	cotrace_json_end_array(w);
	key_ts(w, "first_ns", m->first_ns);
	key_ts(w, "last_ns", m->last_ns);
	/* The machines, in the order the renderers group them. */
	cotrace_json_key(w, "hosts");
	cotrace_json_begin_array(w);
	for (size_t i = 0; i < hosts->n; i++) {
		const struct cotrace_host *h = &hosts->hosts[i];

		cotrace_json_begin_object(w);
		key_str(w, "name", h->name);
		key_uint(w, "processes", h->n_processes);
		key_uint(w, "threads", h->n_threads);
		key_uint(w, "tasks", h->n_tasks);
		key_ts(w, "start_ns", h->start_ns);
		key_ts(w, "end_ns", h->end_ns);
		cotrace_json_end_object(w);
	}
	cotrace_json_end_array(w);
	cotrace_json_end_object(w);
}

/* Every task that never finished, listed or not. */
static uint64_t
tasks_unfinished(const struct cotrace_model *m)
{
	uint64_t n = 0;

	if (m->tasks_omitted) {
		return m->task_totals.unfinished;
	}
	for (size_t i = 0; i < m->n_tasks; i++) {
		n += m->tasks[i].end_ns == COTRACE_TS_NONE;
	}
	return n;
}

static void
write_summary(struct cotrace_json_writer *w, const struct cotrace_model *m,
		const struct cotrace_metrics *mt)
{
	struct cotrace_verdict v;

	cotrace_json_key(w, "summary");
	cotrace_json_begin_object(w);
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
	key_uint(w, "units_incomplete",
			cotrace_report_incomplete_units(m, mt));
	key_uint(w, "tasks_unfinished", tasks_unfinished(m));
	cotrace_json_key(w, "parallelism");
	cotrace_json_double(w, mt->parallelism);
	cotrace_json_key(w, "cpu_parallelism");
	cotrace_json_double(w, mt->cpu_parallelism);
	key_uint(w, "max_concurrency", mt->max_concurrency);
	key_ts(w, "start_ns", mt->start_ns);
	key_ts(w, "end_ns", mt->end_ns);
	cotrace_json_key(w, "profile");
	cotrace_json_begin_array(w);
	for (size_t k = 0; mt->profile_ns && k <= mt->max_concurrency; k++) {
		cotrace_json_begin_object(w);
		key_uint(w, "running", k);
		key_int(w, "ns", mt->profile_ns[k]);
		cotrace_json_key(w, "fraction");
		cotrace_json_double(w,
				mt->span_ns > 0 ? (double)mt->profile_ns[k] /
								  (double)mt->span_ns
						: 0.0);
		cotrace_json_end_object(w);
	}
	cotrace_json_end_array(w);
	cotrace_report_verdict(m, mt, &v);
	cotrace_json_key(w, "verdict");
	cotrace_json_begin_object(w);
	key_str(w, "kind", v.name);
	key_str(w, "text", v.text);
	cotrace_json_end_object(w);
	cotrace_json_end_object(w);
}

static void
write_processes(struct cotrace_json_writer *w, const struct cotrace_model *m)
{
	cotrace_json_key(w, "processes");
	cotrace_json_begin_array(w);
	for (size_t i = 0; i < m->n_processes; i++) {
		const struct cotrace_process *p = &m->processes[i];

		cotrace_json_begin_object(w);
		key_int(w, "pid", p->pid);
		key_id(w, "ppid", p->ppid);
		key_id(w, "parent_pid",
				p->parent == SIZE_MAX ? -1
						      : pid_of(m, p->parent));
		key_str(w, "name", p->name);
		key_str(w, "host", p->host);
		key_ts(w, "start_ns", p->start_ns);
		key_ts(w, "end_ns", p->end_ns);
		key_cpu(w, "cpu_ns", cotrace_process_cpu_ns(p));
		cotrace_json_key(w, "exit_status");
		if (p->exit_seen) {
			cotrace_json_int(w, p->exit_status);
		} else {
			cotrace_json_null(w);
		}
		key_bool(w, "complete", p->start_seen && p->exit_seen);
		key_bool(w, "start_seen", p->start_seen);
		key_bool(w, "exit_seen", p->exit_seen);
		key_bool(w, "fork_child", p->fork_ret == 0);
		cotrace_json_end_object(w);
	}
	cotrace_json_end_array(w);
}

static void
write_tls(struct cotrace_json_writer *w, const struct cotrace_thread *th,
		bool reads)
{
	cotrace_json_begin_array(w);
	for (size_t k = 0; k < th->n_tls; k++) {
		const struct cotrace_tls_access *x = &th->tls[k];

		if (x->is_read != reads) {
			continue;
		}
		cotrace_json_begin_object(w);
		key_str(w, "key", x->key);
		key_str(w, "value", x->value);
		key_uint(w, "addr", x->addr);
		key_ts(w, "ts_ns", x->ts_ns);
		cotrace_json_end_object(w);
	}
	cotrace_json_end_array(w);
}

static void
write_threads(struct cotrace_json_writer *w, const struct cotrace_model *m)
{
	cotrace_json_key(w, "threads");
	cotrace_json_begin_array(w);
	for (size_t i = 0; i < m->n_threads; i++) {
		const struct cotrace_thread *th = &m->threads[i];

		cotrace_json_begin_object(w);
		key_int(w, "tid", th->tid);
		key_id(w, "pid", pid_of(m, th->process));
		/* pthread_self() is never 0, so 0 means the context was absent.
		 */
		cotrace_json_key(w, "pthread_id");
		if (th->pthread_id) {
			cotrace_json_uint(w, th->pthread_id);
		} else {
			cotrace_json_null(w);
		}
		key_str(w, "name", th->name);
		key_str(w, "host", th->process < m->n_processes
						   ? m->processes[th->process].host
						   : NULL);
		key_ts(w, "start_ns", th->start_ns);
		key_ts(w, "end_ns", th->end_ns);
		key_cpu(w, "cpu_ns", th->cpu_ns);
		key_bool(w, "start_seen", th->start_seen);
		key_bool(w, "exit_seen", th->exit_seen);
		cotrace_json_key(w, "tls");
		write_tls(w, th, false);
		cotrace_json_key(w, "tls_reads");
		write_tls(w, th, true);
		cotrace_json_end_object(w);
	}
	cotrace_json_end_array(w);
}

static void
write_tasks(struct cotrace_json_writer *w, const struct cotrace_model *m)
{
	cotrace_json_key(w, "tasks");
	cotrace_json_begin_array(w);
	for (size_t i = 0; i < m->n_tasks; i++) {
		const struct cotrace_task *t = &m->tasks[i];

		cotrace_json_begin_object(w);
		key_uint(w, "id", t->id);
		key_id(w, "pid", pid_of(m, t->process));
		key_id(w, "tid", tid_of(m, t->thread));
		key_str(w, "label", t->label);
		key_str(w, "host", t->process < m->n_processes
						   ? m->processes[t->process].host
						   : NULL);
		key_ts(w, "start_ns", t->start_ns);
		key_ts(w, "end_ns", t->end_ns);
		key_cpu(w, "cpu_ns", t->cpu_ns);
		cotrace_json_end_object(w);
	}
	cotrace_json_end_array(w);
}

static void
write_forks(struct cotrace_json_writer *w, const struct cotrace_model *m)
{
	cotrace_json_key(w, "forks");
	cotrace_json_begin_array(w);
	for (size_t i = 0; i < m->n_forks; i++) {
		const struct cotrace_fork *f = &m->forks[i];

		cotrace_json_begin_object(w);
		key_id(w, "parent_pid", f->parent_pid);
		key_id(w, "child_pid", f->child_pid);
		key_ts(w, "ts_ns", f->ts_ns);
		key_id(w, "threads_alive", f->threads_alive);
		key_id(w, "parent_ret", f->parent_ret);
		/* The child's side is only known when the child was seen. */
		key_id(w, "child_ret",
				f->child == SIZE_MAX ? -1 : f->child_ret);
		key_bool(w, "child_seen", f->child != SIZE_MAX);
		cotrace_json_key(w, "alive_tids");
		cotrace_json_begin_array(w);
		for (size_t k = 0; f->alive_tids && k < f->n_alive_tids; k++) {
			cotrace_json_int(w, f->alive_tids[k]);
		}
		cotrace_json_end_array(w);
		key_str(w, "alive_names", f->alive_names);
		cotrace_json_end_object(w);
	}
	cotrace_json_end_array(w);
}

static void
write_overlaps(struct cotrace_json_writer *w, const struct cotrace_model *m,
		const struct cotrace_metrics *mt)
{
	cotrace_json_key(w, "overlaps");
	cotrace_json_begin_array(w);
	for (size_t i = 0; mt->overlaps && i < mt->n_overlaps; i++) {
		const struct cotrace_overlap *o = &mt->overlaps[i];

		cotrace_json_begin_object(w);
		key_id(w, "a_pid", pid_of(m, o->a));
		key_id(w, "b_pid", pid_of(m, o->b));
		key_int(w, "overlap_ns", o->overlap_ns);
		cotrace_json_key(w, "fraction");
		cotrace_json_double(w, o->fraction);
		cotrace_json_end_object(w);
	}
	cotrace_json_end_array(w);
}

static int
write_tls_check(struct cotrace_json_writer *w, const struct cotrace_model *m)
{
	struct cotrace_tls_check c;
	char sentence[512];
	int status = cotrace_report_tls_check(m, &c);

	if (status) {
		return status;
	}
	cotrace_report_tls_sentence(&c, sentence, sizeof(sentence));
	cotrace_json_key(w, "tls_check");
	cotrace_json_begin_object(w);
	key_uint(w, "writes", c.writes);
	key_uint(w, "reads", c.reads);
	key_uint(w, "threads", c.threads);
	key_uint(w, "slots", c.slots);
	cotrace_json_key(w, "own_slots");
	if (c.writes == 0) {
		cotrace_json_null(w);
	} else {
		cotrace_json_bool(w, !c.shared && !c.changed);
	}
	key_str(w, "text", sentence);
	cotrace_json_end_object(w);
	return 0;
}

/*
 * The Python agent's logging records: the total, each process's count and
 * how many the model kept (its first ones), and the kept records in
 * process then time order.
 */
static int
write_logs(struct cotrace_json_writer *w, const struct cotrace_model *m)
{
	uint64_t total = 0;
	size_t *order;
	int status;

	order = cotrace_report_logs_by_process(m, &status);
	if (status) {
		return status;
	}
	for (size_t i = 0; i < m->n_processes; i++) {
		total += m->processes[i].n_logs;
	}
	cotrace_json_key(w, "logs");
	cotrace_json_begin_object(w);
	key_uint(w, "total", total);
	key_uint(w, "kept_per_process", COTRACE_LOGS_KEPT_PER_PROCESS);
	cotrace_json_key(w, "processes");
	cotrace_json_begin_array(w);
	for (size_t i = 0; i < m->n_processes; i++) {
		const struct cotrace_process *p = &m->processes[i];

		if (!p->n_logs) {
			continue;
		}
		cotrace_json_begin_object(w);
		key_int(w, "pid", p->pid);
		key_uint(w, "records", p->n_logs);
		key_uint(w, "listed", p->n_logs_kept);
		cotrace_json_end_object(w);
	}
	cotrace_json_end_array(w);
	cotrace_json_key(w, "records");
	cotrace_json_begin_array(w);
	for (size_t k = 0; k < m->n_logs; k++) {
		const struct cotrace_log *l = &m->logs[order[k]];
		const char *level = cotrace_log_level_name(l->level);

		cotrace_json_begin_object(w);
		key_id(w, "pid", pid_of(m, l->process));
		key_id(w, "tid", tid_of(m, l->thread));
		key_str(w, "thread",
				l->thread < m->n_threads
						? m->threads[l->thread].name
						: NULL);
		key_ts(w, "ts_ns", l->ts_ns);
		key_str(w, "logger", l->logger);
		key_int(w, "level", l->level);
		key_str(w, "level_name", level);
		key_str(w, "msg", l->msg);
		key_bool(w, "msg_truncated", l->msg_truncated);
		cotrace_json_end_object(w);
	}
	cotrace_json_end_array(w);
	cotrace_json_end_object(w);
	free(order);
	return 0;
}

/*
 * What the lists above hold: a bounded model lists only the first tasks
 * and TLS accesses, and counts the rest here (and in the summaries).
 */
static void
write_listing(struct cotrace_json_writer *w, const struct cotrace_model *m)
{
	uint64_t tls = 0;

	for (size_t i = 0; i < m->n_threads; i++) {
		tls += m->threads[i].n_tls;
	}
	cotrace_json_key(w, "listing");
	cotrace_json_begin_object(w);
	key_bool(w, "complete", !m->tasks_omitted && !m->tls_omitted);
	key_uint(w, "tasks_listed", m->n_tasks);
	key_uint(w, "tasks_omitted", m->tasks_omitted);
	key_uint(w, "tls_listed", tls);
	key_uint(w, "tls_omitted", m->tls_omitted);
	cotrace_json_end_object(w);
}

/* Every (thread, key) of TLS, every access counted. */
static void
write_tls_keys(struct cotrace_json_writer *w, const struct cotrace_model *m)
{
	cotrace_json_key(w, "tls_keys");
	cotrace_json_begin_array(w);
	for (size_t i = 0; i < m->n_tls_keys; i++) {
		const struct cotrace_tls_key *k = &m->tls_keys[i];
		size_t t = k->thread;

		cotrace_json_begin_object(w);
		key_id(w, "tid", tid_of(m, t));
		key_id(w, "pid", t < m->n_threads ? pid_of(m, m->threads[t].process)
						  : -1);
		key_str(w, "key", k->key);
		key_uint(w, "writes", k->writes);
		key_uint(w, "reads", k->reads);
		cotrace_json_key(w, "last_value");
		if (k->last_value) {
			cotrace_json_string(w, k->last_value);
		} else {
			cotrace_json_null(w);
		}
		cotrace_json_key(w, "last_addr");
		if (k->last_value) {
			cotrace_json_uint(w, k->last_addr);
		} else {
			cotrace_json_null(w);
		}
		cotrace_json_end_object(w);
	}
	cotrace_json_end_array(w);
}

static void
write_warnings(struct cotrace_json_writer *w, const struct cotrace_model *m)
{
	cotrace_json_key(w, "warnings");
	cotrace_json_begin_array(w);
	for (size_t i = 0; i < m->n_warnings; i++) {
		const struct cotrace_warning *x = &m->warnings[i];

		cotrace_json_begin_object(w);
		key_str(w, "kind", cotrace_warning_kind_name(x->kind));
		key_str(w, "message", x->message);
		key_id(w, "pid", x->pid);
		key_id(w, "tid", x->tid);
		key_ts(w, "ts_ns", x->ts_ns);
		cotrace_json_end_object(w);
	}
	cotrace_json_end_array(w);
}

static int
render_json(FILE *out, const struct cotrace_model *model,
		const struct cotrace_metrics *metrics)
{
	struct cotrace_json_writer w;
	struct cotrace_hosts hosts;
	int status;

	status = cotrace_hosts_build(model, &hosts);
	if (status) {
		return status;
	}
	cotrace_json_writer_init(&w, out, true);
	cotrace_json_begin_object(&w);
	write_trace(&w, model, &hosts);
	cotrace_hosts_release(&hosts);
	write_summary(&w, model, metrics);
	write_processes(&w, model);
	write_threads(&w, model);
	write_tasks(&w, model);
	write_forks(&w, model);
	write_overlaps(&w, model, metrics);
	status = write_tls_check(&w, model);
	if (status) {
		return status;
	}
	status = write_logs(&w, model);
	if (status) {
		return status;
	}
	write_tls_keys(&w, model);
	write_listing(&w, model);
	write_warnings(&w, model);
	cotrace_json_end_object(&w);
	return cotrace_json_writer_finish(&w);
}

const struct cotrace_report_format cotrace_report_json = {
		.name = "json",
		.render = render_json,
};
