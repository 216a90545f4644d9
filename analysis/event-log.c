/*
 * The event log: each entry owns one block holding the event and copies of
 * everything it points to, so a replay needs no decoder.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "event-log.h"

enum entry_kind {
	ENTRY_EVENT,
	ENTRY_LOST,
	ENTRY_PATH,
	ENTRY_DAMAGED,
};

struct entry {
	enum entry_kind kind;
	union {
		struct cotrace_event *event; /* owned: one block */
		struct {
			uint64_t count;
			int64_t begin_ns, end_ns;
		} lost;
		char *text; /* owned: a path or why */
	} u;
};

struct cotrace_event_log {
	struct entry *entries; /* owned */
	size_t n_entries, cap_entries;
	uint64_t foreign;
	uint64_t cotrace_events;
};

struct cotrace_event_log *
cotrace_event_log_create(void)
{
	return calloc(1, sizeof(struct cotrace_event_log));
}

static void
entry_release(struct entry *e)
{
	if (e->kind == ENTRY_EVENT) {
		free(e->u.event);
	} else if (e->kind == ENTRY_PATH || e->kind == ENTRY_DAMAGED) {
		free(e->u.text);
	}
}

void
cotrace_event_log_destroy(struct cotrace_event_log *log)
{
	if (!log) {
		return;
	}
	for (size_t i = 0; i < log->n_entries; i++) {
		entry_release(&log->entries[i]);
	}
	free(log->entries);
	free(log);
}

static struct entry *
new_entry(struct cotrace_event_log *log, enum entry_kind kind)
{
	struct entry *e;

	if (log->n_entries == log->cap_entries) {
		size_t cap = log->cap_entries ? log->cap_entries * 2 : 256;
		struct entry *grown =
				realloc(log->entries, cap * sizeof(*grown));

		if (!grown) {
			return NULL;
		}
		log->entries = grown;
		log->cap_entries = cap;
	}
	e = &log->entries[log->n_entries];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	return e;
}

/* The bytes a borrowed string needs in the block (0 for NULL). */
static size_t
str_size(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

/* Copies `s` to *cursor and moves it on; NULL stays NULL. */
static const char *
str_copy(const char *s, char **cursor)
{
	char *copy;
	size_t n;

	if (!s) {
		return NULL;
	}
	n = strlen(s) + 1;
	copy = *cursor;
	memcpy(copy, s, n);
	*cursor += n;
	return copy;
}

int
cotrace_event_log_add_event(struct cotrace_event_log *log,
		const struct cotrace_event *event)
{
	const char *const *fields[] = {&event->procname, &event->host,
			&event->name, &event->alive_names, &event->key,
			&event->value, &event->path, &event->logger,
			&event->msg};
	size_t n_fields = sizeof(fields) / sizeof(fields[0]);
	size_t tids = event->alive_tids ? event->n_alive_tids : 0;
	size_t size = sizeof(struct cotrace_event) + tids * sizeof(int64_t);
	struct cotrace_event *copy;
	struct entry *e;
	char *cursor;

	for (size_t i = 0; i < n_fields; i++) {
		size += str_size(*fields[i]);
	}
	copy = malloc(size);
	if (!copy) {
		return -ENOMEM;
	}
	*copy = *event;
	/* int64_t first: the block is aligned for them. */
	cursor = (char *)(copy + 1);
	if (tids) {
		memcpy(cursor, event->alive_tids, tids * sizeof(int64_t));
		copy->alive_tids = (const int64_t *)cursor;
		cursor += tids * sizeof(int64_t);
	} else {
		copy->alive_tids = NULL;
		copy->n_alive_tids = 0;
	}
	copy->procname = str_copy(event->procname, &cursor);
	copy->host = str_copy(event->host, &cursor);
	copy->name = str_copy(event->name, &cursor);
	copy->alive_names = str_copy(event->alive_names, &cursor);
	copy->key = str_copy(event->key, &cursor);
	copy->value = str_copy(event->value, &cursor);
	copy->path = str_copy(event->path, &cursor);
	copy->logger = str_copy(event->logger, &cursor);
	copy->msg = str_copy(event->msg, &cursor);
	e = new_entry(log, ENTRY_EVENT);
	if (!e) {
		free(copy);
		return -ENOMEM;
	}
	e->u.event = copy;
	log->n_entries++;
	log->cotrace_events++;
	return 0;
}

int
cotrace_event_log_count_foreign(struct cotrace_event_log *log)
{
	log->foreign++;
	return 0;
}

int
cotrace_event_log_add_lost(struct cotrace_event_log *log, uint64_t count,
		int64_t begin_ns, int64_t end_ns)
{
	struct entry *e = new_entry(log, ENTRY_LOST);

	if (!e) {
		return -ENOMEM;
	}
	e->u.lost.count = count;
	e->u.lost.begin_ns = begin_ns;
	e->u.lost.end_ns = end_ns;
	log->n_entries++;
	return 0;
}

static int
add_text(struct cotrace_event_log *log, enum entry_kind kind, const char *s)
{
	char *copy = strdup(s ? s : "");
	struct entry *e;

	if (!copy) {
		return -ENOMEM;
	}
	e = new_entry(log, kind);
	if (!e) {
		free(copy);
		return -ENOMEM;
	}
	e->u.text = copy;
	log->n_entries++;
	return 0;
}

int
cotrace_event_log_add_path(struct cotrace_event_log *log, const char *path)
{
	return add_text(log, ENTRY_PATH, path);
}

int
cotrace_event_log_mark_damaged(struct cotrace_event_log *log, const char *why)
{
	return add_text(log, ENTRY_DAMAGED, why);
}

uint64_t
cotrace_event_log_events(const struct cotrace_event_log *log)
{
	return log->cotrace_events + log->foreign;
}

uint64_t
cotrace_event_log_cotrace_events(const struct cotrace_event_log *log)
{
	return log->cotrace_events;
}

struct cotrace_model *
cotrace_event_log_snapshot(const struct cotrace_event_log *log)
{
	struct cotrace_model *model = cotrace_model_create();
	int err = 0;

	if (!model) {
		return NULL;
	}
	for (size_t i = 0; i < log->n_entries && !err; i++) {
		const struct entry *e = &log->entries[i];

		switch (e->kind) {
		case ENTRY_EVENT:
			err = cotrace_model_add_event(model, e->u.event);
			break;
		case ENTRY_LOST:
			err = cotrace_model_add_lost(model, e->u.lost.count,
					e->u.lost.begin_ns, e->u.lost.end_ns);
			break;
		case ENTRY_PATH:
			err = cotrace_model_add_path(model, e->u.text);
			break;
		case ENTRY_DAMAGED:
			err = cotrace_model_mark_damaged(model, e->u.text);
			break;
		}
	}
	for (uint64_t i = 0; i < log->foreign && !err; i++) {
		cotrace_model_count_foreign(model);
	}
	if (!err) {
		err = cotrace_model_finish(model);
	}
	if (err) {
		cotrace_model_destroy(model);
		return NULL;
	}
	return model;
}
