/*
 * preload-cost: the time of the calls libcotrace-preload.so interposes, in
 * one process, so bench/preload-cost.sh can compare a run without the
 * preload, with it but no tracing session, and under `cotrace record`.
 *
 *   preload-cost MODE N   prints "MODE <ns per call>" (to 0.1 ns), the median
 * of 5 rounds of N calls
 *
 * MODE: create (pthread_create + pthread_join), fork (fork + waitpid of a
 * child that _exits at once), setspecific (pthread_setspecific), spawn
 * (posix_spawn of /bin/true + waitpid), close (close of a descriptor that
 * is not open), closerange (close_range over 16 descriptors not open),
 * fclose (fopen of /dev/null + fclose), setname (pthread_setname_np of the
 * calling thread), sigaction (reading SIGUSR1's disposition).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <pthread.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 5

extern char **environ;

static pthread_key_t key;

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *
nothing(void *arg)
{
	return arg;
}

static void
one_create(long i)
{
	pthread_t t;

	(void)i;
	if (pthread_create(&t, NULL, nothing, NULL) != 0 ||
			pthread_join(t, NULL) != 0) {
		perror("preload-cost: pthread");
		exit(1);
	}
}

static void
one_fork(long i)
{
	pid_t pid = fork();

	(void)i;
	if (pid < 0) {
		perror("preload-cost: fork");
		exit(1);
	}
	if (pid == 0) {
		_exit(0);
	}
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
	}
}

static void
one_setspecific(long i)
{
	pthread_setspecific(key, (void *)(intptr_t)(i + 1));
}

static void
one_spawn(long i)
{
	char *argv[] = {"true", NULL};
	pid_t pid;

	(void)i;
	if (posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ) != 0) {
		perror("preload-cost: posix_spawn");
		exit(1);
	}
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
	}
}

static void
one_close(long i)
{
	(void)i;
	close(1000000);
}

static void
one_closerange(long i)
{
	(void)i;
	close_range(1000000, 1000015, 0);
}

static void
one_fclose(long i)
{
	FILE *f = fopen("/dev/null", "r");

	(void)i;
	if (!f) {
		perror("preload-cost: fopen");
		exit(1);
	}
	fclose(f);
}

static void
one_setname(long i)
{
	pthread_setname_np(pthread_self(), i & 1 ? "cost-a" : "cost-b");
}

static void
one_sigaction(long i)
{
	struct sigaction old;

	(void)i;
	sigaction(SIGUSR1, NULL, &old);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(long);
	} modes[] = {
			{"create", one_create},
			{"fork", one_fork},
			{"setspecific", one_setspecific},
			{"spawn", one_spawn},
			{"close", one_close},
			{"closerange", one_closerange},
			{"fclose", one_fclose},
			{"setname", one_setname},
			{"sigaction", one_sigaction},
	};
	uint64_t per_call[ROUNDS];
	long n = argc > 2 ? atol(argv[2]) : 0;

	if (argc != 3 || n <= 0) {
		fprintf(stderr, "usage: preload-cost create|fork|setspecific|"
				"spawn|close|closerange|fclose|setname|"
				"sigaction N\n");
		return 2;
	}
	pthread_key_create(&key, NULL);
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		if (strcmp(argv[1], modes[m].name)) {
			continue;
		}
		modes[m].fn(0); /* warm up: first-call resolution */
		for (int r = 0; r < ROUNDS; r++) {
			uint64_t t0 = now_ns();

			for (long i = 0; i < n; i++) {
				modes[m].fn(i);
			}
			/* tenths of a nanosecond */
			per_call[r] = (now_ns() - t0) * 10 / (uint64_t)n;
		}
		qsort(per_call, ROUNDS, sizeof(per_call[0]), cmp_u64);
		printf("%s %llu.%llu\n", argv[1],
				(unsigned long long)per_call[ROUNDS / 2] / 10,
				(unsigned long long)per_call[ROUNDS / 2] % 10);
		return 0;
	}
	fprintf(stderr, "preload-cost: unknown mode '%s'\n", argv[1]);
	return 2;
}
