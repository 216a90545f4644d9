/* cotrace timeline: draw recorded traces as a timeline. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"
#include "timeline.h"

#define DEFAULT_TERM_WIDTH 100
#define MIN_TERM_WIDTH 40
#define MAX_WIDTH 100000

/* Every format the command knows, built in or not. */
static const char *const known_formats[] = {
		"term", "svg", "png", "pdf", "chrome"};

/* Help text reads best one output line per source line. */
/* clang-format off */
static void
usage(FILE *out)
{
	fprintf(out,
		"usage: cotrace timeline [--format term|svg|png|pdf|chrome] [-o FILE]\n"
		"                        [--width N] [--no-color] TRACE...\n"
		"\n"
		"Draw recorded traces as a timeline: one lane per process and thread,\n"
		"indented by the fork tree, with the tasks, forks and thread-local\n"
		"storage writes on them and how many units ran at each moment.\n"
		"\n"
		"options:\n"
		"  -f, --format FORMAT  term (default): a chart in the terminal;\n"
		"                       svg, png, pdf: a picture; chrome: Chrome trace\n"
		"                       JSON for Perfetto (ui.perfetto.dev)\n"
		"  -o, --output FILE    write to FILE, not standard output (png and pdf\n"
		"                       need it when standard output is a terminal)\n"
		"  -w, --width N        columns (term: at least %d; default: the\n"
		"                       terminal's width, else $COLUMNS, else %d) or\n"
		"                       pixels (svg, png, pdf)\n"
		"      --no-color       no colours (the default when not writing to a\n"
		"                       terminal, when TERM=dumb or NO_COLOR is set)\n"
		"      --color          colours even when not writing to a terminal\n"
		"  -h, --help           show this help and exit\n"
		"\n"
		"TRACE is the folder `cotrace record -o` wrote, a CTF trace folder, or\n"
		"any folder holding traces; all the traces found are read together.\n"
		"\n"
		"exit status: 0 ok, 1 failure (or a format not built in), 2 bad usage,\n"
		"3 no trace at a path, 4 no cotrace events, 5 damaged trace (partial\n"
		"timeline drawn). See cotrace-timeline(1).\n",
		MIN_TERM_WIDTH, DEFAULT_TERM_WIDTH);
}
/* clang-format on */

static bool
known_format(const char *name)
{
	for (size_t i = 0; i < sizeof(known_formats) / sizeof(known_formats[0]);
			i++) {
		if (!strcmp(known_formats[i], name)) {
			return true;
		}
	}
	return false;
}

/* A width from the command line or $COLUMNS: 1..MAX_WIDTH, else 0. */
static unsigned int
parse_width(const char *s)
{
	char *end;
	unsigned long v;

	if (!s || *s < '0' || *s > '9') {
		return 0;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > MAX_WIDTH) {
		return 0;
	}
	return (unsigned int)v;
}

/* The terminal's width, else $COLUMNS, else the default. */
static unsigned int
term_width(void)
{
	struct winsize ws;
	unsigned int w;

	if (isatty(STDOUT_FILENO) &&
			ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
			ws.ws_col > 0) {
		w = ws.ws_col;
	} else {
		w = parse_width(getenv("COLUMNS"));
		if (!w) {
			w = DEFAULT_TERM_WIDTH;
		}
	}
	return w < MIN_TERM_WIDTH ? MIN_TERM_WIDTH : w;
}

static bool
want_colour(void)
{
	const char *term = getenv("TERM");
	const char *no_color = getenv("NO_COLOR");

	return isatty(STDOUT_FILENO) && term && *term &&
	       strcmp(term, "dumb") != 0 && !(no_color && *no_color);
}

int
cmd_timeline(int argc, char **argv)
{
	enum { OPT_NO_COLOR = 256, OPT_COLOR };
	static const struct option options[] = {
			{"format", required_argument, NULL, 'f'},
			{"output", required_argument, NULL, 'o'},
			{"width", required_argument, NULL, 'w'},
			{"no-color", no_argument, NULL, OPT_NO_COLOR},
			{"color", no_argument, NULL, OPT_COLOR},
			{"help", no_argument, NULL, 'h'},
			{NULL, 0, NULL, 0},
	};
	const struct cotrace_timeline_format *fmt;
	struct cotrace_timeline_options topts = {0};
	const char *format = "term", *output = NULL;
	const char *const *paths;
	int colour = -1; /* -1: automatic */
	struct cli_analysis analysis;
	struct cli_output out;
	unsigned int width = 0;
	size_t n_paths;
	int c, rc, status;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":f:o:w:h", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			if (!known_format(format)) {
				cli_error("unknown format '%s' (expected term, "
					  "svg, png, pdf or chrome)",
						format);
				return CLI_EXIT_USAGE;
			}
			break;
		case 'o':
			output = optarg;
			break;
		case 'w':
			width = parse_width(optarg);
			if (!width) {
				cli_error("invalid width '%s' (expected a "
					  "number from 1 to %d)",
						optarg, MAX_WIDTH);
				return CLI_EXIT_USAGE;
			}
			break;
		case OPT_NO_COLOR:
			colour = 0;
			break;
		case OPT_COLOR:
			colour = 1;
			break;
		case 'h':
			usage(stdout);
			return cli_close_stdout() ? CLI_EXIT_FAILURE
						  : CLI_EXIT_OK;
		default:
			cli_option_error("timeline", c, argv);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		cli_error("no TRACE given: name the folder `cotrace record -o` "
			  "wrote; see 'cotrace timeline --help'");
		return CLI_EXIT_USAGE;
	}
	paths = (const char *const *)argv + optind;
	n_paths = (size_t)(argc - optind);
	if (!strcmp(format, "term") && width && width < MIN_TERM_WIDTH) {
		cli_error("width %u is too narrow for the terminal chart (at "
			  "least %d columns)",
				width, MIN_TERM_WIDTH);
		return CLI_EXIT_USAGE;
	}

	if (!strcmp(format, "chrome")) {
		if (cli_output_open(&out, output)) {
			return CLI_EXIT_FAILURE;
		}
		/* Streamed while the traces are read (timeline-chrome.c). */
		rc = cli_timeline_chrome(paths, n_paths, out.file);
		return cli_output_close(&out, rc);
	}
	fmt = cotrace_timeline_format_find(format);
	if (!fmt) {
		cli_error("the %s format is not built into this cotrace (it "
			  "needs cairo: install libcairo2-dev and rebuild); "
			  "try --format term",
				format);
		return CLI_EXIT_FAILURE;
	}
	if (fmt->binary && !output && isatty(STDOUT_FILENO)) {
		cli_error("refusing to write %s to a terminal: give -o FILE "
			  "or redirect standard output",
				format);
		return CLI_EXIT_USAGE;
	}
	if (!strcmp(format, "term")) {
		topts.width = width ? width : term_width();
		topts.color = colour == -1 ? !output && want_colour()
					   : colour == 1;
	} else {
		topts.width = width;
	}

	rc = cli_analyse_traces(paths, n_paths, &analysis);
	if (!analysis.model) {
		return rc;
	}
	if (cli_output_open(&out, output)) {
		cli_analysis_release(&analysis);
		return CLI_EXIT_FAILURE;
	}
	status = cotrace_timeline_render(fmt, out.file, analysis.model,
			&analysis.metrics, &topts);
	cli_analysis_release(&analysis);
	if (status) {
		cli_error("cannot write the timeline: %s", strerror(-status));
		rc = CLI_EXIT_FAILURE;
	}
	return cli_output_close(&out, rc);
}
