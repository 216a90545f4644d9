/* cotrace record: record PROGRAM and its children into a trace. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "live-record.h"
#include "live-view.h"
#include "record.h"
#include "relay-net.h"

enum {
	OPT_SUBBUF_SIZE = 1000,
	OPT_NUM_SUBBUF,
	OPT_NO_PRELOAD,
	OPT_PYTHON_AGENT,
	/* --live (live-record.c) */
	OPT_LIVE,
	OPT_RELAY,
	OPT_LIVE_PORT,
	OPT_BIND,
	OPT_INTERVAL,
	OPT_WIDTH,
	OPT_FORMAT,
	OPT_COLOR,
	OPT_NO_COLOR,
	OPT_NO_VIEW,
	OPT_WAIT_VIEWER,
	OPT_SESSION,
};

/* Help text reads best one output line per source line. */
/* clang-format off */
static void
usage(FILE *out)
{
	fprintf(out,
		"usage: cotrace record [-o DIR | --relay URL] [--subbuf-size SIZE]\n"
		"                      [--num-subbuf N] [--no-preload] [--python-agent] [-q]\n"
		"                      [--live [--live-port N] [--bind ADDR] [--interval S]\n"
		"                       [--width N] [--format text|json]\n"
		"                       [--no-view [--wait-viewer S]] [--session NAME]]\n"
		"                      [--] PROGRAM [ARGS...]\n"
		"\n"
		"Runs PROGRAM under a new LTTng session (starting a session daemon when\n"
		"none runs) and records the cotrace events of PROGRAM and its children.\n"
		"PROGRAM needs no change: libcotrace-preload.so, put first in its\n"
		"LD_PRELOAD, reports its processes, forks, execs and threads (C, Python,\n"
		"any dynamically linked program). Then says which processes it saw.\n"
		"A statically linked PROGRAM cannot take the preload: it is run all the\n"
		"same, with a warning (its events need libcotrace linked in).\n"
		"\n"
		"options:\n"
		"  -o, --output DIR     where to write the trace (must not exist or be\n"
		"                       empty; default ./cotrace-PROGRAM-YYYYmmdd-HHMMSS)\n"
		"  --relay URL          stream the recording to an lttng-relayd ('cotrace\n"
		"                       relay') instead: URL is net://HOST[:CONTROL[:DATA]]\n"
		"                       (default ports 5342, 5343); the relay keeps it\n"
		"                       as HOSTNAME/SESSION-DATE-TIME in its folder\n"
		"  --subbuf-size SIZE   sub-buffer size, a power of two with an optional\n"
		"                       k or M suffix (default 1M)\n"
		"  --num-subbuf N       sub-buffers per CPU, a power of two (default 4)\n"
		"  --no-preload         record only what PROGRAM emits through libcotrace\n"
		"  --python-agent       record the logging records of the LTTng-UST Python\n"
		"                       agent (import lttngust); on by default when PROGRAM\n"
		"                       is python or a script whose #! line names it\n"
		"  -q, --quiet          no progress lines, only warnings and errors\n"
		"  -h, --help           show this help\n"
		"\n"
		"live view (for a demo: watch the lanes grow while PROGRAM runs):\n"
		"  --live               stream the session to lttng-relayd and redraw\n"
		"                       the terminal timeline about once a second while\n"
		"                       PROGRAM runs, then print the report of what was\n"
		"                       received. Without --relay, a private lttng-relayd\n"
		"                       is started on 127.0.0.1 (free ports) and stopped\n"
		"                       afterwards; the trace is written under DIR as\n"
		"                       usual, for `cotrace report DIR`\n"
		"  --live --relay URL   stream to the relay daemon at URL instead (it\n"
		"                       keeps the trace; -o is refused)\n"
		"  --live-port N        the relay's live port (default: a free one for\n"
		"                       the private relay, %d with --relay)\n"
		"  --bind ADDR          the private relay's address (default 127.0.0.1:\n"
		"                       loopback only; 0.0.0.0 lets other machines\n"
		"                       watch with `cotrace live`)\n"
		"  --interval S         seconds between frames (default 1)\n"
		"  --width N            columns (default: the terminal's, else\n"
		"                       $COLUMNS, else 100)\n"
		"  --format FORMAT      the final report: text (default) or json\n"
		"  --color, --no-color  colours in the frames (default: on a terminal)\n"
		"  --no-view            stream without drawing here: the relay takes one\n"
		"                       viewer per session, this leaves it to\n"
		"                       `cotrace live URL` (on a projector, another\n"
		"                       machine); the report is read from the trace\n"
		"  --wait-viewer S      with --no-view: wait up to S seconds for a\n"
		"                       viewer before PROGRAM starts (a viewer that\n"
		"                       attaches later misses what came before)\n"
		"  --session NAME       the session's name, so its live URL is known in\n"
		"                       advance (default cotrace-PID-RUNID)\n"
		"\n"
		"exit status: PROGRAM's own, 128+N when it was killed by signal N,\n"
		"125 when cotrace failed or was misused, 126 when PROGRAM cannot run,\n"
		"127 when it does not exist. With --relay, 125 also when the relay\n"
		"cannot be reached (PROGRAM is not run) or went away during the\n"
		"recording (what it received stays there). With --live, also 125 when\n"
		"the relay daemon died while PROGRAM ran (the report of what was\n"
		"received is printed first).\n",
		CLI_LIVE_DEFAULT_PORT);
}
/* clang-format on */

