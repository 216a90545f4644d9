/*
 * Recording through liblttng-ctl: one LTTng session per run, whose events
 * are filtered on a random run id that only PROGRAM and its descendants
 * carry (COTRACE_RUN_ID), so concurrent recordings never mix.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <link.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lttng/lttng.h>

#include "config.h"

#include "cli.h"
#include "record.h"
#include "session-net.h"
#include "sessiond.h"

#define CHANNEL_NAME "cotrace"
/* Where lttng-sessiond puts the Python agent's events. */
#define PYTHON_CHANNEL_NAME "lttng_python_channel"
#define DEFAULT_SUBBUF_SIZE (1024 * 1024)
#define DEFAULT_NUM_SUBBUF 4
#define RUN_ID_ENV "COTRACE_RUN_ID"
#define LD_PRELOAD_ENV "LD_PRELOAD"
#define PRELOAD_ENV "COTRACE_PRELOAD" /* overrides where the preload is */
#define LIB_ENV "COTRACE_LIB"         /* libcotrace.so.0, for python/cotrace.py */
#define PRELOAD_NAME "libcotrace-preload.so"
/* A short fork tree is printed after recording; a longer one is counted. */
#define SEEN_TREE_MAX 12
/* Registration takes milliseconds; lttng-ust's own limit is 3 s. */
#define ANCHOR_TIMEOUT_MS 5000
#define DESTROY_TIMEOUT_MS 60000
/* Flushing to a relay: bounded, shorter once the relay is known gone. */
#define RELAY_STOP_MS 30000
#define RELAY_LOST_STOP_MS 5000
#define RELAY_SWITCH_TIMER_US 1000000

extern char **environ;

static const int handled_signals[] = {SIGINT, SIGQUIT, SIGTERM, SIGHUP};
#define N_HANDLED_SIGNALS (sizeof(handled_signals) / sizeof(handled_signals[0]))

/* PROGRAM while it runs: where SIGTERM and SIGHUP are forwarded. */
static volatile sig_atomic_t forward_pid;
/* A signal that arrived before PROGRAM started: the recording is off. */
static volatile sig_atomic_t interrupted;
static volatile sig_atomic_t program_done;

struct recording {
	const char *shown_dir; /* borrowed: the name the user gave */
	char *owned_shown;     /* owned */
	char *dir;	       /* owned: absolute */
	bool made_dir;	       /* this run created `dir` */
	bool claimed;	       /* this run made `dir`/ust: all below is ours */
	uint64_t run_id;
	char *session_name; /* owned */
	bool session_created;
	bool tracing;
	pid_t anchor_pid;
	int anchor_go_fd; /* closing it lets the anchor exit */
	bool signals_installed;
	struct sigaction saved_actions[N_HANDLED_SIGNALS];
	char *preload; /* owned: LD_PRELOAD's new head, NULL: none */
	char *lib;     /* owned: COTRACE_LIB to export, NULL: none */
	bool python_agent; /* record the Python agent's logging records */
	/* --relay (session-net.h): the relay, borrowed, NULL for a local trace */
	const struct cli_relay_url *relay;
	struct cli_relay_addrs relay_addrs;
	struct cli_relay_watch relay_watch;
	char *relay_folder; /* owned: HOST/SESSION-DATE-TIME on the relay */
	const struct cli_record_hooks *hooks; /* borrowed, may be NULL */
};

/* "<prefix>-YYYYmmdd-HHMMSS" in local time, malloc'd; NULL without memory. */
static char *
timestamped_name(const char *prefix)
{
	char stamp[32];
	char *name;
	struct tm tm;
	time_t now = time(NULL);
	size_t len = 0;

	if (localtime_r(&now, &tm)) {
		len = strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	}
	if (len == 0) {
		snprintf(stamp, sizeof(stamp), "%lld", (long long)now);
	}
	if (asprintf(&name, "%s-%s", prefix, stamp) < 0) {
		return NULL;
	}
	return name;
}

static int
remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	if (ftw->level == 0) {
		/* The top directory is left to cli_remove_recording(). */
		return 0;
	}
	if (type == FTW_DP) {
		return rmdir(path) ? -1 : 0;
	}
	return unlink(path) ? -1 : 0;
}

int
cli_remove_recording(const char *dir, bool keep_dir)
{
	/* FTW_PHYS: a symbolic link is removed, never followed. */
	int flags = FTW_DEPTH | FTW_PHYS | FTW_MOUNT;

	if (nftw(dir, remove_entry, 16, flags) != 0) {
		return -errno;
	}
	if (!keep_dir && rmdir(dir) != 0) {
		return -errno;
	}
	return 0;
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;

	return *base ? base : "program";
}

/* Fails before anything is created, so a typo never leaves a trace behind. */
static int
check_program(const char *name)
{
	char *path = NULL;
	int ret = cli_path_lookup(name, &path);

	free(path);
	switch (ret) {
	case 0:
		return CLI_EXIT_OK;
	case -ENOENT:
		cli_error("cannot run '%s': no such file or directory%s", name,
				strchr(name, '/') ? "" : " (not in PATH)");
		return CLI_EXIT_NOT_FOUND;
	case -EISDIR:
		cli_error("cannot run '%s': it is a directory", name);
		return CLI_EXIT_CANNOT_EXEC;
	case -EACCES:
		cli_error("cannot run '%s': permission denied (not an "
			  "executable file)",
				name);
		return CLI_EXIT_CANNOT_EXEC;
	default:
		cli_error("cannot run '%s': %s", name, strerror(-ret));
		return CLI_EXIT_RECORD_FAILED;
	}
}

static bool
dir_is_empty(const char *path, int *err)
{
	DIR *dir = opendir(path);
	struct dirent *entry;
	bool empty = true;

	*err = 0;
	if (!dir) {
		*err = errno;
		return false;
	}
	while ((entry = readdir(dir))) {
		if (strcmp(entry->d_name, ".") && strcmp(entry->d_name, "..")) {
			empty = false;
			break;
		}
	}
	closedir(dir);
	return empty;
}

static int
set_output_dir(struct recording *rec, const char *shown)
{
	free(rec->dir);
	rec->dir = NULL;
	rec->shown_dir = shown;
	if (shown[0] == '/') {
		rec->dir = strdup(shown);
	} else {
		char cwd[PATH_MAX];

		if (!getcwd(cwd, sizeof(cwd))) {
			cli_error("cannot find the current directory: %s",
					strerror(errno));
			return -1;
		}
		if (asprintf(&rec->dir, "%s/%s", cwd, shown) < 0) {
			rec->dir = NULL;
		}
	}
	if (!rec->dir) {
		cli_error("out of memory");
		return -1;
	}
	/* "out/" is "out": make_dirs() must see which component is the last. */
	for (size_t len = strlen(rec->dir); len > 1 && rec->dir[len - 1] == '/';
			len--) {
		rec->dir[len - 1] = '\0';
	}
	return 0;
}

/*
 * Checks that -o DIR can hold a new recording: it must not exist, or be an
 * empty directory we may write to. Default names are checked when claimed.
 */
