/*
 * The live view: a babeltrace2 graph src.ctf.lttng-live -> sink "live"
 * (made here, in-process), run a step at a time (bt_graph_run_once(): the
 * live source answers AGAIN while the relay has nothing new). The sink
 * logs each decoded event; a frame replays the log into a fresh model
 * (cotrace_event_log_snapshot()), so the model is finished once per
 * frame, and draws it with the terminal timeline renderer. What is still
 * running is drawn up to the stream's clock "now" (the newest event or
 * inactivity beacon received), so lanes grow while the program runs.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <babeltrace2/babeltrace.h>

#include "cli.h"
#include "event-log.h"
#include "live-view.h"
#include "metrics.h"
#include "model.h"
#include "report.h"
#include "sink-common.h"
#include "timeline.h"

#define DEFAULT_TERM_WIDTH 100
#define MIN_TERM_WIDTH 40
#define MAX_TERM_WIDTH 1000
#define AGAIN_SLEEP_MS 40
#define CAUSES_MAX 4
/* Times a broken stream is attached again before the view gives up. */
#define MAX_REATTACHES 2

struct cli_live_view {
	struct cli_live_view_options opts; /* url and format borrowed */
	FILE *out;			   /* borrowed */
	bt_graph *graph;		   /* owned */
	const bt_plugin *ctf;		   /* owned */
	bt_value *params;		   /* owned: the source's parameters */
	bt_component_class_sink *sink_cls; /* owned */
	bt_message_iterator *iter;	   /* owned, by the sink */
	struct cotrace_decoder *decoder;   /* owned */
	struct cotrace_event_log *log;	   /* owned */
	int64_t stream_now_ns;		   /* newest time received */
	int64_t started_ms, last_frame_ms;
	unsigned int frames;
	bool tty;
	bool color;
	bool ended, failed;
	bool broke; /* the stream broke off once */
	unsigned int reattaches;
	int handle_error; /* the sink's last -errno */
};

int64_t
cli_live_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* ---- URLs ---- */

static int
copy_part(char *dst, size_t size, const char *src, size_t len)
{
	if (len == 0 || len >= size) {
		return -1;
	}
	memcpy(dst, src, len);
	dst[len] = '\0';
	return 0;
}

int
cli_live_parse_url(
		const char *url, bool with_session, struct cli_live_url *parsed)
{
	const char *form =
			with_session ? "net://HOST[:PORT]/host/TARGET/SESSION"
				     : "net://HOST[:PORT]";
	const char *p = url, *host, *end;
	size_t len;

	memset(parsed, 0, sizeof(*parsed));
	parsed->port = CLI_LIVE_DEFAULT_PORT;
	if (!strncmp(p, "net://", 6)) {
		p += 6;
	} else if (!strncmp(p, "net4://", 7)) {
		p += 7;
	} else {
		goto bad;
	}
	host = p;
	len = strcspn(p, ":/");
	if (copy_part(parsed->host, sizeof(parsed->host), host, len)) {
		goto bad;
	}
	p += len;
	if (*p == ':') {
		char *num_end;
		unsigned long port;

		p++;
		if (*p < '0' || *p > '9') {
			goto bad;
		}
		errno = 0;
		port = strtoul(p, &num_end, 10);
		if (errno || port == 0 || port > 65535 ||
				(*num_end && *num_end != '/')) {
			goto bad;
		}
		parsed->port = (uint16_t)port;
		p = num_end;
	}
	if (!with_session) {
		if (*p == '\0' || !strcmp(p, "/")) {
			return 0;
		}
		cli_error("'%s' is a session's URL; --list takes the relay "
			  "daemon's: %s",
				url, form);
		return -1;
	}
	if (strncmp(p, "/host/", 6)) {
		goto bad;
	}
	p += 6;
	end = strchr(p, '/');
	if (!end || copy_part(parsed->target, sizeof(parsed->target), p,
				    (size_t)(end - p))) {
		goto bad;
	}
	p = end + 1;
	if (strchr(p, '/') ||
			copy_part(parsed->session, sizeof(parsed->session), p,
					strlen(p))) {
		goto bad;
	}
	return 0;
bad:
	cli_error("'%s' is not a live URL: expected %s (e.g. "
		  "net://localhost%s); see 'cotrace live --list net://HOST'",
			url, form,
			with_session ? ":5344/host/myhost/mysession" : ":5344");
	return -1;
}

