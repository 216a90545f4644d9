/*
 * The live view: src.ctf.lttng-live -> an in-process sink that logs the
 * decoded events (event-log.h); a terminal timeline of everything received
 * so far, drawn about once a period; the final report of what was
 * received. Shared by `cotrace live` and `cotrace record --live`.
 */
#ifndef COTRACE_CLI_LIVE_VIEW_H
#define COTRACE_CLI_LIVE_VIEW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_LIVE_DEFAULT_PORT 5344 /* lttng-relayd's live port */
#define CLI_LIVE_DEFAULT_INTERVAL_S 1.0
#define CLI_LIVE_MIN_INTERVAL_S 0.1
#define CLI_LIVE_MAX_INTERVAL_S 3600.0

/* A relay daemon's live URL, taken apart. */
struct cli_live_url {
	char host[256];
	uint16_t port;	   /* CLI_LIVE_DEFAULT_PORT when not given */
	char target[256];  /* the traced host ("" in a relay URL) */
	char session[256]; /* "" in a relay URL */
};

/*
 * Parses net://HOST[:PORT]/host/TARGET/SESSION (with_session) or
 * net://HOST[:PORT] (not with_session; a trailing / is accepted). Returns
 * 0, or -1 after printing one error that shows the expected form.
 */
int cli_live_parse_url(const char *url, bool with_session,
		struct cli_live_url *parsed);

/* One live session a relay daemon offers. */
struct cli_live_session {
	char *url;    /* owned: net://HOST:PORT/host/TARGET/NAME */
	char *target; /* owned */
	char *name;   /* owned */
	uint64_t timer_us, streams, clients;
};

/*
 * Asks the relay daemon at `relay_url` (net://HOST[:PORT]) for its live
 * sessions. Returns 0 with a malloc'd array (free with
 * cli_live_sessions_free()), or -1 after printing one error (the relay
 * cannot be reached).
 */
int cli_live_list_sessions(const char *relay_url,
		struct cli_live_session **sessions, size_t *n_sessions);
/* The same, printing nothing when the relay cannot be reached. */
int cli_live_list_sessions_quiet(const char *relay_url,
		struct cli_live_session **sessions, size_t *n_sessions);
void cli_live_sessions_free(struct cli_live_session *sessions, size_t n);

struct cli_live_view_options {
	const char *url;    /* borrowed: the session's live URL */
	double interval_s;  /* between frames */
	unsigned int width; /* columns; 0: the terminal's, or $COLUMNS */
	int color;	    /* -1: on a terminal; 0: never; 1: always */
	const char *format; /* the final report: "text" or "json" */
	FILE *out;	    /* frames and the report (stdout) */
};

struct cli_live_view;

enum cli_live_state {
	CLI_LIVE_RUNNING, /* waiting for more */
	CLI_LIVE_ENDED,	  /* the session ended: everything received */
	CLI_LIVE_FAILED,  /* the stream broke: what came is kept */
};

/*
 * Builds the graph (connects on the first pump). Returns 0, or -1 after
 * printing one error.
 */
int cli_live_view_open(struct cli_live_view **view,
		const struct cli_live_view_options *options);

/*
 * Reads what the relay has for up to `budget_ms`, drawing a frame when one
 * is due. After CLI_LIVE_FAILED, the error has been printed once.
 */
enum cli_live_state cli_live_view_pump(
		struct cli_live_view *view, int budget_ms);

/* Keeps pumping until the stream ends or fails, or `timeout_ms` passed. */
enum cli_live_state cli_live_view_drain(
		struct cli_live_view *view, int timeout_ms);

/* The stream is partial: `why` becomes a trace-damaged warning. */
void cli_live_view_mark_partial(struct cli_live_view *view, const char *why);

/* Events received so far: all, and cotrace's. */
void cli_live_view_counts(const struct cli_live_view *view, uint64_t *events,
		uint64_t *cotrace_events);
unsigned int cli_live_view_frames(const struct cli_live_view *view);
/* Whether the stream broke off at least once (what is held is partial). */
bool cli_live_view_broke(const struct cli_live_view *view);

/*
 * Draws the last frame and writes the final report of everything
 * received. Returns a CLI_EXIT_* code: OK, DAMAGED (partial), NO_EVENTS
 * (nothing received: an error printed, no report), FAILURE.
 */
int cli_live_view_finish(struct cli_live_view *view);

void cli_live_view_destroy(struct cli_live_view *view);

/* The milliseconds of a monotonic clock. */
int64_t cli_live_now_ms(void);

#endif /* COTRACE_CLI_LIVE_VIEW_H */
