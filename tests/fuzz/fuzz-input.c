/*
 * Decodes the fuzz targets' input (the format is in fuzz-input.h).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz-input.h"

enum fuzz_field {
	F_END,
	F_PPID,
	F_FORK_RET,
	F_NAME,
	F_CPU_NS,
	F_STATUS,
	F_CHILD_PID,
	F_THREADS_ALIVE,
	F_ALIVE_TIDS,
	F_ALIVE_NAMES,
	F_TASK_ID,
	F_KEY,
	F_VALUE,
	F_ADDR,
	F_PATH,
	F_ERROR,
	F_SIGNAL,
	F_THREAD,
	F_RET,
	F_LOGGER,
	F_MSG,
	F_LOGLEVEL,
	F_PTHREAD_ID,
	F_PROCNAME,
	FUZZ_FIELDS,
};

#define LONG_NAME                                                              \
	"a-thread-name-much-longer-than-the-sixteen-bytes-of-comm-and-longer-" \
	"than-any-column-of-the-report-so-that-every-renderer-must-cut-or-"    \
	"wrap-it-somewhere-without-reading-or-writing-past-its-buffers-"       \
	"and-without-splitting-a-multibyte-character-\xc3\xa9\xc3\xa9\xc3\xa9"

/* Strings that have broken renderers elsewhere: long, odd bytes, escapes. */
static const char *const words[] = {
		"cotrace-demo",
		"worker-1",
		"worker-2",
		"helper-1(101),helper-2(102)",
		"cpu_task",
		"value",
		"counter",
		"/usr/bin/python3",
		"main",
		LONG_NAME,
		"\xff\xfe\xc3", /* invalid UTF-8, cut sequence */
		/* 2-, 3- and 4-byte UTF-8 */
		"caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80",
		"\x1b[31mred\x1b[0m", /* terminal escapes */
		"tab\there\nnew line\rreturn",
		"quote\"back\\slash</script>&amp;",
		"%s%n%x%%",
		"a,b,,c(",
		"(1)",
		",...",
		"\xe2\x80\xae\x65vil-rtl", /* right-to-left override */
		"x",
		"\x7f\x01\x02",
};

static uint8_t
u8(struct fuzz_input *in)
{
	uint8_t b;

	if (in->n == 0) {
		return 0;
	}
	b = *in->p++;
	in->n--;
	return b;
}

static uint64_t
le(struct fuzz_input *in, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes; i++) {
		v |= (uint64_t)u8(in) << (8 * i);
	}
	return v;
}

static int64_t
int_value(struct fuzz_input *in)
{
	uint8_t b = u8(in);

	if (b < 0x80) {
		return b;
	}
	if (b < 0xc0) {
		return -(int64_t)(b - 0x7f);
	}
	switch (b) {
	case 0xf0:
		return (int64_t)le(in, 2);
	case 0xf1:
		return (int32_t)(uint32_t)le(in, 4);
	case 0xf2:
		return (int64_t)le(in, 8);
	case 0xf3:
		return INT64_MIN;
	case 0xf4:
		return INT64_MAX;
	case 0xf5:
		return INT32_MIN;
	case 0xf6:
		return INT32_MAX;
	case 0xf7:
		return (int64_t)UINT64_MAX;
	default:
		return b - 0xc0 + 1000;
	}
}

static const char *
str_value(struct fuzz_input *in, struct fuzz_record *r)
{
	uint8_t b = u8(in);
	size_t len, i;
	char *s;

	if (b == 0) {
		return NULL;
	}
	if (b == 1) {
		return "";
	}
	if (b < 0x40) {
		return words[(b - 2) % (sizeof(words) / sizeof(words[0]))];
	}
	if (r->n_strs == FUZZ_STRINGS) {
		return "";
	}
	s = r->strs[r->n_strs++];
	len = b - 0x40;
	for (i = 0; i < len && in->n > 0; i++) {
		s[i] = (char)u8(in);
		if (s[i] == '\0') {
			break;
		}
	}
	s[i] = '\0';
	return s;
}