/* ---- babeltrace2 errors ---- */

/* The component causes, innermost first, on stderr, a few at most. */
static void
print_causes(const bt_error *error)
{
	uint64_t n = error ? bt_error_get_cause_count(error) : 0;
	size_t printed = 0;

	for (uint64_t i = 0; i < n && printed < CAUSES_MAX; i++) {
		const bt_error_cause *cause =
				bt_error_borrow_cause_by_index(error, i);
		const char *msg = bt_error_cause_get_message(cause);

		if (bt_error_cause_get_actor_type(cause) ==
				BT_ERROR_CAUSE_ACTOR_TYPE_UNKNOWN) {
			continue;
		}
		fputs("  ", stderr);
		for (const char *c = msg; *c; c++) {
			fputc(*c == '\n' ? ' ' : *c, stderr);
		}
		fputc('\n', stderr);
		printed++;
	}
}

static const bt_plugin *
find_ctf_plugin(void)
{
	const bt_plugin *ctf = NULL;

	if (bt_plugin_find("ctf", BT_TRUE, BT_TRUE, BT_TRUE, BT_TRUE, BT_FALSE,
			    &ctf) != BT_PLUGIN_FIND_STATUS_OK) {
		bt_current_thread_clear_error();
		cli_error("cannot find the babeltrace2 'ctf' plugin: install "
			  "babeltrace2 (apt install babeltrace2) or set "
			  "BABELTRACE_PLUGIN_PATH");
		return NULL;
	}
	return ctf;
}

/* ---- the sessions query ---- */

static char *
map_string(const bt_value *map, const char *key)
{
	const bt_value *v = bt_value_map_borrow_entry_value_const(map, key);

	return strdup(v && bt_value_is_string(v) ? bt_value_string_get(v)
						 : "?");
}

static uint64_t
map_uint(const bt_value *map, const char *key)
{
	const bt_value *v = bt_value_map_borrow_entry_value_const(map, key);

	return v && bt_value_is_unsigned_integer(v)
			       ? bt_value_integer_unsigned_get(v)
			       : 0;
}

void
cli_live_sessions_free(struct cli_live_session *sessions, size_t n)
{
	for (size_t i = 0; sessions && i < n; i++) {
		free(sessions[i].url);
		free(sessions[i].target);
		free(sessions[i].name);
	}
	free(sessions);
}

static int list_sessions(const char *relay_url, bool quiet,
		struct cli_live_session **sessions, size_t *n_sessions);

int
cli_live_list_sessions(const char *relay_url,
		struct cli_live_session **sessions, size_t *n_sessions)
{
	return list_sessions(relay_url, false, sessions, n_sessions);
}

int
cli_live_list_sessions_quiet(const char *relay_url,
		struct cli_live_session **sessions, size_t *n_sessions)
{
	return list_sessions(relay_url, true, sessions, n_sessions);
}

static int
list_sessions(const char *relay_url, bool quiet,
		struct cli_live_session **sessions, size_t *n_sessions)
{
	const bt_plugin *ctf = NULL;
	const bt_component_class_source *cls;
	bt_query_executor *qe = NULL;
	bt_value *params = NULL;
	const bt_value *result = NULL;
	struct cli_live_session *list = NULL;
	bt_query_executor_query_status qs;
	uint64_t n = 0;
	int status = -1;

