/*
 * A private lttng-relayd for one live recording: started on free ports of
 * one address (loopback unless told otherwise), stopped by its pid.
 */
#ifndef COTRACE_CLI_RELAYD_H
#define COTRACE_CLI_RELAYD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Which lttng-relayd to run: a path; default "lttng-relayd" from PATH. */
#define CLI_RELAYD_ENV "COTRACE_RELAYD"

struct cli_relayd {
	pid_t pid;	 /* -1 when not running */
	char *bind_addr; /* owned: "127.0.0.1" */
	uint16_t control_port, data_port, live_port;
	char *log_path; /* owned: its stderr, in a temporary file */
	bool exited;	/* it ended on its own: wait_status holds why */
	int wait_status;
};

void cli_relayd_init(struct cli_relayd *r);

/*
 * Starts lttng-relayd writing traces under `output_dir`, listening on
 * `bind_addr` (IPv4; NULL: 127.0.0.1) on free ports, or `live_port` for
 * the live endpoint when it is not 0. Returns once it listens on all three
 * ports (bounded wait): 0, or -1 after printing one error.
 */
int cli_relayd_start(struct cli_relayd *r, const char *output_dir,
		const char *bind_addr, uint16_t live_port);

/* Connections established to its live port: the viewers reading. */
size_t cli_relayd_live_connections(const struct cli_relayd *r);

/* Whether it still runs (reaps it when it ended). */
bool cli_relayd_alive(struct cli_relayd *r);

/*
 * Stops it (SIGTERM, then SIGKILL after a bounded wait) and releases r.
 * Safe on an r that never started.
 */
void cli_relayd_stop(struct cli_relayd *r);

/*
 * Why lttng-relayd stopped, from its stderr: its first error line (else
 * its last line), without its log prefix; malloc'd, or NULL.
 */
char *cli_relayd_last_words(const struct cli_relayd *r);

#endif /* COTRACE_CLI_RELAYD_H */
