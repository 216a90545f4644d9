/*
 * `cotrace timeline --format chrome`: the traces read through
 * sink.cotrace.chrome in-process, so the JSON is written while the events
 * are decoded and memory does not grow with their number. The writer is
 * ours, not the sink's, so that what the reading learns at the end (a
 * damaged trace) still goes into the document before it is closed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <babeltrace2/babeltrace.h>

#include "chrome-trace.h"
#include "cli.h"
#include "sink-chrome.h"

static void
chrome_counts(void *data, uint64_t *events, uint64_t *cotrace_events)
{
	const struct cotrace_chrome_stats *stats =
			cotrace_chrome_get_stats(data);

	*events = stats->events;
	*cotrace_events = stats->cotrace_events;
}

static int
chrome_add_path(void *data, const char *path)
{
	return cotrace_chrome_add_path(data, path);
}

static int
chrome_mark_damaged(void *data, const char *why)
{
	return cotrace_chrome_mark_damaged(data, why);
}

static int
chrome_output_error(void *data)
{
	return cotrace_chrome_error(data);
}

int
cli_timeline_chrome(const char *const *paths, size_t n_paths, FILE *out)
{
	struct cotrace_sink_chrome_init init = {0};
	struct cli_sink sink = {
			.name = "chrome",
			.output = "timeline",
			.counts = chrome_counts,
			.add_path = chrome_add_path,
			.mark_damaged = chrome_mark_damaged,
			.output_error = chrome_output_error,
	};
	struct cotrace_chrome *writer;
	int rc, status;

	writer = cotrace_chrome_create(out);
	sink.cls = cotrace_sink_chrome_class_create();
	if (!writer || !sink.cls) {
		cli_error("out of memory");
		rc = CLI_EXIT_FAILURE;
		goto end;
	}
	init.writer = writer;
	sink.init = &init;
	sink.data = writer;
	rc = cli_read_traces(paths, n_paths, &sink);
	/*
	 * A document begun is always closed, so that it opens; unless its
	 * output failed (cli_read_traces() said so).
	 */
	if (cotrace_chrome_error(writer)) {
		rc = CLI_EXIT_FAILURE;
	} else if (rc == CLI_EXIT_OK || cotrace_chrome_started(writer)) {
		status = cotrace_chrome_finish(writer);
		if (status) {
			cli_error("cannot write the timeline: %s",
					strerror(-status));
			rc = CLI_EXIT_FAILURE;
		}
	}
end:
	bt_component_class_sink_put_ref(sink.cls);
	cotrace_chrome_destroy(writer);
	return rc;
}
