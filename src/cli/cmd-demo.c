/* cotrace demo: record a built-in demo (cotrace-demo) and print its report. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "record.h"

/* cotrace-demo's exit status for bad usage; it exits before any event. */
#define DEMO_EXIT_USAGE 2

/* clang-format off */
static const char *const demo_names[] = {
	"parallel", "fork", "tls", "gil", "fork-threads",
};
/* clang-format on */
#define N_DEMOS (sizeof(demo_names) / sizeof(demo_names[0]))
#define DEMO_LIST "parallel, fork, tls, gil, fork-threads"

/* Help text reads best one output line per source line. */
/* clang-format off */
static void
usage(FILE *out)
{
	fprintf(out,
		"usage: cotrace demo [-o DIR] [--format text|json] NAME [ARGS...]\n"
		"       cotrace demo --list\n"
		"\n"
		"Records the built-in demo NAME (the cotrace-demo program) and prints\n"
		"its report. The trace is kept.\n"
		"\n"
		"demos:\n"
		"  parallel [--workers N] [--work-ms MS]\n"
		"                 N processes each burn MS ms of CPU at the same time\n"
		"  fork           fork() returns 0 in the child, the child's pid in the parent\n"
		"  tls [--workers N]\n"
		"                 N threads, each with its own thread-local slot\n"
		"  gil [--workers N] [--work-ms MS]\n"
		"                 N threads behind one lock: alive together, not running together\n"
		"  fork-threads   fork() while two other threads are alive\n"
		"\n"
		"options:\n"
		"  -o, --output DIR     where to keep the trace (must not exist or be empty;\n"
		"                       default ./cotrace-demo-NAME-YYYYmmdd-HHMMSS)\n"
		"  --format text|json   the report's format (default text); with json the\n"
		"                       demo's own output goes to stderr\n"
		"  --list               print the demo names\n"
		"  -h, --help           show this help; 'cotrace demo NAME --help' shows\n"
		"                       NAME's options\n"
		"\n"
		"exit status: 0 ok; 1 the demo failed (its report is still printed) or\n"
		"cotrace failed; 2 bad usage, including ARGS the demo refused; 3, 4, 5 as\n"
		"'cotrace report'.\n");
}
/* clang-format on */

static bool
is_demo(const char *name)
{
	for (size_t i = 0; i < N_DEMOS; i++) {
		if (!strcmp(demo_names[i], name)) {
			return true;
		}
	}
	return false;
}

static bool
wants_help(char **args)
{
	for (; *args && strcmp(*args, "--"); args++) {
		if (!strcmp(*args, "--help") || !strcmp(*args, "-h")) {
			return true;
		}
	}
	return false;
}

/* `cotrace demo NAME --help`: the demo's own help, nothing recorded. */
static int
show_demo_help(char **demo_argv)
{
	int wait_status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execv(demo_argv[0], demo_argv);
		execvp(demo_argv[0], demo_argv);
		cli_error("cannot run '%s': %s", demo_argv[0], strerror(errno));
		_exit(CLI_EXIT_FAILURE);
	}
	if (pid < 0) {
		cli_error("cannot run '%s': %s", demo_argv[0], strerror(errno));
		return CLI_EXIT_FAILURE;
	}
	while (waitpid(pid, &wait_status, 0) < 0) {
		if (errno != EINTR) {
			return CLI_EXIT_FAILURE;
		}
	}
	return cli_exit_code_of(wait_status);
}

/* In json mode stdout carries only the report: the demo talks on stderr. */
static int
record_demo(const struct cli_record_options *opts,
		const struct cli_record_extra *extra, char **demo_argv,
		bool demo_to_stderr, struct cli_record_result *result)
{
	int saved_stdout = -1, status;

	if (demo_to_stderr) {
		fflush(stdout);
		saved_stdout = dup(STDOUT_FILENO);
		if (saved_stdout < 0 ||
				dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
			cli_error("cannot redirect the demo's output: %s",
					strerror(errno));
			if (saved_stdout >= 0) {
				close(saved_stdout);
			}
			return CLI_EXIT_FAILURE;
		}
	}
	status = cli_record_program_ext(opts, extra, demo_argv, result);
	if (saved_stdout >= 0) {
		if (dup2(saved_stdout, STDOUT_FILENO) < 0) {
			cli_error("cannot restore standard output: %s",
					strerror(errno));
			status = CLI_EXIT_FAILURE;
		}
		close(saved_stdout);
	}
	return status;
}

