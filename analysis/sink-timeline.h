/*
 * sink.cotrace.timeline: the babeltrace2 sink component class that draws
 * the timeline of cotrace traces (timeline.h) when the graph ends, for
 * `babeltrace2 TRACE -c sink.cotrace.timeline`. Events are decoded by
 * sink-common.c, as sink.cotrace.report's are. (`cotrace timeline` does
 * not use it: it renders the model cli_analyse_traces() builds.)
 */
#ifndef COTRACE_SINK_TIMELINE_H
#define COTRACE_SINK_TIMELINE_H

#include <babeltrace2/babeltrace.h>

#define COTRACE_SINK_TIMELINE_NAME "timeline"
#define COTRACE_SINK_TIMELINE_DESCRIPTION                                      \
	"Draw the timeline of programs traced with cotrace: lanes per "        \
	"process and thread, tasks, forks, TLS writes, concurrency."
#define COTRACE_SINK_TIMELINE_HELP                                             \
	"Reads cotrace:* events and draws their timeline when the graph "      \
	"ends.\n"                                                              \
	"\n"                                                                   \
	"Parameters:\n"                                                        \
	"  format=term|svg|png|pdf  timeline format (default: term; svg, png " \
	"and pdf when built with cairo)\n"                                     \
	"  path=FILE            write to FILE (default: standard output; png " \
	"and pdf are refused on a terminal)\n"                                 \
	"  width=N              columns (term, default 100) or pixels\n"       \
	"  color=auto|always|never  term colours (default: auto, when "        \
	"writing to a terminal)\n"                                             \
	"\n"                                                                   \
	"See cotrace-timeline(1) for what the timeline shows."

bt_component_class_initialize_method_status cotrace_sink_timeline_initialize(
		bt_self_component_sink *self_component,
		bt_self_component_sink_configuration *configuration,
		const bt_value *params, void *initialize_method_data);
void cotrace_sink_timeline_finalize(bt_self_component_sink *self_component);
bt_component_class_sink_graph_is_configured_method_status
cotrace_sink_timeline_graph_is_configured(
		bt_self_component_sink *self_component);
bt_component_class_sink_consume_method_status cotrace_sink_timeline_consume(
		bt_self_component_sink *self_component);

#endif /* COTRACE_SINK_TIMELINE_H */
