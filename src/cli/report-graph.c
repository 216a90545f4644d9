/*
 * `cotrace report`'s pipeline: find the CTF traces under the given paths,
 * run src.ctf.fs (one per trace) -> flt.utils.muxer -> a cotrace sink
 * in-process (sink.cotrace.report for the report, sink.cotrace.chrome for
 * `cotrace timeline --format chrome`: cli_read_traces() takes the sink),
 * and render the model the report sink filled.
 *
 * The sink only feeds the model (or the writer): when decoding fails part
 * way, what was decoded is still reported, with a trace-damaged warning and
 * exit code 5.
 * A trace that src.ctf.fs refuses outright (it indexes every stream file
 * when it starts, so one truncated file fails the whole trace) is retried
 * without its unreadable stream files, through a temporary folder of
 * symlinks, so that the intact streams still count.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <babeltrace2/babeltrace.h>

#include "cli.h"
#include "metrics.h"
#include "model.h"
#include "report.h"
#include "sink-report.h"

/* Deeper folders are not searched: a trace is never that far down. */
#define SEARCH_DEPTH_MAX 16
/* Error causes printed per failure; babeltrace2 chains can be long. */
#define CAUSES_MAX 5
#define PROGRESS_DELAY_S 1.0
#define PROGRESS_PERIOD_S 0.2

struct trace_dir {
	char *path;	/* owned: as found under the user's path */
	char *real;	/* owned: canonical, to drop duplicates */
	char *input;	/* owned: what src.ctf.fs reads (a salvage
			   folder when some stream files are bad) */
	char **dropped; /* owned: stream files left out */
	size_t n_dropped;
	/* owned: stream files shorter than their index says, described */
	char *short_files;
	size_t n_short;
	bool failed; /* unreadable, left out of the graph */
	bool salvage_tried;
	char *why;    /* owned: what went wrong, one line */
	char *causes; /* owned: babeltrace2's causes, indented */
};

struct report_run {
	const char *const *paths; /* borrowed: the user's paths */
	size_t n_paths;
	struct trace_dir *traces; /* owned */
	size_t n_traces, cap_traces;
	const struct cli_sink *sink; /* borrowed: where the graph ends */
	const bt_plugin *ctf;	     /* owned */
	const bt_plugin *utils;	     /* owned */
	char *salvage_root;	     /* owned: temporary folder, removed */
	size_t next_link_dir;	     /* names the folders under it */
};

/* ---- babeltrace2 errors ---- */

static const char *
class_type_name(bt_component_class_type type)
{
	switch (type) {
	case BT_COMPONENT_CLASS_TYPE_SOURCE:
		return "source";
	case BT_COMPONENT_CLASS_TYPE_FILTER:
		return "filter";
	case BT_COMPONENT_CLASS_TYPE_SINK:
		return "sink";
	default:
		return "component";
	}
}

/* "source.ctf.fs" for a cause raised by a component, else NULL. */
static void
cause_actor(const bt_error_cause *cause, char *buf, size_t size)
{
	const char *plugin = NULL, *cls = NULL;
	bt_component_class_type type = BT_COMPONENT_CLASS_TYPE_SOURCE;

	buf[0] = '\0';
	switch (bt_error_cause_get_actor_type(cause)) {
	case BT_ERROR_CAUSE_ACTOR_TYPE_COMPONENT:
		plugin = bt_error_cause_component_actor_get_plugin_name(cause);
		cls = bt_error_cause_component_actor_get_component_class_name(
				cause);
		type = bt_error_cause_component_actor_get_component_class_type(
				cause);
		break;
	case BT_ERROR_CAUSE_ACTOR_TYPE_COMPONENT_CLASS:
		plugin = bt_error_cause_component_class_actor_get_plugin_name(
				cause);
		cls = bt_error_cause_component_class_actor_get_component_class_name(
				cause);
		type = bt_error_cause_component_class_actor_get_component_class_type(
				cause);
		break;
	case BT_ERROR_CAUSE_ACTOR_TYPE_MESSAGE_ITERATOR:
		plugin = bt_error_cause_message_iterator_actor_get_plugin_name(
				cause);
		cls = bt_error_cause_message_iterator_actor_get_component_class_name(
				cause);
		type = bt_error_cause_message_iterator_actor_get_component_class_type(
				cause);
		break;
	default:
		return;
	}
	snprintf(buf, size, "%s.%s%s%s", class_type_name(type),
			plugin ? plugin : "cotrace", cls ? "." : "",
			cls ? cls : "");
}

/* bt_error_release() refuses NULL. */
static void
release_error(const bt_error *error)
{
	if (error) {
		bt_error_release(error);
	}
}

/* One line: babeltrace2 messages may hold newlines. */
static void
print_flat(FILE *out, const char *msg)
{
	for (const char *p = msg; *p; p++) {
		fputc(*p == '\n' || *p == '\t' ? ' ' : *p, out);
	}
}

/*
 * The causes raised by components, innermost (the reason) first, then what
 * it made fail; the library's own causes (addresses, internal states) only
 * when no component said anything.
 */
