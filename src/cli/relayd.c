/*
 * A private lttng-relayd: cotrace record --live streams its session to it
 * and reads it back through its live port. It runs in its own process
 * group (the terminal's Ctrl-C is PROGRAM's, and the relay must outlive
 * PROGRAM to receive its last events) and dies with cotrace
 * (PR_SET_PDEATHSIG), so it never outlives the recording.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "relayd.h"

#define READY_TIMEOUT_MS 15000
#define STOP_TIMEOUT_MS 5000
#define POLL_MS 20
#define START_ATTEMPTS 5

void
cli_relayd_init(struct cli_relayd *r)
{
	memset(r, 0, sizeof(*r));
	r->pid = -1;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
	}
}

/* Three ports the kernel says are free on `addr` now. */
static int
pick_ports(const struct in_addr *addr, uint16_t ports[3], int n)
{
	int fds[3] = {-1, -1, -1};
	int status = -1;

	for (int i = 0; i < n; i++) {
		struct sockaddr_in sa;
		socklen_t len = sizeof(sa);

		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_addr = *addr;
		sa.sin_port = 0;
		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fds[i] < 0 ||
				bind(fds[i], (struct sockaddr *)&sa,
						sizeof(sa)) != 0 ||
				getsockname(fds[i], (struct sockaddr *)&sa,
						&len) != 0) {
			cli_error("cannot find a free port on %s: %s",
					inet_ntoa(*addr), strerror(errno));
			goto end;
		}
		ports[i] = ntohs(sa.sin_port);
	}
	status = 0;
end:
	for (int i = 0; i < n; i++) {
		if (fds[i] >= 0) {
			close(fds[i]);
		}
	}
	return status;
}

/* Whether process `pid` holds the socket of inode `inode`. */
static bool
owns_socket(pid_t pid, unsigned long inode)
{
	char dir[64], path[512], target[64], want[64];
	struct dirent *entry;
	bool found = false;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%ld/fd", (long)pid);
	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	d = opendir(dir);
	if (!d) {
		return false;
	}
	while (!found && (entry = readdir(d))) {
		ssize_t n;

		snprintf(path, sizeof(path), "%s/%s", dir, entry->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			found = !strcmp(target, want);
		}
	}
	closedir(d);
	return found;
}

/*
 * Whether `pid` listens on addr:port: /proc/net/tcp's listening socket
 * there must be its own (another program may hold a port it wanted).
 */
static bool
listening(const struct in_addr *addr, uint16_t port, pid_t pid)
{
	char line[512], want[32];
	bool found = false;
	FILE *f = fopen("/proc/net/tcp", "re");

	if (!f) {
		return false;
	}
	/* The kernel prints the address as the native view of the be32. */
	snprintf(want, sizeof(want), "%08X:%04X", (unsigned int)addr->s_addr,
			(unsigned int)port);
	while (!found && fgets(line, sizeof(line), f)) {
		char local[64], remote[64];
		unsigned long inode;
		unsigned int st;

		/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
		if (sscanf(line,
				    " %*[^:]: %63s %63s %x %*s %*s %*s %*s %*s "
				    "%lu",
				    local, remote, &st, &inode) == 4) {
			found = st == 0x0A && !strcmp(local, want) &&
				owns_socket(pid, inode);
		}
	}
	fclose(f);
	return found;
}

/*
 * "PERROR - 11:30:19.274 [30363/30375]: Failed to bind lttng-live socket:
 * Address already in use (in init_socket() at live.c:654)" -> from
 * "Failed" to before " (in".
 */
static void
clean_line(char *line)
{
	char *p = strstr(line, "]: ");
	char *in;

	if (!strncmp(line, "PERROR", 6) && p) {
		memmove(line, p + 3, strlen(p + 3) + 1);
	} else if (!strncmp(line, "Error: ", 7)) {
		memmove(line, line + 7, strlen(line + 7) + 1);
	}
	in = strstr(line, " (in ");
	if (in) {
		*in = '\0';
	}
}

size_t
cli_relayd_live_connections(const struct cli_relayd *r)
{
	static const char *const tables[] = {"/proc/net/tcp", "/proc/net/tcp6"};
	size_t n = 0;

	for (size_t t = 0; t < 2; t++) {
		char line[512];
		FILE *f = fopen(tables[t], "re");

		if (!f) {
			continue;
		}
		while (fgets(line, sizeof(line), f)) {
			char local[128];
			unsigned int port, st;

			/* "sl: ADDR:PORT REMOTE ST": ESTABLISHED is 01. */
			if (sscanf(line, " %*[^:]: %127[0-9A-Fa-f]:%x %*s %x",
					    local, &port, &st) == 3 &&
					port == r->live_port && st == 0x01) {
				n++;
			}
		}
		fclose(f);
	}
	return n;
}

