/*
 * Where a command writes its result: standard output, or the file of -o,
 * which is removed again when nothing was written to it and it did not
 * exist before (the rule of cotrace-report(1)).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int
cli_output_open(struct cli_output *o, const char *path)
{
	o->path = path;
	o->existed = false;
	o->file = stdout;
	if (!path) {
		return 0;
	}
	o->existed = access(path, F_OK) == 0;
	o->file = fopen(path, "w");
	if (!o->file) {
		cli_error("cannot open '%s' for writing: %s", path,
				strerror(errno));
		return -1;
	}
	return 0;
}

int
cli_output_close(struct cli_output *o, int rc)
{
	bool wrote = rc == CLI_EXIT_OK || rc == CLI_EXIT_DAMAGED;

	if (!o->path) {
		/* A failed write was already reported, once. */
		if (wrote && cli_close_stdout()) {
			rc = CLI_EXIT_FAILURE;
		}
		return rc;
	}
	errno = 0;
	if (fclose(o->file) != 0 && wrote) {
		cli_error("cannot write '%s': %s", o->path,
				errno ? strerror(errno) : "write error");
		rc = CLI_EXIT_FAILURE;
	}
	o->file = NULL;
	if (!o->existed && rc != CLI_EXIT_OK && rc != CLI_EXIT_DAMAGED) {
		unlink(o->path);
	}
	return rc;
}