static void
print_causes(FILE *out, const bt_error *error)
{
	uint64_t n = error ? bt_error_get_cause_count(error) : 0;
	size_t printed = 0, components = 0;
	char actor[128];

	for (uint64_t i = 0; i < n; i++) {
		cause_actor(bt_error_borrow_cause_by_index(error, i), actor,
				sizeof(actor));
		components += actor[0] != '\0';
	}
	for (uint64_t i = 0; i < n && printed < CAUSES_MAX; i++) {
		const bt_error_cause *cause =
				bt_error_borrow_cause_by_index(error, i);

		cause_actor(cause, actor, sizeof(actor));
		if (components > 0 && !actor[0]) {
			continue;
		}
		fprintf(out, "  %s: ",
				actor[0] ? actor
					 : bt_error_cause_get_module_name(
							   cause));
		print_flat(out, bt_error_cause_get_message(cause));
		fputc('\n', out);
		printed++;
	}
	if (n > printed && components > CAUSES_MAX) {
		fprintf(out, "  (%zu more cause%s)\n",
				(size_t)(components - printed),
				components - printed == 1 ? "" : "s");
	}
}

/* The causes as print_causes() writes them, in a new string (or NULL). */
static char *
format_causes(const bt_error *error)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	if (!out) {
		return NULL;
	}
	print_causes(out, error);
	if (fclose(out) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* The innermost component cause: the most specific reason. Owned string. */
static char *
root_cause(const bt_error *error)
{
	uint64_t n = error ? bt_error_get_cause_count(error) : 0;
	const char *msg = NULL;
	char actor[128];
	char *flat;

	/* Cause 0 is the first appended: the innermost. */
	for (uint64_t i = 0; i < n; i++) {
		const bt_error_cause *cause =
				bt_error_borrow_cause_by_index(error, i);

		cause_actor(cause, actor, sizeof(actor));
		if (actor[0] || !msg) {
			msg = bt_error_cause_get_message(cause);
		}
		if (actor[0]) {
			break;
		}
	}
	flat = strdup(msg ? msg : "unknown error");
	for (char *p = flat; p && *p; p++) {
		if (*p == '\n' || *p == '\t') {
			*p = ' ';
		}
	}
	return flat;
}

/*
 * babeltrace2 messages end in "key=value, ..." details (addresses, states)
 * that mean nothing to a student: a headline keeps what comes before.
 */
static void
strip_details(char *msg)
{
	char *colon = strstr(msg, ": ");

	if (colon && strchr(colon, '=')) {
		*colon = '\0';
	}
}

/* The trace whose source component (named trace-N) raised a cause. */
static size_t
failed_trace_index(const bt_error *error, size_t n_traces)
{
	uint64_t n = error ? bt_error_get_cause_count(error) : 0;

	for (uint64_t i = 0; i < n; i++) {
		const bt_error_cause *cause =
				bt_error_borrow_cause_by_index(error, i);
		const char *name = NULL;
		char *end;
		unsigned long index;

		if (bt_error_cause_get_actor_type(cause) ==
				BT_ERROR_CAUSE_ACTOR_TYPE_MESSAGE_ITERATOR) {
			name = bt_error_cause_message_iterator_actor_get_component_name(
					cause);
		} else if (bt_error_cause_get_actor_type(cause) ==
				BT_ERROR_CAUSE_ACTOR_TYPE_COMPONENT) {
			name = bt_error_cause_component_actor_get_component_name(
					cause);
		}
		if (!name || strncmp(name, "trace-", 6)) {
			continue;
		}
		index = strtoul(name + 6, &end, 10);
		if (*end == '\0' && index < n_traces) {
			return index;
		}
	}
	return SIZE_MAX;
}

/* ---- finding the traces ---- */

static int
add_trace(struct report_run *run, const char *path)
{
	char real[PATH_MAX];
	struct trace_dir *t;
	void *p;

	if (!realpath(path, real)) {
		snprintf(real, sizeof(real), "%s", path);
	}
	for (size_t i = 0; i < run->n_traces; i++) {
		if (!strcmp(run->traces[i].real, real)) {
			return 0;
		}
	}
	if (run->n_traces == run->cap_traces) {
		size_t cap = run->cap_traces ? run->cap_traces * 2 : 8;

		p = realloc(run->traces, cap * sizeof(*run->traces));
		if (!p) {
			return -ENOMEM;
		}
		run->traces = p;
		run->cap_traces = cap;
	}
	t = &run->traces[run->n_traces];
	memset(t, 0, sizeof(*t));
	t->path = strdup(path);
	t->real = strdup(real);
	t->input = strdup(path);
	if (!t->path || !t->real || !t->input) {
		free(t->path);
		free(t->real);
		free(t->input);
		return -ENOMEM;
	}
	run->n_traces++;
	return 0;
}

static bool
has_metadata(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;

	if (snprintf(path, sizeof(path), "%s/metadata", dir) >=
			(int)sizeof(path)) {
		return false;
	}
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
join_path(const char *dir, const char *name)
{
	char *path;
	size_t len = strlen(dir);

	if (asprintf(&path, "%s%s%s", dir,
			    len && dir[len - 1] == '/' ? "" : "/", name) < 0) {
		return NULL;
	}
	return path;
}

/*
 * As the babeltrace2 CLI's auto-discovery: a folder holding a `metadata`
 * file is a trace (not searched further); other folders are searched, in
 * name order so that reports are reproducible.
 */
static int
search_dir(struct report_run *run, const char *dir, int depth)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int status = 0;

	if (has_metadata(dir)) {
		return add_trace(run, dir);
	}
	if (depth >= SEARCH_DEPTH_MAX) {
		return 0;
	}
	d = opendir(dir);
	if (!d) {
		if (depth > 0) {
			cli_warn("cannot search '%s': %s; skipped", dir,
					strerror(errno));
			return 0;
		}
		return -errno;
	}
	while ((de = readdir(d))) {
		char *path;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) {
			continue;
		}
		path = join_path(dir, de->d_name);
		if (!path) {
			status = -ENOMEM;
			break;
		}
		if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
			free(path);
			continue;
		}
		if (n == cap) {
			char **p;

			cap = cap ? cap * 2 : 16;
			p = realloc(names, cap * sizeof(*names));
			if (!p) {
				free(path);
				status = -ENOMEM;
				break;
			}
			names = p;
		}
		names[n++] = path;
	}
	closedir(d);
	if (status == 0 && n > 0) {
		qsort(names, n, sizeof(*names), cmp_names);
	}
	for (size_t i = 0; i < n; i++) {
		if (status == 0) {
			status = search_dir(run, names[i], depth + 1);
		}
		free(names[i]);
	}
	free(names);
	return status;
}

