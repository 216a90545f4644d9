/*
 * cotrace record --live: a live session streamed to lttng-relayd (a
 * private one on loopback, or the one --relay names), watched while
 * PROGRAM runs, then the report of what was received.
 */
#ifndef COTRACE_CLI_LIVE_RECORD_H
#define COTRACE_CLI_LIVE_RECORD_H

#include <stdint.h>

#include "cli.h"
#include "record.h"
#include "relay-net.h"

#define CLI_LIVE_TIMER_US 250000 /* how often the tracer flushes to the relay  \
				  */

struct cli_live_record_options {
	/* --relay (relay-net.h), borrowed; NULL: start a private lttng-relayd */
	const struct cli_relay_url *relay;
	const char *bind_addr; /* the private relay's address; NULL: loopback */
	uint16_t live_port;    /* 0: a free port (private), 5344 (--relay) */
	double interval_s;
	unsigned int width; /* 0: automatic */
	int color;	    /* -1: automatic */
	const char *format; /* the final report: "text" or "json" */
	/*
	 * Stream without watching: the relay daemon takes one viewer per
	 * session, so this leaves it to `cotrace live` elsewhere.
	 */
	bool no_view;
	/* With no_view: seconds to wait for a viewer before PROGRAM starts
	 * (a viewer that attaches later misses what came before). */
	double wait_viewer_s;
};

/*
 * Records argv under a live session and returns the exit code of
 * `cotrace record`: PROGRAM's status (128+N when killed by signal N), or
 * 125 when the recording failed or the relay was lost while PROGRAM ran
 * (the report of what was received is printed all the same).
 */
int cli_record_live(const struct cli_record_options *opts,
		struct cli_record_extra *extra,
		const struct cli_live_record_options *live, char **argv);

#endif /* COTRACE_CLI_LIVE_RECORD_H */