char *
cli_relayd_last_words(const struct cli_relayd *r)
{
	char line[512], last[512] = "", first_error[512] = "";
	FILE *f;

	if (!r->log_path) {
		return NULL;
	}
	f = fopen(r->log_path, "re");
	if (!f) {
		return NULL;
	}
	while (fgets(line, sizeof(line), f)) {
		size_t len = strcspn(line, "\r\n");

		line[len] = '\0';
		if (len == 0) {
			continue;
		}
		memcpy(last, line, len + 1);
		/* The first error is the cause; later ones follow from it. */
		if (!first_error[0] &&
				(!strncmp(line, "PERROR", 6) ||
						!strncmp(line, "Error", 5))) {
			memcpy(first_error, line, len + 1);
		}
	}
	fclose(f);
	if (first_error[0]) {
		memcpy(last, first_error, sizeof(last));
	}
	clean_line(last);
	return last[0] ? strdup(last) : NULL;
}

bool
cli_relayd_alive(struct cli_relayd *r)
{
	pid_t got;

	if (r->pid <= 0) {
		return false;
	}
	do {
		got = waitpid(r->pid, &r->wait_status, WNOHANG);
	} while (got < 0 && errno == EINTR);
	if (got == r->pid || (got < 0 && errno == ECHILD)) {
		r->exited = true;
		r->pid = -1;
		return false;
	}
	return true;
}

static void terminate(struct cli_relayd *r);

/* Forks and execs; returns 0, or the errno of a failed exec (or fork). */
static int
spawn(struct cli_relayd *r, const char *binary, char **args, int log_fd)
{
	int errpipe[2], err = 0;
	pid_t parent = getpid();
	ssize_t n;

	if (pipe2(errpipe, O_CLOEXEC) != 0) {
		return errno;
	}
	r->pid = fork();
	if (r->pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
		if (getppid() != parent) {
			_exit(1);
		}
		if (devnull >= 0) {
			dup2(devnull, 0);
		}
		dup2(log_fd, 1);
		dup2(log_fd, 2);
		signal(SIGPIPE, SIG_DFL);
		execvp(binary, args);
		err = errno;
		if (write(errpipe[1], &err, sizeof(err)) < 0) {
			/* The exit status tells it too. */
		}
		_exit(127);
	}
	if (r->pid < 0) {
		err = errno;
		close(errpipe[0]);
		close(errpipe[1]);
		return err;
	}
	close(errpipe[1]);
	do {
		n = read(errpipe[0], &err, sizeof(err));
	} while (n < 0 && errno == EINTR);
	close(errpipe[0]);
	if (n == (ssize_t)sizeof(err)) {
		while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR) {
		}
		r->pid = -1;
		return err;
	}
	return 0;
}

