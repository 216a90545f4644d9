/*
 * sink.cotrace.timeline: feeds the events that sink-common.c decodes into
 * a model and draws its timeline at the end (sink-timeline.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metrics.h"
#include "model.h"
#include "sink-common.h"
#include "sink-timeline.h"
#include "timeline.h"

#define WIDTH_MAX 100000

enum colour_mode {
	COLOUR_AUTO,
	COLOUR_ALWAYS,
	COLOUR_NEVER,
};

struct sink_timeline {
	bt_self_component *self;	 /* borrowed */
	bt_message_iterator *iter;	 /* owned */
	struct cotrace_decoder *decoder; /* owned */
	struct cotrace_model *model;	 /* owned */
	bool rendered;
	const struct cotrace_timeline_format *format;
	struct cotrace_timeline_options options;
	FILE *out; /* owned when close_out */
	bool close_out;
	char *path; /* owned, NULL for stdout */
};

static int
render(struct sink_timeline *s)
{
	struct cotrace_metrics metrics;
	int status;

	memset(&metrics, 0, sizeof(metrics));
	s->rendered = true;
	/* Without memory the clocks warning is lost, nothing else. */
	cotrace_decoder_check_clocks(s->decoder, s->model);
	status = cotrace_model_finish(s->model);
	if (status) {
		goto end;
	}
	status = cotrace_metrics_compute(s->model, &metrics);
	if (status) {
		goto end;
	}
	status = cotrace_timeline_render(
			s->format, s->out, s->model, &metrics, &s->options);
end:
	cotrace_metrics_release(&metrics);
	if (s->close_out) {
		errno = 0;
		if (fclose(s->out) != 0 && status == 0) {
			status = errno ? -errno : -EIO;
		}
		s->out = NULL;
		s->close_out = false;
	}
	return status;
}

static bool
is_string_param(const char *key)
{
	return !strcmp(key, "format") || !strcmp(key, "path") ||
	       !strcmp(key, "color");
}

static bt_value_map_foreach_entry_const_func_status
check_param_entry(const char *key, const bt_value *value, void *data)
{
	bt_self_component *self = data;
	bool ok;

	if (!strcmp(key, "width")) {
		ok = bt_value_is_signed_integer(value) ||
		     bt_value_is_unsigned_integer(value);
	} else if (is_string_param(key)) {
		ok = bt_value_is_string(value);
	} else {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(self,
				"Unknown parameter: name=\"%s\" (expected "
				"format, path, width or color)",
				key);
		return BT_VALUE_MAP_FOREACH_ENTRY_CONST_FUNC_STATUS_ERROR;
	}
	if (!ok) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(self,
				"Parameter has the wrong type: name=\"%s\" "
				"(expected %s)",
				key,
				strcmp(key, "width") ? "a string"
						     : "an integer");
		return BT_VALUE_MAP_FOREACH_ENTRY_CONST_FUNC_STATUS_ERROR;
	}
	return BT_VALUE_MAP_FOREACH_ENTRY_CONST_FUNC_STATUS_OK;
}

static int
parse_width(struct sink_timeline *s, const bt_value *v)
{
	int64_t w;

	if (bt_value_is_unsigned_integer(v)) {
		uint64_t u = bt_value_integer_unsigned_get(v);

		w = u > WIDTH_MAX ? WIDTH_MAX + 1 : (int64_t)u;
	} else {
		w = bt_value_integer_signed_get(v);
	}
	if (w < 1 || w > WIDTH_MAX) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(s->self,
				"Invalid width: width=%" PRId64
				" (expected 1 to %d)",
				w, WIDTH_MAX);
		return -1;
	}
	s->options.width = (unsigned int)w;
	return 0;
}

static int
parse_colour(struct sink_timeline *s, const char *mode,
		enum colour_mode *colour)
{
	if (!strcmp(mode, "auto")) {
		*colour = COLOUR_AUTO;
	} else if (!strcmp(mode, "always")) {
		*colour = COLOUR_ALWAYS;
	} else if (!strcmp(mode, "never")) {
		*colour = COLOUR_NEVER;
	} else {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(s->self,
				"Unknown colour mode: color=\"%s\" (expected "
				"auto, always or never)",
				mode);
		return -1;
	}
	return 0;
}

static bool
terminal_colours(void)
{
	const char *term = getenv("TERM");
	const char *no_color = getenv("NO_COLOR");

	return isatty(STDOUT_FILENO) && term && *term &&
	       strcmp(term, "dumb") != 0 && !(no_color && *no_color);
}