static int
check_output_dir(struct recording *rec, const char *requested)
{
	struct stat st;
	int err;

	if (set_output_dir(rec, requested) != 0) {
		return -1;
	}
	if (stat(rec->dir, &st) != 0) {
		if (errno == ENOENT) {
			return 0;
		}
		cli_error("cannot use output directory '%s': %s",
				rec->shown_dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		cli_error("output path '%s' exists and is not a directory; "
			  "choose another with -o",
				rec->shown_dir);
		return -1;
	}
	if (!dir_is_empty(rec->dir, &err)) {
		if (err) {
			cli_error("cannot read output directory '%s': %s",
					rec->shown_dir, strerror(err));
		} else {
			cli_error("output directory '%s' is not empty; choose "
				  "another with -o",
					rec->shown_dir);
		}
		return -1;
	}
	if (access(rec->dir, W_OK | X_OK) != 0) {
		cli_error("cannot write to output directory '%s': %s",
				rec->shown_dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* mkdir -p, remembering whether the last component is ours. */
static int
make_dirs(struct recording *rec)
{
	return cli_make_dirs(rec->dir, rec->shown_dir, &rec->made_dir);
}

/*
 * Creates the output directory and claims it by making its ust/ folder,
 * where the session daemon writes: mkdir is atomic, so two recordings
 * started at once never share a directory. A default name taken by an
 * earlier recording (same second) gets a -2, -3... suffix instead.
 */
static int
claim_output_dir(struct recording *rec, const char *default_prefix,
		const char *program)
{
	char *base = NULL, *ust = NULL, *resolved;
	int status = -1;

	if (!rec->dir) {
		char *prefix = NULL;

		if (default_prefix) {
			prefix = strdup(default_prefix);
		} else if (asprintf(&prefix, "cotrace-%s", base_name(program)) <
				0) {
			prefix = NULL;
		}
		if (!prefix) {
			goto nomem;
		}
		base = timestamped_name(prefix);
		free(prefix);
		if (!base) {
			goto nomem;
		}
	}
	for (int attempt = 1;; attempt++) {
		if (base) {
			free(rec->owned_shown);
			rec->owned_shown = NULL;
			if (attempt == 1) {
				rec->owned_shown = strdup(base);
			} else if (asprintf(&rec->owned_shown, "%s-%d", base,
						   attempt) < 0) {
				rec->owned_shown = NULL;
			}
			if (!rec->owned_shown) {
				goto nomem;
			}
			if (set_output_dir(rec, rec->owned_shown) != 0) {
				goto end;
			}
		}
		if (make_dirs(rec) != 0) {
			goto end;
		}
		if (base && !rec->made_dir) {
			/* Never write into an existing folder we did not name.
			 */
			if (attempt >= 100) {
				cli_error("cannot find a free name for the "
					  "output directory; choose one with "
					  "-o");
				goto end;
			}
			continue;
		}
		free(ust);
		if (asprintf(&ust, "%s/ust", rec->dir) < 0) {
			ust = NULL;
			goto nomem;
		}
		if (mkdir(ust, 0777) == 0) {
			rec->claimed = true;
			break;
		}
		if (errno != EEXIST) {
			cli_error("cannot create output directory '%s': %s",
					rec->shown_dir, strerror(errno));
			goto end;
		}
		if (!base || attempt >= 100) {
			cli_error("output directory '%s' is not empty; choose "
				  "another with -o",
					rec->shown_dir);
			goto end;
		}
	}
	/* The session daemon needs the real path, whatever cwd it has. */
	resolved = realpath(rec->dir, NULL);
	if (resolved) {
		free(rec->dir);
		rec->dir = resolved;
	}
	status = 0;
	goto end;
nomem:
	cli_error("out of memory");
end:
	free(base);
	free(ust);
	return status;
}

/* Non-zero and below 2^63, so the filter compares it as a positive integer. */
static int
draw_run_id(uint64_t *id)
{
	do {
		if (getrandom(id, sizeof(*id), 0) != (ssize_t)sizeof(*id)) {
			cli_error("cannot draw a random run id: %s",
					strerror(errno));
			return -1;
		}
		*id &= INT64_MAX;
	} while (*id == 0);
	return 0;
}

/*
 * Per-UID buffers only exist once a process of the UID that loads
 * lttng-ust is registered when tracing starts, so a PROGRAM that emits
 * nothing would leave an empty directory that no reader takes for a
 * trace. This child loads lttng-ust (its constructor returns once
 * registered) and stays until tracing started, so the session always
 * writes a valid, possibly empty, trace. Failing here is not fatal.
 */
static void
anchor_start(struct recording *rec)
{
	int ready[2] = {-1, -1}, go[2] = {-1, -1};
	struct pollfd pfd;
	char ok = 0;
	pid_t pid;

	rec->anchor_pid = -1;
	rec->anchor_go_fd = -1;
	if (pipe2(ready, O_CLOEXEC) != 0) {
		return;
	}
	if (pipe2(go, O_CLOEXEC) != 0) {
		goto end;
	}
	pid = fork();
	if (pid == 0) {
		void *ust;

		close(ready[0]);
		close(go[1]);
		ust = dlopen("liblttng-ust.so.1", RTLD_NOW | RTLD_LOCAL);
		ok = ust != NULL;
		if (write(ready[1], &ok, 1) == 1) {
			/* EOF when cotrace closes its end or dies. */
			while (read(go[0], &ok, 1) < 0 && errno == EINTR) {
			}
		}
		_exit(0);
	}
	if (pid < 0) {
		goto end;
	}
	close(ready[1]);
	ready[1] = -1;
	close(go[0]);
	go[0] = -1;
	rec->anchor_pid = pid;
	rec->anchor_go_fd = go[1];
	go[1] = -1;
	pfd.fd = ready[0];
	pfd.events = POLLIN;
	while (poll(&pfd, 1, ANCHOR_TIMEOUT_MS) < 0 && errno == EINTR) {
	}
	if (read(ready[0], &ok, 1) != 1 || !ok) {
		/* Noted later only if the trace turns out empty. */
	}
end:
	for (int i = 0; i < 2; i++) {
		if (ready[i] >= 0) {
			close(ready[i]);
		}
		if (go[i] >= 0) {
			close(go[i]);
		}
	}
}

static void
anchor_release(struct recording *rec)
{
	if (rec->anchor_go_fd >= 0) {
		close(rec->anchor_go_fd);
		rec->anchor_go_fd = -1;
	}
	if (rec->anchor_pid > 0) {
		while (waitpid(rec->anchor_pid, NULL, 0) < 0 &&
				errno == EINTR) {
		}
		rec->anchor_pid = -1;
	}
}

static void
lttng_failed(const char *what, int ret)
{
	/* lttng_strerror() takes the negative code. */
	cli_error("%s: %s; see 'cotrace doctor'", what,
			lttng_strerror(ret < 0 ? ret : -ret));
}

/*
 * Whether PROGRAM is a Python interpreter, or a script run by one (its #!
 * line names python): then the recording adds the Python agent's channel.
 * Other programs keep traces of the cotrace channel alone.
 */
static bool
looks_like_python(const char *program)
{
	char *path = NULL, line[256];
	const char *base;
	bool python = false;
	ssize_t n;
	int fd;

	if (cli_path_lookup(program, &path) != 0) {
		return false;
	}
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (!strncmp(base, "python", strlen("python"))) {
		python = true;
		goto end;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		goto end;
	}
	n = read(fd, line, sizeof(line) - 1);
	close(fd);
	if (n > 2 && line[0] == '#' && line[1] == '!') {
		char *eol;

		line[n] = '\0';
		eol = strchr(line, '\n');
		if (eol) {
			*eol = '\0';
		}
		python = strstr(line, "python") != NULL;
	}
end:
	free(path);
	return python;
}

/*
 * Whether the file at `path` is an ELF executable that the dynamic linker
 * does not load (no PT_INTERP: static, or static-pie): LD_PRELOAD cannot
 * reach it. 0: no (or not an ELF file), 1: yes, -1: unreadable.
 */
static int
elf_is_static(const char *path)
{
	Elf64_Ehdr eh;
	bool interp = false;
	int fd, status = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return -1;
	}
	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh)) {
		status = 0;
		goto end;
	}
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) {
		status = 0;
		goto end;
	}
	/* A 32-bit program: the dynamic linker says so itself (preload.md). */
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 ||
			eh.e_phentsize != sizeof(Elf64_Phdr)) {
		status = 0;
		goto end;
	}
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		if (pread(fd, &ph, sizeof(ph),
				    (off_t)(eh.e_phoff + i * sizeof(ph))) !=
				(ssize_t)sizeof(ph)) {
			goto end;
		}
		if (ph.p_type == PT_INTERP) {
			interp = true;
			break;
		}
	}
	status = interp ? 0 : 1;
