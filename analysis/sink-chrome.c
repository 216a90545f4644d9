/*
 * sink.cotrace.chrome: feeds the events that sink-common.c decodes to the
 * Chrome Trace Event writer, which writes them at once.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chrome-trace.h"
#include "sink-chrome.h"
#include "sink-common.h"

struct sink_chrome {
	bt_self_component *self;	 /* borrowed */
	bt_message_iterator *iter;	 /* owned */
	struct cotrace_decoder *decoder; /* owned */
	struct cotrace_chrome *writer;	 /* owned when own_writer */
	bool own_writer;
	bool finished;
	FILE *out; /* owned when close_out */
	bool close_out;
	char *path; /* owned, NULL for stdout */
};

static int
handle_message(void *data, const bt_message *msg)
{
	struct sink_chrome *s = data;
	struct cotrace_decoded_lost lost;
	struct cotrace_event e;
	int status;

	status = cotrace_decoder_decode(s->decoder, msg, &e, &lost);
	switch (status) {
	case COTRACE_DECODED_EVENT:
		return cotrace_chrome_add_event(s->writer, &e);
	case COTRACE_DECODED_FOREIGN:
		cotrace_chrome_count_foreign(s->writer);
		return 0;
	case COTRACE_DECODED_LOST:
		return cotrace_chrome_add_lost(s->writer, lost.count,
				lost.begin_ns, lost.end_ns);
	case COTRACE_DECODED_NOTHING:
		return 0;
	default:
		return status;
	}
}

/* Closes the document and the file it goes to. */
static int
finish_output(struct sink_chrome *s)
{
	int status;

	s->finished = true;
	status = cotrace_chrome_finish(s->writer);
	if (s->close_out) {
		if (fclose(s->out) != 0 && status == 0) {
			status = errno ? -errno : -EIO;
		}
		s->out = NULL;
		s->close_out = false;
	}
	return status;
}

static int
check_param(const char *key, const bt_value *value, void *data)
{
	bt_self_component *self = data;

	if (strcmp(key, "path")) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(self,
				"Unknown parameter: name=\"%s\" (expected "
				"path)",
				key);
		return -1;
	}
	if (!bt_value_is_string(value)) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(self,
				"Parameter is not a string: name=\"%s\"", key);
		return -1;
	}
	return 0;
}

static bt_value_map_foreach_entry_const_func_status
check_param_entry(const char *key, const bt_value *value, void *data)
{
	return check_param(key, value, data) == 0
			       ? BT_VALUE_MAP_FOREACH_ENTRY_CONST_FUNC_STATUS_OK
			       : BT_VALUE_MAP_FOREACH_ENTRY_CONST_FUNC_STATUS_ERROR;
}

static bt_component_class_initialize_method_status
parse_params(struct sink_chrome *s, const bt_value *params)
{
	const bt_value *v;

	if (params && bt_value_is_map(params)) {
		if (bt_value_map_foreach_entry_const(
				    params, check_param_entry, s->self) !=
				BT_VALUE_MAP_FOREACH_ENTRY_CONST_STATUS_OK) {
			return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_ERROR;
		}
		v = bt_value_map_borrow_entry_value_const(params, "path");
		if (v) {
			s->path = strdup(bt_value_string_get(v));
			if (!s->path) {
				BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(
						s->self,
						"Cannot allocate the output "
						"path");
				return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
			}
		}
	}
	return cotrace_sink_open_output(s->self, s->path, &s->out,
			&s->close_out);
}

static void
sink_destroy(struct sink_chrome *s)
{
	if (!s) {
		return;
	}
	bt_message_iterator_put_ref(s->iter);
	cotrace_decoder_destroy(s->decoder);
	if (s->own_writer) {
		cotrace_chrome_destroy(s->writer);
	}
	if (s->close_out && s->out) {
		fclose(s->out);
	}
	free(s->path);
	free(s);
}

