/*
 * The story of a run: what happened, in time order, one plain sentence per
 * line, each starting with its time since the first event, for students
 * who read before they look. It ends with the report's verdict.
 *
 *   +4.21 ms  pid 4012 forked pid 4013; fork returned 4013 in the parent
 *             and 0 in the child
 *
 * (one line in the output). Told: process starts and exits (with status
 * and CPU time), forks (both return values), thread starts (name, pthread
 * id) and exits, task starts and finishes (wall and CPU time), TLS writes
 * and reads (slot address, whose slot), spans where the tracer discarded
 * events, and the model's warnings at the moment they apply (those
 * without a time, and events-lost ones, which the lost-span sentences
 * already tell, are not repeated there: timeless ones come just before the
 * verdict). Main threads have no start and exit sentences of their own:
 * their process's tell them.
 */
#ifndef COTRACE_STORY_H
#define COTRACE_STORY_H

#include <stdio.h>

#include "metrics.h"
#include "model.h"

/* Returns 0, -ENOMEM, or -errno when writing failed. */
int cotrace_story_render(FILE *out, const struct cotrace_model *model,
		const struct cotrace_metrics *metrics);

#endif /* COTRACE_STORY_H */