end:
	close(fd);
	return status;
}

/*
 * A static PROGRAM (or a script whose #! interpreter is static) cannot
 * take the preload: it still runs, and what it starts that is dynamic is
 * still traced, but its own events need libcotrace linked in. Said once,
 * as a warning, before it runs.
 */
static void
warn_if_static(const char *program)
{
	char *path = NULL, line[256];
	ssize_t n;
	int fd;

	if (cli_path_lookup(program, &path) != 0) {
		return;
	}
	if (elf_is_static(path) == 1) {
		goto warn;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		goto end;
	}
	n = read(fd, line, sizeof(line) - 1);
	close(fd);
	if (n > 2 && line[0] == '#' && line[1] == '!') {
		char *interp = line + 2, *end;

		line[n] = '\0';
		interp += strspn(interp, " \t");
		end = interp + strcspn(interp, " \t\n");
		*end = '\0';
		if (*interp == '/' && elf_is_static(interp) == 1) {
			cli_warn("%s runs under %s, a statically linked "
				 "executable: LD_PRELOAD cannot reach it, so "
				 "its events cannot be recorded unless it is "
				 "linked with libcotrace (the dynamic programs "
				 "it starts are still traced)",
					program, interp);
		}
	}
	goto end;
warn:
	cli_warn("%s is a statically linked executable: LD_PRELOAD cannot "
		 "reach it, so its events cannot be recorded unless it is "
		 "linked with libcotrace (the dynamic programs it starts are "
		 "still traced)",
			program);
end:
	free(path);
}

/*
 * The logging records of Python programs that import lttngust (the
 * LTTng-UST Python agent) go to the agent's own channel of the UST domain,
 * with the same contexts as ours, so `cotrace report` reads them into the
 * same model. The agent domain has no run_id: a Python program of the same
 * user logging through lttngust during the recording is recorded too.
 * Failing here only loses those records: no error.
 */
static void
enable_python_agent(struct recording *rec,
		const enum lttng_event_context_type *contexts, size_t n)
{
	struct lttng_handle *py = NULL, *ust = NULL;
	struct lttng_event *event = lttng_event_create();
	struct lttng_domain domain;

	memset(&domain, 0, sizeof(domain));
	domain.type = LTTNG_DOMAIN_PYTHON;
	domain.buf_type = LTTNG_BUFFER_PER_UID;
	py = lttng_create_handle(rec->session_name, &domain);
	domain.type = LTTNG_DOMAIN_UST;
	ust = lttng_create_handle(rec->session_name, &domain);
	if (!py || !ust || !event) {
		goto end;
	}
	event->type = LTTNG_EVENT_TRACEPOINT;
	snprintf(event->name, sizeof(event->name), "*");
	event->loglevel_type = LTTNG_EVENT_LOGLEVEL_ALL;
	event->loglevel = -1;
	if (lttng_enable_event(py, event, NULL) < 0) {
		goto end;
	}
	for (size_t i = 0; i < n; i++) {
		struct lttng_event_context ctx;

		memset(&ctx, 0, sizeof(ctx));
		ctx.ctx = contexts[i];
		if (lttng_add_context(ust, &ctx, NULL, PYTHON_CHANNEL_NAME) <
				0) {
			break;
		}
	}
end:
	lttng_event_destroy(event);
	lttng_destroy_handle(py);
	lttng_destroy_handle(ust);
}