static int
find_traces(struct report_run *run)
{
	for (size_t i = 0; i < run->n_paths; i++) {
		const char *path = run->paths[i];
		size_t before = run->n_traces;
		struct stat st;
		int status;

		if (stat(path, &st) != 0) {
			cli_error("cannot open trace '%s': %s", path,
					strerror(errno));
			return CLI_EXIT_NO_TRACE;
		}
		if (S_ISREG(st.st_mode)) {
			const char *base = strrchr(path, '/');

			/* A trace's metadata file names its trace. */
			if (!strcmp(base ? base + 1 : path, "metadata")) {
				char *dir = strdup(path);

				if (!dir) {
					goto nomem;
				}
				if (base) {
					dir[base - path + (base == path)] =
							'\0';
				} else {
					strcpy(dir, ".");
				}
				status = add_trace(run, dir);
				free(dir);
				if (status) {
					goto nomem;
				}
				continue;
			}
		} else if (S_ISDIR(st.st_mode)) {
			status = search_dir(run, path, 0);
			if (status == -ENOMEM) {
				goto nomem;
			}
			if (status) {
				cli_error("cannot open trace '%s': %s", path,
						strerror(-status));
				return CLI_EXIT_NO_TRACE;
			}
		}
		if (run->n_traces == before) {
			cli_error("no CTF trace under '%s' (expected the "
				  "folder "
				  "written by `cotrace record -o`, or a trace "
				  "folder holding a metadata file)",
					path);
			return CLI_EXIT_NO_TRACE;
		}
	}
	return CLI_EXIT_OK;

nomem:
	cli_error("out of memory");
	return CLI_EXIT_FAILURE;
}

/* ---- the graph ---- */

static int
load_plugins(struct report_run *run)
{
	static const char *const names[] = {"ctf", "utils"};
	const bt_plugin **plugins[] = {&run->ctf, &run->utils};

	for (size_t i = 0; i < 2; i++) {
		/* A broken plugin elsewhere in the path must not stop us. */
		if (bt_plugin_find(names[i], BT_TRUE, BT_TRUE, BT_TRUE, BT_TRUE,
				    BT_FALSE,
				    plugins[i]) != BT_PLUGIN_FIND_STATUS_OK) {
			bt_current_thread_clear_error();
			cli_error("cannot find the babeltrace2 '%s' plugin: "
				  "install babeltrace2 (apt install "
				  "babeltrace2) "
				  "or set BABELTRACE_PLUGIN_PATH",
					names[i]);
			return -1;
		}
	}
	return 0;
}

static const bt_component_source *
add_source(bt_graph *graph, const bt_component_class_source *cls,
		const char *name, const char *input)
{
	const bt_component_source *comp = NULL;
	bt_value *params = bt_value_map_create();
	bt_value *inputs = bt_value_array_create();

	if (!params || !inputs ||
			bt_value_array_append_string_element(inputs, input) ||
			bt_value_map_insert_entry(params, "inputs", inputs)) {
		goto end;
	}
	if (bt_graph_add_source_component(graph, cls, name, params,
			    BT_LOGGING_LEVEL_NONE,
			    &comp) != BT_GRAPH_ADD_COMPONENT_STATUS_OK) {
		comp = NULL;
	}
end:
	bt_value_put_ref(inputs);
	bt_value_put_ref(params);
	return comp;
}

/* The muxer makes a new input port each time one gets connected. */
static const bt_port_input *
free_muxer_port(const bt_component_filter *muxer)
{
	uint64_t n = bt_component_filter_get_input_port_count(muxer);

	for (uint64_t i = 0; i < n; i++) {
		const bt_port_input *port =
				bt_component_filter_borrow_input_port_by_index_const(
						muxer, i);

		if (!bt_port_is_connected(bt_port_input_as_port_const(port))) {
			return port;
		}
	}
	return NULL;
}

static int
connect_source(bt_graph *graph, const bt_component_source *src,
		const bt_component_filter *muxer)
{
	uint64_t n = bt_component_source_get_output_port_count(src);

	for (uint64_t i = 0; i < n; i++) {
		const bt_port_input *in = free_muxer_port(muxer);

		if (!in || bt_graph_connect_ports(graph,
					   bt_component_source_borrow_output_port_by_index_const(
							   src, i),
					   in, NULL) !=
						BT_GRAPH_CONNECT_PORTS_STATUS_OK) {
			return -1;
		}
	}
	return 0;
}

enum build_result {
	BUILD_OK,
	BUILD_TRACE_FAILED, /* retry without the trace marked failed */
	BUILD_FAILED,	    /* printed; give up */
};

static void
fail_trace(struct trace_dir *t, const bt_error *error)
{
	t->failed = true;
	free(t->why);
	t->why = root_cause(error);
	if (t->why) {
		strip_details(t->why);
	}
	free(t->causes);
	t->causes = format_causes(error);
}

static void set_why(struct trace_dir *t, const char *why);

