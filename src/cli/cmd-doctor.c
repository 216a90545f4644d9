/* cotrace doctor: what works here, and what to install or start. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <babeltrace2/babeltrace.h>
#include <lttng/lttng.h>

#include "cli.h"
#include "config.h"
#include "sessiond.h"

enum verdict {
	VERDICT_OK,
	VERDICT_WARN,
	VERDICT_FAIL,
};

struct doctor {
	bool start;  /* --start: start a session daemon if none runs */
	bool failed; /* a check needed to record or report failed */
	unsigned int warnings;
};

static void say(struct doctor *doc, enum verdict verdict, const char *what,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* One line per check on stdout: "ok", "warn" or "FAIL", what, details. */
static void
say(struct doctor *doc, enum verdict verdict, const char *what, const char *fmt,
		...)
{
	static const char *const labels[] = {"ok  ", "warn", "FAIL"};
	va_list ap;

	printf("%s  %-15s ", labels[verdict], what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (verdict == VERDICT_FAIL) {
		doc->failed = true;
	} else if (verdict == VERDICT_WARN) {
		doc->warnings++;
	}
}

/* Help text reads best one output line per source line. */
/* clang-format off */
static void
usage(FILE *out)
{
	fprintf(out,
		"usage: cotrace doctor [--start]\n"
		"\n"
		"Checks what cotrace needs on this machine and prints one line per\n"
		"check: ok, warn (works, with a limit) or FAIL, and what to do.\n"
		"\n"
		"options:\n"
		"  --start      start a session daemon when none is running\n"
		"  -h, --help   show this help\n"
		"\n"
		"exit status: 0 when recording and reporting work here, 1 otherwise,\n"
		"2 bad usage.\n");
}
/* clang-format on */

static void
check_fork(struct doctor *doc)
{
	int wait_status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		_exit(0);
	}
	if (pid < 0) {
		say(doc, VERDICT_FAIL, "fork",
				"fork() failed: %s (check the process limit: "
				"ulimit -u)",
				strerror(errno));
		return;
	}
	while (waitpid(pid, &wait_status, 0) < 0) {
		if (errno != EINTR) {
			say(doc, VERDICT_FAIL, "fork",
					"cannot wait for the child: %s",
					strerror(errno));
			return;
		}
	}
	if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0) {
		say(doc, VERDICT_OK, "fork",
				"a child process ran and exited 0");
	} else {
		say(doc, VERDICT_FAIL, "fork",
				"the child process did not exit 0 (wait status "
				"%#x)",
				wait_status);
	}
}

static void
check_sessiond(struct doctor *doc)
{
	char *where = NULL, *daemon = NULL;
	bool global = cli_sessiond_is_global(&where);
	const char *kind = global ? "root's global daemon"
				  : "your per-user daemon";
	int alive = lttng_session_daemon_alive();

	if (alive != 1 && doc->start) {
		fflush(stdout);
		if (cli_sessiond_ensure(false) == 0) {
			alive = 1;
		}
	}
	if (alive == 1) {
		say(doc, VERDICT_OK, "session daemon", "running: %s, in %s",
				kind, where ? where : "?");
	} else if (cli_path_lookup("lttng-sessiond", &daemon) == 0) {
		if (doc->start) {
			say(doc, VERDICT_FAIL, "session daemon",
					"%s does not come up (see the error "
					"above); try running '%s --no-kernel' "
					"in a terminal to see why",
					daemon, daemon);
		} else {
			say(doc, VERDICT_OK, "session daemon",
					"not running; 'cotrace record' will "
					"start %s as %s in %s (or run 'cotrace "
					"doctor --start')",
					daemon, kind, where ? where : "?");
		}
	} else {
		say(doc, VERDICT_FAIL, "session daemon",
				"not running, and lttng-sessiond is not "
				"installed: apt-get install lttng-tools");
	}
	free(daemon);
	free(where);
}

static void
check_tracing_group(struct doctor *doc)
{
	if (getuid() == 0) {
		say(doc, VERDICT_OK, "tracing group",
				"not needed: running as root");
	} else if (cli_in_tracing_group()) {
		say(doc, VERDICT_OK, "tracing group",
				"member: recordings use the global daemon when "
				"it runs");
	} else {
		say(doc, VERDICT_OK, "tracing group",
				"not a member (not needed): recordings use "
				"your own session daemon");
	}
}