static int
session_setup(struct recording *rec, const struct cli_record_options *opts)
{
	static const enum lttng_event_context_type contexts[] = {
			LTTNG_EVENT_CONTEXT_VPID,
			LTTNG_EVENT_CONTEXT_VTID,
			LTTNG_EVENT_CONTEXT_PROCNAME,
			LTTNG_EVENT_CONTEXT_PTHREAD_ID,
	};
	struct lttng_session_descriptor *desc = NULL;
	struct lttng_handle *handle = NULL;
	struct lttng_channel *channel = NULL;
	struct lttng_event *event = NULL;
	struct lttng_domain domain;
	enum lttng_error_code code;
	char filter[64];
	int ret, status = -1;

	if (rec->hooks && rec->hooks->describe) {
		desc = rec->hooks->describe(
				rec->hooks->data, rec->session_name, rec->dir);
		if (!desc) {
			goto end;
		}
	} else if (rec->relay) {
		desc = cli_relay_descriptor(rec->session_name, rec->relay);
		if (!desc) {
			cli_error("out of memory");
			goto end;
		}
	} else {
		desc = lttng_session_descriptor_local_create(
				rec->session_name, rec->dir);
	}
	if (!desc) {
		cli_error("cannot describe the tracing session (output "
			  "directory '%s')",
				rec->dir);
		goto end;
	}
	code = lttng_create_session_ext(desc);
	if (code != LTTNG_OK && rec->relay) {
		cli_relay_create_failed(rec->relay, (int)code);
		goto end;
	}
	if (code != LTTNG_OK) {
		lttng_failed("cannot create the tracing session", -(int)code);
		goto end;
	}
	rec->session_created = true;

	memset(&domain, 0, sizeof(domain));
	domain.type = LTTNG_DOMAIN_UST;
	/* Per-UID: a fork child's events outlive the child. */
	domain.buf_type = LTTNG_BUFFER_PER_UID;
	handle = lttng_create_handle(rec->session_name, &domain);
	channel = lttng_channel_create(&domain);
	event = lttng_event_create();
	if (!handle || !channel || !event) {
		cli_error("out of memory");
		goto end;
	}
	snprintf(channel->name, sizeof(channel->name), "%s", CHANNEL_NAME);
	/* Discard: a full buffer loses new events, never recorded ones. */
	channel->attr.overwrite = 0;
	channel->attr.subbuf_size = opts->subbuf_size ? opts->subbuf_size
						      : DEFAULT_SUBBUF_SIZE;
	channel->attr.num_subbuf = opts->num_subbuf ? opts->num_subbuf
						    : DEFAULT_NUM_SUBBUF;
	if (rec->relay) {
		/*
		 * Sub-buffers go to the relay at least once a second, so a
		 * relay or a program that dies mid-run loses at most the last
		 * second, not everything since the start.
		 */
		channel->attr.switch_timer_interval = RELAY_SWITCH_TIMER_US;
	}
	ret = lttng_enable_channel(handle, channel);
	if (ret < 0 && rec->relay && ret == -LTTNG_ERR_RELAYD_CONNECT_FAIL) {
		/* The session daemon opens its relay streams here. */
		cli_relay_create_failed(rec->relay, -ret);
		goto end;
	}
	if (ret < 0) {
		char what[128];

		snprintf(what, sizeof(what),
				"cannot create the channel (%" PRIu64
				" sub-buffers of %" PRIu64 " bytes)",
				(uint64_t)channel->attr.num_subbuf,
				(uint64_t)channel->attr.subbuf_size);
		lttng_failed(what, ret);
		goto end;
	}
	for (size_t i = 0; i < sizeof(contexts) / sizeof(contexts[0]); i++) {
		struct lttng_event_context ctx;

		memset(&ctx, 0, sizeof(ctx));
		ctx.ctx = contexts[i];
		ret = lttng_add_context(handle, &ctx, NULL, CHANNEL_NAME);
		if (ret < 0) {
			lttng_failed("cannot add the contexts to the channel",
					ret);
			goto end;
		}
	}
	event->type = LTTNG_EVENT_TRACEPOINT;
	snprintf(event->name, sizeof(event->name), "cotrace:*");
	event->loglevel_type = LTTNG_EVENT_LOGLEVEL_ALL;
	event->loglevel = -1;
	snprintf(filter, sizeof(filter), "run_id == %" PRIu64, rec->run_id);
	ret = lttng_enable_event_with_filter(
			handle, event, CHANNEL_NAME, filter);
	if (ret < 0) {
		lttng_failed("cannot enable the cotrace events", ret);
		goto end;
	}
	if (rec->python_agent) {
		enable_python_agent(rec, contexts,
				sizeof(contexts) / sizeof(contexts[0]));
	}
	ret = lttng_start_tracing(rec->session_name);
	if (ret < 0) {
		lttng_failed("cannot start tracing", ret);
		goto end;
	}
	rec->tracing = true;
	if (rec->relay) {
		rec->relay_folder = cli_relay_folder(rec->session_name);
		cli_relay_watch_start(&rec->relay_watch, rec->relay,
				&rec->relay_addrs);
	}
	status = 0;
end:
	lttng_event_destroy(event);
	lttng_channel_destroy(channel);
	lttng_destroy_handle(handle);
	lttng_session_descriptor_destroy(desc);
	return status;
}

static void
read_loss_counts(struct recording *rec, struct cli_record_result *result)
{
	struct lttng_channel *channels = NULL;
	struct lttng_handle *handle;
	struct lttng_domain domain;
	int n;

	memset(&domain, 0, sizeof(domain));
	domain.type = LTTNG_DOMAIN_UST;
	domain.buf_type = LTTNG_BUFFER_PER_UID;
	handle = lttng_create_handle(rec->session_name, &domain);
	if (!handle) {
		return;
	}
	n = lttng_list_channels(handle, &channels);
	for (int i = 0; i < n; i++) {
		if (strcmp(channels[i].name, CHANNEL_NAME)) {
			continue;
		}
		if (lttng_channel_get_discarded_event_count(&channels[i],
				    &result->discarded_events) < 0 ||
				lttng_channel_get_lost_packet_count(
						&channels[i],
						&result->lost_packets) < 0) {
			cli_warn("cannot read how many events were discarded");
		}
	}
	free(channels);
	lttng_destroy_handle(handle);
}

static bool
session_exists(const char *name)
{
	struct lttng_session *sessions = NULL;
	bool found = false;
	int n = lttng_list_sessions(&sessions);

	if (n < 0) {
		return true; /* cannot tell: say so */
	}
	for (int i = 0; i < n && !found; i++) {
		found = !strcmp(sessions[i].name, name);
	}
	free(sessions);
	return found;
}

/* Stops and destroys the session, always; returns -1 if tracing did not stop
 * cleanly. */
static int
session_finish(struct recording *rec, struct cli_record_result *result)
{
	struct lttng_destruction_handle *dh = NULL;
	enum lttng_destruction_handle_status dh_status;
	enum lttng_error_code code;
	int ret, status = 0;

	if (!rec->session_created) {
		return 0;
	}
	if (rec->tracing) {
		/* Returns once the consumer has flushed everything to disk. */
		ret = rec->relay ? 0 : lttng_stop_tracing(rec->session_name);
		if (rec->relay && cli_relay_stop(rec->session_name,
					  rec->relay_watch.lost
							  ? RELAY_LOST_STOP_MS
							  : RELAY_STOP_MS)) {
			status = -1;
		}
		/* Still connected once flushed? (destroying closes it.) */
		if (rec->relay && cli_relay_watch_flushed(&rec->relay_watch)) {
			status = -1;
		}
		if (ret < 0) {
			cli_warn("cannot stop session %s cleanly (%s); the "
				 "trace may miss its last events",
					rec->session_name, lttng_strerror(ret));
			status = -1;
		}
		if (result) {
			read_loss_counts(rec, result);
		}
		if (rec->hooks && rec->hooks->after_stop) {
			rec->hooks->after_stop(rec->hooks->data);
		}
	}
	code = lttng_destroy_session_ext(rec->session_name, &dh);
	if (code == LTTNG_OK) {
		dh_status = lttng_destruction_handle_wait_for_completion(dh,
				rec->relay && rec->relay_watch.lost
						? RELAY_LOST_STOP_MS
						: DESTROY_TIMEOUT_MS);
		if (dh_status != LTTNG_DESTRUCTION_HANDLE_STATUS_COMPLETED) {
			code = LTTNG_ERR_UNK;
		} else if (lttng_destruction_handle_get_result(dh, &code) !=
				LTTNG_DESTRUCTION_HANDLE_STATUS_OK) {
			code = LTTNG_ERR_UNK;
		}
	}
	/*
	 * A session whose relay daemon died is destroyed all the same, with
	 * an error about its last rotation: only one left behind matters.
	 */
	if (code != LTTNG_OK && session_exists(rec->session_name)) {
		cli_warn("cannot destroy session %s (%s); remove it with "
			 "'lttng destroy %s'",
				rec->session_name, lttng_strerror(-(int)code),
				rec->session_name);
	}
	lttng_destruction_handle_destroy(dh);
	rec->session_created = false;
	rec->tracing = false;
	return status;
}

