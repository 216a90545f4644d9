/*
 * Finding and starting the LTTng session daemon for `cotrace record` and
 * `cotrace doctor`.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lttng/lttng.h>

#include "cli.h"
#include "sessiond.h"

/* lttng-tools' DEFAULT_LTTNG_RUNDIR and the global client socket in it. */
#define GLOBAL_RUNDIR "/var/run/lttng"
#define GLOBAL_CLIENT_SOCK GLOBAL_RUNDIR "/client-lttng-sessiond"

/* How long a starting daemon may take before we give up on it. */
#define SESSIOND_START_TIMEOUT_MS 5000
#define SESSIOND_POLL_MS 20

static int
check_candidate(const char *candidate, char **path)
{
	struct stat st;

	if (stat(candidate, &st) != 0) {
		return errno == EACCES ? -EACCES : -ENOENT;
	}
	if (S_ISDIR(st.st_mode)) {
		return -EISDIR;
	}
	if (access(candidate, X_OK) != 0) {
		return -EACCES;
	}
	*path = strdup(candidate);
	return *path ? 0 : -ENOMEM;
}

int
cli_path_lookup(const char *name, char **path)
{
	const char *search, *entry;
	bool denied = false;

	*path = NULL;
	if (name[0] == '\0') {
		return -ENOENT;
	}
	if (strchr(name, '/')) {
		return check_candidate(name, path);
	}
	search = getenv("PATH");
	if (!search) {
		/* What glibc's execvp() searches when PATH is unset. */
		search = "/bin:/usr/bin";
	}
	entry = search;
	for (;;) {
		const char *end = strchrnul(entry, ':');
		int len = (int)(end - entry);
		char *candidate;
		int ret;

		/* An empty entry means the current directory, as for execvp().
		 */
		if (asprintf(&candidate, "%.*s%s%s", len, entry,
				    len ? "/" : "./", name) < 0) {
			return -ENOMEM;
		}
		ret = check_candidate(candidate, path);
		free(candidate);
		if (ret == 0 || ret == -ENOMEM) {
			return ret;
		}
		/* execvp() skips both and reports EACCES if nothing else is
		 * found. */
		if (ret == -EACCES || ret == -EISDIR) {
			denied = true;
		}
		if (*end == '\0') {
			break;
		}
		entry = end + 1;
	}
	return denied ? -EACCES : -ENOENT;
}

bool
cli_in_tracing_group(void)
{
	struct group *tracing = getgrnam("tracing");
	gid_t *groups = NULL;
	bool member = false;
	int n;

	if (!tracing) {
		return false;
	}
	if (getegid() == tracing->gr_gid) {
		return true;
	}
	n = getgroups(0, NULL);
	if (n <= 0) {
		return false;
	}
	groups = calloc((size_t)n, sizeof(*groups));
	if (!groups) {
		return false;
	}
	n = getgroups(n, groups);
	for (int i = 0; i < n; i++) {
		if (groups[i] == tracing->gr_gid) {
			member = true;
			break;
		}
	}
	free(groups);
	return member;
}

bool
cli_sessiond_is_global(char **where)
{
	const char *home;

	/*
	 * liblttng-ctl's own choice: root always talks to the global daemon;
	 * a tracing-group member does when it is running, else falls back to
	 * the per-user one under $LTTNG_HOME (default $HOME).
	 */
	if (getuid() == 0 || (cli_in_tracing_group() &&
					     access(GLOBAL_CLIENT_SOCK, F_OK) ==
							     0)) {
		*where = strdup(GLOBAL_RUNDIR);
		return true;
	}
	home = getenv("LTTNG_HOME");
	if (!home || !*home) {
		home = getenv("HOME");
	}
	if (!home || !*home) {
		struct passwd *pw = getpwuid(getuid());

		home = pw ? pw->pw_dir : "/";
	}
	if (asprintf(where, "%s/.lttng", home) < 0) {
		*where = NULL;
	}
	return false;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Appends what the daemon wrote on stderr so far to `buf` (bounded). */
static void
drain(int fd, char *buf, size_t size)
{
	size_t len = strlen(buf);

	for (;;) {
		char chunk[256];
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n <= 0) {
			return;
		}
		if (len + 1 < size) {
			size_t take = (size_t)n;

			if (take > size - 1 - len) {
				take = size - 1 - len;
			}
			memcpy(buf + len, chunk, take);
			len += take;
			buf[len] = '\0';
		}
	}
}