static bt_component_class_initialize_method_status
parse_params(struct sink_timeline *s, const bt_value *params)
{
	enum colour_mode colour = COLOUR_AUTO;
	const char *format = "term";
	const bt_value *v;

	if (params && bt_value_is_map(params)) {
		if (bt_value_map_foreach_entry_const(
				    params, check_param_entry, s->self) !=
				BT_VALUE_MAP_FOREACH_ENTRY_CONST_STATUS_OK) {
			return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_ERROR;
		}
		v = bt_value_map_borrow_entry_value_const(params, "format");
		if (v) {
			format = bt_value_string_get(v);
		}
		v = bt_value_map_borrow_entry_value_const(params, "width");
		if (v && parse_width(s, v)) {
			return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_ERROR;
		}
		v = bt_value_map_borrow_entry_value_const(params, "color");
		if (v && parse_colour(s, bt_value_string_get(v), &colour)) {
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
	s->format = cotrace_timeline_format_find(format);
	if (!s->format) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(s->self,
				"Unknown or unbuilt timeline format: "
				"format=\"%s\" (term is always built; svg, png "
				"and pdf need cairo)",
				format);
		return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_ERROR;
	}
	if (s->format->binary && !s->path && isatty(STDOUT_FILENO)) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(s->self,
				"Refusing to write a binary format to a "
				"terminal: format=\"%s\" (give path=FILE)",
				format);
		return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_ERROR;
	}
	s->options.color = colour == COLOUR_ALWAYS ||
			   (colour == COLOUR_AUTO && !s->path &&
					   terminal_colours());
	return cotrace_sink_open_output(s->self, s->path, &s->out,
			&s->close_out);
}

static void
sink_destroy(struct sink_timeline *s)
{
	if (!s) {
		return;
	}
	bt_message_iterator_put_ref(s->iter);
	cotrace_decoder_destroy(s->decoder);
	if (s->close_out && s->out) {
		fclose(s->out);
	}
	cotrace_model_destroy(s->model);
	free(s->path);
	free(s);
}

bt_component_class_initialize_method_status
cotrace_sink_timeline_initialize(bt_self_component_sink *self_component_sink,
		bt_self_component_sink_configuration *configuration,
		const bt_value *params, void *initialize_method_data)
{
	bt_self_component *self = bt_self_component_sink_as_self_component(
			self_component_sink);
	bt_component_class_initialize_method_status status;
	struct sink_timeline *s;

	(void)configuration;
	(void)initialize_method_data;
	s = calloc(1, sizeof(*s));
	if (!s) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(
				self, "Cannot allocate the sink's data");
		return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
	}
	s->self = self;
	status = parse_params(s, params);
	if (status != BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_OK) {
		goto error;
	}
	s->decoder = cotrace_decoder_create();
	s->model = cotrace_model_create();
	if (!s->decoder || !s->model) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(
				self, "Cannot create the trace model");
		status = BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
		goto error;
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
cotrace_sink_timeline_finalize(bt_self_component_sink *self_component_sink)
{
	struct sink_timeline *s = bt_self_component_get_data(
			bt_self_component_sink_as_self_component(
					self_component_sink));

	if (!s) {
		return;
	}
	/*
	 * The graph stopped before the end: what was decoded is still worth
	 * drawing, with a trace-damaged warning. Nothing can report an error
	 * from here, so failures are dropped.
	 */
	if (!s->rendered && s->model->cotrace_events > 0) {
		cotrace_model_mark_damaged(s->model, "the graph stopped before "
						     "the end of the trace");
		render(s);
	}
	sink_destroy(s);
}

bt_component_class_sink_graph_is_configured_method_status
cotrace_sink_timeline_graph_is_configured(
		bt_self_component_sink *self_component_sink)
{
	struct sink_timeline *s = bt_self_component_get_data(
			bt_self_component_sink_as_self_component(
					self_component_sink));

	return cotrace_sink_create_iterator(self_component_sink, &s->iter);
}

static int
handle_message(void *data, const bt_message *msg)
{
	struct sink_timeline *s = data;

	return cotrace_decoder_feed_model(s->decoder, s->model, msg);
}

bt_component_class_sink_consume_method_status
cotrace_sink_timeline_consume(bt_self_component_sink *self_component_sink)
{
	bt_self_component *self = bt_self_component_sink_as_self_component(
			self_component_sink);
	struct sink_timeline *s = bt_self_component_get_data(self);
	bt_component_class_sink_consume_method_status status;
	int err;

	status = cotrace_sink_consume(self_component_sink, &s->iter,
			handle_message, s, "Cannot add an event to the model");
	if (status == BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_END) {
		err = render(s);
		if (err) {
			BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(
					self,
					"Cannot write the timeline: "
					"path=\"%s\": %s",
					s->path ? s->path : "<stdout>",
					strerror(-err));
			return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_ERROR;
		}
	}
	return status;
}