static void
on_signal(int sig)
{
	int saved_errno = errno;
	pid_t pid = forward_pid;

	if (pid > 0) {
		/* SIGINT and SIGQUIT came from the terminal to PROGRAM too. */
		if (sig == SIGTERM || sig == SIGHUP) {
			kill(pid, sig);
		}
	} else if (!program_done) {
		interrupted = sig;
	}
	errno = saved_errno;
}

/*
 * Like system(3): the terminal's Ctrl-C and Ctrl-\ reach PROGRAM through
 * the process group, and cotrace lives on to save the trace. SIGTERM and
 * SIGHUP are meant for whoever runs the recording, so they are passed on
 * to PROGRAM. Before PROGRAM starts, any of them cancels the recording
 * cleanly (the session is destroyed); after it ended, they wait until the
 * trace is saved.
 */
static int
install_signals(struct recording *rec)
{
	struct sigaction act;

	memset(&act, 0, sizeof(act));
	act.sa_handler = on_signal;
	sigemptyset(&act.sa_mask);
	/* liblttng-ctl calls must not see EINTR. */
	act.sa_flags = SA_RESTART;
	interrupted = 0;
	program_done = 0;
	for (size_t i = 0; i < N_HANDLED_SIGNALS; i++) {
		if (sigaction(handled_signals[i], &act,
				    &rec->saved_actions[i]) != 0) {
			cli_error("cannot set up signal handling: %s",
					strerror(errno));
			for (size_t j = 0; j < i; j++) {
				sigaction(handled_signals[j],
						&rec->saved_actions[j], NULL);
			}
			return -1;
		}
	}
	rec->signals_installed = true;
	return 0;
}

static void
restore_signals(struct recording *rec)
{
	if (!rec->signals_installed) {
		return;
	}
	for (size_t i = 0; i < N_HANDLED_SIGNALS; i++) {
		sigaction(handled_signals[i], &rec->saved_actions[i], NULL);
	}
	rec->signals_installed = false;
}

/* The directory of the running cotrace, malloc'd; NULL if unknown. */
static char *
self_dir(void)
{
	char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

	if (n <= 0) {
		return NULL;
	}
	path[n] = '\0';
	return strdup(dirname(path));
}

/* `dir`/`rel` when that file is readable, malloc'd; else NULL. */
static char *
readable_in(const char *dir, const char *rel)
{
	char *path = NULL, *real;

	if (!dir || asprintf(&path, "%s/%s", dir, rel) < 0) {
		return NULL;
	}
	real = access(path, R_OK) == 0 ? realpath(path, NULL) : NULL;
	free(path);
	return real;
}

static int
find_asan(struct dl_phdr_info *info, size_t size, void *data)
{
	const char *name = info->dlpi_name ? info->dlpi_name : "";
	const char *base = strrchr(name, '/');

	(void)size;
	base = base ? base + 1 : name;
	if (strncmp(base, "libasan.so", strlen("libasan.so")) == 0) {
		*(char **)data = strdup(name);
		return 1;
	}
	return 0;
}

/*
 * Whether the file at `path` names the AddressSanitizer runtime (its
 * DT_NEEDED string "libasan.so.N" is in the file): a sanitizer build.
 */
static bool
needs_asan(const char *path)
{
	static const char needle[] = "libasan.so.";
	char buf[65536 + sizeof(needle)];
	size_t keep = 0;
	bool found = false;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		return false;
	}
	while (!found && (n = read(fd, buf + keep, sizeof(buf) - keep)) > 0) {
		size_t len = keep + (size_t)n;

		found = memmem(buf, len, needle, sizeof(needle) - 1) != NULL;
		/* A needle cut by the buffer's end is whole in the next one. */
		keep = len < sizeof(needle) ? len : sizeof(needle) - 1;
		memmove(buf, buf + len - keep, keep);
	}
	close(fd);
	return found;
}

/*
 * What PROGRAM gets in LD_PRELOAD before its own: $COTRACE_PRELOAD, else
 * the preload of a build tree (src/cli/cotrace -> src/preload/), else the
 * installed one. A sanitizer build of cotrace has a sanitizer build of the
 * preload, which AddressSanitizer only accepts with its runtime loaded
 * first: that runtime (the one cotrace itself runs with) goes first.
 * Also finds libcotrace.so.0 for COTRACE_LIB. Not finding the preload is
 * only a warning: instrumented programs are still recorded.
 */
static void
find_preload(struct recording *rec)
{
	const char *env = getenv(PRELOAD_ENV);
	char *dir = self_dir(), *preload = NULL, *asan = NULL, *pdir;

	if (env && *env) {
		preload = strdup(env);
	} else {
		preload = readable_in(dir, "../preload/" PRELOAD_NAME);
		if (!preload && access(COTRACE_PRELOAD_PATH, R_OK) == 0) {
			preload = strdup(COTRACE_PRELOAD_PATH);
		}
	}
	if (preload) {
		const char *last = strrchr(preload, ':');

		/* The dynamic linker would complain on PROGRAM's stderr. */
		if (access(last ? last + 1 : preload, R_OK) != 0) {
			cli_warn("cannot read %s '%s': %s", PRELOAD_ENV,
					last ? last + 1 : preload,
					strerror(errno));
			free(preload);
			preload = NULL;
		}
	}
	if (!preload) {
		cli_warn("cannot find %s (set %s to its path); only programs "
			 "instrumented with libcotrace will be recorded",
				PRELOAD_NAME, PRELOAD_ENV);
		goto end;
	}
	dl_iterate_phdr(find_asan, &asan);
	if (asan && !strstr(preload, "libasan.so") &&
			needs_asan(strrchr(preload, ':') ? strrchr(preload, ':') + 1
							 : preload)) {
		char *both = NULL;

		if (asprintf(&both, "%s:%s", asan, preload) >= 0) {
			free(preload);
			preload = both;
		}
	}
	rec->preload = preload;
	/* The libcotrace.so.0 next to it in a build tree, or the installed. */
	if (!getenv(LIB_ENV)) {
		const char *last = strrchr(preload, ':');
		char *copy = strdup(last ? last + 1 : preload);

		pdir = copy ? dirname(copy) : NULL;
		rec->lib = readable_in(pdir, "../lib/libcotrace.so.0");
		if (!rec->lib && access(COTRACE_LIB_PATH, R_OK) == 0) {
			rec->lib = strdup(COTRACE_LIB_PATH);
		}
		free(copy);
	}
end:
	free(asan);
	free(dir);
}

static bool
is_entry(const char *entry, const char *name)
{
	size_t len = strlen(name);

	return !strncmp(entry, name, len) && entry[len] == '=';
}

/*
 * cotrace records no lttng_ust_statedump:* event, and lttng-ust otherwise
 * walks every library loaded in each process that registers (every fork
 * child too) before it takes registration as done: about half of what
 * recording adds to a fork child's start-up (bench/record-overhead.sh).
 * Set unless the user set them.
 */
static const char *const no_statedump[] = {
		"LTTNG_UST_WITHOUT_BADDR_STATEDUMP=1",
		"LTTNG_UST_WITHOUT_PROCNAME_STATEDUMP=1",
};
#define N_NO_STATEDUMP (sizeof(no_statedump) / sizeof(no_statedump[0]))

