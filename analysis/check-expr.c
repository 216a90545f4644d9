/*
 * The expectation language of `cotrace check`: lexer, recursive-descent
 * parser, name resolution, type checking and collection binding. The
 * grammar is in doc/check-language.md; every error names what is wrong at
 * one position, since lab authors and students read these.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-expr.h"
#include "json-writer.h"
#include "report-common.h"

/* ---- name tables ---- */

struct scalar_def {
	const char *name;
	enum cotrace_check_scalar scalar;
	enum cotrace_check_type type;
};

static const struct scalar_def scalars[] = {
		{"processes", COTRACE_CHECK_S_PROCESSES, COTRACE_CHECK_COUNT},
		{"threads", COTRACE_CHECK_S_THREADS, COTRACE_CHECK_COUNT},
		{"tasks", COTRACE_CHECK_S_TASKS, COTRACE_CHECK_COUNT},
		{"forks", COTRACE_CHECK_S_FORKS, COTRACE_CHECK_COUNT},
		{"units", COTRACE_CHECK_S_UNITS, COTRACE_CHECK_COUNT},
		{"span", COTRACE_CHECK_S_SPAN, COTRACE_CHECK_DURATION},
		{"busy", COTRACE_CHECK_S_BUSY, COTRACE_CHECK_DURATION},
		{"cpu", COTRACE_CHECK_S_CPU, COTRACE_CHECK_DURATION},
		{"parallelism", COTRACE_CHECK_S_PARALLELISM,
				COTRACE_CHECK_NUMBER},
		{"cpu_parallelism", COTRACE_CHECK_S_CPU_PARALLELISM,
				COTRACE_CHECK_NUMBER},
		{"max_concurrency", COTRACE_CHECK_S_MAX_CONCURRENCY,
				COTRACE_CHECK_COUNT},
		{"lost_events", COTRACE_CHECK_S_LOST_EVENTS,
				COTRACE_CHECK_COUNT},
		{"warnings", COTRACE_CHECK_S_WARNINGS, COTRACE_CHECK_COUNT},
};

#define BIT(c) (1u << (unsigned int)(c))
#define P_ BIT(COTRACE_CHECK_PROCESSES)
#define TH_ BIT(COTRACE_CHECK_THREADS)
#define TA_ BIT(COTRACE_CHECK_TASKS)
#define F_ BIT(COTRACE_CHECK_FORKS)
#define W_ BIT(COTRACE_CHECK_WARNINGS)

struct field_def {
	const char *name;
	enum cotrace_check_field field;
	enum cotrace_check_type type;
	unsigned int collections; /* BIT()s of the collections that have it */
};

/* In enum order: field_defs[f].field == f. */
static const struct field_def field_defs[] = {
		{"pid", COTRACE_CHECK_F_PID, COTRACE_CHECK_COUNT,
				P_ | TH_ | TA_ | W_},
		{"ppid", COTRACE_CHECK_F_PPID, COTRACE_CHECK_COUNT, P_},
		{"tid", COTRACE_CHECK_F_TID, COTRACE_CHECK_COUNT,
				TH_ | TA_ | W_},
		{"id", COTRACE_CHECK_F_ID, COTRACE_CHECK_COUNT, TA_},
		{"name", COTRACE_CHECK_F_NAME, COTRACE_CHECK_STRING, P_ | TH_},
		{"label", COTRACE_CHECK_F_LABEL, COTRACE_CHECK_STRING, TA_},
		{"kind", COTRACE_CHECK_F_KIND, COTRACE_CHECK_STRING, W_},
		{"exit_status", COTRACE_CHECK_F_EXIT_STATUS,
				COTRACE_CHECK_COUNT, P_},
		{"complete", COTRACE_CHECK_F_COMPLETE, COTRACE_CHECK_BOOL, P_},
		{"start_seen", COTRACE_CHECK_F_START_SEEN, COTRACE_CHECK_BOOL,
				P_ | TH_},
		{"exit_seen", COTRACE_CHECK_F_EXIT_SEEN, COTRACE_CHECK_BOOL,
				P_ | TH_},
		{"fork_child", COTRACE_CHECK_F_FORK_CHILD, COTRACE_CHECK_BOOL,
				P_},
		{"threads", COTRACE_CHECK_F_THREADS, COTRACE_CHECK_COUNT, P_},
		{"tasks", COTRACE_CHECK_F_TASKS, COTRACE_CHECK_COUNT, P_},
		{"duration", COTRACE_CHECK_F_DURATION, COTRACE_CHECK_DURATION,
				P_ | TH_ | TA_},
		{"cpu", COTRACE_CHECK_F_CPU, COTRACE_CHECK_DURATION,
				P_ | TH_ | TA_},
		{"start", COTRACE_CHECK_F_START, COTRACE_CHECK_DURATION,
				P_ | TH_ | TA_},
		{"end", COTRACE_CHECK_F_END, COTRACE_CHECK_DURATION,
				P_ | TH_ | TA_},
		{"tls_writes", COTRACE_CHECK_F_TLS_WRITES, COTRACE_CHECK_COUNT,
				TH_},
		{"tls_reads", COTRACE_CHECK_F_TLS_READS, COTRACE_CHECK_COUNT,
				TH_},
		{"tls_distinct", COTRACE_CHECK_F_TLS_DISTINCT,
				COTRACE_CHECK_BOOL, TH_},
		{"tls_own_value", COTRACE_CHECK_F_TLS_OWN_VALUE,
				COTRACE_CHECK_BOOL, TH_},
		{"finished", COTRACE_CHECK_F_FINISHED, COTRACE_CHECK_BOOL, TA_},
		{"parent_pid", COTRACE_CHECK_F_PARENT_PID, COTRACE_CHECK_COUNT,
				F_},
		{"child_pid", COTRACE_CHECK_F_CHILD_PID, COTRACE_CHECK_COUNT,
				F_},
		{"parent_ret", COTRACE_CHECK_F_PARENT_RET, COTRACE_CHECK_COUNT,
				F_},
		{"child_ret", COTRACE_CHECK_F_CHILD_RET, COTRACE_CHECK_COUNT,
				F_},
		{"threads_alive", COTRACE_CHECK_F_THREADS_ALIVE,
				COTRACE_CHECK_COUNT, F_},
		{"child_seen", COTRACE_CHECK_F_CHILD_SEEN, COTRACE_CHECK_BOOL,
				F_},
};

#define N_FIELDS (sizeof(field_defs) / sizeof(field_defs[0]))
#define N_SCALARS (sizeof(scalars) / sizeof(scalars[0]))

static const char *const collection_names[] = {
		[COTRACE_CHECK_NO_COLLECTION] = "",
		[COTRACE_CHECK_PROCESSES] = "processes",
		[COTRACE_CHECK_THREADS] = "threads",
		[COTRACE_CHECK_TASKS] = "tasks",
		[COTRACE_CHECK_FORKS] = "forks",
		[COTRACE_CHECK_WARNINGS] = "warnings",
};

/* Also the reference kinds: process:#2. */
static const char *const collection_singular[] = {
		[COTRACE_CHECK_NO_COLLECTION] = "",
		[COTRACE_CHECK_PROCESSES] = "process",
		[COTRACE_CHECK_THREADS] = "thread",
		[COTRACE_CHECK_TASKS] = "task",
		[COTRACE_CHECK_FORKS] = "fork",
		[COTRACE_CHECK_WARNINGS] = "warning",
};

static const char *const keywords[] = {
		"and",
		"or",
		"not",
		"no",
		"warning",
		"any",
		"all",
		"count",
		"where",
		"true",
		"false",
};

static const char *const functions[] = {
		"overlap",
		"overlap_time",
		"count",
		"any",
		"all",
};

