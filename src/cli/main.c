/* cotrace: the command line. Dispatches to cmd_<name>() in cmd-<name>.c. */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "record", cmd_record, "record PROGRAM and its children into a trace" },
	{ "report", cmd_report, "explain what ran in parallel in recorded traces" },
	{ "timeline", cmd_timeline, "draw recorded traces as a timeline (terminal, svg, png, pdf, chrome)" },
	{ "story", cmd_story, "tell what happened in recorded traces, in time order" },
	{ "compare", cmd_compare, "put two recorded runs side by side: which was faster, and why" },
	{ "check", cmd_check, "check expectations over a trace, for autograders" },
	{ "demo", cmd_demo, "record and report a built-in demo in one step" },
	{ "live", cmd_live, "watch a live recording session as it runs" },
	{ "doctor", cmd_doctor, "say what works here and what to install or start" },
	{ "relay", cmd_relay, "gather the traces of many machines: run an lttng-relayd here" },
};

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: cotrace [--version] [--help] COMMAND [ARGS...]\n"
		"\n"
		"cotrace makes concurrency visible: it records instrumented programs\n"
		"with LTTng and explains how far their processes and threads overlapped.\n"
		"\n"
		"commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	}
	fprintf(out,
		"\n"
		"Run 'cotrace COMMAND --help' for a command's options,\n"
		"'man cotrace' for exit codes and examples.\n"
		"\n"
		"quick start:\n"
		"  cotrace demo parallel --workers 2 --work-ms 500\n"
		"  cotrace record -o mytrace -- ./my-program arg && cotrace report mytrace\n");
}

int
main(int argc, char **argv)
{
	/* Names from traces print as UTF-8 only in a UTF-8 locale. */
	setlocale(LC_CTYPE, "");
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
			!strcmp(argv[1], "help")) {
		usage(stdout);
		return cli_close_stdout() ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("cotrace %s\n", COTRACE_VERSION);
		return cli_close_stdout() ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[1], commands[i].name)) {
			return commands[i].fn(argc - 1, argv + 1);
		}
	}
	if (argv[1][0] == '-') {
		cli_error("unknown option '%s'; see 'cotrace --help'", argv[1]);
	} else {
		cli_error("'%s' is not a cotrace command; see 'cotrace --help'",
			argv[1]);
	}
	return CLI_EXIT_USAGE;
}