	*sessions = NULL;
	*n_sessions = 0;
	ctf = find_ctf_plugin();
	if (!ctf) {
		return -1;
	}
	cls = bt_plugin_borrow_source_component_class_by_name_const(
			ctf, "lttng-live");
	params = bt_value_map_create();
	if (!cls || !params ||
			bt_value_map_insert_string_entry(
					params, "url", relay_url)) {
		cli_error("cannot ask for the live sessions: babeltrace2 has "
			  "no src.ctf.lttng-live here, or no memory");
		goto end;
	}
	qe = bt_query_executor_create(
			bt_component_class_source_as_component_class_const(cls),
			"sessions", params);
	if (!qe) {
		cli_error("out of memory");
		goto end;
	}
	do {
		qs = bt_query_executor_query(qe, &result);
		if (qs == BT_QUERY_EXECUTOR_QUERY_STATUS_AGAIN) {
			sleep_ms(AGAIN_SLEEP_MS);
		}
	} while (qs == BT_QUERY_EXECUTOR_QUERY_STATUS_AGAIN);
	if (qs != BT_QUERY_EXECUTOR_QUERY_STATUS_OK) {
		const bt_error *error = bt_current_thread_take_error();

		if (quiet) {
			if (error) {
				bt_error_release(error);
			}
			goto end;
		}
		cli_error("cannot reach a relay daemon's live port at %s: is "
			  "lttng-relayd running there, and is the port right "
			  "(default %d)?",
				relay_url, CLI_LIVE_DEFAULT_PORT);
		print_causes(error);
		if (error) {
			bt_error_release(error);
		}
		goto end;
	}
	n = bt_value_array_get_length(result);
	list = calloc(n ? n : 1, sizeof(*list));
	if (!list) {
		cli_error("out of memory");
		goto end;
	}
	for (uint64_t i = 0; i < n; i++) {
		const bt_value *m =
				bt_value_array_borrow_element_by_index_const(
						result, i);

		list[i].url = map_string(m, "url");
		list[i].target = map_string(m, "target-hostname");
		list[i].name = map_string(m, "session-name");
		list[i].timer_us = map_uint(m, "timer-us");
		list[i].streams = map_uint(m, "stream-count");
		list[i].clients = map_uint(m, "client-count");
		if (!list[i].url || !list[i].target || !list[i].name) {
			cli_live_sessions_free(list, i + 1);
			list = NULL;
			cli_error("out of memory");
			goto end;
		}
	}
	*sessions = list;
	*n_sessions = (size_t)n;
	list = NULL;
	status = 0;
end:
	free(list);
	bt_value_put_ref(result);
	bt_query_executor_put_ref(qe);
	bt_value_put_ref(params);
	bt_plugin_put_ref(ctf);
	return status;
}

/* ---- the sink ---- */

static int
handle_message(void *data, const bt_message *msg)
{
	struct cli_live_view *v = data;
	struct cotrace_event event;
	struct cotrace_decoded_lost lost;
	int kind;

	if (bt_message_get_type(msg) ==
			BT_MESSAGE_TYPE_MESSAGE_ITERATOR_INACTIVITY) {
		const bt_clock_snapshot *cs =
				bt_message_message_iterator_inactivity_borrow_clock_snapshot_const(
						msg);
		int64_t ns;

		if (bt_clock_snapshot_get_ns_from_origin(cs,
				    &ns) == BT_CLOCK_SNAPSHOT_GET_NS_FROM_ORIGIN_STATUS_OK &&
				ns > v->stream_now_ns) {
			v->stream_now_ns = ns;
		}
		return 0;
	}
	kind = cotrace_decoder_decode(v->decoder, msg, &event, &lost);
	switch (kind) {
	case COTRACE_DECODED_EVENT:
		if (event.ts_ns > v->stream_now_ns) {
			v->stream_now_ns = event.ts_ns;
		}
		return cotrace_event_log_add_event(v->log, &event);
	case COTRACE_DECODED_FOREIGN:
		return cotrace_event_log_count_foreign(v->log);
	case COTRACE_DECODED_LOST:
		return cotrace_event_log_add_lost(
				v->log, lost.count, lost.begin_ns, lost.end_ns);
	case COTRACE_DECODED_NOTHING:
		return 0;
	default:
		return kind;
	}
}

static bt_component_class_initialize_method_status
sink_initialize(bt_self_component_sink *self,
		bt_self_component_sink_configuration *config,
		const bt_value *params, void *init_data)
{
	(void)config;
	(void)params;
	bt_self_component_set_data(
			bt_self_component_sink_as_self_component(self),
			init_data);
	if (bt_self_component_sink_add_input_port(self, "in", NULL, NULL) !=
			BT_SELF_COMPONENT_ADD_PORT_STATUS_OK) {
		return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
	}
	return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_OK;
}

static bt_component_class_sink_graph_is_configured_method_status
sink_graph_is_configured(bt_self_component_sink *self)
{
	struct cli_live_view *v = bt_self_component_get_data(
			bt_self_component_sink_as_self_component(self));

	return cotrace_sink_create_iterator(self, &v->iter);
}

static bt_component_class_sink_consume_method_status
sink_consume(bt_self_component_sink *self)
{
	struct cli_live_view *v = bt_self_component_get_data(
			bt_self_component_sink_as_self_component(self));

	return cotrace_sink_consume(self, &v->iter, handle_message, v,
			"Cannot keep a received event");
}