/* Units of durations, in nanoseconds. */
static const struct {
	const char *name;
	int64_t ns;
} units[] = {
		{"ns", 1},
		{"us", 1000},
		{"ms", 1000000},
		{"s", 1000000000},
};

static const char *const op_names[] = {
		[COTRACE_CHECK_EQ] = "==",
		[COTRACE_CHECK_NE] = "!=",
		[COTRACE_CHECK_LT] = "<",
		[COTRACE_CHECK_LE] = "<=",
		[COTRACE_CHECK_GT] = ">",
		[COTRACE_CHECK_GE] = ">=",
};

const char *
cotrace_check_collection_name(enum cotrace_check_collection c)
{
	return (size_t)c < COTRACE_CHECK_N_COLLECTIONS ? collection_names[c]
						       : "";
}

const char *
cotrace_check_collection_singular(enum cotrace_check_collection c)
{
	return (size_t)c < COTRACE_CHECK_N_COLLECTIONS ? collection_singular[c]
						       : "";
}

const char *
cotrace_check_scalar_name(enum cotrace_check_scalar s)
{
	for (size_t i = 0; i < N_SCALARS; i++) {
		if (scalars[i].scalar == s) {
			return scalars[i].name;
		}
	}
	return "?";
}

const char *
cotrace_check_field_name(enum cotrace_check_field f)
{
	return (size_t)f < N_FIELDS ? field_defs[f].name : "?";
}

const char *
cotrace_check_op_name(enum cotrace_check_op op)
{
	return (size_t)op < sizeof(op_names) / sizeof(op_names[0])
			       ? op_names[op]
			       : "?";
}

static const char *
type_name(enum cotrace_check_type type)
{
	switch (type) {
	case COTRACE_CHECK_COUNT:
		return "a count";
	case COTRACE_CHECK_NUMBER:
		return "a number";
	case COTRACE_CHECK_DURATION:
		return "a duration";
	case COTRACE_CHECK_RATIO:
		return "a ratio";
	case COTRACE_CHECK_BOOL:
		return "a boolean";
	case COTRACE_CHECK_STRING:
		return "a string";
	}
	return "a value";
}

/* ---- the lexer ---- */

enum token_kind {
	TOK_END,
	TOK_NUMBER,
	TOK_STRING,
	TOK_IDENT,
	TOK_LPAREN,
	TOK_RPAREN,
	TOK_COMMA,
	TOK_DOT,
	TOK_COLON,
	TOK_HASH, /* only directly after ':' (process:#2) */
	TOK_OP,
};

enum number_suffix {
	SUFFIX_NONE,
	SUFFIX_UNIT,
	SUFFIX_PERCENT,
};

struct token {
	enum token_kind kind;
	size_t offset, length;
	enum cotrace_check_op op;
	double number;
	bool integral; /* NUMBER written without a point */
	enum number_suffix suffix;
	int64_t unit_ns; /* SUFFIX_UNIT */
};

struct parser {
	const char *text;
	size_t pos;	  /* where the next token starts lexing */
	size_t prev_end;  /* end of the last token consumed */
	struct token tok; /* the current token */
	struct cotrace_check_error *error;
	int status; /* 0, -EINVAL once an error is set, -ENOMEM */
	/* count(C where ...): bare field names are C's fields */
	enum cotrace_check_collection where;
};

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool
is_ident_char(char c)
{
	return is_ident_start(c) || is_digit(c) || c == '-';
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

/* The first error wins: later ones are consequences. */
static void __attribute__((format(printf, 4, 5)))
fail_at(struct parser *p, size_t offset, size_t length, const char *fmt, ...)
{
	va_list ap;

	if (p->status) {
		return;
	}
	p->status = -EINVAL;
	p->error->offset = offset;
	p->error->length = length ? length : 1;
	va_start(ap, fmt);
	vsnprintf(p->error->message, sizeof(p->error->message), fmt, ap);
	va_end(ap);
}

static void
fail_nomem(struct parser *p)
{
	if (!p->status) {
		p->status = -ENOMEM;
		snprintf(p->error->message, sizeof(p->error->message),
				"out of memory");
	}
}

/* The current token's text as a printf argument: "%.*s". */
#define TOK_ARGS(p) (int)(p)->tok.length, (p)->text + (p)->tok.offset

/* Bytes of the character at s (a UTF-8 sequence counts as one). */
static size_t
char_length(const char *s)
{
	size_t bad = 1, len = strnlen(s, 4), seq;

	if (len == 0) {
		return 0;
	}
	seq = cotrace_utf8_sequence((const unsigned char *)s, len, &bad);
	return seq ? seq : bad;
}

static void
lex_number(struct parser *p, struct token *t)
{
	const char *s = p->text;
	size_t start = p->pos, i = p->pos, suffix;
	char *copy;

	t->kind = TOK_NUMBER;
	t->integral = true;
	if (s[i] == '-') {
		i++;
	}
	while (is_digit(s[i])) {
		i++;
	}
	if (s[i] == '.') {
		t->integral = false;
		if (!is_digit(s[i + 1])) {
			fail_at(p, start, i + 1 - start,
					"bad number '%.*s': write digits after "
					"the point (e.g. 1.5)",
					(int)(i + 1 - start), s + start);
			return;
		}
		i++;
		while (is_digit(s[i])) {
			i++;
		}
	}
	if (s[i] == '.') {
		size_t end = i;

		while (is_digit(s[end]) || s[end] == '.') {
			end++;
		}
		fail_at(p, start, end - start,
				"bad number '%.*s': a number has at most one "
				"decimal point",
				(int)(end - start), s + start);
		return;
	}
	copy = strndup(s + start, i - start);
	if (!copy) {
		fail_nomem(p);
		return;
	}
	t->number = strtod(copy, NULL);
	free(copy);
	suffix = i;
	if (s[i] == '%') {
		t->suffix = SUFFIX_PERCENT;
		i++;
	} else if (is_ident_start(s[i])) {
		bool known = false;

		while (is_ident_start(s[i]) || is_digit(s[i])) {
			i++;
		}
		for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
			if (strlen(units[u].name) == i - suffix &&
					!strncmp(s + suffix, units[u].name,
							i - suffix)) {
				t->suffix = SUFFIX_UNIT;
				t->unit_ns = units[u].ns;
				known = true;
			}
		}
		if (!known) {
			fail_at(p, start, i - start,
					"bad number '%.*s': '%.*s' is not a "
					"unit (units: ns, us, ms, s; or %% "
					"for a percentage)",
					(int)(i - start), s + start,
					(int)(i - suffix), s + suffix);
			return;
		}
	}
	if (is_ident_char(s[i]) || s[i] == '%') {
		size_t end = i;

		while (is_ident_char(s[end]) || s[end] == '%') {
			end++;
		}
		fail_at(p, start, end - start, "bad number '%.*s'",
				(int)(end - start), s + start);
		return;
	}
	p->pos = i;
}

static void
lex_string(struct parser *p, struct token *t)
{
	const char *s = p->text;
	size_t i = p->pos + 1;

	t->kind = TOK_STRING;
	for (;;) {
		if (s[i] == '\0' || s[i] == '\n') {
			fail_at(p, p->pos, 1,
					"this string is never closed: add the "
					"closing '\"'");
			return;
		}
		if (s[i] == '"') {
			break;
		}
		if (s[i] == '\\') {
			if (s[i + 1] != '"' && s[i + 1] != '\\') {
				fail_at(p, i, 2,
						"unknown escape in a string: "
						"only \\\" and \\\\ are "
						"allowed");
				return;
			}
			i++;
		}
		i++;
	}
	p->pos = i + 1;
}

