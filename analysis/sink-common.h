/*
 * What the cotrace sink component classes (sink.cotrace.report,
 * sink.cotrace.chrome) share: decoding babeltrace2 messages into cotrace
 * events (struct cotrace_event, model.h), and the plumbing of a sink with
 * one input port named "in".
 */
#ifndef COTRACE_SINK_COMMON_H
#define COTRACE_SINK_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <babeltrace2/babeltrace.h>

#include "model.h"

/* Decodes messages; holds the per-class caches. */
struct cotrace_decoder;

struct cotrace_decoder *cotrace_decoder_create(void);
void cotrace_decoder_destroy(struct cotrace_decoder *decoder);

/* What cotrace_decoder_decode() found in a message. */
enum cotrace_decoded {
	COTRACE_DECODED_NOTHING, /* a message that carries no event */
	COTRACE_DECODED_EVENT,	 /* a cotrace event: *event is filled */
	COTRACE_DECODED_FOREIGN, /* an event that is not cotrace's */
	COTRACE_DECODED_LOST,	 /* discarded events or packets: *lost */
};

/* The tracer discarded `count` events (0: it did not say) in a span. */
struct cotrace_decoded_lost {
	uint64_t count;
	int64_t begin_ns; /* COTRACE_TS_NONE when unknown */
	int64_t end_ns;
};

/*
 * Decodes one message. Returns an enum cotrace_decoded, or -ENOMEM. The
 * strings and arrays of *event are borrowed from the message and the
 * decoder: valid until the next call or until the message is released.
 */
int cotrace_decoder_decode(struct cotrace_decoder *decoder,
		const bt_message *msg, struct cotrace_event *event,
		struct cotrace_decoded_lost *lost);

/*
 * Decodes `msg` into `model`: an event, a foreign event counted, or a
 * discarded-events span. Returns 0 or a negative errno.
 */
int cotrace_decoder_feed_model(struct cotrace_decoder *decoder,
		struct cotrace_model *model, const bt_message *msg);

/*
 * At the end of the messages, before cotrace_model_finish(): warns in
 * `model` when the traces read had clocks far apart (hosts.h). Returns 0
 * or -ENOMEM.
 */
int cotrace_decoder_check_clocks(struct cotrace_decoder *decoder,
		struct cotrace_model *model);

/*
 * The graph-is-configured method's work: checks that port "in" is
 * connected and creates the message iterator on it (appending a cause on
 * failure).
 */
bt_component_class_sink_graph_is_configured_method_status
cotrace_sink_create_iterator(bt_self_component_sink *self_component_sink,
		bt_message_iterator **iter);

/*
 * The consume method's work: takes the next messages from *iter and gives
 * each to handle() (which returns 0 or -errno). When one fails, the cause
 * appended reads "<failure>: <strerror>". At the end of the messages,
 * releases *iter and returns ..._STATUS_END: the caller then writes its
 * output.
 */
bt_component_class_sink_consume_method_status cotrace_sink_consume(
		bt_self_component_sink *self_component_sink,
		bt_message_iterator **iter,
		int (*handle)(void *data, const bt_message *msg), void *data,
		const char *failure);

/*
 * The `path` parameter's output: the file `path` opened for writing
 * (*close_out set), or standard output when path is NULL. Appends a cause
 * and returns an error status when the file cannot be opened.
 */
bt_component_class_initialize_method_status cotrace_sink_open_output(
		bt_self_component *self, const char *path, FILE **out,
		bool *close_out);

/*
 * The sink class the CLI's in-process graphs use, with the methods,
 * description and help the plugin gives it. NULL when out of memory.
 */
bt_component_class_sink *cotrace_sink_class_create(const char *name,
		bt_component_class_sink_consume_method consume,
		bt_component_class_sink_initialize_method initialize,
		bt_component_class_sink_finalize_method finalize,
		bt_component_class_sink_graph_is_configured_method configured,
		const char *description, const char *help);

#endif /* COTRACE_SINK_COMMON_H */
