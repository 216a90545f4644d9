/*
 * The streaming concurrency profile (running-profile.h). Invariants: every
 * unit counted in k is anchored in exactly one epoch (u counts them); an
 * epoch holds the stretches of time since its start, until the next
 * epoch's start, by the count k they were summed at; the units anchored at
 * or before an epoch are the ones that may not have been running during
 * it, so its true count is k minus the u of the epochs up to it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "running-profile.h"

static int64_t
sat_add(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r)) {
		return b > 0 ? INT64_MAX : INT64_MIN;
	}
	return r;
}

/* Adds ns at index k, growing the window [lo, lo + n) as needed. */
static int
hist_add(struct rprof_hist *h, size_t k, int64_t ns)
{
	if (h->n == 0) {
		h->lo = k;
	}
	if (k < h->lo) {
		size_t shift = h->lo - k;

		if (h->n + shift > h->cap) {
			size_t cap = (h->n + shift) * 2;
			int64_t *p = realloc(h->ns, cap * sizeof(*p));

			if (!p) {
				return -ENOMEM;
			}
			h->ns = p;
			h->cap = cap;
		}
		memmove(h->ns + shift, h->ns, h->n * sizeof(*h->ns));
		memset(h->ns, 0, shift * sizeof(*h->ns));
		h->lo = k;
		h->n += shift;
	} else if (k >= h->lo + h->n) {
		size_t need = k - h->lo + 1;

		if (need > h->cap) {
			size_t cap = need < 8 ? 8 : need * 2;
			int64_t *p = realloc(h->ns, cap * sizeof(*p));

			if (!p) {
				return -ENOMEM;
			}
			h->ns = p;
			h->cap = cap;
		}
		memset(h->ns + h->n, 0, (need - h->n) * sizeof(*h->ns));
		h->n = need;
	}
	h->ns[k - h->lo] = sat_add(h->ns[k - h->lo], ns);
	return 0;
}

static int
hist_merge(struct rprof_hist *into, const struct rprof_hist *from)
{
	for (size_t i = 0; i < from->n; i++) {
		if (from->ns[i] && hist_add(into, from->lo + i, from->ns[i])) {
			return -ENOMEM;
		}
	}
	return 0;
}

void
rprof_init(struct rprof *r)
{
	memset(r, 0, sizeof(*r));
	r->now = INT64_MIN;
}

void
rprof_release(struct rprof *r)
{
	for (size_t i = 0; i < r->n_epochs; i++) {
		free(r->epochs[i].hist.ns);
	}
	for (size_t i = 0; i < r->n_spare; i++) {
		free(r->spare[i].ns);
	}
	free(r->epochs);
	free(r->spare);
	free(r->final.ns);
	rprof_init(r);
}

int
rprof_advance(struct rprof *r, int64_t ts)
{
	int64_t dt;

	if (ts <= r->now) {
		return 0;
	}
	if (!r->started) {
		r->now = ts;
		return 0;
	}
	if (__builtin_sub_overflow(ts, r->now, &dt)) {
		dt = INT64_MAX;
	}
	r->now = ts;
	return hist_add(r->n_epochs ? &r->epochs[r->n_epochs - 1].hist
				    : &r->final,
			r->k, dt);
}

/* The epoch that starts at ts, or SIZE_MAX. */
static size_t
epoch_find(const struct rprof *r, int64_t ts)
{
	size_t lo = 0, hi = r->n_epochs;

	/* Mostly the newest: the process that had the last event. */
	if (hi && r->epochs[hi - 1].start == ts) {
		return hi - 1;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->epochs[mid].start < ts) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo < r->n_epochs && r->epochs[lo].start == ts ? lo : SIZE_MAX;
}

/* The epoch that starts now, created (after all others) if need be. */
static struct rprof_epoch *
epoch_now(struct rprof *r)
{
	struct rprof_epoch *e;

	if (r->n_epochs && r->epochs[r->n_epochs - 1].start == r->now) {
		return &r->epochs[r->n_epochs - 1];
	}
	if (r->n_epochs == r->cap_epochs) {
		size_t cap = r->cap_epochs ? r->cap_epochs * 2 : 8;
		struct rprof_epoch *p = realloc(r->epochs, cap * sizeof(*p));

		if (!p) {
			return NULL;
		}
		r->epochs = p;
		r->cap_epochs = cap;
	}
	e = &r->epochs[r->n_epochs++];
	memset(e, 0, sizeof(*e));
	e->start = r->now;
	if (r->n_spare) {
		e->hist = r->spare[--r->n_spare];
		e->hist.n = 0;
	}
	return e;
}