static bool
lex_operator(struct parser *p, struct token *t)
{
	static const struct {
		const char *text;
		enum cotrace_check_op op;
	} ops[] = {
			{"==", COTRACE_CHECK_EQ},
			{"!=", COTRACE_CHECK_NE},
			{"<=", COTRACE_CHECK_LE},
			{">=", COTRACE_CHECK_GE},
			{"<", COTRACE_CHECK_LT},
			{">", COTRACE_CHECK_GT},
	};
	const char *s = p->text + p->pos;

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].text);

		if (!strncmp(s, ops[i].text, n)) {
			t->kind = TOK_OP;
			t->op = ops[i].op;
			p->pos += n;
			return true;
		}
	}
	return false;
}

/* Reads the next token into p->tok; on a lexing error p->status is set. */
static void
next(struct parser *p)
{
	const char *s = p->text;
	struct token *t = &p->tok;

	if (t->kind != TOK_END || t->length) {
		p->prev_end = t->offset + t->length;
	}
	memset(t, 0, sizeof(*t));
	for (;;) {
		while (is_space(s[p->pos])) {
			p->pos++;
		}
		/* '#' right after ':' is an ordinal (process:#2), else a
		 * comment. */
		if (s[p->pos] == '#' && !(p->pos > 0 && s[p->pos - 1] == ':')) {
			while (s[p->pos] && s[p->pos] != '\n') {
				p->pos++;
			}
			continue;
		}
		break;
	}
	t->offset = p->pos;
	if (p->status) {
		t->kind = TOK_END;
		return;
	}
	switch (s[p->pos]) {
	case '\0':
		t->kind = TOK_END;
		return;
	case '(':
		t->kind = TOK_LPAREN;
		p->pos++;
		break;
	case ')':
		t->kind = TOK_RPAREN;
		p->pos++;
		break;
	case ',':
		t->kind = TOK_COMMA;
		p->pos++;
		break;
	case '.':
		if (is_digit(s[p->pos + 1])) {
			size_t end = p->pos + 1;

			while (is_digit(s[end])) {
				end++;
			}
			fail_at(p, p->pos, end - p->pos,
					"bad number '%.*s': write a digit "
					"before the point (0%.*s)",
					(int)(end - p->pos), s + p->pos,
					(int)(end - p->pos), s + p->pos);
			break;
		}
		t->kind = TOK_DOT;
		p->pos++;
		break;
	case ':':
		t->kind = TOK_COLON;
		p->pos++;
		break;
	case '#':
		t->kind = TOK_HASH;
		p->pos++;
		break;
	case '"':
		lex_string(p, t);
		break;
	case '=':
		if (s[p->pos + 1] != '=') {
			fail_at(p, p->pos, 1,
					"'=' is not an operator: write '==' to "
					"compare");
			break;
		}
		lex_operator(p, t);
		break;
	case '!':
		if (s[p->pos + 1] != '=') {
			fail_at(p, p->pos, 1,
					"'!' is not an operator: write 'not' "
					"or '!='");
			break;
		}
		lex_operator(p, t);
		break;
	case '&':
		fail_at(p, p->pos, s[p->pos + 1] == '&' ? 2 : 1,
				"write 'and' to join conditions");
		break;
	case '|':
		fail_at(p, p->pos, s[p->pos + 1] == '|' ? 2 : 1,
				"write 'or' to join conditions");
		break;
	default:
		if (lex_operator(p, t)) {
			break;
		}
		if (is_digit(s[p->pos]) ||
				(s[p->pos] == '-' && is_digit(s[p->pos + 1]))) {
			lex_number(p, t);
			break;
		}
		if (is_ident_start(s[p->pos])) {
			t->kind = TOK_IDENT;
			while (is_ident_char(s[p->pos])) {
				p->pos++;
			}
			break;
		}
		fail_at(p, p->pos, char_length(s + p->pos),
				"unexpected character '%.*s'",
				(int)char_length(s + p->pos), s + p->pos);
		break;
	}
	if (p->status) {
		t->kind = TOK_END;
		t->length = 0;
		return;
	}
	t->length = p->pos - t->offset;
}

static bool
tok_is(const struct parser *p, const char *word)
{
	return p->tok.kind == TOK_IDENT && strlen(word) == p->tok.length &&
	       !strncmp(p->text + p->tok.offset, word, p->tok.length);
}

/* What the next token will be, without consuming the current one. */
static enum token_kind
peek_kind(struct parser *p)
{
	struct parser copy = *p;
	struct cotrace_check_error scratch;

	copy.error = &scratch;
	next(&copy);
	return copy.status ? TOK_END : copy.tok.kind;
}

/* ---- suggestions ---- */

static size_t
edit_distance(const char *a, size_t la, const char *b)
{
	size_t lb = strlen(b), row[64], prev_diag, tmp;

	if (la >= 63 || lb >= 63) {
		return SIZE_MAX;
	}
	for (size_t j = 0; j <= lb; j++) {
		row[j] = j;
	}
	for (size_t i = 1; i <= la; i++) {
		prev_diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t best = prev_diag + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best) {
				best = row[j] + 1;
			}
			if (row[j - 1] + 1 < best) {
				best = row[j - 1] + 1;
			}
			tmp = row[j];
			row[j] = best;
			prev_diag = tmp;
		}
	}
	return row[lb];
}

struct suggestion {
	const char *best;
	size_t distance;
};

static void
suggest(struct suggestion *s, const char *word, size_t len,
		const char *candidate)
{
	size_t d = edit_distance(word, len, candidate);

	if (d < s->distance && d <= 2 && d <= (len + 1) / 2) {
		s->distance = d;
		s->best = candidate;
	}
}

/* " (did you mean 'x'?)" or "" */
static void
suggestion_text(const struct suggestion *s, char *buf, size_t size)
{
	if (s->best) {
		snprintf(buf, size, " (did you mean '%s'?)", s->best);
	} else {
		buf[0] = '\0';
	}
}

/* ---- nodes ---- */

static void
node_destroy(struct cotrace_check_node *n)
{
	if (!n) {
		return;
	}
	node_destroy(n->left);
	node_destroy(n->right);
	free(n->string);
	free(n->ref[0].name);
	free(n->ref[1].name);
	free(n);
}

static struct cotrace_check_node *
node_new(struct parser *p, enum cotrace_check_node_kind kind, size_t offset)
{
	struct cotrace_check_node *n = calloc(1, sizeof(*n));

	if (!n) {
		fail_nomem(p);
		return NULL;
	}
	n->kind = kind;
	n->offset = offset;
	n->warning_kind = -1;
	return n;
}

/* The node spans from its start to the end of the last token consumed. */
static void
node_close(struct parser *p, struct cotrace_check_node *n)
{
	n->length = p->prev_end > n->offset ? p->prev_end - n->offset : 0;
}

static int
find_scalar(const char *s, size_t len)
{
	for (size_t i = 0; i < N_SCALARS; i++) {
		if (strlen(scalars[i].name) == len &&
				!strncmp(scalars[i].name, s, len)) {
			return (int)i;
		}
	}
	return -1;
}

static int
find_field(const char *s, size_t len)
{
	for (size_t i = 0; i < N_FIELDS; i++) {
		if (strlen(field_defs[i].name) == len &&
				!strncmp(field_defs[i].name, s, len)) {
			return (int)i;
		}
	}
	return -1;
}

static enum cotrace_check_collection
find_collection(const char *s, size_t len, bool singular)
{
	const char *const *names =
			singular ? collection_singular : collection_names;

	for (int c = COTRACE_CHECK_PROCESSES; c < COTRACE_CHECK_N_COLLECTIONS;
			c++) {
		if (strlen(names[c]) == len && !strncmp(names[c], s, len)) {
			return (enum cotrace_check_collection)c;
		}
	}
	return COTRACE_CHECK_NO_COLLECTION;
}

