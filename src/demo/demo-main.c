/*
 * cotrace-demo: command line. Parses the mode and its flags, marks the
 * process start for cotrace, and runs the mode.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cotrace/cotrace.h>

#include "config.h"
#include "demo.h"

#define DEFAULT_WORKERS 2
#define DEFAULT_WORK_MS 1000
#define DEFAULT_EVENTS 100000

enum demo_flag {
	FLAG_WORKERS = 1 << 0,
	FLAG_WORK_MS = 1 << 1,
	FLAG_EVENTS = 1 << 2,
};

/* getopt_long values of the long-only options. */
enum {
	OPT_WORKERS = 256,
	OPT_WORK_MS,
	OPT_EVENTS,
};

struct demo_mode {
	const char *name;
	int (*run)(const struct demo_options *opts);
	unsigned int flags;	 /* enum demo_flag: the options it takes */
	const char *workers_are; /* what --workers counts */
	const char *summary;	 /* one line for the program's --help */
	const char *description; /* the mode's --help */
};

/* A table reads better with one string per help line. */
/* clang-format off */
static const struct demo_mode modes[] = {
	{
		.name = "parallel",
		.run = demo_parallel,
		.flags = FLAG_WORKERS | FLAG_WORK_MS,
		.workers_are = "worker processes",
		.summary = "N processes run a CPU task at the same time",
		.description =
			"Forks N worker processes; once all are up they start together and\n"
			"each runs task i \"cpu_task\", burning MS ms of CPU time, and prints\n"
			"\"Process finished in X s\". The parent waits for all and prints\n"
			"\"Total time: X s\" (with the start-up and the work apart): the work\n"
			"takes about one task's time, because the processes truly run in\n"
			"parallel.\n",
	},
	{
		.name = "fork",
		.run = demo_fork,
		.summary = "fork() returns 0 in the child, the child's pid in the parent",
		.description =
			"Forks once. The child prints what fork() returned to it (0), the\n"
			"parent what it returned there (the child's pid); the parent waits.\n",
	},
	{
		.name = "tls",
		.run = demo_tls,
		.flags = FLAG_WORKERS,
		.workers_are = "threads",
		.summary = "each thread has its own copy of a thread-local variable",
		.description =
			"Starts N threads named worker-1..worker-N. Each writes its pthread id\n"
			"(Python's threading.get_ident()) to one _Thread_local variable, waits\n"
			"until all have written, reads it back and reports its slot's address.\n"
			"Fails (exit 1) if a thread reads back a value it did not write.\n",
	},
	{
		.name = "gil",
		.run = demo_gil,
		.flags = FLAG_WORKERS | FLAG_WORK_MS,
		.workers_are = "threads",
		.summary = "N threads behind one lock take turns: no parallelism",
		.description =
			"Starts N threads named worker-1..worker-N in one process. Each runs\n"
			"task i \"cpu_task\", burning MS ms of CPU time, but only while holding\n"
			"one global lock that the threads hand over fairly every 5 ms, as\n"
			"CPython's GIL does. Each task lasts about N * MS ms of wall time.\n",
	},
	{
		.name = "fork-threads",
		.run = demo_fork_threads,
		.summary = "fork() while other threads are alive",
		.description =
			"Starts threads helper-1 and helper-2, which stay alive, and forks\n"
			"meanwhile. The child, which has only the forking thread, prints and\n"
			"exits at once; then the helpers are released and joined.\n",
	},
	{
		.name = "flood",
		.run = demo_flood,
		.flags = FLAG_WORKERS | FLAG_EVENTS,
		.workers_are = "threads",
		.summary = "N events as fast as W threads emit them (for benchmarks)",
		.description =
			"Not a lesson: the load generator of the benchmarks (bench/). Starts\n"
			"W threads named flood-1..flood-W that emit N events in all, as fast\n"
			"as they can, in triples: task_start, tls_write (key \"counter\"),\n"
			"task_finish. Each thread's start and exit and the process's start\n"
			"and exit come on top of the N. Prints the rate it reached.\n",
	},
};

#define N_MODES (sizeof(modes) / sizeof(modes[0]))

static const char mode_names[] = "parallel, fork, tls, gil, fork-threads, flood";