/* Takes n units off the epoch at `anchor`; an emptied epoch merges back. */
static int
epoch_release(struct rprof *r, int64_t anchor, uint64_t n)
{
	size_t i = epoch_find(r, anchor);
	struct rprof_epoch *e;
	int status;

	if (i == SIZE_MAX) {
		return 0; /* an inconsistent caller: nothing anchored there */
	}
	e = &r->epochs[i];
	e->u = e->u > n ? e->u - n : 0;
	if (e->u) {
		return 0;
	}
	/* With nothing anchored here, it and the epoch before it are alike. */
	status = hist_merge(i ? &r->epochs[i - 1].hist : &r->final, &e->hist);
	if (status) {
		return status;
	}
	if (r->n_spare == r->cap_spare) {
		size_t cap = r->cap_spare ? r->cap_spare * 2 : 8;
		struct rprof_hist *p = realloc(r->spare, cap * sizeof(*p));

		if (!p) {
			free(e->hist.ns);
			goto remove;
		}
		r->spare = p;
		r->cap_spare = cap;
	}
	r->spare[r->n_spare++] = e->hist;
remove:
	memmove(&r->epochs[i], &r->epochs[i + 1],
			(r->n_epochs - i - 1) * sizeof(*r->epochs));
	r->n_epochs--;
	return 0;
}

int
rprof_start(struct rprof *r)
{
	struct rprof_epoch *e;

	r->started = true;
	e = epoch_now(r);
	if (!e) {
		return -ENOMEM;
	}
	e->u++;
	r->k++;
	return 0;
}

int
rprof_finish(struct rprof *r, int64_t anchor)
{
	if (r->k) {
		r->k--;
	}
	return epoch_release(r, anchor, 1);
}

int
rprof_move(struct rprof *r, int64_t from, uint64_t n)
{
	struct rprof_epoch *e;

	if (n == 0 || from == r->now) {
		return 0;
	}
	/*
	 * The newest epoch holding only these units (a process whose events
	 * follow one another): released and made again now, in place.
	 */
	if (r->n_epochs && r->epochs[r->n_epochs - 1].start == from &&
			r->epochs[r->n_epochs - 1].u == n) {
		size_t i = r->n_epochs - 1;
		int status;

		e = &r->epochs[i];
		status = hist_merge(i ? &r->epochs[i - 1].hist : &r->final,
				&e->hist);
		if (status) {
			return status;
		}
		e->hist.n = 0;
		e->start = r->now;
		return 0;
	}
	e = epoch_now(r);
	if (!e) {
		return -ENOMEM;
	}
	e->u += n;
	return epoch_release(r, from, n);
}

int
rprof_result(struct rprof *r, int64_t from, int64_t to, int64_t **profile,
		size_t *max_k)
{
	struct rprof_hist out = {0};
	uint64_t anchored = 0;
	size_t max = 0;
	int64_t *p;

	*profile = NULL;
	*max_k = 0;
	if (hist_merge(&out, &r->final)) {
		goto nomem;
	}
	for (size_t i = 0; i < r->n_epochs; i++) {
		const struct rprof_hist *h = &r->epochs[i].hist;

		anchored += r->epochs[i].u;
		for (size_t j = 0; j < h->n; j++) {
			size_t k = h->lo + j;

			if (!h->ns[j]) {
				continue;
			}
			if (hist_add(&out, k > anchored ? k - anchored : 0,
					    h->ns[j])) {
				goto nomem;
			}
		}
	}
	/* After the last unit's end nothing runs: that time is not the span's.
	 */
	if (r->started && to < r->now && out.n && out.lo == 0) {
		int64_t tail;

		if (__builtin_sub_overflow(r->now, to, &tail)) {
			tail = INT64_MAX;
		}
		out.ns[0] = out.ns[0] > tail ? out.ns[0] - tail : 0;
	}
	/* Before the first start (out of order input): nothing ran. */
	(void)from;
	for (size_t j = 0; j < out.n; j++) {
		if (out.ns[j] > 0) {
			max = out.lo + j;
		}
	}
	p = calloc(max + 1, sizeof(*p));
	if (!p) {
		goto nomem;
	}
	for (size_t j = 0; j < out.n && out.lo + j <= max; j++) {
		p[out.lo + j] = out.ns[j] > 0 ? out.ns[j] : 0;
	}
	free(out.ns);
	*profile = p;
	*max_k = max;
	return 0;
nomem:
	free(out.ns);
	return -ENOMEM;
}