/*
 * Whether the trace's packetized metadata file ends inside a packet.
 * babeltrace2 2.0's metadata reader loops forever on such a file, so it is
 * refused before src.ctf.fs sees it. A plain-text metadata file, or one
 * that cannot be read, is left for src.ctf.fs to judge.
 */
static bool
metadata_cut_short(const char *trace_dir)
{
	/* CTF 1.8 metadata packet header: magic, uuid, checksum, then sizes. */
	enum {
		MAGIC_OFF = 0,
		CONTENT_SIZE_OFF = 24,
		PACKET_SIZE_OFF = 28,
		HEADER_LEN = 37,
	};
	unsigned char header[HEADER_LEN];
	bool cut = false;
	uint32_t magic;
	off_t size, at = 0;
	struct stat st;
	char *path;
	int fd;

	if (asprintf(&path, "%s/metadata", trace_dir) < 0) {
		return false;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0) {
		return false;
	}
	if (fstat(fd, &st)) {
		goto end;
	}
	size = st.st_size;
	while (at < size) {
		uint32_t content_bits, packet_bits;

		if (pread(fd, header, sizeof(header), at) !=
				(ssize_t)sizeof(header)) {
			cut = at > 0; /* a header cut short */
			break;
		}
		memcpy(&magic, header + MAGIC_OFF, sizeof(magic));
		if (magic != 0x75d11d57u) {
			break; /* text metadata, or garbage: not ours to judge */
		}
		memcpy(&content_bits, header + CONTENT_SIZE_OFF,
				sizeof(content_bits));
		memcpy(&packet_bits, header + PACKET_SIZE_OFF,
				sizeof(packet_bits));
		if (packet_bits < HEADER_LEN * 8 || content_bits > packet_bits) {
			break;
		}
		if (at + (off_t)(packet_bits / 8) > size) {
			cut = true;
			break;
		}
		at += packet_bits / 8;
	}
end:
	close(fd);
	return cut;
}

static enum build_result
build_graph(struct report_run *run, bt_graph **graph_out)
{
	const bt_component_class_source *fs =
			bt_plugin_borrow_source_component_class_by_name_const(
					run->ctf, "fs");
	const bt_component_class_filter *muxer_cls =
			bt_plugin_borrow_filter_component_class_by_name_const(
					run->utils, "muxer");
	const bt_component_filter *muxer = NULL;
	const bt_component_sink *sink = NULL;
	enum build_result result = BUILD_FAILED;
	const bt_error *error;
	bt_graph *graph;

	*graph_out = NULL;
	if (!fs || !muxer_cls) {
		cli_error("the babeltrace2 plugins lack source.ctf.fs or "
			  "filter.utils.muxer: reinstall babeltrace2");
		return BUILD_FAILED;
	}
	graph = bt_graph_create(0);
	if (!graph) {
		goto error;
	}
	if (bt_graph_add_filter_component(graph, muxer_cls, "muxer", NULL,
			    BT_LOGGING_LEVEL_NONE,
			    &muxer) != BT_GRAPH_ADD_COMPONENT_STATUS_OK ||
			bt_graph_add_sink_component_with_initialize_method_data(
					graph, run->sink->cls, run->sink->name,
					NULL, run->sink->init,
					BT_LOGGING_LEVEL_NONE, &sink) !=
					BT_GRAPH_ADD_COMPONENT_STATUS_OK) {
		goto error;
	}
	for (size_t i = 0; i < run->n_traces; i++) {
		struct trace_dir *t = &run->traces[i];
		const bt_component_source *src;
		char name[32];

		if (t->failed) {
			continue;
		}
		if (metadata_cut_short(t->path)) {
			t->failed = true;
			t->salvage_tried = true;
			set_why(t, "its metadata file is cut short (truncated)");
			result = BUILD_TRACE_FAILED;
			goto end;
		}
		snprintf(name, sizeof(name), "trace-%zu", i);
		src = add_source(graph, fs, name, t->input);
		if (!src) {
			error = bt_current_thread_take_error();
			fail_trace(t, error);
			release_error(error);
			result = BUILD_TRACE_FAILED;
			goto end;
		}
		if (connect_source(graph, src, muxer)) {
			goto error;
		}
	}
	if (bt_graph_connect_ports(graph,
			    bt_component_filter_borrow_output_port_by_name_const(
					    muxer, "out"),
			    bt_component_sink_borrow_input_port_by_name_const(
					    sink, "in"),
			    NULL) != BT_GRAPH_CONNECT_PORTS_STATUS_OK) {
		goto error;
	}
	*graph_out = graph;
	return BUILD_OK;

error:
	error = bt_current_thread_take_error();
	cli_error("cannot build the babeltrace2 graph that reads the traces");
	print_causes(stderr, error);
	release_error(error);
end:
	bt_graph_put_ref(graph);
	return result;
}

/* ---- progress ---- */