static const char usage_head[] =
	"usage: cotrace-demo MODE [OPTIONS]\n"
	"       cotrace-demo --help | --version\n"
	"\n"
	"Runs one lesson of the concurrency lecture, instrumented with\n"
	"libcotrace. Record it with `cotrace record -- cotrace-demo MODE`.\n"
	"\n"
	"modes:\n";

static const char usage_tail[] =
	"\n"
	"Run `cotrace-demo MODE --help` for the options of MODE.\n"
	"\n"
	"exit status: 0 success; 1 a fork, a thread or a check failed;\n"
	"2 bad usage.\n";

#define WORKERS_HELP "  --workers N   number of %s, %d..%d (default %d)\n"
#define WORK_MS_HELP "  --work-ms MS  CPU time of a task in ms, %d..%d (default %d)\n"
#define EVENTS_HELP "  --events N    events in all, %d..%d (default %d)\n"
/* clang-format on */

static void
print_usage(FILE *out)
{
	fputs(usage_head, out);
	for (size_t i = 0; i < N_MODES; i++) {
		fprintf(out, "  %-13s %s\n", modes[i].name, modes[i].summary);
	}
	fputs(usage_tail, out);
}

static void
print_mode_usage(const struct demo_mode *mode, FILE *out)
{
	bool workers = mode->flags & FLAG_WORKERS;
	bool work_ms = mode->flags & FLAG_WORK_MS;
	bool events = mode->flags & FLAG_EVENTS;

	fprintf(out, "usage: cotrace-demo %s%s%s%s\n\n%s\noptions:\n",
			mode->name, events ? " [--events N]" : "",
			workers ? " [--workers N]" : "",
			work_ms ? " [--work-ms MS]" : "", mode->description);
	if (events) {
		fprintf(out, EVENTS_HELP, DEMO_EVENTS_MIN, DEMO_EVENTS_MAX,
				DEFAULT_EVENTS);
	}
	if (workers) {
		fprintf(out, WORKERS_HELP, mode->workers_are, DEMO_WORKERS_MIN,
				DEMO_WORKERS_MAX, DEFAULT_WORKERS);
	}
	if (work_ms) {
		fprintf(out, WORK_MS_HELP, DEMO_WORK_MS_MIN, DEMO_WORK_MS_MAX,
				DEFAULT_WORK_MS);
	}
	fputs("  -h, --help    show this help and exit\n", out);
}

/* An error about MODE's flags, pointing to MODE's help. */
static void __attribute__((format(printf, 2, 3)))
mode_error(const struct demo_mode *mode, const char *fmt, ...)
{
	va_list ap;

	fputs("cotrace-demo: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; see 'cotrace-demo %s --help'\n", mode->name);
}

static const struct demo_mode *
find_mode(const char *name)
{
	for (size_t i = 0; i < N_MODES; i++) {
		if (!strcmp(modes[i].name, name)) {
			return &modes[i];
		}
	}
	return NULL;
}

/* Strict decimal: no sign, no blanks, no trailing text. */
static int
parse_uint(const char *option, const char *text, unsigned int min,
		unsigned int max, unsigned int *value)
{
	unsigned long parsed;
	char *end;

	if (*text < '0' || *text > '9') {
		goto error;
	}
	errno = 0;
	parsed = strtoul(text, &end, 10);
	if (errno || *end != '\0' || parsed < min || parsed > max) {
		goto error;
	}
	*value = (unsigned int)parsed;
	return 0;

error:
	demo_error("%s expects an integer from %u to %u, not '%s'", option, min,
			max, text);
	return -1;
}

/* The option as typed, without any "=value", for error messages. */
static void
option_name(const char *arg, char *buf, size_t len)
{
	size_t n = strcspn(arg, "=");

	if (n >= len) {
		n = len - 1;
	}
	memcpy(buf, arg, n);
	buf[n] = '\0';
}

/* getopt_long refuses an abbreviation of several options ("--work"). */
static bool
is_ambiguous(const char *name, const struct option *options)
{
	size_t len;
	int matches = 0;

	if (strncmp(name, "--", 2)) {
		return false;
	}
	name += 2;
	len = strlen(name);
	for (; options->name; options++) {
		if (!strncmp(options->name, name, len)) {
			matches++;
		}
	}
	return matches > 1;
}

