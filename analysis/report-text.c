/*
 * The text report: written to be read aloud, by students and by an
 * instructor on stage. Every section says what its figures mean. Output is
 * ASCII unless the locale is UTF-8 (then names keep their UTF-8); bytes a
 * terminal would interpret (control characters, invalid UTF-8) print as '?'.
 */
#include <errno.h>
#include <inttypes.h>
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>

#include "hosts.h"
#include "json-writer.h"
#include "report-common.h"
#include "report.h"

/* Longer lists are cut; `--format json` has everything. */
#define LIST_MAX 50
#define PROFILE_MAX 24
#define TLS_SHOWN_PER_THREAD 4
#define TREE_DEPTH_MAX 24
#define NAME_MAX_CHARS 40

struct text {
	FILE *out; /* borrowed */
	const struct cotrace_model *model;
	const struct cotrace_metrics *metrics;
	bool utf8;
	int64_t origin; /* offsets are relative to this time */
	struct cotrace_hosts hosts; /* owned: one group each when several */
};

/* Writes `s` as safe text, at most `max` characters ("..." when cut). */
static void
put_name(struct text *t, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len, i = 0, chars = 0;

	if (!s || !*s) {
		fputs("?", t->out);
		return;
	}
	len = strlen(s);
	while (i < len) {
		size_t bad = 1, seq;

		if (chars == max) {
			fputs("...", t->out);
			return;
		}
		seq = cotrace_utf8_sequence(p + i, len - i, &bad);
		if (seq == 1 && p[i] >= 0x20 && p[i] != 0x7f) {
			fputc(p[i], t->out);
		} else if (seq > 1 && t->utf8) {
			fwrite(p + i, 1, seq, t->out);
		} else {
			fputc('?', t->out);
		}
		i += seq ? seq : bad;
		chars++;
	}
}

static char *
dur(char *buf, size_t size, int64_t ns)
{
	return cotrace_format_duration(buf, size, ns);
}

static char *
cpu_dur(char *buf, size_t size, uint64_t cpu_ns)
{
	if (cpu_ns == COTRACE_CPU_NONE) {
		snprintf(buf, size, "?");
		return buf;
	}
	return dur(buf, size, cpu_ns > INT64_MAX ? INT64_MAX : (int64_t)cpu_ns);
}

static char *
wall(char *buf, size_t size, int64_t start, int64_t end)
{
	if (start == COTRACE_TS_NONE || end == COTRACE_TS_NONE) {
		snprintf(buf, size, "?");
		return buf;
	}
	return dur(buf, size, cotrace_ts_sub(end, start));
}

/* "+1.20 ms": time since the first event. */
static char *
offset(struct text *t, char *buf, size_t size, int64_t ts)
{
	char d[24];

	if (ts == COTRACE_TS_NONE || t->origin == COTRACE_TS_NONE) {
		snprintf(buf, size, "?");
		return buf;
	}
	if (ts == t->origin) {
		snprintf(buf, size, "+0 ms");
		return buf;
	}
	dur(d, sizeof(d), cotrace_ts_sub(ts, t->origin));
	snprintf(buf, size, "%s%s", ts >= t->origin ? "+" : "", d);
	return buf;
}

static void
heading(struct text *t, const char *title)
{
	fprintf(t->out, "\n%s\n", title);
	for (size_t i = 0; title[i]; i++) {
		fputc('-', t->out);
	}
	fputc('\n', t->out);
}

