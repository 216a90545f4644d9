/*
 * What session.c offers `cotrace demo` beyond cli.h: recording under
 * another default name, and throwing away a recording worth nothing.
 */
#ifndef COTRACE_CLI_RECORD_H
#define COTRACE_CLI_RECORD_H

#include <stdbool.h>

#include "cli.h"
#include "relay-net.h"

/* What `cotrace demo` changes in a recording; zeroed means as cotrace record.
 */
struct cli_record_extra {
	const char *default_prefix; /* default output ./<prefix>-YYYYmmdd-HHMMSS
				       (-2, -3... if taken); NULL:
				       cotrace-<program> */
	const char *shown_name; /* PROGRAM in progress lines; NULL: argv[0] */
	bool quiet_result; /* no "trace written" line: the caller says it */
	bool no_preload;   /* do not inject libcotrace-preload.so */
	bool python_agent; /* enable the Python agent's domain even when
			      PROGRAM does not look like Python */
	/*
	 * --relay: stream to this lttng-relayd (session-net.h) instead of
	 * writing a local trace; result->trace_dir stays NULL. Borrowed.
	 */
	const struct cli_relay_url *relay;
};

/* cli_record_program() with `extra` (may be NULL). */
int cli_record_program_ext(const struct cli_record_options *opts,
		const struct cli_record_extra *extra, char **argv,
		struct cli_record_result *result);

/*
 * Removes what a recording wrote under `dir`, and `dir` itself unless
 * `keep_dir`. Only for a directory this run created or found empty, so
 * everything in it is ours. Returns 0 or -errno.
 */
int cli_remove_recording(const char *dir, bool keep_dir);

#endif /* COTRACE_CLI_RECORD_H */
