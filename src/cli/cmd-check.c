/*
 * cotrace check: evaluate expectations (doc/check-language.md) over a
 * trace, or over a program recorded on the spot, for autograders: one
 * command, one exit status, and for each expectation what was expected,
 * what was measured and, on a failure, a sentence a student can act on.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check-eval.h"
#include "check-expr.h"
#include "cli.h"
#include "json-writer.h"
#include "record.h"
#include "safe-text.h"

enum {
	OPT_RECORD = 1000,
	OPT_ACCEPT_DAMAGED,
};

/* Columns of the text output; messages wrap at WRAP. */
#define EXPR_COLUMN 38
#define WRAP 79

/* Help text reads best one output line per source line. */
/* clang-format off */
static void
usage(FILE *out)
{
	fprintf(out,
		"usage: cotrace check [-e EXPR]... [-f FILE]... [--format text|json]\n"
		"                     [--accept-damaged] TRACE...\n"
		"       cotrace check [-e EXPR]... [-f FILE]... [--format text|json]\n"
		"                     --record [-o DIR] [--] PROGRAM [ARGS...]\n"
		"\n"
		"Checks expectations over a recorded trace, or records PROGRAM first\n"
		"(as 'cotrace record') and checks its trace: a lab's grading in one\n"
		"command. Each expectation holds or fails; a failure says what was\n"
		"measured and what it probably means.\n"
		"\n"
		"options:\n"
		"  -e, --expect EXPR       an expectation, e.g. 'cpu_parallelism >= 1.6'\n"
		"  -f, --expect-file FILE  expectations, one per line, '#' comments\n"
		"                          ('-' reads standard input)\n"
		"  --format text|json      the results' format (default text)\n"
		"  --record                record PROGRAM, then check its trace; PROGRAM's\n"
		"                          standard output goes to standard error\n"
		"  -o, --output DIR        with --record: where to keep the trace (must not\n"
		"                          exist or be empty; default ./cotrace-PROGRAM-...)\n"
		"  --accept-damaged        on a damaged trace, exit 0 or 1 as the results\n"
		"                          say rather than 5\n"
		"  -h, --help              show this help\n"
		"\n"
		"examples:\n"
		"  cotrace check -e 'processes == 3' -e 'forks.child_ret == 0' mytrace\n"
		"  cotrace check -f lab.checks --record -- ./parallel 2\n"
		"  cotrace check -e 'overlap(task:1, task:2) >= 80%%' --format json mytrace\n"
		"\n"
		"exit status: 0 every expectation holds, 1 one fails, 2 bad usage or a\n"
		"bad expectation (nothing is read or recorded), 3 no trace at a path,\n"
		"4 no cotrace events, 5 damaged trace (results printed); with --record,\n"
		"125 recording failed, 126 PROGRAM cannot run, 127 PROGRAM not found.\n"
		"The language: cotrace-check(1).\n");
}
/* clang-format on */

/* One expectation and where it came from. */
struct item {
	char *text;	  /* owned, as written (one line) */
	const char *file; /* borrowed: the file, NULL for --expect */
	size_t line;	  /* in the file */
	struct cotrace_check_expr *expr;    /* owned */
	struct cotrace_check_result result; /* owned */
};

struct items {
	struct item *v;
	size_t n, cap;
};

static void
items_release(struct items *items)
{
	for (size_t i = 0; i < items->n; i++) {
		free(items->v[i].text);
		cotrace_check_expr_destroy(items->v[i].expr);
		cotrace_check_result_release(&items->v[i].result);
	}
	free(items->v);
	memset(items, 0, sizeof(*items));
}

static int
items_add(struct items *items, const char *text, const char *file, size_t line)
{
	struct item *it;

	if (items->n == items->cap) {
		size_t cap = items->cap ? items->cap * 2 : 8;
		struct item *v = realloc(items->v, cap * sizeof(*v));

		if (!v) {
			return -ENOMEM;
		}
		items->v = v;
		items->cap = cap;
	}
	it = &items->v[items->n];
	memset(it, 0, sizeof(*it));
	it->text = strdup(text);
	if (!it->text) {
		return -ENOMEM;
	}
	it->file = file;
	it->line = line;
	items->n++;
	return 0;
}

