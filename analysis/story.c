/*
 * The story of a run (story.h): every moment the model knows becomes an
 * item, the items are sorted by time, and each is told in one sentence.
 * Memory grows with what the model holds (processes, threads, tasks, forks,
 * TLS accesses), never with the other events.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hosts.h"
#include "report-common.h"
#include "safe-text.h"
#include "story.h"

#define NAME_MAX_CHARS 40
#define VALUE_MAX_CHARS 60

/* At one time, the order in which things are told. */
enum item_kind {
	I_LOST,
	I_FORK,
	I_PROC_START,
	I_THREAD_START,
	I_TASK_FINISH, /* before a start at the same time: half-open intervals
			*/
	I_TASK_START,
	I_TLS,
	I_THREAD_EXIT,
	I_PROC_EXIT,
	I_WARNING,
	I_TIMELESS_WARNING, /* after everything, before the verdict */
};

struct item {
	int64_t ts;
	enum item_kind kind;
	size_t index; /* into the model array of its kind */
	size_t sub;   /* I_TLS: the access in the thread's tls[] */
	size_t seq;   /* ties: the order items were made in */
};

/* A TLS write's slot, to tell whether another thread wrote it too. */
struct slot_ref {
	size_t process;
	const char *key;
	uint64_t addr;
	size_t thread;
};

struct story {
	FILE *out; /* borrowed */
	const struct cotrace_model *model;
	bool utf8;
	int64_t origin;
	struct item *items; /* owned */
	size_t n_items, cap_items;
	struct slot_ref *slots; /* owned, sorted */
	size_t n_slots;
	/*
	 * Per TLS access, for a read: what its thread last wrote to that key
	 * before it, NULL if nothing (borrowed from the model). Thread t's
	 * accesses start at mine[first_access[t]].
	 */
	const char **mine;    /* owned */
	size_t *first_access; /* owned */
};

static int
add_item(struct story *s, int64_t ts, enum item_kind kind, size_t index,
		size_t sub)
{
	if (s->n_items == s->cap_items) {
		size_t cap = s->cap_items ? 2 * s->cap_items : 64;
		struct item *p = realloc(s->items, cap * sizeof(*p));

		if (!p) {
			return -ENOMEM;
		}
		s->items = p;
		s->cap_items = cap;
	}
	s->items[s->n_items] = (struct item){ts, kind, index, sub, s->n_items};
	s->n_items++;
	return 0;
}

