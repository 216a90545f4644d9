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
#include "record.h"
#include "relay-net.h"

enum {
	OPT_SUBBUF_SIZE = 1000,
	OPT_NUM_SUBBUF,
	OPT_NO_PRELOAD,
	OPT_PYTHON_AGENT,
	OPT_RELAY,
};

/* Help text reads best one output line per source line. */
/* clang-format off */
static void
usage(FILE *out)
{
	fprintf(out,
		"usage: cotrace record [-o DIR | --relay URL] [--subbuf-size SIZE]\n"
		"                      [--num-subbuf N] [--no-preload] [--python-agent]\n"
		"                      [-q] [--] PROGRAM [ARGS...]\n"
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
		"exit status: PROGRAM's own, 128+N when it was killed by signal N,\n"
		"125 when cotrace failed or was misused, 126 when PROGRAM cannot run,\n"
		"127 when it does not exist. With --relay, 125 also when the relay\n"
		"cannot be reached (PROGRAM is not run) or went away during the\n"
		"recording (what it received stays there).\n");
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
			{"relay", required_argument, NULL, OPT_RELAY},
			{"quiet", no_argument, NULL, 'q'},
			{"help", no_argument, NULL, 'h'},
			{NULL, 0, NULL, 0},
	};
	struct cli_record_options opts;
	struct cli_record_extra extra;
	struct cli_record_result result;
	struct cli_relay_url relay;
	const char *relay_arg = NULL;
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