static bool
is_power_of_two(uint64_t n)
{
	return n && !(n & (n - 1));
}

/* "64k", "1M", "4096": a power of two of at least a page. */
static int
parse_subbuf_size(const char *arg, uint64_t *size)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t value, unit = 1;
	char *end;

	if (arg[0] < '0' || arg[0] > '9') {
		goto invalid;
	}
	errno = 0;
	value = strtoull(arg, &end, 10);
	if (errno) {
		goto invalid;
	}
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		unit = 1024;
		end++;
		break;
	case 'm':
	case 'M':
		unit = 1024 * 1024;
		end++;
		break;
	case 'g':
	case 'G':
		unit = 1024 * 1024 * 1024;
		end++;
		break;
	default:
		goto invalid;
	}
	if (*end != '\0' || value > UINT64_MAX / unit) {
		goto invalid;
	}
	value *= unit;
	if (!is_power_of_two(value) ||
			value < (uint64_t)(page > 0 ? page : 4096)) {
		cli_error("--subbuf-size '%s': must be a power of two of at "
			  "least %ld bytes (e.g. 64k, 1M)",
				arg, page);
		return -1;
	}
	*size = value;
	return 0;
invalid:
	cli_error("--subbuf-size '%s': not a size (e.g. 64k, 1M)", arg);
	return -1;
}

static int
parse_num_subbuf(const char *arg, unsigned int *count)
{
	unsigned long value;
	char *end;

	errno = 0;
	value = strtoul(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end || errno ||
			value > (1UL << 20) || !is_power_of_two(value) ||
			value < 2) {
		cli_error("--num-subbuf '%s': must be a power of two, at least "
			  "2",
				arg);
		return -1;
	}
	*count = (unsigned int)value;
	return 0;
}