static bool
field_in(int field, enum cotrace_check_collection c)
{
	return field >= 0 && (field_defs[field].collections & BIT(c));
}

/* "pid, ppid, name, ..." for messages. */
static void
list_fields(enum cotrace_check_collection c, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < N_FIELDS && used < size; i++) {
		if (field_defs[i].collections & BIT(c)) {
			int n = snprintf(buf + used, size - used, "%s%s",
					used ? ", " : "", field_defs[i].name);

			if (n < 0) {
				break;
			}
			used += (size_t)n;
		}
	}
}

static int
find_warning_kind(const char *s, size_t len)
{
	/* The kinds are a dense enum from 0; the names table ends them. */
	for (int k = 0; k < 64; k++) {
		const char *name = cotrace_warning_kind_name(
				(enum cotrace_warning_kind)k);

		if (!strcmp(name, "unknown")) {
			break;
		}
		if (strlen(name) == len && !strncmp(name, s, len)) {
			return k;
		}
	}
	return -1;
}

/* ---- the parser ---- */

static struct cotrace_check_node *parse_condition(
		struct parser *p, const char *after);
static struct cotrace_check_node *parse_negation(
		struct parser *p, const char *after);

/* Reports a token that does not fit where a value or condition goes. */
static void
fail_expected(struct parser *p, const char *what, const char *after)
{
	if (p->tok.kind == TOK_END) {
		if (after) {
			fail_at(p, p->tok.offset, 1, "missing %s after %s",
					what, after);
		} else {
			fail_at(p, p->tok.offset, 1, "empty expectation");
		}
	} else if (p->tok.kind == TOK_OP && !after) {
		fail_at(p, p->tok.offset, p->tok.length,
				"missing value before '%s'",
				cotrace_check_op_name(p->tok.op));
	} else if (after) {
		fail_at(p, p->tok.offset, p->tok.length,
				"missing %s after %s (found '%.*s')", what,
				after, TOK_ARGS(p));
	} else {
		fail_at(p, p->tok.offset, p->tok.length,
				"expected %s, found '%.*s'", what, TOK_ARGS(p));
	}
}

static bool
expect_close(struct parser *p, size_t open_offset, const char *what)
{
	if (p->tok.kind == TOK_RPAREN) {
		next(p);
		return !p->status;
	}
	if (p->tok.kind == TOK_END) {
		fail_at(p, open_offset, 1,
				"this '(' is never closed: add ')' at the "
				"end%s%s",
				what ? " of " : "", what ? what : "");
	} else {
		fail_at(p, p->tok.offset, p->tok.length,
				"expected ')' to close the '(' of column %zu, "
				"found '%.*s'",
				cotrace_check_column(p->text, open_offset),
				TOK_ARGS(p));
	}
	return false;
}

/* A whole non-negative integer written without point or unit. */
static bool
tok_is_count(const struct parser *p)
{
	return p->tok.kind == TOK_NUMBER && p->tok.integral &&
	       p->tok.suffix == SUFFIX_NONE && p->tok.number >= 0 &&
	       p->tok.number < 9e15;
}

static char *
string_literal(struct parser *p, size_t offset, size_t length)
{
	char *out = malloc(length), *o = out;

	if (!out) {
		fail_nomem(p);
		return NULL;
	}
	/* Without the quotes; the lexer accepted only \" and \\. */
	for (size_t i = offset + 1; i < offset + length - 1; i++) {
		if (p->text[i] == '\\') {
			i++;
		}
		*o++ = p->text[i];
	}
	*o = '\0';
	return out;
}

/* KIND ':' SELECTOR */
static bool
parse_ref(struct parser *p, struct cotrace_check_ref *ref)
{
	const char *s = p->text + p->tok.offset;
	size_t len = p->tok.length;

	ref->offset = p->tok.offset;
	if (p->tok.kind != TOK_IDENT) {
		fail_expected(p,
				"a reference such as task:1, process:#2 or "
				"process:child1",
				NULL);
		return false;
	}
	ref->kind = find_collection(s, len, true);
	if (ref->kind == COTRACE_CHECK_NO_COLLECTION ||
			ref->kind == COTRACE_CHECK_WARNINGS) {
		enum cotrace_check_collection plural =
				find_collection(s, len, false);

		if (plural != COTRACE_CHECK_NO_COLLECTION &&
				plural != COTRACE_CHECK_WARNINGS) {
			fail_at(p, p->tok.offset, len,
					"write '%s:' (singular) in a "
					"reference",
					collection_singular[plural]);
		} else {
			fail_at(p, p->tok.offset, len,
					"'%.*s' is not a kind of reference: "
					"use process:, thread:, task: or "
					"fork:",
					(int)len, s);
		}
		return false;
	}
	next(p);
	if (p->tok.kind != TOK_COLON) {
		fail_at(p, p->tok.offset, p->tok.length ? p->tok.length : 1,
				"expected ':' after '%s' (e.g. %s:#1)",
				collection_singular[ref->kind],
				collection_singular[ref->kind]);
		return false;
	}
	next(p);
	if (p->tok.kind == TOK_HASH) {
		next(p);
		if (!tok_is_count(p) || p->tok.number < 1) {
			fail_at(p, p->tok.offset,
					p->tok.length ? p->tok.length : 1,
					"expected an ordinal from 1 after '#' "
					"(e.g. %s:#1, the first)",
					collection_singular[ref->kind]);
			return false;
		}
		ref->by = COTRACE_CHECK_BY_ORDINAL;
		ref->number = (int64_t)p->tok.number;
	} else if (tok_is_count(p)) {
		ref->by = COTRACE_CHECK_BY_ID;
		ref->number = (int64_t)p->tok.number;
		/* Forks have no id: fork:2 is the second. */
		if (ref->kind == COTRACE_CHECK_FORKS) {
			ref->by = COTRACE_CHECK_BY_ORDINAL;
			if (ref->number < 1) {
				fail_at(p, p->tok.offset, p->tok.length,
						"forks are numbered from 1 "
						"(fork:#1 is the first)");
				return false;
			}
		}
	} else if (p->tok.kind == TOK_IDENT &&
			ref->kind != COTRACE_CHECK_FORKS) {
		const char *w = p->text + p->tok.offset;
		size_t n = p->tok.length, digits = 0;

		while (5 + digits < n && is_digit(w[5 + digits])) {
			digits++;
		}
		if (ref->kind == COTRACE_CHECK_PROCESSES && n > 5 &&
				!strncmp(w, "child", 5) && 5 + digits == n) {
			ref->by = COTRACE_CHECK_BY_CHILD;
			ref->number = strtoll(w + 5, NULL, 10);
			if (ref->number < 1) {
				fail_at(p, p->tok.offset, n,
						"children are numbered from 1 "
						"(process:child1 is the "
						"first)");
				return false;
			}
		} else {
			ref->by = COTRACE_CHECK_BY_NAME;
			ref->name = strndup(w, n);
		}
	} else if (p->tok.kind == TOK_STRING &&
			ref->kind != COTRACE_CHECK_FORKS) {
		ref->by = COTRACE_CHECK_BY_NAME;
		ref->name = string_literal(p, p->tok.offset, p->tok.length);
	} else {
		/* "process: #2": the space made the '#' a comment. */
		const char *hash =
				p->tok.kind == TOK_END
						? strchr(p->text + p->prev_end,
								  '#')
						: NULL;
		bool comment = hash != NULL;

		fail_at(p, hash ? (size_t)(hash - p->text) : p->tok.offset,
				p->tok.length ? p->tok.length : 1,
				"expected what to select after '%s:': %s%s",
				collection_singular[ref->kind],
				ref->kind == COTRACE_CHECK_FORKS
						? "an ordinal (fork:#1)"
						: "an id (task:1), an ordinal "
						  "(task:#1) or a name",
				comment ? " (write the '#' right after ':', "
					  "a '#' after a space starts a "
					  "comment)"
					: "");
		return false;
	}
	if (ref->by == COTRACE_CHECK_BY_NAME && !ref->name) {
		fail_nomem(p);
		return false;
	}
	next(p);
	ref->length = p->prev_end - ref->offset;
	return !p->status;
}

