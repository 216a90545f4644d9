/*
 * cotrace record --live. session.c does the recording as always (output
 * folder, run id filter, preload, PROGRAM, signals); the hooks here make
 * its session a live one streamed to lttng-relayd, and watch the relay's
 * live port while PROGRAM runs. The private relay writes the trace under
 * the recording's folder (DIR/HOSTNAME/SESSION-DATE/ust/...), where
 * `cotrace report DIR` finds it; it is stopped once the view has read the
 * end of the session, or when that end does not come in time.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lttng/lttng.h>

#include "cli.h"
#include "live-record.h"
#include "live-view.h"
#include "relayd.h"

/* After the session is destroyed, the view must see its end in this time. */
#define DRAIN_TIMEOUT_MS 30000
#define PUMP_BUDGET_MS 100
#define IDLE_SLEEP_MS 50
/* The view attaches before PROGRAM starts, within this. */
#define ATTACH_TIMEOUT_MS 15000
/* After tracing stopped: quiet this long (4 live timer periods), 10 s at
 * most, before the session is destroyed. */
#define SETTLE_QUIET_MS 1000
#define SETTLE_TIMEOUT_MS 10000

struct live_record {
	const struct cli_live_record_options *opts; /* borrowed */
	const char *program;			    /* borrowed */
	struct cli_relayd relayd;		    /* the private relay */
	bool private_relay;
	char relay_host[256];
	char *live_url;		    /* owned */
	char *dir;		    /* owned: the output folder */
	char *session_name;	    /* owned */
	struct cli_live_view *view; /* owned */
	bool view_tried;
	bool relay_lost; /* died while PROGRAM ran */
	enum cli_live_state state;
};

static void
sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static struct lttng_session_descriptor *
describe(void *data, const char *session_name, const char *dir)
{
	struct live_record *lr = data;
	struct lttng_session_descriptor *desc;
	char control[320], hostname[256];
	uint16_t live_port;

	lr->dir = strdup(dir);
	lr->session_name = strdup(session_name);
	if (!lr->dir || !lr->session_name) {
		cli_error("out of memory");
		return NULL;
	}
	if (gethostname(hostname, sizeof(hostname)) != 0) {
		cli_error("cannot read this machine's host name: %s",
				strerror(errno));
		return NULL;
	}
	hostname[sizeof(hostname) - 1] = '\0';
	if (lr->private_relay) {
		const char *bind = lr->opts->bind_addr ? lr->opts->bind_addr
						       : "127.0.0.1";
		bool loopback = !strncmp(bind, "127.", 4);

		if (cli_relayd_start(&lr->relayd, dir, bind,
				    lr->opts->live_port) != 0) {
			return NULL;
		}
		/* The session daemon is on this machine: loopback reaches
		 * the relay whatever address it listens on. */
		snprintf(control, sizeof(control), "net://127.0.0.1:%u:%u",
				lr->relayd.control_port, lr->relayd.data_port);
		snprintf(lr->relay_host, sizeof(lr->relay_host), "%s",
				loopback || !strcmp(bind, "0.0.0.0")
						? "127.0.0.1"
						: bind);
		live_port = lr->relayd.live_port;
		cli_info("lttng-relayd (pid %ld) listens on %s only%s: "
			 "control port %u, data port %u, live port %u",
				(long)lr->relayd.pid, bind,
				loopback ? " (loopback: other machines cannot "
					   "connect; --bind 0.0.0.0 opens it)"
					 : "",
				lr->relayd.control_port, lr->relayd.data_port,
				live_port);
	} else {
		snprintf(control, sizeof(control), "%s", lr->opts->relay->url);
		snprintf(lr->relay_host, sizeof(lr->relay_host),
				lr->opts->relay->ipv6 ? "[%s]" : "%s",
				lr->opts->relay->host);
		live_port = lr->opts->live_port ? lr->opts->live_port
						: CLI_LIVE_DEFAULT_PORT;
	}
	if (asprintf(&lr->live_url, "net://%s:%u/host/%s/%s", lr->relay_host,
			    (unsigned int)live_port, hostname,
			    session_name) < 0) {
		lr->live_url = NULL;
		cli_error("out of memory");
		return NULL;
	}
	desc = lttng_session_descriptor_live_network_create(
			session_name, control, NULL, CLI_LIVE_TIMER_US);
	if (!desc) {
		cli_error("cannot describe a live session streaming to %s",
				control);
		return NULL;
	}
	cli_info("live session: watch it from another terminal with "
		 "'cotrace live %s'",
			lr->live_url);
	return desc;
}