/*
 * In a child: loading lttng-ust starts its threads and registers with a
 * session daemon, nothing this process should carry on with.
 */
static void
check_lttng_ust(struct doctor *doc)
{
	char why[256] = "";
	int pipefd[2], wait_status = 0;
	ssize_t n = 0;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) != 0) {
		say(doc, VERDICT_FAIL, "lttng-ust", "cannot check: %s",
				strerror(errno));
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		void *ust;

		close(pipefd[0]);
		/* Only whether it loads matters: no wait for registration. */
		setenv("LTTNG_UST_REGISTER_TIMEOUT", "0", 1);
		ust = dlopen("liblttng-ust.so.1", RTLD_NOW | RTLD_LOCAL);
		if (!ust) {
			const char *err = dlerror();

			if (write(pipefd[1], err, strlen(err)) < 0) {
				/* The exit status still says it. */
			}
			_exit(1);
		}
		_exit(0);
	}
	close(pipefd[1]);
	if (pid > 0) {
		n = read(pipefd[0], why, sizeof(why) - 1);
		why[n > 0 ? n : 0] = '\0';
		while (waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
		}
	}
	close(pipefd[0]);
	if (pid > 0 && WIFEXITED(wait_status) &&
			WEXITSTATUS(wait_status) == 0) {
		say(doc, VERDICT_OK, "lttng-ust", "liblttng-ust.so.1 loads");
	} else {
		say(doc, VERDICT_FAIL, "lttng-ust",
				"liblttng-ust.so.1 does not load%s%s: apt-get "
				"install liblttng-ust1",
				*why ? ": " : "", why);
	}
}

static bool
plugin_found(const char *name, char **path)
{
	const bt_plugin *plugin = NULL;
	bt_plugin_find_status status;

	*path = NULL;
	status = bt_plugin_find(name, BT_TRUE, BT_TRUE, BT_TRUE, BT_TRUE,
			BT_FALSE, &plugin);
	/* A failed search leaves causes behind that are not errors of ours. */
	bt_current_thread_clear_error();
	if (status != BT_PLUGIN_FIND_STATUS_OK) {
		return false;
	}
	if (bt_plugin_get_path(plugin)) {
		*path = strdup(bt_plugin_get_path(plugin));
	}
	bt_plugin_put_ref(plugin);
	return true;
}

static void
check_babeltrace(struct doctor *doc)
{
	char *ctf = NULL, *utils = NULL;
	bool have_ctf = plugin_found("ctf", &ctf);
	bool have_utils = plugin_found("utils", &utils);
	unsigned int major = bt_version_get_major();
	unsigned int minor = bt_version_get_minor();
	unsigned int patch = bt_version_get_patch();

	if (have_ctf && have_utils) {
		say(doc, VERDICT_OK, "babeltrace2",
				"library %u.%u.%u, plugins ctf and utils found",
				major, minor, patch);
	} else {
		say(doc, VERDICT_FAIL, "babeltrace2",
				"library %u.%u.%u, but plugin%s %s%s%s not "
				"found: apt-get install babeltrace2",
				major, minor, patch,
				!have_ctf && !have_utils ? "s" : "",
				have_ctf ? "" : "ctf",
				!have_ctf && !have_utils ? " and " : "",
				have_utils ? "" : "utils");
	}
	free(ctf);
	free(utils);
}

/* The plugin of an uninstalled build, next to the running `cotrace`. */
static char *
build_tree_plugin_dir(void)
{
	char self[PATH_MAX], *dir = NULL, *slash;
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (len <= 0) {
		return NULL;
	}
	self[len] = '\0';
	slash = strrchr(self, '/');
	if (!slash) {
		return NULL;
	}
	*slash = '\0';
	/* build/src/cli/cotrace -> build/analysis/ */
	if (asprintf(&dir, "%s/../../analysis", self) < 0) {
		return NULL;
	}
	{
		char *plugin, *resolved = NULL;

		if (asprintf(&plugin, "%s/babeltrace-plugin-cotrace.so", dir) >=
				0) {
			if (access(plugin, R_OK) == 0) {
				resolved = realpath(dir, NULL);
			}
			free(plugin);
		}
		free(dir);
		return resolved;
	}
}

