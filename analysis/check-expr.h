/*
 * The expectation language of `cotrace check` (doc/check-language.md): a
 * lexer and a recursive-descent parser into an AST, with names resolved
 * and types checked at parse time, so a wrong expectation file is reported
 * (exit 2, with its column) before any trace is read or program recorded.
 * Plain C, no babeltrace2: check-eval.c evaluates the AST over a model.
 */
#ifndef COTRACE_CHECK_EXPR_H
#define COTRACE_CHECK_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cotrace_check_type {
	COTRACE_CHECK_COUNT,	/* int64: counts, pids, ids, statuses */
	COTRACE_CHECK_NUMBER,	/* double: parallelism */
	COTRACE_CHECK_DURATION, /* int64 nanoseconds */
	COTRACE_CHECK_RATIO,	/* double fraction, shown as a percentage */
	COTRACE_CHECK_BOOL,
	COTRACE_CHECK_STRING,
};

/* Collections; also the kinds of references (process:#2 is a PROCESSES). */
enum cotrace_check_collection {
	COTRACE_CHECK_NO_COLLECTION,
	COTRACE_CHECK_PROCESSES,
	COTRACE_CHECK_THREADS,
	COTRACE_CHECK_TASKS,
	COTRACE_CHECK_FORKS,
	COTRACE_CHECK_WARNINGS,
	COTRACE_CHECK_N_COLLECTIONS,
};

enum cotrace_check_scalar {
	COTRACE_CHECK_S_PROCESSES,
	COTRACE_CHECK_S_THREADS,
	COTRACE_CHECK_S_TASKS,
	COTRACE_CHECK_S_FORKS,
	COTRACE_CHECK_S_UNITS,
	COTRACE_CHECK_S_SPAN,
	COTRACE_CHECK_S_BUSY,
	COTRACE_CHECK_S_CPU,
	COTRACE_CHECK_S_PARALLELISM,
	COTRACE_CHECK_S_CPU_PARALLELISM,
	COTRACE_CHECK_S_MAX_CONCURRENCY,
	COTRACE_CHECK_S_LOST_EVENTS,
	COTRACE_CHECK_S_WARNINGS,
};

/* Fields of the elements of collections; each has one type everywhere. */
enum cotrace_check_field {
	COTRACE_CHECK_F_PID,
	COTRACE_CHECK_F_PPID,
	COTRACE_CHECK_F_TID,
	COTRACE_CHECK_F_ID,
	COTRACE_CHECK_F_NAME,
	COTRACE_CHECK_F_LABEL,
	COTRACE_CHECK_F_KIND,
	COTRACE_CHECK_F_EXIT_STATUS,
	COTRACE_CHECK_F_COMPLETE,
	COTRACE_CHECK_F_START_SEEN,
	COTRACE_CHECK_F_EXIT_SEEN,
	COTRACE_CHECK_F_FORK_CHILD,
	COTRACE_CHECK_F_THREADS,
	COTRACE_CHECK_F_TASKS,
	COTRACE_CHECK_F_DURATION,
	COTRACE_CHECK_F_CPU,
	COTRACE_CHECK_F_START,
	COTRACE_CHECK_F_END,
	COTRACE_CHECK_F_TLS_WRITES,
	COTRACE_CHECK_F_TLS_READS,
	COTRACE_CHECK_F_TLS_DISTINCT,
	COTRACE_CHECK_F_TLS_OWN_VALUE,
	COTRACE_CHECK_F_FINISHED,
	COTRACE_CHECK_F_PARENT_PID,
	COTRACE_CHECK_F_CHILD_PID,
	COTRACE_CHECK_F_PARENT_RET,
	COTRACE_CHECK_F_CHILD_RET,
	COTRACE_CHECK_F_THREADS_ALIVE,
	COTRACE_CHECK_F_CHILD_SEEN,
};

enum cotrace_check_op {
	COTRACE_CHECK_EQ,
	COTRACE_CHECK_NE,
	COTRACE_CHECK_LT,
	COTRACE_CHECK_LE,
	COTRACE_CHECK_GT,
	COTRACE_CHECK_GE,
};