/*
 * environ with COTRACE_RUN_ID=<id> in place of any inherited one, and the
 * preload first in LD_PRELOAD (the user's own preloads kept after it),
 * COTRACE_LIB, and lttng-ust's statedumps off (no_statedump). `owned`
 * receives the strings made here (free each, then it).
 */
static char **
child_environment(const struct recording *rec, char ***owned)
{
	const char *user_preload = getenv(LD_PRELOAD_ENV);
	size_t n = 0, k = 0;
	char **envp, **made;

	for (char **e = environ; *e; e++) {
		n++;
	}
	envp = calloc(n + 4 + N_NO_STATEDUMP, sizeof(*envp));
	made = calloc(4, sizeof(*made));
	if (!envp || !made) {
		goto nomem;
	}
	if (asprintf(&made[k], RUN_ID_ENV "=%" PRIu64, rec->run_id) < 0) {
		goto nomem;
	}
	k++;
	if (rec->preload) {
		if (asprintf(&made[k], LD_PRELOAD_ENV "=%s%s%s", rec->preload,
				    user_preload && *user_preload ? ":" : "",
				    user_preload ? user_preload : "") < 0) {
			goto nomem;
		}
		k++;
	}
	if (rec->lib) {
		if (asprintf(&made[k], LIB_ENV "=%s", rec->lib) < 0) {
			goto nomem;
		}
		k++;
	}
	n = 0;
	for (char **e = environ; *e; e++) {
		if (is_entry(*e, RUN_ID_ENV) ||
				(rec->preload && is_entry(*e, LD_PRELOAD_ENV)) ||
				(rec->lib && is_entry(*e, LIB_ENV))) {
			continue;
		}
		envp[n++] = *e;
	}
	for (size_t i = 0; i < k; i++) {
		envp[n++] = made[i];
	}
	for (size_t i = 0; i < N_NO_STATEDUMP; i++) {
		size_t len = strchr(no_statedump[i], '=') - no_statedump[i];
		char name[64];

		snprintf(name, sizeof(name), "%.*s", (int)len, no_statedump[i]);
		if (!getenv(name)) {
			envp[n++] = (char *)no_statedump[i];
		}
	}
	envp[n] = NULL;
	*owned = made;
	return envp;
nomem:
	for (size_t i = 0; made && i < k; i++) {
		free(made[i]);
	}
	free(made);
	free(envp);
	*owned = NULL;
	return NULL;
}

/*
 * waitpid() for a recording into a relay: checks the connection to the
 * relay meanwhile, so losing it is said when it happens.
 */
static pid_t
wait_watching(struct recording *rec, pid_t pid, int *wait_status,
		const char *program)
{
	struct timespec nap = {0, 50 * 1000 * 1000};

	for (int slept = 0;; slept += 50) {
		pid_t got = waitpid(pid, wait_status, WNOHANG);

		if (got != 0) {
			return got;
		}
		if (slept >= CLI_RELAY_WATCH_MS) {
			cli_relay_watch(&rec->relay_watch, program);
			slept = 0;
		}
		nanosleep(&nap, NULL);
	}
}

/*
 * Runs PROGRAM to its end. Returns CLI_EXIT_OK with its wait status, or
 * CLI_EXIT_NOT_FOUND / CLI_EXIT_CANNOT_EXEC when exec failed (reported
 * through a close-on-exec pipe), or CLI_EXIT_RECORD_FAILED.
 */
static int
run_program(struct recording *rec, char **argv, int *wait_status)
{
	char **owned_entries = NULL;
	char **envp = NULL;
	int errpipe[2] = {-1, -1};
	int status = CLI_EXIT_RECORD_FAILED, exec_errno = 0;
	sigset_t block, old;
	ssize_t n;
	pid_t pid;

	envp = child_environment(rec, &owned_entries);
	if (!envp) {
		cli_error("out of memory");
		goto end;
	}
	if (pipe2(errpipe, O_CLOEXEC) != 0) {
		cli_error("cannot run '%s': %s", argv[0], strerror(errno));
		goto end;
	}
	/*
	 * Blocked across fork(), so that neither process acts on one of
	 * these before its dispositions are right.
	 */
	sigemptyset(&block);
	for (size_t i = 0; i < N_HANDLED_SIGNALS; i++) {
		sigaddset(&block, handled_signals[i]);
	}
	sigprocmask(SIG_BLOCK, &block, &old);
	if (interrupted) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		goto end;
	}
	/* Orphaned grandchildren come to us rather than to init. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	pid = fork();
	if (pid == 0) {
		int err;

		/* What cotrace was given, not what it uses while recording. */
		for (size_t i = 0; i < N_HANDLED_SIGNALS; i++) {
			sigaction(handled_signals[i], &rec->saved_actions[i],
					NULL);
		}
		sigprocmask(SIG_SETMASK, &old, NULL);
		execvpe(argv[0], argv, envp);
		err = errno;
		if (write(errpipe[1], &err, sizeof(err)) < 0) {
			/* Nothing more to do: the exit status says it. */
		}
		_exit(err == ENOENT ? CLI_EXIT_NOT_FOUND
				    : CLI_EXIT_CANNOT_EXEC);
	}
	if (pid < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		cli_error("cannot run '%s': %s", argv[0], strerror(errno));
		goto end;
	}
	forward_pid = pid;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(errpipe[1]);
	errpipe[1] = -1;
	do {
		n = read(errpipe[0], &exec_errno, sizeof(exec_errno));
	} while (n < 0 && errno == EINTR);
	while ((rec->hooks && rec->hooks->wait
				       ? rec->hooks->wait(rec->hooks->data, pid,
						       wait_status)
			: rec->relay ? wait_watching(rec, pid, wait_status, argv[0])
				     : waitpid(pid, wait_status, 0)) < 0) {
		if (errno != EINTR) {
			cli_error("cannot wait for '%s': %s", argv[0],
					strerror(errno));
			program_done = 1;
			forward_pid = 0;
			goto end;
		}
	}
	program_done = 1;
	forward_pid = 0;
	if (n == (ssize_t)sizeof(exec_errno)) {
		char *found = NULL;

		/* The file was there: what is missing is what it needs. */
		if (exec_errno == ENOENT &&
				cli_path_lookup(argv[0], &found) == 0) {
			cli_error("cannot run '%s': its interpreter (#! line) "
				  "or dynamic loader does not exist",
					argv[0]);
		} else {
			cli_error("cannot run '%s': %s", argv[0],
					strerror(exec_errno));
		}
		free(found);
		status = exec_errno == ENOENT ? CLI_EXIT_NOT_FOUND
					      : CLI_EXIT_CANNOT_EXEC;
		goto end;
	}
	status = CLI_EXIT_OK;
end:
	if (errpipe[0] >= 0) {
		close(errpipe[0]);
	}
	if (errpipe[1] >= 0) {
		close(errpipe[1]);
	}
	free(envp);
	for (size_t i = 0; owned_entries && owned_entries[i]; i++) {
		free(owned_entries[i]);
	}
	free(owned_entries);
	return status;
}

struct proc_link {
	pid_t pid;
	pid_t ppid;
	bool ours;
};