static int
cmp_item(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;
	bool ta = a->kind == I_TIMELESS_WARNING,
	     tb = b->kind == I_TIMELESS_WARNING;

	if (ta != tb) {
		return ta ? 1 : -1;
	}
	if (a->ts != b->ts) {
		return a->ts < b->ts ? -1 : 1;
	}
	if (a->kind != b->kind) {
		return a->kind < b->kind ? -1 : 1;
	}
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static bool
is_main_thread(const struct cotrace_model *m, size_t t)
{
	const struct cotrace_thread *th = &m->threads[t];

	return th->process < m->n_processes &&
	       th->tid == m->processes[th->process].pid;
}

static int
collect(struct story *s)
{
	const struct cotrace_model *m = s->model;
	int status = 0;

	for (size_t i = 0; i < m->n_processes && !status; i++) {
		const struct cotrace_process *p = &m->processes[i];

		status = add_item(s, p->start_ns, I_PROC_START, i, 0);
		if (!status) {
			status = add_item(s, p->end_ns, I_PROC_EXIT, i, 0);
		}
	}
	for (size_t i = 0; i < m->n_threads && !status; i++) {
		const struct cotrace_thread *t = &m->threads[i];

		if (!is_main_thread(m, i)) {
			status = add_item(s, t->start_ns, I_THREAD_START, i, 0);
			if (!status && t->exit_seen) {
				status = add_item(s, t->end_ns, I_THREAD_EXIT,
						i, 0);
			}
		}
		for (size_t k = 0; k < t->n_tls && !status; k++) {
			status = add_item(s, t->tls[k].ts_ns, I_TLS, i, k);
		}
	}
	for (size_t i = 0; i < m->n_tasks && !status; i++) {
		const struct cotrace_task *t = &m->tasks[i];

		status = add_item(s, t->start_ns, I_TASK_START, i, 0);
		if (!status && t->end_ns != COTRACE_TS_NONE) {
			status = add_item(s, t->end_ns, I_TASK_FINISH, i, 0);
		}
	}
	for (size_t i = 0; i < m->n_forks && !status; i++) {
		status = add_item(s, m->forks[i].ts_ns, I_FORK, i, 0);
	}
	for (size_t i = 0; i < m->n_lost && !status; i++) {
		const struct cotrace_lost *lo = &m->lost[i];
		int64_t ts = lo->begin_ns != COTRACE_TS_NONE ? lo->begin_ns
							     : lo->end_ns;

		status = add_item(s, ts,
				ts == COTRACE_TS_NONE ? I_TIMELESS_WARNING
						      : I_LOST,
				i, 1);
	}
	for (size_t i = 0; i < m->n_warnings && !status; i++) {
		const struct cotrace_warning *w = &m->warnings[i];

		/* The lost-span sentences already tell these. */
		if (w->kind == COTRACE_WARN_EVENTS_LOST) {
			continue;
		}
		status = add_item(s, w->ts_ns,
				w->ts_ns == COTRACE_TS_NONE ? I_TIMELESS_WARNING
							    : I_WARNING,
				i, 0);
	}
	return status;
}

/* ---- TLS slots ---- */

static int
cmp_str(const char *a, const char *b)
{
	if (a == b) {
		return 0;
	}
	return strcmp(a ? a : "", b ? b : "");
}

static int
cmp_slot(const void *pa, const void *pb)
{
	const struct slot_ref *a = pa, *b = pb;
	int c;

	if (a->process != b->process) {
		return a->process < b->process ? -1 : 1;
	}
	c = cmp_str(a->key, b->key);
	if (c) {
		return c;
	}
	if (a->addr != b->addr) {
		return a->addr < b->addr ? -1 : 1;
	}
	return a->thread < b->thread ? -1 : a->thread > b->thread;
}

static int
collect_slots(struct story *s)
{
	const struct cotrace_model *m = s->model;
	size_t n = 0;

	for (size_t t = 0; t < m->n_threads; t++) {
		for (size_t k = 0; k < m->threads[t].n_tls; k++) {
			n += !m->threads[t].tls[k].is_read;
		}
	}
	if (n == 0) {
		return 0;
	}
	s->slots = malloc(n * sizeof(*s->slots));
	if (!s->slots) {
		return -ENOMEM;
	}
	for (size_t t = 0; t < m->n_threads; t++) {
		const struct cotrace_thread *th = &m->threads[t];

		for (size_t k = 0; k < th->n_tls; k++) {
			if (!th->tls[k].is_read) {
				s->slots[s->n_slots++] = (struct slot_ref){
						th->process, th->tls[k].key,
						th->tls[k].addr, t};
			}
		}
	}
	qsort(s->slots, s->n_slots, sizeof(*s->slots), cmp_slot);
	return 0;
}

/* Orders slot refs by slot, ignoring the thread. */
static int
cmp_group(const struct slot_ref *a, const struct slot_ref *b)
{
	int c;

	if (a->process != b->process) {
		return a->process < b->process ? -1 : 1;
	}
	c = cmp_str(a->key, b->key);
	if (c) {
		return c;
	}
	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

/* The first ref whose slot compares above `want` (`above`) or not below. */
static size_t
slot_bound(const struct story *s, const struct slot_ref *want, bool above)
{
	size_t lo = 0, hi = s->n_slots;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_group(&s->slots[mid], want);

		if (c < 0 || (above && c == 0)) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

/*
 * Another thread of the process that wrote the same key at the same slot,
 * or SIZE_MAX. A slot's refs are sorted by thread: its first and last
 * differ exactly when two threads wrote it.
 */
static size_t
slot_sharer(const struct story *s, size_t thread, const char *key,
		uint64_t addr)
{
	struct slot_ref want = {
			s->model->threads[thread].process, key, addr, 0};
	size_t lo = slot_bound(s, &want, false);
	size_t hi = slot_bound(s, &want, true);
	size_t first, last;

	if (hi - lo < 2) {
		return SIZE_MAX;
	}
	first = s->slots[lo].thread;
	last = s->slots[hi - 1].thread;
	if (first == last) {
		return SIZE_MAX;
	}
	return thread == first ? last : first;
}

/* ---- sentences ---- */

static void
put_safe(struct story *s, const char *text, size_t max)
{
	char *safe = cotrace_safe_strdup(text, max, s->utf8, NULL);

	/* Out of memory for a name: a '?' tells the line all the same. */
	fputs(safe && *safe ? safe : "?", s->out);
	free(safe);
}

static void
put_offset(struct story *s, int64_t ts)
{
	char d[32], buf[40];

	if (ts == COTRACE_TS_NONE || s->origin == COTRACE_TS_NONE) {
		snprintf(buf, sizeof(buf), "at the end");
	} else if (ts == s->origin) {
		snprintf(buf, sizeof(buf), "+0 ms");
	} else {
		cotrace_format_duration(d, sizeof(d), cotrace_ts_sub(ts, s->origin));
		snprintf(buf, sizeof(buf), "%s%s", ts > s->origin ? "+" : "",
				d);
	}
	fprintf(s->out, "%11s  ", buf);
}

static char *
dur(char *buf, size_t size, int64_t ns)
{
	return cotrace_format_duration(buf, size, ns);
}

static char *
cpu_dur(char *buf, size_t size, uint64_t cpu)
{
	return dur(buf, size, cpu > INT64_MAX ? INT64_MAX : (int64_t)cpu);
}

static void
put_process(struct story *s, size_t i)
{
	const struct cotrace_process *p = &s->model->processes[i];

	fprintf(s->out, "pid %" PRId64, p->pid);
	if (p->name && *p->name) {
		fputs(" (", s->out);
		put_safe(s, p->name, NAME_MAX_CHARS);
		fputc(')', s->out);
	}
}

/* "thread worker-2 (tid 4016)", "the main thread of pid 4012 (tid 4012)". */
static void
put_thread(struct story *s, size_t t)
{
	const struct cotrace_model *m = s->model;
	const struct cotrace_thread *th = &m->threads[t];

	if (is_main_thread(m, t)) {
		fprintf(s->out,
				"the main thread of pid %" PRId64
				" (tid %" PRId64 ")",
				m->processes[th->process].pid, th->tid);
		return;
	}
	fputs("thread ", s->out);
	if (th->name && *th->name) {
		put_safe(s, th->name, NAME_MAX_CHARS);
		fprintf(s->out, " (tid %" PRId64 ")", th->tid);
	} else {
		fprintf(s->out, "tid %" PRId64, th->tid);
	}
}

static void
tell_proc_start(struct story *s, size_t i)
{
	const struct cotrace_model *m = s->model;
	const struct cotrace_process *p = &m->processes[i];

	put_process(s, i);
	if (!p->start_seen) {
		fputs(" was already running: this is its first event (its "
		      "start was not recorded)",
				s->out);
		return;
	}
	fputs(" started", s->out);
	if (p->parent < m->n_processes && p->parent != i) {
		fprintf(s->out, " as a child of pid %" PRId64,
				m->processes[p->parent].pid);
	} else if (p->ppid > 0) {
		fprintf(s->out, "; its parent, pid %" PRId64 ", was not traced",
				p->ppid);
	}
}

static void
tell_proc_exit(struct story *s, size_t i)
{
	const struct cotrace_process *p = &s->model->processes[i];
	uint64_t cpu = cotrace_process_cpu_ns(p);
	char a[32], b[32];

	put_process(s, i);
	if (!p->exit_seen) {
		fputs(": its last event; its exit was not recorded (it was "
		      "killed, left through _exit(), or still ran when the "
		      "recording stopped)",
				s->out);
		return;
	}
	if (p->term_signal > 0) {
		const char *name =
				p->term_signal < 65
						? sigabbrev_np((int)p->term_signal)
						: NULL;

		fprintf(s->out, " was killed by signal %" PRId64,
				p->term_signal);
		if (name) {
			fprintf(s->out, " (SIG%s)", name);
		}
	} else {
		fprintf(s->out, " exited with status %" PRId64, p->exit_status);
	}
	if (p->start_seen) {
		fprintf(s->out, " after %s",
				dur(a, sizeof(a), cotrace_ts_sub(p->end_ns, p->start_ns)));
	}
	if (cpu != COTRACE_CPU_NONE) {
		fprintf(s->out, ", having used %s of CPU",
				cpu_dur(b, sizeof(b), cpu));
	}
	if (p->term_signal <= 0 && p->exit_status != 0) {
		fputs(" (not 0: it reported a failure)", s->out);
	}
}

static void
tell_fork(struct story *s, size_t i)
{
	const struct cotrace_model *m = s->model;
	const struct cotrace_fork *f = &m->forks[i];

	fprintf(s->out, "pid %" PRId64, f->parent_pid);
	if (f->child >= m->n_processes) {
		fprintf(s->out,
				" forked; fork returned %" PRId64
				" in the parent, but that child never "
				"appeared in the trace",
				f->parent_ret);
	} else {
		fprintf(s->out,
				" forked pid %" PRId64
				"; fork returned %" PRId64
				" in the parent and ",
				f->child_pid, f->parent_ret);
		if (f->child_ret == -1) {
			fputs("? in the child", s->out);
		} else {
			fprintf(s->out, "%" PRId64 " in the child",
					f->child_ret);
		}
	}
	if (f->threads_alive > 1) {
		int64_t others = f->threads_alive - 1;

		fprintf(s->out,
				", while %" PRId64 " other thread%s %s alive "
				"in the parent (the child has only a copy of "
				"the forking thread)",
				others, others == 1 ? "" : "s",
				others == 1 ? "was" : "were");
	}
}

static void
tell_thread_start(struct story *s, size_t t)
{
	const struct cotrace_model *m = s->model;
	const struct cotrace_thread *th = &m->threads[t];

	put_thread(s, t);
	if (!th->start_seen) {
		fputs(" was already running", s->out);
	} else {
		fputs(" started", s->out);
	}
	if (th->process < m->n_processes) {
		fprintf(s->out, " in pid %" PRId64,
				m->processes[th->process].pid);
	}
	if (th->pthread_id) {
		fprintf(s->out, ", pthread id 0x%" PRIx64, th->pthread_id);
	}
	if (!th->start_seen) {
		fputs(" (its start was not recorded)", s->out);
	}
}

static void
tell_thread_exit(struct story *s, size_t t)
{
	const struct cotrace_thread *th = &s->model->threads[t];
	char a[32];

	put_thread(s, t);
	fputs(" exited", s->out);
	if (th->cpu_ns != COTRACE_CPU_NONE) {
		fprintf(s->out, ", having used %s of CPU",
				cpu_dur(a, sizeof(a), th->cpu_ns));
	}
}

static void
put_task(struct story *s, size_t i)
{
	const struct cotrace_task *t = &s->model->tasks[i];

	fprintf(s->out, "task %" PRIu64, t->id);
	if (t->label && *t->label) {
		fputs(" \"", s->out);
		put_safe(s, t->label, NAME_MAX_CHARS);
		fputc('"', s->out);
	}
}

static void
tell_task_start(struct story *s, size_t i)
{
	const struct cotrace_model *m = s->model;
	const struct cotrace_task *t = &m->tasks[i];

	put_task(s, i);
	fputs(" started", s->out);
	if (t->thread < m->n_threads) {
		fputs(" on ", s->out);
		put_thread(s, t->thread);
		if (!is_main_thread(m, t->thread) &&
				t->process < m->n_processes) {
			fprintf(s->out, " of pid %" PRId64,
					m->processes[t->process].pid);
		}
	}
}

static void
tell_task_finish(struct story *s, size_t i)
{
	const struct cotrace_task *t = &s->model->tasks[i];
	int64_t wall = t->end_ns - t->start_ns;
	char a[32], b[32];

	put_task(s, i);
	fprintf(s->out, " finished after %s", dur(a, sizeof(a), wall));
	if (t->cpu_ns == COTRACE_CPU_NONE) {
		fputs(" (its CPU time is unknown)", s->out);
		return;
	}
	fprintf(s->out, " with %s of CPU", cpu_dur(b, sizeof(b), t->cpu_ns));
	if (wall > 0) {
		double share = 100.0 * (double)t->cpu_ns / (double)wall;

		if (share >= 90.0) {
			fprintf(s->out, ": on a CPU %.0f %% of the time",
					share > 100.0 ? 100.0 : share);
		} else {
			fprintf(s->out,
					": on a CPU only %.0f %% of the time, "
					"waiting the rest",
					share);
		}
	}
}

/* Accesses of one thread, by key then in time (array) order. */
static int
cmp_access(const void *pa, const void *pb, void *data)
{
	const struct cotrace_tls_access *tls = data;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	int c = cmp_str(tls[a].key, tls[b].key);

	if (c) {
		return c;
	}
	return a < b ? -1 : a > b;
}

/* For each read, its thread's last write of the key before it. */
static int
collect_own_writes(struct story *s)
{
	const struct cotrace_model *m = s->model;
	size_t total = 0, longest = 0;
	size_t *order;

	s->first_access = malloc((m->n_threads + 1) * sizeof(size_t));
	if (!s->first_access) {
		return -ENOMEM;
	}
	for (size_t t = 0; t < m->n_threads; t++) {
		s->first_access[t] = total;
		total += m->threads[t].n_tls;
		if (m->threads[t].n_tls > longest) {
			longest = m->threads[t].n_tls;
		}
	}
	s->first_access[m->n_threads] = total;
	s->mine = calloc(total ? total : 1, sizeof(*s->mine));
	order = malloc((longest ? longest : 1) * sizeof(*order));
	if (!s->mine || !order) {
		free(order);
		return -ENOMEM;
	}
	for (size_t t = 0; t < m->n_threads; t++) {
		const struct cotrace_thread *th = &m->threads[t];
		const char *last = NULL;

		for (size_t k = 0; k < th->n_tls; k++) {
			order[k] = k;
		}
		if (th->n_tls > 1) {
			qsort_r(order, th->n_tls, sizeof(*order), cmp_access,
					th->tls);
		}
		for (size_t k = 0; k < th->n_tls; k++) {
			const struct cotrace_tls_access *a = &th->tls[order[k]];

			if (k > 0 && cmp_str(a->key, th->tls[order[k - 1]]
								     .key)) {
				last = NULL;
			}
			if (a->is_read) {
				s->mine[s->first_access[t] + order[k]] = last;
			} else {
				last = a->value ? a->value : "";
			}
		}
	}
	free(order);
	return 0;
}

static void
tell_tls(struct story *s, size_t t, size_t k)
{
	const struct cotrace_model *m = s->model;
	const struct cotrace_thread *th = &m->threads[t];
	const struct cotrace_tls_access *a = &th->tls[k];
	size_t other = slot_sharer(s, t, a->key, a->addr);

	put_thread(s, t);
	if (a->is_read) {
		const char *mine = s->mine[s->first_access[t] + k];

		fputs(" read back ", s->out);
		put_safe(s, a->key, NAME_MAX_CHARS);
		fputc('=', s->out);
		put_safe(s, a->value, VALUE_MAX_CHARS);
		fprintf(s->out, " from the slot at 0x%" PRIx64, a->addr);
		if (mine && cmp_str(mine, a->value ? a->value : "")) {
			fputs(", not the ", s->out);
			put_safe(s, mine, VALUE_MAX_CHARS);
			fputs(" it wrote: another thread wrote its slot",
					s->out);
		} else if (mine) {
			fputs(", what it wrote", s->out);
		}
		return;
	}
	fputs(" wrote ", s->out);
	put_safe(s, a->key, NAME_MAX_CHARS);
	fputc('=', s->out);
	put_safe(s, a->value, VALUE_MAX_CHARS);
	if (other == SIZE_MAX) {
		fprintf(s->out, " to its own slot at 0x%" PRIx64, a->addr);
	} else {
		fprintf(s->out,
				" to the slot at 0x%" PRIx64
				", which tid %" PRId64
				" of the same process also wrote: one shared "
				"variable, not thread-local",
				a->addr, m->threads[other].tid);
	}
}

static void
tell_lost(struct story *s, size_t i)
{
	const struct cotrace_lost *lo = &s->model->lost[i];
	char a[32];

	if (lo->count > 0) {
		fprintf(s->out,
				"the tracer discarded %" PRIu64 " event%s "
				"(its buffers were full)",
				lo->count, lo->count == 1 ? "" : "s");
	} else {
		fputs("the tracer discarded events (it did not say how many)",
				s->out);
	}
	if (lo->begin_ns != COTRACE_TS_NONE && lo->end_ns != COTRACE_TS_NONE &&
			lo->end_ns > lo->begin_ns) {
		fprintf(s->out, " over the next %s",
				dur(a, sizeof(a), lo->end_ns - lo->begin_ns));
	}
	fputs(": what happened then may be missing from this story", s->out);
}

static void
tell_warning(struct story *s, size_t i)
{
	const struct cotrace_warning *w = &s->model->warnings[i];

	size_t len = w->message ? strlen(w->message) : 0;

	fprintf(s->out, "warning [%s]: ", cotrace_warning_kind_name(w->kind));
	put_safe(s, w->message, SIZE_MAX);
	/* The message is a sentence: it may have its full stop already. */
	if (len > 0 && w->message[len - 1] == '.') {
		fputs("\n", s->out);
	} else {
		fputs(".\n", s->out);
	}
}

static void
tell(struct story *s, const struct item *it)
{
	put_offset(s, it->kind == I_TIMELESS_WARNING ? COTRACE_TS_NONE
						     : it->ts);
	switch (it->kind) {
	case I_LOST:
		tell_lost(s, it->index);
		break;
	case I_FORK:
		tell_fork(s, it->index);
		break;
	case I_PROC_START:
		tell_proc_start(s, it->index);
		break;
	case I_THREAD_START:
		tell_thread_start(s, it->index);
		break;
	case I_TASK_FINISH:
		tell_task_finish(s, it->index);
		break;
	case I_TASK_START:
		tell_task_start(s, it->index);
		break;
	case I_TLS:
		tell_tls(s, it->index, it->sub);
		break;
	case I_THREAD_EXIT:
		tell_thread_exit(s, it->index);
		break;
	case I_PROC_EXIT:
		tell_proc_exit(s, it->index);
		break;
	case I_WARNING:
		tell_warning(s, it->index);
		return;
	case I_TIMELESS_WARNING:
		/* sub 1: a lost span without a time. */
		if (!it->sub) {
			tell_warning(s, it->index);
			return;
		}
		tell_lost(s, it->index);
		break;
	}
	fputs(".\n", s->out);
}

/* The host of the process an item is about; SIZE_MAX: of every host. */
static size_t
item_host(const struct story *s, const struct cotrace_hosts *h,
		const struct item *it)
{
	const struct cotrace_model *m = s->model;
	size_t p = SIZE_MAX;

	switch (it->kind) {
	case I_FORK:
		p = m->forks[it->index].parent;
		break;
	case I_PROC_START:
	case I_PROC_EXIT:
		p = it->index;
		break;
	case I_THREAD_START:
	case I_THREAD_EXIT:
	case I_TLS:
		p = m->threads[it->index].process;
		break;
	case I_TASK_FINISH:
	case I_TASK_START:
		p = m->tasks[it->index].process;
		break;
	case I_LOST:
	case I_WARNING:
	case I_TIMELESS_WARNING:
		break;
	}
	return p < m->n_processes ? h->of_process[p] : SIZE_MAX;
}

/*
 * Several hosts: one part per host, each in time order on the common
 * axis, then what concerns them all (lost events, warnings).
 */
static void
tell_by_host(struct story *s, const struct cotrace_hosts *h)
{
	for (size_t g = 0; g <= h->n; g++) {
		bool any = false;

		for (size_t i = 0; i < s->n_items; i++) {
			const struct item *it = &s->items[i];
			size_t ih = item_host(s, h, it);

			if (ih != (g < h->n ? g : SIZE_MAX)) {
				continue;
			}
			if (!any) {
				if (g < h->n) {
					fprintf(s->out, "%sOn host ",
							g ? "\n" : "");
					put_safe(s,
							cotrace_host_name(
									&h->hosts[g]),
							NAME_MAX_CHARS);
					fprintf(s->out,
							" (%zu process%s):\n",
							h->hosts[g].n_processes,
							h->hosts[g].n_processes ==
											1
									? ""
									: "es");
				} else {
					fputs("\nOn every host:\n", s->out);
				}
				any = true;
			}
			tell(s, it);
		}
	}
}

static void
render_header(struct story *s)
{
	const struct cotrace_model *m = s->model;

	fputs("The story of ", s->out);
	if (m->n_paths == 1) {
		put_safe(s, m->paths[0], SIZE_MAX);
	} else if (m->n_paths > 1) {
		fprintf(s->out, "%zu traces", m->n_paths);
	} else {
		fputs("the trace", s->out);
	}
	fprintf(s->out,
			": %" PRIu64 " cotrace event%s, told in time order; "
			"times are since the first event.\n\n",
			m->cotrace_events, m->cotrace_events == 1 ? "" : "s");
}

int
cotrace_story_render(FILE *out, const struct cotrace_model *model,
		const struct cotrace_metrics *metrics)
{
	struct story s = {
			.out = out,
			.model = model,
			.utf8 = cotrace_locale_is_utf8(),
			.origin = model->first_ns,
	};
	struct cotrace_verdict v;
	struct cotrace_hosts hosts;
	int status;

	status = collect(&s);
	if (!status) {
		status = collect_slots(&s);
	}
	if (!status) {
		status = collect_own_writes(&s);
	}
	if (status) {
		goto end;
	}
	if (s.origin == COTRACE_TS_NONE && metrics) {
		s.origin = metrics->start_ns;
	}
	if (s.n_items > 0) {
		qsort(s.items, s.n_items, sizeof(*s.items), cmp_item);
	}
	errno = 0;
	render_header(&s);
	if (s.n_items == 0) {
		fputs("Nothing happened that cotrace records.\n", out);
	}
	status = cotrace_hosts_build(model, &hosts);
	if (status) {
		goto end;
	}
	if (hosts.n > 1) {
		tell_by_host(&s, &hosts);
	}
	for (size_t i = 0; hosts.n <= 1 && i < s.n_items; i++) {
		tell(&s, &s.items[i]);
	}
	cotrace_hosts_release(&hosts);
	if (metrics) {
		cotrace_report_verdict(model, metrics, &v);
		fputs("\nVerdict: ", out);
		put_safe(&s, v.text, SIZE_MAX);
		fputc('\n', out);
	}
	if (fflush(out) != 0 || ferror(out)) {
		status = errno ? -errno : -EIO;
	}
end:
	free(s.items);
	free(s.slots);
	free(s.mine);
	free(s.first_access);
	return status;
}