enum cotrace_check_node_kind {
	/* conditions */
	COTRACE_CHECK_OR,      /* left or right */
	COTRACE_CHECK_AND,     /* left and right */
	COTRACE_CHECK_NOT,     /* not left */
	COTRACE_CHECK_COMPARE, /* left op right */
	COTRACE_CHECK_TRUTH,   /* a boolean value standing alone: left */
	COTRACE_CHECK_WARNING, /* [no] warning KIND, no warnings */
	COTRACE_CHECK_ANY,     /* any(left) over `collection` */
	COTRACE_CHECK_ALL,     /* all(left) over `collection` */
	/* values */
	COTRACE_CHECK_LITERAL,
	COTRACE_CHECK_SCALAR,
	COTRACE_CHECK_FIELD,	    /* collection.field: the bound element's */
	COTRACE_CHECK_REF_FIELD,    /* field(ref) */
	COTRACE_CHECK_OVERLAP,	    /* overlap(ref, ref) */
	COTRACE_CHECK_OVERLAP_TIME, /* overlap_time(ref, ref) */
	COTRACE_CHECK_COUNT_OF,	    /* count(collection [where left]) */
};

enum cotrace_check_ref_by {
	COTRACE_CHECK_BY_ID,	  /* process:1234, task:1, fork:2 (ordinal) */
	COTRACE_CHECK_BY_ORDINAL, /* process:#2 */
	COTRACE_CHECK_BY_CHILD,	  /* process:child1 */
	COTRACE_CHECK_BY_NAME,	  /* thread:worker-1, process:"a b" */
};

struct cotrace_check_ref {
	enum cotrace_check_collection kind;
	enum cotrace_check_ref_by by;
	int64_t number;	       /* id, ordinal or child number */
	char *name;	       /* owned, BY_NAME only */
	size_t offset, length; /* the reference's text */
};

/* How a literal was written, for type checking. */
enum cotrace_check_literal_form {
	COTRACE_CHECK_PLAIN,   /* 3, 1.6, -1 */
	COTRACE_CHECK_UNIT,    /* 400ms */
	COTRACE_CHECK_PERCENT, /* 80% */
	COTRACE_CHECK_WORD,    /* true, false, "string" */
};

struct cotrace_check_node {
	enum cotrace_check_node_kind kind;
	size_t offset, length;	      /* the node's text in the expression */
	enum cotrace_check_type type; /* of a value */
	struct cotrace_check_node *left, *right; /* owned */
	enum cotrace_check_op op;
	/* LITERAL */
	enum cotrace_check_literal_form form;
	double number;	 /* NUMBER, RATIO */
	int64_t integer; /* COUNT, DURATION (ns) */
	bool boolean;
	char *string; /* owned */
	/* SCALAR, FIELD, REF_FIELD */
	enum cotrace_check_scalar scalar;
	enum cotrace_check_field field;
	/* FIELD, COUNT_OF, ANY, ALL: the collection; COMPARE, TRUTH: the
	 * collection the comparison ranges over (every element), or none */
	enum cotrace_check_collection collection;
	/* REF_FIELD: ref[0]; OVERLAP*: ref[0], ref[1] */
	struct cotrace_check_ref ref[2];
	/* WARNING: the kind (enum cotrace_warning_kind), -1 for any kind */
	int warning_kind;
	bool negated; /* WARNING: "no warning" */
};

struct cotrace_check_expr {
	char *text;			 /* owned: the expectation as written */
	struct cotrace_check_node *root; /* owned */
};

struct cotrace_check_error {
	size_t offset; /* byte offset of the error in the text */
	size_t length; /* bytes to underline, at least 1 */
	char message[320];
};

/*
 * Parses one expectation (`text`, up to its end; '#' comments allowed).
 * Returns 0 and sets *expr, or -EINVAL and fills *error, or -ENOMEM.
 */
int cotrace_check_parse(const char *text, struct cotrace_check_expr **expr,
		struct cotrace_check_error *error);
void cotrace_check_expr_destroy(struct cotrace_check_expr *expr);

/*
 * Is this line of an expectation file only blank or a comment? Such lines
 * are skipped rather than parsed (an empty --expect is an error).
 */
bool cotrace_check_line_is_blank(const char *line);

/*
 * The 1-based column of `offset` in `text`, counted in characters (UTF-8
 * sequences count once), as editors show it.
 */
size_t cotrace_check_column(const char *text, size_t offset);

/*
 * Writes into buf the caret line that underlines the error under `text`
 * (tabs kept, so it lines up in a terminal): "        ^~~~".
 */
void cotrace_check_caret_line(const char *text,
		const struct cotrace_check_error *error, char *buf,
		size_t size);

/* Names, for messages: "processes", "forks"; singular "process", "fork". */
const char *cotrace_check_collection_name(enum cotrace_check_collection c);
const char *cotrace_check_collection_singular(enum cotrace_check_collection c);
const char *cotrace_check_scalar_name(enum cotrace_check_scalar s);
const char *cotrace_check_field_name(enum cotrace_check_field f);
const char *cotrace_check_op_name(enum cotrace_check_op op);

#endif /* COTRACE_CHECK_EXPR_H */
