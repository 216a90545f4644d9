/*
 * Decoding cotrace:* events from babeltrace2 messages, shared by the sink
 * component classes, and their common plumbing.
 *
 * Decoding is on the hot path of every trace read, so names are resolved
 * once per event class (and once per stream class for the common context)
 * and events are then read by member index. The decoder holds a reference
 * on every class it caches, so a cached address cannot be freed and reused
 * by another class while the graph runs.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hosts.h"
#include "sink-common.h"

#define NO_INDEX UINT64_MAX
/* Longer alive_tids sequences are cut: a report never lists more. */
#define ALIVE_TIDS_MAX 4096

enum payload_field {
	P_PPID,
	P_FORK_RET,
	P_EXE,
	P_CPU_NS,
	P_STATUS,
	P_CHILD_PID,
	P_CHILD_VPID,
	P_THREADS_ALIVE,
	P_ALIVE_TIDS,
	P_ALIVE_NAMES,
	P_NAME,
	P_TASK_ID,
	P_LABEL,
	P_KEY,
	P_VALUE,
	P_ADDR,
	P_PATH,
	P_ERROR,
	P_SIGNAL,
	P_THREAD,
	P_RET,
	P_LOGGER,
	P_MSG,
	P_LOGLEVEL,
	P_THREAD_NAME,
	P_COUNT,
};

static const char *const payload_names[P_COUNT] = {
		[P_PPID] = "ppid",
		[P_FORK_RET] = "fork_ret",
		[P_EXE] = "exe",
		[P_CPU_NS] = "cpu_ns",
		[P_STATUS] = "status",
		[P_CHILD_PID] = "child_pid",
		[P_CHILD_VPID] = "child_vpid",
		[P_THREADS_ALIVE] = "threads_alive",
		[P_ALIVE_TIDS] = "alive_tids",
		[P_ALIVE_NAMES] = "alive_names",
		[P_NAME] = "name",
		[P_TASK_ID] = "task_id",
		[P_LABEL] = "label",
		[P_KEY] = "key",
		[P_VALUE] = "value",
		[P_ADDR] = "addr",
		[P_PATH] = "path",
		[P_ERROR] = "error",
		[P_SIGNAL] = "signal",
		[P_THREAD] = "thread",
		[P_RET] = "ret",
		/* lttng_python:event */
		[P_LOGGER] = "logger_name",
		[P_MSG] = "msg",
		[P_LOGLEVEL] = "int_loglevel",
		[P_THREAD_NAME] = "threadName",
};

enum context_field {
	C_VPID,
	C_VTID,
	C_PROCNAME,
	C_PTHREAD_ID,
	C_COUNT,
};

static const char *const context_names[C_COUNT] = {
		[C_VPID] = "vpid",
		[C_VTID] = "vtid",
		[C_PROCNAME] = "procname",
		[C_PTHREAD_ID] = "pthread_id",
};

static const struct {
	const char *name;
	enum cotrace_event_type type;
} event_types[] = {
		{"cotrace:proc_start", COTRACE_EVENT_PROC_START},
		{"cotrace:proc_exit", COTRACE_EVENT_PROC_EXIT},
		{"cotrace:fork", COTRACE_EVENT_FORK},
		{"cotrace:thread_start", COTRACE_EVENT_THREAD_START},
		{"cotrace:thread_exit", COTRACE_EVENT_THREAD_EXIT},
		{"cotrace:task_start", COTRACE_EVENT_TASK_START},
		{"cotrace:task_finish", COTRACE_EVENT_TASK_FINISH},
		{"cotrace:tls_write", COTRACE_EVENT_TLS_WRITE},
		{"cotrace:tls_read", COTRACE_EVENT_TLS_READ},
		{"cotrace:exec", COTRACE_EVENT_EXEC},
		{"cotrace:exec_failed", COTRACE_EVENT_EXEC_FAILED},
		{"cotrace:vfork", COTRACE_EVENT_VFORK},
		{"cotrace:spawn", COTRACE_EVENT_SPAWN},
		{"cotrace:thread_name", COTRACE_EVENT_THREAD_NAME},
		{"cotrace:fatal_signal", COTRACE_EVENT_FATAL_SIGNAL},
		/* The LTTng-UST Python agent's logging records. */
		{"lttng_python:event", COTRACE_EVENT_LOG},
};

