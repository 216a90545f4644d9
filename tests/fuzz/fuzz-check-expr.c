/*
 * libFuzzer target: `cotrace check` expectations. The input is the text of
 * one expectation (as a line of an expectation file or an --expect
 * argument); it is parsed (analysis/check-expr.c), its error located and
 * underlined as cmd-check.c does, and when it parses, evaluated
 * (analysis/check-eval.c) over two fixed models: a rich one (forks, a
 * process without exit, threads, TLS, tasks, warnings) and an empty one.
 * Build and run: doc/hardening.md.
 */
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-eval.h"
#include "check-expr.h"
#include "metrics.h"
#include "model.h"

#define T0 INT64_C(1700000000000000000)
#define MS INT64_C(1000000)
#define TEXT_MAX 4096

struct fixture {
	struct cotrace_model *model;
	struct cotrace_metrics metrics;
	struct cotrace_check_context *ctx;
};

static struct fixture rich, empty;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
add(struct cotrace_model *m, struct cotrace_event e)
{
	if (cotrace_model_add_event(m, &e) != 0) {
		abort();
	}
}

/* An event of pid/tid at T0 + ms, with the decoder's defaults. */
static struct cotrace_event
ev(enum cotrace_event_type type, int64_t ms, int64_t pid, int64_t tid)
{
	return (struct cotrace_event){
			.type = type,
			.ts_ns = T0 + ms * MS,
			.pid = pid,
			.tid = tid,
			.pthread_id = 0x7f0000000000u + (uint64_t)tid,
			.procname = "cotrace-demo",
			.ppid = -1,
			.fork_ret = -1,
			.cpu_ns = COTRACE_CPU_NONE,
			.status = -1,
			.child_pid = -1,
			.threads_alive = -1,
			.ret = -1,
	};
}

static void
fill_rich(struct cotrace_model *m)
{
	static const int64_t helpers[] = {103};
	struct cotrace_event e;

	e = ev(COTRACE_EVENT_PROC_START, 0, 100, 100);
	e.ppid = 1;
	e.name = "/usr/bin/cotrace-demo";
	e.cpu_ns = 1 * MS;
	add(m, e);
	e = ev(COTRACE_EVENT_THREAD_START, 1, 100, 103);
	e.name = "worker-1";
	add(m, e);
	e = ev(COTRACE_EVENT_TLS_WRITE, 2, 100, 103);
	e.key = "value";
	e.value = "1";
	e.addr = 0x1000;
	add(m, e);
	e = ev(COTRACE_EVENT_TLS_READ, 3, 100, 103);
	e.key = "value";
	e.value = "2";
	e.addr = 0x1000;
	add(m, e);
	for (int64_t i = 0; i < 2; i++) {
		int64_t child = 101 + i;

		e = ev(COTRACE_EVENT_FORK, 5 + i, 100, 100);
		e.child_pid = child;
		e.threads_alive = 2;
		e.alive_tids = helpers;
		e.n_alive_tids = 1;
		e.alive_names = "worker-1(103)";
		add(m, e);
		e = ev(COTRACE_EVENT_PROC_START, 6 + i, child, child);
		e.ppid = 100;
		e.fork_ret = 0;
		e.name = "cotrace-demo";
		e.cpu_ns = 2 * MS;
		add(m, e);
		e = ev(COTRACE_EVENT_TASK_START, 10, child, child);
		e.task_id = (uint64_t)i + 1;
		e.name = "cpu_task";
		e.cpu_ns = 2 * MS;
		add(m, e);
	}
	e = ev(COTRACE_EVENT_TASK_FINISH, 400, 101, 101);
	e.task_id = 1;
	e.cpu_ns = 380 * MS;
	add(m, e);
	e = ev(COTRACE_EVENT_PROC_EXIT, 401, 101, 101);
	e.status = 0;
	e.cpu_ns = 383 * MS;
	add(m, e);
	/* pid 102 never finishes its task nor exits (killed). */
	e = ev(COTRACE_EVENT_THREAD_EXIT, 450, 100, 103);
	e.cpu_ns = 1 * MS;
	add(m, e);
	e = ev(COTRACE_EVENT_PROC_EXIT, 500, 100, 100);
	e.status = 1;
	e.cpu_ns = 5 * MS;
	add(m, e);
	cotrace_model_add_lost(m, 3, T0 + 100 * MS, T0 + 110 * MS);
	cotrace_model_add_path(m, "/tmp/run/ust/uid/0/64-bit");
}

static void
fixture_init(struct fixture *f, void (*fill)(struct cotrace_model *))
{
	f->model = cotrace_model_create();
	if (!f->model) {
		abort();
	}
	if (fill) {
		fill(f->model);
	}
	if (cotrace_model_finish(f->model) ||
			cotrace_metrics_compute(f->model, &f->metrics) ||
			cotrace_check_context_create(
					f->model, &f->metrics, &f->ctx)) {
		abort();
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setlocale(LC_CTYPE, "C.UTF-8");
	fixture_init(&rich, fill_rich);
	fixture_init(&empty, NULL);
	return 0;
}

static void
evaluate(struct fixture *f, const struct cotrace_check_expr *expr)
{
	struct cotrace_check_result result = {0};

	if (cotrace_check_evaluate(f->ctx, expr, &result) == 0) {
		/* What cmd-check.c prints: every string is read. */
		if (strlen(result.expected) + strlen(result.measured) +
						strlen(result.message) ==
				SIZE_MAX) {
			abort();
		}
		cotrace_check_result_release(&result);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cotrace_check_error error;
	struct cotrace_check_expr *expr = NULL;
	char text[TEXT_MAX + 1], *caret;
	size_t caret_size;

	if (size > TEXT_MAX) {
		size = TEXT_MAX;
	}
	memcpy(text, data, size);
	text[size] = '\0';
	/* An expectation file's line: only what comes before a NUL is read. */
	if (cotrace_check_line_is_blank(text)) {
		return 0;
	}
	memset(&error, 0, sizeof(error));
	if (cotrace_check_parse(text, &expr, &error) != 0) {
		if (error.offset > strlen(text)) {
			fprintf(stderr,
					"error offset %zu past the text "
					"(%zu)\n",
					error.offset, strlen(text));
			abort();
		}
		(void)cotrace_check_column(text, error.offset);
		/* Sized as cmd-check.c sizes it, so an overflow shows. */
		caret_size = strlen(text) * 2 + 8;
		caret = malloc(caret_size);
		if (!caret) {
			abort();
		}
		cotrace_check_caret_line(text, &error, caret, caret_size);
		free(caret);
		if (strnlen(error.message, sizeof(error.message)) ==
				sizeof(error.message)) {
			abort(); /* not terminated */
		}
		return 0;
	}
	evaluate(&rich, expr);
	evaluate(&empty, expr);
	cotrace_check_expr_destroy(expr);
	return 0;
}