/*
 * The expectations of a file, one per line; blank and '#' lines skipped.
 * *empty is set when the file held none.
 */
static int
read_expect_file(struct items *items, const char *path, bool *empty)
{
	bool is_stdin = !strcmp(path, "-");
	FILE *in = is_stdin ? stdin : fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, lineno = 0, before = items->n;
	ssize_t len;
	int status = CLI_EXIT_OK;

	if (!in) {
		cli_error("cannot read expectation file '%s': %s", path,
				strerror(errno));
		return CLI_EXIT_USAGE;
	}
	errno = 0;
	while ((len = getline(&line, &cap, in)) >= 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' ||
						  line[len - 1] == '\r')) {
			line[--len] = '\0';
		}
		if ((size_t)len != strlen(line)) {
			cli_error("%s:%zu: the line holds a NUL byte: is this "
				  "a text file?",
					path, lineno);
			status = CLI_EXIT_USAGE;
			goto end;
		}
		if (cotrace_check_line_is_blank(line)) {
			continue;
		}
		if (items_add(items, line, path, lineno)) {
			cli_error("out of memory");
			status = CLI_EXIT_FAILURE;
			goto end;
		}
	}
	if (ferror(in)) {
		cli_error("cannot read expectation file '%s': %s", path,
				strerror(errno ? errno : EIO));
		status = CLI_EXIT_USAGE;
		goto end;
	}
	*empty = items->n == before;
end:
	free(line);
	if (!is_stdin) {
		fclose(in);
	}
	return status;
}

/*
 * Prints one parse error: where, what, and the expectation with a caret
 * under the culprit.
 */
static void
print_parse_error(const struct item *it, const struct cotrace_check_error *err)
{
	size_t column = cotrace_check_column(it->text, err->offset);
	size_t size = strlen(it->text) * 2 + 8;
	char *caret = malloc(size);

	if (it->file) {
		cli_error("%s:%zu:%zu: %s", it->file, it->line, column,
				err->message);
	} else {
		cli_error("in --expect '%s', column %zu: %s", it->text, column,
				err->message);
	}
	fprintf(stderr, "  %s\n", it->text);
	if (caret) {
		cotrace_check_caret_line(it->text, err, caret, size);
		fprintf(stderr, "  %s\n", caret);
	}
	free(caret);
}

/* Parses every expectation; reports all the bad ones, not just the first. */
static int
parse_items(struct items *items)
{
	int status = CLI_EXIT_OK;

	for (size_t i = 0; i < items->n; i++) {
		struct cotrace_check_error err;
		int rc = cotrace_check_parse(
				items->v[i].text, &items->v[i].expr, &err);

		if (rc == -ENOMEM) {
			cli_error("out of memory");
			return CLI_EXIT_FAILURE;
		}
		if (rc) {
			print_parse_error(&items->v[i], &err);
			status = CLI_EXIT_USAGE;
		}
	}
	return status;
}

/* What --record adds to the results. */
struct recorded {
	bool done;
	char *trace_dir;    /* borrowed from the record result */
	int program_status; /* as cotrace record would exit */
};

/* PROGRAM's standard output goes to stderr: stdout holds only results. */
static int
record(const struct cli_record_options *opts, char **argv,
		struct cli_record_result *result)
{
	struct cli_record_extra extra;
	int saved = -1, status;

	memset(&extra, 0, sizeof(extra));
	extra.quiet_result = true;
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	if (saved < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
		cli_error("cannot redirect the program's output: %s",
				strerror(errno));
		if (saved >= 0) {
			close(saved);
		}
		memset(result, 0, sizeof(*result));
		return CLI_EXIT_RECORD_FAILED;
	}
	status = cli_record_program_ext(opts, &extra, argv, result);
	fflush(stdout);
	if (dup2(saved, STDOUT_FILENO) < 0) {
		cli_error("cannot restore standard output: %s",
				strerror(errno));
		status = CLI_EXIT_RECORD_FAILED;
	}
	close(saved);
	return status;
}

