/* Terminal-safe text and word wrapping (safe-text.h). */
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>

#include "json-writer.h"
#include "safe-text.h"

bool
cotrace_locale_is_utf8(void)
{
	const char *codeset = nl_langinfo(CODESET);

	return codeset && !strcmp(codeset, "UTF-8");
}

size_t
cotrace_safe_copy(char *dst, const char *s, size_t max_chars, bool utf8)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = strlen((const char *)p), i = 0, chars = 0, o = 0;
	size_t total = 0;

	/* Count first, to know whether "..." is needed. */
	while (i < len) {
		size_t bad = 1,
		       seq = cotrace_utf8_sequence(p + i, len - i, &bad);

		i += seq ? seq : bad;
		total++;
	}
	i = 0;
	while (i < len) {
		size_t bad = 1, seq;

		if (total > max_chars && chars + 3 >= max_chars) {
			/* "..." in what is left, even when that is < 3. */
			for (; chars < max_chars; chars++) {
				dst[o++] = '.';
			}
			break;
		}
		seq = cotrace_utf8_sequence(p + i, len - i, &bad);
		if (seq == 1 && p[i] >= 0x20 && p[i] != 0x7f) {
			dst[o++] = (char)p[i];
		} else if (seq > 1 && utf8) {
			memcpy(dst + o, p + i, seq);
			o += seq;
		} else {
			dst[o++] = '?';
		}
		i += seq ? seq : bad;
		chars++;
	}
	dst[o] = '\0';
	return chars;
}

char *
cotrace_safe_strdup(const char *s, size_t max_chars, bool utf8, size_t *chars)
{
	char *dst = malloc(strlen(s ? s : "") + 4);
	size_t n;

	if (!dst) {
		return NULL;
	}
	n = cotrace_safe_copy(dst, s, max_chars, utf8);
	if (chars) {
		*chars = n;
	}
	return dst;
}

size_t
cotrace_text_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		n += ((unsigned char)*s & 0xc0) != 0x80;
	}
	return n;
}

/* Characters in s[0..len). */
static size_t
chars_in(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	}
	return n;
}

void
cotrace_put_wrapped(FILE *out, const char *first, const char *indent,
		const char *text, size_t width)
{
	const char *prefix = first;
	const char *p = text;

	for (;;) {
		size_t col = cotrace_text_chars(prefix);
		size_t room = width > col ? width - col : 1;
		const char *line = p, *end = p, *q = p;

		/* The longest run of whole words that fits in `room`. */
		while (*q) {
			const char *w = q;

			while (*w == ' ') {
				w++;
			}
			while (*w && *w != ' ') {
				w++;
			}
			if (chars_in(line, (size_t)(w - line)) > room &&
					end != line) {
				break;
			}
			end = w;
			q = w;
			if (chars_in(line, (size_t)(w - line)) > room) {
				break;
			}
		}
		fputs(prefix, out);
		fwrite(line, 1, (size_t)(end - line), out);
		fputc('\n', out);
		p = end;
		while (*p == ' ') {
			p++;
		}
		if (!*p) {
			break;
		}
		prefix = indent;
	}
}
