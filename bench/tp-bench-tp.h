/*
 * The raw LTTng-UST provider of bench/tp-bench.c: the same events as
 * cotrace's task_start and tls_write (tracepoints/cotrace-tp.h), field for
 * field, emitted straight from the benchmark, without libcotrace.
 */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER cotrace_bench

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "./tp-bench-tp.h"

#if !defined(TP_BENCH_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define TP_BENCH_TP_H

#include <lttng/tracepoint.h>
#include <stdint.h>

LTTNG_UST_TRACEPOINT_EVENT(cotrace_bench, task_start,
	LTTNG_UST_TP_ARGS(uint64_t, run_id, uint64_t, task_id,
		const char *, label, uint64_t, cpu_ns),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(uint64_t, run_id, run_id)
		lttng_ust_field_integer(uint64_t, task_id, task_id)
		lttng_ust_field_string(label, label)
		lttng_ust_field_integer(uint64_t, cpu_ns, cpu_ns)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(cotrace_bench, tls_write,
	LTTNG_UST_TP_ARGS(uint64_t, run_id, const char *, key,
		const char *, value, const void *, addr),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(uint64_t, run_id, run_id)
		lttng_ust_field_string(key, key)
		lttng_ust_field_string(value, value)
		lttng_ust_field_integer_hex(uintptr_t, addr, (uintptr_t)addr)
	)
)

#endif /* TP_BENCH_TP_H */

#include <lttng/tracepoint-event.h>