/* Reads /proc: the live (non-zombie) processes and their parents. */
static struct proc_link *
list_processes(size_t *count)
{
	struct proc_link *links = NULL;
	size_t n = 0, cap = 0;
	struct dirent *entry;
	DIR *proc = opendir("/proc");

	*count = 0;
	if (!proc) {
		return NULL;
	}
	while ((entry = readdir(proc))) {
		char path[64], buf[512], state;
		char *paren, *end;
		long pid, ppid;
		ssize_t len;
		int fd;

		pid = strtol(entry->d_name, &end, 10);
		if (pid <= 0 || *end != '\0') {
			continue;
		}
		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			continue;
		}
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0) {
			continue;
		}
		buf[len] = '\0';
		/* comm may hold spaces and parentheses: parse after the last
		 * ')'. */
		paren = strrchr(buf, ')');
		if (!paren ||
				sscanf(paren + 1, " %c %ld", &state, &ppid) !=
						2 ||
				state == 'Z' || state == 'X') {
			continue;
		}
		if (n == cap) {
			size_t new_cap = cap ? cap * 2 : 256;
			struct proc_link *grown = realloc(
					links, new_cap * sizeof(*links));

			if (!grown) {
				break;
			}
			links = grown;
			cap = new_cap;
		}
		links[n].pid = (pid_t)pid;
		links[n].ppid = (pid_t)ppid;
		links[n].ours = false;
		n++;
	}
	closedir(proc);
	*count = n;
	return links;
}

static size_t
count_descendants(pid_t self, pid_t helper)
{
	size_t n, found = 0;
	struct proc_link *links = list_processes(&n);
	bool grew = true;

	while (grew) {
		grew = false;
		for (size_t i = 0; i < n; i++) {
			bool parent_ours = links[i].ppid == self;

			if (links[i].ours || links[i].pid == helper) {
				continue;
			}
			for (size_t j = 0; j < n && !parent_ours; j++) {
				parent_ours = links[j].ours &&
					      links[j].pid == links[i].ppid;
			}
			if (parent_ours) {
				links[i].ours = true;
				found++;
				grew = true;
			}
		}
	}
	free(links);
	return found;
}

/*
 * PROGRAM has ended: reaps the orphans that already exited, without
 * waiting for daemons that live on, and counts those still running.
 */
static size_t
reap_orphans(const struct recording *rec)
{
	pid_t helper = rec->hooks && rec->hooks->helper
			       ? rec->hooks->helper(rec->hooks->data)
			       : 0;
	size_t running;

	for (;;) {
		siginfo_t info;

		/* Peeks first: the helper's end is its owner's to reap. */
		memset(&info, 0, sizeof(info));
		if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 ||
				info.si_pid == 0 || info.si_pid == helper) {
			break;
		}
		waitpid(info.si_pid, NULL, WNOHANG);
	}
	running = count_descendants(getpid(), helper > 0 ? helper : 0);
	prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
	return running;
}

static void
report_recording(struct recording *rec, const char *program, bool quiet,
		const struct cli_record_result *result, size_t running)
{
	char *ust = NULL;
	int err;

	if (running) {
		cli_warn("%zu process%s started by %s %s still running; what "
			 "%s from now on is not recorded",
				running, running == 1 ? "" : "es", program,
				running == 1 ? "is" : "are",
				running == 1 ? "it does" : "they do");
	}
	if (rec->hooks && rec->hooks->describe) {
		/* The trace is where the hooks sent it: theirs to say. */
	} else if (asprintf(&ust, "%s/ust", rec->dir) >= 0 &&
			dir_is_empty(ust, &err) && !err) {
		cli_warn("no trace was written to %s: lttng-ust could not be "
			 "loaded here; see 'cotrace doctor'",
				rec->dir);
	} else if (!quiet) {
		cli_info("trace written to %s", rec->dir);
	}
	free(ust);
	if (result->discarded_events) {
		cli_warn("%" PRIu64
			 " event%s discarded: the buffers were full; record "
			 "again with a larger --subbuf-size or --num-subbuf",
				result->discarded_events,
				result->discarded_events == 1 ? " was"
							      : "s were");
	}
	if (result->lost_packets) {
		cli_warn("%" PRIu64
			 " packet%s lost: the buffers were full; record again "
			 "with a larger --subbuf-size or --num-subbuf",
				result->lost_packets,
				result->lost_packets == 1 ? " was" : "s were");
	}
}

/* "name (pid N)" and what became of the process, for the seen tree. */
static void
seen_line(const struct cotrace_model *m, size_t i, const char *prefix)
{
	const struct cotrace_process *p = &m->processes[i];
	char end[64];

	if (p->term_signal > 0) {
		const char *abbrev = p->term_signal < 65
					     ? sigabbrev_np((int)p->term_signal)
					     : NULL;

		snprintf(end, sizeof(end), "killed by SIG%s",
				abbrev ? abbrev : "?");
	} else if (p->exit_seen) {
		snprintf(end, sizeof(end), "exit %" PRId64, p->exit_status);
	} else {
		snprintf(end, sizeof(end), "exit not seen");
	}
	cli_info("  %s%s (pid %" PRId64 ")%s, %s", prefix,
			*p->name ? p->name : "?", p->pid,
			p->n_execs ? ", exec'd" : "", end);
}

/* Children of `parent` in start order, depth first (n is small). */
static void
seen_subtree(const struct cotrace_model *m, size_t parent, char *indent,
		size_t len, size_t size, unsigned int depth)
{
	size_t last = SIZE_MAX;

	for (size_t c = 0; c < m->n_processes; c++) {
		if (m->processes[c].parent == parent && c != parent) {
			last = c;
		}
	}
	for (size_t c = 0; c < m->n_processes && depth < 32; c++) {
		char prefix[256];

		if (m->processes[c].parent != parent || c == parent) {
			continue;
		}
		snprintf(prefix, sizeof(prefix), "%s%s", indent,
				c == last ? "`-- " : "|-- ");
		seen_line(m, c, prefix);
		if (len + 4 < size) {
			memcpy(indent + len, c == last ? "    " : "|   ", 5);
			seen_subtree(m, c, indent, len + 4, size, depth + 1);
			indent[len] = '\0';
		}
	}
}

/*
 * Which processes the recording saw, read back from the trace: their
 * number, and their tree when it is short. The analysis is silenced (its
 * errors are `cotrace report`'s to give).
 */
