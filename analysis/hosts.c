/* Hosts of a model, and whether their clocks disagree: see hosts.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hosts.h"

static bool
same_host(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static int
cmp_host(const void *pa, const void *pb)
{
	const struct cotrace_host *a = pa, *b = pb;

	if (a->start_ns != b->start_ns) {
		return a->start_ns < b->start_ns ? -1 : 1;
	}
	if (!a->name || !b->name) {
		return a->name ? -1 : b->name ? 1 : 0;
	}
	return strcmp(a->name, b->name);
}

/* The index of `name` among the first n hosts, n when absent. */
static size_t
find_host(const struct cotrace_host *hosts, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (same_host(hosts[i].name, name)) {
			return i;
		}
	}
	return n;
}

int
cotrace_hosts_build(const struct cotrace_model *m, struct cotrace_hosts *h)
{
	size_t cap = 0, last = SIZE_MAX;
	size_t *rank = NULL;

	memset(h, 0, sizeof(*h));
	h->of_process = malloc((m->n_processes ? m->n_processes : 1) *
			       sizeof(*h->of_process));
	if (!h->of_process) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < m->n_processes; i++) {
		const struct cotrace_process *p = &m->processes[i];
		size_t k;

		/* Processes of one trace come in runs: one strcmp each. */
		if (last < h->n && same_host(h->hosts[last].name, p->host)) {
			k = last;
		} else {
			k = find_host(h->hosts, h->n, p->host);
		}
		if (k == h->n) {
			if (h->n == cap) {
				size_t new_cap = cap ? 2 * cap : 4;
				struct cotrace_host *grown = realloc(h->hosts,
						new_cap * sizeof(*grown));

				if (!grown) {
					goto nomem;
				}
				h->hosts = grown;
				cap = new_cap;
			}
			h->hosts[k] = (struct cotrace_host){
					.name = p->host,
					.start_ns = p->start_ns,
					.end_ns = p->end_ns,
			};
			h->n++;
		}
		if (p->start_ns < h->hosts[k].start_ns) {
			h->hosts[k].start_ns = p->start_ns;
		}
		if (p->end_ns > h->hosts[k].end_ns) {
			h->hosts[k].end_ns = p->end_ns;
		}
		h->hosts[k].n_processes++;
		h->of_process[i] = k;
		last = k;
	}
	if (h->n > 1) {
		/* Sort, then renumber of_process through the old order. */
		struct cotrace_host *sorted = malloc(h->n * sizeof(*sorted));

		rank = malloc(h->n * sizeof(*rank));
		if (!sorted || !rank) {
			free(sorted);
			goto nomem;
		}
		memcpy(sorted, h->hosts, h->n * sizeof(*sorted));
		qsort(sorted, h->n, sizeof(*sorted), cmp_host);
		for (size_t k = 0; k < h->n; k++) {
			rank[k] = find_host(sorted, h->n, h->hosts[k].name);
		}
		free(h->hosts);
		h->hosts = sorted;
		for (size_t i = 0; i < m->n_processes; i++) {
			h->of_process[i] = rank[h->of_process[i]];
		}
		free(rank);
	}
	for (size_t t = 0; t < m->n_threads; t++) {
		if (m->threads[t].process < m->n_processes) {
			h->hosts[h->of_process[m->threads[t].process]]
					.n_threads++;
		}
	}
	/* Counted per process: a bounded model lists only some tasks. */
	for (size_t i = 0; i < m->n_processes; i++) {
		h->hosts[h->of_process[i]].n_tasks += m->processes[i].n_tasks;
	}
	return 0;
nomem:
	cotrace_hosts_release(h);
	return -ENOMEM;
}

void
cotrace_hosts_release(struct cotrace_hosts *h)
{
	if (!h) {
		return;
	}
	free(h->hosts);
	free(h->of_process);
	memset(h, 0, sizeof(*h));
}

const char *
cotrace_host_name(const struct cotrace_host *host)
{
	return host->name && *host->name ? host->name : "unknown host";
}

struct order {
	size_t index;
	int64_t first_ns;
};

