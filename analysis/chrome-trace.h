/*
 * The Chrome Trace Event writer: turns cotrace events, as they arrive, into
 * Chrome Trace Event JSON for ui.perfetto.dev and chrome://tracing, written
 * as a stream. Plain C, no babeltrace2 calls, so it is unit-tested on
 * synthetic events; sink.cotrace.chrome (sink-chrome.c) feeds it.
 *
 * Memory grows with the processes, threads, open tasks, pending forks and
 * the distinct TLS keys each thread wrote, never with the number of events:
 * a task becomes one complete slice ("ph":"X") written when it finishes, so
 * only the tasks open at a moment are held. The document:
 *
 *   {"traceEvents":[
 *   {"ph":"C","ts":0.000,"pid":1,"tid":1,"name":"processes",...},
 *   ...
 *   ],
 *   "displayTimeUnit":"ms",
 *   "metadata":{"cotrace":{"base_ns":...,"processes":2,...}}}
 *
 * - ts and dur are microseconds (3 decimals: nanoseconds exact) since
 *   metadata.cotrace.base_ns, the first event's time in ns since the Unix
 *   epoch. Relative times keep nanoseconds, which a JSON number of
 *   microseconds since 1970 would not.
 * - pids and tids are small integers, 1, 2, 3... in order of appearance
 *   (tids are unique across processes); the real ones are in the names
 *   ("pid 4012 cotrace-demo", "tid 4015 worker-1") and in args. The first
 *   process seen (pid 1, tid 1) also carries the trace-wide tracks: the
 *   concurrency counters and the lost-event spans.
 * - Each process is a slice (cat "process") on its main thread from its
 *   start to its exit, each other thread a slice (cat "thread") from its
 *   start to its exit; a life whose start or end the trace lacks is drawn
 *   from its first to its last event and says so (args.completeness, and
 *   the process_name / thread_name metadata events, written at the end).
 * - A task is a slice (cat "task") on its thread; one that never finished
 *   is written at the end, up to its thread's end, with args.finished
 *   false.
 * - A fork is a 1 us slice "fork pid N" (cat "process") on the forking
 *   thread and a flow (ph "s" / "f" with "bp":"e", cat "process", name
 *   "fork") to the child's process slice.
 * - TLS writes and reads are thread-scoped instants (cat "tls") with key,
 *   value and address in args.
 * - Counters "tasks" and "processes" (args.running) count what runs.
 * - A span where the tracer discarded events is an async slice "lost
 *   events" (cat "lost") and a global instant "warning: events-lost".
 * - Warnings are instants named "warning: KIND" (cat "warning", KIND as
 *   in the report's JSON) with args.message, scoped to the thread, the
 *   process or the whole trace; metadata.cotrace.warnings counts them.
 */
#ifndef COTRACE_CHROME_TRACE_H
#define COTRACE_CHROME_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"

struct cotrace_chrome;

/* What the writer has seen and written so far. */
struct cotrace_chrome_stats {
	uint64_t events;	 /* all events seen, cotrace or not */
	uint64_t cotrace_events; /* cotrace:* events given to the writer */
	uint64_t lost_events;	 /* events the tracer said it discarded */
	uint64_t lost_spans;	 /* discarded-events or -packets notices */
	size_t processes;
	size_t threads;
	uint64_t tasks; /* task slices, unfinished ones included */
	uint64_t unfinished_tasks;
	uint64_t forks;	   /* fork events */
	uint64_t flows;	   /* forks linked to their child's start */
	uint64_t tls;	   /* TLS instants */
	uint64_t warnings; /* warning instants */
	size_t open_tasks; /* tasks started and not finished, now */
};

/* A writer to `out` (borrowed). NULL when out of memory. */
struct cotrace_chrome *cotrace_chrome_create(FILE *out);
void cotrace_chrome_destroy(struct cotrace_chrome *chrome);

/*
 * Each returns 0, or -ENOMEM, or the -errno of the first failed write
 * (errors are sticky: later calls do nothing and return it again).
 */
int cotrace_chrome_add_event(struct cotrace_chrome *chrome,
		const struct cotrace_event *event);
/* An event that is not a cotrace event: only counted. */
void cotrace_chrome_count_foreign(struct cotrace_chrome *chrome);
/* The tracer discarded `count` events (0: unknown) between begin and end. */
int cotrace_chrome_add_lost(struct cotrace_chrome *chrome, uint64_t count,
		int64_t begin_ns, int64_t end_ns);
/* A trace path the events come from (listed in the metadata). */
int cotrace_chrome_add_path(struct cotrace_chrome *chrome, const char *path);
/* Decoding stopped early: `why` becomes a trace-damaged warning. */
int cotrace_chrome_mark_damaged(struct cotrace_chrome *chrome, const char *why);

/*
 * Writes what is known only at the end (unfinished lives and tasks, the
 * names, the metadata), closes the document and flushes. Call once.
 */
int cotrace_chrome_finish(struct cotrace_chrome *chrome);

/* Has anything been written yet? (The document opens at its first event.) */
bool cotrace_chrome_started(const struct cotrace_chrome *chrome);

/* 0, or the -errno of the first failed write. */
int cotrace_chrome_error(const struct cotrace_chrome *chrome);

const struct cotrace_chrome_stats *cotrace_chrome_get_stats(
		const struct cotrace_chrome *chrome);

#endif /* COTRACE_CHROME_TRACE_H */
