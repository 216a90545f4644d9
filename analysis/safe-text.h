/*
 * Text from a trace made safe for a terminal, shared by the timeline,
 * story and compare renderers: control characters and invalid UTF-8 become
 * '?', and UTF-8 is kept only when the locale's character set is UTF-8.
 * Widths are counted in characters (one column each).
 */
#ifndef COTRACE_SAFE_TEXT_H
#define COTRACE_SAFE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Is the locale's character set (LC_CTYPE) UTF-8? */
bool cotrace_locale_is_utf8(void);

/*
 * Copies `s` (NULL reads as "") to `dst` as safe text of at most
 * `max_chars` characters, the last three of them "..." when it is cut, and
 * NUL-terminates it. `dst` must hold strlen(s) + 4 bytes. Returns the
 * number of characters written.
 */
size_t cotrace_safe_copy(char *dst, const char *s, size_t max_chars, bool utf8);

/* cotrace_safe_copy() into a new string; NULL when out of memory. */
char *cotrace_safe_strdup(const char *s, size_t max_chars, bool utf8,
		size_t *chars);

/* Number of characters in safe text (UTF-8 continuation bytes excluded). */
size_t cotrace_text_chars(const char *s);

/*
 * Writes `text` (already safe) to `out`, wrapped at spaces so that no line
 * is longer than `width` characters (a longer word gets a line of its
 * own); the first line starts with `first`, the others with `indent`.
 * Ends with a newline.
 */
void cotrace_put_wrapped(FILE *out, const char *first, const char *indent,
		const char *text, size_t width);

#endif /* COTRACE_SAFE_TEXT_H */
