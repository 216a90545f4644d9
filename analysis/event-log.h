/*
 * A log of decoded events, kept so that a model of "everything so far" can
 * be rebuilt at any moment: the live view (cotrace live, cotrace record
 * --live) replays the log into a fresh model for each frame, since a
 * model is finished once (model.h). Plain C, no babeltrace2 calls.
 *
 * Every string and array of an appended event is copied, so the decoder's
 * borrowed buffers may change afterwards. Memory grows with the events
 * (a live demo's few thousands; `cotrace report` never keeps a log).
 */
#ifndef COTRACE_EVENT_LOG_H
#define COTRACE_EVENT_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct cotrace_event_log;

struct cotrace_event_log *cotrace_event_log_create(void);
void cotrace_event_log_destroy(struct cotrace_event_log *log);

/* Each returns 0 or -ENOMEM; they mirror the model's functions. */
int cotrace_event_log_add_event(struct cotrace_event_log *log,
		const struct cotrace_event *event);
int cotrace_event_log_count_foreign(struct cotrace_event_log *log);
int cotrace_event_log_add_lost(struct cotrace_event_log *log, uint64_t count,
		int64_t begin_ns, int64_t end_ns);
int cotrace_event_log_add_path(struct cotrace_event_log *log, const char *path);
int cotrace_event_log_mark_damaged(
		struct cotrace_event_log *log, const char *why);

/* Events logged: all of them, and the cotrace ones. */
uint64_t cotrace_event_log_events(const struct cotrace_event_log *log);
uint64_t cotrace_event_log_cotrace_events(const struct cotrace_event_log *log);

/*
 * A new model fed with everything logged, in order, and finished: what a
 * model fed directly would be. NULL when out of memory.
 */
struct cotrace_model *cotrace_event_log_snapshot(
		const struct cotrace_event_log *log);

#endif /* COTRACE_EVENT_LOG_H */
