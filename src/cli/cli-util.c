/* Messages, stdout checks and executable lookup shared by the subcommands. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"

static void
vmessage(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "cotrace: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("error: ", fmt, ap);
	va_end(ap);
}

void
cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("warning: ", fmt, ap);
	va_end(ap);
}

void
cli_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("", fmt, ap);
	va_end(ap);
}

void
cli_option_error(const char *command, int opt, char **argv)
{
	if (opt == ':') {
		cli_error("option '%s' needs a value; see 'cotrace %s --help'",
				argv[optind - 1], command);
	} else if (optopt) {
		cli_error("unknown option '-%c'; see 'cotrace %s --help'",
				optopt, command);
	} else {
		cli_error("unknown option '%s'; see 'cotrace %s --help'",
				argv[optind - 1], command);
	}
}

int
cli_close_stdout(void)
{
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		/* ferror() alone leaves no errno behind. */
		cli_error("cannot write to standard output: %s",
				errno ? strerror(errno) : "write error");
		return -1;
	}
	return 0;
}

int
cli_exit_code_of(int wait_status)
{
	if (WIFEXITED(wait_status)) {
		return WEXITSTATUS(wait_status);
	}
	if (WIFSIGNALED(wait_status)) {
		return 128 + WTERMSIG(wait_status);
	}
	return CLI_EXIT_FAILURE;
}

char *
cli_find_sibling(const char *name)
{
	char self[PATH_MAX];
	char *path = NULL;
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (len > 0) {
		char *slash;

		self[len] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			/* The build tree keeps the CLI and the demo apart. */
			const char *const dirs[] = { "", "/../demo" };

			for (size_t i = 0; i < 2; i++) {
				if (asprintf(&path, "%s%s/%s", self, dirs[i],
						name) < 0) {
					return NULL;
				}
				if (access(path, X_OK) == 0) {
					return path;
				}
				free(path);
				path = NULL;
			}
		}
	}
	if (asprintf(&path, "%s/%s", COTRACE_BINDIR, name) < 0) {
		return NULL;
	}
	if (access(path, X_OK) == 0) {
		return path;
	}
	free(path);
	return strdup(name);
}
