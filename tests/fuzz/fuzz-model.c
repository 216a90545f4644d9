/*
 * libFuzzer target: the model and everything that reads it. The input is
 * a program of records (fuzz-input.h decodes them) that becomes a sequence
 * of struct cotrace_event, lost-event notices, foreign events and damage
 * notes, given both to the model and to the streaming Chrome writer as
 * sink-report.c and sink-chrome.c give them (and to a bounded model with
 * tiny lists, as `cotrace report` uses). Then the model is finished,
 * its metrics computed, and every renderer writes it to /dev/null: the
 * text and JSON reports, the story, the terminal timeline, a comparison
 * with itself, and a few `cotrace check` expectations.
 *
 * Any field can take any value a crafted trace can give (the decoder reads
 * integers of any width into int64_t and strings of any bytes), so the
 * targets look for crashes, leaks, undefined behaviour and hangs, not for
 * plausible traces. Build and run: doc/hardening.md.
 */
#include <errno.h>
#include <locale.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "check-eval.h"
#include "check-expr.h"
#include "chrome-trace.h"
#include "compare.h"
#include "fuzz-input.h"
#include "metrics.h"
#include "model.h"
#include "report.h"
#include "story.h"
#include "timeline.h"

/* Expectations evaluated over every model: one per kind of node. */
static const char *const expectations[] = {
		"processes >= 1 and forks.child_ret == 0",
		"cpu_parallelism >= 1.5 or parallelism < 80%",
		"all(threads.tls_own_value) and no warning pid-reused",
		"count(tasks where tasks.duration > 1ms) >= 1",
		"overlap(process:#1, process:#2) >= 50%",
		"overlap_time(task:1, task:2) > 10ms",
		"any(processes.exit_status != 0)",
		"cpu(thread:worker-1) <= 2s",
		"no warnings",
};

static FILE *devnull;
/* FUZZ_MODEL_REPORT=1: the text report on stdout, to read what an input
   (a crash, a seed) makes of the model. */
static FILE *report_out;
static struct cotrace_check_expr
		*parsed[sizeof(expectations) / sizeof(expectations[0])];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* The renderers take the UTF-8 paths when the locale is UTF-8. */
	setlocale(LC_CTYPE, "C.UTF-8");
	devnull = fopen("/dev/null", "w");
	if (!devnull) {
		abort();
	}
	report_out = getenv("FUZZ_MODEL_REPORT") ? stdout : devnull;
	for (size_t i = 0; i < sizeof(expectations) / sizeof(expectations[0]);
			i++) {
		struct cotrace_check_error error;

		if (cotrace_check_parse(expectations[i], &parsed[i], &error)) {
			fprintf(stderr, "fuzz-model: cannot parse '%s': %s\n",
					expectations[i], error.message);
			abort();
		}
	}
	return 0;
}

static void
render_all(const struct cotrace_model *model,
		const struct cotrace_metrics *metrics)
{
	struct cotrace_timeline_options options = {
			.width = 100,
			.color = true,
			.title = "fuzz",
	};
	struct cotrace_compare_side side = {
			.path = "fuzz",
			.model = model,
			.metrics = metrics,
	};
	struct cotrace_check_context *ctx = NULL;
	struct cotrace_comparison comparison;

	cotrace_report_text.render(report_out, model, metrics);
	cotrace_report_json.render(devnull, model, metrics);
	cotrace_story_render(devnull, model, metrics);
	cotrace_timeline_render(&cotrace_timeline_term, devnull, model, metrics,
			&options);
	cotrace_compare(&side, &side, &comparison);
	cotrace_compare_text.render(devnull, &comparison);
	cotrace_compare_json.render(devnull, &comparison);
	if (cotrace_check_context_create(model, metrics, &ctx) == 0) {
		for (size_t i = 0; i < sizeof(parsed) / sizeof(parsed[0]);
				i++) {
			struct cotrace_check_result result = {0};

			if (cotrace_check_evaluate(ctx, parsed[i], &result) ==
					0) {
				cotrace_check_result_release(&result);
			}
		}
		cotrace_check_context_destroy(ctx);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Tiny lists, so the bounded model's streamed figures are used. */
	const struct cotrace_model_limits limits = {2, 1};
	struct fuzz_input in = {.p = data, .n = size};
	struct cotrace_model *model = cotrace_model_create();
	struct cotrace_model *bounded = cotrace_model_create();
	struct cotrace_chrome *chrome = cotrace_chrome_create(devnull);
	struct cotrace_metrics metrics;
	struct fuzz_record r;

	if (!model || !bounded || !chrome ||
			cotrace_model_set_limits(bounded, &limits)) {
		abort();
	}
	while (fuzz_next_record(&in, &r)) {
		switch (r.kind) {
		case FUZZ_EVENT:
			if (cotrace_model_add_event(model, &r.event) != 0 ||
					cotrace_model_add_event(
							bounded, &r.event) != 0) {
				goto end;
			}
			cotrace_chrome_add_event(chrome, &r.event);
			break;
		case FUZZ_LOST:
			cotrace_model_add_lost(
					model, r.count, r.begin_ns, r.end_ns);
			cotrace_model_add_lost(
					bounded, r.count, r.begin_ns, r.end_ns);
			cotrace_chrome_add_lost(
					chrome, r.count, r.begin_ns, r.end_ns);
			break;
		case FUZZ_FOREIGN:
			cotrace_model_count_foreign(model);
			cotrace_model_count_foreign(bounded);
			cotrace_chrome_count_foreign(chrome);
			break;
		case FUZZ_DAMAGED:
			cotrace_model_mark_damaged(model, r.text);
			cotrace_model_mark_damaged(bounded, r.text);
			cotrace_chrome_mark_damaged(chrome, r.text);
			break;
		case FUZZ_PATH:
			cotrace_model_add_path(model, r.text);
			cotrace_model_add_path(bounded, r.text);
			cotrace_chrome_add_path(chrome, r.text);
			break;
		}
	}
	cotrace_chrome_finish(chrome);
	if (cotrace_model_finish(model) == 0 &&
			cotrace_metrics_compute(model, &metrics) == 0) {
		render_all(model, &metrics);
		cotrace_metrics_release(&metrics);
	}
	/* What `cotrace report` renders: the reports of a bounded model. */
	if (cotrace_model_finish(bounded) == 0 &&
			cotrace_metrics_compute(bounded, &metrics) == 0) {
		cotrace_report_text.render(devnull, bounded, &metrics);
		cotrace_report_json.render(devnull, bounded, &metrics);
		cotrace_metrics_release(&metrics);
	}
end:
	cotrace_chrome_destroy(chrome);
	cotrace_model_destroy(model);
	cotrace_model_destroy(bounded);
	return 0;
}