/* How a member is read, from its field class, resolved once per class. */
enum field_kind {
	K_OTHER,    /* a type the field's reader does not take */
	K_SIGNED,
	K_UNSIGNED,
	K_STRING,
	K_ARRAY,
};

/* A member present in a class: which field, where, and how to read it. */
struct field_ref {
	uint8_t field; /* enum payload_field or enum context_field */
	uint8_t kind;  /* enum field_kind */
	uint64_t index;
};

struct stream_class_info {
	const bt_stream_class *cls; /* owned reference */
	bool has_clock;
	/* The common context members present, in enum context_field order. */
	struct field_ref context[C_COUNT];
	size_t n_context;
};

struct event_class_info {
	const bt_event_class *cls; /* owned reference */
	bool is_cotrace;
	enum cotrace_event_type type;
	const struct stream_class_info *stream_class; /* borrowed */
	/* The payload members present, in the order they are read. */
	struct field_ref payload[P_COUNT];
	size_t n_payload;
};

/*
 * The order payload members are read in: the name comes from exe, name,
 * label or threadName, whichever is last present.
 */
static const enum payload_field read_order[P_COUNT] = {
		P_PPID, P_FORK_RET, P_CPU_NS, P_STATUS, P_CHILD_PID,
		P_CHILD_VPID, P_THREADS_ALIVE, P_ALIVE_NAMES, P_TASK_ID, P_KEY, P_VALUE,
		P_ADDR, P_EXE, P_NAME, P_LABEL, P_PATH, P_ERROR, P_SIGNAL,
		P_THREAD, P_RET, P_LOGGER, P_MSG, P_LOGLEVEL, P_THREAD_NAME,
		P_ALIVE_TIDS,
};

struct trace_info {
	const bt_trace *trace; /* owned reference */
	const char *host;      /* borrowed from the trace, may be NULL */
	/* Its cotrace events' times, for the clocks check (hosts.h). */
	int64_t first_ns, last_ns; /* COTRACE_TS_NONE when none */
};

struct cotrace_decoder {
	/* Open addressing, keyed by event class address. */
	struct event_class_info **classes; /* owned, and so are the entries */
	size_t cap_classes, n_classes;
	struct event_class_info *last_class; /* borrowed: the last one used */

	struct stream_class_info **stream_classes; /* owned */
	size_t n_stream_classes, cap_stream_classes;

	struct trace_info *traces; /* owned */
	size_t n_traces, cap_traces;
	size_t last_trace;

	int64_t *tids; /* owned scratch for alive_tids */
	size_t cap_tids;
};

static int
grow_array(void *ptr, size_t *cap, size_t n, size_t size)
{
	void **p = ptr;
	size_t new_cap;
	void *q;

	if (n < *cap) {
		return 0;
	}
	new_cap = *cap ? *cap * 2 : 8;
	q = realloc(*p, new_cap * size);
	if (!q) {
		return -ENOMEM;
	}
	*p = q;
	*cap = new_cap;
	return 0;
}

static size_t
hash_ptr(const void *p)
{
	uint64_t x = (uint64_t)(uintptr_t)p;

	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	return (size_t)x;
}

static uint64_t
member_index(const bt_field_class *structure, const char *name)
{
	uint64_t n;

	if (!structure || bt_field_class_get_type(structure) !=
					  BT_FIELD_CLASS_TYPE_STRUCTURE) {
		return NO_INDEX;
	}
	n = bt_field_class_structure_get_member_count(structure);
	for (uint64_t i = 0; i < n; i++) {
		const bt_field_class_structure_member *m =
				bt_field_class_structure_borrow_member_by_index_const(
						structure, i);
		const char *mname = bt_field_class_structure_member_get_name(m);

		/* CTF 1.8 writers may keep LTTng's leading underscore. */
		if (!strcmp(mname, name) ||
				(mname[0] == '_' && !strcmp(mname + 1, name))) {
			return i;
		}
	}
	return NO_INDEX;
}