static void
sink_finalize(bt_self_component_sink *self)
{
	struct cli_live_view *v = bt_self_component_get_data(
			bt_self_component_sink_as_self_component(self));

	if (v) {
		BT_MESSAGE_ITERATOR_PUT_REF_AND_RESET(v->iter);
	}
}

static bt_component_class_sink *
sink_class_create(void)
{
	bt_component_class_sink *cls =
			bt_component_class_sink_create("live", sink_consume);

	if (!cls) {
		return NULL;
	}
	if (bt_component_class_sink_set_initialize_method(
			    cls, sink_initialize) ||
			bt_component_class_sink_set_finalize_method(
					cls, sink_finalize) ||
			bt_component_class_sink_set_graph_is_configured_method(
					cls, sink_graph_is_configured)) {
		bt_component_class_sink_put_ref(cls);
		return NULL;
	}
	return cls;
}

/* ---- the graph ---- */

/*
 * COTRACE_LIVE_LOG=W|I|D|T: src.ctf.lttng-live's own log on stderr, for
 * when the stream breaks off (its errors do not all come with a cause).
 */
static bt_logging_level
source_log_level(void)
{
	const char *env = getenv("COTRACE_LIVE_LOG");

	switch (env ? env[0] : 'N') {
	case 'T':
		return BT_LOGGING_LEVEL_TRACE;
	case 'D':
		return BT_LOGGING_LEVEL_DEBUG;
	case 'I':
		return BT_LOGGING_LEVEL_INFO;
	case 'W':
		return BT_LOGGING_LEVEL_WARNING;
	default:
		return BT_LOGGING_LEVEL_NONE;
	}
}

/* v->graph: src.ctf.lttng-live -> the sink. 0, or -1 (error printed). */
static int
build_graph(struct cli_live_view *v, const bt_value *params)
{
	const bt_component_class_source *src_cls;
	const bt_component_source *src = NULL;
	const bt_component_sink *sink = NULL;

	src_cls = bt_plugin_borrow_source_component_class_by_name_const(
			v->ctf, "lttng-live");
	if (!src_cls) {
		cli_error("this babeltrace2 has no src.ctf.lttng-live: install "
			  "babeltrace2 (apt install babeltrace2)");
		return -1;
	}
	v->graph = bt_graph_create(0);
	if (!v->graph ||
			bt_graph_add_source_component(v->graph, src_cls, "live",
					params, source_log_level(), &src) !=
					BT_GRAPH_ADD_COMPONENT_STATUS_OK ||
			bt_graph_add_sink_component_with_initialize_method_data(
					v->graph, v->sink_cls, "view", NULL, v,
					BT_LOGGING_LEVEL_NONE, &sink) !=
					BT_GRAPH_ADD_COMPONENT_STATUS_OK ||
			bt_graph_connect_ports(v->graph,
					bt_component_source_borrow_output_port_by_index_const(
							src, 0),
					bt_component_sink_borrow_input_port_by_index_const(
							sink, 0),
					NULL) !=
					BT_GRAPH_CONNECT_PORTS_STATUS_OK) {
		const bt_error *error = bt_current_thread_take_error();

		cli_error("cannot set up the live reading of %s", v->opts.url);
		print_causes(error);
		if (error) {
			bt_error_release(error);
		}
		return -1;
	}
	return 0;
}

int
cli_live_view_open(struct cli_live_view **view,
		const struct cli_live_view_options *options)
{
	struct cli_live_view *v = calloc(1, sizeof(*v));
	bt_value *params = NULL, *inputs = NULL;
	const char *term = getenv("TERM");
	const char *no_color = getenv("NO_COLOR");

	*view = NULL;
	if (!v) {
		cli_error("out of memory");
		return -1;
	}
	v->opts = *options;
	v->out = options->out ? options->out : stdout;
	v->tty = isatty(fileno(v->out));
	v->color = options->color == 1 ||
		   (options->color == -1 && v->tty && term && *term &&
				   strcmp(term, "dumb") != 0 &&
				   !(no_color && *no_color));
	v->stream_now_ns = COTRACE_TS_NONE;
	v->decoder = cotrace_decoder_create();
	v->log = cotrace_event_log_create();
	v->sink_cls = sink_class_create();
	params = bt_value_map_create();
	inputs = bt_value_array_create();
	if (!v->decoder || !v->log || !v->sink_cls || !params || !inputs ||
			cotrace_event_log_add_path(v->log, options->url) ||
			bt_value_array_append_string_element(
					inputs, options->url) ||
			bt_value_map_insert_entry(params, "inputs", inputs) ||
			bt_value_map_insert_string_entry(params,
					"session-not-found-action", "end")) {
		cli_error("out of memory");
		goto error;
	}
	v->ctf = find_ctf_plugin();
	if (!v->ctf || build_graph(v, params) != 0) {
		goto error;
	}
	v->params = params;
	params = NULL;
	bt_value_put_ref(inputs);
	v->started_ms = cli_live_now_ms();
	v->last_frame_ms =
			v->started_ms - (int64_t)(options->interval_s * 1000);
	*view = v;
	return 0;
error:
	bt_value_put_ref(inputs);
	bt_value_put_ref(params);
	cli_live_view_destroy(v);
	return -1;
}

