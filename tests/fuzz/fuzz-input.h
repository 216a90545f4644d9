/*
 * The fuzz targets' input: bytes read as a program of records, each an
 * event (struct cotrace_event) or a notice (lost events, a foreign event,
 * a damaged trace, a trace path), the way the sinks give them to the model.
 * Short, dense encodings, so that mutations reach every field:
 *
 *   record  = op (1 byte) ...
 *     op < 0xe0: an event of type op % FUZZ_EVENT_TYPES, then
 *                ts-delta:int  pid:int  tid:int  { field-id:1 value } 0x00
 *     op 0xe0:   lost events: count:int begin-delta:int end-delta:int
 *     op 0xe1:   a foreign event          op 0xe2: damaged: why:str
 *     op 0xe3:   a trace path: path:str   op 0xe4: the clock: ts:int (ns)
 *     op 0xe5:   the host of what follows: host:str
 *     op >= 0xe6: an event, as above
 *   int     = b < 0x80: b | b < 0xc0: -(b - 0x7f) | 0xf0: u16 | 0xf1: s32 |
 *             0xf2: s64 | 0xf3..0xf7: INT64_MIN, INT64_MAX, INT32_MIN,
 *             INT32_MAX, UINT64_MAX | others: b - 0xc0 + 1000
 *             (little-endian; a missing byte reads as 0)
 *   str     = 0: NULL | 1: "" | 2..0x3f: a word of a dictionary (names,
 *             long, invalid UTF-8, control characters) | 0x40..0xff: the
 *             next (b - 0x40) bytes, up to a NUL
 *
 * Times advance by ts-delta microseconds per event (wrapping within 2^50 ns
 * of 2023-11-14, see fuzz-input.c), and op 0xe4 sets them in ns. The fields,
 * by id (field-id % FUZZ_FIELDS, 0 ends the list): see fuzz-input.c; any
 * event can carry any field, as a crafted trace's metadata allows.
 *
 * tests/fuzz/trace-to-fuzz.py turns real recordings into this format (the
 * seed corpus).
 */
#ifndef COTRACE_FUZZ_INPUT_H
#define COTRACE_FUZZ_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* The event types the decoder can give: up to the last one of model.h. */
#define FUZZ_EVENT_TYPES (COTRACE_EVENT_LOG + 1)
#define FUZZ_ALIVE_MAX 16
#define FUZZ_STRINGS 16 /* strings one record can hold */
#define FUZZ_STRING_MAX 192

struct fuzz_input {
	const uint8_t *p;
	size_t n;
	int64_t ts_ns; /* the clock */
	char host[FUZZ_STRING_MAX + 1];
	bool has_host;
};

enum fuzz_record_kind {
	FUZZ_EVENT,
	FUZZ_LOST,
	FUZZ_FOREIGN,
	FUZZ_DAMAGED,
	FUZZ_PATH,
};

struct fuzz_record {
	enum fuzz_record_kind kind;
	struct cotrace_event event; /* FUZZ_EVENT: strings point into strs */
	uint64_t count;		    /* FUZZ_LOST */
	int64_t begin_ns, end_ns;
	const char *text; /* FUZZ_DAMAGED, FUZZ_PATH: never NULL */
	int64_t tids[FUZZ_ALIVE_MAX];
	char strs[FUZZ_STRINGS][FUZZ_STRING_MAX + 1];
	size_t n_strs;
};

/* The next record of `in` into `r`; false at the end of the input. */
bool fuzz_next_record(struct fuzz_input *in, struct fuzz_record *r);

#endif /* COTRACE_FUZZ_INPUT_H */
