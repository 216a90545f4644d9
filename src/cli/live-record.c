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

struct live_record {
	const struct cli_live_record_options *opts; /* borrowed */
	const char *program;                       /* borrowed */
	struct cli_relayd relayd;                  /* the private relay */
	bool private_relay;
	char relay_host[256];
	char *live_url;                            /* owned */
	char *dir;                                 /* owned: the output folder */
	struct cli_live_view *view;                /* owned */
	bool view_tried;
	bool relay_lost;                           /* died while PROGRAM ran */
	enum cli_live_state state;
};

static void
sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

int
cli_live_check_relay_url(const char *url)
{
	const char *p = url;
	size_t host_len;

	if (!strncmp(p, "net://", 6) || !strncmp(p, "tcp://", 6)) {
		p += 6;
	} else {
		goto bad;
	}
	host_len = strcspn(p, ":/");
	if (host_len == 0) {
		goto bad;
	}
	p += host_len;
	for (int i = 0; i < 2 && *p == ':'; i++) {
		char *end;
		unsigned long port;

		p++;
		if (*p < '0' || *p > '9') {
			goto bad;
		}
		errno = 0;
		port = strtoul(p, &end, 10);
		if (errno || port == 0 || port > 65535) {
			goto bad;
		}
		p = end;
	}
	if (*p == '\0' || !strcmp(p, "/")) {
		return 0;
	}
bad:
	cli_error("'%s' is not a relay daemon URL: expected "
		  "net://HOST[:CONTROL_PORT[:DATA_PORT]] (e.g. net://lab-server "
		  "or net://10.0.0.5:5342:5343)",
			url);
	return -1;
}

/* HOST of net://HOST[:...], into buf. */
static void
url_host(const char *url, char *buf, size_t size)
{
	const char *p = strstr(url, "://");
	size_t len;

	p = p ? p + 3 : url;
	len = strcspn(p, ":/");
	if (len >= size) {
		len = size - 1;
	}
	memcpy(buf, p, len);
	buf[len] = '\0';
}

static struct lttng_session_descriptor *
describe(void *data, const char *session_name, const char *dir)
{
	struct live_record *lr = data;
	struct lttng_session_descriptor *desc;
	char control[320], hostname[256];
	uint16_t live_port;

	lr->dir = strdup(dir);
	if (!lr->dir) {
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
				lr->relayd.control_port,
				lr->relayd.data_port);
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
		snprintf(control, sizeof(control), "%s", lr->opts->relay_url);
		url_host(lr->opts->relay_url, lr->relay_host,
				sizeof(lr->relay_host));
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

static pid_t
wait_program(void *data, pid_t pid, int *wait_status)
{
	struct live_record *lr = data;

	if (!lr->view_tried) {
		struct cli_live_view_options vo = {
				.url = lr->live_url,
				.interval_s = lr->opts->interval_s,
				.width = lr->opts->width,
				.color = lr->opts->color,
				.format = lr->opts->format,
				.out = stdout,
		};

		lr->view_tried = true;
		if (cli_live_view_open(&lr->view, &vo) != 0) {
			cli_warn("no live view: the recording goes on");
		}
	}
	for (;;) {
		pid_t got = waitpid(pid, wait_status, WNOHANG);

		if (got != 0) {
			return got;
		}
		check_relay(lr);
		if (lr->view && lr->state == CLI_LIVE_RUNNING) {
			lr->state = cli_live_view_pump(lr->view, PUMP_BUDGET_MS);
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
	};
	struct cli_record_result result;
	struct live_record lr;
	int status, view_rc = CLI_EXIT_FAILURE;
	char *ust = NULL;

	memset(&lr, 0, sizeof(lr));
	cli_relayd_init(&lr.relayd);
	lr.opts = live;
	lr.program = argv[0];
	lr.private_relay = live->relay_url == NULL;
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
				live->relay_url);
	}
	if (lr.view) {
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
	} else if (!lr.view || view_rc == CLI_EXIT_FAILURE) {
		cli_warn("no report: the live view failed; try 'cotrace "
			 "report %s'",
				result.trace_dir);
	}
	cli_record_result_release(&result);
end:
	free(ust);
	cli_live_view_destroy(lr.view);
	cli_relayd_stop(&lr.relayd);
	free(lr.live_url);
	free(lr.dir);
	if (cli_close_stdout() && status == CLI_EXIT_OK) {
		status = CLI_EXIT_RECORD_FAILED;
	}
	return status;
}