static enum field_kind
kind_of(const bt_field_class *structure, uint64_t index)
{
	bt_field_class_type t = bt_field_class_get_type(
			bt_field_class_structure_member_borrow_field_class_const(
					bt_field_class_structure_borrow_member_by_index_const(
							structure, index)));

	if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_SIGNED_INTEGER)) {
		return K_SIGNED;
	}
	if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER)) {
		return K_UNSIGNED;
	}
	if (t == BT_FIELD_CLASS_TYPE_STRING) {
		return K_STRING;
	}
	if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_ARRAY)) {
		return K_ARRAY;
	}
	return K_OTHER;
}

/* Appends the member `name` of `structure` to refs, when present. */
static void
add_ref(struct field_ref *refs, size_t *n, const bt_field_class *structure,
		const char *name, unsigned field)
{
	uint64_t index = member_index(structure, name);

	if (index == NO_INDEX) {
		return;
	}
	refs[*n].field = (uint8_t)field;
	refs[*n].kind = (uint8_t)kind_of(structure, index);
	refs[*n].index = index;
	(*n)++;
}

static const struct stream_class_info *
stream_class_info(struct cotrace_decoder *s, const bt_stream_class *sc)
{
	struct stream_class_info *info;

	for (size_t i = 0; i < s->n_stream_classes; i++) {
		if (s->stream_classes[i]->cls == sc) {
			return s->stream_classes[i];
		}
	}
	if (grow_array(&s->stream_classes, &s->cap_stream_classes,
			    s->n_stream_classes, sizeof(*s->stream_classes))) {
		return NULL;
	}
	info = calloc(1, sizeof(*info));
	if (!info) {
		return NULL;
	}
	info->cls = sc;
	bt_stream_class_get_ref(sc);
	info->has_clock = bt_stream_class_borrow_default_clock_class_const(sc);
	for (int c = 0; c < C_COUNT; c++) {
		add_ref(info->context, &info->n_context,
				bt_stream_class_borrow_event_common_context_field_class_const(
						sc),
				context_names[c], (unsigned)c);
	}
	s->stream_classes[s->n_stream_classes++] = info;
	return info;
}

static int
classes_insert(struct cotrace_decoder *s, struct event_class_info *info)
{
	size_t mask, i;

	/* Kept at most half full so that probes stay short. */
	if ((s->n_classes + 1) * 2 > s->cap_classes) {
		size_t new_cap = s->cap_classes ? s->cap_classes * 2 : 64;
		struct event_class_info **slots =
				calloc(new_cap, sizeof(*slots));

		if (!slots) {
			return -ENOMEM;
		}
		for (size_t k = 0; k < s->cap_classes; k++) {
			struct event_class_info *e = s->classes[k];

			if (!e) {
				continue;
			}
			i = hash_ptr(e->cls) & (new_cap - 1);
			while (slots[i]) {
				i = (i + 1) & (new_cap - 1);
			}
			slots[i] = e;
		}
		free(s->classes);
		s->classes = slots;
		s->cap_classes = new_cap;
	}
	mask = s->cap_classes - 1;
	i = hash_ptr(info->cls) & mask;
	while (s->classes[i]) {
		i = (i + 1) & mask;
	}
	s->classes[i] = info;
	s->n_classes++;
	return 0;
}

