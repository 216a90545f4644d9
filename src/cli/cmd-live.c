/* cotrace live: watch a live recording session through lttng-relayd. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "live-view.h"

#define EXIT_INTERRUPTED 130 /* 128 + SIGINT, as a shell says */
#define POLL_BUDGET_MS 200

static volatile sig_atomic_t stop_signal;

/* Help text reads best one output line per source line. */
/* clang-format off */
static void
usage(FILE *out)
{
	fprintf(out,
		"usage: cotrace live [--wait] [--interval SECONDS] [--width N] [--no-color]\n"
		"                    [--format text|json] net://HOST[:PORT]/host/TARGET/SESSION\n"
		"       cotrace live --list net://HOST[:PORT]\n"
		"\n"
		"Watch a live recording session (cotrace record --live, or any LTTng\n"
		"live session of cotrace events) through the relay daemon's live port:\n"
		"the terminal timeline of everything received so far is redrawn about\n"
		"once a second until the session ends, then the report of the whole\n"
		"run is printed. `cotrace record --live` prints the URL to give here.\n"
		"\n"
		"options:\n"
		"  -l, --list           list the live sessions of the relay daemon at\n"
		"                       net://HOST[:PORT] (default port %d), one URL a line\n"
		"      --wait           wait for the relay daemon and the session to\n"
		"                       appear (start this before the recording: a\n"
		"                       viewer that attaches later sees only what comes\n"
		"                       after it attached)\n"
		"  -i, --interval S     seconds between frames (default 1; %.1f to %.0f)\n"
		"  -w, --width N        columns (default: the terminal's width, else\n"
		"                       $COLUMNS, else 100; at least 40)\n"
		"      --no-color       no colours (the default when not writing to a\n"
		"                       terminal, when TERM=dumb or NO_COLOR is set)\n"
		"      --color          colours even when not writing to a terminal\n"
		"  -f, --format FORMAT  the final report: text (default) or json\n"
		"  -h, --help           show this help and exit\n"
		"\n"
		"On a terminal each frame replaces the last; otherwise frames follow\n"
		"one another, each after a line '--- live frame N, T s, E events ---'.\n"
		"Ctrl-C stops watching (the recording goes on) and prints the report of\n"
		"what was received.\n"
		"\n"
		"exit status: 0 ok, 1 failure (relay daemon unreachable, the session\n"
		"already has a viewer, nothing received), 2 bad usage\n"
		"or URL, 3 no such session at the relay, 4 no cotrace events, 5 the\n"
		"stream broke off (partial report printed), 130 interrupted (partial\n"
		"report printed). See cotrace-live(1).\n",
		CLI_LIVE_DEFAULT_PORT, CLI_LIVE_MIN_INTERVAL_S,
		CLI_LIVE_MAX_INTERVAL_S);
}
/* clang-format on */

static void
on_stop(int sig)
{
	stop_signal = sig;
}

/* "0.5", "2": seconds between frames. Returns 0 or -1 (error printed). */
int
cli_live_parse_interval(const char *arg, double *seconds)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v >= CLI_LIVE_MIN_INTERVAL_S) ||
			v > CLI_LIVE_MAX_INTERVAL_S) {
		cli_error("invalid interval '%s' (expected seconds from %.1f "
			  "to %.0f, e.g. 1 or 0.5)",
				arg, CLI_LIVE_MIN_INTERVAL_S,
				CLI_LIVE_MAX_INTERVAL_S);
		return -1;
	}
	*seconds = v;
	return 0;
}

/* A width of the terminal chart: 40..1000. Returns 0 or -1. */
int
cli_live_parse_width(const char *arg, unsigned int *width)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (*arg < '0' || *arg > '9' || errno || *end || v < 40 || v > 1000) {
		cli_error("invalid width '%s' (expected columns from 40 to "
			  "1000)",
				arg);
		return -1;
	}
	*width = (unsigned int)v;
	return 0;
}