static void
read_field(struct fuzz_input *in, struct fuzz_record *r, enum fuzz_field f)
{
	struct cotrace_event *e = &r->event;
	size_t n;

	switch (f) {
	case F_END:
	case FUZZ_FIELDS:
		break;
	case F_PPID:
		e->ppid = int_value(in);
		break;
	case F_FORK_RET:
		e->fork_ret = int_value(in);
		break;
	case F_NAME:
		e->name = str_value(in, r);
		break;
	case F_CPU_NS:
		e->cpu_ns = (uint64_t)int_value(in) * 1000;
		break;
	case F_STATUS:
		e->status = int_value(in);
		break;
	case F_CHILD_PID:
		e->child_pid = int_value(in);
		break;
	case F_THREADS_ALIVE:
		e->threads_alive = int_value(in);
		break;
	case F_ALIVE_TIDS:
		n = u8(in) % (FUZZ_ALIVE_MAX + 1);
		for (size_t i = 0; i < n; i++) {
			r->tids[i] = int_value(in);
		}
		e->alive_tids = r->tids;
		e->n_alive_tids = n;
		break;
	case F_ALIVE_NAMES:
		e->alive_names = str_value(in, r);
		break;
	case F_TASK_ID:
		e->task_id = (uint64_t)int_value(in);
		break;
	case F_KEY:
		e->key = str_value(in, r);
		break;
	case F_VALUE:
		e->value = str_value(in, r);
		break;
	case F_ADDR:
		e->addr = (uint64_t)int_value(in);
		break;
	case F_PATH:
		e->path = str_value(in, r);
		break;
	case F_ERROR:
		e->error = int_value(in);
		break;
	case F_SIGNAL:
		e->signal = int_value(in);
		break;
	case F_THREAD:
		e->thread = (uint64_t)int_value(in);
		break;
	case F_RET:
		e->ret = int_value(in);
		break;
	case F_LOGGER:
		e->logger = str_value(in, r);
		break;
	case F_MSG:
		e->msg = str_value(in, r);
		break;
	case F_LOGLEVEL:
		e->loglevel = int_value(in);
		break;
	case F_PTHREAD_ID:
		e->pthread_id = (uint64_t)int_value(in);
		break;
	case F_PROCNAME:
		e->procname = str_value(in, r);
		break;
	}
}

/*
 * The times the fuzzer gives: within 2^50 ns (13 days) of FUZZ_T0, and
 * COTRACE_TS_NONE (an event without a clock). Times further apart (clocks
 * centuries apart: a crafted clock offset) overflow the 64-bit differences
 * of the renderers, a known limitation (doc/hardening.md); setting
 * FUZZ_WIDE_CLOCK in the environment lets the fuzzer go there.
 */
#define FUZZ_T0 UINT64_C(1700000000000000000)
#define FUZZ_CLOCK_BITS 50

static int64_t
clock_domain(int64_t ts)
{
	static int wide = -1;
	uint64_t half = UINT64_C(1) << FUZZ_CLOCK_BITS;
	uint64_t offset;

	if (wide < 0) {
		wide = getenv("FUZZ_WIDE_CLOCK") != NULL;
	}
	if (wide || ts == COTRACE_TS_NONE) {
		return ts;
	}
	offset = ((uint64_t)ts - FUZZ_T0 + half) & (2 * half - 1);
	return (int64_t)(FUZZ_T0 + offset - half);
}

/* Wrapping addition (in the clock's domain): the fuzzer may not overflow. */
static int64_t
add_us(int64_t ts, int64_t delta_us)
{
	return clock_domain(
			(int64_t)((uint64_t)ts + (uint64_t)delta_us * 1000u));
}

bool
fuzz_next_record(struct fuzz_input *in, struct fuzz_record *r)
{
	uint8_t op;

	for (;;) {
		if (in->n == 0) {
			return false;
		}
		memset(r, 0, offsetof(struct fuzz_record, tids));
		r->n_strs = 0;
		op = u8(in);
		switch (op) {
		case 0xe0:
			r->kind = FUZZ_LOST;
			r->count = (uint64_t)int_value(in);
			r->begin_ns = add_us(in->ts_ns, int_value(in));
			r->end_ns = add_us(in->ts_ns, int_value(in));
			return true;
		case 0xe1:
			r->kind = FUZZ_FOREIGN;
			return true;
		case 0xe2:
		case 0xe3: {
			const char *s = str_value(in, r);

			r->kind = op == 0xe2 ? FUZZ_DAMAGED : FUZZ_PATH;
			r->text = s ? s : "";
			return true;
		}
		case 0xe4:
			in->ts_ns = clock_domain(int_value(in));
			continue;
		case 0xe5: {
			const char *s = str_value(in, r);

			in->has_host = s != NULL;
			if (s) {
				strncpy(in->host, s, FUZZ_STRING_MAX);
				in->host[FUZZ_STRING_MAX] = '\0';
			}
			continue;
		}
		default:
			break;
		}
		r->kind = FUZZ_EVENT;
		r->event = (struct cotrace_event){
				.type = (enum cotrace_event_type)(
						op % FUZZ_EVENT_TYPES),
				.ppid = -1,
				.fork_ret = -1,
				.cpu_ns = COTRACE_CPU_NONE,
				.status = -1,
				.child_pid = -1,
				.threads_alive = -1,
				.ret = -1,
				.host = in->has_host ? in->host : NULL,
		};
		in->ts_ns = add_us(in->ts_ns, int_value(in));
		r->event.ts_ns = in->ts_ns;
		r->event.pid = int_value(in);
		r->event.tid = int_value(in);
		for (;;) {
			uint8_t f = u8(in) % FUZZ_FIELDS;

			if (f == F_END) {
				break;
			}
			read_field(in, r, (enum fuzz_field)f);
		}
		return true;
	}
}