static const char *
error_sentence(int rc)
{
	switch (rc) {
	case CLI_EXIT_NO_TRACE:
		return "no trace at the path";
	case CLI_EXIT_NO_EVENTS:
		return "the trace holds no cotrace events";
	case CLI_EXIT_DAMAGED:
		return "the trace is damaged and nothing could be read";
	case CLI_EXIT_RECORD_FAILED:
		return "the recording failed";
	case CLI_EXIT_CANNOT_EXEC:
		return "the program cannot be run";
	case CLI_EXIT_NOT_FOUND:
		return "the program does not exist";
	default:
		return "the check failed";
	}
}

static void
json_trace(struct cotrace_json_writer *w, const struct cotrace_model *model,
		const char *const *inputs, size_t n_inputs,
		const struct recorded *rec, bool damaged)
{
	cotrace_json_key(w, "trace");
	cotrace_json_begin_object(w);
	cotrace_json_key(w, "paths");
	cotrace_json_begin_array(w);
	for (size_t i = 0; model && i < model->n_paths; i++) {
		cotrace_json_string(w, model->paths[i]);
	}
	cotrace_json_end_array(w);
	cotrace_json_key(w, "inputs");
	cotrace_json_begin_array(w);
	for (size_t i = 0; i < n_inputs; i++) {
		cotrace_json_string(w, inputs[i]);
	}
	cotrace_json_end_array(w);
	cotrace_json_key(w, "damaged");
	cotrace_json_bool(w, damaged);
	cotrace_json_key(w, "lost_events");
	if (!model || (model->lost_events == 0 && model->n_lost > 0)) {
		cotrace_json_null(w);
	} else {
		cotrace_json_uint(w, model->lost_events);
	}
	cotrace_json_key(w, "recorded");
	cotrace_json_bool(w, rec->done);
	if (rec->done) {
		cotrace_json_key(w, "kept_in");
		cotrace_json_string(w, rec->trace_dir);
		cotrace_json_key(w, "program_status");
		cotrace_json_int(w, rec->program_status);
	}
	cotrace_json_end_object(w);
}

/* With --format json, a failure before any result is still one object. */
static int
json_error(int rc, const char *const *inputs, size_t n_inputs,
		const struct recorded *rec)
{
	struct cotrace_json_writer w;

	cotrace_json_writer_init(&w, stdout, true);
	cotrace_json_begin_object(&w);
	cotrace_json_key(&w, "passed");
	cotrace_json_bool(&w, false);
	cotrace_json_key(&w, "error");
	cotrace_json_begin_object(&w);
	cotrace_json_key(&w, "exit_status");
	cotrace_json_int(&w, rc);
	cotrace_json_key(&w, "message");
	cotrace_json_string(&w, error_sentence(rc));
	cotrace_json_end_object(&w);
	cotrace_json_key(&w, "results");
	cotrace_json_begin_array(&w);
	cotrace_json_end_array(&w);
	json_trace(&w, NULL, inputs, n_inputs, rec, rc == CLI_EXIT_DAMAGED);
	cotrace_json_end_object(&w);
	return cotrace_json_writer_finish(&w);
}