int
cmd_record(int argc, char **argv)
{
	static const struct option long_options[] = {
			{"output", required_argument, NULL, 'o'},
			{"subbuf-size", required_argument, NULL,
					OPT_SUBBUF_SIZE},
			{"num-subbuf", required_argument, NULL, OPT_NUM_SUBBUF},
			{"no-preload", no_argument, NULL, OPT_NO_PRELOAD},
			{"python-agent", no_argument, NULL, OPT_PYTHON_AGENT},
			{"live", no_argument, NULL, OPT_LIVE},
			{"relay", required_argument, NULL, OPT_RELAY},
			{"live-port", required_argument, NULL, OPT_LIVE_PORT},
			{"bind", required_argument, NULL, OPT_BIND},
			{"interval", required_argument, NULL, OPT_INTERVAL},
			{"width", required_argument, NULL, OPT_WIDTH},
			{"format", required_argument, NULL, OPT_FORMAT},
			{"color", no_argument, NULL, OPT_COLOR},
			{"no-color", no_argument, NULL, OPT_NO_COLOR},
			{"no-view", no_argument, NULL, OPT_NO_VIEW},
			{"wait-viewer", required_argument, NULL,
					OPT_WAIT_VIEWER},
			{"session", required_argument, NULL, OPT_SESSION},
			{"quiet", no_argument, NULL, 'q'},
			{"help", no_argument, NULL, 'h'},
			{NULL, 0, NULL, 0},
	};
	struct cli_record_options opts;
	struct cli_record_extra extra;
	struct cli_record_result result;
	struct cli_relay_url relay;
	const char *relay_arg = NULL;
	struct cli_live_record_options live = {
			.interval_s = CLI_LIVE_DEFAULT_INTERVAL_S,
			.color = -1,
			.format = "text",
	};
	const char *live_only = NULL; /* an option that needs --live */
	bool want_live = false;
	int opt, status;

	memset(&opts, 0, sizeof(opts));
	memset(&extra, 0, sizeof(extra));
	opterr = 0;
	optind = 1;
	/* '+': stop at PROGRAM, whose own flags are not ours. */
	while ((opt = getopt_long(argc, argv, "+:o:qh", long_options, NULL)) !=
			-1) {
		switch (opt) {
		case 'o':
			if (optarg[0] == '\0') {
				cli_error("-o needs a directory");
				return CLI_EXIT_RECORD_FAILED;
			}
			opts.output_dir = optarg;
			break;
		case OPT_SUBBUF_SIZE:
			if (parse_subbuf_size(optarg, &opts.subbuf_size) != 0) {
				return CLI_EXIT_RECORD_FAILED;
			}
			break;
		case OPT_NUM_SUBBUF:
			if (parse_num_subbuf(optarg, &opts.num_subbuf) != 0) {
				return CLI_EXIT_RECORD_FAILED;
			}
			break;
		case OPT_NO_PRELOAD:
			extra.no_preload = true;
			break;
		case OPT_PYTHON_AGENT:
			extra.python_agent = true;
			break;
		case OPT_RELAY:
			relay_arg = optarg;
			break;
		case 'q':
			opts.quiet = true;
			break;
		case OPT_LIVE:
			want_live = true;
			break;
		case OPT_LIVE_PORT: {
			unsigned int port;

			if (cli_parse_port("--live-port", optarg, &port) != 0) {
				return CLI_EXIT_RECORD_FAILED;
			}
			live.live_port = (uint16_t)port;
			live_only = "--live-port";
			break;
		}
		case OPT_BIND:
			live.bind_addr = optarg;
			live_only = "--bind";
			break;
		case OPT_INTERVAL:
			if (cli_live_parse_interval(optarg, &live.interval_s)) {
				return CLI_EXIT_RECORD_FAILED;
			}
			live_only = "--interval";
			break;
		case OPT_WIDTH:
			if (cli_live_parse_width(optarg, &live.width)) {
				return CLI_EXIT_RECORD_FAILED;
			}
			live_only = "--width";
			break;
		case OPT_FORMAT:
			if (cli_check_report_format(optarg) != 0) {
				return CLI_EXIT_RECORD_FAILED;
			}
			live.format = optarg;
			live_only = "--format";
			break;
		case OPT_NO_VIEW:
			live.no_view = true;
			live_only = "--no-view";
			break;
		case OPT_WAIT_VIEWER: {
			char *end;

			errno = 0;
			live.wait_viewer_s = strtod(optarg, &end);
			if (errno || end == optarg || *end ||
					!(live.wait_viewer_s >= 0) ||
					live.wait_viewer_s > 86400) {
				cli_error("--wait-viewer '%s': not a number "
					  "of seconds (0 to 86400)",
						optarg);
				return CLI_EXIT_RECORD_FAILED;
			}
			live_only = "--wait-viewer";
			break;
		}
		case OPT_SESSION:
			if (!optarg[0] || strchr(optarg, '/') ||
					strlen(optarg) > 200) {
				cli_error("--session '%s': a session name is 1 "
					  "to 200 characters without '/'",
						optarg);
				return CLI_EXIT_RECORD_FAILED;
			}
			opts.session_name = optarg;
			live_only = "--session";
			break;
		case OPT_COLOR:
		case OPT_NO_COLOR:
			live.color = opt == OPT_COLOR;
			live_only = opt == OPT_COLOR ? "--color" : "--no-color";
			break;
		case 'h':
			usage(stdout);
			return cli_close_stdout() ? CLI_EXIT_FAILURE
						  : CLI_EXIT_OK;
		default:
			cli_option_error("record", opt, argv);
			return CLI_EXIT_RECORD_FAILED;
		}
	}
	if (optind >= argc) {
		cli_error("no PROGRAM to record; usage: cotrace record [-o "
			  "DIR] -- PROGRAM [ARGS...]");
		return CLI_EXIT_RECORD_FAILED;
	}
	if (live_only && !want_live) {
		cli_error("%s goes with --live (cotrace record --live %s ...)",
				live_only, live_only);
		return CLI_EXIT_RECORD_FAILED;
	}
	if (relay_arg) {
		if (opts.output_dir) {
			cli_error("-o and --relay do not go together: with "
				  "--relay the trace is written on the relay's "
				  "machine");
			return CLI_EXIT_RECORD_FAILED;
		}
		if (cli_relay_url_parse(relay_arg, "--relay", &relay) != 0) {
			return CLI_EXIT_RECORD_FAILED;
		}
		extra.relay = &relay;
	}
	if (want_live) {
		if (relay_arg) {
			/* The live session streams there instead. */
			extra.relay = NULL;
			live.relay = &relay;
		}
		if (live.wait_viewer_s > 0 && !live.no_view) {
			cli_error("--wait-viewer goes with --no-view: "
				  "without it, this command is the viewer");
			status = CLI_EXIT_RECORD_FAILED;
		} else if (live.relay && live.bind_addr) {
			cli_error("--bind is the private relay's address: it "
				  "goes without --relay");
			status = CLI_EXIT_RECORD_FAILED;
		} else {
			status = cli_record_live(
					&opts, &extra, &live, argv + optind);
		}
		if (relay_arg) {
			cli_relay_url_release(&relay);
		}
		return status;
	}
	status = cli_record_program_ext(&opts, &extra, argv + optind, &result);
	if (status == CLI_EXIT_OK) {
		status = cli_exit_code_of(result.wait_status);
	}
	cli_record_result_release(&result);
	if (relay_arg) {
		cli_relay_url_release(&relay);
	}
	return status;
}