void
cli_live_view_destroy(struct cli_live_view *v)
{
	if (!v) {
		return;
	}
	/* The sink's finalize releases its iterator first. */
	bt_graph_put_ref(v->graph);
	bt_value_put_ref(v->params);
	bt_component_class_sink_put_ref(v->sink_cls);
	bt_plugin_put_ref(v->ctf);
	cotrace_decoder_destroy(v->decoder);
	cotrace_event_log_destroy(v->log);
	free(v);
}

void
cli_live_view_counts(const struct cli_live_view *v, uint64_t *events,
		uint64_t *cotrace_events)
{
	*events = cotrace_event_log_events(v->log);
	*cotrace_events = cotrace_event_log_cotrace_events(v->log);
}

bool
cli_live_view_broke(const struct cli_live_view *v)
{
	return v->broke || v->failed;
}

unsigned int
cli_live_view_frames(const struct cli_live_view *v)
{
	return v->frames;
}

void
cli_live_view_mark_partial(struct cli_live_view *v, const char *why)
{
	if (cotrace_event_log_mark_damaged(v->log, why)) {
		cli_error("out of memory");
	}
}

/* ---- frames ---- */

static unsigned int
frame_width(const struct cli_live_view *v)
{
	struct winsize ws;
	const char *cols = getenv("COLUMNS");
	unsigned long w = v->opts.width;

	if (!w && v->tty && ioctl(fileno(v->out), TIOCGWINSZ, &ws) == 0 &&
			ws.ws_col > 0) {
		w = ws.ws_col;
	}
	if (!w && cols && *cols >= '0' && *cols <= '9') {
		w = strtoul(cols, NULL, 10);
	}
	if (!w) {
		w = DEFAULT_TERM_WIDTH;
	}
	if (w < MIN_TERM_WIDTH) {
		w = MIN_TERM_WIDTH;
	}
	return w > MAX_TERM_WIDTH ? MAX_TERM_WIDTH : (unsigned int)w;
}

/*
 * What has not ended is drawn up to the stream's "now": the snapshot is
 * ours alone, so its open ends may move.
 */
static void
extend_to_now(struct cotrace_model *m, int64_t now)
{
	if (now == COTRACE_TS_NONE || m->n_processes == 0) {
		return;
	}
	for (size_t i = 0; i < m->n_processes; i++) {
		if (!m->processes[i].exit_seen &&
				m->processes[i].end_ns < now) {
			m->processes[i].end_ns = now;
		}
	}
	for (size_t i = 0; i < m->n_threads; i++) {
		if (!m->threads[i].exit_seen && m->threads[i].end_ns < now) {
			m->threads[i].end_ns = now;
		}
	}
	if (m->last_ns < now) {
		m->last_ns = now;
	}
}

/*
 * A frame of a run that goes on leaves out the warnings that only say it
 * goes on (no exit yet, a task not finished yet): the final report has
 * the warnings that remain true at the end.
 */
static void
drop_running_warnings(struct cotrace_model *m)
{
	size_t kept = 0;

	for (size_t i = 0; i < m->n_warnings; i++) {
		enum cotrace_warning_kind k = m->warnings[i].kind;

		if (k == COTRACE_WARN_PROCESS_NO_EXIT ||
				k == COTRACE_WARN_TASK_UNFINISHED) {
			free(m->warnings[i].message);
			continue;
		}
		m->warnings[kept++] = m->warnings[i];
	}
	m->n_warnings = kept;
}