struct progress {
	bool enabled;
	bool shown;
	double start, next;
	int width;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
progress_update(struct progress *p, const struct cli_sink *sink)
{
	uint64_t events = 0, cotrace_events = 0;
	double now;
	int len;

	if (!p->enabled) {
		return;
	}
	now = now_s();
	if (now - p->start < PROGRESS_DELAY_S || now < p->next) {
		return;
	}
	sink->counts(sink->data, &events, &cotrace_events);
	len = fprintf(stderr, "\rcotrace: decoding... %" PRIu64 " events",
			events);
	if (len > p->width) {
		p->width = len;
	}
	p->next = now + PROGRESS_PERIOD_S;
	p->shown = true;
}

static void
progress_clear(struct progress *p)
{
	if (p->shown) {
		fprintf(stderr, "\r%*s\r", p->width, "");
		p->shown = false;
	}
}

/*
 * Runs the graph to its end. Returns 0, or -1 with the error taken into
 * *error (owned by the caller).
 */
static int
run_graph(bt_graph *graph, const struct cli_sink *sink, const bt_error **error)
{
	struct progress p = {.enabled = isatty(STDERR_FILENO) == 1};
	int status = 0;

	p.start = now_s();
	for (;;) {
		bt_graph_run_once_status s = bt_graph_run_once(graph);

		if (s == BT_GRAPH_RUN_ONCE_STATUS_END) {
			break;
		}
		if (s == BT_GRAPH_RUN_ONCE_STATUS_AGAIN) {
			/* Only live sources wait; files never do for long. */
			struct timespec pause = {0, 1000000};

			nanosleep(&pause, NULL);
		} else if (s != BT_GRAPH_RUN_ONCE_STATUS_OK) {
			*error = bt_current_thread_take_error();
			status = -1;
			break;
		}
		progress_update(&p, sink);
	}
	progress_clear(&p);
	return status;
}

/* ---- salvage ---- */

/* rm -r of a folder holding only symlinks and folders of symlinks. */
static void
remove_tree(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d) {
		return;
	}
	while ((de = readdir(d))) {
		char *path;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) {
			continue;
		}
		path = join_path(dir, de->d_name);
		if (!path) {
			continue;
		}
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			remove_tree(path);
		} else {
			unlink(path);
		}
		free(path);
	}
	closedir(d);
	rmdir(dir);
}

/* The data stream files of a trace folder (everything but metadata). */
static int
stream_files(const char *dir, char ***files, size_t *n_files)
{
	size_t cap = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	*files = NULL;
	*n_files = 0;
	if (!d) {
		return -errno;
	}
	while ((de = readdir(d))) {
		char *path;
		struct stat st;
		bool keep;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "metadata")) {
			continue;
		}
		path = join_path(dir, de->d_name);
		if (!path) {
			break;
		}
		keep = stat(path, &st) == 0 && S_ISREG(st.st_mode);
		free(path);
		if (!keep) {
			continue;
		}
		if (*n_files == cap) {
			char **p;

			cap = cap ? cap * 2 : 16;
			p = realloc(*files, cap * sizeof(**files));
			if (!p) {
				break;
			}
			*files = p;
		}
		(*files)[*n_files] = strdup(de->d_name);
		if (!(*files)[*n_files]) {
			break;
		}
		(*n_files)++;
	}
	closedir(d);
	if (de) {
		return -ENOMEM;
	}
	if (*n_files > 0) {
		qsort(*files, *n_files, sizeof(**files), cmp_names);
	}
	return 0;
}

/* A folder of symlinks: `metadata` and the given stream files of `trace`. */
static char *
make_link_dir(struct report_run *run, const char *trace, char **files,
		size_t n_files)
{
	char real[PATH_MAX], *dir = NULL, *link = NULL, *target = NULL;

	if (!realpath(trace, real)) {
		return NULL;
	}
	if (!run->salvage_root) {
		const char *tmp = getenv("TMPDIR");

		if (asprintf(&run->salvage_root, "%s/cotrace-report-XXXXXX",
				    tmp && *tmp ? tmp : "/tmp") < 0) {
			run->salvage_root = NULL;
			return NULL;
		}
		if (!mkdtemp(run->salvage_root)) {
			free(run->salvage_root);
			run->salvage_root = NULL;
			return NULL;
		}
	}
	if (asprintf(&dir, "%s/%zu", run->salvage_root, run->next_link_dir++) <
			0) {
		return NULL;
	}
	if (mkdir(dir, 0700) != 0) {
		goto error;
	}
	for (size_t i = 0; i <= n_files; i++) {
		const char *name = i < n_files ? files[i] : "metadata";

		if (asprintf(&link, "%s/%s", dir, name) < 0) {
			link = NULL;
			goto error;
		}
		if (asprintf(&target, "%s/%s", real, name) < 0) {
			target = NULL;
			goto error;
		}
		if (symlink(target, link) != 0) {
			goto error;
		}
		free(link);
		free(target);
		link = target = NULL;
	}
	return dir;

error:
	free(link);
	free(target);
	free(dir);
	return NULL;
}

static void
set_why(struct trace_dir *t, const char *why)
{
	char *s = strdup(why);

	if (s) {
		free(t->why);
		t->why = s;
	}
}

/* Can src.ctf.fs open `input`? A throwaway graph finds out. */
static bool
source_opens(struct report_run *run, const char *input)
{
	const bt_component_class_source *fs =
			bt_plugin_borrow_source_component_class_by_name_const(
					run->ctf, "fs");
	bt_graph *graph = bt_graph_create(0);
	bool ok = graph && add_source(graph, fs, "probe", input);

	bt_graph_put_ref(graph);
	bt_current_thread_clear_error();
	return ok;
}

/*
 * The trace failed to open: keep the stream files that open on their own
 * (with the metadata) and read those. Returns true when some were kept.
 */
