/*
 * sink.cotrace.report: feeds the events that sink-common.c decodes into
 * the model, and renders the report at the end.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "model.h"
#include "report.h"
#include "sink-common.h"
#include "sink-report.h"

struct sink_report {
	bt_self_component *self;	 /* borrowed */
	bt_message_iterator *iter;	 /* owned */
	struct cotrace_decoder *decoder; /* owned */
	struct cotrace_model *model;	 /* owned when own_model */
	bool own_model;
	bool rendered;
	bool clocks_checked;
	const struct cotrace_report_format *format;
	FILE *out; /* owned when close_out */
	bool close_out;
	char *path; /* owned, NULL for stdout */
};

/* Once, before the model is finished (by us or by the CLI). */
static void
check_clocks(struct sink_report *s)
{
	if (!s->clocks_checked && s->decoder && s->model &&
			!s->model->finished) {
		s->clocks_checked = true;
		/* Without memory the warning is lost, nothing else. */
		cotrace_decoder_check_clocks(s->decoder, s->model);
	}
}

static int
render_report(struct sink_report *s)
{
	struct cotrace_metrics metrics;
	int status;

	memset(&metrics, 0, sizeof(metrics));
	s->rendered = true;
	check_clocks(s);
	status = cotrace_model_finish(s->model);
	if (status) {
		goto end;
	}
	status = cotrace_metrics_compute(s->model, &metrics);
	if (status) {
		goto end;
	}
	status = s->format->render(s->out, s->model, &metrics);
end:
	cotrace_metrics_release(&metrics);
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

	if (strcmp(key, "format") && strcmp(key, "path")) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(self,
				"Unknown parameter: name=\"%s\" (expected "
				"format or "
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
parse_params(struct sink_report *s, const bt_value *params)
{
	const bt_value *v;
	const char *format = "text";

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
	s->format = cotrace_report_format_find(format);
	if (!s->format) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(s->self,
				"Unknown report format: format=\"%s\" "
				"(expected text "
				"or json)",
				format);
		return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_ERROR;
	}
	return cotrace_sink_open_output(s->self, s->path, &s->out,
			&s->close_out);
}

static void
sink_destroy(struct sink_report *s)
{
	if (!s) {
		return;
	}
	bt_message_iterator_put_ref(s->iter);
	check_clocks(s);
	cotrace_decoder_destroy(s->decoder);
	if (s->close_out && s->out) {
		fclose(s->out);
	}
	if (s->own_model) {
		cotrace_model_destroy(s->model);
	}
	free(s->path);
	free(s);
}

bt_component_class_initialize_method_status
cotrace_sink_report_initialize(bt_self_component_sink *self_component_sink,
		bt_self_component_sink_configuration *configuration,
		const bt_value *params, void *initialize_method_data)
{
	bt_self_component *self = bt_self_component_sink_as_self_component(
			self_component_sink);
	const struct cotrace_sink_report_init *init = initialize_method_data;
	bt_component_class_initialize_method_status status;
	struct sink_report *s;

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
	if (init && init->model) {
		/* The caller renders, so format and path are not ours. */
		s->model = init->model;
	} else {
		status = parse_params(s, params);
		if (status != BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_OK) {
			goto error;
		}
		s->model = cotrace_model_create();
		if (s->model) {
			/* Memory bounded by processes and threads (model.h). */
			const struct cotrace_model_limits limits = {
					.tasks = COTRACE_LIMIT_TASKS,
					.tls_per_thread =
							COTRACE_LIMIT_TLS_PER_THREAD,
			};

			cotrace_model_set_limits(s->model, &limits);
		}
		if (!s->model) {
			BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(
					self, "Cannot create the trace model");
			status = BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
			goto error;
		}
		s->own_model = true;
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
cotrace_sink_report_finalize(bt_self_component_sink *self_component_sink)
{
	struct sink_report *s = bt_self_component_get_data(
			bt_self_component_sink_as_self_component(
					self_component_sink));

	if (!s) {
		return;
	}
	/*
	 * The graph stopped before the end (an error, an interruption): what
	 * was decoded is still worth a report, marked as partial. Nothing
	 * can report an error from here, so failures are dropped.
	 */
	if (s->own_model && !s->rendered && s->model->cotrace_events > 0) {
		cotrace_model_mark_damaged(s->model, "the graph stopped before "
						     "the end of the trace");
		render_report(s);
	}
	sink_destroy(s);
}

bt_component_class_sink_graph_is_configured_method_status
cotrace_sink_report_graph_is_configured(
		bt_self_component_sink *self_component_sink)
{
	struct sink_report *s = bt_self_component_get_data(
			bt_self_component_sink_as_self_component(
					self_component_sink));

	return cotrace_sink_create_iterator(self_component_sink, &s->iter);
}

static int
handle_message(void *data, const bt_message *msg)
{
	struct sink_report *s = data;

	return cotrace_decoder_feed_model(s->decoder, s->model, msg);
}

bt_component_class_sink_consume_method_status
cotrace_sink_report_consume(bt_self_component_sink *self_component_sink)
{
	bt_self_component *self = bt_self_component_sink_as_self_component(
			self_component_sink);
	struct sink_report *s = bt_self_component_get_data(self);
	bt_component_class_sink_consume_method_status status;
	int err;

	status = cotrace_sink_consume(self_component_sink, &s->iter,
			handle_message, s, "Cannot add an event to the model");
	if (status == BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_END &&
			s->own_model) {
		err = render_report(s);
		if (err) {
			BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(
					self,
					"Cannot write the report: path=\"%s\": "
					"%s",
					s->path ? s->path : "<stdout>",
					strerror(-err));
			return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_ERROR;
		}
	}
	return status;
}

bt_component_class_sink *
cotrace_sink_report_class_create(void)
{
	return cotrace_sink_class_create(COTRACE_SINK_REPORT_NAME,
			cotrace_sink_report_consume, cotrace_sink_report_initialize,
			cotrace_sink_report_finalize,
			cotrace_sink_report_graph_is_configured,
			COTRACE_SINK_REPORT_DESCRIPTION, COTRACE_SINK_REPORT_HELP);
}
