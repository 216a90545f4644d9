/*
 * cotrace relay: runs lttng-relayd in the foreground so that other
 * machines (`cotrace record --relay net://THIS-HOST`) stream their
 * recordings here, each filed under its hostname, for one merged report.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
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
#include "relay-net.h"
#include "sessiond.h"

/* Exit codes of `cotrace relay` beyond 0, 1 and 2 (cotrace-relay(1)). */
#define RELAY_EXIT_PORT_BUSY 6
#define RELAY_EXIT_NO_RELAYD 127

#define DEFAULT_OUTPUT "cotrace-relay"
#define DEFAULT_LISTEN "127.0.0.1"
/* lttng-relayd listens within milliseconds; a loaded machine is slower. */
#define READY_TIMEOUT_MS 20000
#define STOP_TIMEOUT_MS 10000

enum {
	OPT_LISTEN = 1000,
	OPT_CONTROL_PORT,
	OPT_DATA_PORT,
	OPT_LIVE_PORT,
};

static volatile sig_atomic_t stop_signal;

/* Help text reads best one output line per source line. */
/* clang-format off */
static void
usage(FILE *out)
{
	fprintf(out,
		"usage: cotrace relay [-o DIR] [--listen ADDR] [--control-port N]\n"
		"                     [--data-port N] [--live-port N] [-q]\n"
		"\n"
		"Runs lttng-relayd in the foreground: machines that record with\n"
		"'cotrace record --relay net://THIS-HOST -- PROGRAM' stream their\n"
		"traces here, each under DIR/HOSTNAME/SESSION-DATE-TIME; then\n"
		"'cotrace report DIR' (or timeline, story) reads them all together,\n"
		"one group per machine. Ctrl-C or SIGTERM stops it.\n"
		"\n"
		"options:\n"
		"  -o, --output DIR     where the traces go (default ./" DEFAULT_OUTPUT ",\n"
		"                       created if missing)\n"
		"  --listen ADDR        the address to listen on (default 127.0.0.1:\n"
		"                       this machine only; 0.0.0.0 or :: accepts\n"
		"                       every network)\n"
		"  --control-port N     control port (default 5342)\n"
		"  --data-port N        trace data port (default 5343)\n"
		"  --live-port N        live viewer port (default 5344)\n"
		"  -q, --quiet          no instructions, only warnings and errors\n"
		"  -h, --help           show this help\n"
		"\n"
		"exit status: 0 when stopped by Ctrl-C or SIGTERM, 1 when DIR cannot\n"
		"be used or lttng-relayd failed or stopped on its own, 2 on bad usage,\n"
		"6 when a port is already in use, 127 when lttng-relayd is not\n"
		"installed.\n");
}
/* clang-format on */

static void
on_stop(int sig)
{
	stop_signal = sig;
}