/* Writes one frame; `final` after the stream ended. Returns 0 or -errno. */
static int
draw_frame(struct cli_live_view *v, bool final)
{
	struct cotrace_timeline_options topts = {0};
	struct cotrace_metrics metrics;
	struct cotrace_model *m;
	double elapsed = (double)(cli_live_now_ms() - v->started_ms) / 1000.0;
	uint64_t events = cotrace_event_log_events(v->log);
	int status = 0;

	m = cotrace_event_log_snapshot(v->log);
	if (!m) {
		return -ENOMEM;
	}
	memset(&metrics, 0, sizeof(metrics));
	if (!final) {
		extend_to_now(m, v->stream_now_ns);
		drop_running_warnings(m);
	}
	if (v->tty) {
		/* Home and clear: the new frame replaces the last. */
		fputs("\033[H\033[2J", v->out);
	}
	if (final) {
		fprintf(v->out,
				"--- live view ended after %u frame%s, %.1f "
				"s, %" PRIu64 " event%s ---\n",
				v->frames, v->frames == 1 ? "" : "s", elapsed,
				events, events == 1 ? "" : "s");
	} else {
		v->frames++;
		fprintf(v->out,
				"--- live frame %u, %.1f s, %" PRIu64
				" event%s ---\n",
				v->frames, elapsed, events,
				events == 1 ? "" : "s");
	}
	if (v->tty) {
		/* The screen was cleared: the URL to give others stays. */
		fprintf(v->out, "%s\n", v->opts.url);
	}
	if (m->n_processes == 0) {
		fprintf(v->out, "(no cotrace events yet from %s)\n",
				v->opts.url);
	} else {
		status = cotrace_metrics_compute(m, &metrics);
		topts.width = frame_width(v);
		topts.color = v->color;
		if (!status) {
			status = cotrace_timeline_render(&cotrace_timeline_term,
					v->out, m, &metrics, &topts);
		}
	}
	cotrace_metrics_release(&metrics);
	cotrace_model_destroy(m);
	if (fflush(v->out) != 0 || ferror(v->out)) {
		status = -(errno ? errno : EIO);
	}
	return status;
}

static void
fail_with_error(struct cli_live_view *v, const char *what)
{
	const bt_error *error = bt_current_thread_take_error();
	double at = (double)(cli_live_now_ms() - v->started_ms) / 1000.0;
	char *why = NULL;

	v->failed = true;
	cli_warn("%s from %s after %.1f s: the view and the report cover the "
		 "%" PRIu64 " events received until then",
			what, v->opts.url, at,
			cotrace_event_log_events(v->log));
	print_causes(error);
	if (error) {
		bt_error_release(error);
	}
	if (asprintf(&why,
			    "the live stream from %s broke off after %.1f s "
			    "(%s): events after that were not received",
			    v->opts.url, at, what) >= 0) {
		cli_live_view_mark_partial(v, why);
		free(why);
	}
}

/*
 * babeltrace2 2.0's live source now and then breaks off (an error with no
 * cause, under load, at the end of a run): the view attaches again, from
 * the relay's newest data, so the lanes go on growing. What came in
 * between is missing: the report says so. 0, or -1 (then fail).
 */
static int
reattach(struct cli_live_view *v)
{
	const bt_error *error = bt_current_thread_take_error();
	double at = (double)(cli_live_now_ms() - v->started_ms) / 1000.0;
	char *why = NULL;

	v->reattaches++;
	if (!v->broke) {
		cli_warn("the live stream from %s broke off after %.1f s; "
			 "reading it again from the newest data",
				v->opts.url, at);
		print_causes(error);
		if (asprintf(&why,
				    "the live stream from %s broke off after "
				    "%.1f s and was read again from the newest "
				    "data: events in between may be missing",
				    v->opts.url, at) >= 0) {
			cli_live_view_mark_partial(v, why);
			free(why);
		}
	}
	if (error) {
		bt_error_release(error);
	}
	v->broke = true;
	/* The sink's finalize releases its iterator. */
	bt_graph_put_ref(v->graph);
	v->graph = NULL;
	/* New trace classes: the decoder's caches start again. */
	cotrace_decoder_destroy(v->decoder);
	v->decoder = cotrace_decoder_create();
	if (!v->decoder) {
		cli_error("out of memory");
		return -1;
	}
	return build_graph(v, v->params);
}