static int
write_json(const struct items *items, const struct cotrace_model *model,
		const char *const *inputs, size_t n_inputs,
		const struct recorded *rec, bool damaged, bool passed)
{
	struct cotrace_json_writer w;
	size_t held = 0, vacuous = 0;

	for (size_t i = 0; i < items->n; i++) {
		held += items->v[i].result.holds;
		vacuous += items->v[i].result.vacuous;
	}
	cotrace_json_writer_init(&w, stdout, true);
	cotrace_json_begin_object(&w);
	cotrace_json_key(&w, "passed");
	cotrace_json_bool(&w, passed);
	cotrace_json_key(&w, "counts");
	cotrace_json_begin_object(&w);
	cotrace_json_key(&w, "expectations");
	cotrace_json_uint(&w, items->n);
	cotrace_json_key(&w, "held");
	cotrace_json_uint(&w, held);
	cotrace_json_key(&w, "failed");
	cotrace_json_uint(&w, items->n - held);
	cotrace_json_key(&w, "vacuous");
	cotrace_json_uint(&w, vacuous);
	cotrace_json_end_object(&w);
	cotrace_json_key(&w, "results");
	cotrace_json_begin_array(&w);
	for (size_t i = 0; i < items->n; i++) {
		const struct item *it = &items->v[i];

		cotrace_json_begin_object(&w);
		cotrace_json_key(&w, "expect");
		cotrace_json_string(&w, it->text);
		cotrace_json_key(&w, "holds");
		cotrace_json_bool(&w, it->result.holds);
		cotrace_json_key(&w, "vacuous");
		cotrace_json_bool(&w, it->result.vacuous);
		cotrace_json_key(&w, "expected");
		cotrace_json_string(&w, it->result.expected);
		cotrace_json_key(&w, "measured");
		cotrace_json_string(&w, it->result.measured);
		cotrace_json_key(&w, "message");
		cotrace_json_string(&w, it->result.message);
		if (it->file) {
			cotrace_json_key(&w, "file");
			cotrace_json_string(&w, it->file);
			cotrace_json_key(&w, "line");
			cotrace_json_uint(&w, it->line);
		}
		cotrace_json_end_object(&w);
	}
	cotrace_json_end_array(&w);
	json_trace(&w, model, inputs, n_inputs, rec, damaged);
	cotrace_json_end_object(&w);
	return cotrace_json_writer_finish(&w);
}

/* Trace names may hold control characters: print them safe. */
static void
put_safe(const char *s, bool utf8)
{
	char *safe = cotrace_safe_strdup(s, SIZE_MAX, utf8, NULL);

	fputs(safe ? safe : "?", stdout);
	free(safe);
}

static void
put_wrapped_safe(
		const char *first, const char *indent, const char *s, bool utf8)
{
	char *safe = cotrace_safe_strdup(s, SIZE_MAX, utf8, NULL);

	cotrace_put_wrapped(stdout, first, indent, safe ? safe : "?", WRAP);
	free(safe);
}

static void
write_text(const struct items *items, const struct cotrace_model *model,
		const struct recorded *rec, bool damaged, int rc)
{
	bool utf8 = cotrace_locale_is_utf8();
	size_t held = 0;
	char where[64];

	for (size_t i = 0; i < items->n; i++) {
		const struct item *it = &items->v[i];
		const struct cotrace_check_result *r = &it->result;
		size_t chars;

		held += r->holds;
		fputs(r->holds ? "PASS  " : "FAIL  ", stdout);
		put_safe(it->text, utf8);
		chars = cotrace_text_chars(it->text);
		if (chars < EXPR_COLUMN) {
			printf("%*s", (int)(EXPR_COLUMN - chars), "");
		} else {
			fputs("  ", stdout);
		}
		fputs("measured ", stdout);
		put_safe(r->measured, utf8);
		fputc('\n', stdout);
		if (!r->holds || r->vacuous) {
			char *first = NULL;

			if (it->file) {
				snprintf(where, sizeof(where), "%zu", it->line);
			}
			/* "      lab.checks:5: expected ..." */
			if (asprintf(&first, "      %s%s%s%s%s",
					    it->file ? it->file : "",
					    it->file ? ":" : "",
					    it->file ? where : "",
					    it->file ? ": " : "",
					    r->holds ? "note: " : "") < 0) {
				first = NULL;
			}
			put_wrapped_safe(first ? first : "      ", "      ",
					r->message, utf8);
			free(first);
		}
	}
	fputc('\n', stdout);
	if (rc == CLI_EXIT_OK) {
		printf("PASSED: %s%zu expectation%s hold%s.\n",
				items->n == 1 ? "" : "all ", items->n,
				items->n == 1 ? "" : "s",
				items->n == 1 ? "s" : "");
	} else if (held < items->n) {
		printf("FAILED: %zu of %zu expectation%s failed.\n",
				items->n - held, items->n,
				items->n == 1 ? "" : "s");
	} else {
		printf("NOT PASSED: all %zu expectation%s hold, but the trace "
		       "is damaged.\n",
				items->n, items->n == 1 ? "" : "s");
	}
	if (damaged) {
		puts("The trace is damaged: these results cover only what "
		     "could be read (see the warnings above).");
	}
	if (rec->done) {
		fputs("Trace kept in ", stdout);
		put_safe(rec->trace_dir, utf8);
		puts(".");
	} else if (model && model->n_paths == 1) {
		fputs("Trace: ", stdout);
		put_safe(model->paths[0], utf8);
		puts(".");
	}
}

