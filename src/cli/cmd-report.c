/* cotrace report: explain what ran in parallel in recorded traces. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void
usage(FILE *out)
{
	fprintf(out, "usage: cotrace report [--format text|json] [-o FILE] "
		     "TRACE...\n"
		     "\n"
		     "Explain what ran in parallel in recorded traces: the "
		     "fork tree,\n"
		     "each task's or process's wall and CPU time, the "
		     "parallelism, the\n"
		     "threads' identities and thread-local storage, and "
		     "warnings.\n"
		     "\n"
		     "options:\n"
		     "  -f, --format FORMAT  text (default) or json\n"
		     "  -o, --output FILE    write the report to FILE, not "
		     "standard "
		     "output\n"
		     "  -h, --help           show this help and exit\n"
		     "\n"
		     "TRACE is the folder `cotrace record -o` wrote, a CTF "
		     "trace folder,\n"
		     "or any folder holding traces; all the traces found are "
		     "read\n"
		     "together.\n"
		     "\n"
		     "exit status: 0 ok, 1 failure, 2 bad usage, 3 no trace at "
		     "a path,\n"
		     "4 no cotrace events, 5 damaged trace (partial report "
		     "printed).\n"
		     "See cotrace-report(1).\n");
}

int
cli_check_report_format(const char *format)
{
	if (strcmp(format, "text") && strcmp(format, "json")) {
		cli_error("unknown format '%s' (expected text or json)",
				format);
		return -1;
	}
	return 0;
}

int
cmd_report(int argc, char **argv)
{
	static const struct option options[] = {
			{"format", required_argument, NULL, 'f'},
			{"output", required_argument, NULL, 'o'},
			{"help", no_argument, NULL, 'h'},
			{NULL, 0, NULL, 0},
	};
	const char *format = "text", *output = NULL;
	bool existed = false;
	FILE *out = stdout;
	int c, rc;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":f:o:h", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			if (cli_check_report_format(format)) {
				return CLI_EXIT_USAGE;
			}
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			usage(stdout);
			return cli_close_stdout() ? CLI_EXIT_FAILURE
						  : CLI_EXIT_OK;
		default:
			cli_option_error("report", c, argv);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		cli_error("no TRACE given: name the folder `cotrace record -o` "
			  "wrote; see 'cotrace report --help'");
		return CLI_EXIT_USAGE;
	}

	if (output) {
		existed = access(output, F_OK) == 0;
		out = fopen(output, "w");
		if (!out) {
			cli_error("cannot open '%s' for writing: %s", output,
					strerror(errno));
			return CLI_EXIT_FAILURE;
		}
	}
	rc = cli_report_traces((const char *const *)argv + optind,
			(size_t)(argc - optind), format, out);
	if (!output) {
		/* A failed write was already reported, once. */
		if ((rc == CLI_EXIT_OK || rc == CLI_EXIT_DAMAGED) &&
				cli_close_stdout()) {
			rc = CLI_EXIT_FAILURE;
		}
		return rc;
	}
	if (fclose(out) != 0 && (rc == CLI_EXIT_OK || rc == CLI_EXIT_DAMAGED)) {
		cli_error("cannot write '%s': %s", output, strerror(errno));
		rc = CLI_EXIT_FAILURE;
	}
	/* No report was written: leave no empty file behind. */
	if (!existed && rc != CLI_EXIT_OK && rc != CLI_EXIT_DAMAGED) {
		unlink(output);
	}
	return rc;
}
