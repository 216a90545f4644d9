/*
 * A program traced with LTTng-UST that is not a cotrace program: it emits
 * only lttng_ust_tracef events. make-damaged.sh records it with the lttng
 * CLI to make a trace that holds foreign events only.
 */
#include <stdio.h>
#include <stdlib.h>

#include <lttng/tracef.h>

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 100;

	for (int i = 0; i < n; i++) {
		lttng_ust_tracef("not a cotrace event: %d of %d", i + 1, n);
	}
	printf("emitted %d lttng_ust_tracef events\n", n);
	return 0;
}
