/*
 * Evaluates `cotrace check` expectations (check-expr.h) over a finished
 * model and its metrics, and explains each result in words a student can
 * act on. Plain C, no babeltrace2: the unit tests fill models by hand.
 */
#ifndef COTRACE_CHECK_EVAL_H
#define COTRACE_CHECK_EVAL_H

#include <stdbool.h>

#include "check-expr.h"
#include "metrics.h"
#include "model.h"

/* What one expectation gave. Strings are owned. */
struct cotrace_check_result {
	bool holds;
	/* It held only because a collection it walks was empty (or had no
	 * element the field applies to): nothing was really checked. */
	bool vacuous;
	char *expected; /* ">= 1.6", "none", "at least one fork" */
	char *measured; /* "1.02", "-1 in fork #2 (pid 100 -> 103)" */
	char *message;	/* "holds", or one sentence on the failure */
};

/* Lookups over one model (orders, per-thread TLS verdicts), built once. */
struct cotrace_check_context;

/*
 * `model` (finished) and `metrics` are borrowed and must outlive the
 * context. Returns 0 or -ENOMEM.
 */
int cotrace_check_context_create(const struct cotrace_model *model,
		const struct cotrace_metrics *metrics,
		struct cotrace_check_context **ctx);
void cotrace_check_context_destroy(struct cotrace_check_context *ctx);

/* Fills `result` (release it after). Returns 0 or -ENOMEM. */
int cotrace_check_evaluate(struct cotrace_check_context *ctx,
		const struct cotrace_check_expr *expr,
		struct cotrace_check_result *result);
void cotrace_check_result_release(struct cotrace_check_result *result);

#endif /* COTRACE_CHECK_EVAL_H */
