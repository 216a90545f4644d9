/*
 * The concurrency profile of units (tasks) counted while events stream in
 * time order, when some units' ends are decided only later.
 *
 * A task that has not finished runs, if it never finishes, until its
 * process's last event (or its exit): so while a task is open it is counted
 * as running, optimistically, and the time since its "anchor" (the last
 * moment it is known to have been running) is kept apart. Stretches of time
 * are summed per epoch (the time between two anchors) and per count; when
 * an anchor moves forward (the process had another event, the task
 * finished), the epochs it leaves behind merge. At the end the units still
 * anchored are taken out of the epochs after their anchor. Memory grows
 * with the anchors alive at once (processes with open tasks), never with
 * the events. Internal to the analysis library.
 */
#ifndef COTRACE_RUNNING_PROFILE_H
#define COTRACE_RUNNING_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rprof_hist {
	int64_t *ns; /* owned: ns[k - lo] */
	size_t lo, n, cap;
};

struct rprof_epoch {
	int64_t start; /* its anchor time */
	uint64_t u;    /* units anchored at start */
	struct rprof_hist hist;
};

struct rprof {
	bool started;
	int64_t now;		    /* the latest time seen */
	uint64_t k;		    /* units counted running */
	struct rprof_epoch *epochs; /* owned, by start */
	size_t n_epochs, cap_epochs;
	struct rprof_hist final;  /* confirmed: ns per true count */
	struct rprof_hist *spare; /* owned: buffers to reuse */
	size_t n_spare, cap_spare;
};

void rprof_init(struct rprof *r);
void rprof_release(struct rprof *r);

/* Time moves to ts (a late ts counts as now). Returns 0 or -ENOMEM. */
int rprof_advance(struct rprof *r, int64_t ts);

/* A unit starts running now, anchored now. Returns 0 or -ENOMEM. */
int rprof_start(struct rprof *r);

/* A unit anchored at `anchor` is known to stop now. */
int rprof_finish(struct rprof *r, int64_t anchor);

/* n units anchored at `from` are known to run until now: re-anchored now. */
int rprof_move(struct rprof *r, int64_t from, uint64_t n);

/*
 * The profile between from and to (to: the last unit's end, at or before
 * now): profile[k] is the time with exactly k units running, k up to
 * *max_k, the highest count that lasted. The units still anchored end at
 * their anchors. Returns 0 or -ENOMEM; *profile is owned by the caller.
 */
int rprof_result(struct rprof *r, int64_t from, int64_t to, int64_t **profile,
		size_t *max_k);

#endif /* COTRACE_RUNNING_PROFILE_H */