/* The first non-empty line of the daemon's stderr, for the error message. */
static const char *
first_line(char *text)
{
	char *line = text + strspn(text, " \t\n");

	line[strcspn(line, "\n")] = '\0';
	return line;
}

static pid_t
spawn_daemon(const char *daemon, int err_fd)
{
	pid_t pid = fork();

	if (pid == 0) {
		int null_fd = open("/dev/null", O_RDWR);

		if (null_fd >= 0) {
			dup2(null_fd, STDIN_FILENO);
			dup2(null_fd, STDOUT_FILENO);
		}
		dup2(err_fd, STDERR_FILENO);
		execl(daemon, "lttng-sessiond", "--daemonize", "--no-kernel",
				(char *)NULL);
		dprintf(STDERR_FILENO, "cannot run %s: %s\n", daemon,
				strerror(errno));
		_exit(127);
	}
	return pid;
}

int
cli_sessiond_ensure(bool quiet)
{
	char *daemon = NULL, *where = NULL;
	char errbuf[1024] = "";
	int pipefd[2] = {-1, -1};
	int status = -1, ret, wait_status = 0;
	bool reaped = false, alive = false;
	pid_t launcher;
	long deadline;

	if (lttng_session_daemon_alive() == 1) {
		return 0;
	}
	ret = cli_path_lookup("lttng-sessiond", &daemon);
	if (ret == -ENOMEM) {
		cli_error("out of memory");
		goto end;
	} else if (ret < 0) {
		cli_error("no LTTng session daemon is running and "
			  "lttng-sessiond is not installed; install "
			  "lttng-tools (apt-get install lttng-tools)");
		goto end;
	}
	cli_sessiond_is_global(&where);
	if (!quiet) {
		cli_info("no session daemon running: starting %s --daemonize "
			 "--no-kernel (%s)",
				daemon, where ? where : "");
	}
	if (pipe2(pipefd, O_CLOEXEC) != 0) {
		cli_error("cannot start the LTTng session daemon: %s",
				strerror(errno));
		goto end;
	}
	launcher = spawn_daemon(daemon, pipefd[1]);
	if (launcher < 0) {
		cli_error("cannot start the LTTng session daemon: %s",
				strerror(errno));
		goto end;
	}
	close(pipefd[1]);
	pipefd[1] = -1;
	fcntl(pipefd[0], F_SETFL, O_NONBLOCK);

	/*
	 * With --daemonize the launcher exits once the daemon is ready, but
	 * poll the daemon itself too: the launcher also fails when another
	 * daemon won a start race, and that one serves us as well.
	 */
	deadline = now_ms() + SESSIOND_START_TIMEOUT_MS;
	for (;;) {
		struct timespec pause = {0, SESSIOND_POLL_MS * 1000000L};

		drain(pipefd[0], errbuf, sizeof(errbuf));
		if (!reaped && waitpid(launcher, &wait_status, WNOHANG) ==
						launcher) {
			reaped = true;
			if (!WIFEXITED(wait_status) ||
					WEXITSTATUS(wait_status)) {
				/* A failed launcher leaves a short grace for a
				 * racer. */
				long grace = now_ms() + 500;

				if (grace < deadline) {
					deadline = grace;
				}
			}
		}
		alive = lttng_session_daemon_alive() == 1;
		if (alive && reaped) {
			break;
		}
		if (now_ms() > deadline) {
			break;
		}
		nanosleep(&pause, NULL);
	}
	if (!reaped && !alive) {
		kill(launcher, SIGTERM);
		waitpid(launcher, NULL, 0);
	}
	drain(pipefd[0], errbuf, sizeof(errbuf));
	if (!alive) {
		const char *why = first_line(errbuf);

		cli_error("cannot start the LTTng session daemon%s%s; see "
			  "'cotrace doctor'",
				*why ? ": " : "", why);
		goto end;
	}
	status = 0;
end:
	if (pipefd[0] >= 0) {
		close(pipefd[0]);
	}
	if (pipefd[1] >= 0) {
		close(pipefd[1]);
	}
	free(daemon);
	free(where);
	return status;
}