bt_component_class_initialize_method_status
cotrace_sink_chrome_initialize(bt_self_component_sink *self_component_sink,
		bt_self_component_sink_configuration *configuration,
		const bt_value *params, void *initialize_method_data)
{
	bt_self_component *self = bt_self_component_sink_as_self_component(
			self_component_sink);
	const struct cotrace_sink_chrome_init *init = initialize_method_data;
	bt_component_class_initialize_method_status status;
	struct sink_chrome *s;

	(void)configuration;
	s = calloc(1, sizeof(*s));
	if (!s) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(
				self, "Cannot allocate the sink's data");
		return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
	}
	s->self = self;
	s->decoder = cotrace_decoder_create();
	if (!s->decoder) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(
				self, "Cannot allocate the sink's data");
		status = BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
		goto error;
	}
	if (init && init->writer) {
		/* The caller finishes the document: the path is not ours. */
		s->writer = init->writer;
	} else {
		status = parse_params(s, params);
		if (status != BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_OK) {
			goto error;
		}
		s->writer = cotrace_chrome_create(s->out);
		if (!s->writer) {
			BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(
					self, "Cannot create the trace writer");
			status = BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
			goto error;
		}
		s->own_writer = true;
	}
	if (bt_self_component_sink_add_input_port(self_component_sink, "in",
			    NULL,
			    NULL) != BT_SELF_COMPONENT_ADD_PORT_STATUS_OK) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(
				self, "Cannot add the input port: name=\"in\"");
		status = BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
		goto error;
	}
	bt_self_component_set_data(self, s);
	return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_OK;

error:
	sink_destroy(s);
	return status;
}

void
cotrace_sink_chrome_finalize(bt_self_component_sink *self_component_sink)
{
	struct sink_chrome *s = bt_self_component_get_data(
			bt_self_component_sink_as_self_component(
					self_component_sink));

	if (!s) {
		return;
	}
	/*
	 * The graph stopped before the end (an error, an interruption): the
	 * document written so far is closed, marked as partial, so that it
	 * still opens. Nothing can report an error from here.
	 */
	if (s->own_writer && !s->finished) {
		cotrace_chrome_mark_damaged(s->writer,
				"the graph stopped before the end of the "
				"trace");
		finish_output(s);
	}
	sink_destroy(s);
}

bt_component_class_sink_graph_is_configured_method_status
cotrace_sink_chrome_graph_is_configured(
		bt_self_component_sink *self_component_sink)
{
	struct sink_chrome *s = bt_self_component_get_data(
			bt_self_component_sink_as_self_component(
					self_component_sink));

	return cotrace_sink_create_iterator(self_component_sink, &s->iter);
}

bt_component_class_sink_consume_method_status
cotrace_sink_chrome_consume(bt_self_component_sink *self_component_sink)
{
	bt_self_component *self = bt_self_component_sink_as_self_component(
			self_component_sink);
	struct sink_chrome *s = bt_self_component_get_data(self);
	bt_component_class_sink_consume_method_status status;
	int err;

	status = cotrace_sink_consume(self_component_sink, &s->iter,
			handle_message, s, "Cannot write an event");
	if (status == BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_END &&
			s->own_writer) {
		err = finish_output(s);
		if (err) {
			BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(
					self,
					"Cannot write the trace: path=\"%s\": "
					"%s",
					s->path ? s->path : "<stdout>",
					strerror(-err));
			return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_ERROR;
		}
	}
	return status;
}

bt_component_class_sink *
cotrace_sink_chrome_class_create(void)
{
	return cotrace_sink_class_create(COTRACE_SINK_CHROME_NAME,
			cotrace_sink_chrome_consume, cotrace_sink_chrome_initialize,
			cotrace_sink_chrome_finalize,
			cotrace_sink_chrome_graph_is_configured,
			COTRACE_SINK_CHROME_DESCRIPTION, COTRACE_SINK_CHROME_HELP);
}