static int
list_sessions(const char *url)
{
	struct cli_live_url parsed;
	struct cli_live_session *s = NULL;
	char relay[300];
	size_t n = 0;

	if (cli_live_parse_url(url, false, &parsed)) {
		return CLI_EXIT_USAGE;
	}
	snprintf(relay, sizeof(relay), "net://%s:%u", parsed.host,
			(unsigned int)parsed.port);
	if (cli_live_list_sessions(relay, &s, &n)) {
		return CLI_EXIT_FAILURE;
	}
	if (n == 0) {
		cli_info("no live sessions at %s", relay);
	}
	for (size_t i = 0; i < n; i++) {
		printf("%s  (host %s, session %s, %" PRIu64 " streams, %" PRIu64
		       " viewers, live timer %" PRIu64 " ms)\n",
				s[i].url, s[i].target, s[i].name, s[i].streams,
				s[i].clients, s[i].timer_us / 1000);
	}
	cli_live_sessions_free(s, n);
	return cli_close_stdout() ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}

/*
 * Whether the relay offers TARGET/SESSION without a viewer: exit code OK,
 * or printed why. Quiet: NO_TRACE, unsaid, while the relay or the session
 * is not there (yet).
 */
static int
find_session(const char *url, const struct cli_live_url *parsed, bool quiet)
{
	struct cli_live_session *s = NULL;
	char relay[300];
	size_t n = 0;
	int rc = CLI_EXIT_NO_TRACE;

	snprintf(relay, sizeof(relay), "net://%s:%u", parsed->host,
			(unsigned int)parsed->port);
	if (quiet ? cli_live_list_sessions_quiet(relay, &s, &n)
		  : cli_live_list_sessions(relay, &s, &n)) {
		/* Quiet (--wait): a relay not up yet is waited for. */
		return quiet ? CLI_EXIT_NO_TRACE : CLI_EXIT_FAILURE;
	}
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(s[i].target, parsed->target) &&
				!strcmp(s[i].name, parsed->session)) {
			rc = s[i].clients > 0 ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
			/*
			 * A session not started has no streams yet:
			 * babeltrace2 2.0's live source can abort when it
			 * attaches before the trace's metadata exists.
			 */
			if (rc == CLI_EXIT_OK && s[i].streams == 0 && quiet) {
				rc = CLI_EXIT_NO_TRACE;
			}
		}
	}
	if (rc == CLI_EXIT_FAILURE) {
		/* lttng-relayd serves one viewer per session. */
		cli_error("session '%s' of host '%s' at %s already has a "
			  "viewer, and lttng-relayd allows one: record it with "
			  "`cotrace record --live --no-view` to watch it here",
				parsed->session, parsed->target, relay);
		cli_live_sessions_free(s, n);
		return rc;
	}
	if (rc != CLI_EXIT_OK && !quiet) {
		cli_error("no live session '%s' of host '%s' at %s (%zu "
			  "session%s there): see 'cotrace live --list %s'",
				parsed->session, parsed->target, relay, n,
				n == 1 ? "" : "s", relay);
		(void)url;
	}
	cli_live_sessions_free(s, n);
	return rc;
}

/*
 * --wait: until the relay is up and offers the session (or a signal).
 * Attaching as soon as the session exists gets all of it: the relay
 * hands a viewer only the data that comes after it attached.
 */
static int
wait_for_session(const struct cli_live_url *parsed)
{
	struct timespec pause = {0, 100 * 1000 * 1000};

	cli_info("waiting for session '%s' of host '%s' at net://%s:%u "
		 "(Ctrl-C stops)",
			parsed->session, parsed->target, parsed->host,
			(unsigned int)parsed->port);
	while (!stop_signal) {
		int rc = find_session(NULL, parsed, true);

		if (rc != CLI_EXIT_NO_TRACE) {
			return rc;
		}
		nanosleep(&pause, NULL);
	}
	cli_warn("stopped waiting (signal %d)", (int)stop_signal);
	return EXIT_INTERRUPTED;
}

