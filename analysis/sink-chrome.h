/*
 * sink.cotrace.chrome: the babeltrace2 sink component class that writes
 * cotrace:* events as Chrome Trace Event JSON (chrome-trace.h) while they
 * arrive, for ui.perfetto.dev and chrome://tracing.
 *
 * Two ways to use it:
 *   - from the babeltrace2 CLI (plugin.c registers the methods below): the
 *     sink owns a writer and closes the document when the graph ends.
 *     Parameter: path (the output file, default standard output).
 *   - in-process (`cotrace timeline --format chrome`):
 *     cotrace_sink_chrome_class_create() makes the same class, and the
 *     component is added with a struct cotrace_sink_chrome_init as
 *     initialize-method data. The sink then only feeds init->writer; the
 *     caller adds what it knows of damaged traces and finishes the
 *     document.
 */
#ifndef COTRACE_SINK_CHROME_H
#define COTRACE_SINK_CHROME_H

#include <babeltrace2/babeltrace.h>

#include "chrome-trace.h"

struct cotrace_sink_chrome_init {
	struct cotrace_chrome *writer; /* borrowed: the sink feeds it */
};

#define COTRACE_SINK_CHROME_NAME "chrome"
#define COTRACE_SINK_CHROME_DESCRIPTION                                        \
	"Write the timeline of programs traced with cotrace as Chrome Trace "  \
	"Event JSON, for ui.perfetto.dev and chrome://tracing."
#define COTRACE_SINK_CHROME_HELP                                               \
	"Reads cotrace:* events (other events are counted) and writes them, "  \
	"as they arrive, as Chrome Trace Event JSON: processes and threads "   \
	"as named tracks, tasks as slices, forks as flow arrows, TLS "         \
	"accesses as instants, counters of what runs, lost events and "        \
	"warnings. Memory does not grow with the number of events.\n"          \
	"\n"                                                                   \
	"Parameters:\n"                                                        \
	"  path=FILE  write to FILE (default: standard output)\n"              \
	"\n"                                                                   \
	"See cotrace-timeline(1)."

bt_component_class_initialize_method_status cotrace_sink_chrome_initialize(
		bt_self_component_sink *self_component,
		bt_self_component_sink_configuration *configuration,
		const bt_value *params, void *initialize_method_data);
void cotrace_sink_chrome_finalize(bt_self_component_sink *self_component);
bt_component_class_sink_graph_is_configured_method_status
cotrace_sink_chrome_graph_is_configured(bt_self_component_sink *self_component);
bt_component_class_sink_consume_method_status cotrace_sink_chrome_consume(
		bt_self_component_sink *self_component);

/*
 * A new reference to the sink class with all its methods, for graphs built
 * in-process; NULL when out of memory. Release with
 * bt_component_class_sink_put_ref().
 */
bt_component_class_sink *cotrace_sink_chrome_class_create(void);

#endif /* COTRACE_SINK_CHROME_H */