/* The private relay died while PROGRAM ran: said once. */
static void
check_relay(struct live_record *lr)
{
	int ws;

	if (!lr->private_relay || lr->relay_lost ||
			cli_relayd_alive(&lr->relayd)) {
		return;
	}
	lr->relay_lost = true;
	ws = lr->relayd.wait_status;
	cli_warn("lttng-relayd died (%s %d) while %s ran: what it emits from "
		 "now on is lost; what the relay received is kept in %s",
			WIFSIGNALED(ws) ? "killed by signal" : "exit status",
			WIFSIGNALED(ws) ? WTERMSIG(ws) : WEXITSTATUS(ws),
			lr->program, lr->dir ? lr->dir : "the output folder");
}

static void
open_view(struct live_record *lr)
{
	struct cli_live_view_options vo = {
			.url = lr->live_url,
			.interval_s = lr->opts->interval_s,
			.width = lr->opts->width,
			.color = lr->opts->color,
			.format = lr->opts->format,
			.out = stdout,
	};

	if (lr->view_tried || lr->opts->no_view || !lr->live_url) {
		return;
	}
	lr->view_tried = true;
	if (cli_live_view_open(&lr->view, &vo) != 0) {
		cli_warn("no live view: the recording goes on");
	}
}

static pid_t
wait_program(void *data, pid_t pid, int *wait_status)
{
	struct live_record *lr = data;

	open_view(lr);
	for (;;) {
		pid_t got = waitpid(pid, wait_status, WNOHANG);

		if (got != 0) {
			return got;
		}
		check_relay(lr);
		if (lr->view && lr->state == CLI_LIVE_RUNNING) {
			lr->state = cli_live_view_pump(
					lr->view, PUMP_BUDGET_MS);
		} else {
			sleep_ms(IDLE_SLEEP_MS);
		}
	}
}

static pid_t
helper_pid(void *data)
{
	struct live_record *lr = data;

	return lr->relayd.pid;
}

/* Whether the relay shows a viewer on our session; -1 when unreachable. */
static int
watched(const char *relay, const char *session_name)
{
	struct cli_live_session *s = NULL;
	size_t n = 0;
	int found = 0;

	if (cli_live_list_sessions(relay, &s, &n) != 0) {
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		found |= !strcmp(s[i].name, session_name) && s[i].clients > 0;
	}
	cli_live_sessions_free(s, n);
	return found;
}

/*
 * Without a view of its own, the private relay stays up until the viewer
 * attached elsewhere has read the end (the relay drops the session then),
 * for DRAIN_TIMEOUT_MS at most.
 */
static void
wait_for_viewers(struct live_record *lr, const char *session_name)
{
	int64_t deadline = cli_live_now_ms() + DRAIN_TIMEOUT_MS;

	(void)session_name;
	/*
	 * The session leaves the relay's list before its viewer has read
	 * the end: what counts is a connection still open to the live port.
	 */
	while (cli_live_now_ms() < deadline && cli_relayd_alive(&lr->relayd) &&
			cli_relayd_live_connections(&lr->relayd) > 0) {
		sleep_ms(200);
	}
	if (cli_live_now_ms() >= deadline) {
		cli_warn("a viewer of the session was still reading after %d "
			 "s; stopping the relay daemon",
				DRAIN_TIMEOUT_MS / 1000);
	}
}

/*
 * Tracing stopped: the relay has, or is receiving, the last packets.
 * Viewers read them before the session is destroyed: babeltrace2's live
 * source can break off when the session goes away while it still asks
 * for data.
 */