static void
check_cotrace_plugin(struct doctor *doc)
{
	char *path = NULL, *build_dir = NULL;

	if (plugin_found("cotrace", &path)) {
		say(doc, VERDICT_OK, "cotrace plugin",
				"found by babeltrace2: %s",
				path ? path : "(static)");
		free(path);
		return;
	}
	build_dir = build_tree_plugin_dir();
	if (build_dir) {
		say(doc, VERDICT_WARN, "cotrace plugin",
				"not found where babeltrace2 looks ('cotrace "
				"report' does not need it); for 'babeltrace2 "
				"-c sink.cotrace.report': export "
				"BABELTRACE_PLUGIN_PATH=%s, or use 'meson "
				"devenv'",
				build_dir);
	} else {
		say(doc, VERDICT_WARN, "cotrace plugin",
				"not found where babeltrace2 looks ('cotrace "
				"report' does not need it); for 'babeltrace2 "
				"-c sink.cotrace.report': install it in %s or "
				"set BABELTRACE_PLUGIN_PATH",
				COTRACE_PLUGIN_DIR);
	}
	free(build_dir);
}

static void
check_kernel_tracer(struct doctor *doc)
{
	struct stat st;

	if (stat("/sys/module/lttng_tracer", &st) == 0 ||
			stat("/proc/lttng", &st) == 0) {
		say(doc, VERDICT_OK, "kernel tracer",
				"loaded (not needed: cotrace records user "
				"space only)");
	} else {
		say(doc, VERDICT_OK, "kernel tracer",
				"not loaded (not needed: cotrace records user "
				"space only)");
	}
}

/* Only `record --live` needs it: a warning, never a failure. */
static void
check_relayd(struct doctor *doc)
{
	const char *env = getenv("COTRACE_RELAYD");
	char *path = NULL;

	if (cli_path_lookup(env && *env ? env : "lttng-relayd", &path) == 0) {
		say(doc, VERDICT_OK, "lttng-relayd",
				"%s (for cotrace record --live)", path);
	} else {
		say(doc, VERDICT_WARN, "lttng-relayd",
				"not found: cotrace record --live needs it "
				"(apt install lttng-tools, or set "
				"COTRACE_RELAYD to its path)");
	}
	free(path);
}

static void
check_cpus(struct doctor *doc)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;
	int usable = (int)online;

	/* What this process may run on, which taskset or cgroups can narrow. */
	if (sched_getaffinity(0, sizeof(set), &set) == 0) {
		usable = CPU_COUNT(&set);
	}
	if (usable >= 2) {
		say(doc, VERDICT_OK, "CPUs", "%d usable (%ld online)", usable,
				online);
	} else {
		say(doc, VERDICT_WARN, "CPUs",
				"%d usable (%ld online): the parallel demo "
				"cannot show cpu_parallelism above 1; use a "
				"machine or VM with 2 CPUs or more",
				usable, online);
	}
}

int
cmd_doctor(int argc, char **argv)
{
	static const struct option long_options[] = {
			{"start", no_argument, NULL, 's'},
			{"help", no_argument, NULL, 'h'},
			{NULL, 0, NULL, 0},
	};
	struct doctor doc;
	int opt;

	memset(&doc, 0, sizeof(doc));
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+h", long_options, NULL)) !=
			-1) {
		switch (opt) {
		case 's':
			doc.start = true;
			break;
		case 'h':
			usage(stdout);
			return cli_close_stdout() ? CLI_EXIT_FAILURE
						  : CLI_EXIT_OK;
		default:
			cli_option_error("doctor", opt, argv);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("unexpected argument '%s'; see 'cotrace doctor "
			  "--help'",
				argv[optind]);
		return CLI_EXIT_USAGE;
	}

	check_fork(&doc);
	check_sessiond(&doc);
	check_tracing_group(&doc);
	check_lttng_ust(&doc);
	check_babeltrace(&doc);
	check_cotrace_plugin(&doc);
	check_kernel_tracer(&doc);
	check_relayd(&doc);
	check_cpus(&doc);
	if (doc.failed) {
		printf("\ncotrace cannot record or report here yet: see the "
		       "FAIL lines.\n");
	} else {
		printf("\ncotrace can record and report here%s.\n",
				doc.warnings ? " (see the warn lines)" : "");
	}
	if (cli_close_stdout() != 0) {
		return CLI_EXIT_FAILURE;
	}
	return doc.failed ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}