static struct event_class_info *
event_class_info(struct cotrace_decoder *s, const bt_event_class *ec)
{
	struct event_class_info *info;
	const char *name;

	if (s->cap_classes) {
		size_t mask = s->cap_classes - 1;

		for (size_t i = hash_ptr(ec) & mask; s->classes[i];
				i = (i + 1) & mask) {
			if (s->classes[i]->cls == ec) {
				return s->classes[i];
			}
		}
	}

	info = calloc(1, sizeof(*info));
	if (!info) {
		return NULL;
	}
	info->cls = ec;
	bt_event_class_get_ref(ec);
	name = bt_event_class_get_name(ec);
	for (size_t i = 0; name &&
			   i < sizeof(event_types) / sizeof(event_types[0]);
			i++) {
		if (!strcmp(name, event_types[i].name)) {
			info->is_cotrace = true;
			info->type = event_types[i].type;
			break;
		}
	}
	if (info->is_cotrace) {
		const bt_field_class *payload =
				bt_event_class_borrow_payload_field_class_const(
						ec);

		for (int p = 0; p < P_COUNT; p++) {
			add_ref(info->payload, &info->n_payload, payload,
					payload_names[read_order[p]],
					(unsigned)read_order[p]);
		}
		info->stream_class = stream_class_info(s,
				bt_event_class_borrow_stream_class_const(ec));
		if (!info->stream_class) {
			goto error;
		}
	}
	if (classes_insert(s, info)) {
		goto error;
	}
	return info;

error:
	bt_event_class_put_ref(info->cls);
	free(info);
	return NULL;
}

/* The hostname of the event's trace, from its environment. */
static int
trace_host(struct cotrace_decoder *s, const bt_event *event, const char **host)
{
	const bt_trace *trace = bt_stream_borrow_trace_const(
			bt_event_borrow_stream_const(event));
	const bt_value *v;
	struct trace_info *t;

	if (s->last_trace < s->n_traces &&
			s->traces[s->last_trace].trace == trace) {
		*host = s->traces[s->last_trace].host;
		return 0;
	}
	for (size_t i = 0; i < s->n_traces; i++) {
		if (s->traces[i].trace == trace) {
			s->last_trace = i;
			*host = s->traces[i].host;
			return 0;
		}
	}
	if (grow_array(&s->traces, &s->cap_traces, s->n_traces,
			    sizeof(*s->traces))) {
		return -ENOMEM;
	}
	t = &s->traces[s->n_traces];
	t->trace = trace;
	bt_trace_get_ref(trace);
	v = bt_trace_borrow_environment_entry_value_by_name_const(
			trace, "hostname");
	t->host = v && bt_value_is_string(v) ? bt_value_string_get(v) : NULL;
	t->first_ns = COTRACE_TS_NONE;
	t->last_ns = COTRACE_TS_NONE;
	s->last_trace = s->n_traces++;
	*host = t->host;
	return 0;
}

/* An integer member read as its class says, as 64 bits. */
static inline uint64_t
ref_uint(const bt_field *f, uint8_t kind)
{
	return kind == K_SIGNED ? (uint64_t)bt_field_integer_signed_get_value(f)
				: bt_field_integer_unsigned_get_value(f);
}

/* Where a string member goes, or NULL for another member. */
static const char **
string_dest(struct cotrace_event *e, unsigned field)
{
	switch (field) {
	case P_ALIVE_NAMES:
		return &e->alive_names;
	case P_KEY:
		return &e->key;
	case P_VALUE:
		return &e->value;
	/* One name field: the exe, the thread's name or the task's label. */
	case P_EXE:
	case P_NAME:
	case P_LABEL:
	case P_THREAD_NAME:
		return &e->name;
	case P_PATH:
		return &e->path;
	case P_LOGGER:
		return &e->logger;
	case P_MSG:
		return &e->msg;
	default:
		return NULL;
	}
}

/* Where an integer member goes (an int64_t or a uint64_t), or NULL. */
static void *
number_dest(struct cotrace_event *e, unsigned field)
{
	switch (field) {
	case P_PPID:
		return &e->ppid;
	case P_FORK_RET:
		return &e->fork_ret;
	case P_CPU_NS:
		return &e->cpu_ns;
	case P_STATUS:
		return &e->status;
	case P_CHILD_PID:
		return &e->child_pid;
	case P_CHILD_VPID:
		return &e->child_vpid;
	case P_THREADS_ALIVE:
		return &e->threads_alive;
	case P_TASK_ID:
		return &e->task_id;
	case P_ADDR:
		return &e->addr;
	case P_ERROR:
		return &e->error;
	case P_SIGNAL:
		return &e->signal;
	case P_THREAD:
		return &e->thread;
	case P_RET:
		return &e->ret;
	case P_LOGLEVEL:
		return &e->loglevel;
	default:
		return NULL;
	}
}

