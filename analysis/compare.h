/*
 * Two runs side by side (`cotrace compare`): their figures, the speedup of
 * B over A (span_A / span_B) and one sentence of verdict that says which
 * finished first and why, from the kinds of concurrency the report's
 * verdicts find in each. Renderers as an ops table, one file each
 * (compare-text.c, compare-json.c).
 */
#ifndef COTRACE_COMPARE_H
#define COTRACE_COMPARE_H

#include <stdio.h>

#include "metrics.h"
#include "model.h"
#include "report-common.h"

/* Within this ratio either way, the runs took about as long. */
#define COTRACE_COMPARE_SAME 1.05

struct cotrace_compare_side {
	const char *path;                       /* borrowed: as given */
	const struct cotrace_model *model;      /* borrowed, finished */
	const struct cotrace_metrics *metrics;  /* borrowed */
};

enum cotrace_compare_kind {
	COTRACE_COMPARE_UNKNOWN,  /* a run has no span: nothing to compare */
	COTRACE_COMPARE_B_FASTER,
	COTRACE_COMPARE_A_FASTER,
	COTRACE_COMPARE_ABOUT_SAME,
};

struct cotrace_comparison {
	struct cotrace_compare_side a, b;
	struct cotrace_verdict verdict_a, verdict_b; /* the report's */
	double speedup;           /* span_A / span_B, 0 when unknown */
	enum cotrace_compare_kind kind;
	const char *kind_name;    /* kebab-case, static */
	char text[1024];          /* the verdict: one sentence */
};

/* Compares two finished runs. */
void cotrace_compare(const struct cotrace_compare_side *a,
		const struct cotrace_compare_side *b,
		struct cotrace_comparison *c);

struct cotrace_compare_format {
	const char *name;         /* "text", "json" */
	/* Returns 0, or -errno when writing failed. */
	int (*render)(FILE *out, const struct cotrace_comparison *c);
};

extern const struct cotrace_compare_format cotrace_compare_text;
extern const struct cotrace_compare_format cotrace_compare_json;

/* The format called `name`, or NULL. */
const struct cotrace_compare_format *cotrace_compare_format_find(
		const char *name);

#endif /* COTRACE_COMPARE_H */
