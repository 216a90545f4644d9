/*
 * A small streaming JSON writer: values go straight to a FILE, commas and
 * indentation are inserted for the caller. Strings are escaped (quotes,
 * backslashes, every control character) and invalid UTF-8 becomes U+FFFD,
 * so any byte string a trace holds yields valid JSON.
 *
 * Errors are sticky: after the first failed write every call does nothing
 * and cotrace_json_writer_finish() returns the error.
 */
#ifndef COTRACE_JSON_WRITER_H
#define COTRACE_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Deeper nesting is refused with -EINVAL: our documents are shallow. */
#define COTRACE_JSON_MAX_DEPTH 32

struct cotrace_json_writer {
	FILE *out;   /* borrowed */
	bool pretty; /* newlines and two-space indentation */
	unsigned int depth;
	/* Per nesting level: has a value been written at this level yet? */
	bool has_items[COTRACE_JSON_MAX_DEPTH + 1];
	/* Per nesting level: object (members need keys) or array. */
	bool is_object[COTRACE_JSON_MAX_DEPTH + 1];
	bool after_key; /* the next value completes a member */
	int error;	/* 0, or the first -errno */
};

void cotrace_json_writer_init(
		struct cotrace_json_writer *w, FILE *out, bool pretty);

void cotrace_json_begin_object(struct cotrace_json_writer *w);
void cotrace_json_end_object(struct cotrace_json_writer *w);
void cotrace_json_begin_array(struct cotrace_json_writer *w);
void cotrace_json_end_array(struct cotrace_json_writer *w);

/* The name of the next object member. */
void cotrace_json_key(struct cotrace_json_writer *w, const char *key);

/* A string value; NULL writes null. */
void cotrace_json_string(struct cotrace_json_writer *w, const char *s);
/* `len` bytes of `s`, which may hold NUL bytes. */
void cotrace_json_string_len(
		struct cotrace_json_writer *w, const char *s, size_t len);
void cotrace_json_int(struct cotrace_json_writer *w, int64_t v);
void cotrace_json_uint(struct cotrace_json_writer *w, uint64_t v);
/* NaN and infinities have no JSON form: they are written as null. */
void cotrace_json_double(struct cotrace_json_writer *w, double v);
void cotrace_json_bool(struct cotrace_json_writer *w, bool v);
void cotrace_json_null(struct cotrace_json_writer *w);

/*
 * Ends the document with a newline and flushes. Returns 0, -EINVAL when
 * objects or arrays are still open or the calls were misnested, or the
 * -errno of the first failed write.
 */
int cotrace_json_writer_finish(struct cotrace_json_writer *w);

/*
 * Writes `s` (len bytes) to `out` as a quoted JSON string. Returns 0 or
 * -errno. Exposed for the unit tests.
 */
int cotrace_json_write_string(FILE *out, const char *s, size_t len);

/*
 * Length of the well-formed UTF-8 sequence at s[0..len) (len > 0), or 0
 * when it is ill-formed; then *bad is how many bytes one U+FFFD replaces
 * (the maximal ill-formed prefix, as Unicode recommends). ASCII bytes are
 * sequences of length 1.
 */
size_t cotrace_utf8_sequence(const unsigned char *s, size_t len, size_t *bad);

#endif /* COTRACE_JSON_WRITER_H */