static bool
salvage_trace(struct report_run *run, size_t index)
{
	struct trace_dir *t = &run->traces[index];
	char **files = NULL, **good = NULL, *dir;
	size_t n_files = 0, n_good = 0;
	bool salvaged = false;

	t->salvage_tried = true;
	dir = make_link_dir(run, t->path, NULL, 0);
	if (dir && !source_opens(run, dir)) {
		set_why(t, "its metadata file is damaged or is not CTF "
			   "metadata");
		free(dir);
		goto end;
	}
	free(dir);
	if (stream_files(t->path, &files, &n_files) || n_files < 1) {
		goto end;
	}
	good = calloc(n_files, sizeof(*good));
	t->dropped = calloc(n_files, sizeof(*t->dropped));
	if (!good || !t->dropped) {
		goto end;
	}
	for (size_t i = 0; i < n_files; i++) {
		dir = make_link_dir(run, t->path, &files[i], 1);
		if (dir && source_opens(run, dir)) {
			good[n_good++] = files[i];
		} else {
			t->dropped[t->n_dropped++] = files[i];
		}
		free(dir);
	}
	if (n_good == 0) {
		set_why(t, "none of its data stream files can be read "
			   "(truncated or damaged)");
		goto end;
	}
	if (t->n_dropped == 0) {
		goto end;
	}
	dir = make_link_dir(run, t->path, good, n_good);
	if (!dir) {
		goto end;
	}
	free(t->input);
	t->input = dir;
	t->failed = false;
	salvaged = true;

end:
	if (!salvaged) {
		t->n_dropped = 0;
		free(t->dropped);
		t->dropped = NULL;
		for (size_t i = 0; i < n_files; i++) {
			free(files[i]);
		}
	} else {
		for (size_t i = 0; i < n_good; i++) {
			free(good[i]);
		}
	}
	free(files);
	free(good);
	return salvaged;
}

/* ---- stream files against their index ---- */

#define CTF_INDEX_MAGIC 0xC1F1DCC1u
#define CTF_INDEX_HEADER 16
/* An index longer than this is not read to its end. */
#define INDEX_ENTRIES_MAX 1000000

static uint64_t
be64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++) {
		v = v << 8 | p[i];
	}
	return v;
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/*
 * The bytes the index file `idx` says its stream file holds (the end of
 * its last packet), and its number of packets; false when it is not an
 * LTTng index (garbage is ignored: the stream files still decide).
 */
static bool
index_expects(const char *idx, uint64_t *bytes, uint64_t *packets)
{
	unsigned char head[CTF_INDEX_HEADER], entry[16];
	uint32_t entry_len;
	bool ok = false;
	FILE *f = fopen(idx, "rb");

	*bytes = 0;
	*packets = 0;
	if (!f) {
		return false;
	}
	if (fread(head, 1, sizeof(head), f) != sizeof(head) ||
			be32(head) != CTF_INDEX_MAGIC) {
		goto end;
	}
	entry_len = be32(head + 12);
	if (entry_len < sizeof(entry) || entry_len > 4096) {
		goto end;
	}
	/* Each entry: offset (bytes), packet size (bits), then more. */
	while (*packets < INDEX_ENTRIES_MAX &&
			fread(entry, 1, sizeof(entry), f) == sizeof(entry)) {
		uint64_t end = be64(entry) + be64(entry + 8) / 8;

		if (end > *bytes) {
			*bytes = end;
		}
		(*packets)++;
		if (fseek(f, (long)(entry_len - sizeof(entry)), SEEK_CUR)) {
			break;
		}
	}
	ok = *packets > 0;
end:
	fclose(f);
	return ok;
}

/*
 * Stream files that are missing, or shorter than their index says: an
 * emptied or deleted stream file reads as no packet at all, so only the
 * index shows that its events are gone.
 */
static int
check_indexes(struct trace_dir *t)
{
	char *dir = join_path(t->path, "index");
	struct dirent *de;
	size_t len = 0;
	DIR *d;

	if (!dir) {
		return -ENOMEM;
	}
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		size_t n = strlen(de->d_name);
		char *idx, *stream, *name, line[512];
		uint64_t bytes, packets;
		struct stat st;
		int w;

		if (n <= 4 || strcmp(de->d_name + n - 4, ".idx") ||
				de->d_name[0] == '.') {
			continue;
		}
		name = strndup(de->d_name, n - 4);
		idx = join_path(dir, de->d_name);
		stream = name ? join_path(t->path, name) : NULL;
		if (!name || !idx || !stream) {
			free(name);
			free(idx);
			free(stream);
			closedir(d);
			free(dir);
			return -ENOMEM;
		}
		w = 0;
		if (index_expects(idx, &bytes, &packets)) {
			if (stat(stream, &st) != 0) {
				w = snprintf(line, sizeof(line),
						"%s is missing (its index "
						"lists %" PRIu64 " packet%s)",
						name, packets,
						packets == 1 ? "" : "s");
			} else if ((uint64_t)st.st_size < bytes) {
				w = snprintf(line, sizeof(line),
						"%s holds %" PRIu64 " of the "
						"%" PRIu64 " bytes its index "
						"lists",
						name, (uint64_t)st.st_size,
						bytes);
			}
		}
		if (w > 0) {
			char *p = realloc(t->short_files,
					len + strlen(line) + 3);

			if (!p) {
				free(name);
				free(idx);
				free(stream);
				closedir(d);
				free(dir);
				return -ENOMEM;
			}
			t->short_files = p;
			len += (size_t)sprintf(p + len, "%s%s",
					t->n_short ? ", " : "", line);
			t->n_short++;
		}
		free(name);
		free(idx);
		free(stream);
	}
	if (d) {
		closedir(d);
	}
	free(dir);
	return 0;
}

/* ---- the report ---- */