int
cmd_live(int argc, char **argv)
{
	enum { OPT_NO_COLOR = 256, OPT_COLOR, OPT_WAIT };
	static const struct option options[] = {
			{"list", no_argument, NULL, 'l'},
			{"wait", no_argument, NULL, OPT_WAIT},
			{"interval", required_argument, NULL, 'i'},
			{"width", required_argument, NULL, 'w'},
			{"format", required_argument, NULL, 'f'},
			{"no-color", no_argument, NULL, OPT_NO_COLOR},
			{"color", no_argument, NULL, OPT_COLOR},
			{"help", no_argument, NULL, 'h'},
			{NULL, 0, NULL, 0},
	};
	struct cli_live_view_options vopts = {
			.interval_s = CLI_LIVE_DEFAULT_INTERVAL_S,
			.color = -1,
			.format = "text",
	};
	struct cli_live_view *view = NULL;
	struct cli_live_url parsed;
	struct sigaction act, old_int, old_term;
	enum cli_live_state state = CLI_LIVE_RUNNING;
	bool list = false, wait = false;
	int c, rc;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":li:w:f:h", options, NULL)) !=
			-1) {
		switch (c) {
		case 'l':
			list = true;
			break;
		case OPT_WAIT:
			wait = true;
			break;
		case 'i':
			if (cli_live_parse_interval(
					    optarg, &vopts.interval_s)) {
				return CLI_EXIT_USAGE;
			}
			break;
		case 'w':
			if (cli_live_parse_width(optarg, &vopts.width)) {
				return CLI_EXIT_USAGE;
			}
			break;
		case 'f':
			if (cli_check_report_format(optarg) != 0) {
				return CLI_EXIT_USAGE;
			}
			vopts.format = optarg;
			break;
		case OPT_NO_COLOR:
			vopts.color = 0;
			break;
		case OPT_COLOR:
			vopts.color = 1;
			break;
		case 'h':
			usage(stdout);
			return cli_close_stdout() ? CLI_EXIT_FAILURE
						  : CLI_EXIT_OK;
		default:
			cli_option_error("live", c, argv);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		cli_error("%s; usage: cotrace live net://HOST[:PORT]/host/"
			  "TARGET/SESSION, or cotrace live --list "
			  "net://HOST[:PORT]",
				optind >= argc ? "no URL given"
					       : "give one URL only");
		return CLI_EXIT_USAGE;
	}
	if (list) {
		return list_sessions(argv[optind]);
	}
	if (cli_live_parse_url(argv[optind], true, &parsed)) {
		return CLI_EXIT_USAGE;
	}
	memset(&act, 0, sizeof(act));
	act.sa_handler = on_stop;
	sigemptyset(&act.sa_mask);
	act.sa_flags = SA_RESTART;
	stop_signal = 0;
	sigaction(SIGINT, &act, &old_int);
	sigaction(SIGTERM, &act, &old_term);
	if (wait) {
		rc = wait_for_session(&parsed);
	} else {
		rc = find_session(argv[optind], &parsed, false);
		/* Found but not started yet: wait for its streams (10 s). */
		for (int i = 0; i < 100 && rc == CLI_EXIT_OK && !stop_signal &&
				find_session(NULL, &parsed, true) ==
						CLI_EXIT_NO_TRACE;
				i++) {
			struct timespec pause = {0, 100 * 1000 * 1000};

			nanosleep(&pause, NULL);
		}
	}
	if (rc == CLI_EXIT_OK) {
		vopts.url = argv[optind];
		vopts.out = stdout;
		if (cli_live_view_open(&view, &vopts)) {
			rc = CLI_EXIT_FAILURE;
		}
	}
	if (rc != CLI_EXIT_OK) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		return stop_signal ? EXIT_INTERRUPTED : rc;
	}
	cli_info("watching %s (Ctrl-C stops)", vopts.url);
	while (state == CLI_LIVE_RUNNING && !stop_signal) {
		state = cli_live_view_pump(view, POLL_BUDGET_MS);
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (stop_signal) {
		cli_warn("stopped watching (signal %d): the session goes on "
			 "without this view",
				(int)stop_signal);
		cli_live_view_mark_partial(view,
				"the live view was stopped before the "
				"session ended");
	}
	rc = cli_live_view_finish(view);
	cli_live_view_destroy(view);
	if (cli_close_stdout()) {
		return CLI_EXIT_FAILURE;
	}
	if (stop_signal && (rc == CLI_EXIT_OK || rc == CLI_EXIT_DAMAGED)) {
		return EXIT_INTERRUPTED;
	}
	return rc;
}