static int
cmp_order(const void *pa, const void *pb)
{
	const struct order *a = pa, *b = pb;

	if (a->first_ns != b->first_ns) {
		return a->first_ns < b->first_ns ? -1 : 1;
	}
	return a->index < b->index ? -1 : a->index > b->index;
}

bool
cotrace_clocks_disagree(const struct cotrace_clock_domain *d, size_t n,
		struct cotrace_clock_gap *gap)
{
	struct order stack_order[16], *order = stack_order;
	int64_t work = COTRACE_CLOCK_MIN_WORK_NS, hull_end = 0;
	size_t k = 0, hull_owner = 0;
	bool found = false;

	if (n > sizeof(stack_order) / sizeof(stack_order[0])) {
		order = malloc(n * sizeof(*order));
		if (!order) {
			return false; /* a warning is not worth failing for */
		}
	}
	for (size_t i = 0; i < n; i++) {
		int64_t span;

		if (d[i].first_ns == COTRACE_TS_NONE ||
				d[i].last_ns == COTRACE_TS_NONE) {
			continue;
		}
		span = cotrace_ts_sub(d[i].last_ns, d[i].first_ns);
		if (span > work) {
			work = span;
		}
		order[k++] = (struct order){i, d[i].first_ns};
	}
	qsort(order, k, sizeof(*order), cmp_order);
	for (size_t j = 0; j < k; j++) {
		const struct cotrace_clock_domain *x = &d[order[j].index];

		if (j > 0) {
			int64_t g = cotrace_ts_sub(x->first_ns, hull_end);

			if (g > work && (!found || g > gap->gap_ns)) {
				found = true;
				gap->before = hull_owner;
				gap->after = order[j].index;
				gap->gap_ns = g;
			}
		}
		if (j == 0 || x->last_ns > hull_end) {
			hull_end = x->last_ns;
			hull_owner = order[j].index;
		}
	}
	if (found) {
		gap->work_ns = work;
	}
	if (order != stack_order) {
		free(order);
	}
	return found;
}

/* "0.512 s", "2.1 h", "7305 days": a duration a reader takes in at once. */
static void
human(char *buf, size_t size, int64_t ns)
{
	double s = (double)ns / 1e9;

	if (s < 120) {
		snprintf(buf, size, "%.3f s", s);
	} else if (s < 7200) {
		snprintf(buf, size, "%.1f min", s / 60);
	} else if (s < 2 * 86400) {
		snprintf(buf, size, "%.1f h", s / 3600);
	} else {
		snprintf(buf, size, "%.0f days", s / 86400);
	}
}

int
cotrace_clocks_check(struct cotrace_model *model,
		const struct cotrace_clock_domain *d, size_t n)
{
	struct cotrace_clock_gap gap;
	char g[32], w[32], msg[640];
	const char *a, *b;

	if (!cotrace_clocks_disagree(d, n, &gap)) {
		return 0;
	}
	a = d[gap.before].host && *d[gap.before].host ? d[gap.before].host
						      : "unknown host";
	b = d[gap.after].host && *d[gap.after].host ? d[gap.after].host
						    : "unknown host";
	human(g, sizeof(g), gap.gap_ns);
	human(w, sizeof(w), gap.work_ns);
	if (same_host(d[gap.before].host, d[gap.after].host)) {
		snprintf(msg, sizeof(msg),
				"Two traces of host %s lie %s apart on the "
				"time axis, more than the longest of them "
				"lasted (%s): they were recorded at different "
				"times, or one clock was wrong, so the span "
				"and the overlaps between them mean nothing.",
				a, g, w);
	} else {
		snprintf(msg, sizeof(msg),
				"The clocks of hosts %s and %s disagree: %s's "
				"events begin %s after %s's ended, more than "
				"the longest recording lasted (%s); the hosts "
				"were recorded at different times or their "
				"clocks are not synchronised (NTP), so the "
				"span and the overlaps between hosts mean "
				"nothing.",
				a, b, b, g, a, w);
	}
	return cotrace_model_add_warning(model, COTRACE_WARN_CLOCKS_DISAGREE,
			d[gap.after].first_ns, msg);
}