/* mkdir -p; 0 or -1 after one error. */
static int
make_output(const char *dir)
{
	struct stat st;

	if (cli_make_dirs(dir, dir, NULL) != 0) {
		return -1;
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		cli_error("output path '%s' exists and is not a folder; choose "
			  "another with -o",
				dir);
		return -1;
	}
	if (access(dir, W_OK | X_OK) != 0) {
		cli_error("cannot write to the output folder '%s': %s", dir,
				strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Binds `addr`:`port` as lttng-relayd would, to name a busy port before
 * starting it. Returns 0, -EADDRINUSE, or another -errno; a bad address is
 * a usage error reported here (returns -EINVAL).
 */
static int
try_bind(const char *addr, unsigned int port)
{
	struct addrinfo hints, *res = NULL;
	char service[8];
	int ret, err = 0, one = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(service, sizeof(service), "%u", port);
	ret = getaddrinfo(addr, service, &hints, &res);
	if (ret != 0) {
		cli_error("--listen '%s': %s", addr, gai_strerror(ret));
		return -EINVAL;
	}
	{
		int fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC,
				res->ai_protocol);

		if (fd < 0) {
			err = -errno;
		} else {
			/* lttng-relayd sets it too: TIME_WAIT is no conflict.
			 */
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
					sizeof(one));
			if (bind(fd, res->ai_addr, res->ai_addrlen) != 0) {
				err = -errno;
			}
			close(fd);
		}
	}
	freeaddrinfo(res);
	return err;
}

/* tcp://ADDR:PORT, brackets around an IPv6 address. */
static char *
tcp_url(const char *addr, unsigned int port)
{
	char *url;
	bool v6 = strchr(addr, ':') != NULL;

	if (asprintf(&url, "tcp://%s%s%s:%u", v6 ? "[" : "", addr,
			    v6 ? "]" : "", port) < 0) {
		return NULL;
	}
	return url;
}

static bool
is_loopback(const char *addr)
{
	return !strncmp(addr, "127.", 4) || !strcmp(addr, "::1") ||
	       !strcmp(addr, "localhost");
}

static bool
is_wildcard(const char *addr)
{
	return !strcmp(addr, "0.0.0.0") || !strcmp(addr, "::");
}

/* What the machines that record must type: net://HOST:CONTROL:DATA. */
static void
print_instructions(const char *listen_addr, const char *dir,
		unsigned int control, unsigned int data, unsigned int live)
{
	char host[256];
	const char *shown = listen_addr;
	bool v6;

	if (is_wildcard(listen_addr)) {
		if (gethostname(host, sizeof(host)) != 0) {
			snprintf(host, sizeof(host), "THIS-HOST");
		}
		host[sizeof(host) - 1] = '\0';
		shown = host;
	}
	v6 = strchr(shown, ':') != NULL;
	if (is_loopback(listen_addr)) {
		cli_info("relay listening on %s only (loopback): only this "
			 "machine can send it traces; --listen 0.0.0.0 "
			 "accepts other machines",
				listen_addr);
	} else {
		cli_info("relay listening on %s: any machine that reaches it "
			 "can send traces (lttng-relayd has no "
			 "authentication: use it on a trusted network)",
				listen_addr);
	}
	cli_info("ports: control %u, data %u, live %u", control, data, live);
	cli_info("traces go to %s/HOSTNAME/SESSION-DATE-TIME, one folder per "
		 "machine",
			dir);
	cli_info("on each machine, record with:");
	cli_info("  cotrace record --relay %s://%s%s%s:%u:%u -- PROGRAM "
		 "[ARGS...]",
			v6 ? "net6" : "net", v6 ? "[" : "", shown,
			v6 ? "]" : "", control, data);
	cli_info("then read them all together here with:");
	cli_info("  cotrace report %s   (or cotrace timeline, cotrace story)",
			dir);
	cli_info("Ctrl-C stops the relay");
}

/* Counts what arrived: DIR/HOST/SESSION folders. */
static void
print_received(const char *dir)
{
	DIR *top = opendir(dir);
	struct dirent *h;
	size_t hosts = 0, sessions = 0;

	if (!top) {
		return;
	}
	while ((h = readdir(top))) {
		char *path = NULL;
		DIR *sub;
		struct dirent *s;
		size_t n = 0;

		if (h->d_name[0] == '.' ||
				asprintf(&path, "%s/%s", dir, h->d_name) < 0) {
			continue;
		}
		sub = opendir(path);
		free(path);
		if (!sub) {
			continue;
		}
		while ((s = readdir(sub))) {
			n += s->d_name[0] != '.';
		}
		closedir(sub);
		if (n) {
			hosts++;
			sessions += n;
		}
	}
	closedir(top);
	cli_info("the relay holds %zu recording%s from %zu machine%s in %s",
			sessions, sessions == 1 ? "" : "s", hosts,
			hosts == 1 ? "" : "s", dir);
}

/* Waits up to `ms` for `pid`; true when it was reaped into *status. */
static bool
wait_for(pid_t pid, int *status, long ms)
{
	struct timespec nap = {0, 50 * 1000 * 1000};

	for (long waited = 0;; waited += 50) {
		pid_t got = waitpid(pid, status, WNOHANG);

		if (got == pid || (got < 0 && errno != EINTR)) {
			return got == pid;
		}
		if (ms >= 0 && waited >= ms) {
			return false;
		}
		if (ms < 0 && stop_signal) {
			return false;
		}
		nanosleep(&nap, NULL);
	}
}

static void
describe_end(int wstatus, char *buf, size_t size)
{
	if (WIFSIGNALED(wstatus)) {
		snprintf(buf, size, "killed by signal %d", WTERMSIG(wstatus));
	} else {
		snprintf(buf, size, "exit status %d", WEXITSTATUS(wstatus));
	}
}

static void
stop_relayd(pid_t pid)
{
	int wstatus;

	kill(pid, SIGTERM);
	if (!wait_for(pid, &wstatus, STOP_TIMEOUT_MS)) {
		cli_warn("lttng-relayd (pid %ld) did not stop within %d s; "
			 "killing it",
				(long)pid, STOP_TIMEOUT_MS / 1000);
		kill(pid, SIGKILL);
		wait_for(pid, &wstatus, STOP_TIMEOUT_MS);
	}
}

int
cmd_relay(int argc, char **argv)
{
	static const struct option long_options[] = {
			{"output", required_argument, NULL, 'o'},
			{"listen", required_argument, NULL, OPT_LISTEN},
			{"control-port", required_argument, NULL,
					OPT_CONTROL_PORT},
			{"data-port", required_argument, NULL, OPT_DATA_PORT},
			{"live-port", required_argument, NULL, OPT_LIVE_PORT},
			{"quiet", no_argument, NULL, 'q'},
			{"help", no_argument, NULL, 'h'},
			{NULL, 0, NULL, 0},
	};
	static const int signals[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction act, saved[3];
	const char *output = DEFAULT_OUTPUT, *listen_addr = DEFAULT_LISTEN;
	unsigned int ports[3] = {CLI_RELAY_CONTROL_PORT, CLI_RELAY_DATA_PORT,
			CLI_RELAY_LIVE_PORT};
	static const char *const port_options[3] = {
			"--control-port", "--data-port", "--live-port"};
	char *relayd = NULL, *dir = NULL, *urls[3] = {NULL, NULL, NULL};
	bool quiet = false, ready = false, installed = false, reaped;
	int opt, ret, wstatus, status = CLI_EXIT_FAILURE;
	pid_t pid = -1;
	long waited;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":o:qh", long_options, NULL)) !=
			-1) {
		switch (opt) {
		case 'o':
			if (optarg[0] == '\0') {
				cli_error("-o needs a folder");
				return CLI_EXIT_USAGE;
			}
			output = optarg;
			break;
		case OPT_LISTEN:
			if (optarg[0] == '\0') {
				cli_error("--listen needs an address");
				return CLI_EXIT_USAGE;
			}
			listen_addr = optarg;
			break;
		case OPT_CONTROL_PORT:
		case OPT_DATA_PORT:
		case OPT_LIVE_PORT:
			if (cli_parse_port(port_options[opt - OPT_CONTROL_PORT],
					    optarg,
					    &ports[opt - OPT_CONTROL_PORT])) {
				return CLI_EXIT_USAGE;
			}
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			usage(stdout);
			return cli_close_stdout() ? CLI_EXIT_FAILURE
						  : CLI_EXIT_OK;
		default:
			cli_option_error("relay", opt, argv);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("unexpected argument '%s'; see 'cotrace relay "
			  "--help'",
				argv[optind]);
		return CLI_EXIT_USAGE;
	}
	for (int i = 0; i < 3; i++) {
		for (int j = i + 1; j < 3; j++) {
			if (ports[i] == ports[j]) {
				cli_error("%s and %s are both %u: each port "
					  "must differ",
						port_options[i],
						port_options[j], ports[i]);
				return CLI_EXIT_USAGE;
			}
		}
	}
	ret = cli_path_lookup("lttng-relayd", &relayd);
	if (ret != 0) {
		cli_error("cannot run lttng-relayd: %s; install lttng-tools "
			  "(Debian: apt install lttng-tools)",
				ret == -ENOENT ? "it is not installed (not in "
						 "PATH)"
					       : strerror(-ret));
		status = RELAY_EXIT_NO_RELAYD;
		goto end;
	}
	for (int i = 0; i < 3; i++) {
		ret = try_bind(listen_addr, ports[i]);
		if (ret == -EINVAL) {
			status = CLI_EXIT_USAGE;
			goto end;
		}
		if (ret == -EADDRINUSE) {
			cli_error("port %u (%s) on %s is already in use "
				  "(another "
				  "relay?); choose a free one with %s",
					ports[i], port_options[i] + 2,
					listen_addr, port_options[i]);
			status = RELAY_EXIT_PORT_BUSY;
			goto end;
		}
		if (ret == -EADDRNOTAVAIL) {
			cli_error("--listen '%s': no network interface of this "
				  "machine has that address",
					listen_addr);
			status = CLI_EXIT_USAGE;
			goto end;
		}
		if (ret != 0 && ret != -EACCES) {
			cli_error("cannot listen on %s port %u: %s",
					listen_addr, ports[i], strerror(-ret));
			goto end;
		}
	}
	if (make_output(output) != 0) {
		goto end;
	}
	dir = realpath(output, NULL);
	for (int i = 0; i < 3; i++) {
		urls[i] = tcp_url(listen_addr, ports[i]);
	}
	if (!dir || !urls[0] || !urls[1] || !urls[2]) {
		cli_error("out of memory");
		goto end;
	}

	memset(&act, 0, sizeof(act));
	act.sa_handler = on_stop;
	sigemptyset(&act.sa_mask);
	stop_signal = 0;
	for (int i = 0; i < 3; i++) {
		sigaction(signals[i], &act, &saved[i]);
	}
	installed = true;
	pid = fork();
	if (pid == 0) {
		char *args[] = {relayd, "--output", dir,
				"--group-output-by-host", "--control-port",
				urls[0], "--data-port", urls[1], "--live-port",
				urls[2], NULL};

		for (int i = 0; i < 3; i++) {
			sigaction(signals[i], &saved[i], NULL);
		}
		/* Never outlives cotrace relay, even killed with SIGKILL. */
		prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
		execv(relayd, args);
		fprintf(stderr, "cotrace: error: cannot run %s: %s\n", relayd,
				strerror(errno));
		_exit(127);
	}
	if (pid < 0) {
		cli_error("cannot start lttng-relayd: %s", strerror(errno));
		goto end;
	}
	/* Listening on all three ports is ready; dying first is a failure. */
	for (waited = 0; waited < READY_TIMEOUT_MS && !stop_signal;
			waited += 50) {
		struct timespec nap = {0, 50 * 1000 * 1000};

		if (waitpid(pid, &wstatus, WNOHANG) == pid) {
			char how[64];

			pid = -1;
			describe_end(wstatus, how, sizeof(how));
			cli_error("lttng-relayd stopped at once (%s); its "
				  "messages above say why",
					how);
			goto end;
		}
		if (cli_tcp_port_listening(ports[0]) &&
				cli_tcp_port_listening(ports[1]) &&
				cli_tcp_port_listening(ports[2])) {
			ready = true;
			break;
		}
		nanosleep(&nap, NULL);
	}
	if (stop_signal) {
		stop_relayd(pid);
		pid = -1;
		status = CLI_EXIT_OK;
		goto end;
	}
	if (!ready) {
		cli_error("lttng-relayd (pid %ld) is not listening after %d s; "
			  "stopping it",
				(long)pid, READY_TIMEOUT_MS / 1000);
		stop_relayd(pid);
		pid = -1;
		goto end;
	}
	if (!quiet) {
		cli_info("lttng-relayd running (pid %ld)", (long)pid);
		print_instructions(
				listen_addr, dir, ports[0], ports[1], ports[2]);
	}
	/* Ctrl-C reaches lttng-relayd too: it may end first, as asked. */
	reaped = wait_for(pid, &wstatus, -1);
	if (reaped && !stop_signal) {
		char how[64];

		pid = -1;
		describe_end(wstatus, how, sizeof(how));
		cli_error("lttng-relayd stopped on its own (%s); what it "
			  "received is kept in %s",
				how, dir);
		print_received(dir);
		goto end;
	}
	if (!reaped) {
		stop_relayd(pid);
	}
	pid = -1;
	if (!quiet) {
		cli_info("relay stopped (signal %d)", (int)stop_signal);
		print_received(dir);
	}
	status = CLI_EXIT_OK;
end:
	if (pid > 0) {
		stop_relayd(pid);
	}
	if (installed) {
		for (int i = 0; i < 3; i++) {
			sigaction(signals[i], &saved[i], NULL);
		}
	}
	for (int i = 0; i < 3; i++) {
		free(urls[i]);
	}
	free(dir);
	free(relayd);
	return status;
}
