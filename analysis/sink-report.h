/*
 * sink.cotrace.report: the babeltrace2 sink component class that decodes
 * cotrace:* events into a cotrace model (model.h).
 *
 * Two ways to use it:
 *   - from the babeltrace2 CLI (plugin.c registers the methods below): the
 *     sink owns a model and renders the report when the graph ends.
 *     Parameters: format ("text" or "json", default "text"), path (the
 *     output file, default standard output).
 *   - in-process (`cotrace report`): cotrace_sink_report_class_create()
 *     makes the same class, and the component is added with a
 *     struct cotrace_sink_report_init as initialize-method data. The sink
 *     then only feeds init->model; the caller finishes the model, computes
 *     the metrics and renders, so a partial report survives a decoding
 *     error.
 */
#ifndef COTRACE_SINK_REPORT_H
#define COTRACE_SINK_REPORT_H

#include <babeltrace2/babeltrace.h>

#include "model.h"

struct cotrace_sink_report_init {
	struct cotrace_model *model; /* borrowed: the sink feeds it */
};

#define COTRACE_SINK_REPORT_NAME "report"
#define COTRACE_SINK_REPORT_DESCRIPTION                                        \
	"Explain the concurrency of programs traced with cotrace: fork tree, " \
	"parallelism, thread identities and TLS."
#define COTRACE_SINK_REPORT_HELP                                               \
	"Reads cotrace:* events (other events are counted) and writes the "    \
	"cotrace report when the graph ends. Its memory does not grow with "   \
	"the events: it lists the first 10000 tasks and 32 TLS accesses per "  \
	"thread, and every figure counts all of them.\n"                       \
	"\n"                                                                   \
	"Parameters:\n"                                                        \
	"  format=text|json  report format (default: text)\n"                  \
	"  path=FILE         write the report to FILE (default: standard "     \
	"output)\n"                                                            \
	"\n"                                                                   \
	"See cotrace-report(1) for the report's sections and JSON keys."

bt_component_class_initialize_method_status cotrace_sink_report_initialize(
		bt_self_component_sink *self_component,
		bt_self_component_sink_configuration *configuration,
		const bt_value *params, void *initialize_method_data);
void cotrace_sink_report_finalize(bt_self_component_sink *self_component);
bt_component_class_sink_graph_is_configured_method_status
cotrace_sink_report_graph_is_configured(bt_self_component_sink *self_component);
bt_component_class_sink_consume_method_status cotrace_sink_report_consume(
		bt_self_component_sink *self_component);

/*
 * A new reference to the sink class with all its methods, for graphs built
 * in-process; NULL when out of memory. Release with
 * bt_component_class_sink_put_ref().
 */
bt_component_class_sink *cotrace_sink_report_class_create(void);

#endif /* COTRACE_SINK_REPORT_H */