static void
render_header(struct text *t)
{
	const struct cotrace_model *m = t->model;

	fputs("cotrace report\n==============\n", t->out);
	/* Under the babeltrace2 CLI the sink is not told the paths: no line. */
	if (m->n_paths == 1) {
		fputs("Trace read: ", t->out);
		put_name(t, m->paths[0], SIZE_MAX);
		fputc('\n', t->out);
	} else if (m->n_paths > 1) {
		fprintf(t->out, "Traces read: %zu\n", m->n_paths);
		for (size_t i = 0; i < m->n_paths; i++) {
			fputs("  ", t->out);
			put_name(t, m->paths[i], SIZE_MAX);
			fputc('\n', t->out);
		}
	}
	if (t->hosts.n > 1) {
		fprintf(t->out, "Hosts: %zu (", t->hosts.n);
		for (size_t i = 0; i < t->hosts.n; i++) {
			fputs(i ? ", " : "", t->out);
			put_name(t, cotrace_host_name(&t->hosts.hosts[i]),
					NAME_MAX_CHARS);
		}
		fputs("), on one time axis\n", t->out);
	}
	fprintf(t->out,
			"Events: %" PRIu64 " in total, %" PRIu64
			" of them cotrace events\n",
			m->events, m->cotrace_events);
	if (m->lost_events > 0) {
		fprintf(t->out,
				"Lost events: %" PRIu64
				" (the tracer's buffers "
				"were full; the figures below may miss "
				"something)\n",
				m->lost_events);
	} else if (m->n_lost > 0) {
		fprintf(t->out,
				"Lost events: some, the tracer did not say how "
				"many (%zu report%s; the figures below may "
				"miss "
				"something)\n",
				m->n_lost, m->n_lost == 1 ? "" : "s");
	} else {
		fputs("Lost events: 0\n", t->out);
	}
}

/* ---- the fork tree ---- */

