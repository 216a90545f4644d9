/* Streaming JSON writer: escaping, UTF-8 repair, separators, indentation. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "json-writer.h"

static int
write_bytes(FILE *out, const char *buf, size_t len)
{
	if (len == 0) {
		return 0;
	}
	if (fwrite(buf, 1, len, out) != len) {
		return errno ? -errno : -EIO;
	}
	return 0;
}

size_t
cotrace_utf8_sequence(const unsigned char *s, size_t len, size_t *bad)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (c < 0x80) {
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		if (c == 0xe0) {
			lo = 0xa0; /* no overlong forms */
		} else if (c == 0xed) {
			hi = 0x9f; /* no UTF-16 surrogates */
		}
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		if (c == 0xf0) {
			lo = 0x90;
		} else if (c == 0xf4) {
			hi = 0x8f; /* nothing above U+10FFFF */
		}
	} else {
		*bad = 1;
		return 0;
	}
	for (i = 1; i <= need; i++) {
		if (i >= len || s[i] < lo || s[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return need + 1;
}

int
cotrace_json_write_string(FILE *out, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t run = 0; /* start of the bytes that need no escaping */
	size_t i = 0;
	int status;

	status = write_bytes(out, "\"", 1);
	while (status == 0 && i < len) {
		unsigned char c = s[i];
		char esc[8];
		const char *rep = NULL;
		size_t skip = 1, seq, bad = 0;

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			i++;
			continue;
		}
		if (c >= 0x80) {
			seq = cotrace_utf8_sequence(s + i, len - i, &bad);
			if (seq) {
				i += seq;
				continue;
			}
			rep = "\\ufffd";
			skip = bad;
		} else if (c == '"') {
			rep = "\\\"";
		} else if (c == '\\') {
			rep = "\\\\";
		} else if (c == '\n') {
			rep = "\\n";
		} else if (c == '\t') {
			rep = "\\t";
		} else if (c == '\r') {
			rep = "\\r";
		} else if (c == '\b') {
			rep = "\\b";
		} else if (c == '\f') {
			rep = "\\f";
		} else {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			rep = esc;
		}
		status = write_bytes(out, (const char *)s + run, i - run);
		if (status == 0) {
			status = write_bytes(out, rep, strlen(rep));
		}
		i += skip;
		run = i;
	}
	if (status == 0) {
		status = write_bytes(out, (const char *)s + run, len - run);
	}
	if (status == 0) {
		status = write_bytes(out, "\"", 1);
	}
	return status;
}

void
cotrace_json_writer_init(struct cotrace_json_writer *w, FILE *out, bool pretty)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->pretty = pretty;
}

static void
emit(struct cotrace_json_writer *w, const char *buf, size_t len)
{
	if (w->error == 0) {
		w->error = write_bytes(w->out, buf, len);
	}
}

static void
emit_str(struct cotrace_json_writer *w, const char *s)
{
	emit(w, s, strlen(s));
}

static void
newline_indent(struct cotrace_json_writer *w, unsigned int depth)
{
	if (!w->pretty) {
		return;
	}
	emit(w, "\n", 1);
	for (unsigned int i = 0; i < depth; i++) {
		emit(w, "  ", 2);
	}
}

/* The separator before a new item (a member's key, or an array element). */
static void
begin_item(struct cotrace_json_writer *w, bool is_key)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth == 0) {
		return;
	}
	/* An object takes keys then values, an array only values. */
	if (w->is_object[w->depth] != is_key) {
		w->error = -EINVAL;
		return;
	}
	if (w->has_items[w->depth]) {
		emit(w, ",", 1);
	}
	w->has_items[w->depth] = true;
	newline_indent(w, w->depth);
}

static void
open_level(struct cotrace_json_writer *w, bool is_object)
{
	if (w->error) {
		return;
	}
	begin_item(w, false);
	if (w->error == 0 && w->depth >= COTRACE_JSON_MAX_DEPTH) {
		w->error = -EINVAL;
	}
	if (w->error) {
		return;
	}
	emit_str(w, is_object ? "{" : "[");
	w->depth++;
	w->has_items[w->depth] = false;
	w->is_object[w->depth] = is_object;
}

