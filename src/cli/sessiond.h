/*
 * The LTTng session daemon as `cotrace record` and `cotrace doctor` see it:
 * which one liblttng-ctl talks to from here, and starting one when none is
 * reachable. Also the execvp(3)-like PATH lookup both of them need.
 */
#ifndef COTRACE_CLI_SESSIOND_H
#define COTRACE_CLI_SESSIOND_H

#include <stdbool.h>

/*
 * Looks `name` up as execvp(3) would: as a path when it holds a '/', else
 * in each PATH entry. Returns 0 and a malloc'd path in `*path`, -ENOENT
 * when nothing is found, -EACCES when only non-executable files or
 * directories are, -EISDIR when `name` holds a '/' and is a directory,
 * -ENOMEM.
 */
int cli_path_lookup(const char *name, char **path);

/* True when the user is a member of LTTng's `tracing` group. */
bool cli_in_tracing_group(void);

/*
 * Which session daemon liblttng-ctl reaches from this user: the global one
 * (root, or a member of the tracing group while a global daemon runs) or the
 * user's own. `*where` receives its run directory (malloc'd; NULL when
 * allocation fails).
 */
bool cli_sessiond_is_global(char **where);

/*
 * Makes sure a session daemon is reachable, starting
 * `lttng-sessiond --daemonize --no-kernel` when none is. Prints a progress
 * line unless `quiet`, and one error on failure. Returns 0 or -1.
 */
int cli_sessiond_ensure(bool quiet);

#endif /* COTRACE_CLI_SESSIOND_H */