static void
release_run(struct report_run *run)
{
	for (size_t i = 0; i < run->n_traces; i++) {
		struct trace_dir *t = &run->traces[i];

		free(t->path);
		free(t->real);
		free(t->input);
		free(t->why);
		free(t->causes);
		free(t->short_files);
		for (size_t k = 0; k < t->n_dropped; k++) {
			free(t->dropped[k]);
		}
		free(t->dropped);
	}
	free(run->traces);
	bt_plugin_put_ref(run->ctf);
	bt_plugin_put_ref(run->utils);
	if (run->salvage_root) {
		remove_tree(run->salvage_root);
		free(run->salvage_root);
	}
}

/* "'a', 'b'" for messages naming all the user's paths. */
static void
print_paths(FILE *out, const char *const *paths, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "%s'%s'", i ? ", " : "", paths[i]);
	}
}

/* Finishes the model (taken) and computes its metrics into `analysis`. */
static int
analyse(struct cotrace_model **model, struct cli_analysis *analysis)
{
	int status;

	memset(&analysis->metrics, 0, sizeof(analysis->metrics));
	status = cotrace_model_finish(*model);
	if (status == 0) {
		status = cotrace_metrics_compute(*model, &analysis->metrics);
	}
	if (status) {
		cli_error("cannot analyse the events: %s", strerror(-status));
		cotrace_metrics_release(&analysis->metrics);
		return CLI_EXIT_FAILURE;
	}
	analysis->model = *model;
	*model = NULL;
	return CLI_EXIT_OK;
}

static void
model_counts(void *data, uint64_t *events, uint64_t *cotrace_events)
{
	const struct cotrace_model *model = data;

	*events = model->events;
	*cotrace_events = model->cotrace_events;
}

static int
model_add_path(void *data, const char *path)
{
	return cotrace_model_add_path(data, path);
}

static int
model_mark_damaged(void *data, const char *why)
{
	return cotrace_model_mark_damaged(data, why);
}

static int analyse_traces(const char *const *paths, size_t n_paths,
		const struct cotrace_model_limits *limits,
		struct cli_analysis *analysis);

int
cli_analyse_traces(const char *const *paths, size_t n_paths,
		struct cli_analysis *analysis)
{
	return analyse_traces(paths, n_paths, NULL, analysis);
}

int
cli_analyse_traces_bounded(const char *const *paths, size_t n_paths,
		struct cli_analysis *analysis)
{
	const struct cotrace_model_limits limits = {
			.tasks = COTRACE_LIMIT_TASKS,
			.tls_per_thread = COTRACE_LIMIT_TLS_PER_THREAD,
	};

	return analyse_traces(paths, n_paths, &limits, analysis);
}

static int
analyse_traces(const char *const *paths, size_t n_paths,
		const struct cotrace_model_limits *limits,
		struct cli_analysis *analysis)
{
	struct cotrace_sink_report_init init = {0};
	struct cli_sink sink = {
			.name = "report",
			.output = "report",
			.counts = model_counts,
			.add_path = model_add_path,
			.mark_damaged = model_mark_damaged,
	};
	struct cotrace_model *model;
	uint64_t events = 0, cotrace_events = 0;
	int rc;

	memset(analysis, 0, sizeof(*analysis));
	model = cotrace_model_create();
	sink.cls = cotrace_sink_report_class_create();
	if (!model || !sink.cls) {
		cli_error("out of memory");
		rc = CLI_EXIT_FAILURE;
		goto end;
	}
	if (limits) {
		cotrace_model_set_limits(model, limits);
	}
	init.model = model;
	sink.init = &init;
	sink.data = model;
	rc = cli_read_traces(paths, n_paths, &sink);
	model_counts(model, &events, &cotrace_events);
	if (rc == CLI_EXIT_OK ||
			(rc == CLI_EXIT_DAMAGED && cotrace_events > 0)) {
		int status = analyse(&model, analysis);

		if (status != CLI_EXIT_OK) {
			rc = status;
		}
	}
end:
	bt_component_class_sink_put_ref(sink.cls);
	cotrace_model_destroy(model);
	return rc;
}