static int
read_tids(struct cotrace_decoder *s, const bt_field *f, uint8_t kind,
		struct cotrace_event *e)
{
	uint64_t n;

	if (kind != K_ARRAY) {
		return 0;
	}
	n = bt_field_array_get_length(f);
	if (n > ALIVE_TIDS_MAX) {
		n = ALIVE_TIDS_MAX;
	}
	while (s->cap_tids < n) {
		if (grow_array(&s->tids, &s->cap_tids, s->cap_tids,
				    sizeof(*s->tids))) {
			return -ENOMEM;
		}
	}
	for (uint64_t i = 0; i < n; i++) {
		const bt_field *el =
				bt_field_array_borrow_element_field_by_index_const(
						f, i);
		bt_field_class_type t = bt_field_get_class_type(el);

		s->tids[i] = -1;
		if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_SIGNED_INTEGER)) {
			s->tids[i] = bt_field_integer_signed_get_value(el);
		} else if (bt_field_class_type_is(t,
					   BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER)) {
			s->tids[i] = (int64_t)bt_field_integer_unsigned_get_value(
					el);
		}
	}
	e->alive_tids = s->tids;
	e->n_alive_tids = n;
	return 0;
}

static int
decode_event(struct cotrace_decoder *s, const bt_message *msg,
		struct cotrace_event *out)
{
	const bt_event *event = bt_message_event_borrow_event_const(msg);
	const bt_event_class *ec = bt_event_borrow_class_const(event);
	struct event_class_info *info = s->last_class;
	const struct stream_class_info *sc;
	const bt_field *ctx, *payload;
	struct cotrace_event *e = out;

	*e = (struct cotrace_event){
			.ts_ns = COTRACE_TS_NONE,
			.pid = -1,
			.tid = -1,
			.ppid = -1,
			.fork_ret = -1,
			.cpu_ns = COTRACE_CPU_NONE,
			.status = -1,
			.child_pid = -1,
			.threads_alive = -1,
			.ret = -1,
	};
	int status;

	if (!info || info->cls != ec) {
		info = event_class_info(s, ec);
		if (!info) {
			return -ENOMEM;
		}
		s->last_class = info;
	}
	if (!info->is_cotrace) {
		return COTRACE_DECODED_FOREIGN;
	}
	sc = info->stream_class;
	e->type = info->type;

	if (sc->has_clock) {
		int64_t ns;

		if (bt_clock_snapshot_get_ns_from_origin(
				    bt_message_event_borrow_default_clock_snapshot_const(
						    msg),
				    &ns) ==
				BT_CLOCK_SNAPSHOT_GET_NS_FROM_ORIGIN_STATUS_OK) {
			e->ts_ns = ns;
		}
	}

	ctx = bt_event_borrow_common_context_field_const(event);
	for (size_t i = 0; ctx && i < sc->n_context; i++) {
		const struct field_ref *r = &sc->context[i];
		const bt_field *f =
				bt_field_structure_borrow_member_field_by_index_const(
						ctx, r->index);

		if (r->field == C_PROCNAME) {
			e->procname = r->kind == K_STRING
					     ? bt_field_string_get_value(f)
					     : NULL;
		} else if (r->kind == K_SIGNED || r->kind == K_UNSIGNED) {
			uint64_t u = ref_uint(f, r->kind);

			if (r->field == C_VPID) {
				e->pid = (int64_t)u;
			} else if (r->field == C_VTID) {
				e->tid = (int64_t)u;
			} else {
				e->pthread_id = u;
			}
		}
	}
	status = trace_host(s, event, &e->host);
	if (status) {
		return status;
	}
	if (e->ts_ns != COTRACE_TS_NONE) {
		struct trace_info *t = &s->traces[s->last_trace];

		if (t->first_ns == COTRACE_TS_NONE || e->ts_ns < t->first_ns) {
			t->first_ns = e->ts_ns;
		}
		if (t->last_ns == COTRACE_TS_NONE || e->ts_ns > t->last_ns) {
			t->last_ns = e->ts_ns;
		}
	}