static void
after_stop(void *data)
{
	struct live_record *lr = data;
	int64_t deadline = cli_live_now_ms() + SETTLE_TIMEOUT_MS;
	uint64_t events = UINT64_MAX, cotrace_events, now_events;
	int64_t still_since = cli_live_now_ms();

	if (!lr->view || lr->state != CLI_LIVE_RUNNING) {
		/* Another viewer: give it time for the last packets. */
		if (lr->opts->no_view) {
			sleep_ms(SETTLE_QUIET_MS);
		}
		return;
	}
	while (lr->state == CLI_LIVE_RUNNING && cli_live_now_ms() < deadline) {
		lr->state = cli_live_view_pump(lr->view, PUMP_BUDGET_MS);
		cli_live_view_counts(lr->view, &now_events, &cotrace_events);
		if (now_events != events) {
			events = now_events;
			still_since = cli_live_now_ms();
		} else if (cli_live_now_ms() - still_since >= SETTLE_QUIET_MS) {
			break;
		}
	}
}

/* --wait-viewer: a viewer that attaches first sees the whole run. */
static int
before_program(void *data)
{
	struct live_record *lr = data;
	int64_t deadline;
	char relay[320];

	if (!lr->live_url) {
		return 0;
	}
	snprintf(relay, sizeof(relay), "%s", lr->live_url);
	*strstr(relay, "/host/") = '\0';
	/*
	 * The relay hands a viewer only what comes after it attached: the
	 * view attaches before PROGRAM starts, so it sees all of it.
	 */
	if (!lr->opts->no_view) {
		open_view(lr);
		deadline = cli_live_now_ms() + ATTACH_TIMEOUT_MS;
		while (lr->view && lr->state == CLI_LIVE_RUNNING &&
				cli_live_now_ms() < deadline) {
			lr->state = cli_live_view_pump(
					lr->view, PUMP_BUDGET_MS);
			if (watched(relay, lr->session_name) > 0) {
				return 0;
			}
		}
		if (lr->view && lr->state == CLI_LIVE_RUNNING) {
			cli_warn("the live view did not attach within %d s; "
				 "it may miss the start of the run (the "
				 "trace keeps it)",
					ATTACH_TIMEOUT_MS / 1000);
		}
		return 0;
	}
	if (lr->opts->wait_viewer_s <= 0) {
		return 0;
	}
	deadline = cli_live_now_ms() +
		   (int64_t)(lr->opts->wait_viewer_s * 1000);
	cli_info("waiting up to %.0f s for a viewer to attach before %s "
		 "starts",
			lr->opts->wait_viewer_s, lr->program);
	while (cli_live_now_ms() < deadline) {
		int w = watched(relay, lr->session_name);

		if (w < 0) {
			return -1;
		}
		if (w > 0) {
			cli_info("a viewer is attached");
			return 0;
		}
		check_relay(lr);
		if (lr->relay_lost) {
			return -1;
		}
		sleep_ms(100);
	}
	cli_warn("no viewer attached within %.0f s; %s starts anyway",
			lr->opts->wait_viewer_s, lr->program);
	return 0;
}

/* The report of the trace the private relay wrote, from the disk. */
static int
report_from_disk(const char *dir, const char *format)
{
	const char *paths[] = {dir};
	int rc = cli_report_traces(paths, 1, format, stdout);

	if (fflush(stdout) != 0) {
		rc = CLI_EXIT_FAILURE;
	}
	return rc;
}

/* PROGRAM's status as words, for the message of a lost relay. */
static void
describe_status(int ws, char *buf, size_t size)
{
	if (WIFSIGNALED(ws)) {
		snprintf(buf, size, "was killed by signal %d", WTERMSIG(ws));
	} else {
		snprintf(buf, size, "exited with status %d", WEXITSTATUS(ws));
	}
}