struct tree {
	size_t *first_child; /* per process, SIZE_MAX if none */
	size_t *next_sibling;
	size_t *child_fork;    /* the fork that made the process, or SIZE_MAX */
	size_t *missing_start; /* CSR of forks whose child was never seen */
	size_t *missing;
	bool *visited;
	bool last[TREE_DEPTH_MAX + 1];
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

/*
 * The tree's left margin. A process line ends in "|-- " or "`-- "; a detail
 * line under a process continues the lines of the levels above it, and a
 * "|" leading down to the process's own children when it has some.
 */
static void
tree_prefix(struct text *t, struct tree *tr, size_t depth, bool detail,
		bool has_children)
{
	size_t d = depth > TREE_DEPTH_MAX ? TREE_DEPTH_MAX : depth;

	fputs("  ", t->out);
	for (size_t l = 1; l <= d; l++) {
		if (l == d && !detail) {
			fputs(tr->last[l] ? "`-- " : "|-- ", t->out);
		} else {
			fputs(tr->last[l] ? "    " : "|   ", t->out);
		}
	}
	if (detail) {
		fputs(has_children ? "|   " : "    ", t->out);
	}
}

static void
render_process_line(struct text *t, struct tree *tr, size_t i, size_t depth)
{
	const struct cotrace_process *p = &t->model->processes[i];
	char a[32], b[32], c[32];

	tree_prefix(t, tr, depth, false, false);
	fprintf(t->out, "pid %" PRId64 " ", p->pid);
	put_name(t, p->name, NAME_MAX_CHARS);
	fprintf(t->out, "  started %s  wall %s  CPU %s  ",
			offset(t, a, sizeof(a), p->start_ns),
			wall(b, sizeof(b), p->start_ns, p->end_ns),
			cpu_dur(c, sizeof(c), cotrace_process_cpu_ns(p)));
	if (p->exit_seen) {
		fprintf(t->out, "exit %" PRId64, p->exit_status);
	} else {
		fputs("exit ?", t->out);
	}
	if (!p->start_seen && !p->exit_seen) {
		fputs("  [incomplete: neither start nor exit seen]", t->out);
	} else if (!p->start_seen) {
		fputs("  [incomplete: start not seen]", t->out);
	} else if (!p->exit_seen) {
		fputs("  [incomplete: exit not seen]", t->out);
	}
	if (depth > TREE_DEPTH_MAX) {
		fprintf(t->out, "  (depth %zu)", depth);
	}
	fputc('\n', t->out);
}

static void
render_process_details(struct text *t, struct tree *tr, size_t i, size_t depth,
		bool has_children)
{
	const struct cotrace_model *m = t->model;
	const struct cotrace_process *p = &m->processes[i];
	size_t f = tr->child_fork[i];
	char a[32];

	if (f != SIZE_MAX) {
		const struct cotrace_fork *fk = &m->forks[f];

		tree_prefix(t, tr, depth, true, has_children);
		fprintf(t->out, "fork() returned %" PRId64 " in the parent, ",
				fk->parent_ret);
		if (fk->child_ret == -1 && !p->start_seen) {
			fputs("? in the child", t->out);
		} else {
			fprintf(t->out, "%" PRId64 " in the child",
					fk->child_ret);
		}
		if (fk->threads_alive > 1) {
			fprintf(t->out,
					" (forked while %" PRId64 " threads "
					"were alive in the parent)",
					fk->threads_alive);
		}
		fputc('\n', t->out);
	} else if (p->parent != SIZE_MAX && p->fork_ret == 0) {
		tree_prefix(t, tr, depth, true, has_children);
		fputs("fork() returned 0 in the child (the parent's fork event "
		      "was not recorded)\n",
				t->out);
	}
	for (size_t k = tr->missing_start[i]; k < tr->missing_start[i + 1];
			k++) {
		const struct cotrace_fork *fk = &m->forks[tr->missing[k]];

		tree_prefix(t, tr, depth, true, has_children);
		fprintf(t->out,
				"forked at %s: fork() returned %" PRId64
				" here, but that child never appeared in the "
				"trace\n",
				offset(t, a, sizeof(a), fk->ts_ns),
				fk->parent_ret);
	}
}

/* Depth-first from `root`, with an explicit stack: fork chains can be long. */
static int
render_subtree(struct text *t, struct tree *tr, size_t root)
{
	const struct cotrace_model *m = t->model;
	struct frame {
		size_t process;
		size_t depth;
		bool last;
	} * stack;
	size_t top = 0;

	/* Each process is pushed at most once (visited), so n frames suffice.
	 */
	stack = malloc(m->n_processes * sizeof(*stack));
	if (!stack) {
		return -ENOMEM;
	}
	stack[top++] = (struct frame){root, 0, true};
	tr->visited[root] = true;
	while (top > 0) {
		struct frame fr = stack[--top];
		size_t n_children = 0, k;

		if (fr.depth <= TREE_DEPTH_MAX) {
			tr->last[fr.depth] = fr.last;
		}
		for (size_t c = tr->first_child[fr.process]; c != SIZE_MAX;
				c = tr->next_sibling[c]) {
			if (!tr->visited[c]) {
				n_children++;
			}
		}
		render_process_line(t, tr, fr.process, fr.depth);
		render_process_details(
				t, tr, fr.process, fr.depth, n_children > 0);

		/*
		 * The earliest child goes on top of the stack so that it comes
		 * out first; the latest, at the bottom, is the last sibling.
		 */
		k = top + n_children;
		for (size_t c = tr->first_child[fr.process]; c != SIZE_MAX;
				c = tr->next_sibling[c]) {
			if (tr->visited[c]) {
				continue;
			}
			tr->visited[c] = true;
			stack[--k] = (struct frame){c, fr.depth + 1, false};
		}
		if (n_children > 0) {
			stack[top].last = true;
		}
		top += n_children;
	}
	free(stack);
	return 0;
}

static int
render_tree(struct text *t)
{
	const struct cotrace_model *m = t->model;
	size_t n = m->n_processes;
	struct tree tr = {0};
	size_t *order = NULL, *last_child = NULL;
	int status = 0;

	heading(t, "Fork tree (who started whom, root first)");
	if (n == 0) {
		fputs("  No process was recorded.\n", t->out);
		return 0;
	}
	tr.first_child = malloc(n * sizeof(size_t));
	tr.next_sibling = malloc(n * sizeof(size_t));
	tr.child_fork = malloc(n * sizeof(size_t));
	tr.missing_start = calloc(n + 1, sizeof(size_t));
	tr.missing = malloc((m->n_forks ? m->n_forks : 1) * sizeof(size_t));
	tr.visited = calloc(n, sizeof(bool));
	order = malloc(n * sizeof(size_t));
	last_child = malloc(n * sizeof(size_t));
	if (!tr.first_child || !tr.next_sibling || !tr.child_fork ||
			!tr.missing_start || !tr.missing || !tr.visited ||
			!order || !last_child) {
		status = -ENOMEM;
		goto end;
	}
	for (size_t i = 0; i < n; i++) {
		tr.first_child[i] = SIZE_MAX;
		tr.next_sibling[i] = SIZE_MAX;
		tr.child_fork[i] = SIZE_MAX;
		last_child[i] = SIZE_MAX;
		order[i] = i;
	}
	for (size_t f = 0; f < m->n_forks; f++) {
		const struct cotrace_fork *fk = &m->forks[f];

		if (fk->child < n) {
			if (tr.child_fork[fk->child] == SIZE_MAX) {
				tr.child_fork[fk->child] = f;
			}
		} else if (fk->parent < n) {
			tr.missing_start[fk->parent + 1]++;
		}
	}
	for (size_t i = 0; i < n; i++) {
		tr.missing_start[i + 1] += tr.missing_start[i];
	}
	{
		size_t *fill = last_child; /* reused as a cursor per parent */

		for (size_t i = 0; i < n; i++) {
			fill[i] = tr.missing_start[i];
		}
		for (size_t f = 0; f < m->n_forks; f++) {
			const struct cotrace_fork *fk = &m->forks[f];

			if (fk->child >= n && fk->parent < n) {
				tr.missing[fill[fk->parent]++] = f;
			}
		}
		for (size_t i = 0; i < n; i++) {
			last_child[i] = SIZE_MAX;
		}
	}

	/* Children lists in start order, so the tree reads chronologically. */
	qsort_r(order, n, sizeof(*order), cmp_process_start, m->processes);
	for (size_t k = 0; k < n; k++) {
		size_t i = order[k];
		size_t parent = m->processes[i].parent;

		if (parent >= n || parent == i) {
			continue;
		}
		if (last_child[parent] == SIZE_MAX) {
			tr.first_child[parent] = i;
		} else {
			tr.next_sibling[last_child[parent]] = i;
		}
		last_child[parent] = i;
	}
	/* One group per host when there are several (forks stay in one). */
	for (size_t h = 0; h < (t->hosts.n > 1 ? t->hosts.n : 1); h++) {
		bool grouped = t->hosts.n > 1;

		if (grouped) {
			const struct cotrace_host *ho = &t->hosts.hosts[h];

			fprintf(t->out, "%shost ", h ? "\n" : "");
			put_name(t, cotrace_host_name(ho), NAME_MAX_CHARS);
			fprintf(t->out,
					": %zu process%s, %zu thread%s, %zu "
					"task%s\n",
					ho->n_processes,
					ho->n_processes == 1 ? "" : "es",
					ho->n_threads,
					ho->n_threads == 1 ? "" : "s",
					ho->n_tasks, ho->n_tasks == 1 ? "" : "s");
		}
		for (size_t k = 0; k < n && status == 0; k++) {
			size_t i = order[k];
			size_t parent = m->processes[i].parent;

			if (grouped && t->hosts.of_process[i] != h) {
				continue;
			}
			if (parent >= n || parent == i) {
				status = render_subtree(t, &tr, i);
			}
		}
		/* Whatever a parent cycle hid from the roots, shown as roots. */
		for (size_t k = 0; k < n && status == 0; k++) {
			if (grouped && t->hosts.of_process[order[k]] != h) {
				continue;
			}
			if (!tr.visited[order[k]]) {
				status = render_subtree(t, &tr, order[k]);
			}
		}
	}

end:
	free(tr.first_child);
	free(tr.next_sibling);
	free(tr.child_fork);
	free(tr.missing_start);
	free(tr.missing);
	free(tr.visited);
	free(order);
	free(last_child);
	return status;
}

/* " on HOST" after a pid, when the traces are of several hosts. */
static void
put_host(struct text *t, size_t process)
{
	if (t->hosts.n <= 1 || process >= t->model->n_processes) {
		return;
	}
	fputs(" on ", t->out);
	put_name(t,
			cotrace_host_name(&t->hosts.hosts[t->hosts.of_process
							[process]]),
			NAME_MAX_CHARS);
}

/* ---- units and metrics ---- */

static void
render_units(struct text *t)
{
	const struct cotrace_model *m = t->model;
	const struct cotrace_metrics *mt = t->metrics;
	size_t n = cotrace_report_unit_count(m, mt);
	char title[96], a[32], b[32], c[32];

	snprintf(title, sizeof(title), "Units: %zu %s", mt->units,
			cotrace_unit_name(mt->unit, mt->units));
	heading(t, title);
	if (mt->unit == COTRACE_UNIT_TASK) {
		fputs("  The trace has tasks, so the tasks are what is "
		      "compared.\n",
				t->out);
	} else {
		fputs("  The trace has no tasks, so each process is one "
		      "unit.\n",
				t->out);
	}
	for (size_t i = 0; i < n && i < LIST_MAX; i++) {
		if (mt->unit == COTRACE_UNIT_TASK) {
			const struct cotrace_task *k = &m->tasks[i];
			int64_t pid = -1, tid = -1;

			if (k->process < m->n_processes) {
				pid = m->processes[k->process].pid;
			}
			if (k->thread < m->n_threads) {
				tid = m->threads[k->thread].tid;
			}
			fprintf(t->out, "  task %" PRIu64 " \"", k->id);
			put_name(t, k->label, NAME_MAX_CHARS);
			fprintf(t->out, "\"  pid %" PRId64 " tid %" PRId64,
					pid, tid);
			put_host(t, k->process);
			fprintf(t->out, "  started %s  wall %s  CPU %s%s\n",
					offset(t, a, sizeof(a), k->start_ns),
					wall(b, sizeof(b), k->start_ns,
							k->end_ns),
					cpu_dur(c, sizeof(c), k->cpu_ns),
					k->end_ns == COTRACE_TS_NONE
							? "  [unfinished]"
							: "");
		} else {
			const struct cotrace_process *p = &m->processes[i];

			fprintf(t->out, "  pid %" PRId64 " ", p->pid);
			put_name(t, p->name, NAME_MAX_CHARS);
			put_host(t, i);
			fprintf(t->out, "  started %s  wall %s  CPU %s\n",
					offset(t, a, sizeof(a), p->start_ns),
					wall(b, sizeof(b), p->start_ns,
							p->end_ns),
					cpu_dur(c, sizeof(c), cotrace_process_cpu_ns(p)));
		}
	}
	if (m->tasks_omitted && mt->unit == COTRACE_UNIT_TASK) {
		fprintf(t->out,
				"  ... and %zu more (--format json lists the "
				"first %zu)\n",
				mt->units - (n < LIST_MAX ? n : LIST_MAX), n);
	} else if (n > LIST_MAX) {
		fprintf(t->out,
				"  ... and %zu more (all of them in "
				"--format json)\n",
				n - LIST_MAX);
	}
}

static void
render_metrics(struct text *t)
{
	const struct cotrace_metrics *mt = t->metrics;
	struct cotrace_verdict v;
	char a[32];

	heading(t, "Parallelism");
	fprintf(t->out,
			"  span             %-11s first unit start to last "
			"unit finish\n",
			dur(a, sizeof(a), mt->span_ns));
	fprintf(t->out,
			"  busy             %-11s sum of the units' wall "
			"times\n",
			dur(a, sizeof(a), mt->busy_ns));
	fprintf(t->out,
			"  cpu              %-11s sum of the units' CPU "
			"times",
			cpu_dur(a, sizeof(a), mt->cpu_ns));
	if (mt->units_without_cpu > 0) {
		fprintf(t->out, " (unknown for %zu of them)",
				mt->units_without_cpu);
	}
	fputc('\n', t->out);
	fprintf(t->out,
			"  parallelism      %-11.2f busy / span: units alive "
			"at once, on average\n",
			mt->parallelism);
	fprintf(t->out,
			"  cpu_parallelism  %-11.2f cpu / span: units on a "
			"CPU at once, on average\n",
			mt->cpu_parallelism);
	fprintf(t->out,
			"  max concurrency  %-11zu most units running at the "
			"same moment\n",
			mt->max_concurrency);

	if (mt->profile_ns && mt->span_ns > 0) {
		size_t shown = 0;

		fputs("  Concurrency profile (time with k units running, % of "
		      "span):\n",
				t->out);
		for (size_t k = 0; k <= mt->max_concurrency; k++) {
			if (mt->profile_ns[k] == 0 && k != 0 &&
					k != mt->max_concurrency) {
				continue;
			}
			if (shown++ == PROFILE_MAX) {
				fputs("    ...\n", t->out);
				break;
			}
			fprintf(t->out, "    %3zu running  %11s  %5.1f %%\n", k,
					dur(a, sizeof(a), mt->profile_ns[k]),
					100.0 * (double)mt->profile_ns[k] /
							(double)mt->span_ns);
		}
	}

	cotrace_report_verdict(t->model, mt, &v);
	fputs("\nVerdict: ", t->out);
	fputs(v.text, t->out);
	fputc('\n', t->out);
}

static void
render_overlaps(struct text *t)
{
	const struct cotrace_model *m = t->model;
	const struct cotrace_metrics *mt = t->metrics;
	char a[32];

	if (mt->n_overlaps == 0) {
		return;
	}
	heading(t, "Process overlaps (how long each pair ran at the same "
		   "time)");
	for (size_t i = 0; i < mt->n_overlaps && i < LIST_MAX; i++) {
		const struct cotrace_overlap *o = &mt->overlaps[i];

		if (o->a >= m->n_processes || o->b >= m->n_processes) {
			continue;
		}
		fprintf(t->out, "  pid %" PRId64, m->processes[o->a].pid);
		put_host(t, o->a);
		fprintf(t->out, " and pid %" PRId64, m->processes[o->b].pid);
		put_host(t, o->b);
		fputs(": ", t->out);
		if (o->overlap_ns <= 0) {
			fputs("did not overlap\n", t->out);
		} else {
			fprintf(t->out,
					"%s together, %.0f %% of the shorter "
					"one\n",
					dur(a, sizeof(a), o->overlap_ns),
					100.0 * o->fraction);
		}
	}
	if (mt->n_overlaps > LIST_MAX) {
		fprintf(t->out, "  ... and %zu more pairs\n",
				mt->n_overlaps - LIST_MAX);
	}
}

/* ---- threads ---- */

/*
 * A bounded model did not list every access: each key of the thread with
 * its counts and its last value instead.
 */
static void
render_tls_keys(struct text *t, size_t thread)
{
	const struct cotrace_model *m = t->model;
	size_t shown = 0, more = 0;

	for (size_t k = 0; k < m->n_tls_keys; k++) {
		const struct cotrace_tls_key *key = &m->tls_keys[k];

		if (key->thread != thread) {
			continue;
		}
		if (shown == TLS_SHOWN_PER_THREAD) {
			more++;
			continue;
		}
		fputs("  TLS key ", t->out);
		put_name(t, key->key, NAME_MAX_CHARS);
		fprintf(t->out, ": %" PRIu64 " write%s, %" PRIu64 " read%s",
				key->writes, key->writes == 1 ? "" : "s",
				key->reads, key->reads == 1 ? "" : "s");
		if (key->last_value) {
			fputs(", last ", t->out);
			put_name(t, key->last_value, NAME_MAX_CHARS);
			fprintf(t->out, " @0x%" PRIx64, key->last_addr);
		}
		fputc('\n', t->out);
		shown++;
	}
	if (more) {
		fprintf(t->out, "  ... and %zu more keys (in --format json)\n",
				more);
	}
}

static int
render_threads(struct text *t)
{
	const struct cotrace_model *m = t->model;
	struct cotrace_tls_check check;
	char sentence[512], a[32];
	uint64_t example = 0;
	int status;

	heading(t, "Threads (who was who)");
	if (m->n_threads == 0) {
		fputs("  No thread was recorded.\n", t->out);
	} else {
		fprintf(t->out, "  %8s %8s  %-18s %-11s %s\n", "tid", "pid",
				"pthread_id", "CPU", "name");
	}
	for (size_t i = 0; i < m->n_threads && i < LIST_MAX; i++) {
		const struct cotrace_thread *th = &m->threads[i];
		int64_t pid = th->process < m->n_processes
					      ? m->processes[th->process].pid
					      : -1;
		char pthread[32];
		size_t shown = 0, writes = 0;

		if (th->pthread_id) {
			snprintf(pthread, sizeof(pthread), "0x%" PRIx64,
					th->pthread_id);
			if (!example) {
				example = th->pthread_id;
			}
		} else {
			snprintf(pthread, sizeof(pthread), "?");
		}
		fprintf(t->out, "  %8" PRId64 " %8" PRId64 "  %-18s %-11s ",
				th->tid, pid, pthread,
				cpu_dur(a, sizeof(a), th->cpu_ns));
		put_name(t, th->name, NAME_MAX_CHARS);
		fputc('\n', t->out);
		for (size_t k = 0; k < th->n_tls; k++) {
			const struct cotrace_tls_access *x = &th->tls[k];

			if (x->is_read) {
				continue;
			}
			if (writes++ >= TLS_SHOWN_PER_THREAD) {
				continue;
			}
			fputs(shown++ ? ", " : "  TLS writes: ", t->out);
			put_name(t, x->key, NAME_MAX_CHARS);
			fputc('=', t->out);
			put_name(t, x->value, NAME_MAX_CHARS);
			fprintf(t->out, " @0x%" PRIx64, x->addr);
		}
		/* A bounded model listed only the first: it counted all. */
		if (m->tls_omitted && th->tls_writes > writes) {
			writes = th->tls_writes;
		}
		if (writes > TLS_SHOWN_PER_THREAD) {
			fprintf(t->out, " (+%zu more)",
					writes - TLS_SHOWN_PER_THREAD);
		}
		if (shown) {
			fputc('\n', t->out);
		}
		if (m->tls_omitted) {
			render_tls_keys(t, i);
		}
	}
	if (m->n_threads > LIST_MAX) {
		fprintf(t->out,
				"  ... and %zu more (all of them in "
				"--format json)\n",
				m->n_threads - LIST_MAX);
	}
	if (example) {
		fprintf(t->out,
				"  pthread_id is pthread_self(); Python's "
				"threading.get_ident() prints the same number "
				"in decimal "
				"(0x%" PRIx64 " = %" PRIu64 ").\n",
				example, example);
	}

	status = cotrace_report_tls_check(m, &check);
	if (status) {
		return status;
	}
	cotrace_report_tls_sentence(&check, sentence, sizeof(sentence));
	fputs("  ", t->out);
	put_name(t, sentence, SIZE_MAX);
	fputc('\n', t->out);
	return 0;
}

/* ---- Python logging records ---- */

/*
 * The LTTng-UST Python agent's records, per process and in time order:
 * the model keeps each process's first ones and counts the rest.
 */
static int
render_logs(struct text *t)
{
	const struct cotrace_model *m = t->model;
	uint64_t total = 0;
	size_t *order, shown_processes = 0;
	size_t prev = SIZE_MAX;
	char title[96], a[32];
	int status;

	for (size_t i = 0; i < m->n_processes; i++) {
		total += m->processes[i].n_logs;
	}
	if (total == 0) {
		return 0;
	}
	order = cotrace_report_logs_by_process(m, &status);
	if (status) {
		return status;
	}
	snprintf(title, sizeof(title),
			"Python logging records (%" PRIu64 ", LTTng-UST agent)",
			total);
	heading(t, title);
	for (size_t k = 0; k < m->n_logs; k++) {
		const struct cotrace_log *l = &m->logs[order[k]];
		const struct cotrace_process *p;
		const char *level;

		if (l->process >= m->n_processes) {
			continue;
		}
		p = &m->processes[l->process];
		if (l->process != prev) {
			if (shown_processes++ == LIST_MAX) {
				fputs("  ... and more processes (all of them in "
				      "--format json)\n",
						t->out);
				break;
			}
			prev = l->process;
			fprintf(t->out, "  pid %" PRId64 " ", p->pid);
			put_name(t, p->name, NAME_MAX_CHARS);
			fprintf(t->out, ": %" PRIu64 " record%s", p->n_logs,
					p->n_logs == 1 ? "" : "s");
			if (p->n_logs > p->n_logs_kept) {
				fprintf(t->out,
						" (the first %" PRIu64
						" listed)",
						p->n_logs_kept);
			}
			fputc('\n', t->out);
		}
		level = cotrace_log_level_name(l->level);
		fprintf(t->out, "    %10s  tid %" PRId64 " ",
				offset(t, a, sizeof(a), l->ts_ns),
				l->thread < m->n_threads
						? m->threads[l->thread].tid
						: -1);
		if (l->thread < m->n_threads) {
			put_name(t, m->threads[l->thread].name,
					NAME_MAX_CHARS);
		}
		if (level) {
			fprintf(t->out, "  %s ", level);
		} else {
			fprintf(t->out, "  level %" PRId64 " ", l->level);
		}
		put_name(t, l->logger, NAME_MAX_CHARS);
		fputs(": ", t->out);
		put_name(t, l->msg, SIZE_MAX);
		if (l->msg_truncated) {
			fputs(" [...]", t->out);
		}
		fputc('\n', t->out);
		/* The last kept record of a process: say what was not kept. */
		if ((k + 1 == m->n_logs ||
				    m->logs[order[k + 1]].process != l->process) &&
				p->n_logs > p->n_logs_kept) {
			fprintf(t->out,
					"    ... and %" PRIu64
					" more records of pid %" PRId64
					" (counted, not kept)\n",
					p->n_logs - p->n_logs_kept, p->pid);
		}
	}
	free(order);
	return 0;
}

static void
render_warnings(struct text *t)
{
	const struct cotrace_model *m = t->model;
	char title[48];

	if (m->n_warnings == 0) {
		heading(t, "Warnings: none");
		return;
	}
	snprintf(title, sizeof(title), "Warnings (%zu)", m->n_warnings);
	heading(t, title);
	for (size_t i = 0; i < m->n_warnings; i++) {
		fprintf(t->out, "  [%s] ",
				cotrace_warning_kind_name(m->warnings[i].kind));
		put_name(t, m->warnings[i].message, SIZE_MAX);
		fputc('\n', t->out);
	}
}

static int
render_text(FILE *out, const struct cotrace_model *model,
		const struct cotrace_metrics *metrics)
{
	const char *codeset = nl_langinfo(CODESET);
	struct text t = {
			.out = out,
			.model = model,
			.metrics = metrics,
			.utf8 = codeset && !strcmp(codeset, "UTF-8"),
			.origin = model->first_ns,
	};
	int status;

	if (t.origin == COTRACE_TS_NONE) {
		t.origin = metrics->start_ns;
	}
	status = cotrace_hosts_build(model, &t.hosts);
	if (status) {
		return status;
	}
	errno = 0;
	render_header(&t);
	status = render_tree(&t);
	if (status) {
		goto end;
	}
	render_units(&t);
	render_metrics(&t);
	render_overlaps(&t);
	status = render_threads(&t);
	if (status) {
		goto end;
	}
	status = render_logs(&t);
	if (status) {
		return status;
	}
	render_warnings(&t);
	if (fflush(out) != 0 || ferror(out)) {
		status = errno ? -errno : -EIO;
	}
end:
	cotrace_hosts_release(&t.hosts);
	return status;
}

const struct cotrace_report_format cotrace_report_text = {
		.name = "text",
		.render = render_text,
};
