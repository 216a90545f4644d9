/*
 * preload-static: a statically linked program (built by
 * test-preload-static.sh with cc -static), which LD_PRELOAD cannot reach.
 *
 *   preload-static [PROGRAM ARGS...]   prints a line, runs PROGRAM (a
 *                                      dynamic one is traced) and exits 4
 */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	pid_t pid;

	printf("static program pid %d\n", (int)getpid());
	fflush(stdout);
	if (argc > 1) {
		pid = fork();
		if (pid == 0) {
			execv(argv[1], argv + 1);
			_exit(127);
		}
		if (pid > 0) {
			waitpid(pid, NULL, 0);
		}
	}
	return 4;
}
