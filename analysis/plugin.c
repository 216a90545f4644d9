/*
 * The babeltrace2 plugin `cotrace`: registration only. The sink's code is
 * in sink-report.c, which `cotrace report` also links in-process.
 */
#include <babeltrace2/babeltrace.h>

#include "sink-report.h"

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
