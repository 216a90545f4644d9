/*
 * `cotrace record --relay URL`: the recording session streams to an
 * lttng-relayd (liblttng-ctl's network session) instead of writing a local
 * trace. What differs from a local recording lives here.
 */
#ifndef COTRACE_CLI_SESSION_NET_H
#define COTRACE_CLI_SESSION_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "relay-net.h"

struct lttng_session_descriptor;

/* While PROGRAM runs, the connection to the relay is checked this often. */
#define CLI_RELAY_WATCH_MS 500

/*
 * Whether the relay answers, before anything is created or run. Prints
 * one error saying what to do and returns -1 when it does not. Fills
 * `addrs` for cli_relay_watch().
 */
int cli_relay_reachable(
		const struct cli_relay_url *url, struct cli_relay_addrs *addrs);

/* A network session descriptor for `url`; NULL without memory. */
struct lttng_session_descriptor *cli_relay_descriptor(
		const char *session, const struct cli_relay_url *url);

/* What a failed lttng_create_session_ext() to a relay means, as one error. */
void cli_relay_create_failed(const struct cli_relay_url *url, int code);

/*
 * Follows the session's connection to the relay: call it every
 * CLI_RELAY_WATCH_MS. The first call counts the connections; a later call
 * that finds none left says once that the relay is gone (warning) and
 * returns true from then on.
 */
struct cli_relay_watch {
	const struct cli_relay_url *url;     /* borrowed */
	const struct cli_relay_addrs *addrs; /* borrowed */
	long baseline; /* connections when tracing started, -1 unknown */
	bool lost;
};
void cli_relay_watch_start(struct cli_relay_watch *w,
		const struct cli_relay_url *url,
		const struct cli_relay_addrs *addrs);
bool cli_relay_watch(struct cli_relay_watch *w, const char *program);

/*
 * After the session was stopped (flushed) and before it is destroyed
 * (which closes the connection): the same check once more, with its own
 * warning. Returns true when the relay is gone.
 */
bool cli_relay_watch_flushed(struct cli_relay_watch *w);

/*
 * Stops tracing without waiting for ever: the session daemon flushes to
 * the relay for at most `timeout_ms`. Returns 0, or -1 after a warning
 * (the relay did not take everything).
 */
int cli_relay_stop(const char *session, int timeout_ms);

/*
 * Where the relay files the session, as lttng-relayd names it under its
 * output folder: HOSTNAME/SESSION-YYYYmmdd-HHMMSS (malloc'd; NULL without
 * memory). Call while the session exists.
 */
char *cli_relay_folder(const char *session);

/* Says where the relay keeps the recording and how to read it there. */
void cli_relay_say_where(
		const char *folder, const struct cli_relay_url *url, bool lost);

#endif /* COTRACE_CLI_SESSION_NET_H */
