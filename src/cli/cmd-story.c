/* cotrace story: tell what happened in recorded traces, in time order. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "story.h"

/* Help text reads best one output line per source line. */
/* clang-format off */
static void
usage(FILE *out)
{
	fprintf(out,
		"usage: cotrace story [-o FILE] TRACE...\n"
		"\n"
		"Tell what happened in recorded traces, one sentence per line in time\n"
		"order, each with its time since the first event: processes starting\n"
		"and exiting, forks and what fork() returned on each side, threads,\n"
		"tasks with their wall and CPU time, thread-local storage writes and\n"
		"reads, lost events and warnings, then the report's verdict.\n"
		"\n"
		"options:\n"
		"  -o, --output FILE    write the story to FILE, not standard output\n"
		"  -h, --help           show this help and exit\n"
		"\n"
		"TRACE is the folder `cotrace record -o` wrote, a CTF trace folder, or\n"
		"any folder holding traces; all the traces found are read together.\n"
		"\n"
		"exit status: 0 ok, 1 failure, 2 bad usage, 3 no trace at a path,\n"
		"4 no cotrace events, 5 damaged trace (partial story told).\n"
		"See cotrace-story(1).\n");
}
/* clang-format on */

int
cmd_story(int argc, char **argv)
{
	static const struct option options[] = {
			{"output", required_argument, NULL, 'o'},
			{"help", no_argument, NULL, 'h'},
			{NULL, 0, NULL, 0},
	};
	const char *output = NULL;
	struct cli_analysis analysis;
	struct cli_output out;
	int c, rc, status;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":o:h", options, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'h':
			usage(stdout);
			return cli_close_stdout() ? CLI_EXIT_FAILURE
						  : CLI_EXIT_OK;
		default:
			cli_option_error("story", c, argv);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		cli_error("no TRACE given: name the folder `cotrace record -o` "
			  "wrote; see 'cotrace story --help'");
		return CLI_EXIT_USAGE;
	}
	rc = cli_analyse_traces((const char *const *)argv + optind,
			(size_t)(argc - optind), &analysis);
	if (!analysis.model) {
		return rc;
	}
	if (cli_output_open(&out, output)) {
		cli_analysis_release(&analysis);
		return CLI_EXIT_FAILURE;
	}
	status = cotrace_story_render(
			out.file, analysis.model, &analysis.metrics);
	cli_analysis_release(&analysis);
	if (status) {
		cli_error("cannot write the story: %s", strerror(-status));
		rc = CLI_EXIT_FAILURE;
	}
	return cli_output_close(&out, rc);
}
