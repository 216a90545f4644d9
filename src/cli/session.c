/*
 * Recording through liblttng-ctl: one LTTng session per run, whose events
 * are filtered on a random run id that only PROGRAM and its descendants
 * carry (COTRACE_RUN_ID), so concurrent recordings never mix.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
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

#include "cli.h"
#include "record.h"
#include "sessiond.h"

#define CHANNEL_NAME "cotrace"
#define DEFAULT_SUBBUF_SIZE (1024 * 1024)
#define DEFAULT_NUM_SUBBUF 4
#define RUN_ID_ENV "COTRACE_RUN_ID"
/* Registration takes milliseconds; lttng-ust's own limit is 3 s. */
#define ANCHOR_TIMEOUT_MS 5000
#define DESTROY_TIMEOUT_MS 60000

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
	char *path = strdup(rec->dir);
	int status = -1;

	rec->made_dir = false;
	if (!path) {
		cli_error("out of memory");
		return -1;
	}
	for (char *p = path + 1;; p++) {
		bool last = *p == '\0';

		if (*p != '/' && !last) {
			continue;
		}
		*p = '\0';
		if (mkdir(path, 0777) == 0) {
			rec->made_dir = last;
		} else if (errno != EEXIST) {
			cli_error("cannot create output directory '%s': %s",
					rec->shown_dir, strerror(errno));
			goto end;
		}
		if (last) {
			break;
		}
		*p = '/';
		while (p[1] == '/') {
			p++;
		}
	}
	status = 0;
end:
	free(path);
	return status;
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

	desc = lttng_session_descriptor_local_create(
			rec->session_name, rec->dir);
	if (!desc) {
		cli_error("cannot describe the tracing session (output "
			  "directory '%s')",
				rec->dir);
		goto end;
	}
	code = lttng_create_session_ext(desc);
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
	ret = lttng_enable_channel(handle, channel);
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
	ret = lttng_start_tracing(rec->session_name);
	if (ret < 0) {
		lttng_failed("cannot start tracing", ret);
		goto end;
	}
	rec->tracing = true;
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
		ret = lttng_stop_tracing(rec->session_name);
		if (ret < 0) {
			cli_warn("cannot stop session %s cleanly (%s); the "
				 "trace may miss its last events",
					rec->session_name, lttng_strerror(ret));
			status = -1;
		}
		if (result) {
			read_loss_counts(rec, result);
		}
	}
	code = lttng_destroy_session_ext(rec->session_name, &dh);
	if (code == LTTNG_OK) {
		dh_status = lttng_destruction_handle_wait_for_completion(
				dh, DESTROY_TIMEOUT_MS);
		if (dh_status != LTTNG_DESTRUCTION_HANDLE_STATUS_COMPLETED) {
			code = LTTNG_ERR_UNK;
		} else if (lttng_destruction_handle_get_result(dh, &code) !=
				LTTNG_DESTRUCTION_HANDLE_STATUS_OK) {
			code = LTTNG_ERR_UNK;
		}
	}
	if (code != LTTNG_OK) {
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

/* environ with COTRACE_RUN_ID=<id> in place of any inherited one. */
static char **
child_environment(uint64_t run_id, char **run_id_entry)
{
	size_t n = 0, len = strlen(RUN_ID_ENV "=");
	char **envp;

	for (char **e = environ; *e; e++) {
		n++;
	}
	envp = calloc(n + 2, sizeof(*envp));
	if (!envp || asprintf(run_id_entry, RUN_ID_ENV "=%" PRIu64, run_id) <
					0) {
		free(envp);
		*run_id_entry = NULL;
		return NULL;
	}
	n = 0;
	for (char **e = environ; *e; e++) {
		if (strncmp(*e, RUN_ID_ENV "=", len)) {
			envp[n++] = *e;
		}
	}
	envp[n++] = *run_id_entry;
	envp[n] = NULL;
	return envp;
}

/*
 * Runs PROGRAM to its end. Returns CLI_EXIT_OK with its wait status, or
 * CLI_EXIT_NOT_FOUND / CLI_EXIT_CANNOT_EXEC when exec failed (reported
 * through a close-on-exec pipe), or CLI_EXIT_RECORD_FAILED.
 */
static int
run_program(struct recording *rec, char **argv, int *wait_status)
{
	char *run_id_entry = NULL;
	char **envp = NULL;
	int errpipe[2] = {-1, -1};
	int status = CLI_EXIT_RECORD_FAILED, exec_errno = 0;
	sigset_t block, old;
	ssize_t n;
	pid_t pid;

	envp = child_environment(rec->run_id, &run_id_entry);
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
	while (waitpid(pid, wait_status, 0) < 0) {
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
	free(run_id_entry);
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
count_descendants(pid_t self)
{
	size_t n, found = 0;
	struct proc_link *links = list_processes(&n);
	bool grew = true;

	while (grew) {
		grew = false;
		for (size_t i = 0; i < n; i++) {
			bool parent_ours = links[i].ppid == self;

			if (links[i].ours) {
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
reap_orphans(void)
{
	size_t running;

	while (waitpid(-1, NULL, WNOHANG) > 0) {
	}
	running = count_descendants(getpid());
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
	if (asprintf(&ust, "%s/ust", rec->dir) >= 0 &&
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
	if (opts->output_dir && check_output_dir(&rec, opts->output_dir) != 0) {
		goto end;
	}
	/* Before making the output directory: a failure leaves nothing behind.
	 */
	if (cli_sessiond_ensure(opts->quiet) != 0) {
		goto end;
	}
	if (claim_output_dir(&rec, extra->default_prefix, argv[0]) != 0 ||
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
	if (install_signals(&rec) != 0) {
		goto error;
	}
	anchor_start(&rec);
	if (session_setup(&rec, opts) != 0) {
		goto error;
	}
	anchor_release(&rec);
	if (!opts->quiet && !interrupted) {
		cli_info("recording %s (session %s, run id %" PRIu64 ")",
				shown_name, rec.session_name, rec.run_id);
	}
	status = run_program(&rec, argv, &result->wait_status);
	if (interrupted) {
		cli_error("interrupted by signal %d before %s started; nothing "
			  "was recorded",
				(int)interrupted, shown_name);
	}
	running = reap_orphans();
	if (status != CLI_EXIT_OK) {
		goto error;
	}
	session_finish(&rec, result);
	restore_signals(&rec);
	report_recording(&rec, shown_name, opts->quiet || extra->quiet_result,
			result, running);
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
	free(rec.dir);
	free(rec.owned_shown);
	free(rec.session_name);
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