/* count(COLLECTION [where CONDITION]); the current token is '('. */
static struct cotrace_check_node *
parse_count(struct parser *p, struct cotrace_check_node *n)
{
	size_t open = p->tok.offset;
	enum cotrace_check_collection saved = p->where;

	next(p);
	n->collection = p->tok.kind == TOK_IDENT
					? find_collection(p->text + p->tok.offset,
							  p->tok.length, false)
					: COTRACE_CHECK_NO_COLLECTION;
	if (n->collection == COTRACE_CHECK_NO_COLLECTION) {
		fail_expected(p,
				"a collection (processes, threads, tasks, "
				"forks or warnings)",
				"'count('");
		return NULL;
	}
	next(p);
	if (tok_is(p, "where")) {
		next(p);
		p->where = n->collection;
		n->left = parse_condition(p, "'where'");
		p->where = saved;
		if (!n->left) {
			return NULL;
		}
	}
	if (!expect_close(p, open, "count(...)")) {
		return NULL;
	}
	n->type = COTRACE_CHECK_COUNT;
	return n;
}

/* overlap(REF, REF), overlap_time(REF, REF), FIELD(REF); at '('. */
static struct cotrace_check_node *
parse_call(struct parser *p, struct cotrace_check_node *n, const char *name,
		size_t len)
{
	size_t open = p->tok.offset;
	bool two = n->kind != COTRACE_CHECK_REF_FIELD;

	next(p);
	if (!parse_ref(p, &n->ref[0])) {
		return NULL;
	}
	if (two) {
		if (p->tok.kind != TOK_COMMA) {
			fail_at(p, p->tok.offset,
					p->tok.length ? p->tok.length : 1,
					"%.*s() takes two references: "
					"%.*s(task:1, task:2)",
					(int)len, name, (int)len, name);
			return NULL;
		}
		next(p);
		if (!parse_ref(p, &n->ref[1])) {
			return NULL;
		}
		for (int i = 0; i < 2; i++) {
			if (n->ref[i].kind == COTRACE_CHECK_FORKS) {
				fail_at(p, n->ref[i].offset, n->ref[i].length,
						"a fork is an instant, not an "
						"interval: overlap() takes "
						"processes, threads or tasks");
				return NULL;
			}
		}
	} else if (!field_in((int)n->field, n->ref[0].kind)) {
		char fields[256];

		list_fields(n->ref[0].kind, fields, sizeof(fields));
		fail_at(p, n->offset, len, "a %s has no field '%.*s' (%s)",
				collection_singular[n->ref[0].kind], (int)len,
				name, fields);
		return NULL;
	}
	if (p->tok.kind == TOK_COMMA && !two) {
		fail_at(p, p->tok.offset, 1,
				"%.*s() takes one reference, e.g. "
				"%.*s(task:1)",
				(int)len, name, (int)len, name);
		return NULL;
	}
	if (!expect_close(p, open, NULL)) {
		return NULL;
	}
	return n;
}

static void
fail_unknown_name(struct parser *p, const char *s, size_t len)
{
	struct suggestion sg = {NULL, SIZE_MAX};
	char hint[96];

	for (size_t i = 0; i < N_SCALARS; i++) {
		suggest(&sg, s, len, scalars[i].name);
	}
	for (int c = COTRACE_CHECK_PROCESSES; c < COTRACE_CHECK_N_COLLECTIONS;
			c++) {
		suggest(&sg, s, len, collection_names[c]);
	}
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
		suggest(&sg, s, len, keywords[i]);
	}
	for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++) {
		suggest(&sg, s, len, functions[i]);
	}
	if (p->where != COTRACE_CHECK_NO_COLLECTION) {
		for (size_t i = 0; i < N_FIELDS; i++) {
			if (field_in((int)i, p->where)) {
				suggest(&sg, s, len, field_defs[i].name);
			}
		}
	}
	suggestion_text(&sg, hint, sizeof(hint));
	fail_at(p, (size_t)(s - p->text), len,
			"unknown name '%.*s'%s; the names are listed in "
			"cotrace-check(1)",
			(int)len, s, hint);
}

/* COLLECTION '.' FIELD; the current token is '.'. */
static struct cotrace_check_node *
parse_member(struct parser *p, struct cotrace_check_node *n, const char *s,
		size_t len)
{
	struct suggestion sg = {NULL, SIZE_MAX};
	char fields[256], hint[96];
	int field;

	n->collection = find_collection(s, len, false);
	if (n->collection == COTRACE_CHECK_NO_COLLECTION) {
		if (find_scalar(s, len) >= 0) {
			fail_at(p, n->offset, len,
					"'%.*s' is a number, not a collection: "
					"it has no fields",
					(int)len, s);
		} else {
			fail_unknown_name(p, s, len);
		}
		return NULL;
	}
	next(p);
	if (p->tok.kind != TOK_IDENT) {
		fail_expected(p, "a field name", "'.'");
		return NULL;
	}
	field = find_field(p->text + p->tok.offset, p->tok.length);
	if (!field_in(field, n->collection)) {
		for (size_t i = 0; i < N_FIELDS; i++) {
			if (field_in((int)i, n->collection)) {
				suggest(&sg, p->text + p->tok.offset,
						p->tok.length,
						field_defs[i].name);
			}
		}
		suggestion_text(&sg, hint, sizeof(hint));
		list_fields(n->collection, fields, sizeof(fields));
		fail_at(p, p->tok.offset, p->tok.length,
				"%s have no field '%.*s'%s; fields: %s",
				collection_names[n->collection], TOK_ARGS(p),
				hint, fields);
		return NULL;
	}
	n->kind = COTRACE_CHECK_FIELD;
	n->field = (enum cotrace_check_field)field;
	n->type = field_defs[field].type;
	next(p);
	return n;
}

static struct cotrace_check_node *
parse_literal_number(struct parser *p, struct cotrace_check_node *n)
{
	struct token t = p->tok;
	double scaled;

	next(p);
	/* "400 ms": a unit may follow after a space. */
	if (t.suffix == SUFFIX_NONE && p->tok.kind == TOK_IDENT) {
		for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
			if (tok_is(p, units[u].name)) {
				t.suffix = SUFFIX_UNIT;
				t.unit_ns = units[u].ns;
				next(p);
				break;
			}
		}
	}
	n->kind = COTRACE_CHECK_LITERAL;
	n->number = t.number;
	switch (t.suffix) {
	case SUFFIX_NONE:
		n->form = COTRACE_CHECK_PLAIN;
		n->type = t.integral ? COTRACE_CHECK_COUNT
				     : COTRACE_CHECK_NUMBER;
		if (fabs(t.number) >= 9e15) {
			fail_at(p, n->offset, t.length,
					"bad number: too large");
			return NULL;
		}
		n->integer = (int64_t)t.number;
		break;
	case SUFFIX_UNIT:
		n->form = COTRACE_CHECK_UNIT;
		n->type = COTRACE_CHECK_DURATION;
		scaled = t.number * (double)t.unit_ns;
		if (fabs(scaled) >= 9e18) {
			fail_at(p, n->offset, t.length,
					"bad number: this duration is too "
					"large");
			return NULL;
		}
		n->integer = llround(scaled);
		break;
	case SUFFIX_PERCENT:
		n->form = COTRACE_CHECK_PERCENT;
		n->type = COTRACE_CHECK_RATIO;
		n->number = t.number / 100.0;
		break;
	}
	return n;
}