/* Record mode: a "--record" before any "--" (then PROGRAM's flags are not
 * ours, so option parsing stops at PROGRAM). */
static bool
wants_record(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--record")) {
			return true;
		}
		/* The value of -e/-f is not an option. */
		if ((!strcmp(argv[i], "-e") || !strcmp(argv[i], "--expect") ||
				    !strcmp(argv[i], "-f") ||
				    !strcmp(argv[i], "--expect-file") ||
				    !strcmp(argv[i], "-o") ||
				    !strcmp(argv[i], "--output") ||
				    !strcmp(argv[i], "--format")) &&
				i + 1 < argc) {
			i++;
		}
	}
	return false;
}

int
cmd_check(int argc, char **argv)
{
	static const struct option options[] = {
			{"expect", required_argument, NULL, 'e'},
			{"expect-file", required_argument, NULL, 'f'},
			{"format", required_argument, NULL, 'F'},
			{"record", no_argument, NULL, OPT_RECORD},
			{"output", required_argument, NULL, 'o'},
			{"accept-damaged", no_argument, NULL,
					OPT_ACCEPT_DAMAGED},
			{"help", no_argument, NULL, 'h'},
			{NULL, 0, NULL, 0},
	};
	struct items items = {0};
	struct cli_record_options opts;
	struct cli_record_result result;
	struct cli_analysis analysis = {0};
	struct cotrace_check_context *ctx = NULL;
	struct recorded rec = {0};
	const char *format = "text", *empty_file = NULL;
	const char *const *inputs;
	size_t n_inputs;
	bool record_mode = wants_record(argc, argv), accept_damaged = false;
	bool json, damaged, passed;
	int opt, status = CLI_EXIT_USAGE, rc;

	memset(&opts, 0, sizeof(opts));
	memset(&result, 0, sizeof(result));
	opterr = 0;
	optind = 0;
	while ((opt = getopt_long(argc, argv,
				record_mode ? "+:e:f:o:h" : ":e:f:o:h", options,
				NULL)) != -1) {
		switch (opt) {
		case 'e':
			if (items_add(&items, optarg, NULL, 0)) {
				cli_error("out of memory");
				status = CLI_EXIT_FAILURE;
				goto end;
			}
			break;
		case 'f': {
			bool empty = false;

			status = read_expect_file(&items, optarg, &empty);
			if (status != CLI_EXIT_OK) {
				goto end;
			}
			empty_file = empty ? optarg : empty_file;
			status = CLI_EXIT_USAGE;
			break;
		}
		case 'F':
			format = optarg;
			if (cli_check_report_format(format) != 0) {
				goto end;
			}
			break;
		case OPT_RECORD:
			break;
		case 'o':
			if (optarg[0] == '\0') {
				cli_error("-o needs a directory");
				goto end;
			}
			opts.output_dir = optarg;
			break;
		case OPT_ACCEPT_DAMAGED:
			accept_damaged = true;
			break;
		case 'h':
			usage(stdout);
			status = cli_close_stdout() ? CLI_EXIT_FAILURE
						    : CLI_EXIT_OK;
			goto end;
		default:
			cli_option_error("check", opt, argv);
			goto end;
		}
	}
	json = !strcmp(format, "json");
	if (opts.output_dir && !record_mode) {
		cli_error("-o is for --record (where to keep the recording); "
			  "to check a trace, name it as TRACE");
		goto end;
	}
	if (optind >= argc) {
		cli_error(record_mode ? "no PROGRAM to record; usage: cotrace "
					"check -e EXPR --record -- PROGRAM "
					"[ARGS...]"
				      : "no TRACE given: name the folder "
					"`cotrace record -o` wrote, or use "
					"--record -- PROGRAM");
		goto end;
	}
	if (items.n == 0 && empty_file) {
		cli_error("no expectation given: '%s' holds only blank or "
			  "comment lines",
				empty_file);
		goto end;
	}
	if (items.n == 0) {
		cli_error("no expectation given: add --expect EXPR or "
			  "--expect-file FILE (see cotrace-check(1))");
		goto end;
	}
	if (empty_file) {
		/* Likely the wrong file, though the others still count. */
		cli_warn("expectation file '%s' holds no expectation (only "
			 "blank or comment lines)",
				empty_file);
	}
	/* A wrong expectation stops everything before a program runs. */
	status = parse_items(&items);
	if (status != CLI_EXIT_OK) {
		goto end;
	}

	inputs = (const char *const *)argv + optind;
	n_inputs = (size_t)(argc - optind);
	if (record_mode) {
		status = record(&opts, argv + optind, &result);
		if (status != CLI_EXIT_OK) {
			if (json) {
				json_error(status, NULL, 0, &rec);
			}
			goto end;
		}
		rec.done = true;
		rec.trace_dir = result.trace_dir;
		rec.program_status = cli_exit_code_of(result.wait_status);
		cli_info("trace kept in %s", result.trace_dir);
		if (WIFSIGNALED(result.wait_status)) {
			cli_warn("%s was killed by signal %d; checking what "
				 "was recorded",
					argv[optind],
					WTERMSIG(result.wait_status));
		} else if (rec.program_status != 0) {
			cli_warn("%s exited with status %d; checking what was "
				 "recorded",
					argv[optind], rec.program_status);
		}
		inputs = (const char *const *)&result.trace_dir;
		n_inputs = 1;
	}

	rc = cli_analyse_traces(inputs, n_inputs, &analysis);
	if (!analysis.model) {
		status = rc;
		if (json) {
			json_error(status, inputs, n_inputs, &rec);
		}
		goto end;
	}
	damaged = rc == CLI_EXIT_DAMAGED;
	if (cotrace_check_context_create(
			    analysis.model, &analysis.metrics, &ctx)) {
		cli_error("out of memory");
		status = CLI_EXIT_FAILURE;
		goto end;
	}
	passed = true;
	for (size_t i = 0; i < items.n; i++) {
		if (cotrace_check_evaluate(
				    ctx, items.v[i].expr, &items.v[i].result)) {
			cli_error("out of memory");
			status = CLI_EXIT_FAILURE;
			goto end;
		}
		passed &= items.v[i].result.holds;
	}
	/* Partial data neither passes nor fails a student, unless asked. */
	status = !passed ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
	if (damaged && !accept_damaged) {
		status = CLI_EXIT_DAMAGED;
	}
	if (json) {
		if (write_json(&items, analysis.model, inputs, n_inputs, &rec,
				    damaged, status == CLI_EXIT_OK)) {
			cli_error("cannot write the results: %s",
					strerror(errno));
			status = CLI_EXIT_FAILURE;
		}
	} else {
		write_text(&items, analysis.model, &rec, damaged, status);
	}
	if (cli_close_stdout()) {
		status = CLI_EXIT_FAILURE;
	}
end:
	cotrace_check_context_destroy(ctx);
	cli_analysis_release(&analysis);
	cli_record_result_release(&result);
	items_release(&items);
	return status;
}
