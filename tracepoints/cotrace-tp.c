/* Instantiates the `cotrace` tracepoint provider's probes in libcotrace. */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "cotrace-tp.h"