static bool
starts_value(const struct parser *p)
{
	return p->tok.kind == TOK_NUMBER || p->tok.kind == TOK_STRING ||
	       (p->tok.kind == TOK_IDENT && !tok_is(p, "and") &&
			       !tok_is(p, "or") && !tok_is(p, "not") &&
			       !tok_is(p, "where"));
}

/* One value; `after` names what came before, for messages ("'>='"). */
static struct cotrace_check_node *
parse_value(struct parser *p, const char *after)
{
	struct cotrace_check_node *n;
	const char *s = p->text + p->tok.offset;
	size_t len = p->tok.length;
	int idx;

	if (!starts_value(p)) {
		fail_expected(p, "a value", after);
		return NULL;
	}
	n = node_new(p, COTRACE_CHECK_LITERAL, p->tok.offset);
	if (!n) {
		return NULL;
	}
	if (p->tok.kind == TOK_NUMBER) {
		if (!parse_literal_number(p, n)) {
			goto error;
		}
		goto end;
	}
	if (p->tok.kind == TOK_STRING) {
		n->form = COTRACE_CHECK_WORD;
		n->type = COTRACE_CHECK_STRING;
		n->string = string_literal(p, p->tok.offset, p->tok.length);
		if (!n->string) {
			goto error;
		}
		next(p);
		goto end;
	}
	if (tok_is(p, "true") || tok_is(p, "false")) {
		n->form = COTRACE_CHECK_WORD;
		n->type = COTRACE_CHECK_BOOL;
		n->boolean = tok_is(p, "true");
		next(p);
		goto end;
	}
	if (tok_is(p, "any") || tok_is(p, "all") || tok_is(p, "no") ||
			tok_is(p, "warning")) {
		fail_at(p, p->tok.offset, len,
				"'%.*s' makes a condition, not a value: it "
				"cannot be compared",
				(int)len, s);
		goto error;
	}
	switch (peek_kind(p)) {
	case TOK_LPAREN:
		next(p);
		if (len == 5 && !strncmp(s, "count", 5)) {
			n->kind = COTRACE_CHECK_COUNT_OF;
			if (!parse_count(p, n)) {
				goto error;
			}
			goto end;
		}
		if (len == 7 && !strncmp(s, "overlap", 7)) {
			n->kind = COTRACE_CHECK_OVERLAP;
			n->type = COTRACE_CHECK_RATIO;
		} else if (len == 12 && !strncmp(s, "overlap_time", 12)) {
			n->kind = COTRACE_CHECK_OVERLAP_TIME;
			n->type = COTRACE_CHECK_DURATION;
		} else if ((idx = find_field(s, len)) >= 0) {
			n->kind = COTRACE_CHECK_REF_FIELD;
			n->field = (enum cotrace_check_field)idx;
			n->type = field_defs[idx].type;
		} else {
			struct suggestion sg = {NULL, SIZE_MAX};
			char hint[96];

			for (size_t i = 0; i < N_FIELDS; i++) {
				suggest(&sg, s, len, field_defs[i].name);
			}
			suggest(&sg, s, len, "overlap");
			suggest(&sg, s, len, "overlap_time");
			suggest(&sg, s, len, "count");
			suggestion_text(&sg, hint, sizeof(hint));
			fail_at(p, n->offset, len,
					"unknown function '%.*s'%s: functions "
					"are overlap, overlap_time, count "
					"and the fields (cpu(task:1))",
					(int)len, s, hint);
			goto error;
		}
		if (!parse_call(p, n, s, len)) {
			goto error;
		}
		goto end;
	case TOK_DOT:
		next(p);
		if (!parse_member(p, n, s, len)) {
			goto error;
		}
		goto end;
	case TOK_COLON:
		if (find_collection(s, len, true) !=
				COTRACE_CHECK_NO_COLLECTION) {
			fail_at(p, n->offset, len,
					"a reference such as %.*s:1 is not a "
					"value: write cpu(%.*s:1) or "
					"overlap(task:1, task:2)",
					(int)len, s, (int)len, s);
			goto error;
		}
		break;
	default:
		break;
	}
	/* Inside count(C where ...), C's fields come first. */
	idx = find_field(s, len);
	if (p->where != COTRACE_CHECK_NO_COLLECTION &&
			field_in(idx, p->where)) {
		n->kind = COTRACE_CHECK_FIELD;
		n->collection = p->where;
		n->field = (enum cotrace_check_field)idx;
		n->type = field_defs[idx].type;
		next(p);
		goto end;
	}
	idx = find_scalar(s, len);
	if (idx >= 0) {
		n->kind = COTRACE_CHECK_SCALAR;
		n->scalar = scalars[idx].scalar;
		n->type = scalars[idx].type;
		next(p);
		goto end;
	}
	fail_unknown_name(p, s, len);
	goto error;
end:
	node_close(p, n);
	if (p->status) {
		goto error;
	}
	return n;
error:
	node_destroy(n);
	return NULL;
}

static bool
is_numeric(enum cotrace_check_type t)
{
	return t == COTRACE_CHECK_COUNT || t == COTRACE_CHECK_NUMBER ||
	       t == COTRACE_CHECK_DURATION || t == COTRACE_CHECK_RATIO;
}

static bool
is_plain(const struct cotrace_check_node *n)
{
	return n->kind == COTRACE_CHECK_LITERAL &&
	       n->form == COTRACE_CHECK_PLAIN;
}

/* The node's text, for messages: "%.*s". */
#define NODE_ARGS(p, n) (int)(n)->length, (p)->text + (n)->offset

/* Can `a op b` be evaluated? Fails with a message at the culprit if not. */
static bool
check_types(struct parser *p, const struct cotrace_check_node *cmp)
{
	const struct cotrace_check_node *a = cmp->left, *b = cmp->right;
	const struct cotrace_check_node *x, *y;
	bool eq_only = cmp->op == COTRACE_CHECK_EQ ||
		       cmp->op == COTRACE_CHECK_NE;

	for (int pass = 0; pass < 2; pass++) {
		x = pass ? b : a;
		y = pass ? a : b;
		if (x->type == COTRACE_CHECK_BOOL ||
				x->type == COTRACE_CHECK_STRING) {
			if (y->type != x->type) {
				fail_at(p, y->offset, y->length,
						"cannot compare '%.*s' (%s) "
						"with '%.*s' (%s)",
						NODE_ARGS(p, x),
						type_name(x->type),
						NODE_ARGS(p, y),
						type_name(y->type));
				return false;
			}
			if (!eq_only) {
				fail_at(p, cmp->offset, cmp->length,
						"%ss compare only with == "
						"and !=",
						x->type == COTRACE_CHECK_BOOL
								? "boolean"
								: "string");
				return false;
			}
			return true;
		}
	}
	for (int pass = 0; pass < 2; pass++) {
		x = pass ? b : a;
		y = pass ? a : b;
		if (x->type != COTRACE_CHECK_DURATION ||
				y->type == COTRACE_CHECK_DURATION) {
			continue;
		}
		/* 0 is 0 in any unit. */
		if (is_plain(y) && y->number == 0) {
			return true;
		}
		if (is_plain(y)) {
			fail_at(p, y->offset, y->length,
					"'%.*s' is a duration: give %.*s a "
					"unit (ns, us, ms or s), e.g. "
					"%.*sms",
					NODE_ARGS(p, x), NODE_ARGS(p, y),
					NODE_ARGS(p, y));
		} else if (x->kind == COTRACE_CHECK_LITERAL) {
			fail_at(p, x->offset, x->length,
					"'%.*s' is %s, not a duration: drop "
					"the unit",
					NODE_ARGS(p, y), type_name(y->type));
		} else {
			fail_at(p, cmp->offset, cmp->length,
					"cannot compare '%.*s' (a duration) "
					"with '%.*s' (%s)",
					NODE_ARGS(p, x), NODE_ARGS(p, y),
					type_name(y->type));
		}
		return false;
	}
	for (int pass = 0; pass < 2; pass++) {
		x = pass ? b : a;
		y = pass ? a : b;
		if (x->kind == COTRACE_CHECK_LITERAL &&
				x->form == COTRACE_CHECK_PERCENT &&
				y->type == COTRACE_CHECK_COUNT &&
				!is_plain(y)) {
			fail_at(p, x->offset, x->length,
					"'%.*s' is a count: a percentage "
					"compares with a ratio such as "
					"overlap(...) or a number such as "
					"parallelism",
					NODE_ARGS(p, y));
			return false;
		}
	}
	return is_numeric(a->type) && is_numeric(b->type);
}

