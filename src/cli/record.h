/*
 * What session.c offers `cotrace demo` beyond cli.h: recording under
 * another default name, and throwing away a recording worth nothing.
 */
#ifndef COTRACE_CLI_RECORD_H
#define COTRACE_CLI_RECORD_H

#include <stdbool.h>
#include <sys/types.h>

#include "cli.h"
#include "relay-net.h"

struct lttng_session_descriptor;

/*
 * What a live recording (live-record.c) changes in how a recording runs;
 * any member may be NULL.
 */
struct cli_record_hooks {
	void *data; /* borrowed: given to the functions below */
	/*
	 * The session's descriptor, in place of a local session writing to
	 * `dir` (the claimed output directory): NULL after printing one
	 * error. The trace is then not in `dir`/ust: no "no trace" warning.
	 */
	struct lttng_session_descriptor *(*describe)(void *data,
			const char *session_name, const char *dir);
	/*
	 * Waits for PROGRAM (`pid`) to end while doing its own work; returns
	 * as waitpid(pid, wait_status, 0) does (-1 with errno EINTR is
	 * retried).
	 */
	pid_t (*wait)(void *data, pid_t pid, int *wait_status);
	/*
	 * A child of cotrace's own that outlives PROGRAM (the private relay
	 * daemon): not counted among PROGRAM's processes still running.
	 */
	pid_t (*helper)(void *data);
	/* Tracing has started and PROGRAM is about to: 0, or -1 to give up
	 * (after printing one error). */
	int (*before_program)(void *data);
	/*
	 * Tracing has stopped (everything flushed) and the session is about
	 * to be destroyed.
	 */
	void (*after_stop)(void *data);
};

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
	const struct cli_record_hooks *hooks; /* borrowed, may be NULL */
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
