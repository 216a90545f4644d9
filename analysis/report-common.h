/*
 * What the text and JSON renderers share: the verdict, the thread-local
 * storage check, the kebab-case warning names and the time formats.
 * Internal to the analysis library (report.c implements it).
 */
#ifndef COTRACE_REPORT_COMMON_H
#define COTRACE_REPORT_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metrics.h"
#include "model.h"

/*
 * The verdict thresholds, documented in cotrace-report(1). cpu_parallelism
 * at or above PARALLEL means more than one unit truly ran at a time; below
 * TURNS, while parallelism is at or above PARALLEL, they were alive together
 * but took turns on about one CPU.
 */
#define COTRACE_THRESHOLD_PARALLEL 1.5
#define COTRACE_THRESHOLD_TURNS 1.25
#define COTRACE_THRESHOLD_IDLE 0.5 /* below: mostly waiting, not computing */
#define COTRACE_THRESHOLD_SEQUENTIAL                                           \
	1.1 /* parallelism below: one after another */
#define COTRACE_THRESHOLD_FULL                                                 \
	0.75 /* cpu_parallelism / units at or above:                           \
	      all of them at once */

enum cotrace_verdict_kind {
	COTRACE_VERDICT_NO_UNITS,
	COTRACE_VERDICT_SINGLE,
	COTRACE_VERDICT_PARALLEL_ALL,  /* all units on CPUs at once */
	COTRACE_VERDICT_PARALLEL_SOME, /* several at once, fewer than all */
	COTRACE_VERDICT_TOOK_TURNS,
	COTRACE_VERDICT_WAITING,
	COTRACE_VERDICT_OVERLAP_CPU_UNKNOWN,
	COTRACE_VERDICT_SEQUENTIAL,
	COTRACE_VERDICT_PARTIAL,
	COTRACE_VERDICT_UNRELIABLE, /* partly recorded, CPU > wall */
};

struct cotrace_verdict {
	enum cotrace_verdict_kind kind;
	const char *name; /* kebab-case, static */
	char text[768];	  /* one sentence */
};

void cotrace_report_verdict(const struct cotrace_model *model,
		const struct cotrace_metrics *metrics,
		struct cotrace_verdict *verdict);

/* One unit (a task or a process, as metrics->unit says). */
struct cotrace_unit_view {
	int64_t start_ns;
	int64_t end_ns;	 /* COTRACE_TS_NONE when unknown */
	uint64_t cpu_ns; /* COTRACE_CPU_NONE when unknown */
};

/*
 * Units recorded only in part: a process without its start or exit, a task
 * without its finish or CPU time.
 */
size_t cotrace_report_incomplete_units(const struct cotrace_model *model,
		const struct cotrace_metrics *metrics);

/* Number of units of the kind metrics->unit names, as the model holds them. */
size_t cotrace_report_unit_count(const struct cotrace_model *model,
		const struct cotrace_metrics *metrics);
void cotrace_report_unit(const struct cotrace_model *model,
		const struct cotrace_metrics *metrics, size_t i,
		struct cotrace_unit_view *unit);

/*
 * Did every thread have its own TLS slot? Computed from the threads' TLS
 * accesses: no two threads of one process wrote one key at one address, and
 * every read returned the reading thread's own last write of that key.
 * Strings are borrowed from the model.
 */
struct cotrace_tls_check {
	size_t writes;
	size_t reads;
	size_t threads; /* threads that wrote at least once */
	size_t slots;	/* distinct (process, key, address) written */
	bool shared;
	int64_t shared_pid, shared_tid_a, shared_tid_b;
	const char *shared_key;
	uint64_t shared_addr;
	bool changed;
	int64_t changed_pid, changed_tid;
	const char *changed_key, *changed_expected, *changed_got;
};

/* Returns 0 or -ENOMEM. */
int cotrace_report_tls_check(const struct cotrace_model *model,
		struct cotrace_tls_check *check);
/* The check as one sentence (no trailing newline). */
void cotrace_report_tls_sentence(
		const struct cotrace_tls_check *check, char *buf, size_t size);

/* "fork-with-threads", ...; "unknown" for a kind this build does not know. */
const char *cotrace_warning_kind_name(enum cotrace_warning_kind kind);

/*
 * A duration with a precision fit for reading: "1.181 s", "12.35 ms",
 * "0.042 ms", "850 ns"; "?" for COTRACE_TS_NONE. Returns buf.
 */
char *cotrace_format_duration(char *buf, size_t size, int64_t ns);

/* The unit's name, singular or plural: "task", "processes". */
const char *cotrace_unit_name(enum cotrace_unit_kind unit, size_t count);

/*
 * Python's name of a logging level ("WARNING" for 30); NULL for a level
 * between the standard ones.
 */
const char *cotrace_log_level_name(int64_t level);

/*
 * model->logs in process order, then time order: an array of indexes into
 * model->logs (free() it), or NULL when there are none or on ENOMEM
 * (*status says which: 0 or -ENOMEM).
 */
size_t *cotrace_report_logs_by_process(
		const struct cotrace_model *model, int *status);

#endif /* COTRACE_REPORT_COMMON_H */