static struct cotrace_check_node *
parse_quantifier(struct parser *p, bool any)
{
	struct cotrace_check_node *n =
			node_new(p, any ? COTRACE_CHECK_ANY : COTRACE_CHECK_ALL,
					p->tok.offset);
	size_t open;

	if (!n) {
		return NULL;
	}
	next(p);
	if (p->tok.kind != TOK_LPAREN) {
		fail_at(p, p->tok.offset, p->tok.length ? p->tok.length : 1,
				"expected '(' after '%s', e.g. %s",
				any ? "any" : "all",
				any ? "any(forks.threads_alive > 1)"
				    : "all(tasks.cpu >= 400ms)");
		goto error;
	}
	open = p->tok.offset;
	next(p);
	n->left = parse_condition(p, any ? "'any('" : "'all('");
	if (!n->left || !expect_close(p, open, NULL)) {
		goto error;
	}
	node_close(p, n);
	return n;
error:
	node_destroy(n);
	return NULL;
}

static struct cotrace_check_node *
parse_warning(struct parser *p, size_t start, bool negated)
{
	struct cotrace_check_node *n =
			node_new(p, COTRACE_CHECK_WARNING, start);
	struct suggestion sg = {NULL, SIZE_MAX};
	char hint[96];

	if (!n) {
		return NULL;
	}
	n->negated = negated;
	if (p->tok.kind != TOK_IDENT) {
		fail_expected(p, "a warning kind (e.g. fork-with-threads)",
				"'warning'");
		goto error;
	}
	n->warning_kind = find_warning_kind(
			p->text + p->tok.offset, p->tok.length);
	if (n->warning_kind < 0) {
		for (int k = 0; k < 64; k++) {
			const char *name = cotrace_warning_kind_name(
					(enum cotrace_warning_kind)k);

			if (!strcmp(name, "unknown")) {
				break;
			}
			suggest(&sg, p->text + p->tok.offset, p->tok.length,
					name);
		}
		suggestion_text(&sg, hint, sizeof(hint));
		fail_at(p, p->tok.offset, p->tok.length,
				"unknown warning kind '%.*s'%s; kinds are "
				"those of `cotrace report --format json` "
				"(fork-with-threads, child-abnormal-exit, ...)",
				TOK_ARGS(p), hint);
		goto error;
	}
	next(p);
	node_close(p, n);
	return n;
error:
	node_destroy(n);
	return NULL;
}

static struct cotrace_check_node *
parse_atom(struct parser *p, const char *after)
{
	struct cotrace_check_node *n, *v;
	size_t start = p->tok.offset;

	if (p->tok.kind == TOK_LPAREN) {
		next(p);
		n = parse_condition(p, "'('");
		if (!n) {
			return NULL;
		}
		if (!expect_close(p, start, NULL)) {
			node_destroy(n);
			return NULL;
		}
		/* The parentheses belong to the text shown in messages. */
		n->offset = start;
		node_close(p, n);
		return n;
	}
	if (tok_is(p, "no")) {
		next(p);
		if (tok_is(p, "warnings")) {
			n = node_new(p, COTRACE_CHECK_WARNING, start);
			if (n) {
				n->negated = true;
				next(p);
				node_close(p, n);
			}
			return n;
		}
		if (!tok_is(p, "warning")) {
			fail_at(p, p->tok.offset,
					p->tok.length ? p->tok.length : 1,
					"expected 'warning KIND' or 'warnings' "
					"after 'no'");
			return NULL;
		}
		next(p);
		return parse_warning(p, start, true);
	}
	if (tok_is(p, "warning")) {
		next(p);
		return parse_warning(p, start, false);
	}
	if ((tok_is(p, "any") || tok_is(p, "all")) &&
			peek_kind(p) == TOK_LPAREN) {
		return parse_quantifier(p, tok_is(p, "any"));
	}
	if (p->tok.kind == TOK_RPAREN && !after) {
		fail_at(p, p->tok.offset, 1, "unmatched ')': it closes no '('");
		return NULL;
	}
	if (!starts_value(p)) {
		fail_expected(p, "a condition", after);
		return NULL;
	}
	v = parse_value(p, after);
	if (!v) {
		return NULL;
	}
	if (p->tok.kind != TOK_OP) {
		if (v->type != COTRACE_CHECK_BOOL) {
			fail_at(p, v->offset, v->length,
					"'%.*s' is %s, not a condition: "
					"compare it (e.g. '%.*s %s')",
					NODE_ARGS(p, v), type_name(v->type),
					NODE_ARGS(p, v),
					v->type == COTRACE_CHECK_DURATION
							? "<= 2s"
					: v->type == COTRACE_CHECK_STRING
							? "== \"name\""
							: ">= 1");
			node_destroy(v);
			return NULL;
		}
		n = node_new(p, COTRACE_CHECK_TRUTH, start);
		if (!n) {
			node_destroy(v);
			return NULL;
		}
		n->left = v;
		n->type = COTRACE_CHECK_BOOL;
		node_close(p, n);
		return n;
	}
	n = node_new(p, COTRACE_CHECK_COMPARE, start);
	if (!n) {
		node_destroy(v);
		return NULL;
	}
	n->left = v;
	n->op = p->tok.op;
	next(p);
	{
		char after_op[8];

		snprintf(after_op, sizeof(after_op), "'%s'",
				cotrace_check_op_name(n->op));
		n->right = parse_value(p, after_op);
	}
	if (!n->right) {
		goto error;
	}
	node_close(p, n);
	if (p->tok.kind == TOK_OP) {
		fail_at(p, p->tok.offset, p->tok.length,
				"comparisons do not chain: join them with "
				"'and' (a > 1 and a < 3)");
		goto error;
	}
	if (!check_types(p, n)) {
		goto error;
	}
	n->type = COTRACE_CHECK_BOOL;
	return n;
error:
	node_destroy(n);
	return NULL;
}

static struct cotrace_check_node *
parse_negation(struct parser *p, const char *after)
{
	struct cotrace_check_node *n;
	size_t start = p->tok.offset;

	if (!tok_is(p, "not")) {
		return parse_atom(p, after);
	}
	n = node_new(p, COTRACE_CHECK_NOT, start);
	if (!n) {
		return NULL;
	}
	next(p);
	n->left = parse_negation(p, "'not'");
	if (!n->left) {
		node_destroy(n);
		return NULL;
	}
	node_close(p, n);
	return n;
}