static void
report_processes_seen(const char *dir, bool preload)
{
	const char *paths[] = {dir};
	struct cli_analysis analysis;
	const struct cotrace_model *m;
	size_t forks = 0, execs = 0;
	int saved = -1, devnull;
	char indent[256] = "";

	fflush(stderr);
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (devnull >= 0) {
		saved = fcntl(2, F_DUPFD_CLOEXEC, 3);
		if (saved >= 0) {
			dup2(devnull, 2);
		}
		close(devnull);
	}
	cli_analyse_traces_bounded(paths, 1, &analysis);
	fflush(stderr);
	if (saved >= 0) {
		dup2(saved, 2);
		close(saved);
	}
	m = analysis.model;
	if (!m || m->n_processes == 0) {
		cli_info("saw no process%s", preload
				? ": PROGRAM emitted no cotrace event (a static "
				  "executable cannot be preloaded)"
				: " (with --no-preload only programs "
				  "instrumented with libcotrace are seen)");
		goto end;
	}
	for (size_t i = 0; i < m->n_processes; i++) {
		execs += (size_t)(m->processes[i].n_execs > 0
						  ? m->processes[i].n_execs
						  : 0);
	}
	forks = m->n_forks + m->n_spawns;
	cli_info("saw %zu process%s (%zu fork%s or spawn%s, %zu exec%s)%s",
			m->n_processes, m->n_processes == 1 ? "" : "es", forks,
			forks == 1 ? "" : "s", forks == 1 ? "" : "s", execs,
			execs == 1 ? "" : "s",
			m->n_processes <= SEEN_TREE_MAX ? ":" : "; `cotrace "
							       "report` shows "
							       "them all");
	if (m->n_processes > SEEN_TREE_MAX) {
		goto end;
	}
	for (size_t i = 0; i < m->n_processes; i++) {
		if (m->processes[i].parent == SIZE_MAX) {
			seen_line(m, i, "");
			seen_subtree(m, i, indent, 0, sizeof(indent), 0);
		}
	}
end:
	cli_analysis_release(&analysis);
}

/*
 * The end of a recording into a relay: the trace is on the relay's
 * machine, so say where rather than read it back. A relay lost on the way
 * makes the recording a failure (what it received stays there).
 */
static int
finish_relay_recording(struct recording *rec, const char *program,
		struct cli_record_result *result, size_t running)
{
	bool lost = cli_relay_watch(&rec->relay_watch, program);

	if (session_finish(rec, result) != 0) {
		lost = true;
	}
	lost = lost || rec->relay_watch.lost;
	restore_signals(rec);
	if (running) {
		cli_warn("%zu process%s started by %s %s still running; what "
			 "%s from now on is not recorded",
				running, running == 1 ? "" : "es", program,
				running == 1 ? "is" : "are",
				running == 1 ? "it does" : "they do");
	}
	if (result->discarded_events) {
		cli_warn("%" PRIu64 " event%s discarded: the buffers were "
			 "full; record again with a larger --subbuf-size or "
			 "--num-subbuf",
				result->discarded_events,
				result->discarded_events == 1 ? " was"
							      : "s were");
	}
	cli_relay_say_where(rec->relay_folder, rec->relay, lost);
	if (lost) {
		cli_error("the recording into the relay %s is incomplete: "
			  "the relay went away while %s ran",
				rec->relay->url, program);
		return CLI_EXIT_RECORD_FAILED;
	}
	return CLI_EXIT_OK;
}

int
cli_record_program(const struct cli_record_options *opts, char **argv,
		struct cli_record_result *result)
{
	return cli_record_program_ext(opts, NULL, argv, result);
}

int
cli_record_program_ext(const struct cli_record_options *opts,
		const struct cli_record_extra *extra, char **argv,
		struct cli_record_result *result)
{
	static const struct cli_record_extra none;
	const char *shown_name;
	struct recording rec;
	size_t running = 0;
	int status;

	memset(result, 0, sizeof(*result));
	memset(&rec, 0, sizeof(rec));
	rec.anchor_pid = -1;
	rec.anchor_go_fd = -1;
	if (!argv || !argv[0]) {
		cli_error("no program to record");
		return CLI_EXIT_RECORD_FAILED;
	}
	if (!extra) {
		extra = &none;
	}
	shown_name = extra->shown_name ? extra->shown_name : argv[0];
	status = check_program(argv[0]);
	if (status != CLI_EXIT_OK) {
		goto end;
	}
	status = CLI_EXIT_RECORD_FAILED;
	rec.relay = extra->relay;
	if (rec.relay && cli_relay_reachable(rec.relay, &rec.relay_addrs)) {
		goto end;
	}
	if (!rec.relay && opts->output_dir &&
			check_output_dir(&rec, opts->output_dir) != 0) {
		goto end;
	}
	/* Before making the output directory: a failure leaves nothing behind.
	 */
	if (cli_sessiond_ensure(opts->quiet) != 0) {
		goto end;
	}
	if ((!rec.relay && claim_output_dir(&rec, extra->default_prefix,
					   argv[0]) != 0) ||
			draw_run_id(&rec.run_id) != 0) {
		goto error;
	}
	if (opts->session_name) {
		rec.session_name = strdup(opts->session_name);
	} else if (asprintf(&rec.session_name, "cotrace-%ld-%" PRIx64,
				   (long)getpid(), rec.run_id) < 0) {
		rec.session_name = NULL;
	}
	if (!rec.session_name) {
		cli_error("out of memory");
		goto error;
	}
	if (!extra->no_preload) {
		find_preload(&rec);
		if (rec.preload) {
			warn_if_static(argv[0]);
		}
	}
	rec.python_agent = extra->python_agent || looks_like_python(argv[0]);
	rec.hooks = extra->hooks;
	if (install_signals(&rec) != 0) {
		goto error;
	}
	anchor_start(&rec);
	if (session_setup(&rec, opts) != 0) {
		goto error;
	}
	anchor_release(&rec);
	if (rec.hooks && rec.hooks->before_program &&
			rec.hooks->before_program(rec.hooks->data) != 0) {
		goto error;
	}
	if (!opts->quiet && !interrupted) {
		cli_info("recording %s (session %s, run id %" PRIu64 ")",
				shown_name, rec.session_name, rec.run_id);
		if (rec.relay) {
			cli_info("streaming to the relay %s", rec.relay->url);
		}
	}
	status = run_program(&rec, argv, &result->wait_status);
	if (interrupted) {
		cli_error("interrupted by signal %d before %s started; nothing "
			  "was recorded",
				(int)interrupted, shown_name);
	}
	running = reap_orphans(&rec);
	if (status != CLI_EXIT_OK) {
		goto error;
	}
	if (rec.relay) {
		status = finish_relay_recording(&rec, shown_name, result,
				running);
		goto end;
	}
	session_finish(&rec, result);
	restore_signals(&rec);
	report_recording(&rec, shown_name, opts->quiet || extra->quiet_result,
			result, running);
	if (!opts->quiet && !extra->quiet_result) {
		report_processes_seen(rec.dir, rec.preload != NULL);
	}
	result->trace_dir = rec.dir;
	rec.dir = NULL;
	goto end;
error:
	anchor_release(&rec);
	session_finish(&rec, NULL);
	restore_signals(&rec);
	/*
	 * Nothing worth keeping was recorded, and the directory was new or
	 * empty: leave no half-made trace behind.
	 */
	if (rec.claimed) {
		cli_remove_recording(rec.dir, !rec.made_dir);
	} else if (rec.made_dir) {
		rmdir(rec.dir);
	}
end:
	free(rec.relay_folder);
	free(rec.dir);
	free(rec.owned_shown);
	free(rec.session_name);
	free(rec.preload);
	free(rec.lib);
	return status;
}

void
cli_record_result_release(struct cli_record_result *result)
{
	if (!result) {
		return;
	}
	free(result->trace_dir);
	result->trace_dir = NULL;
}