	payload = bt_event_borrow_payload_field_const(event);
	for (size_t i = 0; payload && i < info->n_payload; i++) {
		const struct field_ref *r = &info->payload[i];
		const bt_field *f =
				bt_field_structure_borrow_member_field_by_index_const(
						payload, r->index);
		const char **str = string_dest(e, r->field);
		void *num;

		if (str) {
			*str = r->kind == K_STRING ? bt_field_string_get_value(f)
						   : NULL;
			continue;
		}
		if (r->field == P_ALIVE_TIDS) {
			status = read_tids(s, f, r->kind, e);
			if (status) {
				return status;
			}
			continue;
		}
		num = number_dest(e, r->field);
		if (num && (r->kind == K_SIGNED || r->kind == K_UNSIGNED)) {
			/* int64_t and uint64_t share their representation. */
			uint64_t u = ref_uint(f, r->kind);

			memcpy(num, &u, sizeof(u));
		}
	}
	return COTRACE_DECODED_EVENT;
}

static int64_t
snapshot_ns(const bt_clock_snapshot *cs)
{
	int64_t ns;

	if (!cs || bt_clock_snapshot_get_ns_from_origin(cs, &ns) !=
					BT_CLOCK_SNAPSHOT_GET_NS_FROM_ORIGIN_STATUS_OK) {
		return COTRACE_TS_NONE;
	}
	return ns;
}

static int
decode_discarded(const bt_message *msg, struct cotrace_decoded_lost *lost)
{
	int64_t begin = COTRACE_TS_NONE, end = COTRACE_TS_NONE;
	uint64_t count = 0;
	const bt_stream_class *sc;

	if (bt_message_get_type(msg) == BT_MESSAGE_TYPE_DISCARDED_EVENTS) {
		sc = bt_stream_borrow_class_const(
				bt_message_discarded_events_borrow_stream_const(
						msg));
		/*
		 * A count past 2^63 is a per-stream counter that went
		 * backwards (seen: 2^64 - 4290), not a real number of events:
		 * the loss is real, its size unknown.
		 */
		if (bt_message_discarded_events_get_count(msg, &count) !=
				BT_PROPERTY_AVAILABILITY_AVAILABLE ||
				count > (uint64_t)INT64_MAX) {
			count = 0;
		}
		if (bt_stream_class_discarded_events_have_default_clock_snapshots(
				    sc)) {
			begin = snapshot_ns(
					bt_message_discarded_events_borrow_beginning_default_clock_snapshot_const(
							msg));
			end = snapshot_ns(
					bt_message_discarded_events_borrow_end_default_clock_snapshot_const(
							msg));
		}
	} else {
		/* A lost packet held an unknown number of events. */
		sc = bt_stream_borrow_class_const(
				bt_message_discarded_packets_borrow_stream_const(
						msg));
		if (bt_stream_class_discarded_packets_have_default_clock_snapshots(
				    sc)) {
			begin = snapshot_ns(
					bt_message_discarded_packets_borrow_beginning_default_clock_snapshot_const(
							msg));
			end = snapshot_ns(
					bt_message_discarded_packets_borrow_end_default_clock_snapshot_const(
							msg));
		}
	}
	lost->count = count;
	lost->begin_ns = begin;
	lost->end_ns = end;
	return COTRACE_DECODED_LOST;
}

struct cotrace_decoder *
cotrace_decoder_create(void)
{
	return calloc(1, sizeof(struct cotrace_decoder));
}

