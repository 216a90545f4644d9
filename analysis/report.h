/*
 * Report renderers over a finished model and its metrics, one file each
 * (report-text.c, report-json.c), chosen through an ops table.
 */
#ifndef COTRACE_REPORT_H
#define COTRACE_REPORT_H

#include <stdio.h>

#include "metrics.h"
#include "model.h"

struct cotrace_report_format {
	const char *name;        /* "text", "json" */
	/* Returns 0, or -errno when writing failed. */
	int (*render)(FILE *out, const struct cotrace_model *model,
			const struct cotrace_metrics *metrics);
};

extern const struct cotrace_report_format cotrace_report_text;
extern const struct cotrace_report_format cotrace_report_json;

/* The format called `name`, or NULL. */
const struct cotrace_report_format *cotrace_report_format_find(const char *name);

#endif /* COTRACE_REPORT_H */
