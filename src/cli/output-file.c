/*
 * Where a command writes its result: standard output, or the file of -o,
 * which is removed again when nothing was written to it and it did not
 * exist before (the rule of cotrace-report(1)).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

int
cli_parse_port(const char *option, const char *arg, unsigned int *port)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end || errno || v == 0 ||
			v > 65535) {
		cli_error("%s '%s': not a port (1 to 65535)", option, arg);
		return -1;
	}
	*port = (unsigned int)v;
	return 0;
}

int
cli_make_dirs(const char *dir, const char *shown, bool *made_last)
{
	char *path = strdup(dir);
	int status = -1;

	if (made_last) {
		*made_last = false;
	}
	if (!path) {
		cli_error("out of memory");
		return -1;
	}
	for (char *p = path + 1;; p++) {
		bool last = *p == '\0';

		if (*p != '/' && !last) {
			continue;
		}
		*p = '\0';
		if (mkdir(path, 0777) == 0) {
			if (made_last) {
				*made_last = last;
			}
		} else if (errno != EEXIST) {
			cli_error("cannot create the output folder '%s': %s",
					shown, strerror(errno));
			goto end;
		}
		if (last) {
			break;
		}
		*p = '/';
		while (p[1] == '/') {
			p++;
		}
	}
	status = 0;
end:
	free(path);
	return status;
}