void
cotrace_decoder_destroy(struct cotrace_decoder *s)
{
	if (!s) {
		return;
	}
	for (size_t i = 0; i < s->cap_classes; i++) {
		if (s->classes[i]) {
			bt_event_class_put_ref(s->classes[i]->cls);
			free(s->classes[i]);
		}
	}
	free(s->classes);
	for (size_t i = 0; i < s->n_stream_classes; i++) {
		bt_stream_class_put_ref(s->stream_classes[i]->cls);
		free(s->stream_classes[i]);
	}
	free(s->stream_classes);
	for (size_t i = 0; i < s->n_traces; i++) {
		bt_trace_put_ref(s->traces[i].trace);
	}
	free(s->traces);
	free(s->tids);
	free(s);
}

int
cotrace_decoder_decode(struct cotrace_decoder *decoder, const bt_message *msg,
		struct cotrace_event *event, struct cotrace_decoded_lost *lost)
{
	switch (bt_message_get_type(msg)) {
	case BT_MESSAGE_TYPE_EVENT:
		return decode_event(decoder, msg, event);
	case BT_MESSAGE_TYPE_DISCARDED_EVENTS:
	case BT_MESSAGE_TYPE_DISCARDED_PACKETS:
		return decode_discarded(msg, lost);
	default:
		return COTRACE_DECODED_NOTHING;
	}
}

/* ---- the plumbing of a sink with one input port ---- */

bt_component_class_sink_graph_is_configured_method_status
cotrace_sink_create_iterator(bt_self_component_sink *self_component_sink,
		bt_message_iterator **iter)
{
	bt_self_component *self = bt_self_component_sink_as_self_component(
			self_component_sink);
	bt_self_component_port_input *port =
			bt_self_component_sink_borrow_input_port_by_index(
					self_component_sink, 0);

	if (!bt_port_is_connected(bt_port_input_as_port_const(
			    bt_self_component_port_input_as_port_input(
					    port)))) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(self,
				"Input port is not connected: name=\"in\"");
		return BT_COMPONENT_CLASS_SINK_GRAPH_IS_CONFIGURED_METHOD_STATUS_ERROR;
	}
	switch (bt_message_iterator_create_from_sink_component(
			self_component_sink, port, iter)) {
	case BT_MESSAGE_ITERATOR_CREATE_FROM_SINK_COMPONENT_STATUS_OK:
		return BT_COMPONENT_CLASS_SINK_GRAPH_IS_CONFIGURED_METHOD_STATUS_OK;
	case BT_MESSAGE_ITERATOR_CREATE_FROM_SINK_COMPONENT_STATUS_MEMORY_ERROR:
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(self,
				"Cannot create the input message iterator: out "
				"of "
				"memory");
		return BT_COMPONENT_CLASS_SINK_GRAPH_IS_CONFIGURED_METHOD_STATUS_MEMORY_ERROR;
	default:
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(self,
				"Cannot create the input message iterator");
		return BT_COMPONENT_CLASS_SINK_GRAPH_IS_CONFIGURED_METHOD_STATUS_ERROR;
	}
}

