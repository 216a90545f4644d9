/* cotrace compare: two recorded runs side by side. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "compare.h"

/* Help text reads best one output line per source line. */
/* clang-format off */
static void
usage(FILE *out)
{
	fprintf(out,
		"usage: cotrace compare [--format text|json] [-o FILE] TRACE_A TRACE_B\n"
		"\n"
		"Put two recorded runs side by side: span, busy, CPU, parallelism,\n"
		"cpu_parallelism, max concurrency, units, processes and threads, the\n"
		"speedup of B over A (span A / span B), and one sentence that says\n"
		"which finished first and why.\n"
		"\n"
		"options:\n"
		"  -f, --format FORMAT  text (default) or json\n"
		"  -o, --output FILE    write to FILE, not standard output\n"
		"  -h, --help           show this help and exit\n"
		"\n"
		"TRACE_A and TRACE_B are each a folder `cotrace record -o` wrote, a CTF\n"
		"trace folder, or a folder holding the traces of one run.\n"
		"\n"
		"exit status: 0 ok, 1 failure, 2 bad usage, 3 no trace at a path,\n"
		"4 no cotrace events, 5 a damaged trace (partial comparison printed).\n"
		"See cotrace-compare(1).\n");
}
/* clang-format on */

int
cmd_compare(int argc, char **argv)
{
	static const struct option options[] = {
			{"format", required_argument, NULL, 'f'},
			{"output", required_argument, NULL, 'o'},
			{"help", no_argument, NULL, 'h'},
			{NULL, 0, NULL, 0},
	};
	const struct cotrace_compare_format *fmt = &cotrace_compare_text;
	struct cli_analysis a = {0}, b = {0};
	struct cotrace_compare_side sa, sb;
	struct cotrace_comparison cmp;
	const char *output = NULL;
	struct cli_output out;
	int c, rc, rc_a, rc_b, status;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":f:o:h", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			fmt = cotrace_compare_format_find(optarg);
			if (!fmt) {
				cli_error("unknown format '%s' (expected text "
					  "or json)",
						optarg);
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
			cli_option_error("compare", c, argv);
			return CLI_EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		cli_error("expected two traces, TRACE_A and TRACE_B, got %d; "
			  "see 'cotrace compare --help'",
				argc - optind);
		return CLI_EXIT_USAGE;
	}
	/* Each error names its path, so it says which run failed. */
	rc_a = cli_analyse_traces_bounded((const char *const *)argv + optind, 1, &a);
	if (!a.model) {
		rc = rc_a;
		goto end;
	}
	rc_b = cli_analyse_traces_bounded(
			(const char *const *)argv + optind + 1, 1, &b);
	if (!b.model) {
		rc = rc_b;
		goto end;
	}
	rc = rc_a != CLI_EXIT_OK ? rc_a : rc_b;

	sa = (struct cotrace_compare_side){argv[optind], a.model, &a.metrics};
	sb = (struct cotrace_compare_side){
			argv[optind + 1], b.model, &b.metrics};
	cotrace_compare(&sa, &sb, &cmp);
	if (cli_output_open(&out, output)) {
		rc = CLI_EXIT_FAILURE;
		goto end;
	}
	status = fmt->render(out.file, &cmp);
	if (status) {
		cli_error("cannot write the comparison: %s", strerror(-status));
		rc = CLI_EXIT_FAILURE;
	}
	rc = cli_output_close(&out, rc);
end:
	cli_analysis_release(&a);
	cli_analysis_release(&b);
	return rc;
}
