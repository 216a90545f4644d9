/*
 * Shared declarations of the cotrace command line: exit codes, the
 * subcommands, and the two pipelines the subcommands share (recording a
 * program, reporting on traces).
 */
#ifndef COTRACE_CLI_H
#define COTRACE_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "metrics.h"
#include "model.h"

/* Exit codes, documented in doc/man/cotrace.1 (EXIT STATUS). */
enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAILURE = 1,      /* an operation failed */
	CLI_EXIT_USAGE = 2,        /* bad flags, arguments or names */
	CLI_EXIT_NO_TRACE = 3,     /* a path is missing or holds no CTF trace */
	CLI_EXIT_NO_EVENTS = 4,    /* the traces hold no cotrace events */
	CLI_EXIT_DAMAGED = 5,      /* damaged trace: partial report printed */
	/* `cotrace record` passes PROGRAM's status through, so its own: */
	CLI_EXIT_RECORD_FAILED = 125,
	CLI_EXIT_CANNOT_EXEC = 126,
	CLI_EXIT_NOT_FOUND = 127,
};

/* Subcommands: cmd-<name>.c, each with its own getopt_long and usage. */
int cmd_record(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_timeline(int argc, char **argv);
int cmd_story(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_relay(int argc, char **argv);
int cmd_live(int argc, char **argv);

/* Options shared by `cotrace live` and `record --live` (cmd-live.c):
 * 0, or -1 after printing one error. */
int cli_live_parse_interval(const char *arg, double *seconds);
int cli_live_parse_width(const char *arg, unsigned int *width);

/* "cotrace: error: ..." / "cotrace: warning: ..." / "cotrace: ..." on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The one message for a getopt_long() error of `cotrace <command>` (run
 * with opterr = 0 and a ':' at the start of the option string): `opt` is
 * what getopt_long returned, ':' for a missing value, '?' otherwise.
 */
void cli_option_error(const char *command, int opt, char **argv);

/* Flushes and checks stdout; returns 0 or prints an error and returns -1. */
int cli_close_stdout(void);

/*
 * Path of a cotrace executable (e.g. "cotrace-demo"): next to the running
 * `cotrace`, else in COTRACE_BINDIR, else `name` for a PATH search.
 * Returns a malloc'd string.
 */
char *cli_find_sibling(const char *name);

/* ---- recording (session.c) ---- */

struct cli_record_options {
	const char *output_dir;    /* NULL: ./cotrace-<program>-<timestamp> */
	const char *session_name;  /* NULL: generated */
	uint64_t subbuf_size;      /* 0: default */
	unsigned int num_subbuf;   /* 0: default */
	bool quiet;                /* no progress lines on stderr */
};

struct cli_record_result {
	char *trace_dir;           /* owned: where the trace is */
	int wait_status;           /* PROGRAM's wait status */
	uint64_t discarded_events;
	uint64_t lost_packets;
};

/*
 * Records argv[0..] under a new session (starting a session daemon when none
 * is reachable) and fills `result`. Returns CLI_EXIT_OK when the recording
 * was made (whatever PROGRAM's status), else a CLI_EXIT_* code after
 * printing one error.
 */
int cli_record_program(const struct cli_record_options *opts, char **argv,
		struct cli_record_result *result);
void cli_record_result_release(struct cli_record_result *result);

/* PROGRAM's wait status as an exit code: the status, or 128 + signal. */
int cli_exit_code_of(int wait_status);

/* ---- reporting (report-graph.c) ---- */

/* A finished model of the traces, and its metrics. */
struct cli_analysis {
	struct cotrace_model *model;    /* owned, finished */
	struct cotrace_metrics metrics; /* owned */
};

/*
 * Finds the CTF traces under each path, runs src.ctf.fs -> flt.utils.muxer
 * -> sink.cotrace.report over them, and finishes the model. Returns
 * CLI_EXIT_OK, or CLI_EXIT_DAMAGED (warnings printed), or another
 * CLI_EXIT_* code after printing one error. analysis->model is set when
 * there is something to render: always with CLI_EXIT_OK, and with
 * CLI_EXIT_DAMAGED when some events could be read (a partial analysis).
 * Release with cli_analysis_release() (also when nothing was set).
 */
int cli_analyse_traces(const char *const *paths, size_t n_paths,
		struct cli_analysis *analysis);
void cli_analysis_release(struct cli_analysis *analysis);

/*
 * cli_analyse_traces() into a bounded model (model.h): every figure, but
 * only the first tasks and TLS accesses listed, so memory does not grow
 * with the events. For the report, compare and record's summary.
 */
int cli_analyse_traces_bounded(const char *const *paths, size_t n_paths,
		struct cli_analysis *analysis);

/*
 * cli_analyse_traces(), then writes the report in `format` ("text" or
 * "json") to `out`. Returns a CLI_EXIT_* code, having printed
 * one error when it is not CLI_EXIT_OK.
 */
int cli_report_traces(const char *const *paths, size_t n_paths,
		const char *format, FILE *out);

/* ---- reading traces into any sink (report-graph.c) ---- */

struct bt_component_class_sink;

/* The sink a graph of cli_read_traces() ends in, and how to ask it. */
struct cli_sink {
	const char *name;   /* its component's name: "report", "chrome" */
	const char *output; /* what it writes, for "the report below is
			       partial": "report", "timeline" */
	struct bt_component_class_sink *cls; /* borrowed */
	void *init; /* borrowed: the initialize-method data */
	void *data; /* borrowed: given to the functions below */
	/* Events seen so far: all of them, and the cotrace ones. */
	void (*counts)(void *data, uint64_t *events, uint64_t *cotrace_events);
	/* Records a trace path: 0 or -ENOMEM. */
	int (*add_path)(void *data, const char *path);
	/* Decoding stopped early: `why` (borrowed) becomes a warning. */
	int (*mark_damaged)(void *data, const char *why);
	/*
	 * NULL, or for a sink that writes while it reads: 0, or the -errno
	 * of its failed output (a failed graph is then not a damaged trace).
	 */
	int (*output_error)(void *data);
};

/*
 * Finds the CTF traces under each path and runs src.ctf.fs (one per trace,
 * a damaged one salvaged) -> flt.utils.muxer -> the sink over them. Returns
 * CLI_EXIT_OK; CLI_EXIT_DAMAGED (warnings printed, the sink marked damaged:
 * what it holds is partial, maybe empty: see its counts); or another
 * CLI_EXIT_* code (CLI_EXIT_NO_EVENTS...) after printing one error.
 */
int cli_read_traces(const char *const *paths, size_t n_paths,
		const struct cli_sink *sink);

/* ---- cotrace timeline --format chrome (timeline-chrome.c) ---- */

/*
 * Streams the traces as Chrome Trace Event JSON to `out` while they are
 * read: memory does not grow with the number of events. Returns a
 * CLI_EXIT_* code as cli_report_traces() does; `out` holds a complete
 * document whenever something was written (also with CLI_EXIT_DAMAGED),
 * and nothing when there was nothing to write.
 */
int cli_timeline_chrome(const char *const *paths, size_t n_paths, FILE *out);

/* ---- a command's output: stdout or -o FILE (output-file.c) ---- */

struct cli_output {
	FILE *file;        /* stdout, or owned */
	const char *path;  /* borrowed, NULL for stdout */
	bool existed;      /* the file existed before */
};

/* Opens `path` (NULL: stdout). Returns 0, or prints one error and -1. */
int cli_output_open(struct cli_output *o, const char *path);
/*
 * Closes the output after a command that ends with exit code `rc`: checks
 * the writes (stdout included), and removes a file it created when no
 * result was written (rc other than OK or DAMAGED). Returns the exit code.
 */
int cli_output_close(struct cli_output *o, int rc);

/* ---- small shared parsers and helpers ---- */

/* "text" or "json" (cmd-report.c). Returns 0, or prints one error and -1. */
int cli_check_report_format(const char *format);

/* (output-file.c) */

/*
 * A TCP port, 1 to 65535, given to `option`. Returns 0, or prints one
 * error naming the option and returns -1.
 */
int cli_parse_port(const char *option, const char *arg, unsigned int *port);

/*
 * mkdir -p `dir` (`shown` names it in the error). *made_last (may be NULL)
 * tells whether the last component was created here. Returns 0, or prints
 * one error and returns -1.
 */
int cli_make_dirs(const char *dir, const char *shown, bool *made_last);

#endif /* COTRACE_CLI_H */