static struct cotrace_check_node *
parse_binary(struct parser *p, const char *word,
		enum cotrace_check_node_kind kind,
		struct cotrace_check_node *(*operand)(
				struct parser *, const char *),
		const char *first_after)
{
	struct cotrace_check_node *left = operand(p, first_after), *n;
	char after[12];

	snprintf(after, sizeof(after), "'%s'", word);
	while (left && tok_is(p, word)) {
		n = node_new(p, kind, left->offset);
		if (!n) {
			node_destroy(left);
			return NULL;
		}
		n->left = left;
		next(p);
		n->right = operand(p, after);
		if (!n->right) {
			node_destroy(n);
			return NULL;
		}
		node_close(p, n);
		left = n;
	}
	return left;
}

static struct cotrace_check_node *
parse_conjunct(struct parser *p, const char *after)
{
	return parse_binary(p, "and", COTRACE_CHECK_AND, parse_negation, after);
}

static struct cotrace_check_node *
parse_condition(struct parser *p, const char *after)
{
	return parse_binary(p, "or", COTRACE_CHECK_OR, parse_conjunct, after);
}

/* ---- collection binding ---- */

/* The collections a value walks (count() binds its own). */
static unsigned int
value_collections(const struct cotrace_check_node *n)
{
	return n && n->kind == COTRACE_CHECK_FIELD ? BIT(n->collection) : 0;
}

/* The collections the comparisons of a condition name, nested any/all
 * excepted. */
static unsigned int
leaf_collections(const struct cotrace_check_node *n)
{
	switch (n->kind) {
	case COTRACE_CHECK_OR:
	case COTRACE_CHECK_AND:
		return leaf_collections(n->left) | leaf_collections(n->right);
	case COTRACE_CHECK_NOT:
		return leaf_collections(n->left);
	case COTRACE_CHECK_COMPARE:
	case COTRACE_CHECK_TRUTH:
		return value_collections(n->left) | value_collections(n->right);
	default:
		return 0;
	}
}

static int
popcount(unsigned int x)
{
	int n = 0;

	for (; x; x &= x - 1) {
		n++;
	}
	return n;
}

static enum cotrace_check_collection
lowest(unsigned int x)
{
	for (int c = 1; c < COTRACE_CHECK_N_COLLECTIONS; c++) {
		if (x & BIT(c)) {
			return (enum cotrace_check_collection)c;
		}
	}
	return COTRACE_CHECK_NO_COLLECTION;
}

/* "tasks and processes" */
static void
two_names(unsigned int x, char *buf, size_t size)
{
	enum cotrace_check_collection a = lowest(x);
	enum cotrace_check_collection b = lowest(x & ~BIT(a));

	snprintf(buf, size, "%s and %s", collection_names[a],
			collection_names[b]);
}

/*
 * Decides which collection each comparison walks: those its values name
 * that no enclosing any(), all() or count(... where) binds. `bound` holds
 * the collections bound around n.
 */
static bool
bind(struct parser *p, struct cotrace_check_node *n, unsigned int bound)
{
	unsigned int free_colls;
	char names[64];

	if (!n) {
		return true;
	}
	switch (n->kind) {
	case COTRACE_CHECK_OR:
	case COTRACE_CHECK_AND:
		return bind(p, n->left, bound) && bind(p, n->right, bound);
	case COTRACE_CHECK_NOT:
		return bind(p, n->left, bound);
	case COTRACE_CHECK_COMPARE:
	case COTRACE_CHECK_TRUTH:
		free_colls = (value_collections(n->left) |
					     value_collections(n->right)) &
			     ~bound;
		if (popcount(free_colls) > 1) {
			two_names(free_colls, names, sizeof(names));
			fail_at(p, n->offset, n->length,
					"one comparison walks one collection, "
					"but this one names %s: compare each "
					"with a number, or use count(... "
					"where ...)",
					names);
			return false;
		}
		n->collection = lowest(free_colls);
		return bind(p, n->left, bound) && bind(p, n->right, bound);
	case COTRACE_CHECK_ANY:
	case COTRACE_CHECK_ALL:
		free_colls = leaf_collections(n->left) & ~bound;
		if (popcount(free_colls) != 1) {
			const char *q = n->kind == COTRACE_CHECK_ANY ? "any"
								     : "all";

			if (free_colls) {
				two_names(free_colls, names, sizeof(names));
				fail_at(p, n->offset, n->length,
						"%s(...) walks one collection, "
						"but this one names %s",
						q, names);
			} else {
				fail_at(p, n->offset, n->length,
						"%s(...) needs a collection "
						"field to walk, e.g. "
						"%s(forks.threads_alive > 1)",
						q, q);
			}
			return false;
		}
		n->collection = lowest(free_colls);
		return bind(p, n->left, bound | free_colls);
	case COTRACE_CHECK_COUNT_OF:
		return bind(p, n->left, bound | BIT(n->collection));
	default:
		return true;
	}
}

/* ---- the interface ---- */

int
cotrace_check_parse(const char *text, struct cotrace_check_expr **expr,
		struct cotrace_check_error *error)
{
	struct parser p;
	struct cotrace_check_expr *e = NULL;
	struct cotrace_check_node *root = NULL;
	struct cotrace_check_error scratch;

	*expr = NULL;
	memset(&p, 0, sizeof(p));
	p.text = text ? text : "";
	p.error = error ? error : &scratch;
	memset(p.error, 0, sizeof(*p.error));
	next(&p);
	if (!p.status && p.tok.kind == TOK_END) {
		fail_at(&p, p.tok.offset, 1,
				"empty expectation: write a condition such "
				"as 'processes == 3'");
	}
	if (!p.status) {
		root = parse_condition(&p, NULL);
	}
	if (root && !p.status && p.tok.kind != TOK_END) {
		if (p.tok.kind == TOK_RPAREN) {
			fail_at(&p, p.tok.offset, 1,
					"unmatched ')': it closes no '('");
		} else {
			fail_at(&p, p.tok.offset, p.tok.length,
					"unexpected '%.*s' after a complete "
					"expectation: join conditions with "
					"'and' or 'or'",
					TOK_ARGS(&p));
		}
	}
	if (root && !p.status) {
		bind(&p, root, 0);
	}
	if (p.status) {
		goto error;
	}
	e = calloc(1, sizeof(*e));
	if (!e || !(e->text = strdup(p.text))) {
		fail_nomem(&p);
		goto error;
	}
	e->root = root;
	*expr = e;
	return 0;
error:
	free(e);
	node_destroy(root);
	return p.status ? p.status : -ENOMEM;
}

void
cotrace_check_expr_destroy(struct cotrace_check_expr *expr)
{
	if (!expr) {
		return;
	}
	node_destroy(expr->root);
	free(expr->text);
	free(expr);
}

bool
cotrace_check_line_is_blank(const char *line)
{
	while (is_space(*line)) {
		line++;
	}
	return *line == '\0' || *line == '#';
}

size_t
cotrace_check_column(const char *text, size_t offset)
{
	size_t column = 1;

	for (size_t i = 0; i < offset && text[i]; i++) {
		/* UTF-8 continuation bytes belong to the previous character.
		 */
		if (((unsigned char)text[i] & 0xc0) != 0x80) {
			column++;
		}
	}
	return column;
}

void
cotrace_check_caret_line(const char *text,
		const struct cotrace_check_error *error, char *buf, size_t size)
{
	size_t used = 0, len = strlen(text), end;

	if (size == 0) {
		return;
	}
	for (size_t i = 0; i < error->offset && i < len && used + 1 < size;
			i++) {
		if (text[i] == '\t') {
			buf[used++] = '\t';
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			buf[used++] = ' ';
		}
	}
	if (used + 1 < size) {
		buf[used++] = '^';
	}
	end = error->offset + (error->length ? error->length : 1);
	for (size_t i = error->offset + 1;
			i < end && i < len && used + 1 < size; i++) {
		if (((unsigned char)text[i] & 0xc0) != 0x80) {
			buf[used++] = '~';
		}
	}
	buf[used] = '\0';
}