/* One try on fresh ports: 0, 1 when a port was taken meanwhile, or -1. */
static int
try_start(struct cli_relayd *r, const char *binary, const char *output_dir,
		const struct in_addr *addr, uint16_t live_port)
{
	char ctrl[64], data[64], live[64], *words;
	char *args[] = {(char *)binary, "-C", ctrl, "-D", data, "-L", live,
			"-o", (char *)output_dir, NULL};
	uint16_t ports[3];
	int log_fd, err, waited = 0;

	if (pick_ports(addr, ports, live_port ? 2 : 3) != 0) {
		return -1;
	}
	if (live_port) {
		ports[2] = live_port;
	}
	r->control_port = ports[0];
	r->data_port = ports[1];
	r->live_port = ports[2];
	snprintf(ctrl, sizeof(ctrl), "tcp://%s:%u", r->bind_addr, ports[0]);
	snprintf(data, sizeof(data), "tcp://%s:%u", r->bind_addr, ports[1]);
	snprintf(live, sizeof(live), "tcp://%s:%u", r->bind_addr, ports[2]);
	log_fd = open(r->log_path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (log_fd < 0) {
		cli_error("cannot write '%s': %s", r->log_path,
				strerror(errno));
		return -1;
	}
	err = spawn(r, binary, args, log_fd);
	close(log_fd);
	if (err) {
		cli_error("cannot run %s: %s; install lttng-tools (apt install "
			  "lttng-tools) or set %s to its path",
				binary, strerror(err), CLI_RELAYD_ENV);
		return -1;
	}
	while (waited < READY_TIMEOUT_MS) {
		if (!cli_relayd_alive(r)) {
			break;
		}
		if (listening(addr, ports[0], r->pid) &&
				listening(addr, ports[1], r->pid) &&
				listening(addr, ports[2], r->pid)) {
			return 0;
		}
		sleep_ms(POLL_MS);
		waited += POLL_MS;
	}
	words = cli_relayd_last_words(r);
	if (r->pid > 0) {
		terminate(r);
		cli_error("lttng-relayd did not listen on %s ports %u, %u and "
			  "%u within %d s%s%s",
				r->bind_addr, ports[0], ports[1], ports[2],
				READY_TIMEOUT_MS / 1000, words ? ": " : "",
				words ? words : "");
		free(words);
		return -1;
	}
	if (words && strstr(words, "in use") && !live_port) {
		free(words);
		return 1;
	}
	if (words && strstr(words, "in use")) {
		cli_error("cannot start lttng-relayd: live port %u on %s is "
			  "already in use; choose another with --live-port",
				live_port, r->bind_addr);
	} else {
		cli_error("cannot start lttng-relayd (%s %d)%s%s",
				WIFSIGNALED(r->wait_status) ? "killed by signal"
							    : "exit status",
				WIFSIGNALED(r->wait_status)
						? WTERMSIG(r->wait_status)
						: WEXITSTATUS(r->wait_status),
				words ? ": " : "", words ? words : "");
	}
	free(words);
	return -1;
}

int
cli_relayd_start(struct cli_relayd *r, const char *output_dir,
		const char *bind_addr, uint16_t live_port)
{
	const char *env = getenv(CLI_RELAYD_ENV);
	const char *binary = env && *env ? env : "lttng-relayd";
	const char *tmp = getenv("TMPDIR");
	struct in_addr addr;
	int fd, ret = 1;

	cli_relayd_init(r);
	r->bind_addr = strdup(bind_addr ? bind_addr : "127.0.0.1");
	if (!r->bind_addr) {
		cli_error("out of memory");
		return -1;
	}
	if (inet_pton(AF_INET, r->bind_addr, &addr) != 1) {
		cli_error("'%s' is not an IPv4 address to listen on (e.g. "
			  "127.0.0.1, 0.0.0.0)",
				r->bind_addr);
		goto error;
	}
	if (asprintf(&r->log_path, "%s/cotrace-relayd-XXXXXX",
			    tmp && *tmp ? tmp : "/tmp") < 0) {
		r->log_path = NULL;
		cli_error("out of memory");
		goto error;
	}
	fd = mkstemp(r->log_path);
	if (fd < 0) {
		cli_error("cannot create a log file for lttng-relayd (%s): %s",
				r->log_path, strerror(errno));
		free(r->log_path);
		r->log_path = NULL;
		goto error;
	}
	close(fd);
	for (int attempt = 0; attempt < START_ATTEMPTS && ret == 1; attempt++) {
		ret = try_start(r, binary, output_dir, &addr, live_port);
	}
	if (ret == 1) {
		cli_error("cannot start lttng-relayd: the free ports found on "
			  "%s were taken by others %d times",
				r->bind_addr, START_ATTEMPTS);
	}
	if (ret == 0) {
		return 0;
	}
error:
	cli_relayd_stop(r);
	return -1;
}

/* SIGTERM, a bounded wait, then SIGKILL. */
static void
terminate(struct cli_relayd *r)
{
	if (r->pid > 0) {
		int waited = 0;

		kill(r->pid, SIGTERM);
		while (cli_relayd_alive(r) && waited < STOP_TIMEOUT_MS) {
			sleep_ms(POLL_MS);
			waited += POLL_MS;
		}
		if (r->pid > 0) {
			kill(r->pid, SIGKILL);
			while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR) {
			}
			r->pid = -1;
		}
	}
}

void
cli_relayd_stop(struct cli_relayd *r)
{
	terminate(r);
	if (r->log_path) {
		unlink(r->log_path);
		free(r->log_path);
		r->log_path = NULL;
	}
	free(r->bind_addr);
	r->bind_addr = NULL;
}