int
cmd_demo(int argc, char **argv)
{
	static const struct option long_options[] = {
			{"output", required_argument, NULL, 'o'},
			{"format", required_argument, NULL, 'f'},
			{"list", no_argument, NULL, 'l'},
			{"help", no_argument, NULL, 'h'},
			{NULL, 0, NULL, 0},
	};
	struct cli_record_options opts;
	struct cli_record_extra extra;
	struct cli_record_result result;
	const char *format = "text", *name;
	char *demo_path = NULL, *prefix = NULL, *shown = NULL;
	char **demo_argv = NULL;
	bool existed = false, demo_failed;
	int opt, status = CLI_EXIT_FAILURE, n_args;

	memset(&opts, 0, sizeof(opts));
	memset(&extra, 0, sizeof(extra));
	memset(&result, 0, sizeof(result));
	opterr = 0;
	optind = 1;
	/* '+': stop at NAME; what follows belongs to the demo. */
	while ((opt = getopt_long(argc, argv, "+:o:h", long_options, NULL)) !=
			-1) {
		switch (opt) {
		case 'o':
			opts.output_dir = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'l':
			for (size_t i = 0; i < N_DEMOS; i++) {
				printf("%s\n", demo_names[i]);
			}
			return cli_close_stdout() ? CLI_EXIT_FAILURE
						  : CLI_EXIT_OK;
		case 'h':
			usage(stdout);
			return cli_close_stdout() ? CLI_EXIT_FAILURE
						  : CLI_EXIT_OK;
		default:
			cli_option_error("demo", opt, argv);
			return CLI_EXIT_USAGE;
		}
	}
	if (strcmp(format, "text") && strcmp(format, "json")) {
		cli_error("unknown format '%s'; choose text or json", format);
		return CLI_EXIT_USAGE;
	}
	if (optind >= argc) {
		cli_error("no demo NAME given; choose one of: " DEMO_LIST);
		return CLI_EXIT_USAGE;
	}
	name = argv[optind];
	if (!is_demo(name)) {
		cli_error("unknown demo '%s'; choose one of: " DEMO_LIST, name);
		return CLI_EXIT_USAGE;
	}
	if (opts.output_dir && opts.output_dir[0] == '\0') {
		cli_error("-o needs a directory");
		return CLI_EXIT_USAGE;
	}

	/* cotrace-demo NAME ARGS... NULL */
	n_args = argc - optind - 1;
	demo_path = cli_find_sibling("cotrace-demo");
	demo_argv = calloc((size_t)n_args + 3, sizeof(*demo_argv));
	if (!demo_path || !demo_argv ||
			asprintf(&prefix, "cotrace-demo-%s", name) < 0) {
		prefix = NULL;
		cli_error("out of memory");
		goto end;
	}
	if (asprintf(&shown, "cotrace-demo %s", name) < 0) {
		shown = NULL;
	}
	demo_argv[0] = demo_path;
	for (int i = 0; i <= n_args; i++) {
		demo_argv[i + 1] = argv[optind + i];
	}
	if (wants_help(demo_argv + 2)) {
		status = show_demo_help(demo_argv);
		goto end;
	}

	if (opts.output_dir) {
		struct stat st;

		existed = stat(opts.output_dir, &st) == 0;
	}
	extra.default_prefix = prefix;
	extra.shown_name = shown;
	extra.quiet_result = true;
	status = record_demo(&opts, &extra, demo_argv, !strcmp(format, "json"),
			&result);
	if (status != CLI_EXIT_OK) {
		/* Already explained; the demo's exit codes are not record's. */
		status = CLI_EXIT_FAILURE;
		goto end;
	}
	if (WIFEXITED(result.wait_status) &&
			WEXITSTATUS(result.wait_status) == DEMO_EXIT_USAGE) {
		/*
		 * cotrace-demo checks its arguments before it emits anything,
		 * so the recording is empty: drop it rather than report on it.
		 * Its own message above says what was wrong.
		 */
		cli_remove_recording(result.trace_dir, existed);
		cli_info("no report: cotrace-demo refused the arguments of "
			 "'%s'; see 'cotrace demo %s --help'",
				name, name);
		status = CLI_EXIT_USAGE;
		goto end;
	}
	cli_info("trace kept in %s", result.trace_dir);
	demo_failed = result.wait_status != 0;
	status = cli_report_traces((const char *const *)&result.trace_dir, 1,
			format, stdout);
	/* A failed write was already reported, once. */
	if ((status == CLI_EXIT_OK || status == CLI_EXIT_DAMAGED) &&
			cli_close_stdout() != 0) {
		status = CLI_EXIT_FAILURE;
	}
	if (demo_failed) {
		int code = cli_exit_code_of(result.wait_status);

		if (WIFSIGNALED(result.wait_status)) {
			cli_error("the demo failed: cotrace-demo %s was killed "
				  "by signal %d (the report shows what was "
				  "recorded)",
					name, code - 128);
		} else {
			cli_error("the demo failed: cotrace-demo %s exited "
				  "with status %d (the report shows what was "
				  "recorded)",
					name, code);
		}
		if (status == CLI_EXIT_OK) {
			status = CLI_EXIT_FAILURE;
		}
	}
end:
	cli_record_result_release(&result);
	free(demo_argv);
	free(demo_path);
	free(prefix);
	free(shown);
	return status;
}