bt_component_class_sink_consume_method_status
cotrace_sink_consume(bt_self_component_sink *self_component_sink,
		bt_message_iterator **iter,
		int (*handle)(void *data, const bt_message *msg), void *data,
		const char *failure)
{
	bt_self_component *self = bt_self_component_sink_as_self_component(
			self_component_sink);
	bt_component_class_sink_consume_method_status status =
			BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_OK;
	bt_message_iterator_next_status next;
	const bt_error *pending = NULL;
	bt_message_array_const msgs;
	uint64_t count = 0;
	int err;

	next = bt_message_iterator_next(*iter, &msgs, &count);
	/*
	 * babeltrace2 2.0's CTF decoder can leave an error cause on the
	 * thread (a sequence running past its packet) while the muxer still
	 * returns OK or AGAIN; the next bt_graph_run_once() would then abort
	 * on its precondition. The messages that came with it are good: take
	 * them, then report the decoding error it is.
	 */
	if (next == BT_MESSAGE_ITERATOR_NEXT_STATUS_OK ||
			next == BT_MESSAGE_ITERATOR_NEXT_STATUS_AGAIN) {
		pending = bt_current_thread_take_error();
	}
	switch (next) {
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_OK:
		break;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_END:
		BT_MESSAGE_ITERATOR_PUT_REF_AND_RESET(*iter);
		return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_END;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_AGAIN:
		if (!pending) {
			return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_AGAIN;
		}
		count = 0;
		break;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_MEMORY_ERROR:
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(self,
				"Cannot get the next messages: out of memory");
		return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_MEMORY_ERROR;
	default:
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(self,
				"Cannot get the next messages from upstream");
		return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_ERROR;
	}

	for (uint64_t i = 0; i < count; i++) {
		if (status == BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_OK) {
			err = handle(data, msgs[i]);
			if (err) {
				BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(
						self, "%s: %s", failure,
						strerror(-err));
				status = err == -ENOMEM ? BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_MEMORY_ERROR
							: BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_ERROR;
			}
		}
		bt_message_put_ref(msgs[i]);
	}
	if (pending) {
		bt_current_thread_move_error(pending);
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(self,
				"Cannot decode the trace: upstream left an error");
		status = BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_ERROR;
	}
	return status;
}

int
cotrace_decoder_feed_model(struct cotrace_decoder *decoder,
		struct cotrace_model *model, const bt_message *msg)
{
	struct cotrace_decoded_lost lost;
	struct cotrace_event e;
	int status;

	status = cotrace_decoder_decode(decoder, msg, &e, &lost);
	switch (status) {
	case COTRACE_DECODED_EVENT:
		return cotrace_model_add_event(model, &e);
	case COTRACE_DECODED_FOREIGN:
		cotrace_model_count_foreign(model);
		return 0;
	case COTRACE_DECODED_LOST:
		return cotrace_model_add_lost(model, lost.count,
				lost.begin_ns, lost.end_ns);
	case COTRACE_DECODED_NOTHING:
		return 0;
	default:
		return status;
	}
}

int
cotrace_decoder_check_clocks(struct cotrace_decoder *decoder,
		struct cotrace_model *model)
{
	struct cotrace_clock_domain *d;
	int status;

	if (decoder->n_traces < 2) {
		return 0;
	}
	d = calloc(decoder->n_traces, sizeof(*d));
	if (!d) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < decoder->n_traces; i++) {
		d[i].host = decoder->traces[i].host;
		d[i].first_ns = decoder->traces[i].first_ns;
		d[i].last_ns = decoder->traces[i].last_ns;
	}
	status = cotrace_clocks_check(model, d, decoder->n_traces);
	free(d);
	return status;
}

bt_component_class_initialize_method_status
cotrace_sink_open_output(bt_self_component *self, const char *path, FILE **out,
		bool *close_out)
{
	if (!path) {
		*out = stdout;
		*close_out = false;
		return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_OK;
	}
	*out = fopen(path, "w");
	if (!*out) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(self,
				"Cannot open output file: path=\"%s\": %s", path,
				strerror(errno));
		return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_ERROR;
	}
	*close_out = true;
	return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_OK;
}

bt_component_class_sink *
cotrace_sink_class_create(const char *name,
		bt_component_class_sink_consume_method consume,
		bt_component_class_sink_initialize_method initialize,
		bt_component_class_sink_finalize_method finalize,
		bt_component_class_sink_graph_is_configured_method configured,
		const char *description, const char *help)
{
	bt_component_class_sink *cls;
	bt_component_class *base;

	cls = bt_component_class_sink_create(name, consume);
	if (!cls) {
		return NULL;
	}
	base = bt_component_class_sink_as_component_class(cls);
	if (bt_component_class_sink_set_initialize_method(cls, initialize) ||
			bt_component_class_sink_set_finalize_method(
					cls, finalize) ||
			bt_component_class_sink_set_graph_is_configured_method(
					cls, configured) ||
			bt_component_class_set_description(base, description) ||
			bt_component_class_set_help(base, help)) {
		bt_component_class_sink_put_ref(cls);
		return NULL;
	}
	return cls;
}
