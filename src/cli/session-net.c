/* Recording into an lttng-relayd: see session-net.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lttng/lttng.h>

#include "cli.h"
#include "session-net.h"

/* Connecting to a relay on a lab network takes milliseconds. */
#define PROBE_TIMEOUT_MS 5000

int
cli_relay_reachable(
		const struct cli_relay_url *url, struct cli_relay_addrs *addrs)
{
	const char *why = NULL;
	int ret = cli_relay_probe(url, PROBE_TIMEOUT_MS, addrs, &why);

	if (ret == 0) {
		return 0;
	}
	if (ret <= -1000) {
		cli_error("cannot reach the relay %s: host '%s' not found "
			  "(%s); "
			  "check the name, or give its address",
				url->url, url->host, why ? why : "?");
	} else if (ret == -ECONNREFUSED) {
		cli_error("cannot reach the relay %s: nothing listens on port "
			  "%u of %s; start it there with 'cotrace relay' (and "
			  "--listen 0.0.0.0 for other machines), or check the "
			  "ports",
				url->url, url->control_port, url->host);
	} else if (ret == -ETIMEDOUT) {
		cli_error("cannot reach the relay %s: no answer within %d s "
			  "(a firewall, or the wrong address?)",
				url->url, PROBE_TIMEOUT_MS / 1000);
	} else {
		cli_error("cannot reach the relay %s: %s", url->url,
				strerror(-ret));
	}
	cli_info("nothing was run and nothing was recorded");
	return -1;
}

struct lttng_session_descriptor *
cli_relay_descriptor(const char *session, const struct cli_relay_url *url)
{
	/* The control URL net://HOST:C:D names the data port too. */
	return lttng_session_descriptor_network_create(session, url->url, NULL);
}

void
cli_relay_create_failed(const struct cli_relay_url *url, int code)
{
	if (code == LTTNG_ERR_RELAYD_VERSION_FAIL) {
		cli_error("cannot record into the relay %s: its lttng-relayd "
			  "is too old or too new for this lttng-sessiond (%s)",
				url->url, lttng_strerror(-code));
		return;
	}
	cli_error("cannot record into the relay %s: %s; is it an "
		  "lttng-relayd ('cotrace relay'), and are both ports right?",
			url->url, lttng_strerror(-code));
}

void
cli_relay_watch_start(struct cli_relay_watch *w,
		const struct cli_relay_url *url,
		const struct cli_relay_addrs *addrs)
{
	w->url = url;
	w->addrs = addrs;
	w->lost = false;
	w->baseline = cli_relay_connections(addrs);
}

bool
cli_relay_watch(struct cli_relay_watch *w, const char *program)
{
	long now;

	if (w->lost) {
		return true;
	}
	/* Not seen from here (another network namespace): nothing to say. */
	if (w->baseline <= 0) {
		return false;
	}
	now = cli_relay_connections(w->addrs);
	if (now != 0) {
		return false;
	}
	w->lost = true;
	cli_warn("lost the connection to the relay %s (it stopped, or the "
		 "network failed): what it received so far stays there; what "
		 "%s does from now on is not recorded",
			w->url->url, program);
	return true;
}

bool
cli_relay_watch_flushed(struct cli_relay_watch *w)
{
	if (w->lost) {
		return true;
	}
	if (w->baseline <= 0 || cli_relay_connections(w->addrs) != 0) {
		return false;
	}
	w->lost = true;
	cli_warn("lost the connection to the relay %s (it stopped, or the "
		 "network failed) while it took the last events: what it "
		 "received stays there, the rest is lost",
			w->url->url);
	return true;
}

int
cli_relay_stop(const char *session, int timeout_ms)
{
	struct timespec nap = {0, 100 * 1000 * 1000};
	int ret = lttng_stop_tracing_no_wait(session);

	if (ret < 0) {
		cli_warn("cannot stop session %s cleanly (%s); the relay may "
			 "miss its last events",
				session, lttng_strerror(ret));
		return -1;
	}
	for (int waited = 0;; waited += 100) {
		ret = lttng_data_pending(session);
		if (ret == 0) {
			return 0;
		}
		if (ret < 0) {
			cli_warn("cannot tell whether the relay took every "
				 "event (%s); it may miss the last ones",
					lttng_strerror(ret));
			return -1;
		}
		if (waited >= timeout_ms) {
			cli_warn("the relay did not take the last events "
				 "within %d s; they are lost",
					timeout_ms / 1000);
			return -1;
		}
		nanosleep(&nap, NULL);
	}
}

/* The session's creation time as lttng-relayd names folders, or "*". */
static void
creation_stamp(const char *session, char *buf, size_t size)
{
	struct lttng_session *sessions = NULL;
	int n = lttng_list_sessions(&sessions);

	snprintf(buf, size, "*");
	for (int i = 0; i < n; i++) {
		uint64_t t;
		time_t tt;
		struct tm tm;

		if (strcmp(sessions[i].name, session) ||
				lttng_session_get_creation_time(
						&sessions[i], &t) != LTTNG_OK) {
			continue;
		}
		tt = (time_t)t;
		if (localtime_r(&tt, &tm) &&
				strftime(buf, size, "%Y%m%d-%H%M%S", &tm) ==
						0) {
			snprintf(buf, size, "*");
		}
	}
	free(sessions);
}

char *
cli_relay_folder(const char *session)
{
	char host[256], stamp[32], *folder;

	if (gethostname(host, sizeof(host)) != 0) {
		snprintf(host, sizeof(host), "HOSTNAME");
	}
	host[sizeof(host) - 1] = '\0';
	creation_stamp(session, stamp, sizeof(stamp));
	if (asprintf(&folder, "%s/%s-%s", host, session, stamp) < 0) {
		return NULL;
	}
	return folder;
}

void
cli_relay_say_where(
		const char *folder, const struct cli_relay_url *url, bool lost)
{
	cli_info("trace %s the relay %s, which keeps it in its output folder "
		 "as %s",
			lost ? "partly sent to" : "sent to", url->url,
			folder ? folder : "HOSTNAME/SESSION-DATE-TIME");
	cli_info("to read it, on the relay's machine: cotrace report "
		 "RELAY_DIR/%s (or cotrace report RELAY_DIR: every machine "
		 "together)",
			folder ? folder : "HOSTNAME/SESSION-DATE-TIME");
}