int
cli_record_live(const struct cli_record_options *opts,
		struct cli_record_extra *extra,
		const struct cli_live_record_options *live, char **argv)
{
	struct cli_record_hooks hooks = {
			.describe = describe,
			.wait = wait_program,
			.helper = helper_pid,
			.before_program = before_program,
			.after_stop = after_stop,
	};
	struct cli_record_result result;
	struct live_record lr;
	int status, view_rc = CLI_EXIT_FAILURE;
	bool ended_running = false, from_disk = false;
	char *ust = NULL;

	memset(&lr, 0, sizeof(lr));
	cli_relayd_init(&lr.relayd);
	lr.opts = live;
	lr.program = argv[0];
	lr.private_relay = live->relay == NULL;
	lr.state = CLI_LIVE_RUNNING;
	hooks.data = &lr;
	extra->hooks = &hooks;
	/* The final report says what the recording saw. */
	extra->quiet_result = true;
	status = cli_record_program_ext(opts, extra, argv, &result);
	if (status != CLI_EXIT_OK) {
		goto end;
	}
	/* The session is destroyed: the view reads up to its end. */
	check_relay(&lr);
	ended_running = lr.state == CLI_LIVE_RUNNING;
	if (lr.view && lr.state == CLI_LIVE_RUNNING) {
		lr.state = cli_live_view_drain(lr.view, DRAIN_TIMEOUT_MS);
		if (lr.state == CLI_LIVE_RUNNING) {
			cli_warn("the live stream did not end within %d s of "
				 "the session's end; the report covers what "
				 "was received",
					DRAIN_TIMEOUT_MS / 1000);
			cli_live_view_mark_partial(lr.view,
					"the live stream did not end in time: "
					"the last events may be missing");
		}
	}
	if (lr.private_relay && live->no_view && lr.session_name) {
		wait_for_viewers(&lr, lr.session_name);
	}
	if (lr.private_relay) {
		check_relay(&lr);
		cli_relayd_stop(&lr.relayd);
		/* session.c claimed DIR/ust; the relay wrote beside it. */
		if (asprintf(&ust, "%s/ust", result.trace_dir) >= 0) {
			rmdir(ust);
		}
		cli_info("trace written to %s", result.trace_dir);
	} else {
		/* Nothing is written here: the folder session.c made goes. */
		if (asprintf(&ust, "%s/ust", result.trace_dir) >= 0) {
			rmdir(ust);
		}
		rmdir(result.trace_dir);
		cli_info("trace written by the relay daemon at %s, under its "
			 "output folder",
				live->relay->url);
	}
	/*
	 * The private relay wrote everything to disk: when the view could
	 * not read the session's end (or there was no view), the report
	 * comes from there, complete.
	 */
	from_disk = lr.private_relay && !lr.relay_lost &&
		    (!lr.view || lr.state != CLI_LIVE_ENDED ||
				    cli_live_view_broke(lr.view));
	if (from_disk && lr.view) {
		cli_warn("the live view %s, but the relay daemon received "
			 "everything: the report below is read from the "
			 "trace it wrote",
				ended_running && lr.state != CLI_LIVE_ENDED
						? "could not read the end of "
						  "the session"
						: "lost part of the stream");
	}
	if (from_disk) {
		view_rc = report_from_disk(result.trace_dir, live->format);
	} else if (lr.view) {
		view_rc = cli_live_view_finish(lr.view);
	}
	status = cli_exit_code_of(result.wait_status);
	if (lr.relay_lost) {
		char what[64];

		describe_status(result.wait_status, what, sizeof(what));
		cli_error("the recording is incomplete: lttng-relayd died "
			  "while %s ran (%s %s); the report above covers "
			  "what was received",
				argv[0], argv[0], what);
		status = CLI_EXIT_RECORD_FAILED;
	} else if (!from_disk && (!lr.view || view_rc == CLI_EXIT_FAILURE)) {
		if (lr.private_relay) {
			cli_warn("no report: the live view failed; try "
				 "'cotrace report %s'",
					result.trace_dir);
		} else {
			cli_info("the report: 'cotrace report' of the trace "
				 "the relay daemon at %s wrote",
					live->relay->url);
		}
	}
	cli_record_result_release(&result);
end:
	free(ust);
	cli_live_view_destroy(lr.view);
	cli_relayd_stop(&lr.relayd);
	free(lr.live_url);
	free(lr.dir);
	free(lr.session_name);
	if (cli_close_stdout() && status == CLI_EXIT_OK) {
		status = CLI_EXIT_RECORD_FAILED;
	}
	return status;
}