static void
close_level(struct cotrace_json_writer *w, bool is_object)
{
	if (w->error) {
		return;
	}
	if (w->depth == 0 || w->after_key ||
			w->is_object[w->depth] != is_object) {
		w->error = -EINVAL;
		return;
	}
	w->depth--;
	if (w->has_items[w->depth + 1]) {
		newline_indent(w, w->depth);
	}
	emit_str(w, is_object ? "}" : "]");
}

void
cotrace_json_begin_object(struct cotrace_json_writer *w)
{
	open_level(w, true);
}

void
cotrace_json_end_object(struct cotrace_json_writer *w)
{
	close_level(w, true);
}

void
cotrace_json_begin_array(struct cotrace_json_writer *w)
{
	open_level(w, false);
}

void
cotrace_json_end_array(struct cotrace_json_writer *w)
{
	close_level(w, false);
}

void
cotrace_json_key(struct cotrace_json_writer *w, const char *key)
{
	if (w->error) {
		return;
	}
	if (w->depth == 0 || w->after_key) {
		w->error = -EINVAL;
		return;
	}
	begin_item(w, true);
	if (w->error) {
		return;
	}
	w->error = cotrace_json_write_string(w->out, key, strlen(key));
	emit_str(w, w->pretty ? ": " : ":");
	w->after_key = true;
}

void
cotrace_json_string_len(
		struct cotrace_json_writer *w, const char *s, size_t len)
{
	if (w->error) {
		return;
	}
	begin_item(w, false);
	if (w->error == 0) {
		w->error = cotrace_json_write_string(w->out, s, len);
	}
}

void
cotrace_json_string(struct cotrace_json_writer *w, const char *s)
{
	if (!s) {
		cotrace_json_null(w);
		return;
	}
	cotrace_json_string_len(w, s, strlen(s));
}

static void
scalar(struct cotrace_json_writer *w, const char *text)
{
	if (w->error) {
		return;
	}
	begin_item(w, false);
	emit_str(w, text);
}

void
cotrace_json_int(struct cotrace_json_writer *w, int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	scalar(w, buf);
}

void
cotrace_json_uint(struct cotrace_json_writer *w, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	scalar(w, buf);
}

/* Whether buf parses back to v (strtod reads the locale printf wrote in). */
static bool
round_trips(const char *buf, double v)
{
	char *end;

	return strtod(buf, &end) == v && *end == '\0';
}

void
cotrace_json_double(struct cotrace_json_writer *w, double v)
{
	char buf[64];

	if (!isfinite(v)) {
		scalar(w, "null");
		return;
	}
	/*
	 * The shortest form that reads back as the same double: 1.76 stays
	 * 1.76, and a ratio like 0.9976594 is not cut to 6 digits.
	 */
	for (int digits = 15; digits <= 17; digits++) {
		snprintf(buf, sizeof(buf), "%.*g", digits, v);
		if (digits == 17 || round_trips(buf, v)) {
			break;
		}
	}
	/* A host program may have set LC_NUMERIC to a decimal comma. */
	for (char *p = buf; *p; p++) {
		if (*p == ',') {
			*p = '.';
		}
	}
	scalar(w, buf);
}

void
cotrace_json_bool(struct cotrace_json_writer *w, bool v)
{
	scalar(w, v ? "true" : "false");
}

void
cotrace_json_null(struct cotrace_json_writer *w)
{
	scalar(w, "null");
}

int
cotrace_json_writer_finish(struct cotrace_json_writer *w)
{
	if (w->error == 0 && (w->depth != 0 || w->after_key)) {
		w->error = -EINVAL;
	}
	emit(w, "\n", 1);
	if (w->error == 0 && fflush(w->out) != 0) {
		w->error = errno ? -errno : -EIO;
	}
	return w->error;
}
