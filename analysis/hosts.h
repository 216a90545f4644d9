/*
 * Traces of several machines read together (a relay's output folder, or
 * several traces on the command line): which hosts a finished model holds,
 * for the renderers' one group of lanes per host, and whether the hosts'
 * clocks disagree. Plain C, no babeltrace2 calls (tests/unit/test-hosts.c).
 *
 * The rules (doc/metrics.md, "Several machines"):
 *   - A host is a hostname of the trace environment; processes without
 *     one form one host of their own ("unknown host").
 *   - Hosts are ordered by their first process start, then by name.
 *   - Each clock domain (a trace: its own clock) is active over
 *     [first, last] of its cotrace events. The clocks disagree when, with
 *     the domains sorted by first event, one starts more than W after all
 *     the earlier ones ended, W being the longest domain's own span (the
 *     span of the work); W is at least 1 ms.
 */
#ifndef COTRACE_HOSTS_H
#define COTRACE_HOSTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct cotrace_host {
	const char *name; /* borrowed from the model; NULL: unknown */
	int64_t start_ns; /* first process start */
	int64_t end_ns;	  /* last process end */
	size_t n_processes;
	size_t n_threads;
	size_t n_tasks;
};

struct cotrace_hosts {
	struct cotrace_host *hosts; /* owned, in display order */
	size_t n;
	size_t *of_process; /* owned: per process, its host */
};

/* Groups a finished model's processes by host. Returns 0 or -ENOMEM. */
int cotrace_hosts_build(
		const struct cotrace_model *model, struct cotrace_hosts *hosts);
void cotrace_hosts_release(struct cotrace_hosts *hosts);

/* The host's name, "unknown host" when the trace did not say. */
const char *cotrace_host_name(const struct cotrace_host *host);

/* One clock: the cotrace events of one trace. */
struct cotrace_clock_domain {
	const char *host; /* borrowed, may be NULL */
	int64_t first_ns;
	int64_t last_ns;
};

/* The widest disagreement found. */
struct cotrace_clock_gap {
	size_t before; /* domain index: the one that ended first */
	size_t after;  /* the one that started `gap_ns` after */
	int64_t gap_ns;
	int64_t work_ns; /* W: the longest domain's span (>= 1 ms) */
};

#define COTRACE_CLOCK_MIN_WORK_NS 1000000

/*
 * Whether the clocks of `domains` disagree by more than the span of the
 * work (rules above); fills `gap` when they do. Domains whose first_ns is
 * COTRACE_TS_NONE are ignored.
 */
bool cotrace_clocks_disagree(const struct cotrace_clock_domain *domains,
		size_t n, struct cotrace_clock_gap *gap);

/*
 * Adds the COTRACE_WARN_CLOCKS_DISAGREE warning to `model` (before
 * cotrace_model_finish()) when the clocks of `domains` disagree. Returns
 * 0 or -ENOMEM.
 */
int cotrace_clocks_check(struct cotrace_model *model,
		const struct cotrace_clock_domain *domains, size_t n);

#endif /* COTRACE_HOSTS_H */