static int
parse_mode_options(const struct demo_mode *mode, int argc, char **argv,
		struct demo_options *opts, bool *help)
{
	static const struct option long_options[] = {
			{"help", no_argument, NULL, 'h'},
			{"workers", required_argument, NULL, OPT_WORKERS},
			{"work-ms", required_argument, NULL, OPT_WORK_MS},
			{"events", required_argument, NULL, OPT_EVENTS},
			{NULL, 0, NULL, 0},
	};
	const char *refused = NULL;
	char name[64];
	int c;

	opterr = 0;
	optind = 0;
	/* '+': stop at the first operand; ':': report a missing value apart. */
	while ((c = getopt_long(argc, argv, "+:h", long_options, NULL)) != -1) {
		switch (c) {
		case 'h':
			*help = true;
			return 0;
		case OPT_WORKERS:
			if (!(mode->flags & FLAG_WORKERS)) {
				refused = "--workers";
				goto not_for_mode;
			}
			if (parse_uint("--workers", optarg, DEMO_WORKERS_MIN,
					    DEMO_WORKERS_MAX, &opts->workers)) {
				return -1;
			}
			break;
		case OPT_WORK_MS:
			if (!(mode->flags & FLAG_WORK_MS)) {
				refused = "--work-ms";
				goto not_for_mode;
			}
			if (parse_uint("--work-ms", optarg, DEMO_WORK_MS_MIN,
					    DEMO_WORK_MS_MAX, &opts->work_ms)) {
				return -1;
			}
			break;
		case OPT_EVENTS:
			if (!(mode->flags & FLAG_EVENTS)) {
				refused = "--events";
				goto not_for_mode;
			}
			if (parse_uint("--events", optarg, DEMO_EVENTS_MIN,
					    DEMO_EVENTS_MAX, &opts->events)) {
				return -1;
			}
			break;
		case ':':
			option_name(argv[optind - 1], name, sizeof(name));
			demo_error("option '%s' needs a value", name);
			return -1;
		default:
			/* optopt: a short flag, or a long one given a value */
			if (optopt && optopt != 'h') {
				mode_error(mode, "unknown option '-%c'",
						optopt);
				return -1;
			}
			option_name(argv[optind - 1], name, sizeof(name));
			if (optopt) {
				demo_error("option '%s' takes no value", name);
			} else if (is_ambiguous(name, long_options)) {
				mode_error(mode, "ambiguous option '%s'", name);
			} else {
				mode_error(mode, "unknown option '%s'", name);
			}
			return -1;
		}
	}
	if (optind < argc) {
		mode_error(mode, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	return 0;

not_for_mode:
	mode_error(mode, "mode '%s' takes no option '%s'", mode->name, refused);
	return -1;
}

static int
close_stdout(void)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		demo_error("cannot write to standard output: %s",
				strerror(errno));
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct demo_options opts = {
			.workers = DEFAULT_WORKERS,
			.work_ms = DEFAULT_WORK_MS,
			.events = DEFAULT_EVENTS,
	};
	const struct demo_mode *mode;
	bool help = false;
	int status;

	if (argc < 2) {
		demo_error("no mode given; see 'cotrace-demo --help'");
		return DEMO_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		print_usage(stdout);
		return close_stdout() ? DEMO_EXIT_FAILURE : DEMO_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("cotrace-demo %s\n", COTRACE_VERSION);
		return close_stdout() ? DEMO_EXIT_FAILURE : DEMO_EXIT_OK;
	}
	if (argv[1][0] == '-') {
		demo_error("unknown option '%s'; see 'cotrace-demo --help'",
				argv[1]);
		return DEMO_EXIT_USAGE;
	}
	mode = find_mode(argv[1]);
	if (!mode) {
		demo_error("unknown mode '%s'; modes: %s", argv[1], mode_names);
		return DEMO_EXIT_USAGE;
	}
	if (parse_mode_options(mode, argc - 1, argv + 1, &opts, &help)) {
		return DEMO_EXIT_USAGE;
	}
	if (help) {
		print_mode_usage(mode, stdout);
		return close_stdout() ? DEMO_EXIT_FAILURE : DEMO_EXIT_OK;
	}

	cotrace_proc_start();
	status = mode->run(&opts);
	if (close_stdout()) {
		status = DEMO_EXIT_FAILURE;
	}
	return status;
}
