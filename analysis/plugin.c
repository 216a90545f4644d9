/*
 * The babeltrace2 plugin `cotrace`: registration only. The sinks' code is
 * in sink-report.c and sink-chrome.c, which the CLI also links in-process.
 */
#include <babeltrace2/babeltrace.h>

#include "sink-chrome.h"
#include "sink-report.h"
#include "sink-timeline.h"

BT_PLUGIN_MODULE();

BT_PLUGIN(cotrace);
BT_PLUGIN_DESCRIPTION(
		"Make concurrency visible: explain what ran in "
		"parallel in traces of programs instrumented with cotrace.");
BT_PLUGIN_AUTHOR("The cotrace authors");
BT_PLUGIN_LICENSE("MIT");

BT_PLUGIN_SINK_COMPONENT_CLASS(report, cotrace_sink_report_consume);
BT_PLUGIN_SINK_COMPONENT_CLASS_DESCRIPTION(
		report, COTRACE_SINK_REPORT_DESCRIPTION);
BT_PLUGIN_SINK_COMPONENT_CLASS_HELP(report, COTRACE_SINK_REPORT_HELP);
BT_PLUGIN_SINK_COMPONENT_CLASS_INITIALIZE_METHOD(
		report, cotrace_sink_report_initialize);
BT_PLUGIN_SINK_COMPONENT_CLASS_FINALIZE_METHOD(
		report, cotrace_sink_report_finalize);
BT_PLUGIN_SINK_COMPONENT_CLASS_GRAPH_IS_CONFIGURED_METHOD(
		report, cotrace_sink_report_graph_is_configured);

BT_PLUGIN_SINK_COMPONENT_CLASS(timeline, cotrace_sink_timeline_consume);
BT_PLUGIN_SINK_COMPONENT_CLASS_DESCRIPTION(
		timeline, COTRACE_SINK_TIMELINE_DESCRIPTION);
BT_PLUGIN_SINK_COMPONENT_CLASS_HELP(timeline, COTRACE_SINK_TIMELINE_HELP);
BT_PLUGIN_SINK_COMPONENT_CLASS_INITIALIZE_METHOD(
		timeline, cotrace_sink_timeline_initialize);
BT_PLUGIN_SINK_COMPONENT_CLASS_FINALIZE_METHOD(
		timeline, cotrace_sink_timeline_finalize);
BT_PLUGIN_SINK_COMPONENT_CLASS_GRAPH_IS_CONFIGURED_METHOD(
		timeline, cotrace_sink_timeline_graph_is_configured);

BT_PLUGIN_SINK_COMPONENT_CLASS(chrome, cotrace_sink_chrome_consume);
BT_PLUGIN_SINK_COMPONENT_CLASS_DESCRIPTION(
		chrome, COTRACE_SINK_CHROME_DESCRIPTION);
BT_PLUGIN_SINK_COMPONENT_CLASS_HELP(chrome, COTRACE_SINK_CHROME_HELP);
BT_PLUGIN_SINK_COMPONENT_CLASS_INITIALIZE_METHOD(
		chrome, cotrace_sink_chrome_initialize);
BT_PLUGIN_SINK_COMPONENT_CLASS_FINALIZE_METHOD(
		chrome, cotrace_sink_chrome_finalize);
BT_PLUGIN_SINK_COMPONENT_CLASS_GRAPH_IS_CONFIGURED_METHOD(
		chrome, cotrace_sink_chrome_graph_is_configured);