enum cli_live_state
cli_live_view_pump(struct cli_live_view *v, int budget_ms)
{
	int64_t start = cli_live_now_ms(), now;

	while (!v->ended && !v->failed) {
		bt_graph_run_once_status s = bt_graph_run_once(v->graph);

		now = cli_live_now_ms();
		if (s == BT_GRAPH_RUN_ONCE_STATUS_END) {
			v->ended = true;
			break;
		}
		if (s != BT_GRAPH_RUN_ONCE_STATUS_OK &&
				s != BT_GRAPH_RUN_ONCE_STATUS_AGAIN &&
				v->reattaches < MAX_REATTACHES &&
				cotrace_event_log_events(v->log) > 0 &&
				reattach(v) == 0) {
			continue;
		}
		if (s != BT_GRAPH_RUN_ONCE_STATUS_OK &&
				s != BT_GRAPH_RUN_ONCE_STATUS_AGAIN) {
			fail_with_error(v,
					v->frames || cotrace_event_log_events(
								     v->log)
							? "lost the live stream"
							: "cannot read the "
							  "live "
							  "stream");
			break;
		}
		if (now - v->last_frame_ms >=
				(int64_t)(v->opts.interval_s * 1000)) {
			int err = draw_frame(v, false);

			/* On schedule, not drifting with the drawing time. */
			v->last_frame_ms +=
					(int64_t)(v->opts.interval_s * 1000);
			if (v->last_frame_ms <
					now - (int64_t)(v->opts.interval_s *
							      1000)) {
				v->last_frame_ms = now;
			}
			if (err) {
				cli_error("cannot draw the live view: %s",
						strerror(-err));
				v->failed = true;
				break;
			}
		}
		if (now - start >= budget_ms) {
			break;
		}
		if (s == BT_GRAPH_RUN_ONCE_STATUS_AGAIN) {
			sleep_ms(AGAIN_SLEEP_MS);
		}
	}
	return v->failed  ? CLI_LIVE_FAILED
	       : v->ended ? CLI_LIVE_ENDED
			  : CLI_LIVE_RUNNING;
}

enum cli_live_state
cli_live_view_drain(struct cli_live_view *v, int timeout_ms)
{
	int64_t deadline = cli_live_now_ms() + timeout_ms;
	enum cli_live_state state = CLI_LIVE_RUNNING;

	while (state == CLI_LIVE_RUNNING) {
		int64_t left = deadline - cli_live_now_ms();

		if (left <= 0) {
			break;
		}
		state = cli_live_view_pump(v, (int)(left < 200 ? left : 200));
	}
	return state;
}

int
cli_live_view_finish(struct cli_live_view *v)
{
	const struct cotrace_report_format *fmt = cotrace_report_format_find(
			v->opts.format ? v->opts.format : "text");
	struct cotrace_metrics metrics;
	struct cotrace_model *m;
	uint64_t events = cotrace_event_log_events(v->log);
	bool partial = v->failed || v->broke || !v->ended;
	int status;

	if (v->tty || v->frames > 0) {
		status = draw_frame(v, true);
		if (status) {
			cli_error("cannot draw the live view: %s",
					strerror(-status));
			return CLI_EXIT_FAILURE;
		}
	}
	if (cotrace_event_log_cotrace_events(v->log) == 0 && v->failed) {
		cli_error("nothing was received from %s before the stream "
			  "broke off",
				v->opts.url);
		return CLI_EXIT_FAILURE;
	}
	if (cotrace_event_log_cotrace_events(v->log) == 0) {
		cli_error("no cotrace events received from %s (%" PRIu64
			  " other event%s)%s",
				v->opts.url, events, events == 1 ? "" : "s",
				partial ? "" : ": the session recorded none");
		return CLI_EXIT_NO_EVENTS;
	}
	m = cotrace_event_log_snapshot(v->log);
	if (!m) {
		cli_error("out of memory");
		return CLI_EXIT_FAILURE;
	}
	memset(&metrics, 0, sizeof(metrics));
	status = cotrace_metrics_compute(m, &metrics);
	if (!status && partial) {
		cli_warn("the report below is partial: it covers only what "
			 "was received");
	}
	if (!status) {
		status = fmt->render(v->out, m, &metrics);
	}
	cotrace_metrics_release(&metrics);
	cotrace_model_destroy(m);
	if (status) {
		cli_error("cannot write the report: %s", strerror(-status));
		return CLI_EXIT_FAILURE;
	}
	if (fflush(v->out) != 0) {
		cli_error("cannot write the report: %s", strerror(errno));
		return CLI_EXIT_FAILURE;
	}
	return partial ? CLI_EXIT_DAMAGED : CLI_EXIT_OK;
}