int
cli_read_traces(const char *const *paths, size_t n_paths,
		const struct cli_sink *sink)
{
	struct report_run run = {
			.paths = paths,
			.n_paths = n_paths,
			.sink = sink,
	};
	uint64_t events = 0, cotrace_events = 0;
	const bt_error *run_error = NULL;
	bt_graph *graph = NULL;
	size_t n_failed = 0, n_errors = 0;
	bool failed = false;
	char *why = NULL;
	int rc;

	if (n_paths == 0) {
		cli_error("no trace given");
		return CLI_EXIT_USAGE;
	}
	rc = find_traces(&run);
	if (rc != CLI_EXIT_OK) {
		goto end;
	}
	rc = CLI_EXIT_FAILURE;
	for (size_t i = 0; i < run.n_traces; i++) {
		if (sink->add_path(sink->data, run.traces[i].path) ||
				check_indexes(&run.traces[i])) {
			cli_error("out of memory");
			goto end;
		}
	}
	if (load_plugins(&run)) {
		goto end;
	}

	/* A trace that fails to open is salvaged or left out; then retry. */
	for (;;) {
		enum build_result b = build_graph(&run, &graph);
		size_t left = 0;

		if (b == BUILD_OK) {
			break;
		}
		if (b == BUILD_FAILED) {
			goto end;
		}
		for (size_t i = 0; i < run.n_traces; i++) {
			struct trace_dir *t = &run.traces[i];

			if (t->failed && !t->salvage_tried) {
				salvage_trace(&run, i);
			}
			left += !t->failed;
		}
		if (left == 0) {
			break;
		}
	}

	if (graph && run_graph(graph, sink, &run_error)) {
		size_t bad = failed_trace_index(run_error, run.n_traces);
		int err = sink->output_error ? sink->output_error(sink->data)
					     : 0;
		char *cause;
		int len;

		if (err) {
			cli_error("cannot write the %s: %s", sink->output,
					strerror(-err));
			release_error(run_error);
			rc = CLI_EXIT_FAILURE;
			goto end;
		}
		cause = root_cause(run_error);
		sink->counts(sink->data, &events, &cotrace_events);
		if (cause) {
			strip_details(cause);
		}
		if (bad != SIZE_MAX) {
			cli_error("cannot read trace '%s': decoding failed "
				  "after "
				  "%" PRIu64 " events (the trace is damaged)",
					run.traces[bad].path, events);
			len = asprintf(&why, "decoding trace '%s' failed: %s",
					run.traces[bad].path,
					cause ? cause : "?");
		} else {
			cli_error("reading the traces failed after %" PRIu64
				  " events",
					events);
			len = asprintf(&why, "decoding failed: %s",
					cause ? cause : "?");
		}
		if (len < 0) {
			why = NULL;
		}
		free(cause);
		print_causes(stderr, run_error);
	}
	failed = run_error != NULL;
	release_error(run_error);
	/* Destroying the graph finalizes the sink before its data is read. */
	bt_graph_put_ref(graph);
	graph = NULL;

	for (size_t i = 0; i < run.n_traces; i++) {
		struct trace_dir *t = &run.traces[i];
		char *msg = NULL;

		if (t->failed) {
			n_failed++;
			n_errors++;
			cli_error("cannot read trace '%s': %s", t->path,
					t->why);
			fputs(t->causes ? t->causes : "", stderr);
			if (asprintf(&msg, "trace '%s' could not be read: %s",
					    t->path, t->why) >= 0) {
				sink->mark_damaged(sink->data, msg);
			}
		} else if (t->n_dropped > 0) {
			n_failed++;
			cli_warn("trace '%s' is damaged: %zu of its stream "
				 "files "
				 "could not be read and were left out (%s%s)",
					t->path, t->n_dropped, t->dropped[0],
					t->n_dropped > 1 ? ", ..." : "");
			fputs(t->causes ? t->causes : "", stderr);
			if (asprintf(&msg,
					    "in trace '%s', the stream file%s "
					    "%s%s could not be read (truncated "
					    "or "
					    "damaged), so %s events are "
					    "missing",
					    t->path,
					    t->n_dropped > 1 ? "s" : "",
					    t->dropped[0],
					    t->n_dropped > 1 ? " and others"
							     : "",
					    t->n_dropped > 1 ? "their"
							     : "its") >= 0) {
				sink->mark_damaged(sink->data, msg);
			}
		}
		free(msg);
		msg = NULL;
		/* Its index says more was recorded than its files hold. */
		if (!t->failed && t->n_short > 0) {
			n_failed++;
			cli_warn("trace '%s' is damaged: stream file%s %s",
					t->path, t->n_short > 1 ? "s" : "",
					t->short_files);
			if (asprintf(&msg,
					    "in trace '%s', stream file%s %s, "
					    "so events recorded there are "
					    "missing",
					    t->path, t->n_short > 1 ? "s" : "",
					    t->short_files) >= 0) {
				sink->mark_damaged(sink->data, msg);
			}
			free(msg);
		}
	}
	if (why) {
		sink->mark_damaged(sink->data, why);
	}

	sink->counts(sink->data, &events, &cotrace_events);
	if (failed || n_failed > 0) {
		if (cotrace_events > 0) {
			cli_warn("the %s below is partial: it covers only "
				 "what could be decoded",
					sink->output);
		} else if (!failed && n_errors == 0) {
			/* Only warnings so far: say why there is no output. */
			fprintf(stderr, "cotrace: error: nothing could be read "
					"from ");
			print_paths(stderr, paths, n_paths);
			fprintf(stderr, ": what is left of the damaged traces "
					"holds no cotrace events\n");
		}
		rc = CLI_EXIT_DAMAGED;
		goto end;
	}
	if (cotrace_events == 0) {
		fprintf(stderr, "cotrace: error: no cotrace events in ");
		print_paths(stderr, paths, n_paths);
		fprintf(stderr,
				" (%" PRIu64 " other event%s): record an "
				"instrumented program with `cotrace record`\n",
				events, events == 1 ? "" : "s");
		rc = CLI_EXIT_NO_EVENTS;
		goto end;
	}
	rc = CLI_EXIT_OK;

end:
	free(why);
	bt_graph_put_ref(graph);
	release_run(&run);
	return rc;
}

void
cli_analysis_release(struct cli_analysis *analysis)
{
	cotrace_metrics_release(&analysis->metrics);
	cotrace_model_destroy(analysis->model);
	analysis->model = NULL;
}

int
cli_report_traces(const char *const *paths, size_t n_paths, const char *format,
		FILE *out)
{
	const struct cotrace_report_format *fmt =
			cotrace_report_format_find(format ? format : "text");
	struct cli_analysis analysis;
	int rc, status;

	if (!fmt) {
		cli_error("unknown report format '%s' (expected text or json)",
				format);
		return CLI_EXIT_USAGE;
	}
	rc = cli_analyse_traces_bounded(paths, n_paths, &analysis);
	if (!analysis.model) {
		return rc;
	}
	status = fmt->render(out, analysis.model, &analysis.metrics);
	cli_analysis_release(&analysis);
	if (status) {
		cli_error("cannot write the report: %s", strerror(-status));
		return CLI_EXIT_FAILURE;
	}
	return rc;
}
